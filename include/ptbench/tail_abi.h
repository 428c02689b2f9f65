/* What the tail probe's BPF program (src/bpf/tail.bpf.c) and user space
 * (src/probes/tail.c) agree on. Only <linux/types.h> types, so the BPF
 * target and the host compiler read it the same way. */
#ifndef PTBENCH_TAIL_ABI_H
#define PTBENCH_TAIL_ABI_H

#include <linux/types.h>

/* ops of a worker type with counters here (worker.h's PT_MAX_OPS; user space
 * checks that they agree) */
#define PT_TAIL_OPS 8
/* off-CPU intervals an op holds before it is known to be slow: the ones
 * after these, while it is not yet past the threshold, are lost (counted) */
#define PT_TAIL_PENDING 8
/* kernel frames kept per stack, and distinct stacks */
#define PT_TAIL_DEPTH 64
#define PT_TAIL_STACKS 8192
/* (thread, op, stack, runnable) keys of the kept off-CPU time */
#define PT_TAIL_KEYS 16384

/* One off-CPU interval of an op not yet known to be slow. */
struct pt_tail_pending {
	__s32 stackid;   /* the kernel stack it went off CPU at (< 0: none) */
	__u32 runnable;  /* it left the CPU runnable (preempted), not blocked */
	__u64 ns;
};

/* A worker thread's state (indexed by its op marker slot). Written only by
 * sched_switch of that thread, which runs for it on one CPU at a time. */
struct pt_tail_slot {
	__u64 op_since;  /* the op the state is about: its marker's since */
	__u64 off_ts;    /* when it went off CPU in that op; 0: it is on CPU */
	__s32 off_stack; /* where */
	__u32 off_runnable;
	__u32 op;        /* the op id */
	__u32 tail;      /* the op is past the threshold: its intervals are kept */
	__u32 npending;
	__u32 pad;
	struct pt_tail_pending pending[PT_TAIL_PENDING];
	/* what user space reads, per op id */
	__u64 tail_ops[PT_TAIL_OPS];    /* ops kept (past the threshold at a context switch) */
	__u64 tail_off_ns[PT_TAIL_OPS]; /* their off-CPU time */
	__u64 pending_lost;             /* intervals beyond PT_TAIL_PENDING, not kept */
	__u64 stack_errors;             /* bpf_get_stackid failed (map full): kept with stack -1 */
};

struct pt_tail_key {
	__u32 slot;
	__u32 op;
	__s32 stackid;
	__u32 runnable;
};

struct pt_tail_val {
	__u64 ns;        /* off-CPU time at this stack, in ops past the threshold */
	__u64 intervals; /* times it went off CPU there */
};

#endif
