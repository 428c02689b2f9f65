/* Issue 13's input rules at the function level: values too large say "out
 * of range" (not "expected a duration"), inf/nan/hex are no sizes, sweep
 * lists have no empty values, UTF-8 is checked and repaired, the duplicate
 * map behaves, NUL-free big scenarios parse, and the output check refuses
 * what is not a regular file or a new name. */
#define _GNU_SOURCE
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ptbench/options.h"
#include "ptbench/output_file.h"
#include "ptbench/run_checks.h"
#include "ptbench/scenario.h"
#include "ptbench/strmap.h"
#include "ptbench/sweep.h"
#include "ptbench/utf8.h"
#include "ptbench/util.h"
#include "tap.h"

static void values(void)
{
	long long v = 0;
	int vals[PT_SWEEP_MAX];
	char err[256];

	tap_ok(pt_parse_duration_ns("99999999h", &v) == PT_PARSE_RANGE, "99999999h: out of range");
	tap_ok(pt_parse_duration_ns("1e999", &v) == PT_PARSE_RANGE, "1e999: out of range");
	tap_ok(pt_parse_size("99999999T", &v) == PT_PARSE_RANGE, "99999999T: out of range");
	tap_ok(pt_parse_int("99999999999999999999", &v) == PT_PARSE_RANGE, "a 20-digit int: out of range");
	tap_ok(pt_parse_duration_ns("inf", &v) == -1 && pt_parse_duration_ns("nan", &v) == -1 &&
		       pt_parse_size("infk", &v) == -1,
	       "inf, nan: not a value (no float-cast overflow)");
	tap_ok(pt_parse_size("0x10", &v) == -1 && pt_parse_size("0x1p4k", &v) == -1, "hex floats are not sizes");
	tap_ok(pt_parse_duration_ns("1.5s", &v) == 0 && v == 1500000000LL, "1.5s still parses");
	tap_ok(pt_parse_size(".5k", &v) == 0 && v == 512, ".5k still parses");
	tap_ok(pt_parse_size("2M", &v) == 0 && v == 2 << 20, "2M still parses");
	tap_ok(pt_sweep_parse_values("1,,2", 8, vals, PT_SWEEP_MAX, err, sizeof(err)) < 0 &&
		       strstr(err, "empty value"),
	       "sweep '1,,2': an empty value");
	tap_ok(pt_sweep_parse_values("1,2,", 8, vals, PT_SWEEP_MAX, err, sizeof(err)) < 0,
	       "sweep '1,2,': refused");
	tap_ok(pt_sweep_parse_values("1, 2,4,...,max", 16, vals, PT_SWEEP_MAX, err, sizeof(err)) == 5,
	       "sweep '1, 2,4,...,max' still gives 5 values");
}

static void utf8(void)
{
	size_t bad = 99;
	char *s;
	struct json_object *o;

	tap_ok(pt_utf8_valid("plain \xc3\xa9t\xc3\xa9", 11, NULL), "valid UTF-8 accepted");
	tap_ok(!pt_utf8_valid("ab\xff\xfe", 4, &bad) && bad == 2, "\\xff found at offset 2");
	tap_ok(!pt_utf8_valid("\xc0\xaf", 2, NULL), "overlong refused");
	tap_ok(!pt_utf8_valid("\xed\xa0\x80", 3, NULL), "surrogate refused");
	tap_ok(!pt_utf8_valid("\xe2\x82", 2, NULL), "truncated sequence refused");
	s = pt_utf8_sanitize("a\xffz", 3);
	tap_ok(!strcmp(s, "a\xef\xbf\xbdz"), "a bad byte becomes U+FFFD");
	free(s);
	o = json_object_new_object();
	json_object_object_add(o, "description", json_object_new_string("\xff\xfe"));
	json_object_object_add(o, "k\xff", json_object_new_int(1));
	tap_ok(pt_json_sanitize_utf8(o) == 2, "a tree: one bad value and one bad key repaired");
	s = (char *)json_object_to_json_string(o);
	tap_ok(pt_utf8_valid(s, strlen(s), NULL), "the JSON text is valid UTF-8");
	json_object_put(o);
}

static void strmap(void)
{
	struct pt_strmap m = { 0 };
	char k[32];
	int dups = 0;

	for (int i = 0; i < 100000; i++) {
		snprintf(k, sizeof(k), "w%d", i);
		dups += pt_strmap_add(&m, k, strlen(k), i) >= 0;
	}
	tap_ok(!dups && m.n == 100000, "100k distinct keys, no false duplicate");
	tap_ok(pt_strmap_add(&m, "w77", 3, 5) == 77, "a duplicate returns the first value");
	tap_ok(pt_strmap_get(&m, "a\0b", 3) == -1 && pt_strmap_add(&m, "a\0b", 3, 1) == -1 &&
		       pt_strmap_get(&m, "a\0c", 3) == -1 && pt_strmap_get(&m, "a\0b", 3) == 1,
	       "binary keys (kind NUL name) are told apart");
	pt_strmap_free(&m);
}

static void big_scenario(void)
{
	size_t cap = 64 << 20, off = 0;
	char *text = pt_xmalloc(cap);
	struct pt_scenario *s;

	off += (size_t)snprintf(text + off, cap - off, "[scenario]\n");
	for (int i = 0; i < 100000; i++)
		off += (size_t)snprintf(text + off, cap - off, "[worker w%d]\ntype = vma-pad\ncount = 1\n", i);
	s = pt_scenario_parse("big.ini", text);
	tap_ok(s && s->nroles == 100000, "100k roles parse");
	pt_scenario_free(s);
	snprintf(text + off, cap - off, "[worker w99998]\n");
	s = pt_scenario_parse("big.ini", text);
	tap_ok(!s, "a repeated section among 100k is found");
	free(text);
	s = pt_scenario_parse("u.ini", "[scenario]\ndescription = \xff\n[worker f]\ntype = fault\n");
	tap_ok(!s, "invalid UTF-8 in a scenario is refused");
}

static void outputs(void)
{
	char why[512], dir[64], path[128];

	snprintf(dir, sizeof(dir), "/tmp/ptbench-out-test.XXXXXX");
	if (!mkdtemp(dir))
		exit(1);
	tap_ok(pt_output_check("/dev/null", why, sizeof(why)) && strstr(why, "character device"),
	       "/dev/null refused: %s", why);
	tap_ok(pt_output_check(dir, why, sizeof(why)) && strstr(why, "a directory"), "a directory refused");
	tap_ok(pt_output_check("/proc/x.json", why, sizeof(why)) && strstr(why, "proc"), "/proc/x refused: %s", why);
	snprintf(path, sizeof(path), "%s/f", dir);
	fclose(fopen(path, "w"));
	snprintf(path, sizeof(path), "%s/f/x.json", dir);
	tap_ok(pt_output_check(path, why, sizeof(why)) != 0, "a path under a file refused: %s", why);
	snprintf(path, sizeof(path), "%s/new.json", dir);
	tap_ok(pt_output_check(path, why, sizeof(why)) == 0 && access(path, F_OK) != 0,
	       "a new name passes, and the check leaves nothing behind");
	tap_ok(pt_output_write(path, "{}", 2, why, sizeof(why)) == 0, "the write succeeds");
	tap_ok(pt_output_write("/dev/null", "{}", 2, why, sizeof(why)) != 0, "the write itself refuses /dev/null too");
	{
		struct stat st;

		tap_ok(!stat("/dev/null", &st) && S_ISCHR(st.st_mode), "/dev/null is still a device");
	}
	unlink(path);
	snprintf(path, sizeof(path), "%s/f", dir);
	unlink(path);
	rmdir(dir);
}

static int measured(const char *json, char *why, size_t len, char *warn, size_t wlen)
{
	struct json_object *rep = json_tokener_parse(json);
	FILE *saved = stderr, *tmp = tmpfile();
	int rc;

	stderr = tmp;
	rc = pt_check_measured(rep, why, len);
	fflush(tmp);
	rewind(tmp);
	warn[0] = '\0';
	if (!fgets(warn, (int)wlen, tmp))
		warn[0] = '\0';
	warn[strcspn(warn, "\n")] = '\0';
	fclose(tmp);
	stderr = saved;
	json_object_put(rep);
	return rc;
}

static void run_checks(void)
{
	char why[512], warn[512];

	tap_ok(measured("{\"workers\":{\"reader\":{\"ops\":{\"read\":{\"count\":120,\"errors\":{\"EACCES\":120}}}}}}",
			why, sizeof(why), warn, sizeof(warn)) &&
		       strstr(why, "[worker reader] op read: every one of its 120 calls failed (EACCES 120)"),
	       "every call failed: %s", why);
	tap_ok(!measured("{\"workers\":{\"r\":{\"ops\":{\"read\":{\"count\":120,\"errors\":{\"EACCES\":3}}}}}}",
			 why, sizeof(why), warn, sizeof(warn)),
	       "some calls failed: still a result");
	tap_ok(measured("{\"workers\":{\"pad\":{\"ops\":{}}}}", why, sizeof(why), warn, sizeof(warn)) &&
		       strstr(why, "nothing measured"),
	       "no op at all: nothing measured");
	tap_ok(measured("{\"workers\":{\"c\":{\"ops\":{\"collapse\":{\"count\":9,\"errors\":{\"EAGAIN\":4}}},"
			"\"collapse\":{\"attempts\":9,\"succeeded\":0}}}}",
			why, sizeof(why), warn, sizeof(warn)) &&
		       strstr(why, "none of its 9 collapses succeeded"),
	       "no collapse succeeded: %s", why);
	tap_ok(measured("{\"workers\":{\"c\":{\"ops\":{\"collapse\":{\"count\":7,\"errors\":{}}},"
			"\"collapse\":{\"attempts\":7,\"succeeded\":7,\"checked_small_before\":7,"
			"\"started_huge\":7}}}}",
			why, sizeof(why), warn, sizeof(warn)) &&
		       strstr(why, "every one of its 7 checked iterations started from huge pages"),
	       "every iteration started huge (THP always): nothing collapsed, a failure: %s", why);
	tap_ok(!measured("{\"workers\":{\"c\":{\"ops\":{\"collapse\":{\"count\":7,\"errors\":{}}},"
			 "\"collapse\":{\"attempts\":7,\"succeeded\":7,\"checked_small_before\":7,"
			 "\"started_huge\":1}}}}",
			 why, sizeof(why), warn, sizeof(warn)),
	       "one iteration of seven started huge: still a result (warned by the worker)");
	tap_ok(!measured("{\"workers\":{\"k\":{\"ops\":{\"collapse\":{\"count\":3,\"errors\":{}}},"
			 "\"khugepaged\":{\"iterations\":3,\"pmds_collapsed\":3,\"vmstat_check\":{\"agrees\":false,"
			 "\"rule\":\"r\",\"worker_pmds\":3,\"pages_collapsed\":5,\"vmstat\":5}}}}}",
			 why, sizeof(why), warn, sizeof(warn)) &&
		       strstr(warn, "warning: [worker k] khugepaged: the kernel's counters disagree"),
	       "a khugepaged vmstat disagreement is warned: %s", warn);
	tap_ok(measured("{\"workers\":{\"k\":{\"ops\":{\"collapse\":{\"count\":3,\"errors\":{}}},"
			"\"khugepaged\":{\"iterations\":3,\"pmds_collapsed\":0}}}}",
			why, sizeof(why), warn, sizeof(warn)) &&
		       strstr(why, "khugepaged collapsed none"),
	       "khugepaged collapsed nothing: %s", why);
}

int main(void)
{
	/* the parser's file:line messages are expected here */
	if (!getenv("TEST_VERBOSE"))
		stderr = fopen("/dev/null", "w");
	values();
	utf8();
	strmap();
	big_scenario();
	outputs();
	run_checks();
	return tap_done();
}
