/* What a reader or walker reads: self, a PID, or process:NAME, the child
 * process of the roles with `process = NAME` (src/run/target.c). */
#ifndef PTBENCH_TARGET_H
#define PTBENCH_TARGET_H

#include <stddef.h>
#include <sys/types.h>

struct pt_role_run;

#define PT_TARGET_PROCESS_PREFIX "process:"

/* Parse a target string: "self" (*pid = 0), a PID, or process:NAME (*name set
 * to NAME, *pid = 0). Returns 0, or -1 with why. */
int pt_target_parse(const char *target, pid_t *pid, const char **name, char *why, size_t len);

/* Resolve a target in a running role: the pid (getpid() for self), or -1 with why. */
pid_t pt_target_pid(const struct pt_role_run *rr, const char *target, char *why, size_t len);

#endif
