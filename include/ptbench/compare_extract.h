/* Internal to `compare`: the metrics of one result file, one value per
 * used repeat (src/compare/compare_extract.c). */
#ifndef PTBENCH_COMPARE_EXTRACT_H
#define PTBENCH_COMPARE_EXTRACT_H

#include "ptbench/compare.h"
#include "ptbench/metric.h"
#include "ptbench/strmap.h"

/* which probe a metric needs (compare says "not comparable" when it did not
 * run on one side) */
enum pt_cmp_probe {
	PT_CMP_PROBE_NONE,
	PT_CMP_PROBE_MMAP_LOCK,
	PT_CMP_PROBE_VMA_LOCK,
};

struct pt_cmp_named {
	char *name;
	bool higher_better, tail, shown;
	enum pt_metric_kind kind;
	const struct pt_metric_def *def; /* its registry line */
	enum pt_cmp_probe probe;
	bool gated_default; /* PT_SHOW_GATED, for the op it was counted per */
	struct pt_series s;
	size_t cap;
	/* a probe percentile: repeats in which the probe ran and saw none of
	 * these events (a percentile of nothing is no value, and no reason to
	 * call the metric short of repeats) */
	size_t empty;
	/* a percentile: repeats with ops, but fewer than def->min_count (one
	 * op has no p99: it is that op) */
	size_t few;
};

struct pt_cmp_namedlist {
	struct pt_cmp_named *v;
	size_t n, cap;
	/* name -> index in v: a result has hundreds of metrics, each met once
	 * per repeat, and a linear search made extracting them quadratic */
	struct pt_strmap idx;
	/* repeats whose mmap_lock probe was available; why it was not */
	size_t lock_repeats;
	char lock_why[256];
	/* the same for the vma_lock probe; the method it counted by ("mixed"
	 * when the repeats differ), and why it had no VMA write locks */
	size_t vma_repeats;
	char vma_why[256];
	char vma_method[32];
	char vma_write_why[256];
	/* the repeat being read: how many repeats a boot the gate pooled
	 * stands for (its repeats_in_run), else 1 */
	double repeats_in_run;
};

/* Every metric of in (a validated result) in l, in file order. */
void pt_cmp_extract(const struct pt_cmp_input *in, struct pt_cmp_namedlist *l);
/* The metric called name in l, or NULL; found by the index, so also once
 * pt_cmp_build took its name (the linear search it replaces skipped those,
 * and so offered a metric both sides have as one the baseline lacks). */
struct pt_cmp_named *pt_cmp_named_find(struct pt_cmp_namedlist *l, const char *name);
void pt_cmp_namedlist_free(struct pt_cmp_namedlist *l);

/* One repeat's value of a lock probe's structural metric def (scope
 * PT_MS_MMAP_LOCK or PT_MS_VMA_LOCK) for role: per its unit op (op NULL;
 * *unit set to it), or, op given, the events inside op per op op. False when
 * the probe did not run in rep or has no per-op numbers there, the role did
 * no such op, or def is VMA write locks the kernel did not show. `compare`
 * and `ptbench plot` both count this way. */
bool pt_cmp_lock_value(struct json_object *rep, const char *role, const struct pt_metric_def *def,
		       const char *op, double *out, const char **unit);

#endif
