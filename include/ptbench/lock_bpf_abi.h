/* What the BPF programs (src/bpf/) and user space (src/probes/, the BPF
 * backends) agree on: map value layouts and sizes. Only <linux/types.h> types, so both
 * the BPF target and the host compiler read it the same way. */
#ifndef PTBENCH_LOCK_BPF_ABI_H
#define PTBENCH_LOCK_BPF_ABI_H

#include <linux/types.h>

/* Role groups: 0..nroles-1 the roles, nroles "other" (the run's other tasks). */
#define PT_BPF_MAX_GROUPS 64
/* The histogram of src/run/hist.c: 2^7 sub-buckets per power of two up to 2^40
 * ns plus an overflow bucket. User space checks these against hist.h. */
#define PT_BPF_HIST_SUB_BITS 7
#define PT_BPF_HIST_MAX_BITS 40
#define PT_BPF_HIST_BUCKETS ((PT_BPF_HIST_MAX_BITS - PT_BPF_HIST_SUB_BITS + 1) * (1 << PT_BPF_HIST_SUB_BITS) + 1)

/* mmap_lock histograms per group: index kind * 2 + mode */
enum { PT_BPF_WAIT_READ, PT_BPF_WAIT_WRITE, PT_BPF_HOLD_READ, PT_BPF_HOLD_WRITE, PT_BPF_NHISTS };

struct pt_bpf_hstat {
	__u64 count, sum, min, max; /* min is valid only when count > 0 */
};

/* mmap_lock counters of one group on one CPU (a per-CPU array slot). */
struct pt_bpf_ml_group {
	__u64 events;          /* events in the window */
	__u64 downgrades;
	__u64 trylocks;
	__u64 failed_trylocks;
	__u64 failed_locks;
	__u64 unmatched;
	__u64 no_state;        /* events of a task whose pairing state could not be had
	                          (task storage not allocated, both mm slots in use):
	                          also counted as unmatched */
	__u64 pad;
	struct pt_bpf_hstat h[PT_BPF_NHISTS];
};

/* Per-VMA lock counters of one group on one CPU. */
struct pt_bpf_vma_group {
	__u64 attempts;        /* lock_vma_under_rcu() calls that returned */
	__u64 locked;          /* ... with a VMA read-locked */
	__u64 fallbacks;       /* ... with NULL: the fault falls back to mmap_lock */
	__u64 write_locks;     /* __vma_start_write() calls that returned */
	__u64 unmatched;       /* a return without its entry (entry before attaching) */
	__u64 pad[3];
	struct pt_bpf_hstat write_wait;
};

#endif
