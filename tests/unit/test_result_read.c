/* The validating result reader (src/results/result_read.c) on documents built in
 * memory: each refusal names the JSON path; and the one median: the sweep
 * table's median of an even number of repeats is stats.c's. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptbench/compare.h"
#include "ptbench/result_read.h"
#include "ptbench/sweep.h"
#include "tap.h"

static const char *const good =
	"{\"schema\": \"ptbench-result/1\", \"complete\": true,"
	" \"scenario\": {\"name\": \"s\", \"headline\": \"w.fault.p99\"},"
	" \"repeats\": [{\"complete\": true, \"workers\": {\"w\": {\"type\": \"fault\","
	" \"ops\": {\"fault\": {\"count\": 4, \"ns\": {\"p50\": 1000, \"p99\": 2000}}}}},"
	" \"probes\": {\"mmap_lock\": {\"available\": true, \"roles\": {\"w\":"
	" {\"hold\": {\"write\": {\"count\": 3}}}}}}}]}";

/* parse + validate text; returns the error ("" when valid) */
static const char *check(const char *text, size_t len)
{
	static char err[512];
	struct json_object *doc;

	err[0] = '\0';
	if (!pt_result_parse(text, len, &doc, err, sizeof(err))) {
		pt_result_validate(doc, err, sizeof(err));
		json_object_put(doc);
	}
	return err;
}

/* good with the first occurrence of from replaced by to */
static const char *edited(const char *from, const char *to)
{
	static char buf[2048];
	const char *at = strstr(good, from);

	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
	return check(buf, strlen(buf));
}

/* pt_result_from_text's answer for text under flags: 0, 1 or -1 */
static int from_text(const char *text, unsigned flags)
{
	char err[512];
	struct json_object *doc;
	int rc = pt_result_from_text(text, strlen(text), flags, &doc, err, sizeof(err));

	json_object_put(doc);
	return rc;
}

/* "complete": true with nothing against it (review B2); ptbench's own
 * interrupted run (complete false, interrupted_by, a repeat false) reads. */
static void completeness(void)
{
	const char *e;

	e = edited("\"complete\": true,", "\"complete\": true, \"interrupted_by\": \"INT\",");
	tap_ok(!strcmp(e, "interrupted_by: expected no \"interrupted_by\" beside \"complete\": true (an "
			  "interrupted run is incomplete), got \"INT\""),
	       "interrupted_by with complete true refused: %s", e);
	e = edited("\"complete\": true,", "\"complete\": false, \"interrupted_by\": 2,");
	tap_ok(!strcmp(e, "interrupted_by: expected a string, got 2"), "interrupted_by not a string: %s", e);
	e = edited("\"repeats\": [", "\"repeats\": [], \"x\": [");
	tap_ok(!strcmp(e, "repeats: expected at least one repeat beside \"complete\": true, got []"),
	       "complete true with no repeat refused: %s", e);
	e = edited("{\"complete\": true, \"workers\"", "{\"complete\": false, \"workers\"");
	tap_ok(!strcmp(e, "repeats[0].complete: expected true or absent beside the top-level \"complete\": true, "
			  "got false"),
	       "complete true with a repeat complete false refused: %s", e);
	e = edited("{\"complete\": true, \"workers\"", "{\"workers\"");
	tap_ok(!strcmp(e, ""), "a repeat without its own complete, under complete true: %s", e);
	/* what pt_run_write_result writes for an interrupted run */
	e = edited("\"complete\": true, \"scenario\"", "\"complete\": false, \"interrupted_by\": \"INT\", \"scenario\"");
	tap_ok(!strcmp(e, ""), "complete false with interrupted_by: %s", e);
	{
		const char *t = "{\"schema\": \"ptbench-result/1\", \"complete\": false, \"interrupted_by\": \"TERM\","
				" \"scenario\": {\"name\": \"s\"}, \"repeats\": []}";

		tap_ok(!strcmp(check(t, strlen(t)), ""), "interrupted before any repeat: %s", check(t, strlen(t)));
	}
	e = edited("\"complete\": true, \"scenario\"", "\"complete\": false, \"scenario\"");
	tap_ok(!strcmp(e, ""), "complete false, its repeat true: %s", e);
}

/* Keys given twice: json-c keeps the last without a word (review B2). */
static void duplicate_keys(void)
{
	const char *e;

	e = edited("\"complete\": true,", "\"complete\": false, \"complete\": true,");
	tap_ok(!strcmp(e, "complete: given twice in one object (again at byte 50), which ptbench never writes "
			  "(a reader would see only the last)"),
	       "top-level complete given twice: %s", e);
	e = edited("{\"complete\": true, \"workers\"", "{\"complete\": false, \"complete\": true, \"workers\"");
	tap_ok(strstr(e, "repeats[0].complete: given twice in one object") == e, "a repeat's complete given twice: %s",
	       e);
	/* the same key spelled with an escape is the same key */
	e = edited("\"complete\": true,", "\"complete\": false, \"\\u0063omplete\": true,");
	tap_ok(strstr(e, "complete: given twice") == e, "complete and \\u0063omplete: %s", e);
	e = edited("{\"count\": 3}", "{\"count\": 3, \"count\": 3}");
	tap_ok(strstr(e, "repeats[0].probes.mmap_lock.roles.w.hold.write.count: given twice") == e,
	       "a nested key given twice, same value: %s", e);
	/* a replaced value's objects: their object comes first, and is named */
	e = edited("\"scenario\"", "\"t\": {\"a\": {\"b\": 1}}, \"t\": {\"c\": 1}, \"scenario\"");
	tap_ok(strstr(e, "t: given twice") == e, "a key twice whose first value held objects: %s", e);
	e = edited("\"scenario\"", "\"x\": {\"y\": {\"z\": 1, \"z\": 2}}, \"scenario\"");
	tap_ok(strstr(e, "x.y.z: given twice") == e, "a key twice deep in an extra object: %s", e);
	/* colons, braces and quotes inside strings are not structure */
	e = edited("\"scenario\": {\"name\": \"s\",",
		   "\"scenario\": {\"name\": \"s\", \"description\": \"a: {b: \\\"c\\\": [d, e}: f\",");
	tap_ok(!strcmp(e, ""), "colons and braces inside a string: %s", e);
	e = edited("\"scenario\": {\"name\": \"s\",", "\"scenario\": {\"name\": \"s\", \"k:\": 1, \"k\": 2,");
	tap_ok(!strcmp(e, ""), "keys that differ only past a colon: %s", e);
	e = edited("\"repeats\": [", "\"a\": [{\"k\": 1}, {\"k\": 2}, [{}, {\"k\": 3, \"j\": 4}]], \"repeats\": [");
	tap_ok(!strcmp(e, ""), "the same key in sibling objects of an array: %s", e);
	e = edited("\"repeats\": [", "\"a\": [{\"k\": 1}, [{}, {\"k\": 3, \"k\": 4}]], \"repeats\": [");
	tap_ok(strstr(e, "a[1][1].k: given twice") == e, "a key twice in an object in arrays: %s", e);
}

/* The one read: text in memory checked as a file would be; a directory's
 * other JSON passed over, a broken result not; the digest of the bytes. */
static void one_read(void)
{
	const char *skip = "{\"schema\": \"ptbench-vm/1\"}";
	struct pt_result_file f;
	uint8_t want[PT_SHA256_LEN];
	char path[] = "/tmp/ptbench-result-read-XXXXXX";
	int fd = mkstemp(path);

	tap_ok(from_text(good, 0) == 0, "from_text: a good result");
	tap_ok(from_text("{\"schema\": \"ptbench-result/1\", \"complete\": true}", 0) == -1,
	       "from_text: a result without scenario or repeats is refused");
	tap_ok(from_text(skip, 0) == -1, "from_text: no ptbench result is refused");
	tap_ok(from_text(skip, PT_RESULT_READ_SKIP_FOREIGN) == 1, "SKIP_FOREIGN: other JSON passed over");
	tap_ok(from_text("[1, 2]", PT_RESULT_READ_SKIP_FOREIGN) == 1, "SKIP_FOREIGN: JSON that is no object passed over");
	/* text that is no JSON may be a cut-off result: never passed over */
	tap_ok(from_text("{ not json", PT_RESULT_READ_SKIP_FOREIGN) == -1, "SKIP_FOREIGN: not JSON is refused");
	tap_ok(from_text("{\"schema\":\"ptbench-result/1\",\"complete\":tr", PT_RESULT_READ_SKIP_FOREIGN) == -1,
	       "SKIP_FOREIGN: a truncated result is refused (lenient json-c refused it too)");
	tap_ok(from_text("", PT_RESULT_READ_SKIP_FOREIGN) == -1, "SKIP_FOREIGN: an empty file is refused");
	tap_ok(from_text("{\"schema\": \"ptbench-result/1\", \"complete\": 1}", PT_RESULT_READ_SKIP_FOREIGN) == -1,
	       "SKIP_FOREIGN: a broken result is still refused");
	/* json-c alone would take a trailing comma: it still claims to be ours */
	tap_ok(from_text("{\"schema\": \"ptbench-result/1\",}", PT_RESULT_READ_SKIP_FOREIGN) == -1,
	       "SKIP_FOREIGN: a result that strict JSON refuses is still refused");
	if (fd < 0 || write(fd, good, strlen(good)) != (ssize_t)strlen(good) || close(fd)) {
		tap_ok(0, "cannot write %s", path);
		return;
	}
	pt_sha256(good, strlen(good), want);
	tap_ok(pt_result_read(path, PT_RESULT_READ_DIGEST, &f) == 0 && f.have_sha256 &&
		       !memcmp(f.sha256, want, sizeof(want)),
	       "pt_result_read: the SHA-256 of the bytes it validated");
	pt_result_file_free(&f);
	tap_ok(pt_result_read(path, 0, &f) == 0 && !f.have_sha256,
	       "pt_result_read: no digest unless PT_RESULT_READ_DIGEST asks for it");
	pt_result_file_free(&f);
	unlink(path);
	/* the same from the text in memory (the fuzz target's way in):
	 * the same fields, the same digest, the name in the message */
	{
		struct pt_result_file g;
		struct pt_cmp_input in;

		tap_ok(pt_result_read_buffer("mem.json", good, strlen(good), PT_RESULT_READ_DIGEST, &g) == 0 &&
			       g.have_sha256 && !memcmp(g.sha256, want, sizeof(want)) &&
			       !strcmp(g.path, "mem.json") && g.repeats_total >= 1 && g.complete,
		       "pt_result_read_buffer: what pt_result_read gives from the file");
		pt_result_file_free(&g);
		tap_ok(pt_result_read_buffer("mem.json", skip, strlen(skip), PT_RESULT_READ_SKIP_FOREIGN, &g) == 1,
		       "pt_result_read_buffer: SKIP_FOREIGN passes other JSON over");
		tap_ok(pt_cmp_load_buffer("mem.json", good, strlen(good), false, &in, NULL, NULL) == 0 &&
			       !strcmp(in.path, "mem.json") && in.doc && in.repeats >= 1,
		       "pt_cmp_load_buffer: compare's load from memory");
		pt_cmp_input_free(&in);
	}
}

static void sweep_median(void)
{
	/* four repeats, p50 1000, 2000, 3000, 4000: the median is 2500 (the
	 * mean of the middle two), not the upper middle value */
	struct pt_sweep sw = { .param = "w.threads", .values = { 1 }, .n = 1 };
	struct json_object *doc = json_tokener_parse(
		"{\"scenario\": {\"headline\": \"w.fault.p50\"}, \"repeats\": ["
		"{\"workers\": {\"w\": {\"ops\": {\"fault\": {\"ns\": {\"p50\": 4000, \"p99\": 4000}}}}}},"
		"{\"workers\": {\"w\": {\"ops\": {\"fault\": {\"ns\": {\"p50\": 1000, \"p99\": 1000}}}}}},"
		"{\"workers\": {\"w\": {\"ops\": {\"fault\": {\"ns\": {\"p50\": 3000, \"p99\": 3000}}}}}},"
		"{\"workers\": {\"w\": {\"ops\": {\"fault\": {\"ns\": {\"p50\": 2000, \"p99\": 2000}}}}}}]}");
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	pt_sweep_print_table(&sw, &doc, 1, f);
	fclose(f);
	tap_ok(strstr(text, " 2.5us/2.5us") != NULL,
	       "sweep table: median of 4 repeats is the mean of the middle two (stats.c): %s", text);
	free(text);
	json_object_put(doc);
}

int main(void)
{
	const char *e;

	tap_ok(!strcmp(check(good, strlen(good)), ""), "a well-formed result validates");
	e = edited("\"p99\": 2000", "\"p99\": \"garbage\"");
	tap_ok(!strcmp(e, "repeats[0].workers.w.ops.fault.ns.p99: expected a non-negative integer (at most 2^53), "
			  "got \"garbage\""),
	       "a string percentile: %s", e);
	e = edited("\"p99\": 2000", "\"p99\": -5");
	tap_ok(strstr(e, "ns.p99: expected a non-negative integer (at most 2^53), got -5") != NULL, "-5: %s", e);
	/* past 2^53 a double (what every reader computes in) is not exact, and
	 * json-c gives INT64_MAX for anything past int64: a count of 1e44 read
	 * as 9.2e18 (found by tests/fuzz/fuzz_gate_inputs) */
	e = edited("\"count\": 4", "\"count\": 9007199254740992");
	tap_ok(!strcmp(e, ""), "a count of 2^53 validates: %s", e);
	e = edited("\"count\": 4", "\"count\": 9007199254740993");
	tap_ok(strstr(e, "fault.count: expected a non-negative integer (at most 2^53), got 9007199254740993") != NULL,
	       "a count of 2^53 + 1 is refused: %s", e);
	e = edited("\"count\": 4", "\"count\": 100001111111111111111111111111111111111111110");
	tap_ok(strstr(e, "fault.count: expected a non-negative integer (at most 2^53)") != NULL,
	       "a count past int64 is refused: %s", e);
	e = edited("\"count\": 4", "\"count\": 4.5");
	tap_ok(strstr(e, "fault.count: expected a non-negative integer (at most 2^53), got 4.5") != NULL, "4.5: %s", e);
	e = edited("\"complete\": true,", "\"complete\": \"false\",");
	tap_ok(!strcmp(e, "complete: expected true or false, got \"false\""), "complete string: %s", e);
	e = edited("\"repeats\": [", "\"repeats\": null, \"x\": [");
	tap_ok(!strcmp(e, "repeats: expected an array, got null"), "repeats null: %s", e);
	e = edited("\"scenario\": {\"name\": \"s\", \"headline\": \"w.fault.p99\"}", "\"scenario\": [1]");
	tap_ok(!strcmp(e, "scenario: expected an object, got [1]"), "scenario array: %s", e);
	e = edited("{\"complete\": true, \"workers\"", "{\"complete\": true, \"w0rkers\"");
	tap_ok(!strcmp(e, "repeats[0].workers: missing (expected an object)"), "no workers: %s", e);
	e = edited("\"roles\": {\"w\":", "\"roles\": 3, \"x\": {\"w\":");
	tap_ok(!strcmp(e, "repeats[0].probes.mmap_lock.roles: expected an object, got 3"),
	       "roles not an object: %s", e);
	e = edited("\"available\": true", "\"available\": 1");
	tap_ok(!strcmp(e, "repeats[0].probes.mmap_lock.available: expected true or false, got 1"),
	       "available 1: %s", e);
	e = edited("{\"count\": 3}", "{\"count\": 3, \"ns\": []}");
	tap_ok(!strcmp(e, "repeats[0].probes.mmap_lock.roles.w.hold.write.ns: expected an object, got []"),
	       "lock ns not an object: %s", e);
	/* workers.ROLE.unit_op: optional (older results lack it), else a
	 * string naming one of the role's ops */
	e = edited("\"type\": \"fault\",", "\"type\": \"fault\", \"unit_op\": \"fault\",");
	tap_ok(!strcmp(e, ""), "a unit_op naming one of the role's ops validates: %s", e);
	e = edited("\"type\": \"fault\",", "\"type\": \"fault\", \"unit_op\": \"zap\",");
	tap_ok(!strcmp(e, "repeats[0].workers.w.unit_op: expected one of the role's ops (a key of its "
			  "\"ops\"), got \"zap\""),
	       "a unit_op naming no op of the role: %s", e);
	e = edited("\"type\": \"fault\",", "\"type\": \"fault\", \"unit_op\": 1,");
	tap_ok(!strcmp(e, "repeats[0].workers.w.unit_op: expected a string, got 1"), "a unit_op not a string: %s",
	       e);
	e = edited("\"type\": \"fault\",", "\"type\": \"fault\", \"unit_op\": \"count\",");
	tap_ok(*e != '\0', "a unit_op naming a key of an op's statistics, not an op: %s", e);
	/* what no run writes (the metric registry's checks) */
	e = edited("\"p99\": 2000", "\"p99\": 500");
	tap_ok(!strcmp(e, "repeats[0].workers.w.ops.fault.ns.p99: expected at least ns.p50 (1000): "
			  "percentiles do not decrease, got 500"),
	       "p50 above p99 refused: %s", e);
	e = edited("{\"count\": 3}", "{\"count\": 3, \"ns\": {\"p99\": 90, \"max\": 80}}");
	tap_ok(strstr(e, "roles.w.hold.write.ns.max: expected at least ns.p99 (90)") != NULL,
	       "a lock's p99 above its max refused: %s", e);
	e = edited("{\"complete\": true, \"workers\"", "{\"complete\": true, \"measured_s\": 0, \"workers\"");
	tap_ok(!strcmp(e, "repeats[0].measured_s: expected more than 0 s: workers.w.ops.fault counted 4 ops in "
			  "it, got 0"),
	       "measured_s 0 with ops refused: %s", e);
	e = edited("{\"complete\": true, \"workers\"", "{\"complete\": true, \"measured_s\": 2, \"workers\"");
	tap_ok(!strcmp(e, ""), "measured_s 2 with 4 ops: %s", e);
	e = edited("\"fault\": {\"count\": 4,", "\"fault\": {\"count\": 4, \"ops_per_sec\": 1.7e308,");
	tap_ok(!strcmp(e, ""), "no measured_s: ops_per_sec not checked against it: %s", e);
	{
		const char *t = "{\"schema\": \"ptbench-result/1\", \"complete\": true, \"scenario\": {\"name\": \"s\"},"
				" \"repeats\": [{\"measured_s\": 2, \"workers\": {\"w\": {\"ops\": {\"fault\":"
				" {\"count\": 1000, \"ops_per_sec\": ",
			   *end = "}}}}}]}";
		char buf[512];

		snprintf(buf, sizeof(buf), "%s%s%s", t, "1.7e308", end);
		e = check(buf, strlen(buf));
		tap_ok(!strcmp(e, "repeats[0].workers.w.ops.fault.ops_per_sec: expected at most about count / "
				  "measured_s (1000 ops in 2 s), got 1.7e308"),
		       "ops_per_sec 1.7e308 from 1000 ops in 2 s refused: %s", e);
		snprintf(buf, sizeof(buf), "%s%s%s", t, "500.0", end);
		e = check(buf, strlen(buf));
		tap_ok(!strcmp(e, ""), "500 ops/s from 1000 ops in 2 s: %s", e);
		snprintf(buf, sizeof(buf), "%s%s%s", t, "900.0", end);
		e = check(buf, strlen(buf));
		tap_ok(!strcmp(e, ""), "900 ops/s (a role process's own window, or a pooled boot): %s", e);
	}
	e = check("null", 4);
	tap_ok(strstr(e, "the document is null") != NULL, "null document: %s", e);
	e = check("\xef\xbb\xbf{}", 5);
	tap_ok(strstr(e, "byte order mark") != NULL, "BOM: %s", e);
	e = check("{\"a\":\0}", 7);
	tap_ok(strstr(e, "a NUL byte at offset 5") != NULL, "NUL: %s", e);
	e = check("{\"a\": \"\xff\"}", 10);
	tap_ok(strstr(e, "invalid JSON") != NULL, "invalid UTF-8: %s", e);
	e = check("   ", 3);
	tap_ok(strstr(e, "empty") != NULL, "blank: %s", e);
	{
		char err[256], *text = NULL;
		size_t len;

		tap_ok(pt_result_read_text("/dev/zero", PT_RESULT_MAX_BYTES, &text, &len, err,
					   sizeof(err)) == -1 &&
			       strstr(err, "character device"),
		       "/dev/zero refused without reading: %s", err);
		tap_ok(pt_result_read_text("/", PT_RESULT_MAX_BYTES, &text, &len, err, sizeof(err)) ==
				       -1 &&
			       strstr(err, "a directory"),
		       "a directory refused: %s", err);
		tap_ok(pt_result_read_text("/proc/self/exe", 100, &text, &len, err, sizeof(err)) == -1 &&
			       strstr(err, "more than the 100"),
		       "a file over the cap refused: %s", err);
	}
	completeness();
	duplicate_keys();
	one_read();
	sweep_median();
	return tap_done();
}
