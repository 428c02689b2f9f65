// SPDX-License-Identifier: GPL-2.0
/* Per-VMA locks, which have no trace event on any kernel: what the run's
 * tasks ask of them, per role group.
 *
 *   fexit lock_vma_under_rcu(mm, address) -> vma: a fault trying the VMA
 *     lock; NULL (or an error pointer) means it falls back to mmap_lock
 *   fentry/fexit __vma_start_write(vma, ...): taking a VMA's write lock when
 *     it is not already write-locked in this mmap_lock hold; entry to exit
 *     is the wait for the VMA's readers to leave (6.18, 7.x; 6.12 inlines
 *     vma_start_write() and there is nothing to attach to)
 *
 * Where the kernel refuses fentry/fexit (no ftrace direct calls, or a
 * sandboxed kernel), the same counts come from tracepoints instead (x86):
 *
 *   tp_btf page_fault_user: a user fault, which on a per-VMA-lock kernel
 *     tries the VMA lock first (x86 do_user_addr_fault()); the task keeps the
 *     faulting instruction's address
 *   tp_btf mmap_lock_acquire_returned(read, own mm) while in that fault: it
 *     fell back to mmap_lock (the VMA lock failed, the fault asked to be
 *     retried under mmap_lock, or it needed the lock for an anon_vma). "In
 *     that fault": the task entered the kernel by an exception, not a system
 *     call, at the instruction that faulted. Any later entry from user space
 *     has other registers (a system call's orig_ax is its number), so a
 *     fault needs no end marker, and no program runs on every system call.
 *
 * User space turns off autoload for the method not used and for the hooks the
 * kernel lacks. Counters and histograms (src/hist.c's buckets) in per-CPU
 * arrays, read once per repeat. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "core_types.h"
#include "roles.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PT_BPF_MAX_GROUPS);
	__type(key, __u32);
	__type(value, struct pt_bpf_vma_group);
} ptbench_vma_grp SEC(".maps");

/* group * PT_BPF_HIST_BUCKETS + bucket, sized by user space before loading */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PT_BPF_HIST_BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} ptbench_vma_hist SEC(".maps");

/* when a task entered __vma_start_write() */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PT_BPF_MAX_TIDS);
	__type(key, __u32);
	__type(value, __u64);
} ptbench_vw_ts SEC(".maps");

volatile __u64 win_lo = ~0ull;
volatile __u64 win_hi = ~0ull;

static __always_inline struct pt_bpf_vma_group *group_of(__u64 pid_tgid, __u32 *group)
{
	int g = role_group(pid_tgid);
	__u32 k;

	if (g < 0 || g >= PT_BPF_MAX_GROUPS)
		return 0;
	k = (__u32)g;
	*group = k;
	return bpf_map_lookup_elem(&ptbench_vma_grp, &k);
}

static __always_inline int in_window(__u64 ts)
{
	return ts >= win_lo && ts <= win_hi;
}

/* the counters of the calling task's role, inside the measured window only */
static __always_inline struct pt_bpf_vma_group *group_now(__u64 pid_tgid, __u32 *group)
{
	if (!in_window(bpf_ktime_get_ns()))
		return 0;
	return group_of(pid_tgid, group);
}

SEC("fexit/lock_vma_under_rcu")
int ptbench_vma_rcu(__u64 *ctx)
{
	__u64 ret = ctx[2], pid_tgid = bpf_get_current_pid_tgid();
	struct pt_bpf_vma_group *grp;
	__u32 group;

	grp = group_now(pid_tgid, &group);
	if (!grp)
		return 0;
	grp->attempts++;
	if (!ret || ret >= (__u64)-4095)
		grp->fallbacks++;
	else
		grp->locked++;
	return 0;
}

SEC("fentry/__vma_start_write")
int ptbench_vw_in(__u64 *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid(), ts;
	__u32 tid = (__u32)pid_tgid;

	(void)ctx;
	if (role_group(pid_tgid) < 0)
		return 0;
	ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&ptbench_vw_ts, &tid, &ts, BPF_ANY);
	return 0;
}

SEC("fexit/__vma_start_write")
int ptbench_vw_out(__u64 *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid(), ts = bpf_ktime_get_ns(), *t0, v;
	__u32 tid = (__u32)pid_tgid, group, idx;
	struct pt_bpf_vma_group *grp;
	__u64 *b;

	(void)ctx;
	t0 = bpf_map_lookup_elem(&ptbench_vw_ts, &tid);
	if (!t0) {
		if (in_window(ts) && (grp = group_of(pid_tgid, &group)))
			grp->unmatched++;
		return 0;
	}
	v = ts - *t0;
	bpf_map_delete_elem(&ptbench_vw_ts, &tid);
	if (!in_window(ts))
		return 0;
	grp = group_of(pid_tgid, &group);
	if (!grp)
		return 0;
	grp->write_locks++;
	hstat_add(&grp->write_wait, v);
	idx = group * PT_BPF_HIST_BUCKETS + hist_index(v);
	b = bpf_map_lookup_elem(&ptbench_vma_hist, &idx);
	if (b)
		*b += 1;
	return 0;
}

/* the tracepoint method: the task's last user fault, until it touches
 * mmap_lock */
struct fault_state {
	__u32 in_fault, group;
	__u64 ip; /* the faulting instruction */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct fault_state);
} ptbench_vflt SEC(".maps");

SEC("tp_btf/page_fault_user")
int ptbench_pf(__u64 *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct pt_bpf_vma_group *grp;
	struct fault_state *st;
	__u32 group;

	grp = group_now(pid_tgid, &group);
	if (!grp)
		return 0;
	grp->attempts++;
	st = bpf_task_storage_get(&ptbench_vflt, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (st) {
		/* page_fault_user(address, regs, error_code) */
		struct pt_regs *regs = (struct pt_regs *)ctx[1];

		st->in_fault = 1;
		st->group = group;
		st->ip = PT_REGS_FAULT_IP(regs);
	}
	return 0;
}

static __always_inline int fault_lock(__u64 mm, __u8 write)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fault_state *st = bpf_task_storage_get(&ptbench_vflt, task, 0, 0);
	struct pt_bpf_vma_group *grp;
	struct pt_regs *regs;
	__u32 group;

	if (!st || !st->in_fault)
		return 0;
	/* a fault takes its own mm's lock for read */
	if (write || mm != (__u64)task->mm)
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	if (!regs || !PT_REGS_IN_EXCEPTION(regs) || PT_REGS_FAULT_IP(regs) != st->ip) {
		/* a system call's (or another entry's): that fault is over */
		st->in_fault = 0;
		return 0;
	}
	st->in_fault = 0;
	group = st->group;
	grp = bpf_map_lookup_elem(&ptbench_vma_grp, &group);
	if (grp)
		grp->fallbacks++;
	return 0;
}

SEC("tp_btf/mmap_lock_acquire_returned")
int ptbench_vfb(__u64 *ctx)
{
	if (memcg_path_layout())
		return fault_lock(arg(ctx, 0), (__u8)arg(ctx, 2));
	return fault_lock(arg(ctx, 0), (__u8)arg(ctx, 1));
}

PTBENCH_FORK_PROGRAM
