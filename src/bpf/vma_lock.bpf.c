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
 *     What runs on the way out of the fault itself has its registers too:
 *     a signal frame written to untouched memory faults in kernel mode
 *     (tp_btf page_fault_kernel ends the user fault's state), and task work
 *     run there (NUMA balancing's scan trylocks mmap_lock) would count as
 *     the fault's fallback: rare, and only on NUMA-balancing machines.
 *
 * When the mmap_lock probe runs on BPF, its object's acquire program does
 * that fallback check (task_lock.bpf.h's vma_fallback) on the storage both
 * objects share, and ptbench_vfb below is not loaded: one program per
 * tracepoint.
 *
 * Counts go per cell: the task's role and the op its op marker says
 * (task_lock.bpf.h). User space turns off autoload for the method not used
 * and for the hooks the kernel lacks. Counters and histograms (src/run/hist.c's buckets) in per-CPU
 * arrays, read once per repeat. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "core_types.h"
#include "roles.bpf.h"
#include "task_lock.bpf.h"
#include "cpu_array.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* the write-wait buckets: cell * PT_BPF_HIST_BUCKETS + bucket in each CPU's
 * part of hist_per_cpu of them (cpu_array.bpf.h), sized by user space before
 * loading */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PT_BPF_HIST_BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} ptbench_vma_hist SEC(".maps");
const volatile __u32 hist_per_cpu = PT_BPF_HIST_BUCKETS;

/* What a task of the run carries between programs is task_lock.bpf.h's
 * struct task_lock (its v* fields: group, cell and op-marker slot looked up
 * once per roles generation as in mmap_lock.bpf.c; when it entered
 * __vma_start_write(); for the tracepoint method its last user fault), in
 * the mmap_lock object's storage when both probes run. Counters per cell
 * (ptbench_vma_grp, task_lock.bpf.h). */

/* the measured window, as in mmap_lock.bpf.c */
volatile __u64 win_lo = ~0ull;
volatile __u64 win_hi = ~0ull;
/* events of a task of the run that could not have its state (allocation
 * failed): not counted */
__u64 no_task_storage;

static __always_inline int in_window(__u64 ts)
{
	return ts >= win_lo && ts <= win_hi;
}

/* The calling task's state, made on its first event; NULL when the task is
 * not the run's (two map lookups for those: the price of not keeping state
 * for every task on the machine). */
static __always_inline struct task_lock *task_state(struct task_struct *task)
{
	struct task_lock *st = bpf_task_storage_get(&ptbench_tasks, task, 0, 0);
	__u32 gen = roles_gen;
	__u64 pid_tgid;
	int g;

	if (st && st->vgen == gen)
		return st;
	pid_tgid = bpf_get_current_pid_tgid();
	g = role_group(pid_tgid);
	if (g < 0)
		return 0;
	if (!st)
		st = bpf_task_storage_get(&ptbench_tasks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st) {
		__sync_fetch_and_add(&no_task_storage, 1);
		return 0;
	}
	st->vgen = gen;
	st->vgroup = (__u32)g;
	st->vcell0 = group_cell0((__u32)g);
	st->vnops = group_nops((__u32)g);
	st->vslot = op_marker_slot((__u32)pid_tgid);
	return st;
}

/* the counters of the task's role and op now, inside the measured window only */
static __always_inline struct pt_bpf_vma_group *group_now(const struct task_lock *st)
{
	__u32 cell = cell_now(st->vcell0, st->vnops, st->vslot);

	if (!in_window(bpf_ktime_get_ns()))
		return 0;
	return cpu_array_elem(&ptbench_vma_grp, ncells, cell);
}

SEC("fexit/lock_vma_under_rcu")
int ptbench_vma_rcu(__u64 *ctx)
{
	__u64 ret = ctx[2];
	struct task_lock *st = task_state(bpf_get_current_task_btf());
	struct pt_bpf_vma_group *grp;

	if (!st || !(grp = group_now(st)))
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
	struct task_lock *st = task_state(bpf_get_current_task_btf());

	(void)ctx;
	if (st)
		st->vw_ts = bpf_ktime_get_ns();
	return 0;
}

SEC("fexit/__vma_start_write")
int ptbench_vw_out(__u64 *ctx)
{
	__u64 ts = bpf_ktime_get_ns(), v;
	struct task_lock *st = bpf_task_storage_get(&ptbench_tasks, bpf_get_current_task_btf(), 0, 0);
	struct pt_bpf_vma_group *grp;
	__u32 cell, idx;
	__u64 *b;

	(void)ctx;
	if (!st) /* not the run's: its entry made no state */
		return 0;
	cell = cell_now(st->vcell0, st->vnops, st->vslot);
	grp = cpu_array_elem(&ptbench_vma_grp, ncells, cell);
	if (!st->vw_ts) {
		/* the run's now, and entered before the programs were attached */
		if (st->vgen == roles_gen && grp && in_window(ts))
			grp->unmatched++;
		return 0;
	}
	v = ts - st->vw_ts;
	st->vw_ts = 0;
	if (!grp || !in_window(ts))
		return 0;
	grp->write_locks++;
	hstat_add(&grp->write_wait, v);
	idx = cell * PT_BPF_HIST_BUCKETS + hist_index(v);
	b = cpu_array_elem(&ptbench_vma_hist, hist_per_cpu, idx);
	if (b)
		*b += 1;
	return 0;
}

/* the tracepoint method (x86): see the top */
SEC("tp_btf/page_fault_user")
int ptbench_pf(__u64 *ctx)
{
	struct task_lock *st = task_state(bpf_get_current_task_btf());
	struct pt_bpf_vma_group *grp;
	/* page_fault_user(address, regs, error_code) */
	struct pt_regs *regs = (struct pt_regs *)ctx[1];

	if (!st || !(grp = group_now(st)))
		return 0;
	grp->attempts++;
	st->in_fault = 1;
	st->fault_ip = PT_REGS_FAULT_IP(regs);
	return 0;
}

/* the fallback: task_lock.bpf.h's vma_fallback, here only when the mmap_lock
 * probe's object does not serve it (its acquire program does, sharing this
 * storage) */
static __always_inline int fault_lock(__u64 mm, __u8 write)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_lock *st = bpf_task_storage_get(&ptbench_tasks, task, 0, 0);

	if (st && st->in_fault)
		vma_fallback(task, st, mm, write);
	return 0;
}

/* A kernel-mode fault on a user address while the user fault's state is
 * still up: the kernel is writing a signal frame (to a fresh sigaltstack,
 * say) on the way out of that fault, with the fault's registers; its
 * mmap_lock is that fault's, not the user fault's. Rare, and cheap. */
SEC("tp_btf/page_fault_kernel")
int ptbench_pfk(__u64 *ctx)
{
	struct task_lock *st = bpf_task_storage_get(&ptbench_tasks, bpf_get_current_task_btf(), 0, 0);

	(void)ctx;
	if (st)
		st->in_fault = 0;
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
