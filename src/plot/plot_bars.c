/* `ptbench plot` chart (b): the headline metrics, one group of bars per
 * metric and one bar per result: the median of its repeats, with min..max as
 * the error bar. */
#include <json-c/json.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/metric.h"
#include "ptbench/plot_data.h"
#include "ptbench/plot_internal.h"
#include "ptbench/util.h"

/* "ROLE.OP.METRIC" split from the right (role names may hold dots) */
static int split_metric(const char *spec, char **role, char **op, char **metric)
{
	char *s = pt_xstrdup(spec), *d2 = strrchr(s, '.'), *d1;

	if (!d2) {
		free(s);
		return -1;
	}
	*d2 = '\0';
	d1 = strrchr(s, '.');
	if (!d1 || d1 == s || !d2[1] || !d1[1]) {
		free(s);
		return -1;
	}
	*d1 = '\0';
	*role = pt_xstrdup(s);
	*op = pt_xstrdup(d1 + 1);
	*metric = pt_xstrdup(d2 + 1);
	free(s);
	return 0;
}

/* the metrics to draw: the first result's scenario.headline, else every
 * role.op's p99 */
static char **headline_metrics(const struct pt_plot *p, size_t *np)
{
	const char *hl = NULL;
	char **m = NULL;
	size_t n = 0;

	for (size_t r = 0; r < p->nres && !hl; r++)
		hl = json_object_get_string(plot_jpath(p->res[r].doc, "scenario", "headline", NULL));
	if (hl && *hl) {
		char *copy = pt_xstrdup(hl), *save = NULL;

		for (char *t = strtok_r(copy, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
			m = pt_xrealloc(m, (n + 1) * sizeof(*m));
			if (!m)
				plot_oom();
			m[n++] = pt_xstrdup(t);
		}
		free(copy);
	} else {
		struct plot_opkeys keys = { 0 };

		const struct pt_metric_def *d;
		size_t nd = 0, j = 0;

		/* every op's latencies that compare gates by default (p99) */
		while ((d = pt_metric_next_in(PT_MS_HIST, &j)))
			nd += d->kind == PT_MK_LATENCY && d->show == PT_SHOW_GATED;
		plot_collect_ops(p, 0, &keys);
		m = pt_xcalloc(keys.n * nd + 1, sizeof(*m));
		for (size_t i = 0; i < keys.n; i++)
			for (j = 0; (d = pt_metric_next_in(PT_MS_HIST, &j));)
				if (d->kind == PT_MK_LATENCY && d->show == PT_SHOW_GATED)
					m[n++] = plot_fmt("%s.%s.%s", keys.v[i].role, keys.v[i].op, d->name);
		plot_opkeys_free(&keys);
	}
	*np = n;
	return m;
}

/* the range of repeat counts behind the bars, for the title */
struct rep_range {
	size_t min, max;
};

/* One metric's block of f: a row per result that has the metric. Returns
 * the rows written; *top is the largest value. */
static int metric_rows(FILE *f, const struct pt_plot *p, const char *spec, const char *role, const char *op,
		       const char *metric, double *top, struct rep_range *reps)
{
	int rows = 0;

	for (size_t r = 0; r < p->nres; r++) {
		double *vals;
		size_t got = plot_metric_repeats(&p->res[r], role, op, metric, &vals);

		if (got) {
			if (!rows++)
				fprintf(f, "# %s\n", spec);
			fprintf(f, "%zu %.6g %.6g %.6g %zu\n", r, plot_median_sorted(vals, got), vals[0],
				vals[got - 1], got);
			*top = fmax(*top, vals[got - 1]);
			reps->min = got < reps->min ? got : reps->min;
			reps->max = got > reps->max ? got : reps->max;
		}
		free(vals);
	}
	return rows;
}

/* the y axis label and scale of a metric's bars, from its largest value */
static void metric_axis(const char *metric, double top, struct plot_words *ylabels, struct plot_words *scales)
{
	double scale;

	const struct pt_metric_def *d = pt_metric_stat(metric);

	if (d && d->kind == PT_MK_RATE) {
		scale = top >= 1e7 ? 1e6 : top >= 1e4 ? 1e3 : 1;
		plot_words_add(ylabels, "throughput (%sops/s)", scale == 1e6 ? "M" : scale == 1e3 ? "k" : "");
	} else {
		const char *unit = pt_plot_time_unit(top, &scale);

		plot_words_add(ylabels, "%s latency (%s)", metric, unit);
	}
	plot_nums_add(scales, "%.0f", scale); /* gnuplot reads no exponent */
}

int pt_plot_bars(struct pt_plot *p)
{
	size_t nm, drawn = 0;
	struct rep_range reps = { SIZE_MAX, 0 };
	char **metrics = headline_metrics(p, &nm), *safe, *path, *scen, *title, *med;
	struct plot_words names, ylabels, scales;
	struct plot_vars v;
	FILE *f;
	int ret = 0;

	f = plot_chart_open(p, &safe, &path, "bars-headline");
	if (!f) {
		ret = -1;
		goto out;
	}
	fprintf(f, "# ptbench plot: headline metrics; one block per metric, one row per result:\n"
		   "# result_index median min max repeats (ns, or ops/s for ops_per_sec)\n");
	plot_words_open(&names);
	plot_words_open(&ylabels);
	plot_words_open(&scales);
	for (size_t i = 0; i < nm; i++) {
		char *role, *op, *metric;
		double top = 0;

		if (split_metric(metrics[i], &role, &op, &metric)) {
			fprintf(stderr, "note: (b) bars: headline metric '%s' is not ROLE.OP.METRIC; left out\n",
				metrics[i]);
			continue;
		}
		if (!metric_rows(f, p, metrics[i], role, op, metric, &top, &reps)) {
			fprintf(stderr, "note: (b) bars: no result has %s; left out\n", metrics[i]);
		} else {
			fprintf(f, "\n\n");
			plot_words_add(&names, "%s.%s", role, op);
			metric_axis(metric, top, &ylabels, &scales);
			drawn++;
		}
		free(role);
		free(op);
		free(metric);
	}
	plot_bars_vars(&v, p, path, &names, &ylabels, &scales, drawn);
	scen = plot_scenario_title(p);
	med = plot_median_of(reps.min, reps.max);
	title = plot_fmt("%s: headline metrics (bar: %s, error bar: min..max)", scen, med);
	plot_var_str(&v, "ttl", title);
	free(title);
	free(med);
	free(scen);
	ret = plot_chart_finish(p, plot_data_close(f, path), path, safe, "bars", &v, drawn > 0);
	if (!ret)
		fprintf(stderr, "note: (b) bars: no headline metric has data in these results; skipped\n");
	free(path);
	free(safe);
out:
	for (size_t i = 0; i < nm; i++)
		free(metrics[i]);
	free(metrics);
	return ret;
}

void plot_bars_vars(struct plot_vars *v, const struct pt_plot *p, const char *path, struct plot_words *names,
		    struct plot_words *ylabels, struct plot_words *scales, size_t npanels)
{
	struct plot_words labels, colors;

	plot_words_open(&labels);
	plot_words_open(&colors);
	for (size_t r = 0; r < p->nres; r++) {
		plot_words_add(&labels, "%s", p->res[r].label);
		plot_nums_add(&colors, "%zu", r);
	}
	plot_vars_open(v);
	plot_var_str(v, "datafile", path);
	plot_var_words(v, "metrics", names);
	plot_var_words(v, "ylabels", ylabels);
	plot_var_words(v, "scales", scales);
	plot_var_words(v, "labels", &labels);
	plot_var_words(v, "colors", &colors);
	plot_var_num(v, "n", (double)p->nres);
	plot_var_num(v, "nmetrics", (double)npanels);
}
