/* The memory a run may still use under its memory cgroup: MemAvailable
 * says what the machine has, but a cgroup limit (v2 memory.max and
 * memory.high, v1 memory.limit_in_bytes) ends the run with the OOM killer
 * long before that. The plan checks against the smaller of the two. */
#ifndef PTBENCH_CGROUP_MEM_H
#define PTBENCH_CGROUP_MEM_H

#include <stddef.h>
#include <stdint.h>

/* The room left under the tightest memory limit on this process's cgroup
 * and its ancestors (limit minus what that cgroup uses now). proc_cgroup is
 * /proc/self/cgroup's text; v2_root and v1_root where the hierarchies are
 * mounted (NULL: the usual places, /sys/fs/cgroup or /sys/fs/cgroup/unified,
 * and /sys/fs/cgroup/memory). UINT64_MAX when no limit applies; else what
 * gets the limit's file and cgroup, for a message. */
uint64_t pt_cgroup_mem_room(const char *proc_cgroup, const char *v2_root, const char *v1_root, char *what,
			    size_t whatlen);

#endif
