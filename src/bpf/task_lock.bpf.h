/* What the lock probes' programs keep per task of the run, and where their
 * counts go, shared by mmap_lock.bpf.c and vma_lock.bpf.c.
 *
 * Task state lives in task local storage (freed with the task, so it cannot
 * fill up with dead tasks). When both probes run, the per-VMA lock probe's
 * object is loaded with the mmap_lock object's ptbench_tasks and
 * ptbench_vma_grp maps (user space: pt_bpf_share), so one storage serves
 * both, and the mmap_lock_acquire_returned program of the mmap_lock object
 * counts the per-VMA lock fallbacks too: one program per tracepoint, not
 * two. Each object looks up the task's group and op-marker slot itself,
 * once per roles generation of its own (gen / vgen).
 *
 * Counts are kept per cell: a role group in no op, or in one of its worker
 * type's ops (the op marker, op_marker.bpf.h). User space lays the cells
 * out before loading (cell_base, cell_nops: group g's cells are
 * cell_base[g] .. cell_base[g] + cell_nops[g], the first "in no op") and
 * adds a role's cells up for the role's own numbers. */
#ifndef PTBENCH_TASK_LOCK_BPF_H
#define PTBENCH_TASK_LOCK_BPF_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "core_types.h"
#include "op_marker.bpf.h"
#include "cpu_array.bpf.h"
#include "ptbench/lock_bpf_abi.h"

/* one mm whose lock the task waits for or holds (mmap_lock.bpf.c) */
struct mm_slot {
	__u64 mm;
	__u64 wait_ts, held_ts;
	__u8 waiting, held, wait_mode, held_mode;
	__u32 pad;
};

struct task_lock {
	/* the mmap_lock object's: roles generation, group, first cell, ops, slot */
	__u32 gen, group, cell0, nops;
	__s32 slot, pad;
	struct mm_slot s[2];
	/* the per-VMA lock object's */
	__u32 vgen, vgroup, vcell0, vnops;
	__s32 vslot;
	__u32 in_fault; /* in a user fault (tracepoint method, vma_lock.bpf.c) */
	__u64 fault_ip; /* its faulting instruction */
	__u64 vw_ts;    /* entry to __vma_start_write(); 0: not inside */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_lock);
} ptbench_tasks SEC(".maps");

/* per-VMA lock counters per cell in each CPU's part of ncells
 * (cpu_array.bpf.h), summed over CPUs by user space; sized by it before
 * loading */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PT_BPF_MAX_GROUPS);
	__type(key, __u32);
	__type(value, struct pt_bpf_vma_group);
} ptbench_vma_grp SEC(".maps");

/* the cell layout, set before loading */
const volatile __u32 cell_base[PT_BPF_MAX_GROUPS];
const volatile __u32 cell_nops[PT_BPF_MAX_GROUPS];
const volatile __u32 ncells = 1;

/* The cell of the op the task is in now: its marker says which (op id + 1,
 * 0 in none); a value past the group's ops is "in no op". */
static __always_inline __u32 cell_now(__u32 cell0, __u32 nops, int slot)
{
	struct pt_op_mark *m = op_marker_at(slot);
	__u32 op;

	if (!m)
		return cell0;
	op = *(volatile __u32 *)&m->op;
	return op <= nops ? cell0 + op : cell0;
}

static __always_inline __u32 group_cell0(__u32 group)
{
	return group < PT_BPF_MAX_GROUPS ? cell_base[group] : 0;
}

static __always_inline __u32 group_nops(__u32 group)
{
	return group < PT_BPF_MAX_GROUPS ? cell_nops[group] : 0;
}

/* A read acquire of its own mm while the task is in a user fault that the
 * per-VMA lock probe's tracepoint method saw begin (vma_lock.bpf.c's top):
 * the fault fell back to mmap_lock. */
static __always_inline void vma_fallback(struct task_struct *task, struct task_lock *tl, __u64 mm, __u8 write)
{
	struct pt_bpf_vma_group *vg;
	struct pt_regs *regs;
	__u32 cell;

	if (write || mm != (__u64)task->mm)
		return;
	tl->in_fault = 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	/* a system call's (or another entry's) lock: that fault is over */
	if (!regs || !PT_REGS_IN_EXCEPTION(regs) || PT_REGS_FAULT_IP(regs) != tl->fault_ip)
		return;
	cell = cell_now(tl->vcell0, tl->vnops, tl->vslot);
	vg = cpu_array_elem(&ptbench_vma_grp, ncells, cell);
	if (vg)
		vg->fallbacks++;
}

#endif
