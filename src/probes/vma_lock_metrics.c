/* The registry's lines (include/ptbench/metric.h) for the vma_lock probe's
 * counts (vma_lock.c writes them: overall, per role, and with the BPF
 * backend per role and op): vma_lock.roles.ROLE.NAME.per_UNIT and, where the
 * result has them, vma_lock.roles.ROLE.ops.OP.NAME.per_OP. */
#include "ptbench/metric.h"

const struct pt_metric_def pt_vma_lock_metrics[] = {
	/* faults that fell back to mmap_lock: gated per fault only; per other
	 * ops (a collapse refaults thousands of pages) one random fallback is
	 * already "0 -> nonzero" */
	{ .scope = PT_MS_VMA_LOCK, .key = "fallbacks", .value = PT_MV_UINT, .pool = PT_POOL_SUM,
	  .name = "fallbacks", .kind = PT_MK_COUNT, .tol = PT_TOL_PER_OP, .show = PT_SHOW_GATED,
	  .gate_unit = "fault", .plot = "vma_fallbacks", .plot_label = "VMA lock fallbacks" },
	/* attempts repeat the faults: listed with --all-metrics */
	{ .scope = PT_MS_VMA_LOCK, .key = "attempts", .value = PT_MV_UINT, .pool = PT_POOL_SUM,
	  .name = "attempts", .kind = PT_MK_COUNT, .tol = PT_TOL_PER_OP, .show = PT_SHOW_ALL },
	{ .scope = PT_MS_VMA_LOCK, .key = "write_locks", .value = PT_MV_UINT, .pool = PT_POOL_SUM,
	  .name = "write_locks", .kind = PT_MK_COUNT, .tol = PT_TOL_PER_OP, .show = PT_SHOW_GATED,
	  .flags = PT_MF_WRITE, .plot = "vma_write_locks", .plot_label = "VMA write locks" },
	{ .scope = PT_MS_VMA_LOCK, .key = "locked", .value = PT_MV_UINT, .pool = PT_POOL_SUM },
	{ .scope = PT_MS_VMA_LOCK, .key = "no_task_storage", .value = PT_MV_UINT, .pool = PT_POOL_MEDIAN },
	{ 0 },
};
