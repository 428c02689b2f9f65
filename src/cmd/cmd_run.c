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
#include "ptbench/output_file.h"
#include "ptbench/plan.h"
#include "ptbench/probe.h"
#include "ptbench/result.h"
#include "ptbench/run_args.h"
#include "ptbench/run_checks.h"
#include "ptbench/run_output.h"
#include "ptbench/runner.h"
#include "ptbench/scenario.h"
#include "ptbench/summary.h"
#include "ptbench/sweep.h"
#include "ptbench/sysfs_settings.h"
#include "ptbench/sysinfo.h"
#include "ptbench/tail_folded.h"
#include "ptbench/topo.h"
#include "ptbench/util.h"



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


/* What the plan decided to push (the decision and its skip are the plan's,
 * so --dry-run and the run agree); a write refused here is a skip too. */
static int push_thp(const struct pt_plan *p)
{
	char err[512];

	for (size_t i = 0; i < PT_PLAN_NTHP; i++) {
		if (!p->thp[i].push)
			continue;
		if (pt_sysfs_push(p->thp[i].file, p->thp[i].value, err, sizeof(err))) {
			fprintf(stderr, "ptbench run: skipped: %s\n", err);
			return PT_EXIT_SKIP;
		}
	}
	return 0;
}

static char *default_output(const struct pt_plan *p, bool create)
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
	snprintf(path, 1024, "results/%s-%s-%s.json", p->name, u.release, stamp);
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

/* One run of a planned point (all its repeats) into one result file. sweep
 * is the point's "sweep" object or NULL; *doc_out keeps the document for
 * the sweep table when asked. */
static int run_point(const struct pt_run_args *a, const struct pt_scenario *sc, const struct pt_plan *plan,
		     const char *out, struct json_object *sweep, struct json_object **doc_out)
{
	int rc, nrep;
	struct pt_run run;
	struct json_object *doc = NULL, *repeats, *thp_before, *system;

	thp_before = pt_sysinfo_thp();
	rc = push_thp(plan);
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
	pt_run_init(&run, plan, pt_probes, !a->quiet && isatty(2));
	nrep = plan->repeat;
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
	if (a->folded && json_object_array_length(repeats)) {
		char why[512];
		char *text = pt_tail_folded(doc, why, sizeof(why));

		/* the result says why the probe did not run; the run stands */
		if (!text)
			fprintf(stderr, "ptbench run: --folded %s: not written: %s\n", a->folded, why);
		else if (pt_output_write(a->folded, text, strlen(text), why, sizeof(why)))
			fprintf(stderr, "ptbench run: --folded %s: %s\n", a->folded, why[0] ? why : strerror(errno));
		else if (!a->quiet && !a->json)
			printf("folded stacks: %s\n", a->folded);
		free(text);
	}
	if (!rc && pt_stop_signal)
		rc = 128 + pt_stop_signal;
	pt_block_stop_signals(false);
	pt_run_free(&run);
out:
	if (doc_out && doc)
		*doc_out = json_object_get(doc);
	json_object_put(doc);
	return rc;
}

static struct pt_plan_point point_of(const struct pt_sweep *sw, int i)
{
	return sw->n ? (struct pt_plan_point){ sw->role, sw->values[i] } : PT_PLAN_NO_POINT;
}

/* The plans, one per point (one without a sweep), built once: every point
 * of a sweep is planned (and checked) before the first one runs, so a
 * count the machine cannot place fails before anything ran, and the run
 * (or --dry-run) then goes by these very plans. */
static int plan_all(const struct pt_scenario *sc, const struct pt_sweep *sw, const struct pt_run_args *a,
		    struct pt_plan ***plans)
{
	const struct pt_plan_flags flags = { .lock_probe = a->lock_probe, .no_trace = a->no_trace };
	int n = sw->n ? sw->n : 1;

	*plans = pt_xcalloc((size_t)n, sizeof(**plans));
	for (int i = 0; i < n; i++) {
		int rc = pt_plan_build(sc, point_of(sw, i), &flags, &(*plans)[i]);

		if (rc) {
			if (sw->n > 1)
				fprintf(stderr, "ptbench run: (at sweep point %s = %d)\n", sw->param, sw->values[i]);
			return rc;
		}
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct pt_run_args a;
	struct pt_scenario *sc = NULL;
	struct pt_sweep sw;
	struct json_object **docs = NULL;
	struct pt_plan **plans = NULL;
	char *path = NULL, *out = NULL;
	int rc = PT_EXIT_USAGE, swept = 0;

	disable_aslr(pt_argv);
	rc = pt_run_args_parse(argc, argv, &a);
	if (rc) {
		rc = rc > 0 ? PT_EXIT_OK : PT_EXIT_USAGE;
		goto out;
	}
	rc = PT_EXIT_USAGE;
	if (!strcmp(a.scenario, "all")) {
		rc = cmd_run_all(argc, argv, &a);
		goto out;
	}
	path = pt_scenario_resolve(a.scenario);
	if (!path) {
		fprintf(stderr, "ptbench run: no scenario '%s' (looked in %s; `ptbench list` shows them)\n",
			a.scenario, pt_scenario_dir());
		goto out;
	}
	sc = pt_run_load_with_args(path, &a);
	if (!sc)
		goto out;
	swept = pt_sweep_setup(sc, a.sweep, pt_topo_npus(), &sw);
	if (swept < 0)
		goto out;
	rc = plan_all(sc, &sw, &a, &plans);
	if (rc)
		goto out;
	rc = PT_EXIT_USAGE;
	out = a.output ? pt_xstrdup(a.output) : default_output(plans[0], !a.dry_run);
	/* results/ cannot be made (a read-only or full filesystem, no
	 * permission): an output path that cannot take a result, found before
	 * measuring, is exit 2 as with -o (it was 5) */
	if (!out)
		goto out;
	/* a dry run with neither -o nor results/ makes nothing to check out */
	if (pt_run_check_outputs(!a.dry_run || a.output || !access("results", F_OK) ? out : NULL,
				 swept ? &sw : NULL, path, a.folded)) {
		rc = PT_EXIT_USAGE;
		goto out;
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
		rc = run_point(&a, sc, plans[0], out, NULL, NULL);
		goto out;
	}
	/* a sweep: one ordinary result per point; the exit code is the worst one */
	docs = pt_xcalloc((size_t)sw.n, sizeof(*docs));
	rc = PT_EXIT_OK;
	for (int i = 0; i < sw.n && !pt_stop_signal; i++) {
		char *point = pt_sweep_point_path(out, sw.values[i]);
		int prc;

		if (!a.quiet && !a.json)
			printf("== sweep point %d/%d: %s = %d -> %s\n", i + 1, sw.n, sw.param, sw.values[i], point);
		fflush(stdout);
		prc = run_point(&a, sc, plans[i], point, pt_sweep_json(&sw, i), &docs[i]);
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
	for (int i = 0; plans && i < (sw.n ? sw.n : 1); i++)
		pt_plan_free(plans[i]);
	free(plans);
	pt_scenario_free(sc);
	free(path);
	free(out);
	pt_run_args_free(&a);
	pt_topo_cleanup();
	return rc;
}
