/* Roles in child processes: see role_process.h. */
#include "ptbench/role_process.h"

pid_t pt_role_process_pid(const struct pt_role_run *rr, const char *name)
{
	(void)rr;
	(void)name;
	return -1; /* process roles: not yet */
}
