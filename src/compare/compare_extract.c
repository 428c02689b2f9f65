/* `compare`: the metrics of one result file, one value per used repeat.
 *
 * Distribution metrics: every op's ops_per_sec and percentiles, and the
 * mmap_lock probe's wait/hold percentiles. Structural metrics: per role,
 * mmap_lock acquisitions (holds begun: a downgrade begins a read hold),
 * waits (lock calls that went through the blocking path) and failed
 * trylocks, each per unit of the role's work; from the vma_lock probe, per
 * role, faults that fell back to mmap_lock, VMA lock attempts and VMA write
 * locks per unit of work (and the write waits' percentiles); and the
 * collapse proof's success rate and THPs per collapse. A role the probe saw
 * nothing of has zero acquisitions, when the probe was available in that
 * repeat. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/compare_extract.h"
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

static struct pt_cmp_named *named_get(struct pt_cmp_namedlist *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = pt_xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n] = (struct pt_cmp_named){ .name = pt_xstrdup(name) };
	return &l->v[l->n++];
}

static void named_add(struct pt_cmp_namedlist *l, const char *name, double v, bool higher_better,
		      bool tail, bool shown, enum pt_metric_kind kind)
{
	struct pt_cmp_named *m = named_get(l, name);

	if (m->s.n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 8;
		m->s.v = pt_xrealloc(m->s.v, m->cap * sizeof(double));
	}
	m->s.v[m->s.n++] = v;
	m->higher_better = higher_better;
	m->tail = tail;
	m->shown = shown;
	m->kind = kind;
}

static double count_of(struct json_object *o)
{
	double v = 0;

	return pt_result_num(o, "count", &v) ? v : 0;
}

static const struct {
	const char *key;
	bool tail, shown;
} pct_stats[] = {
	{ "p50", false, true },	 { "p90", false, false }, { "p99", true, true },
	{ "p999", true, true },	 { "p9999", true, false }, { "max", true, true },
};

/* One op-statistics object (pt_hist_to_json's shape) of one repeat. */
static void add_opstats(struct pt_cmp_namedlist *l, const char *prefix, struct json_object *o,
			bool with_rate, bool probe)
{
	struct json_object *ns = pt_result_get(o, "ns");
	char name[512];
	double v;

	if (with_rate && pt_result_num(o, "ops_per_sec", &v)) {
		snprintf(name, sizeof(name), "%s.ops_per_sec", prefix);
		named_add(l, name, v, true, false, true, PT_METRIC_DIST);
	}
	/* a percentile of nothing is not a measurement: such a repeat gives no
	 * value; for a probe it is counted as a repeat with no events, so that
	 * compare can say so rather than "too few repeats" */
	if (probe && !(count_of(o) > 0) && json_object_is_type(ns, json_type_object)) {
		for (size_t i = 0; i < PT_ARRAY_SIZE(pct_stats); i++) {
			struct pt_cmp_named *m;

			snprintf(name, sizeof(name), "%s.%s", prefix, pct_stats[i].key);
			m = named_get(l, name);
			m->empty++;
			m->tail = pct_stats[i].tail;
			m->shown = !strcmp(pct_stats[i].key, "p99") || !strcmp(pct_stats[i].key, "max");
			m->kind = PT_METRIC_DIST;
		}
		return;
	}
	for (size_t i = 0; count_of(o) > 0 && i < PT_ARRAY_SIZE(pct_stats); i++) {
		if (!pt_result_num(ns, pct_stats[i].key, &v))
			continue;
		snprintf(name, sizeof(name), "%s.%s", prefix, pct_stats[i].key);
		/* lock statistics come in dozens: p99 and max by default, the rest
		 * with --all-metrics */
		named_add(l, name, v, false, pct_stats[i].tail,
			  probe ? !strcmp(pct_stats[i].key, "p99") || !strcmp(pct_stats[i].key, "max")
				: pct_stats[i].shown,
			  PT_METRIC_DIST);
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
			add_opstats(l, name, s, false, true);
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

/* Lock acquisitions, waits and failed trylocks per unit op of each role. */
static void add_lock_structure(struct pt_cmp_namedlist *l, struct json_object *workers,
			       struct json_object *ml)
{
	struct json_object *roles = pt_result_get(ml, "roles");
	char name[512];

	if (!json_object_is_type(workers, json_type_object))
		return;
	json_object_object_foreach(workers, role, w)
	{
		const char *op = pt_cmp_role_unit_op(w);
		double n = op ? count_of(pt_result_get(pt_result_get(w, "ops"), op)) : 0, ft = 0;
		/* a role the probe recorded nothing for is absent from roles: zero */
		struct json_object *r = pt_result_get(roles, role);

		if (!(n > 0))
			continue; /* no unit of work done: no ratio */
		for (size_t m = 0; m < 2; m++) {
			snprintf(name, sizeof(name), "mmap_lock.roles.%s.acquisitions.%s.per_%s", role,
				 lock_modes[m], op);
			named_add(l, name,
				  count_of(pt_result_get(pt_result_get(r, "hold"), lock_modes[m])) / n,
				  false, false, true, PT_METRIC_STRUCT);
			snprintf(name, sizeof(name), "mmap_lock.roles.%s.waits.%s.per_%s", role,
				 lock_modes[m], op);
			named_add(l, name,
				  count_of(pt_result_get(pt_result_get(r, "wait"), lock_modes[m])) / n,
				  false, false, false, PT_METRIC_STRUCT);
		}
		snprintf(name, sizeof(name), "mmap_lock.roles.%s.failed_trylocks.per_%s", role, op);
		pt_result_num(r, "failed_trylocks", &ft);
		named_add(l, name, ft / n, false, false, true, PT_METRIC_STRUCT);
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

/* Per role: faults that fell back to mmap_lock, VMA lock attempts and VMA
 * write locks per unit op; the write waits' percentiles. The method (fexit
 * or tracepoints) decides what a fallback is, so it is kept for the
 * comparison to check. */
static void add_vma_structure(struct pt_cmp_namedlist *l, struct json_object *workers, struct json_object *vl)
{
	/* the per-role counts, per unit op: attempts repeat the faults (listed
	 * with --all-metrics); write locks only where the kernel shows them */
	static const struct {
		const char *key;
		bool shown, write;
	} vma_counts[] = {
		{ "fallbacks", true, false },
		{ "attempts", false, false },
		{ "write_locks", true, true },
	};
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
	if (has_write)
		add_opstats(l, "vma_lock.write_wait", pt_result_get(vl, "write_wait"), false, true);
	if (!json_object_is_type(workers, json_type_object))
		return;
	json_object_object_foreach(workers, role, w)
	{
		const char *op = pt_cmp_role_unit_op(w);
		double n = op ? count_of(pt_result_get(pt_result_get(w, "ops"), op)) : 0, v;
		/* a role absent from roles had no thread: zero, as for mmap_lock */
		struct json_object *r = pt_result_get(roles, role);

		if (!(n > 0))
			continue;
		for (size_t i = 0; i < PT_ARRAY_SIZE(vma_counts); i++) {
			if (vma_counts[i].write && !has_write)
				continue;
			snprintf(name, sizeof(name), "vma_lock.roles.%s.%s.per_%s", role, vma_counts[i].key, op);
			named_add(l, name, (pt_result_num(r, vma_counts[i].key, &v) ? v : 0) / n, false, false,
				  vma_counts[i].shown, PT_METRIC_STRUCT);
		}
		if (!has_write)
			continue;
		snprintf(name, sizeof(name), "vma_lock.roles.%s.write_wait", role);
		add_opstats(l, name, pt_result_get(r, "write_wait"), false, true);
	}
}

/* The collapse proof: success rate and THPs per collapse attempt. */
static void add_collapse_structure(struct pt_cmp_namedlist *l, struct json_object *workers)
{
	char name[512];

	if (!json_object_is_type(workers, json_type_object))
		return;
	json_object_object_foreach(workers, role, w)
	{
		struct json_object *c = pt_result_get(w, "collapse"), *k = pt_result_get(w, "khugepaged");
		double attempts = 0, succeeded = 0, pmds = 0, alloc = 0, iters = 0, timeouts = 0;

		if (c && pt_result_num(c, "attempts", &attempts) && attempts > 0) {
			if (pt_result_num(c, "succeeded", &succeeded)) {
				snprintf(name, sizeof(name), "%s.collapse.success_rate", role);
				named_add(l, name, succeeded / attempts, true, false, true, PT_METRIC_STRUCT);
			}
			if (pt_result_num(c, "pmds_collapsed", &pmds)) {
				snprintf(name, sizeof(name), "%s.collapse.pmds_per_collapse", role);
				named_add(l, name, pmds / attempts, true, false, true, PT_METRIC_STRUCT);
			}
			/* system-wide: another process's collapses count too */
			if (pt_result_num(pt_result_get(c, "vmstat_delta"), "thp_collapse_alloc", &alloc)) {
				snprintf(name, sizeof(name), "%s.collapse.thp_alloc_per_collapse", role);
				named_add(l, name, alloc / attempts, true, false, false, PT_METRIC_STRUCT);
			}
		}
		if (k && pt_result_num(k, "iterations", &iters) && iters > 0) {
			if (pt_result_num(k, "pmds_collapsed", &pmds)) {
				snprintf(name, sizeof(name), "%s.khugepaged.pmds_per_iteration", role);
				named_add(l, name, pmds / iters, true, false, true, PT_METRIC_STRUCT);
			}
			if (pt_result_num(k, "timeouts", &timeouts)) {
				snprintf(name, sizeof(name), "%s.khugepaged.timeouts_per_iteration", role);
				named_add(l, name, timeouts / iters, false, false, true, PT_METRIC_STRUCT);
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
		json_object_object_foreach(workers, role, w)
		{
			struct json_object *ops = pt_result_get(w, "ops");

			if (!json_object_is_type(ops, json_type_object))
				continue;
			json_object_object_foreach(ops, op, o)
			{
				snprintf(prefix, sizeof(prefix), "%s.%s", role, op);
				add_opstats(l, prefix, o, true, false);
			}
		}
		add_collapse_structure(l, workers);
		if ((vl = probe_or_why(rep, "vma_lock", l->vma_why, sizeof(l->vma_why),
				       "no vma_lock probe in the result")))
			add_vma_structure(l, workers, vl);
		if (!(ml = probe_or_why(rep, "mmap_lock", l->lock_why, sizeof(l->lock_why),
					"no mmap_lock probe in the result (--no-trace?)")))
			continue;
		l->lock_repeats++;
		add_lock_structure(l, workers, ml);
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
	memset(l, 0, sizeof(*l));
}
