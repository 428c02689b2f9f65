/* Shared by the src/plot_*.c files that write `ptbench plot`'s data files:
 * JSON access, the data-file and gnuplot-variable writers, role.op lists,
 * per-repeat metric values and the percentile curves of charts (a) and (d).
 * Only the chart kinds use this; cmd_plot.c and the tests use plot_data.h. */
#ifndef PTBENCH_PLOT_INTERNAL_H
#define PTBENCH_PLOT_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "ptbench/plot_data.h"

struct json_object;
struct pt_hist;

/* ---- JSON access: NULL (or -1) for anything missing or of the wrong type ---- */

struct json_object *plot_jget(struct json_object *o, const char *key);
/* plot_jpath(o, "a", "b", NULL) = o.a.b or NULL */
struct json_object *plot_jpath(struct json_object *o, ...);
int plot_jnum(struct json_object *o, double *out);
struct json_object *plot_repeat(const struct pt_plot_result *r, size_t k);
size_t plot_nrepeats(const struct pt_plot_result *r);
/* repeats[k].workers.ROLE.ops.OP of one repeat */
struct json_object *plot_op_stats(struct json_object *rep, const char *role, const char *op);

/* ---- small tools ---- */

void plot_oom(void) __attribute__((noreturn));
char *plot_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "median of N repeat(s)" or "median of MIN..MAX repeats", for a chart's
 * title (a new string) */
char *plot_median_of(size_t min, size_t max);
/* "default" or "default vs churn-smaps", malloc'd */
char *plot_scenario_title(const struct pt_plot *p);

/* ---- data files ---- */

/* DIR/NAME.dat opened for writing; NULL with a message naming it */
FILE *plot_data_open(const struct pt_plot *p, const char *name, char **pathp);
/* DIR/SAFE.dat with SAFE the formatted name made fit for a file (role and op
 * names come from scenario files); *safep is malloc'd, NULL on failure */
FILE *plot_chart_open(const struct pt_plot *p, char **safep, char **pathp, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* 0, or -1 with a message naming the file */
int plot_data_close(FILE *f, const char *path);

/* ---- gnuplot word lists: "a b" "c" for word(), or bare numbers "0 1 2" ---- */

struct plot_words {
	char *buf;
	size_t len;
	FILE *f;
};

void plot_words_open(struct plot_words *w);
char *plot_words_close(struct plot_words *w); /* the list, malloc'd */
/* one double-quoted item (labels hold no double quote) */
void plot_words_add(struct plot_words *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* one bare item, e.g. a colour index */
void plot_nums_add(struct plot_words *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- gnuplot -e assignments for one chart ---- */

struct plot_vars {
	char *buf;
	size_t len;
	FILE *f;
};

void plot_vars_open(struct plot_vars *v);
void plot_var_str(struct plot_vars *v, const char *key, const char *val);
void plot_var_num(struct plot_vars *v, const char *key, double val);
/* key='the list' from w, which this closes and frees */
void plot_var_words(struct plot_vars *v, const char *key, struct plot_words *w);
/* Opens v with what plots/bars.gp reads: the data file, one panel per
 * entry of names (with its y label and scale; the three lists are closed
 * here), and one bar per result (labels and colours). */
void plot_bars_vars(struct plot_vars *v, const struct pt_plot *p, const char *path, struct plot_words *names,
		    struct plot_words *ylabels, struct plot_words *scales, size_t npanels);
/* a time y axis over [lo, hi] ns: unit, scale, ylo, yhi */
void plot_var_yaxis(struct plot_vars *v, double lo, double hi);
/* The end of one chart. write_err: closing its data file(s) failed. Queues
 * plots/SCRIPT.gp over v when something was drawn (returns 1), else removes
 * the empty data file (returns 0); -1 on write_err. v is used up either way. */
int plot_chart_finish(struct pt_plot *p, int write_err, const char *path, const char *name, const char *script,
		      struct plot_vars *v, int drawn);

/* ---- role.op keys across all results ---- */

struct plot_opkey {
	char *role, *op;
};

struct plot_opkeys {
	struct plot_opkey *v;
	size_t n;
};

void plot_opkeys_add(struct plot_opkeys *k, const char *role, const char *op); /* once each */
void plot_opkeys_free(struct plot_opkeys *k);
/* every ROLE.OP with op statistics (timeline 0) or a timeline (timeline 1),
 * in the order the results list them */
void plot_collect_ops(const struct pt_plot *p, int timeline, struct plot_opkeys *k);

/* ---- one metric over repeats ---- */

/* one repeat's value of METRIC (p99, max, ops_per_sec...) for role.op; -1
 * when the op has no completed sample there */
int plot_metric_value(struct json_object *rep, const char *role, const char *op, const char *metric,
		      double *out);
/* the values of every repeat of res that has one, sorted ascending, in
 * *valsp (malloc'd, always: the caller frees it); returns how many */
size_t plot_metric_repeats(const struct pt_plot_result *res, const char *role, const char *op, const char *metric,
			   double **valsp);
double plot_median_sorted(const double *v, size_t n); /* n > 0 */
void plot_sort_values(double *v, size_t n);           /* ascending */

/* ---- percentile curves, shared by (a) and (d) ---- */

struct plot_curves {
	struct plot_words labels, colors, dashes;
	double lo, hi; /* smallest and largest value drawn, ns */
	int n;
};

void plot_curves_open(struct plot_curves *cs);
/* writes h's curve as one data block of f and its legend, colour and dash */
void plot_curves_add(struct plot_curves *cs, FILE *f, const struct pt_hist *h, const char *label, size_t color,
		     int dash);
/* The end of a percentile chart written to f (DIR/NAME.dat at path): its
 * variables (datafile, ttl, the curves' lists and y axis, then ylab unless
 * NULL) and plot_chart_finish() with plots/percentiles.gp. */
int plot_curves_finish(struct pt_plot *p, FILE *f, const char *path, const char *name, struct plot_curves *cs,
		       const char *title, const char *ylab);

#endif
