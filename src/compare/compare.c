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
#include "ptbench/compare_extract.h"
#include "ptbench/result.h"
#include "ptbench/result_read.h"
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
	case PT_VERDICT_NOT_COMPARABLE:
		return "not comparable";
	}
	return "?";
}

/* ---- loading and checking inputs --------------------------------------- */

/* What pt_cmp_load keeps of a result read, and the --force checks. */
static int keep(const char *path, struct pt_result_file *f, bool force, struct pt_cmp_input *in,
		void (*warn)(void *ctx, const char *msg), void *ctx)
{
	char msg[512];

	if (f->foreign_schema) {
		snprintf(msg, sizeof(msg), "%s: schema %s is not %s; comparing anyway (--force)",
			 path, f->schema, PT_RESULT_SCHEMA);
		warn(ctx, msg);
	}
	in->path = path;
	in->doc = f->doc;
	in->kernel = f->kernel;
	in->repeats_total = f->repeats_total;
	in->repeats = f->repeats_used;
	in->scenario = f->scenario;
	in->headline = f->headline;
	if (!f->complete) {
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
		warn(ctx, msg);
	}
	return 0;
}

int pt_cmp_load(const char *path, bool force, struct pt_cmp_input *in,
		void (*warn)(void *ctx, const char *msg), void *ctx)
{
	struct pt_result_file f;

	memset(in, 0, sizeof(*in));
	/* pt_result_read says why; with --force a foreign schema version of a
	 * ptbench result is still read (the shape checks still apply) */
	if (pt_result_read(path, force ? PT_RESULT_READ_ANY_VERSION : 0, &f))
		return -1;
	return keep(path, &f, force, in, warn, ctx);
}

int pt_cmp_load_buffer(const char *path, const char *text, size_t len, bool force,
		       struct pt_cmp_input *in, void (*warn)(void *ctx, const char *msg), void *ctx)
{
	struct pt_result_file f;

	memset(in, 0, sizeof(*in));
	if (pt_result_read_buffer(path, text, len, force ? PT_RESULT_READ_ANY_VERSION : 0, &f))
		return -1;
	return keep(path, &f, force, in, warn, ctx);
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
			json_diff(d, sub, bv, pt_result_get(c, key));
		}
		json_object_object_foreach(c, ckey, cv)
		{
			if (!pt_result_get(b, ckey)) {
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
	json_diff(&d, "schema", pt_result_get(base->doc, "schema"), pt_result_get(cand->doc, "schema"));
	/* copies, so the ignored keys can be dropped */
	bs = pt_result_get(base->doc, "scenario");
	cs = pt_result_get(cand->doc, "scenario");
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
	json_diff(&d, "scenario.name", pt_result_get(bs, "name"), pt_result_get(cs, "name"));
	if (bo && co) {
		json_object_object_del(bs, "name");
		json_object_object_del(cs, "name");
	}
	json_diff(&d, "scenario", bs, cs);
	json_diff(&d, "sweep", pt_result_get(base->doc, "sweep"), pt_result_get(cand->doc, "sweep"));
	json_object_put(bs);
	json_object_put(cs);
	if (d.n > 8 && d.off < len)
		snprintf(buf + d.off, len - d.off, "%s: ... and %d more differences\n", cand->path,
			 d.n - 8);
	return d.n;
}

bool pt_cmp_has_lock_probe(const struct pt_cmp_input *in)
{
	struct json_object *reps = pt_result_get(in->doc, "repeats");
	size_t n = json_object_is_type(reps, json_type_array) ? json_object_array_length(reps) : 0;

	for (size_t k = 0; k < n; k++)
		if (pt_result_lock_probe(json_object_array_get_idx(reps, k)))
			return true;
	return false;
}

/* ---- metrics ----------------------------------------------------------- */

static struct pt_metric *take(struct pt_comparison *out, struct pt_cmp_named *from)
{
	struct pt_metric *m = &out->m[out->n++];

	memset(m, 0, sizeof(*m));
	m->name = from->name;
	m->higher_better = from->higher_better;
	m->tail = from->tail;
	m->shown = from->shown;
	m->kind = from->kind;
	m->def = from->def;
	m->tol_floor = from->def ? from->def->tol : PT_TOL_NONE;
	m->per_op = from->def && (from->def->kind == PT_MK_COUNT || from->def->kind == PT_MK_RATIO);
	m->gated_default = from->gated_default;
	from->name = NULL;
	return m;
}

/* A probe metric one side has and the other cannot have (the probe did not
 * run there, or counted something else): listed, never decided. */
static void not_comparable(struct pt_comparison *out, struct pt_cmp_named *from, const char *why)
{
	struct pt_metric *m = take(out, from);

	m->base.v = m->cand.v = NULL;
	m->change = m->p = m->mde = m->mde_abs = NAN;
	m->med_base = m->med_cand = m->spread_base = m->spread_cand = NAN;
	m->verdict = PT_VERDICT_NOT_COMPARABLE;
	snprintf(m->why, sizeof(m->why), "%s", why);
}

static bool is_lock_struct(const struct pt_cmp_named *n)
{
	return n->kind == PT_METRIC_STRUCT && n->probe == PT_CMP_PROBE_MMAP_LOCK;
}

static bool is_vma(const struct pt_cmp_named *n)
{
	return n->probe == PT_CMP_PROBE_VMA_LOCK;
}

static bool is_vma_struct(const struct pt_cmp_named *n)
{
	return n->kind == PT_METRIC_STRUCT && is_vma(n);
}

/* Why the side `other` (path) cannot have metric n that the other side has,
 * or NULL when it simply lacks it (an op it did not do): then n is left out. */
static const char *missing_why(const struct pt_cmp_named *n, const struct pt_cmp_namedlist *other,
			       const char *path, char *buf, size_t len)
{
	if (is_lock_struct(n) && !other->lock_repeats)
		snprintf(buf, len, "the mmap_lock probe did not run in %s: %s", path, other->lock_why);
	else if (is_vma_struct(n) && !other->vma_repeats)
		snprintf(buf, len, "the vma_lock probe did not run in %s: %s", path, other->vma_why);
	else if (is_vma_struct(n) && n->def && (n->def->flags & PT_MF_WRITE) && other->vma_write_why[0])
		snprintf(buf, len, "no VMA write locks in %s: %s", path, other->vma_write_why);
	else
		return NULL;
	return buf;
}

/* A percentile that too few repeats of a side can give because the others
 * saw no such event (a probe's), or too few ops or events for a percentile
 * (one op has no p99): why, in words, or NULL when both sides have enough
 * values to decide on */
static const char *no_events_why(const struct pt_cmp_named *b, const struct pt_cmp_named *c,
				 const struct pt_cmp_input *base, const struct pt_cmp_input *cand,
				 const struct pt_cmp_rule *rule, char *buf, size_t len)
{
	const struct pt_cmp_named *side[2] = { b, c };
	const struct pt_cmp_input *in[2] = { base, cand };
	size_t off = 0;

	if (b->s.n >= rule->min_repeats && c->s.n >= rule->min_repeats)
		return NULL;
	buf[0] = '\0';
	for (int k = 0; k < 2; k++)
		if (side[k]->empty && off < len)
			off += (size_t)snprintf(buf + off, len - off, "%sno such lock events in %zu of %zu repeats of %s",
						off ? "; " : "", side[k]->empty, side[k]->empty + side[k]->s.n,
						in[k]->path);
	for (int k = 0; k < 2; k++)
		if (side[k]->few && off < len)
			off += (size_t)snprintf(buf + off, len - off,
						"%stoo few %s for a %s in %zu of %zu repeats of %s (fewer than %u)",
						off ? "; " : "", side[k]->probe ? "events" : "ops",
						side[k]->def ? side[k]->def->name : "percentile", side[k]->few,
						side[k]->few + side[k]->empty + side[k]->s.n, in[k]->path,
						side[k]->def ? side[k]->def->min_count : 2);
	if (!off)
		return NULL; /* short of repeats for another reason: decided as such */
	if (off < len)
		snprintf(buf + off, len - off, " (a percentile of no events, or of one, is no measurement)");
	return buf;
}

void pt_cmp_build(const struct pt_cmp_input *base, const struct pt_cmp_input *cand,
		  const struct pt_cmp_rule *rule, struct pt_comparison *out)
{
	struct pt_cmp_namedlist b = { 0 }, c = { 0 };
	char why[1024]; /* cut to the metric's why by not_comparable */
	bool vma_same;

	pt_cmp_extract(base, &b);
	pt_cmp_extract(cand, &c);
	/* fexit and the tracepoints count fallbacks differently (the latter
	 * also a fault's mmap_lock for an anon_vma): no comparing across them */
	vma_same = !strcmp(b.vma_method, c.vma_method) && strcmp(b.vma_method, "mixed");
	out->base = base;
	out->cand = cand;
	/* room for every metric of b and those of c that b lacks; malloc, not
	 * calloc: take() clears each one used, and a metric is ~1 KiB, so
	 * clearing room for b.n + c.n of them was a good part of a compare */
	{
		size_t room = b.n + 1;

		for (size_t j = 0; j < c.n; j++)
			room += !pt_cmp_named_find(&b, c.v[j].name);
		out->m = pt_xmalloc(room * sizeof(*out->m));
	}
	out->n = 0;
	/* metrics present on both sides, in the baseline's order; an op with no
	 * counted values on one side still compares (as too few repeats) */
	for (size_t i = 0; i < b.n; i++) {
		struct pt_cmp_named *cn = pt_cmp_named_find(&c, b.v[i].name);
		struct pt_metric *m;

		if (!cn) {
			if (missing_why(&b.v[i], &c, cand->path, why, sizeof(why)))
				not_comparable(out, &b.v[i], why);
			continue;
		}
		if ((b.v[i].empty || cn->empty || b.v[i].few || cn->few) &&
		    no_events_why(&b.v[i], cn, base, cand, rule, why, sizeof(why))) {
			bool few = b.v[i].few || cn->few;

			/* a role (or mode) with no such events on a side: listed with
			 * --all-metrics as not comparable, or not at all when neither
			 * side has one; too few ops: not comparable, listed as the
			 * metric would be (a gated p99 of one op leaves the gate
			 * undecided, it does not pass) */
			if (b.v[i].s.n || cn->s.n || few) {
				not_comparable(out, &b.v[i], why);
				if (!few || b.v[i].probe)
					out->m[out->n - 1].shown = false;
			}
			continue;
		}
		if (is_vma(&b.v[i]) && !vma_same) {
			snprintf(why, sizeof(why), "the vma_lock probe counted by %s in %s and by %s in %s",
				 b.vma_method, base->path, c.vma_method, cand->path);
			not_comparable(out, &b.v[i], why);
			continue;
		}
		m = take(out, &b.v[i]);
		m->base = b.v[i].s;
		m->cand = cn->s;
		b.v[i].s.v = NULL;
		cn->s.v = NULL;
		pt_cmp_decide(rule, m);
	}
	for (size_t j = 0; j < c.n; j++)
		if (c.v[j].name && !pt_cmp_named_find(&b, c.v[j].name) &&
		    missing_why(&c.v[j], &b, base->path, why, sizeof(why)))
			not_comparable(out, &c.v[j], why);
	pt_cmp_namedlist_free(&b);
	pt_cmp_namedlist_free(&c);
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
				"p9999, max; structural and probe metrics: see "
				"`ptbench compare --all-metrics`)\n",
				from, tok, c->base->path, c->cand->path);
			ret = -1;
		}
	}
	free(copy);
	return ret;
}

void pt_cmp_gate_default(struct pt_comparison *c)
{
	/* the registry's PT_SHOW_GATED ops statistics (p99, ops_per_sec); the
	 * probes' wait/hold percentiles are listed, not gated */
	for (size_t i = 0; i < c->n; i++)
		if (c->m[i].kind == PT_METRIC_DIST && c->m[i].gated_default)
			c->m[i].gated = true;
}

bool pt_cmp_struct_gated_by_default(const struct pt_metric *m)
{
	/* the registry says which (PT_SHOW_GATED, and gate_unit: VMA lock
	 * fallbacks per fault only); waits, VMA lock attempts and
	 * thp_alloc_per_collapse are shown, gated only when named */
	return m->kind == PT_METRIC_STRUCT && m->verdict != PT_VERDICT_NOT_COMPARABLE && m->gated_default;
}

void pt_cmp_gate_structural(struct pt_comparison *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (pt_cmp_struct_gated_by_default(&c->m[i]))
			c->m[i].gated = true;
}

void pt_cmp_gate_structural_only(struct pt_comparison *c, const struct pt_cmp_rule *rule, bool named)
{
	for (size_t i = 0; i < c->n; i++) {
		struct pt_metric *m = &c->m[i];

		if (!m->gated || m->kind == PT_METRIC_STRUCT)
			continue;
		m->shown = true;
		/* a gross regression is gated after all: a tenfold latency
		 * in every boot is no emulator noise */
		if (pt_cmp_gross(rule, m))
			continue;
		if (!named) {
			m->gated = false;
			m->reported = true;
			continue;
		}
		/* named with --gate-metrics: gated, by the gross rule alone, so
		 * a bisect step or a CI job that names one latency metric gets a
		 * verdict: too few values for the rule is not comparable, and
		 * anything short of a gross change is no regression */
		if (m->verdict == PT_VERDICT_NOT_COMPARABLE || m->verdict == PT_VERDICT_IMPROVED)
			continue;
		m->decided_by = "gross";
		if (m->base.n < rule->gross_min_repeats || m->cand.n < rule->gross_min_repeats) {
			m->verdict = PT_VERDICT_NOT_COMPARABLE;
			snprintf(m->why, sizeof(m->why), "not comparable: %s", m->gross_why);
		} else if (!(m->gross_mde <= rule->gross_tolerance)) {
			m->verdict = PT_VERDICT_INCONCLUSIVE;
			snprintf(m->why, sizeof(m->why),
				 "no gross change found, but the boots are too spread to call one "
				 "under %gx (--gross-tolerance): %s",
				 rule->gross_tolerance, m->gross_why);
		} else {
			m->verdict = PT_VERDICT_UNCHANGED;
			snprintf(m->why, sizeof(m->why),
				 "no gross change (%s); under --gate-on structural a named latency or "
				 "ops/s metric is gated by the gross rule only",
				 m->gross_why);
		}
	}
}

const char *pt_cmp_gate_select(struct pt_comparison *c, const char *gate_metrics)
{
	const char *hl = c->base->headline;
	char from[4200];

	if (gate_metrics)
		return pt_cmp_set_gated(c, gate_metrics, "--gate-metrics") ? NULL : "--gate-metrics";
	if (hl && strspn(hl, ", \t") < strlen(hl)) {
		snprintf(from, sizeof(from), "%s: scenario.headline", c->base->path);
		if (pt_cmp_set_gated(c, hl, from))
			return NULL;
		pt_cmp_gate_structural(c);
		return "scenario headline + structural";
	}
	pt_cmp_gate_default(c);
	pt_cmp_gate_structural(c);
	return "default: every op's p99 and ops_per_sec + structural";
}

void pt_cmp_gate_counts(const struct pt_comparison *c, struct pt_gate_counts *g)
{
	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < c->n; i++) {
		if (c->m[i].reported) {
			g->reported++;
			g->reported_regressed += c->m[i].verdict == PT_VERDICT_REGRESSED;
		}
		if (!c->m[i].gated)
			continue;
		g->gated++;
		switch (c->m[i].verdict) {
		case PT_VERDICT_REGRESSED:
			g->regressed++;
			g->gross_regressed += c->m[i].decided_by && !strcmp(c->m[i].decided_by, "gross");
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
		case PT_VERDICT_NOT_COMPARABLE:
			g->not_comparable++;
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
		if (g.inconclusive || g.not_comparable || !g.gated)
			undecided = true;
	}
	return undecided ? 3 : 0;
}

const char *pt_cmp_fmt_value(const struct pt_metric *m, double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (m->kind == PT_METRIC_STRUCT)
		snprintf(buf, len, "%.3g", v);
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
	if (g->inconclusive || g->not_comparable || !g->gated)
		return "UNDECIDED";
	return "PASS";
}

const char *pt_cmp_fmt_mde(const struct pt_metric *m, char *buf, size_t len)
{
	if (m->kind == PT_METRIC_STRUCT && !isnan(m->mde_abs))
		snprintf(buf, len, "%.3g%s", m->mde_abs, m->per_op ? "/op" : "");
	else if (isnan(m->mde))
		snprintf(buf, len, "-");
	else if (isinf(m->mde))
		snprintf(buf, len, "none");
	else if (m->mde == 0)
		snprintf(buf, len, "0%%");
	else
		snprintf(buf, len, "%c%.0f%%", m->higher_better ? '-' : '+', 100 * m->mde);
	return buf;
}
