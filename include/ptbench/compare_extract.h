/* Internal to `compare`: the metrics of one result file, one value per
 * used repeat (src/compare/compare_extract.c). */
#ifndef PTBENCH_COMPARE_EXTRACT_H
#define PTBENCH_COMPARE_EXTRACT_H

#include "ptbench/compare.h"

struct pt_cmp_named {
	char *name;
	bool higher_better, tail, shown;
	enum pt_metric_kind kind;
	struct pt_series s;
	size_t cap;
	/* a probe percentile: repeats in which the probe ran and saw none of
	 * these events (a percentile of nothing is no value, and no reason to
	 * call the metric short of repeats) */
	size_t empty;
};

struct pt_cmp_namedlist {
	struct pt_cmp_named *v;
	size_t n, cap;
	/* repeats whose mmap_lock probe was available; why it was not */
	size_t lock_repeats;
	char lock_why[256];
	/* the same for the vma_lock probe; the method it counted by ("mixed"
	 * when the repeats differ), and why it had no VMA write locks */
	size_t vma_repeats;
	char vma_why[256];
	char vma_method[32];
	char vma_write_why[256];
};

/* Every metric of in (a validated result) in l, in file order. */
void pt_cmp_extract(const struct pt_cmp_input *in, struct pt_cmp_namedlist *l);
void pt_cmp_namedlist_free(struct pt_cmp_namedlist *l);

#endif
