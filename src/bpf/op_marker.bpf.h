/* Which op a worker thread is in, and since when, for any BPF program
 * (include/ptbench/op_marker_abi.h): include this header, and have user
 * space call pt_op_marks_reuse() on the object's two maps before loading it
 * (include/ptbench/op_marker.h), so that they are the run's, not copies.
 *
 *   ptbench_op_marks:  slot -> struct pt_op_mark, written by the thread
 *   ptbench_op_slots:  worker thread id -> slot (filled per repeat)
 *
 * A program on an event of the current task: op_marker_of_tid((__u32)
 * bpf_get_current_pid_tgid()). One that sees another task (sched_switch's
 * next, say): op_marker_of_tid(task->pid). A program that sees the same task
 * often may keep its slot number (op_marker_slot) and skip the hash lookup. */
#ifndef PTBENCH_OP_MARKER_BPF_H
#define PTBENCH_OP_MARKER_BPF_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "ptbench/op_marker_abi.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PT_OP_MARK_SLOTS);
	__type(key, __u32);
	__type(value, struct pt_op_mark);
} ptbench_op_marks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PT_OP_MARK_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} ptbench_op_slots SEC(".maps");

/* A thread's slot number, or -1 when the task is no worker thread of the run. */
static __always_inline int op_marker_slot(__u32 tid)
{
	__u32 *slot = bpf_map_lookup_elem(&ptbench_op_slots, &tid);

	return slot ? (int)*slot : -1;
}

/* The marker in a slot (an array lookup the verifier inlines), or NULL. */
static __always_inline struct pt_op_mark *op_marker_at(int slot)
{
	__u32 k = (__u32)slot;

	if (slot < 0)
		return 0;
	return bpf_map_lookup_elem(&ptbench_op_marks, &k);
}

static __always_inline struct pt_op_mark *op_marker_of_tid(__u32 tid)
{
	return op_marker_at(op_marker_slot(tid));
}

/* The op a marker says its thread is in (the worker type's op id), or -1
 * when in none; *since gets when it began (bpf_ktime_get_ns() clock). The
 * thread writes since, then op: read in the other order. */
static __always_inline int op_marker_read(const struct pt_op_mark *m, __u64 *since)
{
	__u32 op;

	if (!m)
		return -1;
	op = *(volatile const __u32 *)&m->op;
	if (!op)
		return -1;
	if (since)
		*since = *(volatile const __u64 *)&m->since;
	return (int)op - 1;
}

#endif
