/* What the page-table lifetime probe's BPF program (src/bpf/ptlife.bpf.c)
 * and user space (src/probes/ptlife.c) agree on: the counter slots of one
 * group on one CPU, and the hooks that feed them. Only <linux/types.h>
 * types, as in lock_bpf_abi.h. */
#ifndef PTBENCH_PTLIFE_BPF_ABI_H
#define PTBENCH_PTLIFE_BPF_ABI_H

#include <linux/types.h>

/* counter slots: src/probes/ptlife.c names each */
enum {
	PT_PTL_MAP_CALLS,        /* __pte_offset_map() returned */
	PT_PTL_MAP_FAILS,        /* ... NULL: no PTE table there any more */
	PT_PTL_MAPLOCK_CALLS,    /* __pte_offset_map_lock() returned */
	PT_PTL_MAPLOCK_FAILS,    /* ... NULL */
	PT_PTL_NOLOCK_CALLS,     /* pte_offset_map_nolock() / _rw_nolock() returned */
	PT_PTL_NOLOCK_FAILS,     /* ... NULL */
	PT_PTL_RONOLOCK_CALLS,   /* pte_offset_map_ro_nolock() returned (6.13+) */
	PT_PTL_RONOLOCK_FAILS,   /* ... NULL */
	PT_PTL_RETRACT,          /* retract_page_tables() entered (file collapse) */
	PT_PTL_COLLAPSE_THP,     /* collapse_pte_mapped_thp() entered */
	PT_PTL_COLLAPSE_FREE,    /* collapse_and_free_pmd() entered (6.1-6.5) */
	PT_PTL_FREE_DEFER,       /* pte_free_defer(): a retracted table to RCU */
	PT_PTL_FREE_NOW,         /* pte_free_now(): RCU freed one of those */
	PT_PTL_PTE_FREE_TLB,     /* ___pte_free_tlb(): a PTE table to the mmu_gather */
	PT_PTL_TLB_REMOVE_TABLE, /* tlb_remove_table(): any level, the table batch */
	PT_PTL_RECLAIM_CALLS,    /* try_to_free_pte() entered (PT_RECLAIM) */
	PT_PTL_RECLAIM_FREED,    /* ___pte_free_tlb() inside try_to_free_pte() */
	PT_PTL_TLBF0,            /* tlb:tlb_flush by reason, 0 .. 4 */
	PT_PTL_NCOUNTERS = PT_PTL_TLBF0 + 5,
};

struct pt_bpf_ptlife_group {
	__u64 c[PT_PTL_NCOUNTERS];
	__u64 pad[32 - PT_PTL_NCOUNTERS];
};

#endif
