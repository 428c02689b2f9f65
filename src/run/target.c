/* Reader targets: self, a PID, or process:NAME (a child process of the run). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ptbench/options.h"
#include "ptbench/run_state.h"
#include "ptbench/target.h"

int pt_target_parse(const char *target, pid_t *pid, const char **name, char *why, size_t len)
{
	size_t plen = strlen(PT_TARGET_PROCESS_PREFIX);
	long long v;

	*pid = 0;
	*name = NULL;
	if (!strcmp(target, "self"))
		return 0;
	if (!strncmp(target, PT_TARGET_PROCESS_PREFIX, plen)) {
		if (!target[plen]) {
			snprintf(why, len, "target = %s: process: needs the NAME of a `process = NAME` role",
				 target);
			return -1;
		}
		*name = target + plen;
		return 0;
	}
	if (pt_parse_int(target, &v) || v <= 0 || v > 0x3fffffff) {
		snprintf(why, len, "target = %s: expected self, a PID or process:NAME", target);
		return -1;
	}
	*pid = (pid_t)v;
	return 0;
}

/* The pid of the role process NAME of rr's run, or -1 (none by that name,
 * or not started). */
static pid_t process_pid(const struct pt_role_run *rr, const char *name)
{
	const struct pt_procs *ps = rr->run->procs;

	for (int i = 0; ps && i < ps->n; i++)
		if (!strcmp(ps->p[i].name, name))
			return ps->p[i].pid > 0 ? ps->p[i].pid : -1;
	return -1;
}

pid_t pt_target_pid(const struct pt_role_run *rr, const char *target, char *why, size_t len)
{
	const char *name;
	pid_t pid;

	if (pt_target_parse(target, &pid, &name, why, len))
		return -1;
	if (name) {
		pid = process_pid(rr, name);
		if (pid <= 0) {
			snprintf(why, len, "target = %s: no role of this run has process = %s", target, name);
			return -1;
		}
		return pid;
	}
	return pid ? pid : getpid();
}
