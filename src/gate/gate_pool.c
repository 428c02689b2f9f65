/* ptbench gate: several runs of one scenario on one kernel made into one
 * result document that `ptbench compare` reads like any other. With the boot
 * as the unit of evidence each run (one boot) becomes one "repeat" holding
 * the medians over that boot's repeats, so the rank test counts boots, not
 * repeats that shared a boot (doc/gate.md). */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/gate.h"
#include "ptbench/metric.h"
#include "ptbench/result_read.h"
#include "ptbench/stats.h"
#include "ptbench/util.h"

static bool is_number(struct json_object *o)
{
	return json_object_is_type(o, json_type_int) || json_object_is_type(o, json_type_double);
}

/* Keys with no meaningful per-boot median: a histogram's buckets (the
 * percentiles next to them are medianed) and the per-interval timeline. */
static bool dropped_key(const char *key)
{
	return !strcmp(key, "buckets") || !strcmp(key, "timeline");
}

/* Event and op counts (what compare divides into per-op structural
 * metrics) are summed, not medianed: the boot's ratio is then its total
 * locks over its total ops, so an op cut by a repeat's edges (a 1 s smaps
 * read in a 2 s window: its locks counted, the read not, or the reverse)
 * weighs one op in the boot rather than a third of one repeat. Which
 * numbers are counts the metric registry says (PT_POOL_SUM), by their path
 * in the repeat. */
/* one boot's value of a number: the sum of a count (total), else the median */
static struct json_object *boot_number(struct json_object *const *vals, size_t n, bool total,
				       bool *too_big)
{
	double *v = pt_xcalloc(n ? n : 1, sizeof(*v)), out, sum = 0;
	bool all_int = true, int_over = false;
	int64_t isum = 0;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (!vals[i] || !is_number(vals[i]))
			continue;
		all_int &= json_object_is_type(vals[i], json_type_int);
		v[k++] = json_object_get_double(vals[i]);
		sum += v[k - 1];
		/* integers summed as integers: past 2^53 the double sum rounds */
		if (json_object_is_type(vals[i], json_type_int))
			int_over |= __builtin_add_overflow(isum, json_object_get_int64(vals[i]), &isum);
	}
	out = total ? sum : pt_median(v, k);
	free(v);
	if (total && all_int) {
		if (int_over || isum > PT_RESULT_INT_MAX || isum < -PT_RESULT_INT_MAX) {
			/* beyond what the reader takes (each count was within it) */
			*too_big = true;
			return json_object_new_double(out);
		}
		return json_object_new_int64(isum);
	}
	/* integers stay integers: the median of an even number of them may end
	 * in .5 (1537.5 ns), which the result reader rightly refuses where the
	 * schema holds integers (percentiles in ns). Half a nanosecond is far
	 * below the histograms' 0.8% resolution: round it. */
	if (all_int && fabs(out) <= (double)PT_RESULT_INT_MAX)
		return json_object_new_int64((int64_t)llround(out));
	return json_object_new_double(out);
}

static struct json_object *median_tree(struct json_object *const *vals, size_t n, const char *path,
				       bool *too_big);

/* Whether k is "measured_s" of a repeat and some repeat lacks it: the
 * boot's op rates are medians over all its repeats, its counts sums, so a
 * measured_s from some of them only could make a rate more than count /
 * measured_s, which the reader refuses (found by fuzz_gate_inputs: one
 * repeat without measured_s). Left out, as the reader allows; ptbench writes
 * it in every repeat. */
static bool rate_base_gap(struct json_object *const *vals, size_t n, const char *path, const char *k)
{
	if (*path || strcmp(k, "measured_s"))
		return false;
	for (size_t j = 0; j < n; j++)
		if (vals[j] && !json_object_object_get_ex(vals[j], k, NULL))
			return true;
	return false;
}

/* sub[j]: repeat j's value of k; with skip_none, NULL for the "ns" of a
 * repeat without events (none[j]) */
static void take_values(struct json_object *const *vals, size_t n, const char *k, const bool *none,
			bool skip_none, struct json_object **sub)
{
	for (size_t j = 0; j < n; j++)
		sub[j] = vals[j] && json_object_is_type(vals[j], json_type_object) &&
					 !(skip_none && none[j] && !strcmp(k, "ns"))
				 ? json_object_object_get(vals[j], k)
				 : NULL;
}

static bool any_value(struct json_object *const *sub, size_t n)
{
	for (size_t j = 0; j < n; j++)
		if (sub[j])
			return true;
	return false;
}

/* Whether k, a key of the op statistics' "ns" at path, is a percentile
 * (PT_MF_ORDERED) that some repeat with values lacks. Such a percentile is
 * left out of the boot: its median would be over other repeats than its
 * neighbours' and could come out below the one before it (p90 over two
 * repeats above p99 from one), which the reader then refuses (found by
 * tests/fuzz/fuzz_gate_inputs). ptbench writes every percentile, so only
 * an edited file loses one. */
static bool percentile_gap(struct json_object *const *vals, size_t n, const char *path, const char *k)
{
	const char *last = strrchr(path, '.');
	const struct pt_metric_def *d;
	char key[128];

	if (strcmp(last ? last + 1 : path, "ns"))
		return false;
	snprintf(key, sizeof(key), "ns.%s", k);
	d = pt_metric_raw(PT_MS_HIST, key);
	if (!d || !(d->flags & PT_MF_ORDERED))
		return false;
	for (size_t j = 0; j < n; j++)
		if (vals[j] && json_object_is_type(vals[j], json_type_object) &&
		    !json_object_object_get_ex(vals[j], k, NULL))
			return true;
	return false;
}

struct json_object *pt_gate_median_tree(struct json_object *const *vals, size_t n)
{
	bool too_big = false;
	struct json_object *m = median_tree(vals, n, "", &too_big);

	if (too_big) {
		json_object_put(m);
		return NULL;
	}
	return m;
}

/* path: the dotted path of vals from the repeat ("" for the repeat) */
static struct json_object *median_tree(struct json_object *const *vals, size_t n, const char *path,
				       bool *too_big)
{
	struct json_object *first = NULL, *out, **sub;

	for (size_t i = 0; i < n && !first; i++)
		first = vals[i];
	if (!first)
		return NULL;
	if (is_number(first))
		return boot_number(vals, n, pt_metric_pool(path) == PT_POOL_SUM, too_big);
	if (!json_object_is_type(first, json_type_object)) {
		struct json_object *copy = NULL;

		/* strings, booleans, arrays (cpus): the first repeat's */
		json_object_deep_copy(first, &copy, NULL);
		return copy;
	}
	out = json_object_new_object();
	sub = pt_xcalloc(n, sizeof(*sub));
	/* an op's or a lock's statistics: the percentiles of a repeat with no
	 * events (count 0, every percentile 0) are not values, so they do not
	 * pull the boot's median down; the count still sums them (as 0) */
	bool *none = pt_xcalloc(n, sizeof(*none));
	size_t nnone = 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *c = vals[i] && json_object_is_type(vals[i], json_type_object)
						? json_object_object_get(vals[i], "count")
						: NULL;

		if (c && is_number(c) && !(json_object_get_double(c) > 0)) {
			none[i] = true;
			nnone++;
		}
	}
	/* every key of any repeat, in the order first seen */
	for (size_t i = 0; i < n; i++) {
		if (!vals[i] || !json_object_is_type(vals[i], json_type_object))
			continue;
		json_object_object_foreach(vals[i], k, val) {
			struct json_object *m;
			char *sub_path;

			(void)val;
			if (dropped_key(k) || json_object_object_get_ex(out, k, NULL) ||
			    percentile_gap(vals, n, path, k) || rate_base_gap(vals, n, path, k))
				continue;
			take_values(vals, n, k, none, nnone < n, sub);
			/* "ns" only in repeats without events (an edited file: the
			 * repeats with events lack it): their zeros are no
			 * latency of the boot's ops, and a null "ns" is refused;
			 * left out, as the reader allows */
			if (!any_value(sub, n))
				continue;
			sub_path = *path ? pt_xasprintf("%s.%s", path, k) : pt_xstrdup(k);
			m = median_tree(sub, n, sub_path, too_big);
			free(sub_path);
			json_object_object_add(out, k, m);
		}
	}
	free(sub);
	free(none);
	return out;
}

/* A lock probe's state in one repeat: 0 absent or unavailable, else 1 +
 * its method's index among the methods seen (vma_lock's fexit/tracepoints;
 * mmap_lock has none). */
static int probe_state(struct json_object *rep, const char *probe, const char **methods, int *nmethods)
{
	struct json_object *pr, *p = NULL, *av, *m;
	const char *name;

	if (!json_object_object_get_ex(rep, "probes", &pr) || !json_object_object_get_ex(pr, probe, &p) ||
	    !json_object_is_type(p, json_type_object))
		return 0;
	if (json_object_object_get_ex(p, "available", &av) && !json_object_get_boolean(av))
		return 0;
	name = json_object_object_get_ex(p, "method", &m) ? json_object_get_string(m) : "";
	for (int i = 0; i < *nmethods; i++)
		if (!strcmp(methods[i], name ? name : ""))
			return 1 + i;
	if (*nmethods == 2)
		return 3; /* a third method: differs all the same */
	methods[*nmethods] = name ? name : "";
	return 1 + (*nmethods)++;
}

/* A boot's lock counts are totals over its repeats, divided by the ops of
 * all of them: a probe that ran in some repeats only (or counted by two
 * methods) would dilute or mix them. Such a boot's probe is marked
 * unavailable, with the reason, so compare lists its metrics as not
 * comparable rather than deciding on a wrong ratio. */
static void probe_check(struct json_object *m, struct json_object *const *good, size_t k, const char *probe,
			const char *path)
{
	const char *methods[2];
	int nmethods = 0, first = probe_state(good[0], probe, methods, &nmethods);
	size_t ran = first != 0;
	bool differ = false;
	struct json_object *pr, *un;
	char why[512];

	for (size_t r = 1; r < k; r++) {
		int st = probe_state(good[r], probe, methods, &nmethods);

		ran += st != 0;
		differ |= st != first;
	}
	if (!differ || !json_object_object_get_ex(m, "probes", &pr))
		return;
	if (ran == k)
		snprintf(why, sizeof(why), "counted by two methods (%s, %s) in the repeats of %s", methods[0],
			 nmethods > 1 ? methods[1] : "?", path);
	else
		snprintf(why, sizeof(why), "ran in %zu of the %zu complete repeats of %s: the boot's counts would not "
			 "cover its ops", ran, k, path);
	un = json_object_new_object();
	json_object_object_add(un, "available", json_object_new_boolean(0));
	json_object_object_add(un, "why", json_object_new_string(why));
	json_object_object_add(pr, probe, un);
}

static bool repeat_complete(struct json_object *rep)
{
	struct json_object *c;

	return !json_object_object_get_ex(rep, "complete", &c) || json_object_get_boolean(c);
}

struct json_object *pt_gate_pool(struct json_object *const *docs, const char *const *paths,
				 size_t n, enum pt_gate_unit unit, bool *bad_input, char *why, size_t whylen)
{
	struct json_object *out = NULL, *repeats = json_object_new_array();
	struct json_object *runs = json_object_new_array(), *pooled, *scen;
	size_t used = 0;

	*bad_input = false;
	for (size_t i = 0; i < n; i++) {
		struct json_object *reps = json_object_object_get(docs[i], "repeats"), **good;
		struct json_object *run = json_object_new_object(), *rel = NULL;
		size_t nrep = json_object_is_type(reps, json_type_array) ? json_object_array_length(reps) : 0;
		size_t k = 0;

		good = pt_xcalloc(nrep ? nrep : 1, sizeof(*good));
		for (size_t r = 0; r < nrep; r++)
			if (repeat_complete(json_object_array_get_idx(reps, r)))
				good[k++] = json_object_array_get_idx(reps, r);
		json_object_object_add(run, "file", json_object_new_string(paths[i]));
		json_object_object_get_ex(json_object_object_get(json_object_object_get(docs[i], "system"),
								 "kernel"),
					  "release", &rel);
		json_object_object_add(run, "kernel",
				       json_object_new_string(rel ? json_object_get_string(rel) : "?"));
		json_object_object_add(run, "repeats", json_object_new_int64((int64_t)k));
		json_object_array_add(runs, run);
		if (!k) {
			free(good);
			continue;
		}
		if (!out)
			json_object_deep_copy(docs[i], &out, NULL);
		if (unit == PT_GATE_UNIT_BOOT) {
			bool too_big = false;
			struct json_object *m = median_tree(good, k, "", &too_big);

			if (!m || too_big) {
				*bad_input = true;
				snprintf(why, whylen, "%s: %s", paths[i],
					 too_big ? "a count summed over the run's repeats exceeds 2^53, more than a result holds exactly"
						 : "a repeat that is no object");
				json_object_put(m);
				free(good);
				json_object_put(out);
				json_object_put(repeats);
				json_object_put(runs);
				return NULL;
			}
			probe_check(m, good, k, "mmap_lock", paths[i]);
			probe_check(m, good, k, "vma_lock", paths[i]);
			json_object_object_add(m, "complete", json_object_new_boolean(1));
			json_object_object_add(m, "run", json_object_new_int64((int64_t)i + 1));
			json_object_object_add(m, "repeats_in_run", json_object_new_int64((int64_t)k));
			json_object_array_add(repeats, m);
		} else {
			for (size_t r = 0; r < k; r++) {
				struct json_object *copy = NULL;

				json_object_deep_copy(good[r], &copy, NULL);
				json_object_object_add(copy, "run", json_object_new_int64((int64_t)i + 1));
				json_object_array_add(repeats, copy);
			}
		}
		used++;
		free(good);
	}
	if (!out) {
		snprintf(why, whylen, "no complete repeat");
		json_object_put(repeats);
		json_object_put(runs);
		return NULL;
	}
	json_object_object_add(out, "repeats", repeats);
	/* only complete repeats were pooled: the pool is complete, and no
	 * longer the interrupted run it was copied from */
	json_object_object_add(out, "complete", json_object_new_boolean(1));
	json_object_object_del(out, "interrupted_by");
	scen = json_object_object_get(out, "scenario");
	if (scen && json_object_is_type(scen, json_type_object))
		json_object_object_add(scen, "repeat",
				       json_object_new_int64((int64_t)json_object_array_length(repeats)));
	pooled = json_object_new_object();
	json_object_object_add(pooled, "unit",
			       json_object_new_string(unit == PT_GATE_UNIT_BOOT ? "boot" : "repeat"));
	json_object_object_add(pooled, "rule",
			       json_object_new_string(unit == PT_GATE_UNIT_BOOT
							      ? "repeat k = run k: over the run's complete repeats, the sum of every count, the median of every other number (percentiles over the repeats with events)"
							      : "the complete repeats of every run, in order"));
	json_object_object_add(pooled, "runs_used", json_object_new_int64((int64_t)used));
	json_object_object_add(pooled, "runs", runs);
	json_object_object_add(out, "pooled", pooled);
	return out;
}
