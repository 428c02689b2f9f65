/* `ptbench plot` chart (e): p50 and p99 latency against the swept thread
 * count, one chart per role.op and one pair of lines per series (results
 * sharing a label, e.g. one kernel's sweep points). */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/plot_data.h"
#include "ptbench/plot_internal.h"
#include "ptbench/util.h"

/* what was swept, as find_sweep() found it */
struct sweep_axis {
	const char *param; /* the "sweep" object's param, or NULL */
	char *role;        /* else the role whose thread count differs */
	char *what;        /* "ROLE.threads": the x axis */
	double xmin, xmax;
};

/* the swept parameter of result r and its value: the "sweep" object (issue 5
 * contract), else the thread count of `role` */
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
	double x, p50, p99;
	size_t res;
};

static int cmp_sweep_pt(const void *a, const void *b)
{
	const struct sweep_pt *x = a, *y = b;

	return (x->x > y->x) - (x->x < y->x);
}

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

/* series r's points (the results sharing its label) in pts, by x; how many */
static size_t series_points(const struct pt_plot *p, size_t r, const struct sweep_axis *ax, const char *role,
			    const char *op, struct sweep_pt *pts)
{
	size_t np = 0;

	for (size_t j = r; j < p->nres; j++) {
		double x, p50, p99;

		if (strcmp(p->res[j].series, p->res[r].series) || sweep_x(&p->res[j], ax->param, ax->role, &x))
			continue;
		p50 = median_metric(&p->res[j], role, op, "p50");
		p99 = median_metric(&p->res[j], role, op, "p99");
		if (isnan(p50) || isnan(p99))
			continue;
		pts[np++] = (struct sweep_pt){ .x = x, .p50 = p50, .p99 = p99, .res = j };
	}
	qsort(pts, np, sizeof(*pts), cmp_sweep_pt);
	return np;
}

/* one role.op's chart: 1 when drawn, 0 when no series has a point, -1 */
static int sweep_chart(struct pt_plot *p, const struct sweep_axis *ax, const char *role, const char *op,
		       const char *scen)
{
	char *safe, *path, *title;
	struct sweep_pt *pts;
	struct plot_words labels, colors;
	double lo = INFINITY, hi = 0;
	int n = 0, ret;
	FILE *f = plot_chart_open(p, &safe, &path, "sweep-%s.%s", role, op);
	struct plot_vars v;

	if (!f)
		return -1;
	pts = pt_xcalloc(p->nres, sizeof(*pts));
	fprintf(f, "# ptbench plot: %s.%s against %s; p50 and p99 are medians over repeats\n"
		   "# one block per series (results sharing a label): x p50_ns p99_ns\n",
		role, op, ax->what);
	plot_words_open(&labels);
	plot_words_open(&colors);
	/* one line per series, in the order the series first appear */
	for (size_t r = 0; r < p->nres; r++) {
		size_t np;
		int first = 1;

		for (size_t j = 0; j < r; j++)
			if (!strcmp(p->res[j].series, p->res[r].series))
				first = 0;
		if (!first)
			continue;
		np = series_points(p, r, ax, role, op, pts);
		if (!np)
			continue;
		fprintf(f, "# %s\n", p->res[r].series);
		for (size_t j = 0; j < np; j++) {
			fprintf(f, "%g %.6g %.6g\n", pts[j].x, pts[j].p50, pts[j].p99);
			lo = fmin(lo, pts[j].p50);
			hi = fmax(hi, pts[j].p99);
		}
		fprintf(f, "\n\n");
		plot_words_add(&labels, "%s", p->res[r].series);
		plot_nums_add(&colors, "%d", n); /* a colour per series, not per file */
		n++;
	}
	plot_vars_open(&v);
	plot_var_str(&v, "datafile", path);
	plot_var_words(&v, "labels", &labels);
	plot_var_words(&v, "colors", &colors);
	plot_var_num(&v, "n", n);
	plot_var_yaxis(&v, lo, hi);
	plot_var_str(&v, "xlab", ax->what);
	/* thread counts that double per step read best on a log2 axis */
	plot_var_num(&v, "xlog", ax->xmin > 0 && ax->xmax / ax->xmin >= 4 ? 1 : 0);
	title = plot_fmt("%s: %s.%s latency against %s (p50 dashed, p99 solid; median of repeats)", scen, role, op,
			 ax->what);
	plot_var_str(&v, "ttl", title);
	free(title);
	ret = plot_chart_finish(p, plot_data_close(f, path), path, safe, "sweep", &v, n);
	free(pts);
	free(path);
	free(safe);
	return ret;
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
		int c = sweep_chart(p, &ax, keys.v[i].role, keys.v[i].op, scen);

		charts = c < 0 ? -1 : charts + c;
	}
	plot_opkeys_free(&keys);
	free(scen);
	free(ax.what);
	free(ax.role);
	return charts;
}
