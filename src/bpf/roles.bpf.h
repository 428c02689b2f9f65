/* Which tasks are the run's, and which role each belongs to: shared by the
 * BPF programs of every ptbench probe (each object has its own copy of the
 * maps; user space fills them the same way, src/probes/lock_bpf.c).
 *
 *   ptbench_tids:  worker thread id -> role group (0..nroles-1)
 *   ptbench_procs: process id (tgid) of the run and of its children -> group
 *                  (nroles: "other"), followed across fork by ptbench_fork
 *
 * A task in neither map is not the run's: its events are ignored. */
#ifndef PTBENCH_ROLES_BPF_H
#define PTBENCH_ROLES_BPF_H

#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "core_types.h"
#include "hist.bpf.h"
#include "ptbench/lock_bpf_abi.h"

#define PT_BPF_MAX_TIDS 16384
#define PT_BPF_MAX_PROCS 4096

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PT_BPF_MAX_TIDS);
	__type(key, __u32);
	__type(value, __u32);
} ptbench_tids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PT_BPF_MAX_PROCS);
	__type(key, __u32);
	__type(value, __u32);
} ptbench_procs SEC(".maps");

/* Bumped by user space after it (re)filled ptbench_tids: a task's cached
 * group is looked up again when its generation is older. */
volatile __u32 roles_gen = 1;
/* the "other" group (= nroles), set before load */
const volatile __u32 other_group;
/* processes forked by the run that could not be added (map full) */
__u64 procs_full;

/* The task's role group, or -1 when it is not the run's. */
static __always_inline int role_group(__u64 pid_tgid)
{
	__u32 tid = (__u32)pid_tgid, tgid = (__u32)(pid_tgid >> 32);
	__u32 *g = bpf_map_lookup_elem(&ptbench_tids, &tid);

	if (!g)
		g = bpf_map_lookup_elem(&ptbench_procs, &tgid);
	if (!g)
		return -1;
	return *g < PT_BPF_MAX_GROUPS ? (int)*g : (int)other_group;
}

/* A child process of one of the run's processes is the run's too (as
 * tracefs' event-fork would have it), in the "other" group. */
#define PTBENCH_FORK_PROGRAM                                                         \
	SEC("tp_btf/sched_process_fork")                                             \
	int ptbench_fork(__u64 *ctx)                                                 \
	{                                                                            \
		struct task_struct *parent = (struct task_struct *)ctx[0];           \
		struct task_struct *child = (struct task_struct *)ctx[1];            \
		__u32 ptgid = parent->tgid, ctgid = child->tgid, g = other_group;    \
                                                                                     \
		if (ptgid == ctgid || !bpf_map_lookup_elem(&ptbench_procs, &ptgid))  \
			return 0;                                                    \
		if (bpf_map_update_elem(&ptbench_procs, &ctgid, &g, BPF_NOEXIST) &&  \
		    !bpf_map_lookup_elem(&ptbench_procs, &ctgid))                    \
			__sync_fetch_and_add(&procs_full, 1);                        \
		return 0;                                                            \
	}

static __always_inline __u64 arg(__u64 *ctx, int i)
{
	/* volatile: clang must not hoist a load of an argument this kernel's
	 * prototype does not have out of the branch that the verifier prunes */
	return ((volatile __u64 *)ctx)[i];
}

/* The mmap_lock tracepoints still pass memcg_path (<= ~6.14): a constant
 * libbpf writes at load time from the running kernel's BTF. */
static __always_inline int memcg_path_layout(void)
{
	return bpf_core_field_exists(((struct trace_event_raw_mmap_lock *)0)->__data_loc_memcg_path);
}

#endif
