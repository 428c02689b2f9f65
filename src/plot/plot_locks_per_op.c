/* `ptbench plot` chart (f): lock acquisitions per unit op, by role: mmap_lock
 * holds begun by mode (read, write) and, where the vma_lock probe ran, VMA
 * write locks and faults that fell back from a VMA lock to mmap_lock. One
 * panel per ROLE and kind that is non-zero in at least one result, one bar
 * per result: the median over its repeats (those in which the probe ran) of
 * the count / unit ops done, with min..max as the error bar. They are the
 * structural metrics `compare` gates on
 * (mmap_lock.roles.ROLE.acquisitions.MODE.per_OP,
 * vma_lock.roles.ROLE.write_locks.per_OP, ...fallbacks.per_OP), drawn.
 *
 * Drawn by plots/bars.gp: each panel has its own linear y axis from 0, so a
 * role that takes the lock once per op and one that takes it 600 times per
 * op are both readable, and a 0 (the lock left alone) is a labelled 0, not a
 * value a log axis cannot show. */
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/compare.h"
#include "ptbench/compare_extract.h"
#include "ptbench/metric.h"
#include "ptbench/plot_data.h"
#include "ptbench/plot_internal.h"
#include "ptbench/result_read.h"
#include "ptbench/util.h"

/* The panel kinds: the registry's lines with a plot kind (include/ptbench/
 * metric.h), the mmap_lock probe's first, then the vma_lock probe's; *i
 * starts at 0. */
static const struct pt_metric_def *next_kind(size_t *i)
{
	static const enum pt_mscope order[] = { PT_MS_MMAP_LOCK, PT_MS_VMA_LOCK };
	const struct pt_metric_def *d;

	for (size_t pass = *i >> 24; pass < PT_ARRAY_SIZE(order); pass++) {
		size_t j = pass == *i >> 24 ? *i & 0xffffff : 0;

		while ((d = pt_metric_next(&j)))
			if (d->scope == order[pass] && d->plot) {
				*i = pass << 24 | j;
				return d;
			}
	}
	*i = PT_ARRAY_SIZE(order) << 24;
	return NULL;
}

static const struct pt_metric_def *kind_def(const char *kind)
{
	const struct pt_metric_def *d;
	size_t i = 0;

	while ((d = next_kind(&i)))
		if (!strcmp(d->plot, kind))
			return d;
	return NULL;
}

/* One repeat's count of kind per unit op of role, as compare computes it
 * (pt_cmp_lock_value): -1 when the probes did not run in this repeat (or
 * the repeat was cut short) or the role did no unit of work; *op names the
 * unit op. */
static int repeat_ratio(struct json_object *rep, const char *role, const char *kind, double *out, const char **op)
{
	const struct pt_metric_def *d = kind_def(kind);

	if (!d || !pt_result_lock_probe(rep) || !pt_result_repeat_used(rep))
		return -1;
	return pt_cmp_lock_value(rep, role, d, NULL, out, op) ? 0 : -1;
}

/* res's values for one panel, sorted, in *valsp (malloc'd, always); *op is
 * the unit op of the first repeat that has one */
static size_t result_ratios(const struct pt_plot_result *res, const char *role, const char *kind, double **valsp,
			    const char **op)
{
	size_t nrep = plot_nrepeats(res), got = 0;
	double *vals = pt_xcalloc(nrep + 1, sizeof(double));
	const char *o;

	for (size_t k = 0; k < nrep; k++)
		if (!repeat_ratio(plot_repeat(res, k), role, kind, &vals[got], &o)) {
			if (!*op)
				*op = o;
			got++;
		}
	plot_sort_values(vals, got);
	*valsp = vals;
	return got;
}

/* Every ROLE and kind with a non-zero value in some repeat of some result, in
 * the order the results list their roles; *probe: whether the probe ran
 * in any repeat at all (*why: the first reason one gives for not). */
static void collect_panels(const struct pt_plot *p, struct plot_opkeys *panels, int *probe, const char **why)
{
	*probe = 0;
	*why = NULL;
	for (size_t r = 0; r < p->nres; r++)
		for (size_t k = 0; k < plot_nrepeats(&p->res[r]); k++) {
			struct json_object *rep = plot_repeat(&p->res[r], k), *workers;

			if (!pt_result_lock_probe(rep)) {
				if (!*why)
					*why = json_object_get_string(
						plot_jpath(rep, "probes", "mmap_lock", "why", NULL));
				continue;
			}
			*probe = 1;
			workers = plot_jget(rep, "workers");
			if (!workers || !json_object_is_type(workers, json_type_object))
				continue;
			json_object_object_foreach(workers, role, w)
			{
				const struct pt_metric_def *d;
				size_t i = 0;

				(void)w;
				while ((d = next_kind(&i))) {
					const char *op;
					double v;

					if (!repeat_ratio(rep, role, d->plot, &v, &op) && v > 0)
						plot_opkeys_add(panels, role, d->plot);
				}
			}
		}
}

/* the range of repeat counts behind the bars, for the title */
struct rep_range {
	size_t min, max;
};

/* One panel's block of f: a row per result with a value. */
static void panel_rows(FILE *f, const struct pt_plot *p, const struct plot_opkey *pk, struct plot_words *names,
		       struct plot_words *ylabels, struct plot_words *scales, struct rep_range *reps)
{
	const char *op = NULL, *type = NULL;

	fprintf(f, "# %s %s\n", pk->role, pk->op);
	for (size_t r = 0; r < p->nres; r++) {
		double *vals;
		size_t got = result_ratios(&p->res[r], pk->role, pk->op, &vals, &op);

		if (got) {
			fprintf(f, "%zu %.6g %.6g %.6g %zu\n", r, plot_median_sorted(vals, got), vals[0],
				vals[got - 1], got);
			reps->min = got < reps->min ? got : reps->min;
			reps->max = got > reps->max ? got : reps->max;
		}
		free(vals);
		for (size_t k = 0; !type && k < plot_nrepeats(&p->res[r]); k++)
			type = json_object_get_string(
				plot_jpath(plot_repeat(&p->res[r], k), "workers", pk->role, "type", NULL));
	}
	fprintf(f, "\n\n");
	if (type)
		plot_words_add(names, "%s (%s): %s", pk->role, type, pk->op);
	else
		plot_words_add(names, "%s: %s", pk->role, pk->op);
	plot_words_add(ylabels, "%s per %s", kind_def(pk->op) ? kind_def(pk->op)->plot_label : pk->op,
		       op ? op : "op");
	plot_nums_add(scales, "1");
}

int pt_plot_locks_per_op(struct pt_plot *p)
{
	struct plot_opkeys panels = { 0 };
	struct plot_words names, ylabels, scales;
	struct rep_range reps = { SIZE_MAX, 0 };
	struct plot_vars v;
	const char *why;
	char *safe, *path, *scen, *title, *med;
	int probe, ret;
	FILE *f;

	collect_panels(p, &panels, &probe, &why);
	if (!probe) {
		fprintf(stderr, "note: (f) locks-per-op: the mmap_lock probe did not run for these results (%s); skipped\n",
			why ? why : "no probes.mmap_lock in the result files");
		return 0;
	}
	if (!panels.n) {
		fprintf(stderr, "note: (f) locks-per-op: the probe ran but no role took mmap_lock; skipped\n");
		plot_opkeys_free(&panels);
		return 0;
	}
	f = plot_chart_open(p, &safe, &path, "locks-per-op");
	if (!f) {
		plot_opkeys_free(&panels);
		return -1;
	}
	fprintf(f, "# ptbench plot: mmap_lock acquisitions (holds begun) per unit op by mode, and the vma_lock\n"
		   "# probe's VMA write locks and fallbacks per unit op, repeats with the probes; one block per\n"
		   "# role and kind, one row per result: result_index median min max repeats\n");
	plot_words_open(&names);
	plot_words_open(&ylabels);
	plot_words_open(&scales);
	for (size_t i = 0; i < panels.n; i++)
		panel_rows(f, p, &panels.v[i], &names, &ylabels, &scales, &reps);
	plot_bars_vars(&v, p, path, &names, &ylabels, &scales, panels.n);
	/* the number on each bar: tells a measured 0 from a result without data */
	plot_var_num(&v, "showvalues", 1);
	scen = plot_scenario_title(p);
	med = plot_median_of(reps.min, reps.max);
	title = plot_fmt("%s: lock acquisitions per op (%s, min..max; linear axis per panel)", scen, med);
	plot_var_str(&v, "ttl", title);
	free(title);
	free(med);
	free(scen);
	ret = plot_chart_finish(p, plot_data_close(f, path), path, safe, "bars", &v, 1);
	free(path);
	free(safe);
	plot_opkeys_free(&panels);
	return ret;
}
