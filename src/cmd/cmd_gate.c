/* ptbench gate: is the candidate kernel worse than the base? Boots both in
 * turn under qemu (ABBA order over --rounds rounds, so a drift of the
 * machine hits both alike; -j N boots N at once), or takes result files from
 * earlier jobs (--base-results/--cand-results, bare-metal CI), pools each
 * kernel's runs, judges every scenario with `ptbench compare --gate`, and
 * writes DIR/report.md, DIR/report.json, DIR/junit.xml (KTAP on stdout with
 * --ktap). Exit as compare --gate; --bisect maps it to git bisect run's. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptbench/cli.h"
#include "ptbench/clock.h"
#include "ptbench/commands.h"
#include "ptbench/compare_run.h"
#include "ptbench/exitcodes.h"
#include "ptbench/gate.h"
#include "ptbench/output_file.h"
#include "ptbench/result.h"
#include "ptbench/result_read.h"
#include "ptbench/safe_name.h"
#include "ptbench/util.h"
#include "ptbench/vm_boot.h"

#define MAX_RESULT_ARGS 64
#define DEFAULT_ROUNDS 4

enum {
	OPT_BASE = 256, OPT_CAND, OPT_BASE_RESULTS, OPT_CAND_RESULTS, OPT_ROUNDS, OPT_KTAP,
	OPT_BISECT, OPT_UNIT, OPT_THRESHOLD, OPT_THRESHOLD_TAIL, OPT_ALPHA, OPT_GATE_METRICS,
	OPT_THRESHOLD_STRUCT, OPT_TOLERANCE, OPT_GATE_ON, OPT_NO_PLOTS, OPT_ALLOW_MIXED,
	OPT_GROSS_FACTOR, OPT_GROSS_MIN_REPEATS, OPT_GROSS_TOLERANCE,
};

static const struct option longopts[] = {
	{ "base", required_argument, NULL, OPT_BASE },
	{ "cand", required_argument, NULL, OPT_CAND },
	{ "base-results", required_argument, NULL, OPT_BASE_RESULTS },
	{ "cand-results", required_argument, NULL, OPT_CAND_RESULTS },
	{ "rounds", required_argument, NULL, OPT_ROUNDS },
	{ "jobs", required_argument, NULL, 'j' },
	{ "output", required_argument, NULL, 'o' },
	{ "ktap", no_argument, NULL, OPT_KTAP },
	{ "bisect", no_argument, NULL, OPT_BISECT },
	{ "unit", required_argument, NULL, OPT_UNIT },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "threshold-tail", required_argument, NULL, OPT_THRESHOLD_TAIL },
	{ "alpha", required_argument, NULL, OPT_ALPHA },
	{ "gate-metrics", required_argument, NULL, OPT_GATE_METRICS },
	{ "threshold-struct", required_argument, NULL, OPT_THRESHOLD_STRUCT },
	{ "tolerance", required_argument, NULL, OPT_TOLERANCE },
	{ "gate-on", required_argument, NULL, OPT_GATE_ON },
	{ "gross-factor", required_argument, NULL, OPT_GROSS_FACTOR },
	{ "gross-min-repeats", required_argument, NULL, OPT_GROSS_MIN_REPEATS },
	{ "gross-tolerance", required_argument, NULL, OPT_GROSS_TOLERANCE },
	{ "no-plots", no_argument, NULL, OPT_NO_PLOTS },
	{ "allow-mixed", no_argument, NULL, OPT_ALLOW_MIXED },
	{ "cpus", required_argument, NULL, 'c' },
	{ "mem", required_argument, NULL, 'm' },
	{ "timeout", required_argument, NULL, 't' },
	{ "accel", required_argument, NULL, 'A' },
	{ "preempt", required_argument, NULL, 'P' },
	{ "append", required_argument, NULL, 'a' },
	{ "initramfs", required_argument, NULL, 'I' },
	{ "topology", required_argument, NULL, 'T' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ptbench gate --base IMAGE[:LABEL] --cand IMAGE[:LABEL] [options] SCENARIO... [RUN-ARGS]\n"
		"       ptbench gate --base-results A --cand-results B [options] [SCENARIO...]\n"
		"Boots the base and the candidate kernel in turn (ABBA order), runs the scenarios\n"
		"(RUN-ARGS are `ptbench run` options, e.g. --duration 2s --repeat 5), pools each\n"
		"kernel's boots and judges each scenario with `ptbench compare --gate`. With\n"
		"--base-results/--cand-results (result files, or directories of them, one per\n"
		"scenario; each may be given again for more runs) nothing is booted.\n"
		"  --rounds N           rounds of two boots, AB then BA ... (default %d)\n"
		"  -j, --jobs N         boot up to N guests at once (default: 2 where the host has\n"
		"                       a CPU for each guest thread, else 1)\n"
		"  -o, --output DIR     report.md, report.json, junit.xml and the runs (default\n"
		"                       results/gate)\n"
		"  --ktap               KTAP on stdout (the human output goes to stderr)\n"
		"  --bisect             exit as git bisect run wants: 0 good, 1 bad, 125 skip\n"
		"                       (inconclusive, skipped, failed), 128 abort (bad input)\n"
		"  --unit boot|repeat   one value per boot, the median of its repeats (default),\n"
		"                       or every repeat as a value\n"
		"  --gate-on W          all: gate latency and structural metrics; structural:\n"
		"                       gate who takes which lock how often per op and list\n"
		"                       latency as reported; auto (default): structural for\n"
		"                       guests under TCG (their times are the emulator's), all\n"
		"                       under kvm and for result files\n"
		"  --gross-factor F     under --gate-on structural, a reported latency or ops/s\n"
		"                       metric still fails the gate when its median got F times\n"
		"                       worse (default 2) with every boot of one kernel beyond\n"
		"                       every boot of the other ...\n"
		"  --gross-min-repeats N ... and N or more values a side (default 4, at least 4)\n"
		"  --gross-tolerance T  a metric named with --gate-metrics is then gated by the\n"
		"                       gross rule alone, and passes only when the boots would\n"
		"                       have shown T times worse (default 10); else undecided\n"
		"  --threshold P, --threshold-tail P, --threshold-struct P, --tolerance P,\n"
		"  --alpha A, --gate-metrics L\n"
		"                       passed to ptbench compare\n"
		"  --no-plots           no charts\n"
		"  --allow-mixed        pool a side whose results name several kernel releases\n"
		"                       or CPUs (refused otherwise, exit 2)\n"
		"  guest: --cpus N --mem SIZE --timeout S --accel tcg|tcg-single|kvm --preempt MODE\n"
		"         --append ARGS --initramfs FILE --topology SPEC (as ptbench vm, but\n"
		"         --accel defaults to tcg-single: multi-threaded TCG sometimes oopses\n"
		"         while tracing starts)\n"
		"exit: 0 pass, 1 regression, 2 bad input, 3 undecided, 4 skipped (every scenario),\n"
		"      5 a run failed, 6 another gate holds -o DIR; --bisect: 0, 1, 125, 128\n",
		DEFAULT_ROUNDS);
}

static int usage_err(const char *msg, const char *arg)
{
	fprintf(stderr, "ptbench gate: %s%s%s (ptbench gate --help)\n", msg, arg ? ": " : "",
		arg ? arg : "");
	return PT_EXIT_USAGE;
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

/* --- the runs of each scenario ---------------------------------------------- */

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int take_results(struct pt_gate *g, int side, const char *path)
{
	struct stat st;
	char **names = NULL;
	size_t n = 0, found;
	struct dirent *e;
	DIR *d;
	int rc = 0;

	if (stat(path, &st)) {
		fprintf(stderr, "ptbench gate: --%s-results %s: %s\n", side ? "cand" : "base", path,
			strerror(errno));
		return PT_EXIT_USAGE;
	}
	if (!S_ISDIR(st.st_mode))
		return pt_gate_take_result(g, side, path, false);
	d = opendir(path);
	if (!d) {
		fprintf(stderr, "ptbench gate: %s: %s\n", path, strerror(errno));
		return PT_EXIT_USAGE;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len > 5 && !strcmp(e->d_name + len - 5, ".json")) {
			names = pt_xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = pt_xstrdup(e->d_name);
		}
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_strp);
	found = 0;
	for (size_t i = 0; i < n; i++) {
		char file[PATH_MAX * 2];

		snprintf(file, sizeof(file), "%s/%s", path, names[i]);
		if (!rc) {
			size_t before = 0;

			for (size_t k = 0; k < g->nscen; k++)
				before += g->scen[k].nruns[side];
			rc = pt_gate_take_result(g, side, file, true);
			for (size_t k = 0; k < g->nscen; k++)
				found += g->scen[k].nruns[side];
			found -= before;
		}
		free(names[i]);
	}
	free(names);
	if (!rc && !found) {
		fprintf(stderr, "ptbench gate: %s: no ptbench result file in this directory\n", path);
		return PT_EXIT_USAGE;
	}
	return rc;
}

/* --- booting ---------------------------------------------------------------- */

static void read_boot(struct pt_gate *g, struct pt_gate_boot *b, const struct pt_vm_args *a)
{
	char path[PATH_MAX * 2], *text;
	struct json_object *doc, *sc, *v;

	for (int i = 0; i < a->nscen; i++)
		b->rcs[i] = PT_EXIT_RUNTIME;
	snprintf(path, sizeof(path), "%s/vm.json", b->dir);
	text = pt_read_file(path, NULL);
	doc = text ? json_tokener_parse(text) : NULL;
	free(text);
	if (!doc) {
		pt_gate_note(g, "boot %d (%s): no vm.json in %s", b->n, b->side ? "candidate" : "base", b->dir);
		return;
	}
	if ((v = json_object_object_get(doc, "boot_and_run_s")))
		b->wall_s = json_object_get_double(v);
	sc = json_object_object_get(doc, "scenarios");
	for (int i = 0; sc && i < a->nscen; i++)
		if ((v = json_object_object_get(sc, a->scen_name[i])))
			b->rcs[i] = json_object_get_int(v);
	json_object_put(doc);
}

static pid_t start_boot(const struct pt_gate *g, const struct pt_vm_args *a, const char *base,
			const struct pt_gate_boot *b)
{
	pid_t pid, gate = getpid();

	fflush(NULL);
	pid = fork();
	if (pid > 0)
		setpgid(pid, pid); /* here too: no window where a signal misses it */
	if (pid != 0)
		return pid;
	/* its own process group: an interrupted gate stops it and its qemu */
	setpgid(0, 0);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	/* a gate killed outright (SIGKILL) sends no SIGTERM: the kernel does,
	 * and pt_vm_boot's handler kills qemu; a gate gone before prctl ran is
	 * seen by getppid() */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) || getppid() != gate)
		_exit(PT_EXIT_RUNTIME);
	if (g->ktap)
		dup2(STDERR_FILENO, STDOUT_FILENO);
	int rc = pt_vm_boot(a, b->side, base, b->dir, NULL);

	fflush(NULL);
	_exit(rc);
}

static int boot_all(struct pt_gate *g, struct pt_vm_args *a)
{
	pid_t *pids;
	char *base;
	size_t next = 0, active = 0;
	int rc = pt_vm_prepare(a, &base);

	if (rc)
		return rc;
	g->nboots = strlen(g->order);
	g->boots = pt_xcalloc(g->nboots, sizeof(*g->boots));
	pids = pt_xcalloc(g->nboots, sizeof(*pids));
	for (size_t i = 0; i < g->nboots; i++) {
		char dir[PATH_MAX];
		struct pt_gate_boot *b = &g->boots[i];

		b->n = (int)i + 1;
		b->side = g->order[i] == 'B';
		snprintf(dir, sizeof(dir), "%s/boots/%02d-%s", g->outdir, b->n, b->side ? "cand" : "base");
		b->dir = pt_xstrdup(dir);
	}
	while (next < g->nboots || active) {
		int status;
		pid_t pid;

		while (!got_signal && active < (size_t)g->jobs && next < g->nboots) {
			struct pt_gate_boot *b = &g->boots[next];

			fprintf(stderr, "ptbench gate: boot %d of %zu: %s %s\n", b->n, g->nboots,
				b->side ? "candidate" : "base", g->side[b->side].label);
			pids[next] = start_boot(g, a, base, b);
			if (pids[next] < 0) {
				fprintf(stderr, "ptbench gate: fork: %s\n", strerror(errno));
				got_signal = -1;
				break;
			}
			next++;
			active++;
		}
		if (got_signal) {
			for (size_t i = 0; i < next; i++)
				if (pids[i] > 0)
					kill(-pids[i], SIGTERM);
		}
		if (!active)
			break;
		pid = waitpid(-1, &status, 0);
		if (pid < 0)
			continue; /* EINTR: the signal flag is looked at above */
		for (size_t i = 0; i < next; i++) {
			if (pids[i] != pid)
				continue;
			pids[i] = 0;
			active--;
			g->boots[i].exit = WIFEXITED(status) ? WEXITSTATUS(status) : PT_EXIT_RUNTIME;
			read_boot(g, &g->boots[i], a);
			fprintf(stderr, "ptbench gate: boot %d (%s) done: exit %d, %.1f s\n", g->boots[i].n,
				g->boots[i].side ? "candidate" : "base", g->boots[i].exit, g->boots[i].wall_s);
		}
	}
	free(pids);
	free(base);
	if (got_signal > 0) {
		fprintf(stderr, "ptbench gate: interrupted by signal %d: no report\n", (int)got_signal);
		return 128 + (int)got_signal;
	}
	if (got_signal < 0)
		return PT_EXIT_RUNTIME;
	/* each scenario's runs, in boot order */
	for (int i = 0; i < a->nscen; i++) {
		struct pt_gate_scen *s = pt_gate_scen_get(g, a->scen_name[i], true);

		for (size_t k = 0; k < g->nboots; k++) {
			const struct pt_gate_boot *b = &g->boots[k];
			char path[PATH_MAX * 2];

			snprintf(path, sizeof(path), "%s/%s.json", b->dir, a->scen_name[i]);
			if (b->rcs[i] == PT_EXIT_SKIP) {
				s->skipped[b->side]++;
			} else if (b->rcs[i] != PT_EXIT_OK || access(path, R_OK)) {
				s->failed[b->side]++;
				pt_gate_note(g, "%s: boot %d (%s) gave no result (exit %d): see %s/console.log",
					     s->name, b->n, b->side ? "candidate" : "base", b->rcs[i], b->dir);
			} else {
				/* the guest's result, read once through the validating
				 * reader; a refused one stays as a run without a
				 * document: its scenario is ERROR (exit 2), the others
				 * are judged */
				struct pt_gate_run run;

				pt_gate_read_run(path, 0, &run);
				if (!g->side[b->side].release && run.kernel)
					g->side[b->side].release = pt_xstrdup(run.kernel);
				if (pt_gate_add_run(s, b->side, &run))
					pt_gate_run_free(&run);
			}
		}
	}
	return 0;
}

/* --- arguments -------------------------------------------------------------- */

struct gate_args {
	const char *base, *cand;
	const char *results[2][MAX_RESULT_ARGS];
	int nresults[2];
	bool vm_opts, allow_mixed;
};

static int parse_positive(const char *flag, const char *s, int max, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < 1 || v > max) {
		char msg[128];

		snprintf(msg, sizeof(msg), "%s '%s': want a number from 1 to %d", flag, s, max);
		return usage_err(msg, NULL);
	}
	*out = (int)v;
	return 0;
}

static int parse(int argc, char **argv, struct pt_gate *g, struct pt_vm_args *a, struct gate_args *ga)
{
	int c, rc, li = 0;

	opterr = 0;
	optind = 1;
	/* '+': stop at the first scenario; what follows it belongs to `ptbench run` */
	while ((c = getopt_long(argc, argv, "+j:o:h", longopts, &li)) != -1) {
		switch (c) {
		case OPT_BASE: ga->base = optarg; break;
		case OPT_CAND: ga->cand = optarg; break;
		case OPT_BASE_RESULTS:
		case OPT_CAND_RESULTS: {
			int side = c == OPT_CAND_RESULTS;

			if (ga->nresults[side] == MAX_RESULT_ARGS)
				return usage_err("too many result arguments", optarg);
			ga->results[side][ga->nresults[side]++] = optarg;
			break;
		}
		case OPT_ROUNDS:
			if ((rc = parse_positive("--rounds", optarg, 64, &g->rounds)))
				return rc;
			break;
		case 'j':
			if ((rc = parse_positive("--jobs", optarg, 64, &g->jobs)))
				return rc;
			break;
		case 'o':
			if (pt_cli_output_arg("gate", "-o", optarg))
				return PT_EXIT_USAGE;
			g->outdir = optarg;
			break;
		case OPT_KTAP: g->ktap = true; break;
		case OPT_BISECT: g->bisect = true; break;
		case OPT_UNIT:
			if (!strcmp(optarg, "boot"))
				g->unit = PT_GATE_UNIT_BOOT;
			else if (!strcmp(optarg, "repeat"))
				g->unit = PT_GATE_UNIT_REPEAT;
			else
				return usage_err("--unit: want boot or repeat", optarg);
			break;
		case OPT_THRESHOLD:
		case OPT_THRESHOLD_TAIL:
		case OPT_ALPHA:
		case OPT_GATE_METRICS:
		case OPT_THRESHOLD_STRUCT:
		case OPT_TOLERANCE:
		case OPT_GROSS_FACTOR:
		case OPT_GROSS_MIN_REPEATS:
		case OPT_GROSS_TOLERANCE:
			g->named_metrics |= c == OPT_GATE_METRICS;
			/* one slot stays free for --gate-on */
			if (g->ncmp_args >= (int)PT_ARRAY_SIZE(g->cmp_args) - 1)
				return usage_err("too many compare options", NULL);
			{
				/* forwarded as one word: --name=value */
				size_t len = strlen(longopts[li].name) + strlen(optarg) + 4;
				char *w = pt_xmalloc(len);

				snprintf(w, len, "--%s=%s", longopts[li].name, optarg);
				g->cmp_args[g->ncmp_args++] = w;
			}
			break;
		case OPT_GATE_ON:
			if (!strcmp(optarg, "all") || !strcmp(optarg, "structural") || !strcmp(optarg, "auto")) {
				g->gate_on = optarg;
				break;
			}
			return usage_err("--gate-on: want all, structural or auto", optarg);
		case OPT_NO_PLOTS: g->plots = false; break;
		case OPT_ALLOW_MIXED: ga->allow_mixed = true; break;
		case 'c': case 'm': case 't': case 'A': case 'P': case 'a': case 'I': case 'T':
			ga->vm_opts = true;
			if ((rc = pt_vm_option(a, c, optarg)))
				return rc;
			break;
		case 'h':
			usage(stdout);
			exit(PT_EXIT_OK);
		default:
			pt_cli_bad_option("gate", argv, longopts);
			return usage_err("bad option", NULL);
		}
	}
	bool vm = ga->base || ga->cand, res = ga->nresults[0] || ga->nresults[1];

	if (vm && res)
		return usage_err("give either --base/--cand (boot kernels) or --base-results/--cand-results, not both",
				 NULL);
	if (!vm && !res)
		return usage_err("no kernels: give --base IMAGE --cand IMAGE, or --base-results and --cand-results",
				 NULL);
	g->vm = vm;
	if (vm) {
		if ((rc = pt_vm_options_done(a)))
			return rc;
		if (!ga->base || !ga->cand)
			return usage_err(ga->base ? "no --cand IMAGE" : "no --base IMAGE", NULL);
		/* messages name the flag given (--base, --cand), not vm's --kernel */
		a->kernel_flag = "--base";
		if ((rc = pt_vm_add_kernel(a, ga->base)))
			return rc;
		a->kernel_flag = "--cand";
		if ((rc = pt_vm_add_kernel(a, ga->cand)))
			return rc;
		g->side[0].label = a->label[0];
		g->side[1].label = a->label[1];
		g->side[0].image = a->image[0];
		g->side[1].image = a->image[1];
		if (optind >= argc)
			return usage_err("no scenario given", NULL);
		if (argv[optind][0] == '-')
			return usage_err("a scenario comes before the run arguments", argv[optind]);
		return pt_vm_take_scenarios(a, argc, argv, optind);
	}
	if (!ga->nresults[0] || !ga->nresults[1])
		return usage_err(ga->nresults[0] ? "no --cand-results" : "no --base-results", NULL);
	if (ga->vm_opts || g->rounds || g->jobs)
		return usage_err("--rounds, -j and the guest options are for booting (--base/--cand)", NULL);
	for (int i = optind; i < argc; i++)
		if (argv[i][0] == '-')
			return usage_err("without booting there are no run arguments", argv[i]);
	return 0;
}

/* --- main ------------------------------------------------------------------- */

static int gate_results(struct pt_gate *g, struct gate_args *ga, int argc, char **argv)
{
	struct pt_gate_scen keep[PT_GATE_MAX_SCEN];
	size_t nkeep = 0, both = 0;
	int rc;

	for (int side = 0; side < 2; side++)
		for (int i = 0; i < ga->nresults[side]; i++)
			if ((rc = take_results(g, side, ga->results[side][i])))
				return rc;
	for (int side = 0; side < 2; side++)
		g->side[side].label = g->side[side].release ? g->side[side].release : (side ? "cand" : "base");
	/* SCENARIO... chooses; each must have results on some side */
	for (int i = optind; i < argc; i++) {
		if (!pt_gate_scen_get(g, argv[i], false)) {
			fprintf(stderr, "ptbench gate: scenario '%s': no result for it in --base-results or "
					"--cand-results\n", argv[i]);
			return PT_EXIT_USAGE;
		}
	}
	/* a scenario with results from one kernel only is kept: judged, it is
	 * ERROR ("no result from the candidate kernel"), exit 5, as when a
	 * kernel gave no result under booting; never dropped while the others
	 * pass */
	for (size_t i = 0; i < g->nscen; i++) {
		struct pt_gate_scen *s = &g->scen[i];
		bool chosen = optind >= argc;

		for (int k = optind; k < argc && !chosen; k++)
			chosen = !strcmp(argv[k], s->name);
		both += chosen && s->nruns[0] && s->nruns[1];
		if (chosen) {
			keep[nkeep++] = *s;
			continue;
		}
		free(s->name);
		pt_gate_scen_free_runs(s);
	}
	memcpy(g->scen, keep, nkeep * sizeof(keep[0]));
	g->nscen = nkeep;
	/* nothing in common and nothing named: the wrong inputs, most likely */
	if (!both && optind >= argc) {
		fprintf(stderr, "ptbench gate: no scenario has results on both sides\n");
		return PT_EXIT_USAGE;
	}
	return 0;
}

static void gate_free(struct pt_gate *g)
{
	for (size_t i = 0; i < g->nscen; i++) {
		struct pt_gate_scen *s = &g->scen[i];

		free(s->name);
		pt_gate_scen_free_runs(s);
		for (int side = 0; side < 2; side++) {
			free(s->pooled[side]);
			free(s->merged[side]);
		}
		free(s->cmp_json);
		free(s->cmp_md);
		json_object_put(s->cmp);
		free(s->plot_dir);
		for (size_t k = 0; k < s->nplots; k++)
			free(s->plots[k]);
		free(s->plots);
	}
	for (size_t i = 0; i < g->nboots; i++)
		free(g->boots[i].dir);
	free(g->boots);
	for (size_t i = 0; i < g->ncommands; i++)
		free(g->commands[i]);
	free(g->commands);
	pt_gate_free_notes_sides(g);
	for (int i = 0; i < g->ncmp_args; i++)
		free((char *)g->cmp_args[i]);
}

/* Guests at once when -j is not given: two where the host has a CPU for
 * each guest's emulation threads (tcg-single: one a guest; tcg and kvm: one
 * per guest CPU), so that base and candidate of a round boot side by side
 * and a drift of the host hits both; else one. */
static int default_jobs(const struct pt_vm_args *a)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	long per_guest = strcmp(a->accel, "tcg-single") ? a->cpus : 1;

	return per_guest > 0 && cpus >= 2 * per_guest ? 2 : 1;
}

static int gate_main(int argc, char **argv, struct pt_gate *g, struct pt_vm_args *a)
{
	struct gate_args ga = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	int status[PT_GATE_MAX_SCEN];
	uint64_t t0 = pt_now_ns();
	char why[PATH_MAX + 128];
	int lock_fd, rc = parse(argc, argv, g, a, &ga);

	if (rc)
		return rc;
	if (!g->rounds)
		g->rounds = DEFAULT_ROUNDS;
	if (!g->jobs)
		g->jobs = default_jobs(a);
	if (!strcmp(g->gate_on, "auto"))
		g->gate_on = g->vm && strcmp(a->accel, "kvm") ? "structural" : "all";
	/* a --gate-metrics list is gated as named, its latency under
	 * structural by the gross rule only (compare_run.c) */
	{
		/* forwarded last: a --gate-on among cmp_args would be refused above */
		size_t len = sizeof("--gate-on=structural");
		char *w = pt_xmalloc(len);

		snprintf(w, len, "--gate-on=%s", g->gate_on);
		g->cmp_args[g->ncmp_args++] = w;
	}
	{
		/* the forwarded options checked now by compare's own parser, not
		 * after an hour of boots */
		char *argv2[PT_ARRAY_SIZE(g->cmp_args) + 2] = { "compare" };
		struct pt_cmp_opts o = PT_CMP_OPTS_DEFAULT;
		int first, saved = optind;

		for (int i = 0; i < g->ncmp_args; i++)
			argv2[i + 1] = (char *)g->cmp_args[i];
		rc = pt_cmp_args_parse(g->ncmp_args + 1, argv2, &o, &first);
		/* the scenarios of --base-results are read from optind below */
		optind = saved;
		if (rc)
			return usage_err("a bad option for the comparison (message above)", NULL);
	}
	/* an -o that cannot take the reports is a usage error, as run's -o */
	if (pt_output_dir_check(g->outdir, why, sizeof(why))) {
		fprintf(stderr, "ptbench gate: -o %s: %s\n", g->outdir, why);
		return PT_EXIT_USAGE;
	}
	if (!g->vm) {
		/* the result files are read and refused before -o is touched:
		 * a refusal leaves nothing behind, not even the lock file */
		g->rounds = 0;
		rc = gate_results(g, &ga, argc, argv);
		if (!rc)
			rc = pt_gate_check_inputs(g, ga.allow_mixed);
		if (rc)
			return rc;
	}
	if (pt_vm_mkdirs(g->outdir)) {
		fprintf(stderr, "ptbench gate: %s: %s\n", g->outdir, strerror(errno));
		return errno == ENOTDIR || errno == EEXIST ? PT_EXIT_USAGE : PT_EXIT_RUNTIME;
	}
	/* held to the end: the process exit releases it */
	if ((rc = pt_gate_lock(g->outdir, &lock_fd)))
		return rc;
	pt_gate_command(g, pt_argv);
	if (g->vm) {
		a->outdir = g->outdir;
		pt_gate_order(g->rounds, g->order);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		rc = boot_all(g, a);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (!rc)
			rc = pt_gate_check_inputs(g, ga.allow_mixed);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < g->nscen; i++) {
		struct pt_gate_scen *s = &g->scen[i];

		s->unit = g->unit;
		if (g->unit == PT_GATE_UNIT_BOOT && s->nruns[0] && s->nruns[1] &&
		    (s->nruns[0] == 1 || s->nruns[1] == 1)) {
			/* one value per run cannot decide anything with one run a side */
			s->unit = PT_GATE_UNIT_REPEAT;
			pt_gate_note(g, "%s: %zu vs %zu runs: judged on their repeats (as compare --gate "
					"would), not one value per run",
				     s->name, s->nruns[0], s->nruns[1]);
		}
		pt_gate_judge(g, s);
		status[i] = s->status;
	}
	g->exit = pt_gate_exit(status, g->nscen);
	g->wall_s = (double)(pt_now_ns() - t0) / 1e9;
	if (pt_gate_write_reports(g)) {
		fprintf(stderr, "ptbench gate: %s: cannot write the reports: %s\n", g->outdir, strerror(errno));
		return PT_EXIT_RUNTIME;
	}
	if (g->ktap)
		pt_gate_write_ktap(g, stdout);
	fprintf(g->ktap ? stderr : stdout, "ptbench gate: %s (exit %d) in %.0f s: %s/report.md\n",
		pt_gate_word(g->exit), g->exit, g->wall_s, g->outdir);
	return g->exit;
}

int cmd_gate(int argc, char **argv)
{
	struct pt_gate g = { .outdir = "results/gate", .unit = PT_GATE_UNIT_BOOT, .plots = true,
			     .gate_on = "auto" };
	struct pt_vm_args a = { 0 };
	bool bisect = false;
	int rc;

	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		bisect |= !strcmp(argv[i], "--bisect");
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return PT_EXIT_OK;
	}
	pt_vm_args_init(&a, "gate");
	/* a gate must not lose boots: multi-threaded TCG oopsed (int3 while the
	 * probe patched kernel text) in 3 of 32 boots of 6.12 on the build
	 * machine, tcg-single in none (doc/gate.md: How far the gate can be trusted) */
	a.accel = "tcg-single";
	rc = gate_main(argc, argv, &g, &a);
	gate_free(&g);
	pt_vm_args_free(&a);
	if (bisect && rc != pt_gate_bisect_code(rc))
		fprintf(stderr, "ptbench gate: --bisect: exit %d becomes %d\n", rc, pt_gate_bisect_code(rc));
	return bisect ? pt_gate_bisect_code(rc) : rc;
}
