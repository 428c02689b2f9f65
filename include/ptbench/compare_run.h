/* A whole comparison (src/compare/compare_run.c): the options of `ptbench
 * compare`, the result files loaded and checked, the report built once and
 * written in any of the formats. `compare` and `gate` both run it. */
#ifndef PTBENCH_COMPARE_RUN_H
#define PTBENCH_COMPARE_RUN_H

#include <stdbool.h>
#include <stdio.h>

#include "ptbench/compare.h"

struct pt_cmp_opts {
	struct pt_cmp_rule rule;
	bool gate;                /* --gate: the exit code is the verdict */
	bool structural_only;     /* --gate-on structural */
	bool force;               /* --force */
	bool all;                 /* --all-metrics */
	bool gross_set;           /* --gross-factor or --gross-min-repeats given */
	bool chain;               /* --chain: each result against the one before it */
	const char *gate_metrics; /* --gate-metrics, NULL for the default */
	const char *format;       /* text, json, markdown or junit */
};

#define PT_CMP_OPTS_DEFAULT { .rule = PT_CMP_RULE_DEFAULT, .format = "text" }

struct pt_cmp_run {
	struct pt_cmp_report r;
	struct pt_cmp_input *in;
	int nin;
};

void pt_cmp_usage(FILE *f);
/* `compare`'s options from argv (argv[0] = "compare"); *first is the index
 * of the first result file. 0, 1 when --help was printed, or PT_EXIT_USAGE
 * after a message. */
int pt_cmp_args_parse(int argc, char **argv, struct pt_cmp_opts *o, int *first);
/* Load paths[0] (the baseline) and the candidates, check that they can be
 * compared, build the verdicts. 0, or an exit code after a message on
 * stderr; warnings are printed to stderr and kept for the report. */
int pt_cmp_run_build(const struct pt_cmp_opts *o, int nin, char *const *paths,
		     struct pt_cmp_run *run);
/* The report in format (text, json, markdown, junit). */
void pt_cmp_run_write(const struct pt_cmp_run *run, const char *format, FILE *out, bool color);
void pt_cmp_run_free(struct pt_cmp_run *run);

#endif
