/* The metric registry (include/ptbench/metric.h): one line added in one
 * place reaches the result reader, the gate's pooling, compare (its name,
 * verdict and default gating) and `ptbench plot`'s locks-per-op chart. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptbench/compare.h"
#include "ptbench/gate.h"
#include "ptbench/metric.h"
#include "ptbench/plot_data.h"
#include "ptbench/result_read.h"
#include "tap.h"

/* a new counter of the mmap_lock probe, per role (and per op): one line */
static const struct pt_metric_def synthetic[] = {
	{ .scope = PT_MS_MMAP_LOCK, .key = "spins", .value = PT_MV_UINT, .pool = PT_POOL_SUM, .name = "spins",
	  .kind = PT_MK_COUNT, .tol = PT_TOL_PER_OP, .show = PT_SHOW_GATED, .plot = "spins",
	  .plot_label = "spins" },
	{ 0 },
};

/* a result of 4 repeats: role f did 1000 faults a repeat and spun `spins`
 * times (per repeat), `zap_spins` of them inside its 10 zaps */
static struct json_object *doc(const char *spins, int zap_spins)
{
	char text[4096];
	size_t off;

	off = (size_t)snprintf(text, sizeof(text),
			       "{\"schema\": \"ptbench-result/1\", \"complete\": true, "
			       "\"scenario\": {\"name\": \"syn\"}, \"repeats\": [");
	for (int k = 0; k < 4; k++)
		off += (size_t)snprintf(
			text + off, sizeof(text) - off,
			"%s{\"complete\": true, \"measured_s\": 1.0, \"workers\": {\"f\": {\"unit_op\": \"fault\", "
			"\"ops\": {\"fault\": {\"count\": 1000, \"ops_per_sec\": 1000}, "
			"\"zap\": {\"count\": 10, \"ops_per_sec\": 10}}}}, "
			"\"probes\": {\"mmap_lock\": {\"available\": true, \"roles\": {\"f\": {\"spins\": %s, "
			"\"ops\": {\"zap\": {\"spins\": %d}}}}}}}",
			k ? ", " : "", spins, zap_spins);
	snprintf(text + off, sizeof(text) - off, "]}");
	return json_tokener_parse(text);
}

static const struct pt_metric *find(const struct pt_comparison *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->m[i].name, name))
			return &c->m[i];
	return NULL;
}

int main(void)
{
	struct json_object *base, *cand, *bad, *reps, *pooled;
	struct pt_cmp_input bi = { .path = "base.json" }, ci = { .path = "cand.json" };
	struct pt_cmp_rule rule = PT_CMP_RULE_DEFAULT;
	struct pt_comparison c = { 0 };
	const struct pt_metric *m;
	char err[512] = "", dir[] = "/tmp/ptbench-registry.XXXXXX", path[600];
	double v = 0;
	FILE *f;

	/* the per-scope listing: every line of the scope, in registry order,
	 * built before the new table and again after it */
	{
		const struct pt_metric_def *d, *e;
		size_t i = 0, j = 0, n = 0;
		int same = 1;

		while ((d = pt_metric_next(&i)))
			if (d->scope == PT_MS_MMAP_LOCK) {
				e = pt_metric_next_in(PT_MS_MMAP_LOCK, &j);
				same &= e == d;
				n++;
			}
		tap_ok(same && n > 0 && !pt_metric_next_in(PT_MS_MMAP_LOCK, &j),
		       "pt_metric_next_in lists a scope's %zu lines in registry order", n);
		pt_metric_register(synthetic);
		for (i = 0, j = 0; (d = pt_metric_next_in(PT_MS_MMAP_LOCK, &i));)
			j += d == synthetic;
		tap_ok(i == n + 1 && j == 1, "and the registered line once more after it: %zu of %zu", j, i);
		i = 0;
		tap_ok(!pt_metric_next_in((enum pt_mscope)99, &i), "no lines for a scope that is none");
	}
	tap_ok(pt_metric_raw(PT_MS_MMAP_LOCK, "spins") == synthetic, "the registered line is found by scope and key");
	tap_ok(pt_metric_by_name("mmap_lock.roles.f.spins.per_fault") == synthetic &&
		       pt_metric_by_name("mmap_lock.roles.f.ops.zap.spins.per_zap") == synthetic,
	       "its metric names map back to it");

	/* the reader checks it: a negative count is refused, by path */
	base = doc("20", 10);
	cand = doc("2000", 10);
	tap_ok(!pt_result_validate(base, err, sizeof(err)), "a result with the new counter is read: %s", err);
	bad = doc("-1", 10);
	tap_ok(pt_result_validate(bad, err, sizeof(err)) && strstr(err, "roles.f.spins"),
	       "a negative one is refused, named: %s", err);
	json_object_put(bad);
	bad = doc("20", -3);
	tap_ok(pt_result_validate(bad, err, sizeof(err)) && strstr(err, "roles.f.ops.zap.spins"),
	       "per op too: %s", err);
	json_object_put(bad);

	/* the gate sums it over a boot's repeats (a count), per op too */
	tap_ok(pt_metric_pool("probes.mmap_lock.roles.f.spins") == PT_POOL_SUM &&
		       pt_metric_pool("probes.mmap_lock.roles.f.ops.zap.spins") == PT_POOL_SUM,
	       "pooled by sum");
	reps = json_object_object_get(base, "repeats");
	{
		struct json_object *vals[4];

		for (int k = 0; k < 4; k++)
			vals[k] = json_object_array_get_idx(reps, (size_t)k);
		pooled = pt_gate_median_tree(vals, 4);
	}
	pt_metric_get(json_object_object_get(json_object_object_get(json_object_object_get(
							     json_object_object_get(pooled, "probes"), "mmap_lock"),
						     "roles"),
					     "f"),
		      "spins", &v);
	tap_ok(v == 80, "the boot's spins are the sum of its repeats': %g", v);
	json_object_put(pooled);

	/* compare derives it per unit op and per op, gates it by default */
	bi.doc = base;
	ci.doc = cand;
	bi.repeats = ci.repeats = 4;
	pt_cmp_build(&bi, &ci, &rule, &c);
	m = find(&c, "mmap_lock.roles.f.spins.per_fault");
	tap_ok(m && m->kind == PT_METRIC_STRUCT && m->verdict == PT_VERDICT_REGRESSED,
	       "compare: spins per fault 0.02 -> 2: regressed (%s)", m ? pt_verdict_name(m->verdict) : "absent");
	pt_cmp_gate_structural(&c);
	tap_ok(m && m->gated, "gated by default, as its line says");
	m = find(&c, "mmap_lock.roles.f.ops.zap.spins.per_zap");
	tap_ok(m && m->verdict == PT_VERDICT_UNCHANGED && m->gated,
	       "per op: spins inside zaps per zap, unchanged, gated");
	pt_comparison_free(&c);

	/* plot's locks-per-op chart draws it */
	{
		struct pt_plot_result res[1] = { { .doc = cand, .path = "cand.json", .label = (char *)"c" } };
		struct pt_plot p = { .res = res, .nres = 1 };
		char line[256];
		int found = 0;

		if (!mkdtemp(dir)) {
			tap_ok(0, "mkdtemp");
		} else {
			p.dir = dir;
			pt_plot_locks_per_op(&p);
			snprintf(path, sizeof(path), "%s/locks-per-op.dat", dir);
			f = fopen(path, "r");
			while (f && fgets(line, sizeof(line), f))
				found |= !strcmp(line, "# f spins\n");
			if (f)
				fclose(f);
			tap_ok(found, "plot: a panel for f's spins per fault in %s", path);
			for (size_t i = 0; i < p.ncharts; i++) {
				free(p.charts[i].name);
				free(p.charts[i].script);
				free(p.charts[i].vars);
			}
			free(p.charts);
			unlink(path);
			rmdir(dir);
		}
	}
	json_object_put(base);
	json_object_put(cand);
	return tap_done();
}
