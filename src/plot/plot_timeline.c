/* `ptbench plot` chart (c): latency over time, one chart per role.op with a
 * timeline, one line per result (its repeats joined end to end); the
 * intervals in which a collapse op ran are marked from a second data file. */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ptbench/plot_data.h"
#include "ptbench/plot_internal.h"
#include "ptbench/util.h"

/* one timeline array's i-th number, or -1 */
static double tl_at(struct json_object *tl, const char *key, size_t i)
{
	struct json_object *a = plot_jget(tl, key);
	double v;

	if (!a || !json_object_is_type(a, json_type_array) || i >= json_object_array_length(a) ||
	    plot_jnum(json_object_array_get_idx(a, i), &v))
		return -1;
	return v;
}

static size_t tl_len(struct json_object *tl)
{
	struct json_object *a = plot_jget(tl, "count");

	return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

/* Is there an op named "collapse" in any role of this repeat's timeline, and
 * did it run in slot i? (the collapse workers time MADV_COLLAPSE as op
 * "collapse") */
static int collapse_in_slot(struct json_object *timeline, size_t i)
{
	if (!timeline || !json_object_is_type(timeline, json_type_object))
		return 0;
	json_object_object_foreach(timeline, role, rv)
	{
		(void)role;
		if (tl_at(plot_jget(rv, "collapse"), "count", i) > 0)
			return 1;
	}
	return 0;
}

static int has_collapse(const struct pt_plot *p)
{
	for (size_t r = 0; r < p->nres; r++)
		for (size_t k = 0; k < plot_nrepeats(&p->res[r]); k++) {
			struct json_object *tl = plot_jget(plot_repeat(&p->res[r], k), "timeline");

			if (!tl || !json_object_is_type(tl, json_type_object))
				continue;
			json_object_object_foreach(tl, role, rv)
			{
				(void)role;
				if (plot_jget(rv, "collapse"))
					return 1;
			}
		}
	return 0;
}

/* "100ms", "1s", "250us": an interval as the scenario file would say it */
static const char *fmt_interval(double ns)
{
	static char buf[32];
	static const struct {
		double ns;
		const char *unit;
	} u[] = { { 1e9, "s" }, { 1e6, "ms" }, { 1e3, "us" } };

	for (size_t i = 0; i < PT_ARRAY_SIZE(u); i++)
		if (ns >= u[i].ns) {
			snprintf(buf, sizeof(buf), "%g%s", ns / u[i].ns, u[i].unit);
			return buf;
		}
	snprintf(buf, sizeof(buf), "%gns", ns);
	return buf;
}

/* one role.op's chart while it is written */
struct tl_chart {
	const char *role, *op;
	FILE *f, *mf; /* the data, the collapse marks (NULL: no collapse op in these results) */
	struct plot_words labels, colors, bounds, marked;
	double lo, hi, interval;
	int n, marks; /* lines drawn, marks written */
	double bnd[64]; /* repeat boundaries (s) of all results, once each */
	size_t nbnd;
};

/* a repeat boundary at t0 s, listed once however many results share it */
static void tl_bound(struct tl_chart *c, double t0)
{
	size_t b = 0;

	while (b < c->nbnd && fabs(c->bnd[b] - t0) > 1e-6)
		b++;
	if (b == c->nbnd && c->nbnd < PT_ARRAY_SIZE(c->bnd)) {
		c->bnd[c->nbnd++] = t0;
		plot_nums_add(&c->bounds, "%.6f", t0);
	}
}

/* Result r's block: its repeats end to end; adds its line when it has one. */
static void tl_result(struct tl_chart *c, const struct pt_plot_result *res, size_t r)
{
	double t0 = 0;
	int rows = 0, rmarks = 0;

	for (size_t k = 0; k < plot_nrepeats(res); k++) {
		struct json_object *timeline = plot_jget(plot_repeat(res, k), "timeline");
		struct json_object *tl = plot_jpath(timeline, c->role, c->op, NULL);
		double iv;
		size_t len = tl_len(tl);

		if (!tl || plot_jnum(plot_jget(tl, "interval_ns"), &iv) || iv <= 0 || !len)
			continue;
		if (!rows)
			fprintf(c->f, "# %s\n", res->label);
		else
			fprintf(c->f, "%.6f NaN NaN 0\n", t0); /* break the line between repeats */
		if (rows)
			tl_bound(c, t0);
		for (size_t j = 0; j < len; j++) {
			double cnt = tl_at(tl, "count", j), mean = tl_at(tl, "mean_ns", j), mx = tl_at(tl, "max_ns", j),
			       t = t0 + ((double)j + 0.5) * iv / 1e9;

			if (cnt > 0 && mean > 0 && mx > 0) {
				fprintf(c->f, "%.6f %.6g %.6g %.0f\n", t, mean, mx, cnt);
				c->lo = fmin(c->lo, mean);
				c->hi = fmax(c->hi, mx);
			}
			/* an interval in which no op completed has no latency:
			 * no row, the line joins its neighbours (ops slower than
			 * the interval would otherwise draw as dashes) */
			if (c->mf && collapse_in_slot(timeline, j)) {
				fprintf(c->mf, "%.6f %d\n", t, c->n);
				rmarks++;
			}
		}
		rows++;
		c->interval = iv;
		t0 += (double)len * iv / 1e9;
	}
	if (rows) {
		fprintf(c->f, "\n\n");
		plot_words_add(&c->labels, "%s", res->label);
		plot_nums_add(&c->colors, "%zu", r);
		if (rmarks)
			plot_nums_add(&c->marked, "%d", c->n);
		c->marks += rmarks;
		c->n++;
	}
}

/* one role.op's chart: 1 when drawn, 0 when no result has its timeline, -1 */
static int tl_chart(struct pt_plot *p, const char *role, const char *op, const char *scen, int collapse)
{
	struct tl_chart c = { .role = role, .op = op, .lo = INFINITY };
	char *safe, *path, *markname, *markpath = NULL, *title;
	struct plot_vars v;
	int ret;

	c.f = plot_chart_open(p, &safe, &path, "timeline-%s.%s", role, op);
	if (!c.f)
		return -1;
	markname = plot_fmt("%s-collapse", safe);
	if (collapse && !(c.mf = plot_data_open(p, markname, &markpath))) {
		fclose(c.f);
		free(path);
		free(safe);
		free(markname);
		return -1;
	}
	fprintf(c.f, "# ptbench plot: %s.%s per timeline interval; repeats joined end to end\n"
		     "# one block per result: t_s mean_ns max_ns count (intervals without a completed op left out;\n"
		     "# NaN rows break the line between repeats)\n",
		role, op);
	if (c.mf)
		fprintf(c.mf, "# intervals in which a collapse op ran: t_s result_row\n");
	plot_words_open(&c.labels);
	plot_words_open(&c.colors);
	plot_words_open(&c.bounds);
	plot_words_open(&c.marked);
	for (size_t r = 0; r < p->nres; r++)
		tl_result(&c, &p->res[r], r);
	if (isinf(c.lo)) {
		/* not one interval with a completed op (a zap that never came
		 * round in a short run): no chart rather than an empty axis */
		fprintf(stderr, "note: (c) timeline: %s.%s completed no op in any interval; skipped\n", role, op);
		plot_data_close(c.f, path);
		remove(path);
		if (c.mf) {
			plot_data_close(c.mf, markpath);
			remove(markpath);
		}
		free(plot_words_close(&c.labels));
		free(plot_words_close(&c.colors));
		free(plot_words_close(&c.bounds));
		free(plot_words_close(&c.marked));
		free(markpath);
		free(markname);
		free(path);
		free(safe);
		return 0;
	}
	plot_vars_open(&v);
	plot_var_str(&v, "datafile", path);
	plot_var_str(&v, "markfile", c.marks ? markpath : "");
	plot_var_words(&v, "labels", &c.labels);
	plot_var_words(&v, "colors", &c.colors);
	plot_var_words(&v, "bounds", &c.bounds);
	plot_var_words(&v, "marked", &c.marked);
	plot_var_num(&v, "n", c.n);
	plot_var_yaxis(&v, c.lo, c.hi);
	title = plot_fmt("%s: %s.%s latency over time (max and mean per %s interval)%s", scen, role, op,
			 fmt_interval(c.interval), collapse ? "; triangles: a collapse op ran in it" : "");
	plot_var_str(&v, "ttl", title);
	free(title);
	ret = plot_chart_finish(p, plot_data_close(c.f, path) | (c.mf ? plot_data_close(c.mf, markpath) : 0), path,
				safe, "timeline", &v, c.n);
	if (c.mf && !c.marks)
		remove(markpath);
	free(markpath);
	free(markname);
	free(path);
	free(safe);
	return ret;
}

int pt_plot_timeline(struct pt_plot *p)
{
	struct plot_opkeys keys = { 0 };
	char *scen = plot_scenario_title(p);
	int charts = 0, collapse = has_collapse(p);

	plot_collect_ops(p, 1, &keys);
	for (size_t i = 0; i < keys.n && charts >= 0; i++) {
		int c = tl_chart(p, keys.v[i].role, keys.v[i].op, scen, collapse);

		charts = c < 0 ? -1 : charts + c;
	}
	if (!charts)
		fprintf(stderr, "note: (c) timeline: these results have no timeline; skipped\n");
	plot_opkeys_free(&keys);
	free(scen);
	return charts;
}
