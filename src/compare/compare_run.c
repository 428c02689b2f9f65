/* A whole comparison: `ptbench compare`'s options, the result files loaded
 * and checked against each other, the report built once and written in the
 * format asked for. `compare` and `gate` both run it; neither calls the
 * other. */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/cli.h"
#include "ptbench/compare.h"
#include "ptbench/compare_run.h"
#include "ptbench/exitcodes.h"
#include "ptbench/stats.h"
#include "ptbench/util.h"

static const char *const formats[] = { "text", "json", "markdown", "junit" };

void pt_cmp_usage(FILE *f)
{
	fprintf(f,
		"usage: ptbench compare BASE.json CAND.json [CAND.json...] [--gate]\n"
		"                       [--gate-metrics ROLE.OP.METRIC,...] [--threshold P]\n"
		"                       [--threshold-tail P] [--threshold-struct P] [--tolerance P]\n"
		"                       [--alpha A] [--gate-on all|structural] [--gross-factor F]\n"
		"                       [--gross-min-repeats N] [--gross-tolerance T] [--force]\n"
		"                       [--all-metrics] [--chain]\n"
		"                       [--format text|json|markdown|junit]\n"
		"Compares each candidate with the baseline, one value per repeat:\n"
		"  --threshold P       minimum effect, percent of the baseline median (default 5)\n"
		"  --threshold-tail P  the same for p99, p999, p9999, max (default 10)\n"
		"  --threshold-struct P the same for structural metrics (lock acquisitions per\n"
		"                      op, collapse proof; default 10, and at least 0.05 per op)\n"
		"  --tolerance P       pass a metric with no change found only when the run could\n"
		"                      have caught a regression of P percent (default 50; for\n"
		"                      a structural metric at least 0.5 per op)\n"
		"  --alpha A           significance level of the Mann-Whitney U test, in (0, 0.2]\n"
		"                      (default 0.05)\n"
		"  --gate              exit 1 if a gated metric regressed, 3 if one is inconclusive\n"
		"  --gate-on W         all (default): gate the headline's latency metrics and the\n"
		"                      structural ones; structural: gate only the structural\n"
		"                      metrics and list the headline's latency as reported\n"
		"                      (emulated guests, where latency is the emulator's), and\n"
		"                      fail on it only by the gross rule:\n"
		"  --gross-factor F    a reported metric is regressed when its median got F times\n"
		"                      worse (default 2; above 1, at most 1000) ...\n"
		"  --gross-min-repeats N ... with every repeat apart, N or more a side (default 4,\n"
		"                      at least 4: 4 v 4 apart by chance is 1/70)\n"
		"  --gross-tolerance T a metric named with --gate-metrics under --gate-on\n"
		"                      structural passes only when the gross rule would have\n"
		"                      called T times worse (default 10; from the factor to\n"
		"                      1000); else it is inconclusive\n"
		"  --gate-metrics L    gated metrics (default: the scenario's headline, else every\n"
		"                      op's p99 and ops_per_sec, and the structural metrics);\n"
		"                      METRIC: ops_per_sec, p50, p90, p99, p999, p9999, max;\n"
		"                      structural and probe metrics as listed by --all-metrics\n"
		"  --force             compare different scenarios, schema versions or\n"
		"                      incomplete runs anyway (with a warning)\n"
		"  --all-metrics       list p90, p9999 and every probe metric too\n"
		"  --chain             each result against the one before it (kernels in release\n"
		"                      order), not against the first; text and markdown print one\n"
		"                      table: every structural metric's median per result and the\n"
		"                      steps where it changed (\"which release changed it\")\n"
		"exit: 0 ok, 1 regression (--gate), 2 bad input, 3 undecided (--gate)\n");
}

/* "5", "5%" or "12.5%": a percent, returned as a fraction */
static int parse_percent(const char *flag, const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end != s && *end == '%')
		end++;
	if (end == s || *end || !(v > 0 && v < 1000)) {
		fprintf(stderr, "ptbench compare: %s '%s': want a percent above 0, like 5 or 10%%\n",
			flag, s);
		return -1;
	}
	*out = v / 100.0;
	return 0;
}

static const struct option longopts[] = {
	{ "gate", no_argument, NULL, 'g' },
	{ "gate-metrics", required_argument, NULL, 'G' },
	{ "threshold", required_argument, NULL, 't' },
	{ "threshold-tail", required_argument, NULL, 'T' },
	{ "threshold-struct", required_argument, NULL, 'S' },
	{ "tolerance", required_argument, NULL, 'o' },
	{ "alpha", required_argument, NULL, 'a' },
	{ "gate-on", required_argument, NULL, 'O' },
	{ "gross-factor", required_argument, NULL, 'X' },
	{ "gross-min-repeats", required_argument, NULL, 'N' },
	{ "gross-tolerance", required_argument, NULL, 'R' },
	{ "format", required_argument, NULL, 'f' },
	{ "force", no_argument, NULL, 'F' },
	{ "all-metrics", no_argument, NULL, 'A' },
	{ "chain", no_argument, NULL, 'C' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

/* The option values that are more than a percent, one function each: 0, or
 * -1 after a message naming the flag and what it wants. */
/* --gate-metrics names at least one metric and no empty one: an empty list
 * (a CI variable left unset) would gate nothing and read as "inconclusive"
 * rather than as the configuration error it is. */
static int check_gate_metrics(const char *list)
{
	const char *p = list;

	for (;;) {
		size_t n = strcspn(p, ",");

		if (!n) {
			fprintf(stderr, "ptbench compare: --gate-metrics '%s': an empty name%s\n", list,
				*list ? " (two commas, or one at an end)" : "");
			return -1;
		}
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

static int parse_alpha(const char *arg, struct pt_cmp_opts *o)
{
	char *end;

	o->rule.alpha = strtod(arg, &end);
	if (end != arg && !*end && o->rule.alpha > 0 && o->rule.alpha <= PT_CMP_ALPHA_MAX)
		return 0;
	fprintf(stderr,
		"ptbench compare: --alpha '%s': want a significance level above 0 and at most "
		"%g, like 0.05 (a larger one calls a change on identical sides more often than "
		"one time in %g)\n",
		arg, PT_CMP_ALPHA_MAX, 1 / PT_CMP_ALPHA_MAX);
	return -1;
}

static int parse_gate_on(const char *arg, struct pt_cmp_opts *o)
{
	if (!strcmp(arg, "structural") || !strcmp(arg, "all")) {
		o->structural_only = !strcmp(arg, "structural");
		return 0;
	}
	fprintf(stderr, "ptbench compare: --gate-on '%s': want all or structural\n", arg);
	return -1;
}

/* A factor of the gross rule (--gross-factor, --gross-tolerance): above 1,
 * at most PT_CMP_GROSS_FACTOR_MAX. 0, or -1 after a message naming flag. */
static int parse_gross_factor(const char *flag, const char *arg, const char *example, double *out,
			      struct pt_cmp_opts *o)
{
	char *end;

	*out = strtod(arg, &end);
	if (end == arg || *end || !(*out > 1 && *out <= PT_CMP_GROSS_FACTOR_MAX)) {
		fprintf(stderr,
			"ptbench compare: %s '%s': want a factor above 1 and at most %g, like %s\n",
			flag, arg, PT_CMP_GROSS_FACTOR_MAX, example);
		return -1;
	}
	o->gross_set = true;
	return 0;
}

static int parse_gross_min_repeats(const char *arg, struct pt_cmp_opts *o)
{
	char *end;
	unsigned long long n = strtoull(arg, &end, 10);

	/* strtoull takes "-1" as a huge number: digits only */
	if (end == arg || *end || arg[0] < '0' || arg[0] > '9' ||
	    n < PT_CMP_GROSS_MIN_REPEATS_MIN || n > PT_CMP_GROSS_MIN_REPEATS_MAX) {
		fprintf(stderr,
			"ptbench compare: --gross-min-repeats '%s': want a count from %d "
			"to %d (fewer than 4 a side are apart by chance too often)\n",
			arg, PT_CMP_GROSS_MIN_REPEATS_MIN, PT_CMP_GROSS_MIN_REPEATS_MAX);
		return -1;
	}
	o->rule.gross_min_repeats = (size_t)n;
	o->gross_set = true;
	return 0;
}

static int check_format(const char *format)
{
	for (size_t i = 0; i < PT_ARRAY_SIZE(formats); i++)
		if (!strcmp(format, formats[i]))
			return 0;
	fprintf(stderr, "ptbench compare: --format '%s': want text, json, markdown or junit\n", format);
	return -1;
}

int pt_cmp_args_parse(int argc, char **argv, struct pt_cmp_opts *o, int *first)
{
	int c;

	opterr = 0;
	/* 0, not 1: glibc then starts afresh, permutation mode included (the
	 * caller may have parsed its own argv with "+", which stops at the first
	 * word that is not an option) */
	optind = 0;
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'g':
			o->gate = true;
			break;
		case 'G':
			if (check_gate_metrics(optarg))
				return PT_EXIT_USAGE;
			o->gate_metrics = optarg;
			break;
		case 't':
			if (parse_percent("--threshold", optarg, &o->rule.threshold))
				return PT_EXIT_USAGE;
			break;
		case 'T':
			if (parse_percent("--threshold-tail", optarg, &o->rule.threshold_tail))
				return PT_EXIT_USAGE;
			break;
		case 'S':
			if (parse_percent("--threshold-struct", optarg, &o->rule.threshold_struct))
				return PT_EXIT_USAGE;
			break;
		case 'o':
			if (parse_percent("--tolerance", optarg, &o->rule.tolerance))
				return PT_EXIT_USAGE;
			break;
		case 'a':
			if (parse_alpha(optarg, o))
				return PT_EXIT_USAGE;
			break;
		case 'O':
			if (parse_gate_on(optarg, o))
				return PT_EXIT_USAGE;
			break;
		case 'X':
			if (parse_gross_factor("--gross-factor", optarg, "2", &o->rule.gross_factor, o))
				return PT_EXIT_USAGE;
			break;
		case 'N':
			if (parse_gross_min_repeats(optarg, o))
				return PT_EXIT_USAGE;
			break;
		case 'R':
			if (parse_gross_factor("--gross-tolerance", optarg, "10", &o->rule.gross_tolerance,
					       o))
				return PT_EXIT_USAGE;
			break;
		case 'f':
			o->format = optarg;
			break;
		case 'F':
			o->force = true;
			break;
		case 'A':
			o->all = true;
			break;
		case 'C':
			o->chain = true;
			break;
		case 'h':
			pt_cmp_usage(stdout);
			return 1;
		default:
			pt_cli_bad_option("compare", argv, longopts);
			pt_cmp_usage(stderr);
			return PT_EXIT_USAGE;
		}
	}
	if (check_format(o->format))
		return PT_EXIT_USAGE;
	if (o->rule.gross_tolerance < o->rule.gross_factor) {
		fprintf(stderr,
			"ptbench compare: --gross-tolerance %g is below --gross-factor %g: a pass "
			"would promise to catch less than the rule calls\n",
			o->rule.gross_tolerance, o->rule.gross_factor);
		return PT_EXIT_USAGE;
	}
	*first = optind;
	return 0;
}

static void warn(void *ctx, const char *msg)
{
	struct pt_cmp_report *r = ctx;

	fprintf(stderr, "ptbench compare: warning: %s\n", msg);
	r->warnings = pt_xrealloc(r->warnings, (r->nwarnings + 1) * sizeof(*r->warnings));
	r->warnings[r->nwarnings++] = pt_xstrdup(msg);
}

/* The steps of pt_cmp_run_build, in order. Each returns 0 or an exit code
 * after a message. */

/* Every result file through the validating reader: the baseline first. */
static int load_inputs(const struct pt_cmp_opts *o, int nin, char *const *paths,
		       struct pt_cmp_run *run)
{
	run->in = pt_xcalloc((size_t)nin, sizeof(*run->in));
	for (int i = 0; i < nin; i++) {
		if (pt_cmp_load(paths[i], o->force, &run->in[i], warn, &run->r))
			return PT_EXIT_USAGE;
		run->nin = i + 1;
	}
	return 0;
}

/* Each candidate ran what the baseline ran (scenario, workers, settings):
 * a difference refuses the pair, or with --force becomes a warning. */
static int check_comparable(const struct pt_cmp_opts *o, struct pt_cmp_run *run)
{
	for (int i = 1; i < run->nin; i++) {
		const struct pt_cmp_input *base = &run->in[o->chain ? i - 1 : 0];
		char diffs[4096];
		int n = pt_cmp_mismatches(base, &run->in[i], diffs, sizeof(diffs));

		if (!n)
			continue;
		if (!o->force) {
			fprintf(stderr, "%s%s: not comparable with %s (%d difference%s above); "
					"--force compares anyway\n",
				diffs, run->in[i].path, base->path, n, n > 1 ? "s" : "");
			return PT_EXIT_USAGE;
		}
		for (char *line = strtok(diffs, "\n"); line; line = strtok(NULL, "\n"))
			warn(&run->r, line);
	}
	return 0;
}

/* A lock probe on one side only: its metrics cannot be compared, say so. */
static void warn_lock_probe_on_one_side(const struct pt_cmp_opts *o, struct pt_cmp_run *run)
{
	for (int i = 1; i < run->nin; i++) {
		const struct pt_cmp_input *base = &run->in[o->chain ? i - 1 : 0];
		bool b = pt_cmp_has_lock_probe(base), cp = pt_cmp_has_lock_probe(&run->in[i]);
		char msg[512];

		if (b == cp)
			continue;
		snprintf(msg, sizeof(msg),
			 "the mmap_lock probe ran only in %s (not root, no tracefs, or "
			 "--no-trace in the other?): its latency metrics are not compared, its "
			 "structural ones are listed as not comparable",
			 b ? base->path : run->in[i].path);
		warn(&run->r, msg);
	}
}

/* Too few repeats for the test to reach alpha: only complete separation
 * can call a latency change. */
static void warn_few_repeats(struct pt_cmp_report *r, const struct pt_cmp_input *base,
			     const struct pt_cmp_input *cand)
{
	double min_p = pt_mwu_min_p(base->repeats, cand->repeats);
	char msg[512];

	if (min_p < r->rule.alpha)
		return;
	snprintf(msg, sizeof(msg),
		 "%zu vs %zu repeats: the smallest p-value they can give is %.3f, not "
		 "below alpha %g: only complete separation (a gap wider than both "
		 "sides' ranges) can call a latency change; 5 or more repeats a side "
		 "decide smaller ones",
		 base->repeats, cand->repeats, min_p, r->rule.alpha);
	warn(r, msg);
}

/* Each candidate against the baseline, metric by metric, and which of the
 * metrics are gated. */
static int compare_each(const struct pt_cmp_opts *o, struct pt_cmp_run *run)
{
	struct pt_cmp_report *r = &run->r;

	r->cmp = pt_xcalloc((size_t)run->nin - 1, sizeof(*r->cmp));
	r->scenario = run->in[0].scenario ? run->in[0].scenario : "?";
	for (int i = 1; i < run->nin; i++) {
		struct pt_comparison *cmp = &r->cmp[r->ncmp++];
		const struct pt_cmp_input *base = &run->in[o->chain ? i - 1 : 0];

		pt_cmp_build(base, &run->in[i], &r->rule, cmp);
		if (!(r->gate_from = pt_cmp_gate_select(cmp, o->gate_metrics)))
			return PT_EXIT_USAGE;
		/* under --gate-on structural the latency and ops/s of a list named
		 * with --gate-metrics are reported and gated by the gross rule
		 * only, as the headline's are: the fine rule cannot be
		 * trusted there whoever named the metric */
		if (r->structural_only) {
			pt_cmp_gate_structural_only(cmp, &r->rule, o->gate_metrics != NULL);
			r->gate_from = o->gate_metrics ? "--gate-metrics; their latency and ops/s gated by "
							 "the gross rule only (--gate-on structural)"
						       : "structural; the headline's latency reported, not gated";
		}
		warn_few_repeats(r, base, &run->in[i]);
	}
	return 0;
}

/* The verdict: the gate's exit code (0 without --gate). */
static void conclude(const struct pt_cmp_opts *o, struct pt_cmp_report *r)
{
	/* the gross rule judges only what --gate-on structural reports: say
	 * so rather than let a --gross-factor look applied */
	if (o->gross_set && !r->structural_only)
		warn(r, "--gross-factor and --gross-min-repeats apply only under --gate-on "
			"structural: not applied");
	r->exit_code = r->gate ? pt_cmp_gate_exit(r) : PT_EXIT_OK;
}

int pt_cmp_run_build(const struct pt_cmp_opts *o, int nin, char *const *paths,
		     struct pt_cmp_run *run)
{
	struct pt_cmp_report *r = &run->r;
	int rc;

	memset(run, 0, sizeof(*run));
	r->rule = o->rule;
	r->gate = o->gate;
	r->all = o->all;
	r->structural_only = o->structural_only;
	r->chain = o->chain;
	if (nin < 2) {
		fprintf(stderr, "ptbench compare: need a baseline and at least one candidate result\n");
		pt_cmp_usage(stderr);
		return PT_EXIT_USAGE;
	}
	if ((rc = load_inputs(o, nin, paths, run)) || (rc = check_comparable(o, run)))
		return rc;
	warn_lock_probe_on_one_side(o, run);
	if ((rc = compare_each(o, run)))
		return rc;
	conclude(o, r);
	return 0;
}

void pt_cmp_run_write(const struct pt_cmp_run *run, const char *format, FILE *out, bool color)
{
	if (!strcmp(format, "json"))
		pt_cmp_write_json(&run->r, out);
	else if (!strcmp(format, "markdown") && run->r.chain)
		pt_cmp_write_chain(&run->r, out, true);
	else if (!strcmp(format, "markdown"))
		pt_cmp_write_markdown(&run->r, out);
	else if (!strcmp(format, "junit"))
		pt_cmp_write_junit(&run->r, out);
	else if (run->r.chain)
		pt_cmp_write_chain(&run->r, out, false);
	else
		pt_cmp_write_text(&run->r, out, color);
}

void pt_cmp_run_free(struct pt_cmp_run *run)
{
	for (size_t i = 0; i < run->r.ncmp; i++)
		pt_comparison_free(&run->r.cmp[i]);
	for (int i = 0; i < run->nin; i++)
		pt_cmp_input_free(&run->in[i]);
	for (size_t i = 0; i < run->r.nwarnings; i++)
		free(run->r.warnings[i]);
	free(run->r.warnings);
	free(run->r.cmp);
	free(run->in);
	memset(run, 0, sizeof(*run));
}
