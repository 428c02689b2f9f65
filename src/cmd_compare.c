/* ptbench compare BASE CAND [CAND...]: metric by metric, what changed and
 * whether it is real; --gate turns the verdicts into an exit code for CI. */
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptbench/cli.h"
#include "ptbench/commands.h"
#include "ptbench/compare.h"
#include "ptbench/exitcodes.h"
#include "ptbench/stats.h"
#include "ptbench/util.h"

static char **warnings;
static size_t nwarnings;

static void warn(const char *msg)
{
	fprintf(stderr, "ptbench compare: warning: %s\n", msg);
	warnings = pt_xrealloc(warnings, (nwarnings + 1) * sizeof(*warnings));
	if (!warnings) {
		fprintf(stderr, "ptbench: out of memory\n");
		exit(PT_EXIT_RUNTIME);
	}
	warnings[nwarnings++] = pt_xstrdup(msg);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ptbench compare BASE.json CAND.json [CAND.json...] [--gate]\n"
		"                       [--gate-metrics ROLE.OP.METRIC,...] [--threshold P]\n"
		"                       [--threshold-tail P] [--threshold-struct P] [--tolerance P]\n"
		"                       [--alpha A] [--gate-on all|structural] [--force] [--all-metrics]\n"
		"                       [--format text|json|markdown|junit]\n"
		"Compares each candidate with the baseline, one value per repeat:\n"
		"  --threshold P       minimum effect, percent of the baseline median (default 5)\n"
		"  --threshold-tail P  the same for p99, p999, p9999, max (default 10)\n"
		"  --threshold-struct P the same for structural metrics (lock acquisitions per\n"
		"                      op, collapse proof; default 10, and at least 0.05 per op)\n"
		"  --tolerance P       pass a metric with no change found only when the run could\n"
		"                      have caught a regression of P percent (default 50; for\n"
		"                      a structural metric at least 0.5 per op)\n"
		"  --alpha A           significance level of the Mann-Whitney U test (default 0.05)\n"
		"  --gate              exit 1 if a gated metric regressed, 3 if one is inconclusive\n"
		"  --gate-on W         all (default): gate the headline's latency metrics and the\n"
		"                      structural ones; structural: gate only the structural\n"
		"                      metrics and list the headline's latency as reported\n"
		"                      (emulated guests, where latency is the emulator's)\n"
		"  --gate-metrics L    gated metrics (default: the scenario's headline, else every\n"
		"                      op's p99 and ops_per_sec, and the structural metrics);\n"
		"                      METRIC: ops_per_sec, p50, p90, p99, p999, p9999, max;\n"
		"                      structural and probe metrics as listed by --all-metrics\n"
		"  --force             compare different scenarios, schema versions or\n"
		"                      incomplete runs anyway (with a warning)\n"
		"  --all-metrics       list p90, p9999 and every probe metric too\n"
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
	{ "format", required_argument, NULL, 'f' },
	{ "force", no_argument, NULL, 'F' },
	{ "all-metrics", no_argument, NULL, 'A' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

int cmd_compare(int argc, char **argv)
{
	static const char *const formats[] = { "text", "json", "markdown", "junit" };
	struct pt_cmp_report r = { .rule = PT_CMP_RULE_DEFAULT };
	const char *format = "text", *gate_metrics = NULL;
	struct pt_cmp_input *in;
	bool force = false;
	int c, nin, ret = PT_EXIT_USAGE;
	size_t fmt;
	char *end;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'g':
			r.gate = true;
			break;
		case 'G':
			gate_metrics = optarg;
			break;
		case 't':
			if (parse_percent("--threshold", optarg, &r.rule.threshold))
				return PT_EXIT_USAGE;
			break;
		case 'T':
			if (parse_percent("--threshold-tail", optarg, &r.rule.threshold_tail))
				return PT_EXIT_USAGE;
			break;
		case 'S':
			if (parse_percent("--threshold-struct", optarg, &r.rule.threshold_struct))
				return PT_EXIT_USAGE;
			break;
		case 'o':
			if (parse_percent("--tolerance", optarg, &r.rule.tolerance))
				return PT_EXIT_USAGE;
			break;
		case 'a':
			r.rule.alpha = strtod(optarg, &end);
			if (end == optarg || *end || !(r.rule.alpha > 0 && r.rule.alpha < 1)) {
				fprintf(stderr, "ptbench compare: --alpha '%s': want a number in (0, 1), like 0.05\n",
					optarg);
				return PT_EXIT_USAGE;
			}
			break;
		case 'O':
			if (!strcmp(optarg, "structural") || !strcmp(optarg, "all")) {
				r.structural_only = !strcmp(optarg, "structural");
				break;
			}
			fprintf(stderr, "ptbench compare: --gate-on '%s': want all or structural\n",
				optarg);
			return PT_EXIT_USAGE;
		case 'f':
			format = optarg;
			break;
		case 'F':
			force = true;
			break;
		case 'A':
			r.all = true;
			break;
		case 'h':
			usage(stdout);
			return PT_EXIT_OK;
		default:
			pt_cli_bad_option("compare", argv, longopts);
			usage(stderr);
			return PT_EXIT_USAGE;
		}
	}
	for (fmt = 0; fmt < PT_ARRAY_SIZE(formats); fmt++)
		if (!strcmp(format, formats[fmt]))
			break;
	if (fmt == PT_ARRAY_SIZE(formats)) {
		fprintf(stderr, "ptbench compare: --format '%s': want text, json, markdown or junit\n",
			format);
		return PT_EXIT_USAGE;
	}
	nin = argc - optind;
	if (nin < 2) {
		fprintf(stderr, "ptbench compare: need a baseline and at least one candidate result\n");
		usage(stderr);
		return PT_EXIT_USAGE;
	}

	in = pt_xcalloc((size_t)nin, sizeof(*in));
	r.cmp = pt_xcalloc((size_t)nin - 1, sizeof(*r.cmp));
	for (int i = 0; i < nin; i++)
		if (pt_cmp_load(argv[optind + i], force, &in[i], warn))
			goto out;
	for (int i = 1; i < nin; i++) {
		char diffs[4096];
		int n = pt_cmp_mismatches(&in[0], &in[i], diffs, sizeof(diffs));

		if (!n)
			continue;
		if (!force) {
			fprintf(stderr, "%s%s: not comparable with %s (%d difference%s above); "
					"--force compares anyway\n",
				diffs, in[i].path, in[0].path, n, n > 1 ? "s" : "");
			goto out;
		}
		for (char *line = strtok(diffs, "\n"); line; line = strtok(NULL, "\n"))
			warn(line);
	}
	for (int i = 1; i < nin; i++) {
		bool b = pt_cmp_has_lock_probe(&in[0]), cp = pt_cmp_has_lock_probe(&in[i]);

		if (b != cp) {
			char msg[512];

			snprintf(msg, sizeof(msg),
				 "the mmap_lock probe ran only in %s (not root, no tracefs, or "
				 "--no-trace in the other?): its latency metrics are not compared, its "
				 "structural ones are listed as not comparable",
				 b ? in[0].path : in[i].path);
			warn(msg);
		}
	}

	r.scenario = in[0].scenario ? in[0].scenario : "?";
	for (int i = 1; i < nin; i++) {
		struct pt_comparison *cmp = &r.cmp[r.ncmp++];

		pt_cmp_build(&in[0], &in[i], &r.rule, cmp);
		if (!(r.gate_from = pt_cmp_gate_select(cmp, gate_metrics)))
			goto out;
		/* a list named with --gate-metrics is gated as named */
		if (gate_metrics)
			r.structural_only = false;
		if (r.structural_only) {
			pt_cmp_gate_structural_only(cmp);
			r.gate_from = "structural; the headline's latency reported, not gated";
		}
		if (pt_mwu_min_p(in[0].repeats, in[i].repeats) >= r.rule.alpha) {
			char msg[512];

			snprintf(msg, sizeof(msg),
				 "%zu vs %zu repeats: the smallest p-value they can give is %.3f, not "
				 "below alpha %g: only complete separation (a gap wider than both "
				 "sides' ranges) can call a latency change; 5 or more repeats a side "
				 "decide smaller ones",
				 in[0].repeats, in[i].repeats, pt_mwu_min_p(in[0].repeats, in[i].repeats),
				 r.rule.alpha);
			warn(msg);
		}
	}
	r.warnings = warnings;
	r.nwarnings = nwarnings;
	r.exit_code = r.gate ? pt_cmp_gate_exit(&r) : PT_EXIT_OK;
	switch (fmt) {
	case 0:
		pt_cmp_write_text(&r, stdout, isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
		break;
	case 1:
		pt_cmp_write_json(&r, stdout);
		break;
	case 2:
		pt_cmp_write_markdown(&r, stdout);
		break;
	default:
		pt_cmp_write_junit(&r, stdout);
	}
	ret = r.exit_code;
out:
	for (size_t i = 0; i < r.ncmp; i++)
		pt_comparison_free(&r.cmp[i]);
	for (int i = 0; i < nin; i++)
		pt_cmp_input_free(&in[i]);
	for (size_t i = 0; i < nwarnings; i++)
		free(warnings[i]);
	free(warnings);
	warnings = NULL;
	nwarnings = 0;
	free(r.cmp);
	free(in);
	return ret;
}
