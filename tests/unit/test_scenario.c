/* Scenario parser: a valid file parses to the expected typed values; each bad
 * file in the table is refused with its own message naming file:line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/options.h"
#include "ptbench/plan.h"
#include "ptbench/scenario.h"
#include "ptbench/worker.h"
#include "tap.h"

/* Parse with stderr captured, so the test can read the message. */
static struct pt_scenario *parse_capture(const char *text, char **msg)
{
	FILE *saved = stderr;
	size_t len;
	struct pt_scenario *s;

	*msg = NULL;
	stderr = open_memstream(msg, &len);
	s = pt_scenario_parse("t.ini", text);
	if (s) {
		/* every check beyond syntax happens while the plan is built */
		struct pt_plan *p = NULL;

		if (pt_plan_build(s, PT_PLAN_NO_POINT, NULL, &p)) {
			pt_scenario_free(s);
			s = NULL;
		}
		pt_plan_free(p);
	}
	fclose(stderr);
	stderr = saved;
	return s;
}

static void check_valid(void)
{
	static const char text[] =
		"# comment\n"
		"[scenario]\n"
		"description = two roles ; trailing comment\n"
		"duration = 1500ms\n"
		"warmup = 0\n"
		"repeat = 7\n"
		"\n"
		"[worker churn]\n"
		"type = mmap-churn\n"
		"threads = 3\n"
		"size = 2M\n"
		"populate = yes\n"
		"cpus = compact\n"
		"[worker reader]\n"
		"type = smaps-read\n"
		"threads = rest\n"
		"file = smaps_rollup\n"
		"interval = 10ms\n"
		"[worker pad]\n"
		"type = vma-pad\n";
	char *msg;
	struct pt_scenario *s = parse_capture(text, &msg);

	if (!tap_ok(s != NULL, "valid file parses (stderr: '%s')", msg ? msg : "")) {
		free(msg);
		return;
	}
	free(msg);
	tap_ok(!strcmp(pt_opt_str(&s->opts, "name"), "t"), "name defaults to the file name");
	tap_ok(pt_opt_num(&s->opts, "duration") == 1500000000LL, "duration 1500ms = 1.5e9 ns");
	tap_ok(pt_opt_num(&s->opts, "warmup") == 0, "warmup 0 (bare number = seconds)");
	tap_ok(pt_opt_num(&s->opts, "repeat") == 7, "repeat 7");
	tap_ok(!strcmp(pt_opt_str(&s->opts, "description"), "two roles"),
	       "trailing comment stripped from a value");
	tap_ok(s->nroles == 3, "three roles");
	struct pt_role *c = pt_scenario_role(s, "churn"), *r = pt_scenario_role(s, "reader"),
		       *p = pt_scenario_role(s, "pad");
	tap_ok(c && c->type == pt_worker_find("mmap-churn"), "churn is mmap-churn");
	tap_ok(c && pt_opt_num(&c->opts, "size") == 2 << 20, "size 2M = 2097152");
	tap_ok(c && pt_opt_num(&c->opts, "populate") == 1, "populate yes = true");
	tap_ok(c && !strcmp(pt_opt_str(&c->common, "threads"), "3"), "threads 3");
	tap_ok(r && !strcmp(pt_opt_str(&r->common, "threads"), "rest"), "threads rest");
	tap_ok(r && !strcmp(pt_opt_str(&r->opts, "file"), "smaps_rollup"), "enum value kept");
	tap_ok(r && pt_opt_num(&r->opts, "interval") == 10000000, "interval 10ms");
	tap_ok(r && pt_opt_num(&r->opts, "bufsize") == 65536 && !pt_opt_is_set(&r->opts, "bufsize"),
	       "unset key takes its default (bufsize 64K) and is marked not set");
	tap_ok(p && !strcmp(pt_opt_str(&p->common, "threads"), "0"),
	       "a setup-only worker gets 0 threads");
	tap_ok(pt_scenario_apply_set(s, "churn.size=4K") == 0 && pt_opt_num(&c->opts, "size") == 4096,
	       "--set churn.size=4K overrides the file");
	tap_ok(pt_scenario_apply_set(s, "scenario.repeat=3") == 0 && pt_opt_num(&s->opts, "repeat") == 3,
	       "--set scenario.repeat=3");
	pt_scenario_free(s);
}

struct bad {
	const char *why;
	const char *text;
	const char *expect; /* substring of the message */
};

#define HDR "[scenario]\n"
#define W "[worker w]\ntype = mmap-churn\n"

static const struct bad bad_files[] = {
	{ "unknown key with a hint", HDR W "sise = 1M\n", "t.ini:4: unknown key 'sise' in [worker w] (type mmap-churn) (did you mean 'size'?)" },
	{ "unknown worker type with a hint", HDR "[worker w]\ntype = mmap-chrun\n", "t.ini:3: [worker w]: unknown worker type 'mmap-chrun' (did you mean 'mmap-churn'?)" },
	{ "missing type", HDR "[worker w]\nthreads = 1\n", "t.ini:2: [worker w]: missing 'type'" },
	{ "bad size", HDR W "size = 12Q\n", "t.ini:4: [worker w] (type mmap-churn): size = 12Q: expected a size" },
	{ "size out of range", HDR W "size = 1K\n", "t.ini:4: [worker w] (type mmap-churn): size = 1K: out of range" },
	{ "bad duration", HDR "duration = soon\n" W, "t.ini:2: [scenario]: duration = soon: expected a duration" },
	{ "bad bool", HDR W "populate = maybe\n", "t.ini:4: [worker w] (type mmap-churn): populate = maybe: expected true or false" },
	{ "bad enum with a hint", HDR "[worker r]\ntype = smaps-read\nfile = smap\n", "t.ini:4: [worker r] (type smaps-read): file = smap: not one of smaps, smaps_rollup, maps, numa_maps (did you mean 'smaps'?)" },
	{ "unknown section with a hint", "[scenaro]\n", "t.ini:1: unknown section [scenaro] (did you mean [scenario]?)" },
	{ "line without =", HDR "duration 5s\n", "t.ini:2: expected 'key = value', got 'duration 5s'" },
	{ "key before any section", "duration = 5s\n", "t.ini:1: 'duration = 5s' before any section" },
	{ "repeated key", HDR "repeat = 3\nrepeat = 4\n" W, "t.ini:3: key 'repeat' repeated (first at line 2)" },
	{ "repeated section", HDR W W, "t.ini:4: section [worker w] repeated (first at line 2)" },
	{ "no workers", HDR "repeat = 3\n", "t.ini: no [worker NAME] section" },
	{ "no scenario section", W, "t.ini: no [scenario] section" },
	{ "unnamed worker", HDR "[worker]\ntype = fault\n", "t.ini:2: [worker]: a worker section needs a name" },
	{ "bad threads", HDR W "threads = lots\n", "t.ini:4: [worker w]: threads = lots: expected a number 0..4096, 'rest', 'max' or a sweep like 1,2,4,...,max" },
	{ "threads on a setup-only worker", HDR "[worker p]\ntype = vma-pad\nthreads = 2\n", "t.ini:4: [worker p]: type vma-pad runs no threads" },
	{ "malformed header", HDR "[worker w\n", "t.ini:2: malformed section header" },
	{ "hex threads", HDR W "threads = 0x2\n", "t.ini:4: [worker w]: threads = 0x2: expected a number 0..4096" },
	{ "threads with a leading zero", HDR W "threads = 010\n", "t.ini:4: [worker w]: threads = 010: expected a number 0..4096" },
	{ "size not whole PMDs", HDR "[worker c]\ntype = anon-collapse\nsize = 3M\n", "t.ini:4: [worker c] (type anon-collapse): size = 3M: must be a multiple of 2M" },
	{ "cpus the machine lacks, at its line", HDR W "threads = 1\ncpus = 4095\n", "t.ini:5: [worker w]: cpus = 4095" },
	{ "repeat out of range", HDR "repeat = 0\n" W, "t.ini:2: [scenario]: repeat = 0: out of range [1, 10000]" },
};

static void check_bad(void)
{
	for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		char *msg;
		struct pt_scenario *s = parse_capture(bad_files[i].text, &msg);
		int ok = !s && msg && strstr(msg, bad_files[i].expect);

		tap_ok(ok, "bad file refused: %s", bad_files[i].why);
		if (!ok)
			tap_diag("got: %s", msg ? msg : "(nothing)");
		pt_scenario_free(s);
		free(msg);
	}
}

static void check_set_errors(void)
{
	static const struct {
		const char *set, *expect;
	} sets[] = {
		{ "nosuch.size=1M", "no worker 'nosuch' in this scenario" },
		{ "w.sise=1M", "unknown key 'sise' in [worker w] (type mmap-churn) (did you mean 'size'?)" },
		{ "w.size=huge", "size = huge: expected a size" },
		{ "w.type=fault", "a role's type cannot be changed" },
		{ "size=1M", "expected ROLE.KEY=VALUE" },
	};
	char *msg;
	struct pt_scenario *s = parse_capture(HDR W, &msg);

	free(msg);
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		FILE *saved = stderr;
		size_t len;
		int rc;

		stderr = open_memstream(&msg, &len);
		rc = pt_scenario_apply_set(s, sets[i].set);
		fclose(stderr);
		stderr = saved;
		msg[strcspn(msg, "\n")] = '\0';
		tap_ok(rc != 0 && strstr(msg, sets[i].expect), "--set %s refused: %s", sets[i].set, msg);
		free(msg);
	}
	pt_scenario_free(s);
}

static void check_values(void)
{
	long long v;

	tap_ok(!pt_parse_size("4K", &v) && v == 4096 && !pt_parse_size("1.5G", &v) && v == 3LL << 29 &&
		       !pt_parse_size("2MiB", &v) && v == 2 << 20,
	       "sizes: 4K, 1.5G, 2MiB");
	tap_ok(pt_parse_size("-1M", &v) && pt_parse_size("", &v) && pt_parse_size("M", &v),
	       "sizes: negative, empty and unit-only refused");
	tap_ok(!pt_parse_duration_ns("250us", &v) && v == 250000 && !pt_parse_duration_ns("2m", &v) &&
		       v == 120000000000LL && !pt_parse_duration_ns("3", &v) && v == 3000000000LL,
	       "durations: 250us, 2m, bare seconds");
}

/* The option table fills a typed struct: each field gets its key's value
 * in its own C type, defaults included. */
struct typed {
	long long n, size, dur;
	bool flag;
	int pick;
	const char *name;
};

static const char *const picks[] = { "a", "b", "c", NULL };
static const struct pt_opt_def typed_defs[] = {
	PT_OPT_INT_F("n", struct typed, n, "7", 0, 100, "an int"),
	PT_OPT_SIZE_MULT_F("size", struct typed, size, "4M", 0, 0, 2 << 20, "whole PMDs"),
	PT_OPT_DURATION_F("dur", struct typed, dur, "1ms", 0, 0, "a duration"),
	PT_OPT_BOOL_F("flag", struct typed, flag, "false", "a bool"),
	PT_OPT_ENUM_F("pick", struct typed, pick, "a", picks, "an enum"),
	PT_OPT_STRING_F("name", struct typed, name, "x", "a string"),
	PT_OPT_END,
};

static void check_typed(void)
{
	struct pt_opts o;
	struct typed t;
	char err[128];

	memset(&t, 0, sizeof(t));
	pt_opts_init(&o, typed_defs);
	tap_ok(pt_opts_set(&o, pt_opts_find(&o, "size"), "6M", 3, err, sizeof(err)) == 0, "6M is whole PMDs");
	tap_ok(pt_opts_set(&o, pt_opts_find(&o, "size"), "5M", 4, err, sizeof(err)) == -1 &&
		       strstr(err, "size = 5M: must be a multiple of 2M"),
	       "5M refused as not a multiple of 2M: %s", err);
	pt_opts_set(&o, pt_opts_find(&o, "flag"), "yes", 5, err, sizeof(err));
	pt_opts_set(&o, pt_opts_find(&o, "pick"), "c", 6, err, sizeof(err));
	pt_opts_set(&o, pt_opts_find(&o, "name"), "hello", 7, err, sizeof(err));
	pt_opts_fill(&o, &t);
	tap_ok(t.n == 7 && t.size == 6 << 20 && t.dur == 1000000, "numbers filled (defaults and set)");
	tap_ok(t.flag && t.pick == 2 && !strcmp(t.name, "hello"), "bool, enum index and string filled");
	tap_ok(pt_opt_line(&o, "name") == 7 && pt_opt_line(&o, "n") == 0, "lines kept for messages");
	pt_opts_free(&o);
}

/* numa_nodes: more nodes than any machine has is a skip (exit 4) that says
 * how many the machine has, before node:N could be refused as bad input */
static void check_numa_nodes(void)
{
	static const char text[] =
		"[scenario]\n"
		"numa_nodes = 4096\n"
		"[worker f]\n"
		"type = fault\n"
		"threads = 1\n"
		"cpus = node:4095\n";
	FILE *saved = stderr;
	char *msg = NULL;
	size_t len;
	struct pt_scenario *s = pt_scenario_parse("t.ini", text);
	struct pt_plan *p = NULL;
	int rc = -1;

	tap_ok(s != NULL, "numa_nodes = 4096 parses");
	if (!s)
		return;
	tap_ok(pt_opt_num(&s->opts, "numa_nodes") == 4096, "numa_nodes read as 4096");
	stderr = open_memstream(&msg, &len);
	rc = pt_plan_build(s, PT_PLAN_NO_POINT, NULL, &p);
	fclose(stderr);
	stderr = saved;
	tap_ok(rc == 4, "a machine with fewer NUMA nodes skips: exit 4 (got %d)", rc);
	tap_ok(msg && strstr(msg, "needs 4096 NUMA nodes, this machine has ") && strstr(msg, "--topology"),
	       "the skip says what the scenario needs, what the machine has and how to get it ('%s')", msg ? msg : "");
	free(msg);
	pt_plan_free(p);
	pt_scenario_free(s);
}

int main(void)
{
	check_valid();
	check_typed();
	check_bad();
	check_set_errors();
	check_values();
	check_numa_nodes();
	return tap_done();
}
