/* The arguments of `ptbench run`: one parser for the command and for the
 * host-side check of what `vm` and `gate` hand to the guest's run. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/cli.h"
#include "ptbench/exitcodes.h"
#include "ptbench/headline.h"
#include "ptbench/lock_probe.h"
#include "ptbench/options.h"
#include "ptbench/plan.h"
#include "ptbench/run_args.h"
#include "ptbench/scenario.h"
#include "ptbench/sweep.h"
#include "ptbench/util.h"

void pt_run_usage(FILE *f)
{
	fprintf(f, "usage: ptbench run SCENARIO [-o FILE] [--duration D] [--warmup D] [--repeat N]\n"
		   "                    [--set ROLE.KEY=VALUE]... [--sweep ROLE.threads=LIST]\n"
		   "                    [--lock-probe bpf|tracefs|off|auto] [--tail-threshold D] [--folded FILE]\n"
		   "                    [--no-trace] [--json] [--quiet] [--dry-run]\n"
		   "       ptbench run all [-o DIR] [RUN-ARGS]   (the whole catalogue, DIR/SCENARIO.json each)\n"
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
	{ "lock-probe", required_argument, NULL, 'L' },
	{ "dry-run", no_argument, NULL, 'D' },
	{ "tail-threshold", required_argument, NULL, 't' }, { "folded", required_argument, NULL, 'F' },
	{ NULL, 0, NULL, 0 },
};

int pt_run_args_parse(int argc, char **argv, struct pt_run_args *a)
{
	int c;

	memset(a, 0, sizeof(*a));
	a->sets = pt_xcalloc((size_t)argc, sizeof(char *));
	opterr = 0;
	/* 0, not 1: glibc then starts afresh, permutation mode included (the
	 * caller may have parsed its own argv with "+", which stops at the first
	 * word that is not an option) */
	optind = 0;
	while ((c = getopt_long(argc, argv, "o:d:r:s:jqh", run_longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (pt_cli_output_arg("run", "-o", optarg))
				return -1;
			a->output = optarg;
			break;
		case 'd': a->duration = optarg; break;
		case 'w': a->warmup = optarg; break;
		case 'r': a->repeat = optarg; break;
		case 's': a->sets[a->nsets++] = optarg; break;
		case 'S': a->sweep = optarg; break;
		case 'T': a->no_trace = true; break;
		case 'L': a->lock_probe = optarg; break;
		case 'D': a->dry_run = true; break;
		case 't': a->tail_threshold = optarg; break;
		case 'F':
			if (pt_cli_output_arg("run", "--folded", optarg))
				return -1;
			a->folded = optarg;
			break;
		case 'j': a->json = true; break;
		case 'q': a->quiet = true; break;
		case 'h': pt_run_usage(stdout); return 1;
		default:
			pt_cli_bad_option("run", argv, run_longopts);
			pt_run_usage(stderr);
			return -1;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, optind >= argc ? "ptbench run: which scenario? (see `ptbench list`)\n"
					       : "ptbench run: one scenario at a time\n");
		pt_run_usage(stderr);
		return -1;
	}
	a->scenario = argv[optind];
	if (pt_lock_probe_check_args(a->lock_probe, a->no_trace))
		return -1;
	if ((a->tail_threshold || a->folded) && a->no_trace) {
		fprintf(stderr, "ptbench run: %s turns the tail probe on, --no-trace every probe off: not both\n",
			a->folded ? "--folded" : "--tail-threshold");
		return -1;
	}
	if (a->folded && a->sweep) {
		fprintf(stderr, "ptbench run: --folded writes one run's stacks: not with --sweep\n");
		return -1;
	}
	return 0;
}


/* A flag over a [scenario] key, the key named by its typed field. */
#define OVERRIDE(sc, field, val, flag) \
	override(sc, PT_OPTS_FIELD(&(sc)->opts, struct pt_scenario_keys, field), val, flag)
static int override(struct pt_scenario *sc, int idx, const char *val, const char *flag)
{
	char err[256];

	if (pt_opts_set(&sc->opts, idx, val, 0, err, sizeof(err))) {
		fprintf(stderr, "ptbench run: %s: %s\n", flag, err);
		return -1;
	}
	return 0;
}

struct pt_scenario *pt_run_load_with_args(const char *path, const struct pt_run_args *a)
{
	struct pt_scenario *sc = pt_scenario_load(path);

	if (!sc)
		return NULL;
	for (int i = 0; i < a->nsets; i++)
		if (pt_scenario_apply_set(sc, a->sets[i]))
			goto bad;
	if ((a->duration && OVERRIDE(sc, duration, a->duration, "--duration")) ||
	    (a->warmup && OVERRIDE(sc, warmup, a->warmup, "--warmup")) ||
	    (a->repeat && OVERRIDE(sc, repeat, a->repeat, "--repeat")) ||
	    (a->tail_threshold && OVERRIDE(sc, tail_threshold, a->tail_threshold, "--tail-threshold")) ||
	    ((a->tail_threshold || a->folded) && OVERRIDE(sc, tail_probe, "true", "--tail-threshold")))
		goto bad;
	/* after the --set values, one of which may be scenario.headline */
	if (pt_headline_check(sc))
		goto bad;
	return sc;
bad:
	pt_scenario_free(sc);
	return NULL;
}

int pt_run_check_args(const char *scenario, int nargs, char **args)
{
	char **av = pt_xcalloc((size_t)nargs + 3, sizeof(char *));
	struct pt_run_args a;
	struct pt_scenario *sc = NULL;
	int rc = PT_EXIT_USAGE;

	/* the run's own parser on "run ARGS... SCENARIO", then the scenario
	 * with the --set and overrides applied: no machine is consulted */
	av[0] = "run";
	for (int i = 0; i < nargs; i++)
		av[i + 1] = args[i];
	av[nargs + 1] = (char *)scenario;
	if (pt_run_args_parse(nargs + 2, av, &a))
		goto out;
	sc = pt_run_load_with_args(scenario, &a);
	if (!sc || pt_plan_check_threads(sc))
		goto out;
	/* the role and the list; "max" is the guest's, so any count passes */
	if (a.sweep) {
		struct pt_sweep sw;

		if (pt_sweep_setup(sc, a.sweep, 4096, &sw) < 0)
			goto out;
	}
	rc = PT_EXIT_OK;
out:
	pt_scenario_free(sc);
	pt_run_args_free(&a);
	free(av);
	return rc;
}

void pt_run_args_free(struct pt_run_args *a)
{
	free(a->sets);
	a->sets = NULL;
	a->nsets = 0;
}
