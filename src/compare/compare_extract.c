/* `compare`: the metrics of one result file, one value per used repeat,
 * built by iterating the metric registry (include/ptbench/metric.h, doc/
 * design.md "Metrics"): what a metric is called, which rule decides it and
 * whether it is shown or gated come from its registry line; here is only
 * where each scope's values sit in a repeat and what they are divided by.
 *
 * Distribution metrics: every op's statistics, and the lock probes'
 * wait/hold and write-wait percentiles. Structural metrics: each lock probe
 * count per unit op of its role (and, where the probe attributed events to
 * ops, per op of each kind), and the collapse proofs' ratios. A role the
 * probe saw nothing of has zero acquisitions, when the probe was available
 * in that repeat. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/compare_extract.h"
#include "ptbench/metric.h"
#include "ptbench/result_read.h"
#include "ptbench/util.h"

/* The unit op of each worker type, for results written before the worker
 * types declared it (struct pt_worker_type's unit_op, written as
 * repeats[k].workers.ROLE.unit_op): a fallback only, frozen. A new worker
 * type declares its unit op in its own file and needs no line here. Kept
 * here rather than read from the worker list so that the reader needs no
 * worker code and reads results of types this build does not have. (An
 * older table named `read` for pagemap-read and `write` for clear-refs, ops
 * those types never had; it then fell back to their only op, `walk` and
 * `clear`, which this table now names: the same answer.) */
static const struct {
	const char *type, *op;
} unit_ops[] = {
	{ "fault", "fault" },	    { "mmap-churn", "mmap" },	     { "smaps-read", "read" },
	{ "procmap-query", "query" }, { "shmem-collapse", "collapse" }, { "anon-collapse", "collapse" },
	{ "khugepaged", "collapse" }, { "mprotect-churn", "mprotect" }, { "pagemap-read", "walk" },
	{ "mincore", "mincore" },	    { "pte-reclaim", "zap" },	     { "clear-refs", "clear" },
	{ "shmem-punch", "punch" },
};

const char *pt_cmp_unit_op(const char *type)
{
	for (size_t i = 0; type && i < PT_ARRAY_SIZE(unit_ops); i++)
		if (!strcmp(unit_ops[i].type, type))
			return unit_ops[i].op;
	return NULL;
}

struct pt_cmp_named *pt_cmp_named_find(struct pt_cmp_namedlist *l, const char *name)
{
	int i = pt_strmap_get(&l->idx, name, strlen(name));

	return i >= 0 ? &l->v[i] : NULL;
}

static struct pt_cmp_named *named_get(struct pt_cmp_namedlist *l, const char *name)
{
	int i = pt_strmap_add(&l->idx, name, strlen(name), (int)l->n);

	if (i >= 0)
		return &l->v[i];
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = pt_xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n] = (struct pt_cmp_named){ .name = pt_xstrdup(name) };
	return &l->v[l->n++];
}

/* The metric name of def, its properties from the registry line; lock: a
 * lock's statistics (listed by lock_show, never gated by default); gated:
 * whether PT_SHOW_GATED applies here (gate_unit) */
static struct pt_cmp_named *named_def(struct pt_cmp_namedlist *l, const char *name,
				      const struct pt_metric_def *d, enum pt_cmp_probe probe, bool lock,
				      bool gate_ok)
{
	struct pt_cmp_named *m = named_get(l, name);
	enum pt_mshow show = lock ? d->lock_show : d->show;

	m->def = d;
	m->probe = probe;
	m->higher_better = d->higher_better;
	m->tail = d->tail;
	m->kind = d->kind == PT_MK_LATENCY || (d->scope == PT_MS_HIST && d->kind == PT_MK_RATE)
			  ? PT_METRIC_DIST
			  : PT_METRIC_STRUCT;
	m->gated_default = !lock && show == PT_SHOW_GATED && gate_ok;
	/* a structural metric gated elsewhere but not here is still shown */
	m->shown = show != PT_SHOW_ALL;
	return m;
}

static void named_add(struct pt_cmp_named *m, double v)
{
	if (m->s.n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 8;
		m->s.v = pt_xrealloc(m->s.v, m->cap * sizeof(double));
	}
	m->s.v[m->s.n++] = v;
}

static double count_of(struct json_object *o)
{
	double v = 0;

	return pt_result_num(o, "count", &v) ? v : 0;
}

/* One statistics object (pt_hist_to_json's shape) of one repeat: its
 * PT_MS_HIST metrics, PREFIX.NAME. lock: a lock probe's (a repeat where it
 * saw none of these events is counted as such, so that compare can say so
 * rather than "too few repeats"). */
static void add_opstats(struct pt_cmp_namedlist *l, const char *prefix, struct json_object *o, bool lock,
			enum pt_cmp_probe probe)
{
	const struct pt_metric_def *d;
	/* a boot the gate pooled sums its repeats' counts, while its
	 * percentiles are medians of the repeats': too few is per repeat */
	double n = count_of(o), v, per_repeat = n / (l->repeats_in_run >= 1 ? l->repeats_in_run : 1);
	char name[512];
	size_t i = 0;

	while ((d = pt_metric_next_in(PT_MS_HIST, &i))) {
		struct pt_cmp_named *m;

		if (!d->name || (lock && (d->flags & PT_MF_OPS_ONLY)))
			continue;
		snprintf(name, sizeof(name), "%s.%s", prefix, d->name);
		/* a percentile of nothing is not a measurement: no value (a
		 * throughput of nothing is 0) */
		if (!(n > 0) && d->min_count) {
			if (lock && json_object_is_type(pt_result_get(o, "ns"), json_type_object))
				named_def(l, name, d, probe, lock, true)->empty++;
			continue;
		}
		if (!pt_metric_get(o, d->key, &v))
			continue;
		m = named_def(l, name, d, probe, lock, true);
		/* nor is a percentile of too few */
		if (n > 0 && per_repeat < d->min_count)
			m->few++;
		else
			named_add(m, v);
	}
}

static const char *const lock_kinds[] = { "wait", "hold" }, *const lock_modes[] = { "read", "write" };

static void add_lockstats(struct pt_cmp_namedlist *l, const char *prefix, struct json_object *o)
{
	char name[512];

	for (size_t k = 0; k < 2; k++)
		for (size_t m = 0; m < 2; m++) {
			struct json_object *s = pt_result_get(pt_result_get(o, lock_kinds[k]), lock_modes[m]);

			if (!s)
				continue;
			snprintf(name, sizeof(name), "%s.%s.%s", prefix, lock_kinds[k], lock_modes[m]);
			add_opstats(l, name, s, true, PT_CMP_PROBE_MMAP_LOCK);
		}
}

const char *pt_cmp_role_unit_op(struct json_object *w)
{
	struct json_object *ops = pt_result_get(w, "ops"), *type = pt_result_get(w, "type");
	struct json_object *unit = pt_result_get(w, "unit_op");
	const char *op, *best = NULL;
	double most = -1;

	/* what the worker type declared, as the run recorded it */
	if (json_object_is_type(unit, json_type_string) &&
	    pt_result_get(ops, op = json_object_get_string(unit)))
		return op;
	/* a result from before unit_op: the frozen table, then the most frequent op */
	op = json_object_is_type(type, json_type_string) ? pt_cmp_unit_op(json_object_get_string(type)) : NULL;
	if (op && pt_result_get(ops, op))
		return op;
	if (!json_object_is_type(ops, json_type_object))
		return NULL;
	json_object_object_foreach(ops, name, o)
	{
		if (count_of(o) > most) {
			most = count_of(o);
			best = name;
		}
	}
	return best;
}

/* Whether the probe's roles carry per-op numbers in this repeat (the BPF
 * backend's roles.ROLE.ops.OP): its per_op flag where it has one, else
 * whether any role has ops; then a role or op absent there saw none */
static bool has_per_op(struct json_object *probe)
{
	struct json_object *roles = pt_result_get(probe, "roles"), *flag = pt_result_get(probe, "per_op");

	if (json_object_is_type(flag, json_type_boolean))
		return json_object_get_boolean(flag);

	if (!json_object_is_type(roles, json_type_object))
		return false;
	json_object_object_foreach(roles, role, r)
	{
		(void)role;
		if (json_object_is_type(pt_result_get(r, "ops"), json_type_object))
			return true;
	}
	return false;
}

bool pt_cmp_lock_value(struct json_object *rep, const char *role, const struct pt_metric_def *d,
		       const char *op, double *out, const char **unit)
{
	bool vma = d->scope == PT_MS_VMA_LOCK;
	struct json_object *pr = pt_result_probe(rep, vma ? "vma_lock" : "mmap_lock");
	struct json_object *w = pt_result_get(pt_result_get(rep, "workers"), role), *r, *wa;
	const char *u = op ? op : pt_cmp_role_unit_op(w);
	double n = u ? count_of(pt_result_get(pt_result_get(w, "ops"), u)) : 0, v = 0;

	if (unit)
		*unit = u;
	if (!pr || !(n > 0) || (d->scope != PT_MS_MMAP_LOCK && !vma))
		return false;
	wa = pt_result_get(pr, "write_wait_available");
	if ((d->flags & PT_MF_WRITE) && !(json_object_is_type(wa, json_type_boolean) && json_object_get_boolean(wa)))
		return false;
	/* a role the probe recorded nothing for is absent from roles: zero */
	r = pt_result_get(pt_result_get(pr, "roles"), role);
	if (op) {
		if ((d->flags & PT_MF_NO_PER_OP) || !has_per_op(pr))
			return false;
		r = pt_result_get(pt_result_get(r, "ops"), op);
	}
	pt_metric_get(r, d->key, &v);
	*out = v / n;
	return true;
}

/* A lock probe's structural metrics per role: per its unit op, and per op
 * where the probe attributed its events to ops. */
static void add_lock_structure(struct pt_cmp_namedlist *l, struct json_object *rep, enum pt_mscope scope)
{
	struct json_object *workers = pt_result_get(rep, "workers");
	const char *probe = scope == PT_MS_MMAP_LOCK ? "mmap_lock" : "vma_lock";
	enum pt_cmp_probe pk = scope == PT_MS_MMAP_LOCK ? PT_CMP_PROBE_MMAP_LOCK : PT_CMP_PROBE_VMA_LOCK;
	char name[512];

	if (!json_object_is_type(workers, json_type_object))
		return;
	json_object_object_foreach(workers, role, w)
	{
		struct json_object *ops = pt_result_get(w, "ops");
		const struct pt_metric_def *d;
		const char *unit;
		double v;
		size_t i = 0;

		while ((d = pt_metric_next_in(scope, &i))) {
			if (!d->name || !pt_cmp_lock_value(rep, role, d, NULL, &v, &unit))
				continue;
			snprintf(name, sizeof(name), "%s.roles.%s.%s.per_%s", probe, role, d->name, unit);
			named_add(named_def(l, name, d, pk, false, !d->gate_unit || !strcmp(d->gate_unit, unit)), v);
		}
		if (!json_object_is_type(ops, json_type_object))
			continue;
		json_object_object_foreach(ops, op, o)
		{
			(void)o;
			i = 0;
			while ((d = pt_metric_next_in(scope, &i))) {
				if (!d->name || !pt_cmp_lock_value(rep, role, d, op, &v, NULL))
					continue;
				snprintf(name, sizeof(name), "%s.roles.%s.ops.%s.%s.per_%s", probe, role, op, d->name,
					 op);
				named_add(named_def(l, name, d, pk, false, !d->gate_unit || !strcmp(d->gate_unit, op)),
					  v);
			}
		}
	}
}

/* repeats[k].probes.NAME when it ran; else NULL, and the first reason a
 * repeat gives for it not running is kept in why */
static struct json_object *probe_or_why(struct json_object *rep, const char *name, char *why, size_t len,
					const char *none)
{
	struct json_object *pr = pt_result_probe(rep, name), *w;

	if (pr || why[0])
		return pr;
	w = pt_result_get(pt_result_get(pt_result_get(rep, "probes"), name), "why");
	snprintf(why, len, "%s", json_object_is_type(w, json_type_string) ? json_object_get_string(w) : none);
	return NULL;
}

/* The vma_lock probe: the method it counted by (fexit or tracepoints
 * decide what a fallback is), kept for the comparison to check, and the
 * write waits' percentiles. Its counts per op: add_lock_structure. */
static void add_vma_lock(struct pt_cmp_namedlist *l, struct json_object *workers, struct json_object *vl)
{
	struct json_object *roles = pt_result_get(vl, "roles"), *wa = pt_result_get(vl, "write_wait_available");
	struct json_object *method = pt_result_get(vl, "method"), *wwhy = pt_result_get(vl, "write_wait_why");
	bool has_write = json_object_is_type(wa, json_type_boolean) && json_object_get_boolean(wa);
	const char *mname = json_object_is_type(method, json_type_string) ? json_object_get_string(method) : "?";
	char name[512], m[sizeof(l->vma_method)];

	/* compared as kept: a name longer than the buffer is cut the same way
	 * in every repeat */
	snprintf(m, sizeof(m), "%s", mname);
	if (!l->vma_repeats++)
		memcpy(l->vma_method, m, sizeof(m));
	else if (strcmp(l->vma_method, m))
		snprintf(l->vma_method, sizeof(l->vma_method), "mixed");
	if (!has_write && !l->vma_write_why[0])
		snprintf(l->vma_write_why, sizeof(l->vma_write_why), "%s",
			 json_object_is_type(wwhy, json_type_string) ? json_object_get_string(wwhy)
								     : "no VMA write locks in the result");
	if (!has_write)
		return;
	add_opstats(l, "vma_lock.write_wait", pt_result_get(vl, "write_wait"), true, PT_CMP_PROBE_VMA_LOCK);
	if (!json_object_is_type(workers, json_type_object))
		return;
	json_object_object_foreach(workers, role, w)
	{
		(void)w;
		snprintf(name, sizeof(name), "vma_lock.roles.%s.write_wait", role);
		add_opstats(l, name, pt_result_get(pt_result_get(roles, role), "write_wait"), true,
			    PT_CMP_PROBE_VMA_LOCK);
	}
}

/* What the roles proved (collapse, khugepaged): KEY per PER of each line. */
static void add_proof_structure(struct pt_cmp_namedlist *l, struct json_object *workers)
{
	static const struct {
		enum pt_mscope scope;
		const char *key;
	} proofs[] = { { PT_MS_COLLAPSE, "collapse" }, { PT_MS_KHUGEPAGED, "khugepaged" } };
	char name[512];

	if (!json_object_is_type(workers, json_type_object))
		return;
	json_object_object_foreach(workers, role, w)
	{
		for (size_t p = 0; p < PT_ARRAY_SIZE(proofs); p++) {
			struct json_object *o = pt_result_get(w, proofs[p].key);
			const struct pt_metric_def *d;
			size_t i = 0;
			double v, per;

			if (!o)
				continue;
			while ((d = pt_metric_next_in(proofs[p].scope, &i))) {
				if (!d->name || !d->per ||
				    !pt_metric_get(o, d->per, &per) || !(per > 0) || !pt_metric_get(o, d->key, &v))
					continue;
				snprintf(name, sizeof(name), "%s.%s.%s", role, proofs[p].key, d->name);
				named_add(named_def(l, name, d, PT_CMP_PROBE_NONE, false, true), v / per);
			}
		}
	}
}

void pt_cmp_extract(const struct pt_cmp_input *in, struct pt_cmp_namedlist *l)
{
	struct json_object *reps = pt_result_get(in->doc, "repeats");
	size_t n = json_object_is_type(reps, json_type_array) ? json_object_array_length(reps) : 0;

	for (size_t k = 0; k < n; k++) {
		struct json_object *rep = json_object_array_get_idx(reps, k), *ml, *vl, *workers;
		char prefix[512];

		/* the reader validated the shape; these checks only keep a
		 * document that skipped it from crashing the walk */
		if (!pt_result_repeat_used(rep) ||
		    !json_object_is_type(workers = pt_result_get(rep, "workers"), json_type_object))
			continue;
		if (!pt_result_num(rep, "repeats_in_run", &l->repeats_in_run))
			l->repeats_in_run = 1;
		json_object_object_foreach(workers, role, w)
		{
			struct json_object *ops = pt_result_get(w, "ops");

			if (!json_object_is_type(ops, json_type_object))
				continue;
			json_object_object_foreach(ops, op, o)
			{
				snprintf(prefix, sizeof(prefix), "%s.%s", role, op);
				add_opstats(l, prefix, o, false, PT_CMP_PROBE_NONE);
			}
		}
		add_proof_structure(l, workers);
		ml = probe_or_why(rep, "mmap_lock", l->lock_why, sizeof(l->lock_why),
				  "no mmap_lock probe in the result (--no-trace?)");
		if ((vl = probe_or_why(rep, "vma_lock", l->vma_why, sizeof(l->vma_why),
				       "no vma_lock probe in the result"))) {
			add_lock_structure(l, rep, PT_MS_VMA_LOCK);
			add_vma_lock(l, workers, vl);
		}
		if (!ml)
			continue;
		l->lock_repeats++;
		add_lock_structure(l, rep, PT_MS_MMAP_LOCK);
		add_lockstats(l, "mmap_lock", ml);
		if (!json_object_is_type(pt_result_get(ml, "roles"), json_type_object))
			continue;
		json_object_object_foreach(pt_result_get(ml, "roles"), prole, r)
		{
			snprintf(prefix, sizeof(prefix), "mmap_lock.roles.%s", prole);
			add_lockstats(l, prefix, r);
		}
	}
}

void pt_cmp_namedlist_free(struct pt_cmp_namedlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].s.v);
	}
	free(l->v);
	pt_strmap_free(&l->idx);
	memset(l, 0, sizeof(*l));
}
