/* The registry's lines (include/ptbench/metric.h) for the mmap_lock probe's
 * counters (mmap_lock.c writes them: overall, per role, and with the BPF
 * backend per role and op). Each counted one per unit op of the role gives
 * mmap_lock.roles.ROLE.NAME.per_UNIT, and per op where the result has it
 * mmap_lock.roles.ROLE.ops.OP.NAME.per_OP: the events inside op OP per OP
 * op. The wait/hold statistics themselves are op_metrics.c's lines. */
#include "ptbench/metric.h"

#define RAW(k, p) { .scope = PT_MS_MMAP_LOCK, .key = k, .value = PT_MV_UINT, .pool = p }
#define PER_OP(k, n, sh, pl, pll)                                                                   \
	{ .scope = PT_MS_MMAP_LOCK, .key = k, .value = PT_MV_UINT, .pool = PT_POOL_SUM, .name = n,  \
	  .kind = PT_MK_COUNT, .tol = PT_TOL_PER_OP, .show = sh, .plot = pl, .plot_label = pll }

const struct pt_metric_def pt_mmap_lock_metrics[] = {
	/* holds begun (a downgrade begins a read hold), by mode */
	PER_OP("hold.read.count", "acquisitions.read", PT_SHOW_GATED, "read", "read acquisitions"),
	/* lock calls that went through the blocking path: they repeat the
	 * acquisitions, so listed, not gated */
	PER_OP("wait.read.count", "waits.read", PT_SHOW_ALL, NULL, NULL),
	PER_OP("hold.write.count", "acquisitions.write", PT_SHOW_GATED, "write", "write acquisitions"),
	PER_OP("wait.write.count", "waits.write", PT_SHOW_ALL, NULL, NULL),
	PER_OP("failed_trylocks", "failed_trylocks", PT_SHOW_GATED, NULL, NULL),
	RAW("events", PT_POOL_SUM),
	RAW("downgrades", PT_POOL_SUM),
	RAW("trylocks", PT_POOL_SUM),
	RAW("failed_locks", PT_POOL_SUM),
	RAW("unmatched", PT_POOL_SUM),
	/* the boot's typical repeat, as before the registry */
	RAW("lost_events", PT_POOL_MEDIAN),
	{ 0 },
};
