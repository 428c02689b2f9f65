/* ptbench run SCENARIO: parse, plan, push THP settings, run the repeats,
 * write the result atomically, print the summary. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "ptbench/cli.h"
#include "ptbench/commands.h"
#include "ptbench/exitcodes.h"
#include "ptbench/machine_state.h"
#include "ptbench/membind.h"
#include "ptbench/output_file.h"
#include "ptbench/probe.h"
#include "ptbench/result.h"
#include "ptbench/run_checks.h"
#include "ptbench/run_output.h"
#include "ptbench/runner.h"
#include "ptbench/scenario.h"
#include "ptbench/summary.h"
#include "ptbench/sweep.h"
#include "ptbench/sysfs_settings.h"
#include "ptbench/sysinfo.h"
#include "ptbench/topo.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"

#define THP_DIR "/sys/kernel/mm/transparent_hugepage/"

struct run_args {
	const char *scenario;
	const char *output;
	const char *duration, *warmup, *repeat;
	const char *sweep;            /* --sweep ROLE.threads=LIST */
	char **sets;
	int nsets;
	bool no_trace, json, quiet;
	bool dry_run;                 /* --dry-run: every check, nothing run or written */
};

static void run_usage(FILE *f)
{
	fprintf(f, "usage: ptbench run SCENARIO [-o FILE] [--duration D] [--warmup D] [--repeat N]\n"
		   "                    [--set ROLE.KEY=VALUE]... [--sweep ROLE.threads=LIST]\n"
		   "                    [--no-trace] [--json] [--quiet] [--dry-run]\n"
		   "SCENARIO is a name from `ptbench list` or a path to an .ini file.\n"
		   "--dry-run parses, plans and checks everything a run would (the output path\n"
		   "included) and writes nothing: exit 0 ok, 2 bad input, 4 cannot run here.\n");
}

static const struct option run_longopts[] = {
	{ "output", required_argument, NULL, 'o' },  { "duration", required_argument, NULL, 'd' },
	{ "warmup", required_argument, NULL, 'w' },  { "repeat", required_argument, NULL, 'r' },
	{ "set", required_argument, NULL, 's' },     { "no-trace", no_argument, NULL, 'T' },
	{ "json", no_argument, NULL, 'j' },          { "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },          { "sweep", required_argument, NULL, 'S' },
	{ "dry-run", no_argument, NULL, 'D' },
	{ NULL, 0, NULL, 0 },
};

static int parse_args(int argc, char **argv, struct run_args *a)
{
	int c;

	memset(a, 0, sizeof(*a));
	a->sets = pt_xcalloc((size_t)argc, sizeof(char *));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:d:r:s:jqh", run_longopts, NULL)) != -1) {
		switch (c) {
		case 'o': a->output = optarg; break;
		case 'd': a->duration = optarg; break;
		case 'w': a->warmup = optarg; break;
		case 'r': a->repeat = optarg; break;
		case 's': a->sets[a->nsets++] = optarg; break;
		case 'S': a->sweep = optarg; break;
		case 'T': a->no_trace = true; break;
		case 'D': a->dry_run = true; break;
		case 'j': a->json = true; break;
		case 'q': a->quiet = true; break;
		case 'h': run_usage(stdout); exit(PT_EXIT_OK);
		default:
			pt_cli_bad_option("run", argv, run_longopts);
			run_usage(stderr);
			return -1;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, optind >= argc ? "ptbench run: which scenario? (see `ptbench list`)\n"
					       : "ptbench run: one scenario at a time\n");
		run_usage(stderr);
		return -1;
	}
	a->scenario = argv[optind];
	return 0;
}

/* Page-table layout must be the same every run: turn ASLR off by re-executing
 * ourselves with ADDR_NO_RANDOMIZE (it only applies at exec). */
static void disable_aslr(char **argv)
{
	int pers = personality(0xffffffff);

	if (pers == -1 || (pers & ADDR_NO_RANDOMIZE) || getenv("PTBENCH_NO_REEXEC"))
		return;
	if (personality((unsigned long)pers | ADDR_NO_RANDOMIZE) == -1)
		return;
	setenv("PTBENCH_NO_REEXEC", "1", 1);
	execv("/proc/self/exe", argv);
	/* exec failed: carry on with ASLR, the result records it */
	unsetenv("PTBENCH_NO_REEXEC");
}

static int override(struct pt_scenario *sc, const char *key, const char *val, const char *flag)
{
	char err[256];
	int idx = pt_opts_find(&sc->opts, key);

	if (pt_opts_set(&sc->opts, idx, val, 0, err, sizeof(err))) {
		fprintf(stderr, "ptbench run: %s: %s\n", flag, err);
		return -1;
	}
	return 0;
}

/* Threads per role, with 'rest' taking the PUs nobody else asked for. */
static int resolve_threads(const struct pt_scenario *sc, int *nthreads)
{
	int taken = 0, npus = pt_topo_npus(), nrest = 0;

	for (size_t r = 0; r < sc->nroles; r++) {
		const char *t = pt_opt_str(&sc->roles[r].common, "threads");

		if (!strcmp(t, "rest")) {
			nthreads[r] = -1;
			nrest++;
		} else {
			nthreads[r] = atoi(t);
			taken += nthreads[r];
		}
	}
	for (size_t r = 0; r < sc->nroles; r++) {
		if (nthreads[r] != -1)
			continue;
		/* rest on a full machine still runs one thread: contention is the point */
		nthreads[r] = (npus - taken) / nrest;
		if (nthreads[r] < 1)
			nthreads[r] = 1;
	}
	return 0;
}

static const struct {
	const char *key, *file;
} thp_keys[] = {
	{ "thp_enabled", THP_DIR "enabled" },
	{ "thp_defrag", THP_DIR "defrag" },
	{ "thp_shmem_enabled", THP_DIR "shmem_enabled" },
};

static int push_thp(const struct pt_scenario *sc)
{
	char err[512];

	for (size_t i = 0; i < PT_ARRAY_SIZE(thp_keys); i++) {
		const char *v = pt_opt_str(&sc->opts, thp_keys[i].key);

		if (!strcmp(v, "keep"))
			continue;
		if (geteuid() != 0) {
			fprintf(stderr, "ptbench run: skipped: %s = %s needs root to write %s\n",
				thp_keys[i].key, v, thp_keys[i].file);
			return PT_EXIT_SKIP;
		}
		if (pt_sysfs_push(thp_keys[i].file, v, err, sizeof(err))) {
			fprintf(stderr, "ptbench run: skipped: %s\n", err);
			return PT_EXIT_SKIP;
		}
	}
	return 0;
}

static int check_workers(const struct pt_scenario *sc)
{
	for (size_t r = 0; r < sc->nroles; r++) {
		const struct pt_role *role = &sc->roles[r];
		char why[512] = "";
		enum pt_check c;

		if (!role->type->check)
			continue;
		c = role->type->check(role, why, sizeof(why));
		if (c == PT_CHECK_SKIP) {
			fprintf(stderr, "ptbench run: skipped: [worker %s] (type %s): %s\n", role->name,
				role->type->name, why);
			return PT_EXIT_SKIP;
		}
		if (c == PT_CHECK_ERROR) {
			fprintf(stderr, "%s:%d: [worker %s]: %s\n", sc->path, role->line, role->name, why);
			return PT_EXIT_USAGE;
		}
	}
	return 0;
}

static char *default_output(const struct pt_scenario *sc, bool create)
{
	struct utsname u;
	char stamp[32], *path = pt_xmalloc(1024);
	time_t now = time(NULL);

	uname(&u);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", localtime(&now));
	if (!create) {
		/* a dry run creates nothing: results/ exists, or "." can take it */
		char why[512];

		if (access("results", F_OK) && pt_output_check("results", why, sizeof(why))) {
			fprintf(stderr, "ptbench run: cannot create results/: %s\n", why);
			free(path);
			return NULL;
		}
	} else if (mkdir("results", 0755) && errno != EEXIST) {
		fprintf(stderr, "ptbench run: cannot create results/: %s\n", strerror(errno));
		free(path);
		return NULL;
	}
	snprintf(path, 1024, "results/%s-%s-%s.json", pt_opt_str(&sc->opts, "name"), u.release, stamp);
	return path;
}

static void warn_thp_changed(struct json_object *before, struct json_object *after)
{
	/* the khugepaged counters move on their own; compare settings only */
	static const char *const settings[] = { "enabled", "defrag", "shmem_enabled" };

	for (size_t i = 0; i < PT_ARRAY_SIZE(settings); i++) {
		struct json_object *x, *y;

		if (json_object_object_get_ex(before, settings[i], &x) &&
		    json_object_object_get_ex(after, settings[i], &y) &&
		    strcmp(json_object_get_string(x), json_object_get_string(y)))
			fprintf(stderr, "ptbench run: warning: THP %s changed during the run: %s -> %s\n",
				settings[i], json_object_get_string(x), json_object_get_string(y));
	}
}

/* Plan (threads, CPUs) for the scenario as it stands; prints why not. */
static int plan(const struct pt_scenario *sc, int **nthreads, int ***cpus)
{
	*nthreads = pt_xcalloc(sc->nroles ? sc->nroles : 1, sizeof(int));
	char why[256];

	resolve_threads(sc, *nthreads);
	if (pt_check_threads(sc, *nthreads, why, sizeof(why))) {
		fprintf(stderr, "%s: %s\n", sc->path, why);
		free(*nthreads);
		*nthreads = NULL;
		return -1;
	}
	if (pt_topo_plan(sc, *nthreads, cpus)) {
		free(*nthreads);
		*nthreads = NULL;
		return -1;
	}
	return 0;
}

/* One run of the scenario (all its repeats) into one result file. sweep is
 * the point's "sweep" object or NULL; *doc_out keeps the document for the
 * sweep table when asked. */
static int run_point(const struct run_args *a, struct pt_scenario *sc, const char *out,
		     struct json_object *sweep, struct json_object **doc_out)
{
	int rc, *nthreads = NULL, **cpus = NULL, nrep;
	struct pt_run run;
	struct json_object *doc = NULL, *repeats, *thp_before, *system;

	if (plan(sc, &nthreads, &cpus)) {
		json_object_put(sweep);
		return PT_EXIT_USAGE;
	}
	thp_before = pt_sysinfo_thp();
	rc = push_thp(sc);
	if (rc) {
		json_object_put(thp_before);
		json_object_put(sweep);
		goto out;
	}

	doc = pt_result_new(pt_argc, pt_argv, sc);
	if (sweep)
		json_object_object_add(doc, "sweep", sweep);
	system = json_object_object_get(doc, "system");
	json_object_object_add(system, "aslr",
			       json_object_new_string(personality(0xffffffff) & ADDR_NO_RANDOMIZE ? "off" : "on"));
	repeats = json_object_object_get(doc, "repeats");
	memset(&run, 0, sizeof(run));
	run.sc = sc;
	run.duration_ns = (uint64_t)pt_opt_num(&sc->opts, "duration");
	run.warmup_ns = (uint64_t)pt_opt_num(&sc->opts, "warmup");
	run.tl_interval_ns = (uint64_t)pt_opt_num(&sc->opts, "timeline_interval");
	run.trace = !a->no_trace;
	run.progress = !a->quiet && isatty(2);
	run.nroles = sc->nroles;
	run.roles = pt_xcalloc(sc->nroles, sizeof(*run.roles));
	for (size_t r = 0; r < sc->nroles; r++) {
		const struct pt_worker_type *type = sc->roles[r].type;

		run.roles[r].run = &run;
		run.roles[r].role = &sc->roles[r];
		run.roles[r].nthreads = nthreads[r];
		run.roles[r].cpus = cpus[r];
		run.roles[r].membind = pt_membind_of(sc, r);
		while (type->ops && type->ops[run.roles[r].nops])
			run.roles[r].nops++;
	}
	for (run.nprobes = 0; pt_probes[run.nprobes]; run.nprobes++)
		;
	run.probes = pt_xcalloc(run.nprobes, sizeof(*run.probes));
	for (size_t i = 0; i < run.nprobes; i++)
		run.probes[i].probe = pt_probes[i];

	nrep = (int)pt_opt_num(&sc->opts, "repeat");
	rc = PT_EXIT_OK;
	for (run.repeat = 0; run.repeat < nrep && !pt_stop_signal; run.repeat++) {
		struct json_object *rep = NULL;

		rc = pt_run_repeat(&run, &rep);
		if (!rc && rep && !pt_stop_signal) {
			char why[512];

			/* ran is not measured: ops that all failed end the run */
			if (pt_check_measured(rep, why, sizeof(why))) {
				fprintf(stderr, "ptbench run: %s\n", why);
				json_object_object_add(rep, "complete", json_object_new_boolean(0));
				json_object_object_add(rep, "error", json_object_new_string(why));
				rc = PT_EXIT_RUNTIME;
			}
		}
		if (rep) {
			json_object_array_add(repeats, rep);
			if (!a->json && !a->quiet)
				pt_summary_print_repeat(rep, run.repeat, stdout);
		}
		if (rc)
			break;
	}
	pt_sysfs_restore_all();
	{
		struct json_object *thp = json_object_object_get(system, "thp");
		struct json_object *thp_after = pt_sysinfo_thp();

		warn_thp_changed(thp_before, thp_after);
		json_object_object_add(thp, "before", thp_before);
		json_object_object_add(thp, "after", thp_after);
	}
	bool complete = !rc && !pt_stop_signal && (int)json_object_array_length(repeats) == nrep;
	if (pt_run_write_result(doc, out, complete, a->json, a->quiet) && !rc)
		rc = PT_EXIT_RUNTIME;
	if (!rc && pt_stop_signal)
		rc = 128 + pt_stop_signal;
	pt_block_stop_signals(false);
	free(run.roles);
	free(run.probes);
out:
	if (doc_out && doc)
		*doc_out = json_object_get(doc);
	json_object_put(doc);
	pt_topo_plan_free(cpus, sc->nroles);
	free(nthreads);
	return rc;
}

/* Every point of a sweep is planned before the first one runs, so a count the
 * machine cannot place fails before anything ran. */
static int plan_all(struct pt_scenario *sc, const struct pt_sweep *sw)
{
	for (int i = 0; i < (sw ? sw->n : 1); i++) {
		int *nthreads, **cpus;

		if (sw)
			pt_sweep_apply(sc, sw, i);
		if (plan(sc, &nthreads, &cpus)) {
			if (sw)
				fprintf(stderr, "ptbench run: (at sweep point %s = %d)\n", sw->param, sw->values[i]);
			return -1;
		}
		pt_topo_plan_free(cpus, sc->nroles);
		free(nthreads);
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a;
	struct pt_scenario *sc = NULL;
	struct pt_sweep sw;
	struct json_object **docs = NULL;
	char *path = NULL, *out = NULL;
	int rc = PT_EXIT_USAGE, swept = 0;

	disable_aslr(pt_argv);
	if (parse_args(argc, argv, &a))
		goto out;
	path = pt_scenario_resolve(a.scenario);
	if (!path) {
		fprintf(stderr, "ptbench run: no scenario '%s' (looked in %s; `ptbench list` shows them)\n",
			a.scenario, pt_scenario_dir());
		goto out;
	}
	sc = pt_scenario_load(path);
	if (!sc)
		goto out;
	for (int i = 0; i < a.nsets; i++)
		if (pt_scenario_apply_set(sc, a.sets[i]))
			goto out;
	if ((a.duration && override(sc, "duration", a.duration, "--duration")) ||
	    (a.warmup && override(sc, "warmup", a.warmup, "--warmup")) ||
	    (a.repeat && override(sc, "repeat", a.repeat, "--repeat")))
		goto out;
	if (pt_scenario_validate(sc))
		goto out;
	swept = pt_sweep_setup(sc, a.sweep, pt_topo_npus(), &sw);
	if (swept < 0 || plan_all(sc, swept ? &sw : NULL))
		goto out;
	rc = pt_membind_check_scenario(sc);
	if (rc)
		goto out;
	rc = check_workers(sc);
	if (rc)
		goto out;
	out = a.output ? pt_xstrdup(a.output) : default_output(sc, !a.dry_run);
	if (!out) {
		rc = a.dry_run ? PT_EXIT_USAGE : PT_EXIT_RUNTIME;
		goto out;
	}
	if ((!a.dry_run || a.output || !access("results", F_OK)) &&
	    pt_run_check_outputs(out, swept ? &sw : NULL)) {
		rc = PT_EXIT_USAGE;
		goto out;
	}
	if (a.dry_run && geteuid() != 0) {
		for (size_t i = 0; i < PT_ARRAY_SIZE(thp_keys); i++) {
			const char *v = pt_opt_str(&sc->opts, thp_keys[i].key);

			if (strcmp(v, "keep")) {
				fprintf(stderr, "ptbench run: skipped: %s = %s needs root to write %s\n",
					thp_keys[i].key, v, thp_keys[i].file);
				rc = PT_EXIT_SKIP;
				goto out;
			}
		}
	}
	if (a.dry_run) {
		printf("%s: ok: %zu role(s), %d point(s), would write %s\n", path, sc->nroles,
		       swept ? sw.n : 1, out);
		rc = PT_EXIT_OK;
		goto out;
	}
	pt_install_stop_handlers();
	/* one run at a time changes THP, khugepaged and tracefs; a dead run's
	 * leftovers are undone first */
	rc = pt_state_acquire();
	if (rc)
		goto out;
	if (!swept) {
		rc = run_point(&a, sc, out, NULL, NULL);
		goto out;
	}
	/* a sweep: one ordinary result per point; the exit code is the worst one */
	docs = pt_xcalloc((size_t)sw.n, sizeof(*docs));
	rc = PT_EXIT_OK;
	for (int i = 0; i < sw.n && !pt_stop_signal; i++) {
		char *point = pt_sweep_point_path(out, sw.values[i]);
		int prc;

		pt_sweep_apply(sc, &sw, i);
		if (!a.quiet && !a.json)
			printf("== sweep point %d/%d: %s = %d -> %s\n", i + 1, sw.n, sw.param, sw.values[i], point);
		fflush(stdout);
		prc = run_point(&a, sc, point, pt_sweep_json(&sw, i), &docs[i]);
		if (prc > rc)
			rc = prc;
		free(point);
	}
	if (!a.quiet && !a.json)
		pt_sweep_print_table(&sw, docs, sw.n, stdout);
out:
	pt_state_release();
	if (docs)
		for (int i = 0; i < sw.n; i++)
			json_object_put(docs[i]);
	free(docs);
	pt_scenario_free(sc);
	free(path);
	free(out);
	free(a.sets);
	pt_topo_cleanup();
	return rc;
}

int pt_run_check_args(const char *scenario, int nargs, char **args)
{
	char **av = pt_xcalloc((size_t)nargs + 3, sizeof(char *));
	struct run_args a;
	struct pt_scenario *sc = NULL;
	int rc = PT_EXIT_USAGE;

	/* the run's own parser on "run ARGS... SCENARIO", then the scenario
	 * with the --set and overrides applied: no machine is consulted */
	av[0] = "run";
	for (int i = 0; i < nargs; i++)
		av[i + 1] = args[i];
	av[nargs + 1] = (char *)scenario;
	if (parse_args(nargs + 2, av, &a))
		goto out;
	sc = pt_scenario_load(scenario);
	if (!sc)
		goto out;
	for (int i = 0; i < a.nsets; i++)
		if (pt_scenario_apply_set(sc, a.sets[i]))
			goto out;
	if ((a.duration && override(sc, "duration", a.duration, "--duration")) ||
	    (a.warmup && override(sc, "warmup", a.warmup, "--warmup")) ||
	    (a.repeat && override(sc, "repeat", a.repeat, "--repeat")) || pt_scenario_validate(sc))
		goto out;
	rc = PT_EXIT_OK;
out:
	pt_scenario_free(sc);
	free(a.sets);
	free(av);
	return rc;
}
