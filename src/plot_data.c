/* Data files for `ptbench plot`, one function per chart kind. Every data file
 * holds nanoseconds (or ops/s) exactly as the result files do; the unit a
 * chart shows is chosen here from the data and handed to the gnuplot script
 * as a scale, so the files stay plain and the axes stay readable. */
#define _GNU_SOURCE /* asprintf, vasprintf */
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/exitcodes.h"
#include "ptbench/hist.h"
#include "ptbench/plot_data.h"
#include "ptbench/util.h"

/* the x axis of a percentile chart ends at 99.999%: 1/(1-p) = 1e5 */
#define PCT_X_MAX 1e5
/* points per decade of 1/(1-p) on a percentile curve */
#define PCT_STEPS_PER_DECADE 20

/* ---- JSON access ---- */

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* jpath(o, "a", "b", NULL) = o.a.b or NULL */
static struct json_object *jpath(struct json_object *o, ...)
{
	va_list ap;
	const char *k;

	va_start(ap, o);
	while (o && (k = va_arg(ap, const char *)))
		o = jget(o, k);
	va_end(ap);
	return o;
}

static int jnum(struct json_object *o, double *out)
{
	if (!o || !(json_object_is_type(o, json_type_int) || json_object_is_type(o, json_type_double)))
		return -1;
	*out = json_object_get_double(o);
	return 0;
}

static struct json_object *repeat_at(const struct pt_plot_result *r, size_t k)
{
	struct json_object *reps = jget(r->doc, "repeats");

	if (!reps || !json_object_is_type(reps, json_type_array) || k >= json_object_array_length(reps))
		return NULL;
	return json_object_array_get_idx(reps, k);
}

static size_t nrepeats(const struct pt_plot_result *r)
{
	struct json_object *reps = jget(r->doc, "repeats");

	return reps && json_object_is_type(reps, json_type_array) ? json_object_array_length(reps) : 0;
}

/* ---- small tools ---- */

static void oom(void)
{
	fprintf(stderr, "ptbench plot: out of memory\n");
	exit(PT_EXIT_RUNTIME);
}

static char *xfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xfmt(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	return s;
}

char *pt_plot_gp_quote(const char *s)
{
	char *q = pt_xmalloc(2 * strlen(s) + 1), *d = q;

	for (; *s; s++) {
		if (*s == '\'')
			*d++ = '\'';
		*d++ = *s;
	}
	*d = '\0';
	return q;
}

const char *pt_plot_time_unit(double typical, double *scale)
{
	if (!(typical >= 1e3)) {
		*scale = 1;
		return "ns";
	}
	if (typical < 1e6) {
		*scale = 1e3;
		return "us";
	}
	if (typical < 1e9) {
		*scale = 1e6;
		return "ms";
	}
	*scale = 1e9;
	return "s";
}

uint64_t pt_plot_merge_buckets(struct pt_hist *h, struct json_object *opstats)
{
	struct json_object *b = jget(opstats, "buckets");
	uint64_t added = 0;
	double mn;

	if (!b || !json_object_is_type(b, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(b); i++) {
		struct json_object *e = json_object_array_get_idx(b, i);
		int64_t up, cnt;

		if (!e || !json_object_is_type(e, json_type_array) || json_object_array_length(e) != 2)
			continue;
		up = json_object_get_int64(json_object_array_get_idx(e, 0));
		cnt = json_object_get_int64(json_object_array_get_idx(e, 1));
		if (up < 0 || cnt <= 0)
			continue;
		/* the stored bound is the bucket's upper bound, or the recorded max
		 * when that is lower: either way it falls in the same bucket */
		h->buckets[pt_hist_index((uint64_t)up)] += (uint64_t)cnt;
		h->count += (uint64_t)cnt;
		if ((uint64_t)up > h->max)
			h->max = (uint64_t)up;
		if ((uint64_t)up < h->min)
			h->min = (uint64_t)up;
		added += (uint64_t)cnt;
	}
	if (added && !jnum(jpath(opstats, "ns", "min", NULL), &mn) && mn > 0 && (uint64_t)mn < h->min)
		h->min = (uint64_t)mn;
	return added;
}

/* a name fit for a file: role and op names come from scenario files */
static char *file_safe(const char *s)
{
	char *d = pt_xstrdup(s);

	for (char *c = d; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      *c == '.' || *c == '-' || *c == '_'))
			*c = '_';
	return d;
}

static FILE *data_open(const struct pt_plot *p, const char *name, char **pathp)
{
	char *path;
	FILE *f;

	path = xfmt("%s/%s.dat", p->dir, name);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "ptbench plot: cannot write %s: %s\n", path, strerror(errno));
		free(path);
		return NULL;
	}
	*pathp = path;
	return f;
}

static int data_close(FILE *f, const char *path)
{
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "ptbench plot: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* gnuplot -e text, built up with these */
struct vars {
	char *buf;
	size_t len;
	FILE *f;
};

static void vars_open(struct vars *v)
{
	v->f = open_memstream(&v->buf, &v->len);
	if (!v->f)
		oom();
}

static void var_str(struct vars *v, const char *key, const char *val)
{
	char *q = pt_plot_gp_quote(val);

	fprintf(v->f, "%s='%s'; ", key, q);
	free(q);
}

static void var_num(struct vars *v, const char *key, double val)
{
	fprintf(v->f, "%s=%.17g; ", key, val);
}

static void chart_add(struct pt_plot *p, const char *name, const char *script, struct vars *v)
{
	struct pt_plot_chart *c;

	fclose(v->f);
	if (p->ncharts == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 16;
		p->charts = realloc(p->charts, p->cap * sizeof(*p->charts));
		if (!p->charts)
			oom();
	}
	c = &p->charts[p->ncharts++];
	c->name = pt_xstrdup(name);
	c->script = pt_xstrdup(script);
	c->vars = v->buf;
}

/* a word list for gnuplot's word(): "a b" "c" (labels hold no double quote) */
static void words_add(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void words_add(FILE *f, const char *fmt, ...)
{
	va_list ap;

	if (ftell(f) > 0)
		fputc(' ', f);
	fputc('"', f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('"', f);
}

struct words {
	char *buf;
	size_t len;
	FILE *f;
};

static void words_open(struct words *w)
{
	w->f = open_memstream(&w->buf, &w->len);
	if (!w->f)
		oom();
}

static char *words_close(struct words *w)
{
	fclose(w->f);
	return w->buf;
}

/* "default" or "default vs churn-smaps" */
static char *scenario_title(const struct pt_plot *p)
{
	struct words w;
	char *out;
	size_t n = 0;

	words_open(&w);
	for (size_t i = 0; i < p->nres; i++) {
		const char *name = json_object_get_string(jpath(p->res[i].doc, "scenario", "name", NULL));
		int seen = 0;

		if (!name)
			name = "?";
		for (size_t j = 0; j < i; j++) {
			const char *o = json_object_get_string(jpath(p->res[j].doc, "scenario", "name", NULL));

			if (o && !strcmp(o, name))
				seen = 1;
		}
		if (!seen)
			fprintf(w.f, "%s%s", n++ ? " vs " : "", name);
	}
	out = words_close(&w);
	return out;
}

/* ---- labels ---- */

int pt_plot_set_labels(struct pt_plot_result *res, size_t n, const char *list)
{
	char *copy = list ? pt_xstrdup(list) : NULL, *save = NULL, *tok;
	size_t i = 0;

	if (copy) {
		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save), i++) {
			while (*tok == ' ')
				tok++;
			if (i >= n)
				break;
			if (strchr(tok, '"') || !*tok) {
				fprintf(stderr, "ptbench plot: --label '%s': labels must be non-empty and hold no '\"'\n",
					tok);
				free(copy);
				return -1;
			}
			res[i].series = pt_xstrdup(tok);
		}
		if (tok || i != n) {
			fprintf(stderr, "ptbench plot: --label has %s labels than the %zu result files\n",
				tok ? "more" : "fewer", n);
			free(copy);
			for (size_t j = 0; j < n; j++) {
				free(res[j].series);
				res[j].series = NULL;
			}
			return -1;
		}
		free(copy);
	} else {
		for (i = 0; i < n; i++) {
			const char *rel = json_object_get_string(jpath(res[i].doc, "system", "kernel", "release", NULL));
			char *s = pt_xstrdup(rel && *rel ? rel : "unknown kernel");

			for (char *c = s; *c; c++)
				if (*c == '"')
					*c = '\'';
			res[i].series = s;
		}
	}
	for (i = 0; i < n; i++) {
		int dup = 1;

		for (size_t j = 0; j < i; j++)
			if (!strcmp(res[j].series, res[i].series))
				dup++;
		if (dup == 1) {
			res[i].label = pt_xstrdup(res[i].series);
		} else {
			res[i].label = xfmt("%s #%d", res[i].series, dup);
		}
	}
	return 0;
}

/* ---- role.op keys across all results ---- */

struct opkey {
	char *role, *op;
};

struct opkeys {
	struct opkey *v;
	size_t n;
};

static void opkeys_add(struct opkeys *k, const char *role, const char *op)
{
	for (size_t i = 0; i < k->n; i++)
		if (!strcmp(k->v[i].role, role) && !strcmp(k->v[i].op, op))
			return;
	k->v = realloc(k->v, (k->n + 1) * sizeof(*k->v));
	if (!k->v)
		oom();
	k->v[k->n].role = pt_xstrdup(role);
	k->v[k->n].op = pt_xstrdup(op);
	k->n++;
}

static void opkeys_free(struct opkeys *k)
{
	for (size_t i = 0; i < k->n; i++) {
		free(k->v[i].role);
		free(k->v[i].op);
	}
	free(k->v);
}

/* every ROLE.OP with op statistics (where = "workers") or a timeline
 * (where = "timeline"), in the order the results list them */
static void collect_ops(const struct pt_plot *p, int timeline, struct opkeys *k)
{
	for (size_t r = 0; r < p->nres; r++) {
		for (size_t rep = 0; rep < nrepeats(&p->res[r]); rep++) {
			struct json_object *top = jget(repeat_at(&p->res[r], rep), timeline ? "timeline" : "workers");

			if (!top || !json_object_is_type(top, json_type_object))
				continue;
			json_object_object_foreach(top, role, rv)
			{
				struct json_object *ops = timeline ? rv : jget(rv, "ops");

				if (!ops || !json_object_is_type(ops, json_type_object))
					continue;
				json_object_object_foreach(ops, op, ov)
				{
					(void)ov;
					opkeys_add(k, role, op);
				}
			}
		}
	}
}

static struct json_object *op_stats(struct json_object *rep, const char *role, const char *op)
{
	return jpath(rep, "workers", role, "ops", op, NULL);
}

/* ---- percentile curves, shared by (a) and (d) ---- */

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

struct curve_set {
	struct words labels, colors, dashes;
	double lo, hi; /* smallest and largest value drawn, ns */
	int n;
};

static void curves_open(struct curve_set *cs)
{
	words_open(&cs->labels);
	words_open(&cs->colors);
	words_open(&cs->dashes);
	cs->lo = INFINITY;
	cs->hi = 0;
	cs->n = 0;
}

static void curves_add(struct curve_set *cs, FILE *f, const struct pt_hist *h, const char *label,
		       size_t color, int dash)
{
	char mx[32];
	double xmax = fmin((double)h->count, PCT_X_MAX);

	write_curve(f, h);
	words_add(cs->labels.f, "%s (n=%llu, max %s)", label, (unsigned long long)h->count,
		  pt_fmt_ns((double)h->max, mx, sizeof(mx)));
	fprintf(cs->colors.f, "%s%zu", cs->n ? " " : "", color);
	fprintf(cs->dashes.f, "%s%d", cs->n ? " " : "", dash);
	/* the unit follows the body and the tail, not a stray fastest sample */
	cs->lo = fmin(cs->lo, (double)pt_hist_percentile(h, 50));
	cs->hi = fmax(cs->hi, (double)pt_hist_percentile(h, 100.0 * (1.0 - 1.0 / xmax)));
	cs->n++;
}

static void curves_vars(struct curve_set *cs, struct vars *v)
{
	char *l = words_close(&cs->labels), *c = words_close(&cs->colors), *d = words_close(&cs->dashes);
	double scale;
	const char *unit = pt_plot_time_unit(sqrt(fmax(cs->lo, 1) * fmax(cs->hi, 1)), &scale);

	var_str(v, "labels", l);
	var_str(v, "colors", c);
	var_str(v, "dashes", d);
	var_num(v, "n", cs->n);
	var_str(v, "unit", unit);
	var_num(v, "scale", scale);
	var_num(v, "ylo", cs->lo);
	var_num(v, "yhi", cs->hi);
	free(l);
	free(c);
	free(d);
}

/* ---- (a) latency by percentile, per role.op ---- */

int pt_plot_percentiles(struct pt_plot *p)
{
	struct opkeys keys = { 0 };
	char *scen = scenario_title(p);
	int charts = 0;

	collect_ops(p, 0, &keys);
	for (size_t i = 0; i < keys.n && charts >= 0; i++) {
		const char *role = keys.v[i].role, *op = keys.v[i].op;
		char *name = xfmt("pct-%s.%s", role, op), *safe = file_safe(name), *path, *title;
		struct curve_set cs;
		struct vars v;
		FILE *f = data_open(p, safe, &path);

		free(name);
		if (!f) {
			free(safe);
			charts = -1;
			break;
		}
		fprintf(f, "# ptbench plot: %s.%s latency by percentile, merged over repeats\n"
			   "# one block per result: x=1/(1-p)  percentile  latency_ns\n",
			role, op);
		curves_open(&cs);
		for (size_t r = 0; r < p->nres; r++) {
			struct pt_hist *h = pt_hist_new();

			for (size_t k = 0; k < nrepeats(&p->res[r]); k++)
				pt_plot_merge_buckets(h, op_stats(repeat_at(&p->res[r], k), role, op));
			if (h->count) {
				fprintf(f, "# %s\n", p->res[r].label);
				curves_add(&cs, f, h, p->res[r].label, r, 1);
			}
			free(h);
		}
		vars_open(&v);
		var_str(&v, "datafile", path);
		title = xfmt("%s: %s.%s latency by percentile (all repeats merged)", scen, role, op);
		var_str(&v, "ttl", title);
		free(title);
		curves_vars(&cs, &v);
		if (data_close(f, path)) {
			charts = -1;
			fclose(v.f);
			free(v.buf);
		} else if (cs.n) {
			chart_add(p, safe, "percentiles", &v);
			charts++;
		} else {
			/* an op that never completed once: nothing to draw */
			fclose(v.f);
			free(v.buf);
			remove(path);
		}
		free(path);
		free(safe);
	}
	if (!charts)
		fprintf(stderr, "note: (a) percentiles: no op recorded a sample in these results; skipped\n");
	opkeys_free(&keys);
	free(scen);
	return charts;
}

/* ---- (b) headline metrics: median of repeats, min..max ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

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

/* one repeat's value of METRIC (p99, max, ops_per_sec...) for role.op */
static int metric_value(struct json_object *rep, const char *role, const char *op, const char *metric,
			double *out)
{
	struct json_object *st = op_stats(rep, role, op);
	double cnt;

	if (!st || jnum(jget(st, "count"), &cnt) || cnt <= 0)
		return -1;
	if (!strcmp(metric, "ops_per_sec"))
		return jnum(jget(st, "ops_per_sec"), out);
	return jnum(jpath(st, "ns", metric, NULL), out);
}

/* the metrics to draw: the first result's scenario.headline, else every
 * role.op's p99 */
static char **headline_metrics(const struct pt_plot *p, size_t *np)
{
	const char *hl = NULL;
	char **m = NULL;
	size_t n = 0;

	for (size_t r = 0; r < p->nres && !hl; r++)
		hl = json_object_get_string(jpath(p->res[r].doc, "scenario", "headline", NULL));
	if (hl && *hl) {
		char *copy = pt_xstrdup(hl), *save = NULL;

		for (char *t = strtok_r(copy, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
			m = realloc(m, (n + 1) * sizeof(*m));
			if (!m)
				oom();
			m[n++] = pt_xstrdup(t);
		}
		free(copy);
	} else {
		struct opkeys keys = { 0 };

		collect_ops(p, 0, &keys);
		m = pt_xcalloc(keys.n + 1, sizeof(*m));
		for (size_t i = 0; i < keys.n; i++)
			m[n++] = xfmt("%s.%s.p99", keys.v[i].role, keys.v[i].op);
		opkeys_free(&keys);
	}
	*np = n;
	return m;
}

int pt_plot_bars(struct pt_plot *p)
{
	size_t nm, drawn = 0, minrep = SIZE_MAX, maxrep = 0;
	char **metrics = headline_metrics(p, &nm), *path, *scen, *s, *title;
	struct words names, ylabels, scales, labels, colors;
	struct vars v;
	FILE *f;
	int ret = 0;

	f = data_open(p, "bars-headline", &path);
	if (!f) {
		ret = -1;
		goto out;
	}
	fprintf(f, "# ptbench plot: headline metrics; one block per metric, one row per result:\n"
		   "# result_index median min max repeats (ns, or ops/s for ops_per_sec)\n");
	words_open(&names);
	words_open(&ylabels);
	words_open(&scales);
	for (size_t i = 0; i < nm; i++) {
		char *role, *op, *metric;
		double top = 0, scale;
		const char *unit;
		int rows = 0;

		if (split_metric(metrics[i], &role, &op, &metric)) {
			fprintf(stderr, "note: (b) bars: headline metric '%s' is not ROLE.OP.METRIC; left out\n",
				metrics[i]);
			continue;
		}
		for (size_t r = 0; r < p->nres; r++) {
			size_t nrep = nrepeats(&p->res[r]), got = 0;
			double *vals = pt_xcalloc(nrep + 1, sizeof(double));

			for (size_t k = 0; k < nrep; k++)
				if (!metric_value(repeat_at(&p->res[r], k), role, op, metric, &vals[got]))
					got++;
			if (got) {
				qsort(vals, got, sizeof(double), cmp_double);
				if (!rows++)
					fprintf(f, "# %s\n", metrics[i]);
				fprintf(f, "%zu %.6g %.6g %.6g %zu\n", r,
					got % 2 ? vals[got / 2] : (vals[got / 2 - 1] + vals[got / 2]) / 2, vals[0],
					vals[got - 1], got);
				top = fmax(top, vals[got - 1]);
				minrep = got < minrep ? got : minrep;
				maxrep = got > maxrep ? got : maxrep;
			}
			free(vals);
		}
		if (!rows) {
			fprintf(stderr, "note: (b) bars: no result has %s; left out\n", metrics[i]);
		} else {
			fprintf(f, "\n\n");
			words_add(names.f, "%s.%s", role, op);
			if (!strcmp(metric, "ops_per_sec")) {
				scale = top >= 1e7 ? 1e6 : top >= 1e4 ? 1e3 : 1;
				words_add(ylabels.f, "throughput (%sops/s)", scale == 1e6 ? "M" : scale == 1e3 ? "k" : "");
			} else {
				unit = pt_plot_time_unit(top, &scale);
				words_add(ylabels.f, "%s latency (%s)", metric, unit);
			}
			fprintf(scales.f, "%s%.0f", drawn ? " " : "", scale); /* gnuplot reads no exponent */
			drawn++;
		}
		free(role);
		free(op);
		free(metric);
	}
	words_open(&labels);
	words_open(&colors);
	for (size_t r = 0; r < p->nres; r++) {
		words_add(labels.f, "%s", p->res[r].label);
		fprintf(colors.f, "%s%zu", r ? " " : "", r);
	}
	vars_open(&v);
	var_str(&v, "datafile", path);
	s = words_close(&names);
	var_str(&v, "metrics", s);
	free(s);
	s = words_close(&ylabels);
	var_str(&v, "ylabels", s);
	free(s);
	s = words_close(&scales);
	var_str(&v, "scales", s);
	free(s);
	s = words_close(&labels);
	var_str(&v, "labels", s);
	free(s);
	s = words_close(&colors);
	var_str(&v, "colors", s);
	free(s);
	var_num(&v, "n", (double)p->nres);
	var_num(&v, "nmetrics", (double)drawn);
	scen = scenario_title(p);
	if (minrep == maxrep)
		title = xfmt("%s: headline metrics (bar: median of %zu repeat%s, error bar: min..max)", scen,
			     minrep, minrep == 1 ? "" : "s");
	else
		title = xfmt("%s: headline metrics (bar: median of %zu..%zu repeats, error bar: min..max)", scen,
			     minrep, maxrep);
	var_str(&v, "ttl", title);
	free(title);
	free(scen);
	if (data_close(f, path)) {
		ret = -1;
		fclose(v.f);
		free(v.buf);
	} else if (drawn) {
		chart_add(p, "bars-headline", "bars", &v);
		ret = 1;
	} else {
		fprintf(stderr, "note: (b) bars: no headline metric has data in these results; skipped\n");
		fclose(v.f);
		free(v.buf);
		remove(path);
	}
	free(path);
out:
	for (size_t i = 0; i < nm; i++)
		free(metrics[i]);
	free(metrics);
	return ret;
}

/* ---- (c) latency over time, collapse ops marked ---- */

/* one timeline array's i-th number, or -1 */
static double tl_at(struct json_object *tl, const char *key, size_t i)
{
	struct json_object *a = jget(tl, key);
	double v;

	if (!a || !json_object_is_type(a, json_type_array) || i >= json_object_array_length(a) ||
	    jnum(json_object_array_get_idx(a, i), &v))
		return -1;
	return v;
}

static size_t tl_len(struct json_object *tl)
{
	struct json_object *a = jget(tl, "count");

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
		if (tl_at(jget(rv, "collapse"), "count", i) > 0)
			return 1;
	}
	return 0;
}

static int has_collapse(const struct pt_plot *p)
{
	for (size_t r = 0; r < p->nres; r++)
		for (size_t k = 0; k < nrepeats(&p->res[r]); k++) {
			struct json_object *tl = jget(repeat_at(&p->res[r], k), "timeline");

			if (!tl || !json_object_is_type(tl, json_type_object))
				continue;
			json_object_object_foreach(tl, role, rv)
			{
				(void)role;
				if (jget(rv, "collapse"))
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

int pt_plot_timeline(struct pt_plot *p)
{
	struct opkeys keys = { 0 };
	char *scen = scenario_title(p);
	int charts = 0, collapse = has_collapse(p);

	collect_ops(p, 1, &keys);
	for (size_t i = 0; i < keys.n; i++) {
		const char *role = keys.v[i].role, *op = keys.v[i].op;
		char *name = xfmt("timeline-%s.%s", role, op), *safe = file_safe(name), *path, *markname,
		     *markpath = NULL, *title, *s;
		struct words labels, colors, bounds, marked;
		double lo = INFINITY, hi = 0, interval = 0, scale;
		const char *unit;
		int n = 0, marks = 0;
		double bnd[64]; /* repeat boundaries (s) of all results, once each */
		size_t nbnd = 0;
		FILE *f = data_open(p, safe, &path), *mf = NULL;
		struct vars v;

		free(name);
		if (!f) {
			free(safe);
			charts = -1;
			break;
		}
		markname = xfmt("%s-collapse", safe);
		if (collapse && !(mf = data_open(p, markname, &markpath))) {
			fclose(f);
			free(path);
			free(safe);
			free(markname);
			charts = -1;
			break;
		}
		fprintf(f, "# ptbench plot: %s.%s per timeline interval; repeats joined end to end\n"
			   "# one block per result: t_s mean_ns max_ns count (intervals without a completed op left out;\n"
			   "# NaN rows break the line between repeats)\n",
			role, op);
		if (mf)
			fprintf(mf, "# intervals in which a collapse op ran: t_s result_row\n");
		words_open(&labels);
		words_open(&colors);
		words_open(&bounds);
		words_open(&marked);
		for (size_t r = 0; r < p->nres; r++) {
			double t0 = 0;
			int rows = 0, rmarks = 0;

			for (size_t k = 0; k < nrepeats(&p->res[r]); k++) {
				struct json_object *timeline = jget(repeat_at(&p->res[r], k), "timeline");
				struct json_object *tl = jpath(timeline, role, op, NULL);
				double iv;
				size_t len = tl_len(tl);

				if (!tl || jnum(jget(tl, "interval_ns"), &iv) || iv <= 0 || !len)
					continue;
				if (!rows)
					fprintf(f, "# %s\n", p->res[r].label);
				else
					fprintf(f, "%.6f NaN NaN 0\n", t0); /* break the line between repeats */
				if (rows) {
					size_t b = 0;

					while (b < nbnd && fabs(bnd[b] - t0) > 1e-6)
						b++;
					if (b == nbnd && nbnd < PT_ARRAY_SIZE(bnd)) {
						bnd[nbnd++] = t0;
						fprintf(bounds.f, "%s%.6f", ftell(bounds.f) ? " " : "", t0);
					}
				}
				for (size_t j = 0; j < len; j++) {
					double cnt = tl_at(tl, "count", j), mean = tl_at(tl, "mean_ns", j),
					       mx = tl_at(tl, "max_ns", j), t = t0 + ((double)j + 0.5) * iv / 1e9;

					if (cnt > 0 && mean > 0 && mx > 0) {
						fprintf(f, "%.6f %.6g %.6g %.0f\n", t, mean, mx, cnt);
						lo = fmin(lo, mean);
						hi = fmax(hi, mx);
					}
					/* an interval in which no op completed has no latency:
					 * no row, the line joins its neighbours (ops slower than
					 * the interval would otherwise draw as dashes) */
					if (mf && collapse_in_slot(timeline, j)) {
						fprintf(mf, "%.6f %d\n", t, n);
						rmarks++;
					}
				}
				rows++;
				interval = iv;
				t0 += (double)len * iv / 1e9;
			}
			if (rows) {
				fprintf(f, "\n\n");
				words_add(labels.f, "%s", p->res[r].label);
				fprintf(colors.f, "%s%zu", n ? " " : "", r);
				if (rmarks)
					fprintf(marked.f, "%s%d", marks ? " " : "", n);
				marks += rmarks;
				n++;
			}
		}
		vars_open(&v);
		var_str(&v, "datafile", path);
		var_str(&v, "markfile", marks ? markpath : "");
		s = words_close(&labels);
		var_str(&v, "labels", s);
		free(s);
		s = words_close(&colors);
		var_str(&v, "colors", s);
		free(s);
		s = words_close(&bounds);
		var_str(&v, "bounds", s);
		free(s);
		s = words_close(&marked);
		var_str(&v, "marked", s);
		free(s);
		var_num(&v, "n", n);
		unit = pt_plot_time_unit(sqrt(fmax(lo, 1) * fmax(hi, 1)), &scale);
		var_str(&v, "unit", unit);
		var_num(&v, "scale", scale);
		var_num(&v, "ylo", lo);
		var_num(&v, "yhi", hi);
		title = xfmt("%s: %s.%s latency over time (max and mean per %s interval)%s", scen, role, op,
			     fmt_interval(interval), collapse ? "; triangles: a collapse op ran in it" : "");
		var_str(&v, "ttl", title);
		free(title);
		if (data_close(f, path) | (mf ? data_close(mf, markpath) : 0)) {
			charts = -1;
			fclose(v.f);
			free(v.buf);
		} else if (n) {
			chart_add(p, safe, "timeline", &v);
			charts++;
		} else {
			fclose(v.f);
			free(v.buf);
			remove(path);
		}
		if (mf && !marks)
			remove(markpath);
		free(markpath);
		free(markname);
		free(path);
		free(safe);
		if (charts < 0)
			break;
	}
	if (!charts)
		fprintf(stderr, "note: (c) timeline: these results have no timeline; skipped\n");
	opkeys_free(&keys);
	free(scen);
	return charts;
}

/* ---- (d) mmap_lock wait by mode ---- */

static int probe_ran(struct json_object *rep)
{
	struct json_object *av = jpath(rep, "probes", "mmap_lock", "available", NULL);

	return av && json_object_get_boolean(av);
}

/* One chart: every result's read and write wait distribution, of all threads
 * (role NULL) or of one role. Returns 1 when drawn, 0 when no data, -1. */
static int mmap_lock_chart(struct pt_plot *p, const char *role, const char *scen)
{
	static const char *const modes[] = { "read", "write" };
	char *name = role ? xfmt("mmap_lock-wait-%s", role) : xfmt("mmap_lock-wait"), *safe = file_safe(name);
	char *path, *title;
	struct curve_set cs;
	struct vars v;
	FILE *f = data_open(p, safe, &path);
	int ret = 0;

	free(name);
	if (!f) {
		free(safe);
		return -1;
	}
	fprintf(f, "# ptbench plot: mmap_lock wait by mode (%s), merged over repeats\n"
		   "# one block per result and mode: x=1/(1-p)  percentile  wait_ns\n",
		role ? role : "all threads");
	curves_open(&cs);
	for (size_t r = 0; r < p->nres; r++) {
		for (size_t m = 0; m < PT_ARRAY_SIZE(modes); m++) {
			struct pt_hist *h = pt_hist_new();

			for (size_t k = 0; k < nrepeats(&p->res[r]); k++) {
				struct json_object *rep = repeat_at(&p->res[r], k);
				struct json_object *ml = jpath(rep, "probes", "mmap_lock", NULL);

				if (!probe_ran(rep))
					continue;
				if (role)
					ml = jpath(ml, "roles", role, NULL);
				pt_plot_merge_buckets(h, jpath(ml, "wait", modes[m], NULL));
			}
			if (h->count) {
				char *l = xfmt("%s: %s wait", p->res[r].label, modes[m]);

				fprintf(f, "# %s\n", l);
				curves_add(&cs, f, h, l, r, (int)m + 1);
				free(l);
			}
			free(h);
		}
	}
	vars_open(&v);
	var_str(&v, "datafile", path);
	title = xfmt("%s: mmap_lock wait by mode, %s%s (all repeats merged)", scen, role ? "role " : "all threads",
		     role ? role : "");
	var_str(&v, "ttl", title);
	free(title);
	curves_vars(&cs, &v);
	var_str(&v, "ylab", "wait for mmap_lock");
	if (data_close(f, path)) {
		ret = -1;
		fclose(v.f);
		free(v.buf);
	} else if (cs.n) {
		chart_add(p, safe, "percentiles", &v);
		ret = 1;
	} else {
		fclose(v.f);
		free(v.buf);
		remove(path);
	}
	free(path);
	free(safe);
	return ret;
}

int pt_plot_mmap_lock(struct pt_plot *p)
{
	const char *why = NULL;
	char *scen;
	int ran = 0, charts, c;
	struct opkeys roles = { 0 };

	for (size_t r = 0; r < p->nres; r++)
		for (size_t k = 0; k < nrepeats(&p->res[r]); k++) {
			struct json_object *rep = repeat_at(&p->res[r], k);
			struct json_object *rl = jpath(rep, "probes", "mmap_lock", "roles", NULL);

			if (!probe_ran(rep)) {
				if (!why)
					why = json_object_get_string(jpath(rep, "probes", "mmap_lock", "why", NULL));
				continue;
			}
			ran = 1;
			if (rl && json_object_is_type(rl, json_type_object)) {
				json_object_object_foreach(rl, role, rv)
				{
					(void)rv;
					opkeys_add(&roles, role, "");
				}
			}
		}
	if (!ran) {
		fprintf(stderr, "note: (d) mmap_lock: the mmap_lock probe did not run for these results (%s); skipped\n",
			why ? why : "no probes.mmap_lock in the result files");
		return 0;
	}
	scen = scenario_title(p);
	charts = mmap_lock_chart(p, NULL, scen);
	for (size_t i = 0; i < roles.n && charts >= 0; i++) {
		c = mmap_lock_chart(p, roles.v[i].role, scen);
		charts = c < 0 ? -1 : charts + c;
	}
	if (!charts)
		fprintf(stderr, "note: (d) mmap_lock: the probe ran but recorded no waits; skipped\n");
	opkeys_free(&roles);
	free(scen);
	return charts;
}

/* ---- (e) latency against thread count ---- */

/* the swept parameter of result r and its value: the "sweep" object (issue 5
 * contract), else the thread count of `role` */
static int sweep_x(const struct pt_plot_result *res, const char *param, const char *role, double *x)
{
	struct json_object *sw = jget(res->doc, "sweep");

	if (param) {
		const char *pp = json_object_get_string(jget(sw, "param"));

		return pp && !strcmp(pp, param) ? jnum(jget(sw, "value"), x) : -1;
	}
	return jnum(jpath(repeat_at(res, 0), "workers", role, "threads", NULL), x);
}

/* What was swept: the first result's sweep.param, else the first role whose
 * thread count differs between results. NULL when nothing was. */
static char *find_sweep(const struct pt_plot *p, const char **param, char **role)
{
	struct json_object *workers;

	*param = NULL;
	*role = NULL;
	for (size_t r = 0; r < p->nres; r++) {
		const char *pp = json_object_get_string(jpath(p->res[r].doc, "sweep", "param", NULL));

		if (pp) {
			*param = pp;
			return pt_xstrdup(pp);
		}
	}
	if (p->nres < 2)
		return NULL;
	workers = jget(repeat_at(&p->res[0], 0), "workers");
	if (!workers || !json_object_is_type(workers, json_type_object))
		return NULL;
	json_object_object_foreach(workers, rname, rv)
	{
		double t0, t;

		if (jnum(jget(rv, "threads"), &t0))
			continue;
		for (size_t r = 1; r < p->nres; r++)
			if (!sweep_x(&p->res[r], NULL, rname, &t) && t != t0) {
				*role = pt_xstrdup(rname);
				return xfmt("%s.threads", rname);
			}
	}
	return NULL;
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

static double median_metric(const struct pt_plot_result *res, const char *role, const char *op, const char *metric)
{
	size_t nrep = nrepeats(res), got = 0;
	double *vals = pt_xcalloc(nrep + 1, sizeof(double)), m = NAN;

	for (size_t k = 0; k < nrep; k++)
		if (!metric_value(repeat_at(res, k), role, op, metric, &vals[got]))
			got++;
	if (got) {
		qsort(vals, got, sizeof(double), cmp_double);
		m = got % 2 ? vals[got / 2] : (vals[got / 2 - 1] + vals[got / 2]) / 2;
	}
	free(vals);
	return m;
}

int pt_plot_sweep(struct pt_plot *p)
{
	const char *param;
	char *role = NULL, *what = find_sweep(p, &param, &role), *scen;
	struct opkeys keys = { 0 };
	double xmin = INFINITY, xmax = -INFINITY;
	size_t nx = 0;
	int charts = 0;

	if (!what) {
		fprintf(stderr, "note: (e) sweep: these results are no thread-count sweep (no \"sweep\" object, "
				"no role's thread count differs); skipped\n");
		return 0;
	}
	/* the distinct x values: a sweep needs two */
	{
		double seen[64];

		for (size_t r = 0; r < p->nres; r++) {
			double x;
			size_t j;

			if (sweep_x(&p->res[r], param, role, &x))
				continue;
			xmin = fmin(xmin, x);
			xmax = fmax(xmax, x);
			for (j = 0; j < nx && seen[j] != x; j++)
				;
			if (j == nx && nx < PT_ARRAY_SIZE(seen))
				seen[nx++] = x;
		}
	}
	if (nx < 2) {
		fprintf(stderr, "note: (e) sweep: %s takes fewer than two values in these results; skipped\n", what);
		free(what);
		free(role);
		return 0;
	}
	scen = scenario_title(p);
	collect_ops(p, 0, &keys);
	for (size_t i = 0; i < keys.n; i++) {
		const char *krole = keys.v[i].role, *op = keys.v[i].op;
		char *name = xfmt("sweep-%s.%s", krole, op), *safe = file_safe(name), *path, *title, *s;
		struct sweep_pt *pts = pt_xcalloc(p->nres, sizeof(*pts));
		struct words labels, colors;
		double lo = INFINITY, hi = 0, scale;
		const char *unit;
		int n = 0;
		FILE *f = data_open(p, safe, &path);
		struct vars v;

		free(name);
		if (!f) {
			free(pts);
			free(safe);
			charts = -1;
			break;
		}
		fprintf(f, "# ptbench plot: %s.%s against %s; p50 and p99 are medians over repeats\n"
			   "# one block per series (results sharing a label): x p50_ns p99_ns\n",
			krole, op, what);
		words_open(&labels);
		words_open(&colors);
		/* one line per series, in the order the series first appear */
		for (size_t r = 0; r < p->nres; r++) {
			size_t np = 0;
			int first = 1;

			for (size_t j = 0; j < r; j++)
				if (!strcmp(p->res[j].series, p->res[r].series))
					first = 0;
			if (!first)
				continue;
			for (size_t j = r; j < p->nres; j++) {
				double x, p50, p99;

				if (strcmp(p->res[j].series, p->res[r].series) || sweep_x(&p->res[j], param, role, &x))
					continue;
				p50 = median_metric(&p->res[j], krole, op, "p50");
				p99 = median_metric(&p->res[j], krole, op, "p99");
				if (isnan(p50) || isnan(p99))
					continue;
				pts[np++] = (struct sweep_pt){ .x = x, .p50 = p50, .p99 = p99, .res = j };
			}
			if (!np)
				continue;
			qsort(pts, np, sizeof(*pts), cmp_sweep_pt);
			fprintf(f, "# %s\n", p->res[r].series);
			for (size_t j = 0; j < np; j++) {
				fprintf(f, "%g %.6g %.6g\n", pts[j].x, pts[j].p50, pts[j].p99);
				lo = fmin(lo, pts[j].p50);
				hi = fmax(hi, pts[j].p99);
			}
			fprintf(f, "\n\n");
			words_add(labels.f, "%s", p->res[r].series);
			fprintf(colors.f, "%s%d", n ? " " : "", n); /* a colour per series, not per file */
			n++;
		}
		vars_open(&v);
		var_str(&v, "datafile", path);
		s = words_close(&labels);
		var_str(&v, "labels", s);
		free(s);
		s = words_close(&colors);
		var_str(&v, "colors", s);
		free(s);
		var_num(&v, "n", n);
		unit = pt_plot_time_unit(sqrt(fmax(lo, 1) * fmax(hi, 1)), &scale);
		var_str(&v, "unit", unit);
		var_num(&v, "scale", scale);
		var_num(&v, "ylo", lo);
		var_num(&v, "yhi", hi);
		var_str(&v, "xlab", what);
		/* thread counts that double per step read best on a log2 axis */
		var_num(&v, "xlog", xmin > 0 && xmax / xmin >= 4 ? 1 : 0);
		title = xfmt("%s: %s.%s latency against %s (p50 dashed, p99 solid; median of repeats)", scen, krole,
			     op, what);
		var_str(&v, "ttl", title);
		free(title);
		if (data_close(f, path)) {
			charts = -1;
			fclose(v.f);
			free(v.buf);
		} else if (n) {
			chart_add(p, safe, "sweep", &v);
			charts++;
		} else {
			fclose(v.f);
			free(v.buf);
			remove(path);
		}
		free(pts);
		free(path);
		free(safe);
		if (charts < 0)
			break;
	}
	opkeys_free(&keys);
	free(scen);
	free(what);
	free(role);
	return charts;
}

void pt_plot_free(struct pt_plot *p)
{
	for (size_t i = 0; i < p->ncharts; i++) {
		free(p->charts[i].name);
		free(p->charts[i].script);
		free(p->charts[i].vars);
	}
	free(p->charts);
	p->charts = NULL;
	p->ncharts = p->cap = 0;
	for (size_t r = 0; r < p->nres; r++) {
		free(p->res[r].label);
		free(p->res[r].series);
		p->res[r].label = p->res[r].series = NULL;
	}
}
