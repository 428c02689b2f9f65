// SPDX-License-Identifier: GPL-2.0
/* Page-table lifetime: how often the kernel maps a PTE table and finds it
 * gone, retracts tables under collapse, and frees them (by RCU, through the
 * mmu_gather, by PT_RECLAIM), per role group.
 *
 * Each hook has two programs, one per method: fentry/fexit (where the kernel
 * allows them) and kprobe/kretprobe (x86: the return value is in ax). User
 * space loads one method, turns autoload off for the hooks the running
 * kernel lacks (no BTF FUNC: inlined or not in that release) and points the
 * pte_offset_map programs at the name this kernel has (__pte_offset_map, or
 * ___pte_offset_map where a wrapper took the old name). tlb:tlb_flush is a
 * raw tracepoint in both methods, and alone where neither loads.
 *
 * The group: a worker thread's role, the run's other tasks ("other"), or
 * "system" for everything else, and always "system" for what runs as an
 * RCU callback (pte_free_now) or on a CPU that an IPI interrupted
 * (tlb_flush's remote shootdown and task-switch reasons), whose current
 * task is only whoever was interrupted. Counters only in the measured window
 * (doc/design.md, "The counting rule"), per-CPU, read once per repeat. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "core_types.h"
#include "roles.bpf.h"
#include "ptbench/ptlife_bpf_abi.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PT_BPF_MAX_GROUPS);
	__type(key, __u32);
	__type(value, struct pt_bpf_ptlife_group);
} ptbench_ptl_grp SEC(".maps");

/* tasks inside try_to_free_pte(): its ___pte_free_tlb() is a PT_RECLAIM free */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u32);
} ptbench_ptl_rcl SEC(".maps");

/* the measured window, as in mmap_lock.bpf.c */
volatile __u64 win_lo = ~0ull;
volatile __u64 win_hi = ~0ull;
/* "system": neither a worker nor the run's (= nroles + 1), set before load */
const volatile __u32 system_group;

static __always_inline void add(__u32 group, int slot, __u64 n)
{
	struct pt_bpf_ptlife_group *g = bpf_map_lookup_elem(&ptbench_ptl_grp, &group);

	if (g && slot >= 0 && slot < PT_PTL_NCOUNTERS)
		g->c[slot] += n;
}

static __always_inline int in_window(void)
{
	__u64 ts = bpf_ktime_get_ns();

	return ts >= win_lo && ts <= win_hi;
}

static __always_inline __u32 group_now(void)
{
	int g = role_group(bpf_get_current_pid_tgid());

	return g < 0 ? system_group : (__u32)g;
}

/* a call that returned: calls, and failures when it returned NULL */
static __always_inline void returned(int calls, __u64 ret)
{
	__u32 g;

	if (!in_window())
		return;
	g = group_now();
	add(g, calls, 1);
	if (!ret)
		add(g, calls + 1, 1);
}

static __always_inline void entered(int slot, int system)
{
	if (in_window())
		add(system ? system_group : group_now(), slot, 1);
}

static __always_inline void reclaim_mark(int in)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), one = 1;

	if (in)
		bpf_map_update_elem(&ptbench_ptl_rcl, &tid, &one, BPF_ANY);
	else
		bpf_map_delete_elem(&ptbench_ptl_rcl, &tid);
}

static __always_inline void pte_free_tlb(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	entered(PT_PTL_PTE_FREE_TLB, 0);
	if (bpf_map_lookup_elem(&ptbench_ptl_rcl, &tid))
		entered(PT_PTL_RECLAIM_FREED, 0);
}

/* fentry/fexit: the attach targets are set by user space where they differ */
SEC("fexit/__pte_offset_map")
int ptbench_ptl_map_x(__u64 *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	returned(PT_PTL_MAP_CALLS, ret);
	return 0;
}

SEC("fexit/__pte_offset_map_lock")
int ptbench_ptl_mlk_x(__u64 *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	returned(PT_PTL_MAPLOCK_CALLS, ret);
	return 0;
}

SEC("fexit/pte_offset_map_nolock")
int ptbench_ptl_nlk_x(__u64 *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	returned(PT_PTL_NOLOCK_CALLS, ret);
	return 0;
}

SEC("fexit/pte_offset_map_ro_nolock")
int ptbench_ptl_rnl_x(__u64 *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	returned(PT_PTL_RONOLOCK_CALLS, ret);
	return 0;
}

#define ENTRY_PROGS(fn, slot, system)                                       \
	SEC("fentry/" #fn)                                                  \
	int ptbench_ptl_##fn##_f(__u64 *ctx)                                \
	{                                                                   \
		(void)ctx;                                                  \
		entered(slot, system);                                      \
		return 0;                                                   \
	}                                                                   \
	SEC("kprobe/" #fn)                                                  \
	int ptbench_ptl_##fn##_k(struct pt_regs *regs)                      \
	{                                                                   \
		(void)regs;                                                 \
		entered(slot, system);                                      \
		return 0;                                                   \
	}

ENTRY_PROGS(retract_page_tables, PT_PTL_RETRACT, 0)
ENTRY_PROGS(collapse_pte_mapped_thp, PT_PTL_COLLAPSE_THP, 0)
ENTRY_PROGS(collapse_and_free_pmd, PT_PTL_COLLAPSE_FREE, 0)
ENTRY_PROGS(pte_free_defer, PT_PTL_FREE_DEFER, 0)
ENTRY_PROGS(pte_free_now, PT_PTL_FREE_NOW, 1)
ENTRY_PROGS(tlb_remove_table, PT_PTL_TLB_REMOVE_TABLE, 0)

SEC("fentry/___pte_free_tlb")
int ptbench_ptl_pft_f(__u64 *ctx)
{
	(void)ctx;
	pte_free_tlb();
	return 0;
}

SEC("kprobe/___pte_free_tlb")
int ptbench_ptl_pft_k(struct pt_regs *regs)
{
	(void)regs;
	pte_free_tlb();
	return 0;
}

SEC("fentry/try_to_free_pte")
int ptbench_ptl_rcl_f(__u64 *ctx)
{
	(void)ctx;
	entered(PT_PTL_RECLAIM_CALLS, 0);
	reclaim_mark(1);
	return 0;
}

SEC("fexit/try_to_free_pte")
int ptbench_ptl_rcl_x(__u64 *ctx)
{
	(void)ctx;
	reclaim_mark(0);
	return 0;
}

SEC("kprobe/try_to_free_pte")
int ptbench_ptl_rcl_k(struct pt_regs *regs)
{
	(void)regs;
	entered(PT_PTL_RECLAIM_CALLS, 0);
	reclaim_mark(1);
	return 0;
}

SEC("kretprobe/try_to_free_pte")
int ptbench_ptl_rcl_r(struct pt_regs *regs)
{
	(void)regs;
	reclaim_mark(0);
	return 0;
}

/* the kprobe method: user space attaches these to the name the kernel has */
SEC("kretprobe")
int ptbench_ptl_map_r(struct pt_regs *regs)
{
	returned(PT_PTL_MAP_CALLS, PT_REGS_RET(regs));
	return 0;
}

SEC("kretprobe")
int ptbench_ptl_mlk_r(struct pt_regs *regs)
{
	returned(PT_PTL_MAPLOCK_CALLS, PT_REGS_RET(regs));
	return 0;
}

SEC("kretprobe")
int ptbench_ptl_nlk_r(struct pt_regs *regs)
{
	returned(PT_PTL_NOLOCK_CALLS, PT_REGS_RET(regs));
	return 0;
}

SEC("kretprobe")
int ptbench_ptl_rnl_r(struct pt_regs *regs)
{
	returned(PT_PTL_RONOLOCK_CALLS, PT_REGS_RET(regs));
	return 0;
}

/* tlb_flush(int reason, unsigned long pages), x86: 0 task switch, 1 remote
 * shootdown (in the IPI handler), 2 local shootdown, 3 local mm shootdown,
 * 4 remote send IPI (the flushing task sends them) */
SEC("tp_btf/tlb_flush")
int ptbench_ptl_tlbf(__u64 *ctx)
{
	/* constant slots: a computed one loses its bounds on the way to the
	 * verifier */
	switch ((__u32)ctx[0]) {
	case 0: entered(PT_PTL_TLBF0 + 0, 1); break;
	case 1: entered(PT_PTL_TLBF0 + 1, 1); break;
	case 2: entered(PT_PTL_TLBF0 + 2, 0); break;
	case 3: entered(PT_PTL_TLBF0 + 3, 0); break;
	case 4: entered(PT_PTL_TLBF0 + 4, 0); break;
	}
	return 0;
}

PTBENCH_FORK_PROGRAM
