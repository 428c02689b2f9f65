/* The metric registry (doc/design.md, "Metrics"): every number of a result
 * that the reader checks, the gate pools and compare, gate and plot judge or
 * draw, declared once by the code that produces it, in one table per
 * producer (src/results/op_metrics.c, src/probes/mmap_lock_metrics.c,
 * src/probes/vma_lock_metrics.c, src/probes/vmstat_metrics.c,
 * bench/collapse_metrics.c). Adding a counter
 * is one line there; nothing else matches metric names (house.t checks).
 *
 * A line names a raw value of a repeat (scope + key: where it sits, what the
 * reader accepts, how the gate pools a boot's repeats) and, when it has a
 * name, the metric compare derives from it. The scope decides the name's
 * prefix (ROLE, OP, UNIT: the role, the op, the role's unit op):
 *   PT_MS_HIST           ROLE.OP.NAME (an op), PREFIX.NAME (a lock's statistics)
 *   PT_MS_MMAP_LOCK      mmap_lock.roles.ROLE.NAME.per_UNIT, and per op
 *                        mmap_lock.roles.ROLE.ops.OP.NAME.per_OP
 *   PT_MS_VMA_LOCK       vma_lock.roles.ROLE.NAME.per_UNIT, and per op
 *                        vma_lock.roles.ROLE.ops.OP.NAME.per_OP
 *   PT_MS_COLLAPSE       ROLE.collapse.NAME       (KEY / PER)
 *   PT_MS_KHUGEPAGED     ROLE.khugepaged.NAME     (KEY / PER) */
#ifndef PTBENCH_METRIC_H
#define PTBENCH_METRIC_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

/* Where a raw value sits in a repeat (repeats[k]). */
enum pt_mscope {
	/* a statistics object (pt_hist_to_json): workers.ROLE.ops.OP, a lock
	 * probe's wait/hold.MODE (overall, per role, per role and op) and the
	 * vma_lock probe's write_wait */
	PT_MS_HIST,
	PT_MS_MMAP_LOCK, /* probes.mmap_lock, .roles.ROLE, .roles.ROLE.ops.OP */
	PT_MS_VMA_LOCK,	 /* probes.vma_lock, .roles.ROLE, .roles.ROLE.ops.OP */
	PT_MS_COLLAPSE,	 /* workers.ROLE.collapse */
	PT_MS_KHUGEPAGED, /* workers.ROLE.khugepaged */
	PT_MS_VMSTAT,	  /* probes.vmstat: raw values only */
};

/* What the result reader accepts for the raw value. */
enum pt_mvalue {
	PT_MV_UINT,   /* a non-negative integer */
	PT_MV_INT,    /* an integer (vmstat deltas may be negative) */
	PT_MV_NUMBER, /* a finite non-negative number */
	PT_MV_RATE,   /* a number in [0, 1] */
};

/* How `ptbench gate` pools one boot's repeats into one value. */
enum pt_mpool {
	PT_POOL_MEDIAN,
	PT_POOL_SUM, /* counts: the boot's ratio is its total over its total ops */
};

/* What the derived metric is, and so how compare decides and prints it. */
enum pt_mkind {
	PT_MK_COUNT,   /* events per op: the structural rule, "/op" */
	PT_MK_LATENCY, /* ns, one percentile per repeat: the rank rule */
	PT_MK_RATE,    /* ops/s (rank rule), or a fraction in [0, 1] (structural) */
	PT_MK_RATIO,   /* one count over another (structural) */
};

/* Which listing shows it. */
enum pt_mshow {
	PT_SHOW_ALL,	 /* with --all-metrics only */
	PT_SHOW_DEFAULT, /* in the default listing */
	PT_SHOW_GATED,	 /* listed and gated by default (structural: always;
			  * an op's statistic: when the result names no headline) */
};

/* The structural rule's floor under the tolerance. */
enum pt_mtol {
	PT_TOL_NONE,   /* distributions: the relative tolerance only */
	PT_TOL_PER_OP, /* counts per op: --struct-tol-abs (whole acquisitions per op) */
	PT_TOL_ABS,    /* rates and ratios: the structural absolute minimum */
};

enum {
	PT_MF_ORDERED = 1u << 0,  /* a percentile: no smaller than the ORDERED keys before it */
	PT_MF_OPS_ONLY = 1u << 1, /* PT_MS_HIST: an op's statistic, not a lock's */
	PT_MF_WRITE = 1u << 2,	  /* only where the vma_lock probe saw VMA write locks */
	PT_MF_NO_PER_OP = 1u << 3, /* lock scopes: a role's number, not also per op */
	PT_MF_REQUIRED = 1u << 4,  /* the reader refuses an object of its scope without it */
};

struct pt_metric_def {
	enum pt_mscope scope;
	const char *key; /* in the scope's object; dotted when nested ("hold.read.count") */
	enum pt_mvalue value;
	enum pt_mpool pool;
	/* the derived metric; NULL: a raw value only (checked and pooled) */
	const char *name;
	/* the denominator: NULL for the unit op's count in the lock scopes;
	 * a key of the scope object (collapse: "attempts"); unused for PT_MS_HIST */
	const char *per;
	enum pt_mkind kind;
	bool higher_better;
	bool tail; /* p99 and above: the tail threshold */
	enum pt_mtol tol;
	enum pt_mshow show;	  /* an op's statistic, or a structural metric */
	enum pt_mshow lock_show;  /* PT_MS_HIST: the same statistic of a lock */
	/* gated by default only where the unit op (or per-op op) is this one
	 * (VMA lock fallbacks: per fault) */
	const char *gate_unit;
	unsigned flags;
	/* PT_MS_HIST percentiles: a repeat with fewer ops gives no value (a
	 * percentile of one op is that op) */
	unsigned min_count;
	/* `ptbench plot`'s locks-per-op chart: the panel kind and its y label */
	const char *plot, *plot_label;
};

/* The producers' tables, each ended by a line with key NULL. */
extern const struct pt_metric_def pt_op_metrics[], pt_mmap_lock_metrics[], pt_vma_lock_metrics[],
	pt_collapse_metrics[], pt_vmstat_metrics[];

/* Every line, in registry order (ops, collapse, vma_lock, mmap_lock: the
 * order compare lists them in); *i starts at 0. NULL at the end. A test may
 * add lines with pt_metric_register(). */
const struct pt_metric_def *pt_metric_next(size_t *i);
/* The lines of one scope, in registry order; *i starts at 0. NULL at the
 * end. (Its index is built at the first call after a table was added: not
 * for threads that race a pt_metric_register.) */
const struct pt_metric_def *pt_metric_next_in(enum pt_mscope scope, size_t *i);
/* Add a table (ended by key NULL) after the producers' ones: for tests. */
void pt_metric_register(const struct pt_metric_def *table);

/* The line of raw value scope.key, or NULL when the registry has none. */
const struct pt_metric_def *pt_metric_raw(enum pt_mscope scope, const char *key);
/* How the gate pools the number at path (dotted from the repeat:
 * "probes.mmap_lock.roles.faulter.hold.read.count"): PT_POOL_MEDIAN for a
 * number the registry does not declare. */
enum pt_mpool pt_metric_pool(const char *path);

/* The PT_MS_HIST line of statistic stat ("p99", "ops_per_sec"), or NULL. */
const struct pt_metric_def *pt_metric_stat(const char *stat);
/* The line whose metric name is name (its pattern filled in), or NULL. */
const struct pt_metric_def *pt_metric_by_name(const char *name);

/* The value of key (dotted) in o, when a number. */
bool pt_metric_get(struct json_object *o, const char *key, double *out);

/* The pattern of def's metric for the documentation and messages:
 * "mmap_lock.roles.ROLE.acquisitions.read.per_UNIT". */
const char *pt_metric_pattern(const struct pt_metric_def *def, bool per_op, char *buf, size_t len);

#endif
