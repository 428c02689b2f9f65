/* ptbench restore: put back what a ptbench run that died without its
 * handlers (SIGKILL, the OOM killer, a power cut of the process) left on
 * the machine: sysfs values, a tracefs mount, stale tracefs instances. */
#include <getopt.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>

#include "ptbench/cli.h"
#include "ptbench/commands.h"
#include "ptbench/exitcodes.h"
#include "ptbench/machine_state.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: ptbench restore [-q|--quiet]\n"
		   "  -q, --quiet  print only errors (nothing when there is nothing to do)\n"
		   "Undo what the state file (%s/state) records of a ptbench run that\n"
		   "is gone: THP and khugepaged sysfs values still at what it pushed go back to\n"
		   "their originals, a tracefs mount it made is unmounted, stale tracefs\n"
		   "instances ptbench-PID are removed. The state directory must be owned by\n"
		   "the user running ptbench and not writable by others, and its records name\n"
		   "only the files ptbench pushes. Exit 0 done (or nothing to do), 2 the state\n"
		   "directory or file refused, 4 a running ptbench holds the settings or not\n"
		   "root, 5 something would not go back.\n",
		pt_state_dir());
}

int cmd_restore(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool quiet = false;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': quiet = true; break;
		case 'h': usage(stdout); return PT_EXIT_OK;
		default:
			pt_cli_bad_option("restore", argv, longopts);
			usage(stderr);
			return PT_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ptbench restore: takes no arguments\n");
		usage(stderr);
		return PT_EXIT_USAGE;
	}
	return pt_state_restore_now(!quiet);
}
