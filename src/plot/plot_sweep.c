/* `ptbench plot` chart (e): p50 and p99 latency against the swept thread
 * count, one chart per role.op and one pair of lines per series (results
 * sharing a label, e.g. one kernel's sweep points). Where the lock probes
 * ran, also per role: lock acquisitions and VMA lock fallbacks per unit
 * op against the thread count (the counts that hold in a TCG guest,
 * counted as compare counts them), and mmap_lock wait p50/p99 by mode. */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/compare_extract.h"
#include "ptbench/metric.h"
#include "ptbench/plot_data.h"
#include "ptbench/plot_internal.h"
#include "ptbench/result_read.h"
#include "ptbench/util.h"

/* what was swept, as find_sweep() found it */
struct sweep_axis {
	const char *param; /* the "sweep" object's param, or NULL */
	char *role;        /* else the role whose thread count differs */
	char *what;        /* "ROLE.threads": the x axis */
	double xmin, xmax;
};

/* the swept parameter of result r and its value: the "sweep" object (the
 * result's contract), else the thread count of `role` */
static int sweep_x(const struct pt_plot_result *res, const char *param, const char *role, double *x)
{
	struct json_object *sw = plot_jget(res->doc, "sweep");

	if (param) {
		const char *pp = json_object_get_string(plot_jget(sw, "param"));

		return pp && !strcmp(pp, param) ? plot_jnum(plot_jget(sw, "value"), x) : -1;
	}
	return plot_jnum(plot_jpath(plot_repeat(res, 0), "workers", role, "threads", NULL), x);
}

/* What was swept: the first result's sweep.param, else the first role whose
 * thread count differs between results. NULL when nothing was. */
static char *find_sweep(const struct pt_plot *p, const char **param, char **role)
{
	struct json_object *workers;

	*param = NULL;
	*role = NULL;
	for (size_t r = 0; r < p->nres; r++) {
		const char *pp = json_object_get_string(plot_jpath(p->res[r].doc, "sweep", "param", NULL));

		if (pp) {
			*param = pp;
			return pt_xstrdup(pp);
		}
	}
	if (p->nres < 2)
		return NULL;
	workers = plot_jget(plot_repeat(&p->res[0], 0), "workers");
	if (!workers || !json_object_is_type(workers, json_type_object))
		return NULL;
	json_object_object_foreach(workers, rname, rv)
	{
		double t0, t;

		if (plot_jnum(plot_jget(rv, "threads"), &t0))
			continue;
		for (size_t r = 1; r < p->nres; r++)
			if (!sweep_x(&p->res[r], NULL, rname, &t) && t != t0) {
				*role = pt_xstrdup(rname);
				return plot_fmt("%s.threads", rname);
			}
	}
	return NULL;
}

/* how many distinct x values the results have (a sweep needs two); sets the
 * axis' xmin and xmax */
static size_t distinct_x(const struct pt_plot *p, struct sweep_axis *ax)
{
	double seen[64];
	size_t nx = 0;

	ax->xmin = INFINITY;
	ax->xmax = -INFINITY;
	for (size_t r = 0; r < p->nres; r++) {
		double x;
		size_t j;

		if (sweep_x(&p->res[r], ax->param, ax->role, &x))
			continue;
		ax->xmin = fmin(ax->xmin, x);
		ax->xmax = fmax(ax->xmax, x);
		for (j = 0; j < nx && seen[j] != x; j++)
			;
		if (j == nx && nx < PT_ARRAY_SIZE(seen))
			seen[nx++] = x;
	}
	return nx;
}

struct sweep_pt {
	double x, a, b;
	size_t res;
};

static int cmp_sweep_pt(const void *a, const void *b)
{
	const struct sweep_pt *x = a, *y = b;

	return (x->x > y->x) - (x->x < y->x);
}

/* One line's values for one result: p50 and p99 (a latency chart), or a
 * count in a (a counts chart). 0, or -1 when the result has none. */
typedef int (*sweep_val_fn)(const struct pt_plot_result *res, const char *role, const void *ctx, double *a,
			    double *b);

/* one line of a chart per series: what it draws and its legend suffix */
struct sweep_line {
	sweep_val_fn fn;
	const void *ctx;
	const char *name; /* "" for a chart of one line per series */
};

/* the median over repeats of one metric, NAN when no repeat has it */
static double median_metric(const struct pt_plot_result *res, const char *role, const char *op, const char *metric)
{
	double *vals, m = NAN;
	size_t got = plot_metric_repeats(res, role, op, metric, &vals);

	if (got)
		m = plot_median_sorted(vals, got);
	free(vals);
	return m;
}

/* role.op's latency: ctx is the op */
static int op_latency(const struct pt_plot_result *res, const char *role, const void *ctx, double *p50, double *p99)
{
	*p50 = median_metric(res, role, ctx, "p50");
	*p99 = median_metric(res, role, ctx, "p99");
	return isnan(*p50) || isnan(*p99) ? -1 : 0;
}

/* the median over the repeats that have it of f(rep) */
static int median_over_repeats(const struct pt_plot_result *res, int (*f)(struct json_object *, const char *,
									   const void *, double *, double *),
			       const char *role, const void *ctx, double *a, double *b)
{
	size_t nrep = plot_nrepeats(res), got = 0;
	double *va = pt_xcalloc(nrep + 1, sizeof(double)), *vb = pt_xcalloc(nrep + 1, sizeof(double));

	for (size_t k = 0; k < nrep; k++)
		if (!f(plot_repeat(res, k), role, ctx, &va[got], &vb[got]))
			got++;
	if (got) {
		plot_sort_values(va, got);
		plot_sort_values(vb, got);
		*a = plot_median_sorted(va, got);
		*b = plot_median_sorted(vb, got);
	}
	free(va);
	free(vb);
	return got ? 0 : -1;
}

/* one repeat's lock count per unit op (ctx: the registry line) */
static int rep_lock_count(struct json_object *rep, const char *role, const void *ctx, double *a, double *b)
{
	const char *unit;

	*b = 0;
	if (!pt_result_lock_probe(rep) || !pt_result_repeat_used(rep))
		return -1;
	return pt_cmp_lock_value(rep, role, ctx, NULL, a, &unit) ? 0 : -1;
}

static int lock_count(const struct pt_plot_result *res, const char *role, const void *ctx, double *a, double *b)
{
	return median_over_repeats(res, rep_lock_count, role, ctx, a, b);
}

/* one repeat's mmap_lock wait p50 and p99 of role in mode ctx */
static int rep_wait(struct json_object *rep, const char *role, const void *ctx, double *p50, double *p99)
{
	struct json_object *w = plot_jpath(rep, "probes", "mmap_lock", "roles", role, "wait", ctx, NULL);
	double n;

	if (!pt_result_lock_probe(rep) || !pt_result_repeat_used(rep) || plot_jnum(plot_jget(w, "count"), &n) ||
	    !(n > 0))
		return -1;
	return plot_jnum(plot_jpath(w, "ns", "p50", NULL), p50) || plot_jnum(plot_jpath(w, "ns", "p99", NULL), p99)
		       ? -1
		       : 0;
}

static int lock_wait(const struct pt_plot_result *res, const char *role, const void *ctx, double *p50, double *p99)
{
	return median_over_repeats(res, rep_wait, role, ctx, p50, p99);
}

/* series r's points of one line (the results sharing its label) in pts, by
 * x; how many */
static size_t series_points(const struct pt_plot *p, size_t r, const struct sweep_axis *ax, const char *role,
			    const struct sweep_line *ln, struct sweep_pt *pts)
{
	size_t np = 0;

	for (size_t j = r; j < p->nres; j++) {
		double x, a, b;

		if (strcmp(p->res[j].series, p->res[r].series) || sweep_x(&p->res[j], ax->param, ax->role, &x))
			continue;
		if (ln->fn(&p->res[j], role, ln->ctx, &a, &b))
			continue;
		pts[np++] = (struct sweep_pt){ .x = x, .a = a, .b = b, .res = j };
	}
	qsort(pts, np, sizeof(*pts), cmp_sweep_pt);
	return np;
}

/* what one chart is: its lines per series, and how it reads */
struct sweep_chart_spec {
	const char *role;
	const struct sweep_line *lines;
	size_t nlines;
	int counts;       /* 1: a count per series and line, linear y axis */
	const char *ylab; /* counts: the y axis */
	const char *about; /* the data file's header line */
	char *title;
};

/* One chart into DIR/NAME.dat: 1 when drawn, 0 when no series has a
 * point, -1 */
static int sweep_chart(struct pt_plot *p, const struct sweep_axis *ax, const struct sweep_chart_spec *c,
		       const char *name)
{
	char *safe, *path;
	struct sweep_pt *pts;
	struct plot_words labels, colors, dashes;
	double lo = INFINITY, hi = 0;
	int n = 0, nseries = 0, ret;
	FILE *f = plot_chart_open(p, &safe, &path, "%s", name);
	struct plot_vars v;

	if (!f)
		return -1;
	pts = pt_xcalloc(p->nres, sizeof(*pts));
	fprintf(f, "# ptbench plot: %s against %s\n# one block per series (results sharing a label)%s: %s\n",
		c->about, ax->what, c->nlines > 1 ? " and line" : "", c->counts ? "x value" : "x p50_ns p99_ns");
	plot_words_open(&labels);
	plot_words_open(&colors);
	plot_words_open(&dashes);
	/* lines per series, in the order the series first appear */
	for (size_t r = 0; r < p->nres; r++) {
		int first = 1, drew = 0;

		for (size_t j = 0; j < r; j++)
			if (!strcmp(p->res[j].series, p->res[r].series))
				first = 0;
		if (!first)
			continue;
		for (size_t l = 0; l < c->nlines; l++) {
			size_t np = series_points(p, r, ax, c->role, &c->lines[l], pts);

			if (!np)
				continue;
			fprintf(f, "# %s%s%s\n", p->res[r].series, *c->lines[l].name ? ": " : "", c->lines[l].name);
			for (size_t j = 0; j < np; j++) {
				if (c->counts)
					fprintf(f, "%g %.6g\n", pts[j].x, pts[j].a);
				else
					fprintf(f, "%g %.6g %.6g\n", pts[j].x, pts[j].a, pts[j].b);
				lo = fmin(lo, pts[j].a);
				hi = fmax(hi, c->counts ? pts[j].a : pts[j].b);
			}
			fprintf(f, "\n\n");
			plot_words_add(&labels, "%s%s%s", p->res[r].series, *c->lines[l].name ? ": " : "",
				       c->lines[l].name);
			plot_nums_add(&colors, "%d", nseries); /* a colour per series, not per file */
			plot_nums_add(&dashes, "%zu", l + 1);  /* a dash per line */
			n++;
			drew = 1;
		}
		nseries += drew;
	}
	plot_vars_open(&v);
	plot_var_str(&v, "datafile", path);
	plot_var_words(&v, "labels", &labels);
	plot_var_words(&v, "colors", &colors);
	plot_var_words(&v, "dashes", &dashes);
	plot_var_num(&v, "n", n);
	if (c->counts) {
		plot_var_num(&v, "counts", 1);
		plot_var_str(&v, "ylab", c->ylab);
	} else {
		plot_var_yaxis(&v, lo, hi);
	}
	plot_var_str(&v, "xlab", ax->what);
	/* thread counts that double per step read best on a log2 axis */
	plot_var_num(&v, "xlog", ax->xmin > 0 && ax->xmax / ax->xmin >= 4 ? 1 : 0);
	plot_var_str(&v, "ttl", c->title);
	ret = plot_chart_finish(p, plot_data_close(f, path), path, safe, "sweep", &v, n);
	free(pts);
	free(path);
	free(safe);
	return ret;
}

/* role.op's latency chart */
static int op_chart(struct pt_plot *p, const struct sweep_axis *ax, const char *role, const char *op,
		    const char *scen)
{
	struct sweep_line ln = { op_latency, op, "" };
	struct sweep_chart_spec c = { .role = role, .lines = &ln, .nlines = 1 };
	char *name = plot_fmt("sweep-%s.%s", role, op), *about = plot_fmt("%s.%s; p50 and p99 are medians over repeats", role, op);
	int ret;

	c.about = about;
	c.title = plot_fmt("%s: %s.%s latency against %s (p50 dashed, p99 solid; median of repeats)", scen, role, op,
			   ax->what);
	ret = sweep_chart(p, ax, &c, name);
	free(c.title);
	free(about);
	free(name);
	return ret;
}

/* The lock counts of the chart: the lock probes' per-unit-op lines that
 * the locks-per-op chart draws (acquisitions by mode, VMA write locks and
 * fallbacks). Not the mmap_lock waits: every blocking lock call counts
 * as one, so they repeat the acquisitions (metric registry); the wait
 * charts draw how long they took. */
static bool count_kind(const struct pt_metric_def *d)
{
	return (d->scope == PT_MS_MMAP_LOCK || d->scope == PT_MS_VMA_LOCK) && d->name && !d->per && d->plot;
}

/* role's lock counts per unit op, one line per kind that is non-zero in
 * some result */
static int counts_chart(struct pt_plot *p, const struct sweep_axis *ax, const char *role, const char *scen)
{
	struct sweep_line lines[16];
	char *names[16];
	const struct pt_metric_def *d;
	const char *unit = NULL;
	size_t i = 0, nl = 0;
	int ret = 0;

	while ((d = pt_metric_next(&i)) && nl < PT_ARRAY_SIZE(lines)) {
		bool nonzero = false;

		if (!count_kind(d))
			continue;
		for (size_t r = 0; r < p->nres && !nonzero; r++)
			for (size_t k = 0; k < plot_nrepeats(&p->res[r]) && !nonzero; k++) {
				struct json_object *rep = plot_repeat(&p->res[r], k);
				const char *u;
				double v;

				if (pt_result_lock_probe(rep) && pt_cmp_lock_value(rep, role, d, NULL, &v, &u) && v > 0) {
					nonzero = true;
					unit = u;
				}
			}
		if (!nonzero)
			continue;
		names[nl] = pt_xstrdup(d->plot_label ? d->plot_label : d->plot);
		lines[nl] = (struct sweep_line){ lock_count, d, names[nl] };
		nl++;
	}
	if (nl) {
		struct sweep_chart_spec c = { .role = role, .lines = lines, .nlines = nl, .counts = 1 };
		char *name = plot_fmt("sweep-locks-%s", role), *ylab = plot_fmt("per %s", unit ? unit : "op");
		char *about = plot_fmt("%s's lock acquisitions and VMA lock fallbacks per %s (medians over repeats)",
				       role, unit ? unit : "op");

		c.ylab = ylab;
		c.about = about;
		c.title = plot_fmt("%s: %s's locks per %s against %s (median of repeats; counts hold under TCG)", scen,
				   role, unit ? unit : "op", ax->what);
		ret = sweep_chart(p, ax, &c, name);
		free(c.title);
		free(about);
		free(ylab);
		free(name);
	}
	for (size_t l = 0; l < nl; l++)
		free(names[l]);
	return ret;
}

/* role's mmap_lock wait by mode */
static int wait_chart(struct pt_plot *p, const struct sweep_axis *ax, const char *role, const char *mode,
		      const char *scen)
{
	struct sweep_line ln = { lock_wait, mode, "" };
	struct sweep_chart_spec c = { .role = role, .lines = &ln, .nlines = 1 };
	char *name = plot_fmt("sweep-mmap_lock-wait-%s.%s", role, mode);
	char *about = plot_fmt("%s's mmap_lock %s wait; p50 and p99 are medians over repeats", role, mode);
	int ret;

	c.about = about;
	c.title = plot_fmt("%s: %s's mmap_lock %s wait against %s (p50 dashed, p99 solid; median of repeats)", scen,
			   role, mode, ax->what);
	ret = sweep_chart(p, ax, &c, name);
	free(c.title);
	free(about);
	free(name);
	return ret;
}

/* the lock charts of every role with op statistics */
static int lock_charts(struct pt_plot *p, const struct sweep_axis *ax, const struct plot_opkeys *keys,
		       const char *scen)
{
	static const char *const modes[] = { "read", "write" };
	int charts = 0;

	for (size_t i = 0; i < keys->n && charts >= 0; i++) {
		int c, seen = 0;

		for (size_t j = 0; j < i; j++)
			seen |= !strcmp(keys->v[j].role, keys->v[i].role);
		if (seen)
			continue;
		c = counts_chart(p, ax, keys->v[i].role, scen);
		charts = c < 0 ? -1 : charts + c;
		for (size_t m = 0; m < PT_ARRAY_SIZE(modes) && charts >= 0; m++) {
			c = wait_chart(p, ax, keys->v[i].role, modes[m], scen);
			charts = c < 0 ? -1 : charts + c;
		}
	}
	return charts;
}

int pt_plot_sweep(struct pt_plot *p)
{
	struct sweep_axis ax;
	struct plot_opkeys keys = { 0 };
	char *scen;
	int charts = 0;

	ax.what = find_sweep(p, &ax.param, &ax.role);
	if (!ax.what) {
		fprintf(stderr, "note: (e) sweep: these results are no thread-count sweep (no \"sweep\" object, "
				"no role's thread count differs); skipped\n");
		return 0;
	}
	if (distinct_x(p, &ax) < 2) {
		fprintf(stderr, "note: (e) sweep: %s takes fewer than two values in these results; skipped\n",
			ax.what);
		free(ax.what);
		free(ax.role);
		return 0;
	}
	scen = plot_scenario_title(p);
	plot_collect_ops(p, 0, &keys);
	for (size_t i = 0; i < keys.n && charts >= 0; i++) {
		int c = op_chart(p, &ax, keys.v[i].role, keys.v[i].op, scen);

		charts = c < 0 ? -1 : charts + c;
	}
	if (charts >= 0) {
		int c = lock_charts(p, &ax, &keys, scen);

		charts = c < 0 ? -1 : charts + c;
	}
	plot_opkeys_free(&keys);
	free(scen);
	free(ax.what);
	free(ax.role);
	return charts;
}
