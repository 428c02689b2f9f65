/* What the result records about the machine: kernel, THP sysfs, CPU (libcpuid),
 * topology (hwloc), NUMA (libnuma). */
#ifndef PTBENCH_SYSINFO_H
#define PTBENCH_SYSINFO_H

struct json_object;

/* "system" object of the result. */
struct json_object *pt_sysinfo_collect(void);
/* THP and khugepaged sysfs values, {"enabled": "madvise", ...}. */
struct json_object *pt_sysinfo_thp(void);
/* The human-readable form for `ptbench sysinfo`. */
void pt_sysinfo_print(struct json_object *sys);

#endif
