/* `ptbench compare`: metrics from result files and the verdict rule.
 *
 * The unit of evidence is one value per repeat: repeat k's p99 of an op is
 * one number, and each side of a comparison is the list of those numbers.
 * Histograms are not pooled across repeats, because what varies between
 * kernels and boots is the repeat, not the op. */
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/compare.h"
#include "ptbench/result.h"
#include "ptbench/stats.h"
#include "ptbench/util.h"

const char *pt_verdict_name(enum pt_verdict v)
{
	switch (v) {
	case PT_VERDICT_UNCHANGED:
		return "unchanged";
	case PT_VERDICT_IMPROVED:
		return "improved";
	case PT_VERDICT_REGRESSED:
		return "regressed";
	case PT_VERDICT_INCONCLUSIVE:
		return "inconclusive";
	}
	return "?";
}

/* ---- the rule ---------------------------------------------------------- */

static void set_why(struct pt_metric *m, enum pt_verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_why(struct pt_metric *m, enum pt_verdict v, const char *fmt, ...)
{
	va_list ap;

	m->verdict = v;
	va_start(ap, fmt);
	vsnprintf(m->why, sizeof(m->why), fmt, ap);
	va_end(ap);
}

void pt_cmp_decide(const struct pt_cmp_rule *rule, struct pt_metric *m)
{
	struct pt_mwu t;
	double noise, mag;
	bool worse;

	m->threshold = m->tail ? rule->threshold_tail : rule->threshold;
	m->med_base = pt_median(m->base.v, m->base.n);
	m->med_cand = pt_median(m->cand.v, m->cand.n);
	m->spread_base = pt_rel_iqr(m->base.v, m->base.n);
	m->spread_cand = pt_rel_iqr(m->cand.v, m->cand.n);
	m->p = NAN;
	m->p_exact = false;
	if (m->base.n && m->med_base != 0)
		m->change = (m->med_cand - m->med_base) / fabs(m->med_base);
	else if (m->base.n && m->cand.n)
		m->change = m->med_cand == 0 ? 0 : copysign(INFINITY, m->med_cand);
	else
		m->change = NAN;

	if (m->base.n < rule->min_repeats || m->cand.n < rule->min_repeats) {
		set_why(m, PT_VERDICT_INCONCLUSIVE, "too few repeats: %zu vs %zu, need %zu a side",
			m->base.n, m->cand.n, rule->min_repeats);
		return;
	}
	pt_mwu(m->cand.v, m->cand.n, m->base.v, m->base.n, PT_MWU_AUTO, &t);
	m->p = t.p;
	m->p_exact = t.exact;
	noise = fmax(m->spread_base, m->spread_cand);
	mag = fabs(m->change);
	worse = m->higher_better ? m->change < 0 : m->change > 0;

	if (mag >= m->threshold) {
		if (m->p >= rule->alpha) {
			double minp = pt_mwu_min_p(m->base.n, m->cand.n);

			if (minp >= rule->alpha)
				set_why(m, PT_VERDICT_INCONCLUSIVE,
					"not significant: %zu vs %zu repeats cannot give p < %g "
					"(smallest possible %.3f)",
					m->base.n, m->cand.n, rule->alpha, minp);
			else
				set_why(m, PT_VERDICT_INCONCLUSIVE, "not significant: p %.3f >= %g",
					m->p, rule->alpha);
		} else if (mag <= noise) {
			set_why(m, PT_VERDICT_INCONCLUSIVE,
				"spread swamps it: IQR/median %.0f%% >= change %.0f%%", 100 * noise,
				100 * mag);
		} else {
			set_why(m, worse ? PT_VERDICT_REGRESSED : PT_VERDICT_IMPROVED,
				"p %.3f < %g, |change| %.1f%% >= %.0f%%, > spread %.0f%%", m->p,
				rule->alpha, 100 * mag, 100 * m->threshold, 100 * noise);
		}
	} else if (noise > m->threshold) {
		set_why(m, PT_VERDICT_INCONCLUSIVE,
			"too noisy to rule out a %.0f%% change: IQR/median %.0f%%",
			100 * m->threshold, 100 * noise);
	} else {
		set_why(m, PT_VERDICT_UNCHANGED, "|change| %.1f%% < %.0f%%, spread %.0f%%",
			100 * mag, 100 * m->threshold, 100 * noise);
	}
}

/* ---- loading and checking inputs --------------------------------------- */

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o && json_object_is_type(o, json_type_object))
		json_object_object_get_ex(o, key, &v);
	return v;
}

static bool repeat_used(struct json_object *rep)
{
	struct json_object *c = get(rep, "complete");

	/* a repeat that says nothing is taken: only an explicit false drops it */
	return !c || json_object_get_boolean(c);
}

int pt_cmp_load(const char *path, bool force, struct pt_cmp_input *in,
		void (*warn)(const char *msg))
{
	struct json_object *doc = pt_result_load(path), *reps, *complete, *schema;
	char msg[512];

	memset(in, 0, sizeof(*in));
	if (!doc) {
		/* pt_result_load said why; with --force a foreign schema version
		 * of a ptbench result is still read */
		if (!force)
			return -1;
		char *text = pt_read_regular_file(path, PT_RESULT_MAX_BYTES, NULL);

		doc = text ? json_tokener_parse(text) : NULL;
		free(text);
		schema = get(doc, "schema");
		if (!schema || !json_object_is_type(schema, json_type_string) ||
		    strncmp(json_object_get_string(schema), "ptbench-result/", 15) ||
		    !json_object_is_type(get(doc, "repeats"), json_type_array)) {
			fprintf(stderr, "%s: cannot be compared, even with --force\n", path);
			json_object_put(doc);
			return -1;
		}
		snprintf(msg, sizeof(msg), "%s: schema %s is not %s; comparing anyway (--force)",
			 path, json_object_get_string(schema), PT_RESULT_SCHEMA);
		warn(msg);
	}
	reps = get(doc, "repeats");
	if (!json_object_is_type(reps, json_type_array)) {
		fprintf(stderr, "%s: not a ptbench result: \"repeats\" is not an array\n", path);
		json_object_put(doc);
		return -1;
	}
	in->path = path;
	in->doc = doc;
	in->kernel = json_object_get_string(get(get(get(doc, "system"), "kernel"), "release"));
	if (!in->kernel)
		in->kernel = "?";
	in->repeats_total = json_object_array_length(reps);
	for (size_t k = 0; k < in->repeats_total; k++)
		in->repeats += repeat_used(json_object_array_get_idx(reps, k));
	complete = get(doc, "complete");
	if (!complete || !json_object_get_boolean(complete)) {
		if (!force) {
			fprintf(stderr,
				"%s: incomplete run (\"complete\": false: interrupted or failed); "
				"re-run it, or use --force to compare its %zu complete repeat(s)\n",
				path, in->repeats);
			pt_cmp_input_free(in);
			return -1;
		}
		snprintf(msg, sizeof(msg),
			 "%s: incomplete run; comparing its %zu complete repeat(s) of %zu (--force)",
			 path, in->repeats, in->repeats_total);
		warn(msg);
	}
	return 0;
}

void pt_cmp_input_free(struct pt_cmp_input *in)
{
	json_object_put(in->doc);
	in->doc = NULL;
}

struct diffbuf {
	char *buf;
	size_t len, off;
	int n;
	const char *cand, *base;
};

static void diff_add(struct diffbuf *d, const char *path, struct json_object *b,
		     struct json_object *c)
{
	if (d->n++ >= 8 || d->off >= d->len)
		return; /* counted, not printed: the first few say enough */
	d->off += (size_t)snprintf(d->buf + d->off, d->len - d->off,
				   "%s: %s differs from %s: %s vs %s\n", d->cand, path, d->base,
				   c ? json_object_to_json_string(c) : "(absent)",
				   b ? json_object_to_json_string(b) : "(absent)");
}

/* Report where two JSON trees differ, by path. */
static void json_diff(struct diffbuf *d, const char *path, struct json_object *b,
		      struct json_object *c)
{
	char sub[512];

	if (!b || !c || json_object_get_type(b) != json_object_get_type(c)) {
		if (b || c)
			diff_add(d, path, b, c);
		return;
	}
	if (json_object_is_type(b, json_type_object)) {
		json_object_object_foreach(b, key, bv)
		{
			snprintf(sub, sizeof(sub), "%s.%s", path, key);
			json_diff(d, sub, bv, get(c, key));
		}
		json_object_object_foreach(c, ckey, cv)
		{
			if (!get(b, ckey)) {
				snprintf(sub, sizeof(sub), "%s.%s", path, ckey);
				diff_add(d, sub, NULL, cv);
			}
		}
		return;
	}
	if (!json_object_equal(b, c))
		diff_add(d, path, b, c);
}

int pt_cmp_mismatches(const struct pt_cmp_input *base, const struct pt_cmp_input *cand, char *buf,
		      size_t len)
{
	/* keys of "scenario" that do not change what was measured */
	static const char *const ignored[] = { "file", "description", "repeat" };
	struct diffbuf d = { buf, len, 0, 0, cand->path, base->path };
	struct json_object *bs, *cs;

	buf[0] = '\0';
	json_diff(&d, "schema", get(base->doc, "schema"), get(cand->doc, "schema"));
	/* copies, so the ignored keys can be dropped */
	bs = get(base->doc, "scenario");
	cs = get(cand->doc, "scenario");
	bs = bs ? json_tokener_parse(json_object_to_json_string(bs)) : NULL;
	cs = cs ? json_tokener_parse(json_object_to_json_string(cs)) : NULL;
	/* json_object_object_del asserts an object: "scenario" may be anything
	 * in a hand-edited file (found by tests/fuzz/fuzz_result) */
	bool bo = json_object_is_type(bs, json_type_object), co = json_object_is_type(cs, json_type_object);

	for (size_t i = 0; i < PT_ARRAY_SIZE(ignored); i++) {
		if (bo)
			json_object_object_del(bs, ignored[i]);
		if (co)
			json_object_object_del(cs, ignored[i]);
	}
	/* the name first, so the message leads with what matters most */
	json_diff(&d, "scenario.name", get(bs, "name"), get(cs, "name"));
	if (bo && co) {
		json_object_object_del(bs, "name");
		json_object_object_del(cs, "name");
	}
	json_diff(&d, "scenario", bs, cs);
	json_diff(&d, "sweep", get(base->doc, "sweep"), get(cand->doc, "sweep"));
	json_object_put(bs);
	json_object_put(cs);
	if (d.n > 8 && d.off < len)
		snprintf(buf + d.off, len - d.off, "%s: ... and %d more differences\n", cand->path,
			 d.n - 8);
	return d.n;
}

bool pt_cmp_has_lock_probe(const struct pt_cmp_input *in)
{
	struct json_object *reps = get(in->doc, "repeats");

	for (size_t k = 0; k < json_object_array_length(reps); k++) {
		struct json_object *ml = get(get(json_object_array_get_idx(reps, k), "probes"),
					     "mmap_lock");

		if (ml && json_object_get_boolean(get(ml, "available")))
			return true;
	}
	return false;
}

/* ---- metrics ----------------------------------------------------------- */

struct named {
	char *name;
	bool higher_better, tail, shown;
	struct pt_series s;
	size_t cap;
};

struct namedlist {
	struct named *v;
	size_t n, cap;
};

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (!q) {
		fprintf(stderr, "ptbench: out of memory\n");
		exit(5);
	}
	return q;
}

static struct named *named_get(struct namedlist *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n] = (struct named){ .name = pt_xstrdup(name) };
	return &l->v[l->n++];
}

static void named_add(struct namedlist *l, const char *name, double v, bool higher_better,
		      bool tail, bool shown)
{
	struct named *m = named_get(l, name);

	if (m->s.n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 8;
		m->s.v = xrealloc(m->s.v, m->cap * sizeof(double));
	}
	m->s.v[m->s.n++] = v;
	m->higher_better = higher_better;
	m->tail = tail;
	m->shown = shown;
}

static const struct {
	const char *key;
	bool tail, shown;
} pct_stats[] = {
	{ "p50", false, true },  { "p90", false, false }, { "p99", true, true },
	{ "p999", true, true },  { "p9999", true, false }, { "max", true, true },
};

/* One op-statistics object (pt_hist_to_json's shape) of one repeat. */
static void add_opstats(struct namedlist *l, const char *prefix, struct json_object *o,
			bool with_rate, bool probe)
{
	struct json_object *ns = get(o, "ns"), *v;
	char name[512];
	bool any = json_object_get_int64(get(o, "count")) > 0;

	if (with_rate && (v = get(o, "ops_per_sec"))) {
		snprintf(name, sizeof(name), "%s.ops_per_sec", prefix);
		named_add(l, name, json_object_get_double(v), true, false, true);
	}
	/* a percentile of nothing is not a measurement: such a repeat gives no value */
	for (size_t i = 0; any && ns && i < PT_ARRAY_SIZE(pct_stats); i++) {
		if (!(v = get(ns, pct_stats[i].key)))
			continue;
		snprintf(name, sizeof(name), "%s.%s", prefix, pct_stats[i].key);
		/* lock statistics come in dozens: p99 and max by default, the rest
		 * with --all-metrics */
		named_add(l, name, json_object_get_double(v), false, pct_stats[i].tail,
			  probe ? !strcmp(pct_stats[i].key, "p99") || !strcmp(pct_stats[i].key, "max")
				: pct_stats[i].shown);
	}
}

static void add_lockstats(struct namedlist *l, const char *prefix, struct json_object *o)
{
	static const char *const kinds[] = { "wait", "hold" }, *const modes[] = { "read", "write" };
	char name[512];

	for (size_t k = 0; k < 2; k++)
		for (size_t m = 0; m < 2; m++) {
			struct json_object *s = get(get(o, kinds[k]), modes[m]);

			if (!s)
				continue;
			snprintf(name, sizeof(name), "%s.%s.%s", prefix, kinds[k], modes[m]);
			add_opstats(l, name, s, false, true);
		}
}

static void extract(const struct pt_cmp_input *in, struct namedlist *l)
{
	struct json_object *reps = get(in->doc, "repeats");

	for (size_t k = 0; k < json_object_array_length(reps); k++) {
		struct json_object *rep = json_object_array_get_idx(reps, k), *ml;
		char prefix[512];

		if (!repeat_used(rep))
			continue;
		json_object_object_foreach(get(rep, "workers"), role, w)
		{
			json_object_object_foreach(get(w, "ops"), op, o)
			{
				snprintf(prefix, sizeof(prefix), "%s.%s", role, op);
				add_opstats(l, prefix, o, true, false);
			}
		}
		ml = get(get(rep, "probes"), "mmap_lock");
		if (!ml || !json_object_get_boolean(get(ml, "available")))
			continue;
		add_lockstats(l, "mmap_lock", ml);
		json_object_object_foreach(get(ml, "roles"), prole, r)
		{
			snprintf(prefix, sizeof(prefix), "mmap_lock.roles.%s", prole);
			add_lockstats(l, prefix, r);
		}
	}
}

static void namedlist_free(struct namedlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].s.v);
	}
	free(l->v);
}

void pt_cmp_build(const struct pt_cmp_input *base, const struct pt_cmp_input *cand,
		  const struct pt_cmp_rule *rule, struct pt_comparison *out)
{
	struct namedlist b = { 0 }, c = { 0 };

	extract(base, &b);
	extract(cand, &c);
	out->base = base;
	out->cand = cand;
	out->m = pt_xcalloc(b.n ? b.n : 1, sizeof(*out->m));
	out->n = 0;
	/* metrics present on both sides, in the baseline's order; an op with no
	 * counted values on one side still compares (as too few repeats) */
	for (size_t i = 0; i < b.n; i++) {
		struct named *cn = NULL;
		struct pt_metric *m;

		for (size_t j = 0; j < c.n && !cn; j++)
			if (!strcmp(c.v[j].name, b.v[i].name))
				cn = &c.v[j];
		if (!cn)
			continue;
		m = &out->m[out->n++];
		m->name = b.v[i].name;
		m->higher_better = b.v[i].higher_better;
		m->tail = b.v[i].tail;
		m->shown = b.v[i].shown;
		m->base = b.v[i].s;
		m->cand = cn->s;
		b.v[i].name = NULL;
		b.v[i].s.v = NULL;
		cn->s.v = NULL;
		pt_cmp_decide(rule, m);
	}
	namedlist_free(&b);
	namedlist_free(&c);
}

void pt_comparison_free(struct pt_comparison *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->m[i].name);
		free(c->m[i].base.v);
		free(c->m[i].cand.v);
	}
	free(c->m);
	c->m = NULL;
	c->n = 0;
}

/* ---- the gate ---------------------------------------------------------- */

int pt_cmp_set_gated(struct pt_comparison *c, const char *list, const char *from)
{
	char *copy = pt_xstrdup(list), *save = NULL, *tok;
	int ret = 0;

	for (tok = strtok_r(copy, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		bool found = false;

		for (size_t i = 0; i < c->n; i++)
			if (!strcmp(c->m[i].name, tok))
				found = c->m[i].gated = true;
		if (!found) {
			fprintf(stderr,
				"%s: gate metric '%s' is not in both %s and %s "
				"(ROLE.OP.METRIC, METRIC one of ops_per_sec, p50, p90, p99, p999, "
				"p9999, max; see `ptbench compare --all-metrics`)\n",
				from, tok, c->base->path, c->cand->path);
			ret = -1;
		}
	}
	free(copy);
	return ret;
}

void pt_cmp_gate_default(struct pt_comparison *c)
{
	for (size_t i = 0; i < c->n; i++) {
		const char *stat = strrchr(c->m[i].name, '.');

		if (strncmp(c->m[i].name, "mmap_lock.", 10) && stat &&
		    (!strcmp(stat, ".p99") || !strcmp(stat, ".ops_per_sec")))
			c->m[i].gated = true;
	}
}

void pt_cmp_gate_counts(const struct pt_comparison *c, struct pt_gate_counts *g)
{
	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < c->n; i++) {
		if (!c->m[i].gated)
			continue;
		g->gated++;
		switch (c->m[i].verdict) {
		case PT_VERDICT_REGRESSED:
			g->regressed++;
			break;
		case PT_VERDICT_INCONCLUSIVE:
			g->inconclusive++;
			break;
		case PT_VERDICT_IMPROVED:
			g->improved++;
			break;
		case PT_VERDICT_UNCHANGED:
			g->unchanged++;
			break;
		}
	}
}

int pt_cmp_gate_exit(const struct pt_cmp_report *r)
{
	bool undecided = false;

	for (size_t i = 0; i < r->ncmp; i++) {
		struct pt_gate_counts g;

		pt_cmp_gate_counts(&r->cmp[i], &g);
		if (g.regressed)
			return 1;
		/* no gated metric at all is no evidence either */
		if (g.inconclusive || !g.gated)
			undecided = true;
	}
	return undecided ? 3 : 0;
}

const char *pt_cmp_fmt_value(const struct pt_metric *m, double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (m->higher_better)
		snprintf(buf, len, "%.1f", v);
	else
		pt_fmt_ns(v, buf, len);
	return buf;
}

const char *pt_cmp_fmt_change(double change, char *buf, size_t len)
{
	if (isnan(change))
		snprintf(buf, len, "-");
	else if (isinf(change))
		snprintf(buf, len, "%cinf%%", change > 0 ? '+' : '-');
	else
		snprintf(buf, len, "%+.1f%%", 100 * change);
	return buf;
}

const char *pt_cmp_fmt_p(double p, char *buf, size_t len)
{
	if (isnan(p))
		snprintf(buf, len, "-");
	else if (p < 0.001)
		snprintf(buf, len, "<0.001");
	else
		snprintf(buf, len, "%.3f", p);
	return buf;
}

bool pt_cmp_listed(const struct pt_cmp_report *r, const struct pt_metric *m)
{
	return r->all || m->shown || m->gated;
}

const char *pt_cmp_gate_word(const struct pt_gate_counts *g)
{
	if (g->regressed)
		return "FAIL";
	if (g->inconclusive || !g->gated)
		return "UNDECIDED";
	return "PASS";
}
