// SPDX-License-Identifier: GPL-2.0
/* The tail probe: where the run's slow ops waited. On every context switch
 * (tp_btf sched_switch, which runs in the task going off CPU) a worker
 * thread that is inside an op (the op marker, op_marker.bpf.h) notes when
 * and at which kernel stack it left the CPU; when it comes back, the time
 * off CPU is charged to that stack, for that thread and op, but only for an
 * op that has run past the threshold: an op's intervals are held per thread
 * (up to PT_TAIL_PENDING) until the op is seen past the threshold at one of
 * its context switches, then kept with every later interval of that op;
 * an op that ends before is forgotten. An op that goes past the threshold
 * on CPU after its last context switch is not seen as slow (its off-CPU time,
 * if any, came before the threshold).
 *
 * The common fast op pays nothing; every context switch on the machine pays
 * two hash lookups (is the task going out, or coming in, a worker thread).
 * Only ops begun inside the measured window count. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "core_types.h"
#include "op_marker.bpf.h"
#include "ptbench/tail_abi.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, PT_TAIL_STACKS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, PT_TAIL_DEPTH * sizeof(__u64));
} ptbench_tail_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PT_OP_MARK_SLOTS);
	__type(key, __u32);
	__type(value, struct pt_tail_slot);
} ptbench_tail_slot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PT_TAIL_KEYS);
	__type(key, struct pt_tail_key);
	__type(value, struct pt_tail_val);
} ptbench_tail_agg SEC(".maps");

/* set before load */
const volatile __u64 threshold_ns = 100000;
/* the measured window, as in mmap_lock.bpf.c: ops begun in it count */
volatile __u64 win_lo = ~0ull;
volatile __u64 win_hi = ~0ull;
/* kept intervals that found ptbench_tail_agg full */
__u64 agg_full;

static __always_inline void keep(__u32 slot, __u32 op, __s32 stackid, __u32 runnable, __u64 ns)
{
	struct pt_tail_key k = { .slot = slot, .op = op, .stackid = stackid, .runnable = runnable };
	struct pt_tail_val *v = bpf_map_lookup_elem(&ptbench_tail_agg, &k);

	if (!v) {
		struct pt_tail_val zero = {};

		bpf_map_update_elem(&ptbench_tail_agg, &k, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&ptbench_tail_agg, &k);
		if (!v) {
			__sync_fetch_and_add(&agg_full, 1);
			return;
		}
	}
	/* one writer per key (the key has the thread's slot) */
	v->ns += ns;
	v->intervals++;
}

/* The op is past the threshold: keep what it held. */
static __always_inline void promote(struct pt_tail_slot *st, __u32 slot, __u32 op)
{
	st->tail = 1;
	st->tail_ops[op & (PT_TAIL_OPS - 1)]++;
	for (int i = 0; i < PT_TAIL_PENDING; i++) {
		if (i >= st->npending)
			break;
		keep(slot, op, st->pending[i].stackid, st->pending[i].runnable, st->pending[i].ns);
		st->tail_off_ns[op & (PT_TAIL_OPS - 1)] += st->pending[i].ns;
	}
	st->npending = 0;
}

/* The task leaving the CPU (the current one). */
static __always_inline void going_out(__u64 *ctx, __u32 tid, __u32 runnable, __u64 now)
{
	int slot = op_marker_slot(tid);
	struct pt_tail_slot *st;
	__u64 since;
	int op;
	__u32 key;

	if (slot < 0)
		return;
	op = op_marker_read(op_marker_at(slot), &since);
	if (op < 0 || op >= PT_TAIL_OPS || since < win_lo || since > win_hi)
		return;
	key = (__u32)slot;
	st = bpf_map_lookup_elem(&ptbench_tail_slot, &key);
	if (!st)
		return;
	if (st->op_since != since || st->op != (__u32)op) { /* a new op */
		st->op_since = since;
		st->op = (__u32)op;
		st->tail = 0;
		st->npending = 0;
	}
	st->off_ts = now;
	st->off_runnable = runnable;
	st->off_stack = bpf_get_stackid(ctx, &ptbench_tail_stacks, 0);
	if (st->off_stack < 0)
		st->stack_errors++;
	if (!st->tail && now - since >= threshold_ns)
		promote(st, key, (__u32)op);
}

/* The task coming back on the CPU. */
static __always_inline void coming_in(__u32 tid, __u64 now)
{
	int slot = op_marker_slot(tid);
	struct pt_tail_slot *st;
	__u32 key, op, n;
	__u64 dt;

	if (slot < 0)
		return;
	key = (__u32)slot;
	st = bpf_map_lookup_elem(&ptbench_tail_slot, &key);
	if (!st || !st->off_ts)
		return;
	dt = now - st->off_ts;
	st->off_ts = 0;
	op = st->op & (PT_TAIL_OPS - 1);
	if (!st->tail && now - st->op_since >= threshold_ns)
		promote(st, key, op);
	if (st->tail) {
		keep(key, op, st->off_stack, st->off_runnable, dt);
		st->tail_off_ns[op] += dt;
		return;
	}
	n = st->npending;
	if (n >= PT_TAIL_PENDING) {
		st->pending_lost++;
		return;
	}
	st->pending[n].stackid = st->off_stack;
	st->pending[n].runnable = st->off_runnable;
	st->pending[n].ns = dt;
	st->npending = n + 1;
}

/* sched_switch(bool preempt, prev, next, unsigned int prev_state) */
SEC("tp_btf/sched_switch")
int ptbench_tail_switch(__u64 *ctx)
{
	struct task_struct *prev = (struct task_struct *)ctx[1];
	struct task_struct *next = (struct task_struct *)ctx[2];
	__u64 now = bpf_ktime_get_ns();

	/* runnable: preempted in the kernel (preempt), or switched out on
	 * the way back to user space or by a yield (TASK_RUNNING), not
	 * blocked (prev_state is the 4th argument from 5.18 on) */
	__u32 runnable = (((volatile __u64 *)ctx)[0] & 1) || !(__u32)((volatile __u64 *)ctx)[3];

	going_out(ctx, (__u32)prev->pid, runnable, now);
	coming_in((__u32)next->pid, now);
	return 0;
}
