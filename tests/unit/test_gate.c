/* ptbench gate's pure pieces: the ABBA order, how scenario outcomes combine,
 * git bisect's codes, and pooling a kernel's boots into one value per boot. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/exitcodes.h"
#include "ptbench/gate.h"
#include "ptbench/sha256.h"
#include "tap.h"

static void order(int rounds, const char *want)
{
	char seq[2 * 64 + 1];

	pt_gate_order(rounds, seq);
	tap_ok(!strcmp(seq, want), "%d rounds: %s (got %s)", rounds, want, seq);
}

static void combine(const int *st, size_t n, int want, const char *what)
{
	int got = pt_gate_exit(st, n);

	tap_ok(got == want, "%s: exit %d (got %d)", what, want, got);
}

static struct json_object *rep(double p99, long long count, bool with_probe, bool complete)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "{\"complete\": %s, \"workers\": {\"r\": {\"type\": \"fault\", \"cpus\": [0, 1], \"ops\": {\"op\": "
		 "{\"count\": %lld, \"ns\": {\"p99\": %g}, \"buckets\": [[1, 2]]}}}}, \"probes\": {%s}, "
		 "\"timeline\": {\"x\": [1]}}",
		 complete ? "true" : "false", count, p99,
		 with_probe ? "\"mmap_lock\": {\"load_ms\": 10, \"events\": 10}" : "");
	return json_tokener_parse(text);
}

static double getd(struct json_object *o, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
		o = json_object_object_get(o, k);
	return o ? json_object_get_double(o) : -1;
}

static struct json_object *doc_of(struct json_object **reps, size_t n)
{
	struct json_object *d = json_tokener_parse(
		"{\"schema\": \"ptbench-result/1\", \"complete\": true, \"system\": {\"kernel\": "
		"{\"release\": \"6.12\"}}, \"scenario\": {\"name\": \"s\", \"repeat\": 5}}");
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, reps[i]);
	json_object_object_add(d, "repeats", a);
	return d;
}

/* FIPS 180-4's examples and a length whose padding takes a second block */
static void sha(const char *msg, const char *want)
{
	uint8_t d[PT_SHA256_LEN];
	char hex[2 * PT_SHA256_LEN + 1];

	pt_sha256(msg, strlen(msg), d);
	pt_sha256_hex(d, hex);
	tap_ok(!strcmp(hex, want), "sha256 of %zu bytes: %s (got %s)", strlen(msg), want, hex);
}

int main(void)
{
	sha("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* whole blocks before the padding: the rounds' renaming of the working
	 * variables carried over from one block to the next */
	sha("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	    "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	{
		char *m = malloc(1000001);

		if (m) {
			memset(m, 'a', 1000000);
			m[1000000] = '\0';
			sha(m, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
			free(m);
		}
	}
	order(1, "AB");
	order(2, "ABBA");
	order(3, "ABBAAB");
	order(4, "ABBAABBA");

	{
		int a[] = { 0, 0 }, b[] = { 0, 3 }, c[] = { 3, 1 }, d[] = { 5, 1 }, e[] = { 4, 4 };
		int f[] = { 4, 0 }, g[] = { 1, 2 }, h[] = { 3, 5 }, i[] = { 4, 3 };

		combine(a, 2, 0, "all passed");
		combine(b, 2, 3, "one undecided");
		combine(c, 2, 1, "a regression outweighs undecided");
		combine(d, 2, 1, "a regression outweighs a failed run");
		combine(e, 2, 4, "all skipped");
		combine(f, 2, 0, "skipped and passed: passed (skip is never fail)");
		combine(g, 2, 2, "bad input outweighs everything");
		combine(h, 2, 5, "a failed run outweighs undecided");
		combine(i, 2, 3, "skipped and undecided: undecided");
	}
	tap_ok(pt_gate_bisect_code(0) == 0, "bisect: 0 good");
	tap_ok(pt_gate_bisect_code(1) == 1, "bisect: 1 bad");
	tap_ok(pt_gate_bisect_code(3) == 125 && pt_gate_bisect_code(4) == 125 && pt_gate_bisect_code(5) == 125,
	       "bisect: undecided, skipped, failed: 125 (skip)");
	tap_ok(pt_gate_bisect_code(2) == 128, "bisect: bad input: 128 (abort)");
	tap_ok(pt_gate_bisect_code(130) == 130, "bisect: a signal stays >= 128 (abort)");

	/* one boot's repeats reduced to medians */
	{
		struct json_object *r[5] = { rep(10, 100, true, true), rep(30, 300, false, true),
					     rep(20, 200, true, true), rep(1000, 50, true, true),
					     rep(40, 400, true, true) };
		struct json_object *m = pt_gate_median_tree(r, 5);

		tap_ok(getd(m, "workers.r.ops.op.ns.p99") == 30, "median p99 of 10,30,20,1000,40 is 30");
		tap_ok(json_object_is_type(json_object_object_get(
						   json_object_object_get(json_object_object_get(m, "workers"), "r"),
						   "type"),
					   json_type_string),
		       "strings are kept");
		tap_ok(getd(m, "workers.r.ops.op.count") == 1050,
		       "counts are summed (100,300,200,50,400: 1050), so a boot's per-op ratio is its "
		       "total over its total");
		tap_ok(getd(m, "probes.mmap_lock.load_ms") == 10, "a number missing from a repeat is no value there");
		tap_ok(getd(m, "probes.mmap_lock.events") == 40,
		       "a count missing from a repeat adds nothing: events summed over the 4 repeats with it");
		tap_ok(!json_object_object_get_ex(
			       json_object_object_get(json_object_object_get(json_object_object_get(
								      json_object_object_get(m, "workers"), "r"),
								      "ops"),
						      "op"),
			       "buckets", NULL),
		       "buckets are dropped (no per-boot median)");
		tap_ok(!json_object_object_get_ex(m, "timeline", NULL), "timeline is dropped");
		json_object_put(m);
		for (int i = 0; i < 5; i++)
			json_object_put(r[i]);
	}
	/* a repeat with no events (count 0, percentiles 0, as the probes write
	 * a role that took no lock) is no percentile: left out of the median */
	{
		struct json_object *r[3] = { rep(0, 0, false, true), rep(50, 2, false, true), rep(0, 0, false, true) };
		struct json_object *m = pt_gate_median_tree(r, 3);

		tap_ok(getd(m, "workers.r.ops.op.ns.p99") == 50,
		       "p99 of a boot whose events were all in one repeat: 50 (not the median 0 of 0,50,0)");
		tap_ok(getd(m, "workers.r.ops.op.count") == 2, "its count: 2");
		json_object_put(m);
		for (int i = 0; i < 3; i++)
			json_object_put(r[i]);
		struct json_object *z[2] = { rep(0, 0, false, true), rep(0, 0, false, true) };

		m = pt_gate_median_tree(z, 2);
		tap_ok(getd(m, "workers.r.ops.op.count") == 0 && getd(m, "workers.r.ops.op.ns.p99") == 0,
		       "no events in any repeat: count 0, the percentiles as written (compare reads no value)");
		json_object_put(m);
		for (int i = 0; i < 2; i++)
			json_object_put(z[i]);
	}
	/* an even number of repeats: the median of integer ns is an integer
	 * (1537.5 was written as a double, and the reader refused the pooled
	 * file: "expected a non-negative integer") */
	{
		struct json_object *r[4] = { rep(1500, 1, false, true), rep(1530, 1, false, true),
					     rep(1545, 1, false, true), rep(1600, 1, false, true) };
		struct json_object *m = pt_gate_median_tree(r, 4), *v = m;
		const char *path[] = { "workers", "r", "ops", "op", "ns", "p99" };

		for (size_t i = 0; v && i < 6; i++)
			v = json_object_object_get(v, path[i]);
		tap_ok(v && json_object_is_type(v, json_type_int) && json_object_get_int64(v) == 1538,
		       "median p99 of 1500,1530,1545,1600 is the integer 1538 (1537.5 rounded), got %s",
		       v ? json_object_to_json_string(v) : "nothing");
		json_object_put(m);
		for (int i = 0; i < 4; i++)
			json_object_put(r[i]);
	}
	/* a percentile one repeat lacks is left out of the boot: a median over
	 * other repeats than its neighbours' gave p90 8326 above p99 5500, which
	 * the reader refused (tests/fuzz/fuzz_gate_inputs) */
	{
		struct json_object *r[2] = {
			json_tokener_parse("{\"workers\": {\"r\": {\"ops\": {\"op\": {\"count\": 9, \"ns\": "
					   "{\"p50\": 1000, \"p90\": 15002, \"p999\": 20000}}}}}}"),
			json_tokener_parse("{\"workers\": {\"r\": {\"ops\": {\"op\": {\"count\": 9, \"ns\": "
					   "{\"p50\": 1100, \"p90\": 1650, \"p99\": 5500, \"p999\": 22000}}}}}}"),
		};
		struct json_object *m = pt_gate_median_tree(r, 2);

		tap_ok(getd(m, "workers.r.ops.op.ns.p99") == -1 && getd(m, "workers.r.ops.op.ns.p90") == 8326 &&
			       getd(m, "workers.r.ops.op.ns.p999") == 21000,
		       "a percentile missing from a repeat is left out, the others pooled (p99 %g, p90 %g)",
		       getd(m, "workers.r.ops.op.ns.p99"), getd(m, "workers.r.ops.op.ns.p90"));
		json_object_put(m);
		for (int i = 0; i < 2; i++)
			json_object_put(r[i]);
	}
	/* boots pooled: one repeat per boot; incomplete repeats and empty boots left out */
	{
		struct json_object *b1[] = { rep(10, 1, false, true), rep(12, 1, false, true), rep(11, 1, false, true) };
		struct json_object *b2[] = { rep(20, 1, false, true), rep(99, 1, false, false), rep(22, 1, false, true) };
		struct json_object *b3[] = { rep(5, 1, false, false) };
		struct json_object *docs[3] = { doc_of(b1, 3), doc_of(b2, 3), doc_of(b3, 1) };
		const char *paths[3] = { "b1.json", "b2.json", "b3.json" };
		char why[512];
		bool bad;
		struct json_object *p = pt_gate_pool(docs, paths, 3, PT_GATE_UNIT_BOOT, &bad, why, sizeof(why)), *reps;

		reps = json_object_object_get(p, "repeats");
		tap_ok(json_object_array_length(reps) == 2, "boot unit: one repeat per boot with a complete repeat (%zu)",
		       json_object_array_length(reps));
		tap_ok(getd(json_object_array_get_idx(reps, 0), "workers.r.ops.op.ns.p99") == 11, "boot 1: median 11");
		tap_ok(getd(json_object_array_get_idx(reps, 1), "workers.r.ops.op.ns.p99") == 21,
		       "boot 2: median of its complete repeats 20, 22 is 21 (99 was incomplete)");
		tap_ok(getd(p, "scenario.repeat") == 2, "scenario.repeat says 2");
		tap_ok(getd(p, "pooled.runs_used") == 2, "pooled.runs_used 2 of 3");
		json_object_put(p);
		p = pt_gate_pool(docs, paths, 3, PT_GATE_UNIT_REPEAT, &bad, why, sizeof(why));
		tap_ok(json_object_array_length(json_object_object_get(p, "repeats")) == 5,
		       "repeat unit: the 5 complete repeats");
		json_object_put(p);
		tap_ok(pt_gate_pool(docs + 2, paths + 2, 1, PT_GATE_UNIT_BOOT, &bad, why, sizeof(why)) == NULL &&
			       !strcmp(why, "no complete repeat") && !bad,
		       "no complete repeat at all: NULL, and why (%s), not bad input", why);
		for (int i = 0; i < 3; i++)
			json_object_put(docs[i]);
	}
	/* a probe that ran in some repeats of a boot only: its counts would be
	 * divided by the ops of all; the boot's probe is unavailable instead */
	{
		struct json_object *b1[] = { rep(10, 100, true, true), rep(12, 100, false, true), rep(11, 100, true, true) };
		struct json_object *b2[] = { rep(10, 100, true, true), rep(12, 100, true, true) };
		struct json_object *docs[2] = { doc_of(b1, 3), doc_of(b2, 2) };
		const char *paths[2] = { "b1.json", "b2.json" };
		char text[512];
		bool bad;
		struct json_object *p = pt_gate_pool(docs, paths, 2, PT_GATE_UNIT_BOOT, &bad, text, sizeof(text)), *reps, *ml, *why;

		reps = json_object_object_get(p, "repeats");
		ml = json_object_object_get(json_object_object_get(json_object_array_get_idx(reps, 0), "probes"),
					    "mmap_lock");
		tap_ok(ml && !json_object_get_boolean(json_object_object_get(ml, "available")) &&
			       json_object_object_get_ex(ml, "why", &why) &&
			       strstr(json_object_get_string(why), "ran in 2 of the 3 complete repeats of b1.json"),
		       "probe in 2 of 3 repeats of a boot: unavailable there, with why (%s)",
		       ml ? json_object_to_json_string(ml) : "none");
		tap_ok(getd(json_object_array_get_idx(reps, 1), "probes.mmap_lock.events") == 20,
		       "probe in every repeat of a boot: its counts summed (20)");
		json_object_put(p);
		for (int i = 0; i < 2; i++)
			json_object_put(docs[i]);
	}
	{
#define VMA_REP(method)                                                                              \
	"{\"complete\": true, \"workers\": {}, \"probes\": {\"vma_lock\": {\"available\": true, \"method\": \"" method \
	"\", \"fallbacks\": 1}}}"
		struct json_object *b[2], *doc, *p, *vl, *why;
		const char *path = "b.json";

		b[0] = json_tokener_parse(VMA_REP("fexit"));
		b[1] = json_tokener_parse(VMA_REP("tracepoints"));
		doc = doc_of(b, 2);
		char text[512];
		bool bad;

		p = pt_gate_pool(&doc, &path, 1, PT_GATE_UNIT_BOOT, &bad, text, sizeof(text));
		vl = json_object_object_get(
			json_object_object_get(json_object_array_get_idx(json_object_object_get(p, "repeats"), 0),
					       "probes"),
			"vma_lock");
		tap_ok(vl && !json_object_get_boolean(json_object_object_get(vl, "available")) &&
			       json_object_object_get_ex(vl, "why", &why) &&
			       strstr(json_object_get_string(why), "two methods (fexit, tracepoints)"),
		       "vma_lock counted by two methods in one boot: unavailable there, with why");
		json_object_put(p);
		json_object_put(doc);
	}
	/* counts the reader takes (each at most 2^53) whose sum over a boot's
	 * repeats is more: the pooled result would be refused by the reader
	 * (found by tests/fuzz/fuzz_gate_inputs), so the pool refuses, saying
	 * why; a sum within 2^53 pools */
	{
		struct json_object *b[2] = { rep(10, 1ll << 52, false, true), rep(12, (1ll << 52) + 1, false, true) };
		struct json_object *doc = doc_of(b, 2);
		const char *path = "big.json";
		char why[512];
		bool bad;
		struct json_object *p = pt_gate_pool(&doc, &path, 1, PT_GATE_UNIT_BOOT, &bad, why, sizeof(why));

		tap_ok(!p && bad && strstr(why, "big.json: a count summed over the run's repeats exceeds 2^53"),
		       "counts summing past 2^53: no pool, bad input, and why (%s)", p ? "pooled" : why);
		json_object_put(p);
		json_object_put(doc);
		b[0] = rep(10, 1ll << 52, false, true);
		b[1] = rep(12, 1ll << 52, false, true);
		doc = doc_of(b, 2);
		p = pt_gate_pool(&doc, &path, 1, PT_GATE_UNIT_BOOT, &bad, why, sizeof(why));
		tap_ok(p && getd(json_object_array_get_idx(json_object_object_get(p, "repeats"), 0),
				 "workers.r.ops.op.count") == 9007199254740992.0,
		       "counts summing to 2^53 exactly: pooled");
		json_object_put(p);
		json_object_put(doc);
	}
	/* edited files fuzz_gate_inputs found pooling into ones the reader
	 * refuses: "ns" only in a repeat without events (it was null), and
	 * measured_s in one repeat only (a rate above count / measured_s) */
	{
		struct json_object *b[2], *doc, *p, *r0, *ns;
		const char *path = "edited.json";
		char why[512];
		bool bad;

		b[0] = json_tokener_parse("{\"complete\": true, \"measured_s\": 1, \"workers\": {\"r\": {\"ops\": "
					  "{\"op\": {\"count\": 0, \"ns\": {\"p99\": 5}, \"ops_per_sec\": 0}}}}}");
		b[1] = json_tokener_parse("{\"complete\": true, \"workers\": {\"r\": {\"ops\": "
					  "{\"op\": {\"count\": 3, \"ops_per_sec\": 900}}}}}");
		doc = doc_of(b, 2);
		p = pt_gate_pool(&doc, &path, 1, PT_GATE_UNIT_BOOT, &bad, why, sizeof(why));
		r0 = json_object_array_get_idx(json_object_object_get(p, "repeats"), 0);
		ns = json_object_object_get(
			json_object_object_get(json_object_object_get(json_object_object_get(
							   json_object_object_get(r0, "workers"), "r"), "ops"),
					       "op"),
			"ns");
		tap_ok(r0 && !ns && getd(r0, "workers.r.ops.op.count") == 3,
		       "\"ns\" only in the repeat without events: left out (its zeros are no latency), not null");
		tap_ok(r0 && !json_object_object_get_ex(r0, "measured_s", NULL),
		       "measured_s in one repeat of two: left out of the boot");
		json_object_put(p);
		json_object_put(doc);
	}
	return tap_done();
}
