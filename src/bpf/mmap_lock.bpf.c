// SPDX-License-Identifier: GPL-2.0
/* The mmap_lock probe in the kernel: tp_btf programs on the three mmap_lock
 * tracepoints pair start -> acquire -> release per task and mm, and keep per
 * role group the counters and the wait/hold histograms (src/run/hist.c's
 * buckets), each a plain array with a part per CPU (cpu_array.bpf.h), that
 * user space reads once, after the repeat.
 * Nothing is sent to user space per event.
 *
 * The pairing is mmap_lock_pair.c's, event for event (see its header for the
 * patterns): a start waits; an acquire after a start in the same mode ends a
 * wait (or counts a failed lock); an acquire without a start is a trylock, a
 * failed trylock, or, reading while holding for write, a downgrade (the write
 * hold ends and a read hold starts); a release ends a hold. Anything else is
 * unmatched. Pairing runs on every event; only samples whose completing event
 * lies in [win_lo, win_hi] are counted.
 *
 * Pairing state lives in task local storage (task_lock.bpf.h), two mm slots
 * per task: a task holds another process's mmap_lock (a /proc reader) or two
 * at once (fork) at most. Counts go to the cell of the task's role and the op
 * it is in at the counted event (the acquire for a wait, the release for a
 * hold): the op marker (op_marker.bpf.h), read from its slot, an array the
 * verifier inlines; the slot is looked up once per roles generation.
 *
 * The acquire program also counts the per-VMA lock probe's fallbacks when
 * that probe runs its tracepoint method (vma_lock.bpf.c sets in_fault): one
 * program on the tracepoint serves both probes. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "core_types.h"
#include "roles.bpf.h"
#include "task_lock.bpf.h"
#include "cpu_array.bpf.h"

char LICENSE[] SEC("license") = "GPL";

enum { T_START, T_ACQUIRE, T_RELEASE };

/* counters per cell (task_lock.bpf.h) in each CPU's part of ncells
 * (cpu_array.bpf.h), sized by user space before loading */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PT_BPF_MAX_GROUPS);
	__type(key, __u32);
	__type(value, struct pt_bpf_ml_group);
} ptbench_ml_grp SEC(".maps");

/* the wait/hold buckets: (cell * PT_BPF_NHISTS + hist) * PT_BPF_HIST_BUCKETS +
 * bucket in each CPU's part of hist_per_cpu of them (cpu_array.bpf.h); user
 * space sizes it to the run's cells and its CPUs before loading */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PT_BPF_NHISTS * PT_BPF_HIST_BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} ptbench_ml_hist SEC(".maps");
const volatile __u32 hist_per_cpu = PT_BPF_NHISTS * PT_BPF_HIST_BUCKETS;

/* the measured window, CLOCK_MONOTONIC ns (bpf_ktime_get_ns); set by user
 * space: lo when it opens (nothing counts before), hi when the last
 * iteration begun in it has ended (doc/design.md, "The counting rule") */
volatile __u64 win_lo = ~0ull;
volatile __u64 win_hi = ~0ull;
/* task storage could not be had (allocation failed, or a nested program):
 * events of any time, also counted per group in the window as unmatched */
__u64 no_storage;

static __always_inline void sample(struct pt_bpf_ml_group *grp, __u32 cell, __u32 hist, __u64 v)
{
	__u32 idx;
	__u64 *b;

	if (hist >= PT_BPF_NHISTS)
		return;
	hstat_add(&grp->h[hist], v);
	idx = (cell * PT_BPF_NHISTS + hist) * PT_BPF_HIST_BUCKETS + hist_index(v);
	b = cpu_array_elem(&ptbench_ml_hist, hist_per_cpu, idx);
	if (b)
		*b += 1;
}

static __always_inline struct mm_slot *slot_for(struct task_lock *tl, __u64 mm)
{
	if (tl->s[0].mm == mm)
		return &tl->s[0];
	if (tl->s[1].mm == mm)
		return &tl->s[1];
	/* a free slot: nothing waited for or held under the mm it last had */
	if (!tl->s[0].waiting && !tl->s[0].held) {
		__builtin_memset(&tl->s[0], 0, sizeof(tl->s[0]));
		tl->s[0].mm = mm;
		return &tl->s[0];
	}
	if (!tl->s[1].waiting && !tl->s[1].held) {
		__builtin_memset(&tl->s[1], 0, sizeof(tl->s[1]));
		tl->s[1].mm = mm;
		return &tl->s[1];
	}
	return 0;
}

static __always_inline int on_event(int type, __u64 mm, __u8 write, __u8 success)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_lock *tl = bpf_task_storage_get(&ptbench_tasks, task, 0, 0);
	__u32 gen = roles_gen, cell, mode = write ? 1 : 0;
	struct pt_bpf_ml_group *grp;
	struct mm_slot *s;
	__u64 ts;
	int inwin;

	if (!tl || tl->gen != gen) {
		__u64 pid_tgid = bpf_get_current_pid_tgid();
		int g = role_group(pid_tgid);

		if (g < 0)
			return 0; /* not the run's */
		if (!tl)
			tl = bpf_task_storage_get(&ptbench_tasks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!tl) {
			/* no pairing state for this task: its events cannot pair */
			cell = group_cell0((__u32)g);
			__sync_fetch_and_add(&no_storage, 1);
			grp = cpu_array_elem(&ptbench_ml_grp, ncells, cell);
			if (grp) {
				ts = bpf_ktime_get_ns();
				if (ts >= win_lo && ts <= win_hi) {
					grp->events++;
					grp->unmatched++;
				}
			}
			return 0;
		}
		tl->gen = gen;
		tl->group = (__u32)g;
		tl->cell0 = group_cell0((__u32)g);
		tl->nops = group_nops((__u32)g);
		tl->slot = op_marker_slot((__u32)pid_tgid);
	}
	if (type == T_ACQUIRE && tl->in_fault)
		vma_fallback(task, tl, mm, write);
	/* The program's own time lands inside a wait or hold unless it is spent
	 * before a release's clock read or after a start's: read the clock
	 * first on release and last on start (and acquire). */
	ts = type == T_RELEASE ? bpf_ktime_get_ns() : 0;
	cell = cell_now(tl->cell0, tl->nops, tl->slot);
	grp = cpu_array_elem(&ptbench_ml_grp, ncells, cell);
	if (!grp)
		return 0;
	s = slot_for(tl, mm);
	if (type != T_RELEASE)
		ts = bpf_ktime_get_ns();
	inwin = ts >= win_lo && ts <= win_hi;
	if (inwin)
		grp->events++;
	if (!s) {
		if (inwin) {
			grp->no_state++;
			grp->unmatched++;
		}
		return 0;
	}
	switch (type) {
	case T_START:
		if (s->waiting && inwin) /* the acquire of the previous start is missing */
			grp->unmatched++;
		s->waiting = 1;
		s->wait_mode = (__u8)mode;
		s->wait_ts = ts;
		return 0;
	case T_ACQUIRE:
		if (s->waiting && s->wait_mode == mode) {
			s->waiting = 0;
			if (!success) {
				if (inwin)
					grp->failed_locks++;
				return 0;
			}
			if (inwin)
				sample(grp, cell, PT_BPF_WAIT_READ + mode, ts - s->wait_ts);
		} else {
			if (s->waiting) { /* a start in the other mode: something is missing */
				if (inwin)
					grp->unmatched++;
				s->waiting = 0;
			}
			if (!success) {
				if (inwin)
					grp->failed_trylocks++;
				return 0;
			}
			if (!mode && s->held && s->held_mode == 1) {
				/* mmap_write_downgrade(): the write hold ends, a read hold begins */
				if (inwin) {
					grp->downgrades++;
					sample(grp, cell, PT_BPF_HOLD_WRITE, ts - s->held_ts);
				}
				s->held_mode = 0;
				s->held_ts = ts;
				return 0;
			}
			if (inwin)
				grp->trylocks++;
		}
		if (s->held && inwin) /* its release was never seen */
			grp->unmatched++;
		s->held = 1;
		s->held_mode = (__u8)mode;
		s->held_ts = ts;
		return 0;
	case T_RELEASE:
		if (s->held && s->held_mode == mode) {
			if (inwin)
				sample(grp, cell, PT_BPF_HOLD_READ + mode, ts - s->held_ts);
			s->held = 0;
		} else if (inwin) {
			/* taken before the programs were attached */
			grp->unmatched++;
		}
		return 0;
	}
	return 0;
}

SEC("tp_btf/mmap_lock_start_locking")
int ptbench_start(__u64 *ctx)
{
	if (memcg_path_layout())
		return on_event(T_START, arg(ctx, 0), (__u8)arg(ctx, 2), 0);
	return on_event(T_START, arg(ctx, 0), (__u8)arg(ctx, 1), 0);
}

SEC("tp_btf/mmap_lock_acquire_returned")
int ptbench_acquire(__u64 *ctx)
{
	if (memcg_path_layout())
		return on_event(T_ACQUIRE, arg(ctx, 0), (__u8)arg(ctx, 2), (__u8)arg(ctx, 3));
	return on_event(T_ACQUIRE, arg(ctx, 0), (__u8)arg(ctx, 1), (__u8)arg(ctx, 2));
}

SEC("tp_btf/mmap_lock_released")
int ptbench_release(__u64 *ctx)
{
	if (memcg_path_layout())
		return on_event(T_RELEASE, arg(ctx, 0), (__u8)arg(ctx, 2), 0);
	return on_event(T_RELEASE, arg(ctx, 0), (__u8)arg(ctx, 1), 0);
}

PTBENCH_FORK_PROGRAM
