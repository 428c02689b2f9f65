/* The arguments of `ptbench run` (src/run/run_args.c): parsed once, here,
 * for the run command itself and for `vm`/`gate`, which check on the host
 * the arguments they will hand to the guest's `ptbench run`. */
#ifndef PTBENCH_RUN_ARGS_H
#define PTBENCH_RUN_ARGS_H

#include <stdbool.h>
#include <stdio.h>

struct pt_scenario;

struct pt_run_args {
	const char *scenario;
	const char *output;
	const char *duration, *warmup, *repeat;
	const char *sweep;            /* --sweep ROLE.threads=LIST */
	const char *lock_probe;       /* --lock-probe bpf|tracefs|off|auto */
	const char *tail_threshold;   /* --tail-threshold D: the tail probe on, with this threshold */
	const char *folded;           /* --folded FILE: the tail probe on, its stacks folded into FILE */
	char **sets;                  /* the --set values (the array is ours: pt_run_args_free) */
	int nsets;
	bool no_trace, json, quiet;
	bool dry_run;                 /* --dry-run: every check, nothing run or written */
};

void pt_run_usage(FILE *f);
/* argv[0] = "run". 0, 1 when --help was printed, -1 after a message. */
int pt_run_args_parse(int argc, char **argv, struct pt_run_args *a);
void pt_run_args_free(struct pt_run_args *a);
/* The scenario file at path with --set, --duration, --warmup and --repeat
 * applied; NULL after printing why. */
struct pt_scenario *pt_run_load_with_args(const char *path, const struct pt_run_args *a);
/* `vm`'s and `gate`'s check of the arguments they hand to the guest's
 * `ptbench run`: parsed and applied to the scenario file on the host, no
 * machine consulted. 0 or exit code 2. */
int pt_run_check_args(const char *scenario, int nargs, char **args);

#endif
