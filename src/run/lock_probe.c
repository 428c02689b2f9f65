/* Choosing the mmap_lock probe's backend (see lock_probe.h). */
#include <stdio.h>
#include <string.h>

#include "ptbench/lock_probe.h"

/* the one list of backend names: --lock-probe, [scenario] lock_probe, results
 * (the plan chooses among them: pt_plan.lock_probe) */
const char *const pt_lock_probe_names[] = { "auto", "bpf", "tracefs", "off", NULL };

int pt_lock_probe_parse(const char *s, enum pt_lock_probe *out)
{
	for (int i = 0; pt_lock_probe_names[i]; i++)
		if (!strcmp(s, pt_lock_probe_names[i])) {
			*out = (enum pt_lock_probe)i;
			return 0;
		}
	return -1;
}

int pt_lock_probe_check_args(const char *arg, bool no_trace)
{
	enum pt_lock_probe c;

	if (!arg)
		return 0;
	if (pt_lock_probe_parse(arg, &c)) {
		fprintf(stderr, "ptbench run: --lock-probe %s: not a backend (bpf, tracefs, off or auto)\n", arg);
		return -1;
	}
	if (no_trace && c != PT_LOCK_PROBE_OFF) {
		fprintf(stderr, "ptbench run: --no-trace turns the lock probe off; it cannot go with --lock-probe %s\n",
			arg);
		return -1;
	}
	return 0;
}
