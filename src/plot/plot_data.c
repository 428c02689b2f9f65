/* What every chart kind of `ptbench plot` shares: JSON access, labels, bucket
 * merging, the unit choice, the data-file and gnuplot-variable writers and
 * the role.op lists. The chart kinds are src/plot/plot_pct.c, plot_bars.c,
 * plot_timeline.c, plot_mmap_lock.c and plot_sweep.c. Every data file holds
 * nanoseconds (or ops/s) exactly as the result files do; the unit a chart
 * shows is chosen from the data and handed to the gnuplot script as a scale,
 * so the files stay plain and the axes stay readable. */
#define _GNU_SOURCE /* asprintf, vasprintf */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptbench/escape.h"
#include "ptbench/exitcodes.h"
#include "ptbench/hist.h"
#include "ptbench/metric.h"
#include "ptbench/plot_data.h"
#include "ptbench/plot_internal.h"
#include "ptbench/result_read.h"
#include "ptbench/stats.h"
#include "ptbench/util.h"

/* ---- JSON access ---- */

struct json_object *plot_jget(struct json_object *o, const char *key)
{
	return pt_result_get(o, key);
}

struct json_object *plot_jpath(struct json_object *o, ...)
{
	va_list ap;
	const char *k;

	va_start(ap, o);
	while (o && (k = va_arg(ap, const char *)))
		o = plot_jget(o, k);
	va_end(ap);
	return o;
}

int plot_jnum(struct json_object *o, double *out)
{
	if (!o || !(json_object_is_type(o, json_type_int) || json_object_is_type(o, json_type_double)))
		return -1;
	*out = json_object_get_double(o);
	return 0;
}

struct json_object *plot_repeat(const struct pt_plot_result *r, size_t k)
{
	struct json_object *reps = plot_jget(r->doc, "repeats");

	if (!reps || !json_object_is_type(reps, json_type_array) || k >= json_object_array_length(reps))
		return NULL;
	return json_object_array_get_idx(reps, k);
}

size_t plot_nrepeats(const struct pt_plot_result *r)
{
	struct json_object *reps = plot_jget(r->doc, "repeats");

	return reps && json_object_is_type(reps, json_type_array) ? json_object_array_length(reps) : 0;
}

struct json_object *plot_op_stats(struct json_object *rep, const char *role, const char *op)
{
	return plot_jpath(rep, "workers", role, "ops", op, NULL);
}

/* ---- small tools ---- */

void plot_oom(void)
{
	pt_oom();
}

static __attribute__((format(printf, 1, 0))) char *plot_vfmt(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		plot_oom();
	return s;
}

char *plot_fmt(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = plot_vfmt(fmt, ap);
	va_end(ap);
	return s;
}

char *plot_median_of(size_t min, size_t max)
{
	if (min == max)
		return plot_fmt("median of %zu repeat%s", min, min == 1 ? "" : "s");
	return plot_fmt("median of %zu..%zu repeats", min, max);
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
	struct json_object *b = plot_jget(opstats, "buckets");
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
	if (added && !plot_jnum(plot_jpath(opstats, "ns", "min", NULL), &mn) && mn > 0 && (uint64_t)mn < h->min)
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

/* ---- data files ---- */

FILE *plot_data_open(const struct pt_plot *p, const char *name, char **pathp)
{
	char *path;
	FILE *f;
	int fd;

	path = plot_fmt("%s/%s.dat", p->dir, name);
	/* p->dir is plot's own new directory (pt_plot_files): a name already
	 * there, or a symbolic link, is not ours to write through */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		fprintf(stderr, "ptbench plot: cannot write %s: %s\n", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		free(path);
		return NULL;
	}
	*pathp = path;
	return f;
}

FILE *plot_chart_open(const struct pt_plot *p, char **safep, char **pathp, const char *fmt, ...)
{
	va_list ap;
	char *name;
	FILE *f;

	va_start(ap, fmt);
	name = plot_vfmt(fmt, ap);
	va_end(ap);
	*safep = file_safe(name);
	free(name);
	f = plot_data_open(p, *safep, pathp);
	if (!f) {
		free(*safep);
		*safep = NULL;
	}
	return f;
}

int plot_data_close(FILE *f, const char *path)
{
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "ptbench plot: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- word lists ---- */

void plot_words_open(struct plot_words *w)
{
	w->f = open_memstream(&w->buf, &w->len);
	if (!w->f)
		plot_oom();
}

char *plot_words_close(struct plot_words *w)
{
	fclose(w->f);
	return w->buf;
}

/* items are separated by one space: the first one has nothing before it */
static __attribute__((format(printf, 3, 0))) void words_vadd(struct plot_words *w, const char *quote,
								 const char *fmt, va_list ap)
{
	if (ftell(w->f) > 0)
		fputc(' ', w->f);
	fputs(quote, w->f);
	vfprintf(w->f, fmt, ap);
	fputs(quote, w->f);
}

void plot_words_add(struct plot_words *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	words_vadd(w, "\"", fmt, ap);
	va_end(ap);
}

void plot_nums_add(struct plot_words *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	words_vadd(w, "", fmt, ap);
	va_end(ap);
}

char *plot_scenario_title(const struct pt_plot *p)
{
	struct plot_words w;
	size_t n = 0;

	plot_words_open(&w);
	for (size_t i = 0; i < p->nres; i++) {
		const char *name = json_object_get_string(plot_jpath(p->res[i].doc, "scenario", "name", NULL));
		int seen = 0;

		if (!name)
			name = "?";
		for (size_t j = 0; j < i; j++) {
			const char *o = json_object_get_string(plot_jpath(p->res[j].doc, "scenario", "name", NULL));

			if (o && !strcmp(o, name))
				seen = 1;
		}
		if (!seen) {
			/* a title is one line: control bytes shown as compare shows them */
			fputs(n++ ? " vs " : "", w.f);
			pt_esc_fputs(w.f, name, PT_ESC_TERM);
		}
	}
	return plot_words_close(&w);
}

/* ---- gnuplot variables ---- */

void plot_vars_open(struct plot_vars *v)
{
	v->f = open_memstream(&v->buf, &v->len);
	if (!v->f)
		plot_oom();
}

void plot_var_str(struct plot_vars *v, const char *key, const char *val)
{
	char *q = pt_plot_gp_quote(val);

	fprintf(v->f, "%s='%s'; ", key, q);
	free(q);
}

void plot_var_num(struct plot_vars *v, const char *key, double val)
{
	fprintf(v->f, "%s=%.17g; ", key, val);
}

void plot_var_words(struct plot_vars *v, const char *key, struct plot_words *w)
{
	char *s = plot_words_close(w);

	plot_var_str(v, key, s);
	free(s);
}

void plot_var_yaxis(struct plot_vars *v, double lo, double hi)
{
	double scale;
	/* the geometric middle: a unit that suits both ends of a log axis */
	const char *unit = pt_plot_time_unit(sqrt(fmax(lo, 1) * fmax(hi, 1)), &scale);

	plot_var_str(v, "unit", unit);
	plot_var_num(v, "scale", scale);
	plot_var_num(v, "ylo", lo);
	plot_var_num(v, "yhi", hi);
}

static void vars_discard(struct plot_vars *v)
{
	fclose(v->f);
	free(v->buf);
}

static void chart_add(struct pt_plot *p, const char *name, const char *script, struct plot_vars *v)
{
	struct pt_plot_chart *c;

	fclose(v->f);
	if (p->ncharts == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 16;
		p->charts = pt_xrealloc(p->charts, p->cap * sizeof(*p->charts));
		if (!p->charts)
			plot_oom();
	}
	c = &p->charts[p->ncharts++];
	c->name = pt_xstrdup(name);
	c->script = pt_xstrdup(script);
	c->vars = v->buf;
}

int plot_chart_finish(struct pt_plot *p, int write_err, const char *path, const char *name, const char *script,
		      struct plot_vars *v, int drawn)
{
	if (write_err) {
		vars_discard(v);
		return -1;
	}
	if (drawn) {
		chart_add(p, name, script, v);
		return 1;
	}
	/* nothing to draw (e.g. an op that never completed once) */
	vars_discard(v);
	remove(path);
	return 0;
}

/* ---- labels ---- */

/* a legend is one line of text: no newline, escape or other control byte */
static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

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
			if (strchr(tok, '"') || !*tok || has_control(tok)) {
				char shown[256];

				fprintf(stderr,
					"ptbench plot: --label '%s': labels must be non-empty and hold no '\"' "
					"and no control character\n",
					pt_esc(tok, PT_ESC_TERM, shown, sizeof(shown)));
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
			const char *rel =
				json_object_get_string(plot_jpath(res[i].doc, "system", "kernel", "release", NULL));
			char shown[256], *s;

			/* a legend is one line: control bytes shown as compare shows them */
			s = pt_xstrdup(pt_esc(rel && *rel ? rel : "unknown kernel", PT_ESC_TERM, shown, sizeof(shown)));
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
			res[i].label = plot_fmt("%s #%d", res[i].series, dup);
		}
	}
	return 0;
}

/* ---- role.op keys across all results ---- */

void plot_opkeys_add(struct plot_opkeys *k, const char *role, const char *op)
{
	for (size_t i = 0; i < k->n; i++)
		if (!strcmp(k->v[i].role, role) && !strcmp(k->v[i].op, op))
			return;
	k->v = pt_xrealloc(k->v, (k->n + 1) * sizeof(*k->v));
	if (!k->v)
		plot_oom();
	k->v[k->n].role = pt_xstrdup(role);
	k->v[k->n].op = pt_xstrdup(op);
	k->n++;
}

void plot_opkeys_free(struct plot_opkeys *k)
{
	for (size_t i = 0; i < k->n; i++) {
		free(k->v[i].role);
		free(k->v[i].op);
	}
	free(k->v);
}

void plot_collect_ops(const struct pt_plot *p, int timeline, struct plot_opkeys *k)
{
	for (size_t r = 0; r < p->nres; r++) {
		for (size_t rep = 0; rep < plot_nrepeats(&p->res[r]); rep++) {
			struct json_object *top =
				plot_jget(plot_repeat(&p->res[r], rep), timeline ? "timeline" : "workers");

			if (!top || !json_object_is_type(top, json_type_object))
				continue;
			json_object_object_foreach(top, role, rv)
			{
				struct json_object *ops = timeline ? rv : plot_jget(rv, "ops");

				if (!ops || !json_object_is_type(ops, json_type_object))
					continue;
				json_object_object_foreach(ops, op, ov)
				{
					(void)ov;
					plot_opkeys_add(k, role, op);
				}
			}
		}
	}
}

/* ---- one metric over repeats ---- */

int plot_metric_value(struct json_object *rep, const char *role, const char *op, const char *metric,
		      double *out)
{
	struct json_object *st = plot_op_stats(rep, role, op);
	/* where the statistic sits: the registry's line (include/ptbench/metric.h) */
	const struct pt_metric_def *d = pt_metric_stat(metric), *count = pt_metric_raw(PT_MS_HIST, "count");
	double cnt;

	if (!st || !d || !count || !pt_metric_get(st, count->key, &cnt) || cnt <= 0)
		return -1;
	return pt_metric_get(st, d->key, out) ? 0 : -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void plot_sort_values(double *v, size_t n)
{
	if (n)
		qsort(v, n, sizeof(double), cmp_double);
}

size_t plot_metric_repeats(const struct pt_plot_result *res, const char *role, const char *op, const char *metric,
			   double **valsp)
{
	size_t nrep = plot_nrepeats(res), got = 0;
	double *vals = pt_xcalloc(nrep + 1, sizeof(double));

	for (size_t k = 0; k < nrep; k++)
		if (!plot_metric_value(plot_repeat(res, k), role, op, metric, &vals[got]))
			got++;
	plot_sort_values(vals, got);
	*valsp = vals;
	return got;
}

double plot_median_sorted(const double *v, size_t n)
{
	/* one median for compare, plot and sweep: stats.c's */
	return pt_median(v, n);
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
