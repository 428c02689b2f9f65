/* Percentile curves for `ptbench plot`, drawn by charts (a) latency by
 * percentile and (d) mmap_lock waits: one data block per histogram, x =
 * 1/(1-p) on a log axis, and the legend, colour and dash lists that go with
 * the blocks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ptbench/hist.h"
#include "ptbench/plot_internal.h"
#include "ptbench/util.h"

/* the x axis of a percentile chart ends at 99.999%: 1/(1-p) = 1e5 */
#define PCT_X_MAX 1e5
/* points per decade of 1/(1-p) on a percentile curve */
#define PCT_STEPS_PER_DECADE 20

/* Rows "x pct value_ns" for x = 1/(1-p) from 1 up to the rank the samples
 * support (a curve never claims a percentile finer than 1/count). */
static void write_curve(FILE *f, const struct pt_hist *h)
{
	double xmax = fmin((double)h->count, PCT_X_MAX);

	for (int k = 0;; k++) {
		double x = pow(10.0, (double)k / PCT_STEPS_PER_DECADE), pct;

		if (x > xmax) {
			if (xmax <= pow(10.0, (double)(k - 1) / PCT_STEPS_PER_DECADE))
				break;
			x = xmax; /* the last point sits exactly at the end */
		}
		pct = 100.0 * (1.0 - 1.0 / x);
		fprintf(f, "%.6g %.6f %llu\n", x, pct, (unsigned long long)pt_hist_percentile(h, pct));
		if (x >= xmax)
			break;
	}
	fprintf(f, "\n\n");
}

void plot_curves_open(struct plot_curves *cs)
{
	plot_words_open(&cs->labels);
	plot_words_open(&cs->colors);
	plot_words_open(&cs->dashes);
	cs->lo = INFINITY;
	cs->hi = 0;
	cs->n = 0;
}

void plot_curves_add(struct plot_curves *cs, FILE *f, const struct pt_hist *h, const char *label, size_t color,
		     int dash)
{
	char mx[32];
	double xmax = fmin((double)h->count, PCT_X_MAX);

	write_curve(f, h);
	plot_words_add(&cs->labels, "%s (n=%llu, max %s)", label, (unsigned long long)h->count,
		       pt_fmt_ns((double)h->max, mx, sizeof(mx)));
	plot_nums_add(&cs->colors, "%zu", color);
	plot_nums_add(&cs->dashes, "%d", dash);
	/* the unit follows the body and the tail, not a stray fastest sample */
	cs->lo = fmin(cs->lo, (double)pt_hist_percentile(h, 50));
	cs->hi = fmax(cs->hi, (double)pt_hist_percentile(h, 100.0 * (1.0 - 1.0 / xmax)));
	cs->n++;
}

int plot_curves_finish(struct pt_plot *p, FILE *f, const char *path, const char *name, struct plot_curves *cs,
		       const char *title, const char *ylab)
{
	struct plot_vars v;

	plot_vars_open(&v);
	plot_var_str(&v, "datafile", path);
	plot_var_str(&v, "ttl", title);
	plot_var_words(&v, "labels", &cs->labels);
	plot_var_words(&v, "colors", &cs->colors);
	plot_var_words(&v, "dashes", &cs->dashes);
	plot_var_num(&v, "n", cs->n);
	plot_var_yaxis(&v, cs->lo, cs->hi);
	if (ylab)
		plot_var_str(&v, "ylab", ylab);
	return plot_chart_finish(p, plot_data_close(f, path), path, name, "percentiles", &v, cs->n);
}
