/* ptbench compare BASE CAND [CAND...]: metric by metric, what changed and
 * whether it is real; --gate turns the verdicts into an exit code for CI.
 * The comparison itself is the library's (src/compare/compare_run.c). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ptbench/commands.h"
#include "ptbench/compare_run.h"
#include "ptbench/exitcodes.h"

int cmd_compare(int argc, char **argv)
{
	struct pt_cmp_opts o = PT_CMP_OPTS_DEFAULT;
	struct pt_cmp_run run;
	int first, rc = pt_cmp_args_parse(argc, argv, &o, &first);

	if (rc)
		return rc == 1 ? PT_EXIT_OK : rc;
	rc = pt_cmp_run_build(&o, argc - first, argv + first, &run);
	if (!rc) {
		pt_cmp_run_write(&run, o.format, stdout, isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
		rc = run.r.exit_code;
	}
	pt_cmp_run_free(&run);
	return rc;
}
