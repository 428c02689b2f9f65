/* `ptbench compare --format json`: one document for machines
 * (schema ptbench-compare/1). Non-finite numbers are null. */
#include <json-c/json.h>
#include <math.h>
#include <string.h>

#include "ptbench/compare.h"

static struct json_object *num(double v)
{
	return isfinite(v) ? json_object_new_double(v) : NULL;
}

static struct json_object *side_json(const struct pt_cmp_input *in)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "file", json_object_new_string(in->path));
	json_object_object_add(o, "kernel", json_object_new_string(in->kernel));
	json_object_object_add(o, "repeats", json_object_new_int64((int64_t)in->repeats));
	return o;
}

static struct json_object *series_json(const struct pt_series *s, double median, double spread)
{
	struct json_object *o = json_object_new_object(), *v = json_object_new_array();

	for (size_t i = 0; i < s->n; i++)
		json_object_array_add(v, json_object_new_double(s->v[i]));
	json_object_object_add(o, "n", json_object_new_int64((int64_t)s->n));
	json_object_object_add(o, "median", num(median));
	json_object_object_add(o, "iqr_rel", num(spread));
	json_object_object_add(o, "values", v);
	return o;
}

static struct json_object *metric_json(const struct pt_metric *m)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "metric", json_object_new_string(m->name));
	json_object_object_add(o, "better", json_object_new_string(m->higher_better ? "higher" : "lower"));
	json_object_object_add(o, "gated", json_object_new_boolean(m->gated));
	json_object_object_add(o, "reported", json_object_new_boolean(m->reported));
	json_object_object_add(o, "threshold", num(m->threshold));
	json_object_object_add(o, "baseline", series_json(&m->base, m->med_base, m->spread_base));
	json_object_object_add(o, "candidate", series_json(&m->cand, m->med_cand, m->spread_cand));
	json_object_object_add(o, "change", num(m->change));
	json_object_object_add(o, "p", num(m->p));
	json_object_object_add(o, "p_exact", json_object_new_boolean(m->p_exact));
	json_object_object_add(o, "verdict", json_object_new_string(pt_verdict_name(m->verdict)));
	json_object_object_add(o, "why", json_object_new_string(m->why));
	json_object_object_add(o, "kind", json_object_new_string(m->kind == PT_METRIC_STRUCT
									 ? "structural"
									 : "distribution"));
	json_object_object_add(o, "decided_by",
			       m->decided_by ? json_object_new_string(m->decided_by) : NULL);
	/* the smallest regression this run could have called: a fraction of
	 * the baseline median (null: none it could call, or not computed) and
	 * in the metric's unit */
	json_object_object_add(o, "min_detectable_change", num(m->mde));
	json_object_object_add(o, "min_detectable_change_abs", num(m->mde_abs));
	json_object_object_add(o, "tolerance", num(m->tolerance));
	/* the gross rule's word on a metric reported under --gate-on
	 * structural (null where it did not judge it) */
	if (m->gross) {
		struct json_object *gr = json_object_new_object();

		json_object_object_add(gr, "regressed", json_object_new_boolean(
			m->verdict == PT_VERDICT_REGRESSED && m->decided_by && !strcmp(m->decided_by, "gross")));
		json_object_object_add(gr, "worse_factor", num(m->worse_factor));
		json_object_object_add(gr, "min_detectable_factor", num(m->gross_mde));
		json_object_object_add(gr, "why", json_object_new_string(m->gross_why));
		json_object_object_add(o, "gross", gr);
	} else {
		json_object_object_add(o, "gross", NULL);
	}
	json_object_object_add(o, "repeats_needed",
			       m->repeats_needed ? json_object_new_int64((int64_t)m->repeats_needed)
						 : NULL);
	return o;
}

struct json_object *pt_cmp_json(const struct pt_cmp_report *r)
{
	struct json_object *doc = json_object_new_object(), *rule = json_object_new_object();
	struct json_object *cmps = json_object_new_array(), *warn = json_object_new_array();
	struct json_object *gate = json_object_new_object();

	json_object_object_add(doc, "schema", json_object_new_string("ptbench-compare/1"));
	json_object_object_add(doc, "scenario", json_object_new_string(r->scenario));
	json_object_object_add(rule, "test",
			       json_object_new_string("mann-whitney-u two-sided, or complete separation"));
	json_object_object_add(rule, "alpha", json_object_new_double(r->rule.alpha));
	json_object_object_add(rule, "threshold", json_object_new_double(r->rule.threshold));
	json_object_object_add(rule, "threshold_tail", json_object_new_double(r->rule.threshold_tail));
	json_object_object_add(rule, "min_repeats", json_object_new_int64((int64_t)r->rule.min_repeats));
	json_object_object_add(rule, "threshold_struct", json_object_new_double(r->rule.threshold_struct));
	json_object_object_add(rule, "struct_abs", json_object_new_double(r->rule.struct_abs));
	json_object_object_add(rule, "struct_tolerance_abs", json_object_new_double(r->rule.struct_tol_abs));
	json_object_object_add(rule, "tolerance", json_object_new_double(r->rule.tolerance));
	json_object_object_add(rule, "gross_factor", json_object_new_double(r->rule.gross_factor));
	json_object_object_add(rule, "gross_tolerance", json_object_new_double(r->rule.gross_tolerance));
	json_object_object_add(rule, "gross_min_repeats",
			       json_object_new_int64((int64_t)r->rule.gross_min_repeats));
	json_object_object_add(rule, "gross",
			       json_object_new_string(r->structural_only
							      ? "reported latency and ops/s: regressed when the "
								"median is gross_factor times worse with every "
								"repeat apart, gross_min_repeats a side"
							      : "not applied (--gate-on all)"));
	json_object_object_add(doc, "rule", rule);
	if (r->ncmp)
		json_object_object_add(doc, "baseline", side_json(r->cmp[0].base));
	for (size_t i = 0; i < r->ncmp; i++) {
		const struct pt_comparison *c = &r->cmp[i];
		struct json_object *o = json_object_new_object(), *ms = json_object_new_array();
		struct json_object *g = json_object_new_object();
		struct pt_gate_counts gc;

		/* --chain: each step has its own baseline, the result before it */
		if (r->chain)
			json_object_object_add(o, "baseline", side_json(c->base));
		json_object_object_add(o, "candidate", side_json(c->cand));
		for (size_t k = 0; k < c->n; k++)
			if (pt_cmp_listed(r, &c->m[k]))
				json_object_array_add(ms, metric_json(&c->m[k]));
		json_object_object_add(o, "metrics", ms);
		pt_cmp_gate_counts(c, &gc);
		json_object_object_add(g, "verdict", json_object_new_string(pt_cmp_gate_word(&gc)));
		json_object_object_add(g, "gated", json_object_new_int64((int64_t)gc.gated));
		json_object_object_add(g, "regressed", json_object_new_int64((int64_t)gc.regressed));
		json_object_object_add(g, "inconclusive", json_object_new_int64((int64_t)gc.inconclusive));
		json_object_object_add(g, "improved", json_object_new_int64((int64_t)gc.improved));
		json_object_object_add(g, "unchanged", json_object_new_int64((int64_t)gc.unchanged));
		json_object_object_add(g, "not_comparable", json_object_new_int64((int64_t)gc.not_comparable));
		json_object_object_add(g, "reported", json_object_new_int64((int64_t)gc.reported));
		json_object_object_add(g, "gross_regressed",
				       json_object_new_int64((int64_t)gc.gross_regressed));
		json_object_object_add(g, "reported_regressed",
				       json_object_new_int64((int64_t)gc.reported_regressed));
		json_object_object_add(o, "gate", g);
		json_object_array_add(cmps, o);
	}
	json_object_object_add(doc, "chain", json_object_new_boolean(r->chain));
	json_object_object_add(doc, "comparisons", cmps);
	json_object_object_add(gate, "enforced", json_object_new_boolean(r->gate));
	json_object_object_add(gate, "metrics_from", json_object_new_string(r->gate_from));
	json_object_object_add(gate, "on", json_object_new_string(r->structural_only ? "structural" : "all"));
	json_object_object_add(gate, "exit", json_object_new_int(r->exit_code));
	json_object_object_add(doc, "gate", gate);
	for (size_t i = 0; i < r->nwarnings; i++)
		json_object_array_add(warn, json_object_new_string(r->warnings[i]));
	json_object_object_add(doc, "warnings", warn);
	return doc;
}

void pt_cmp_json_print(struct json_object *doc, FILE *out)
{
	fprintf(out, "%s\n",
		json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
}

void pt_cmp_write_json(const struct pt_cmp_report *r, FILE *out)
{
	struct json_object *doc = pt_cmp_json(r);

	pt_cmp_json_print(doc, out);
	json_object_put(doc);
}
