/* `ptbench gate`: base and candidate kernels booted in turn (ABBA), their
 * runs pooled per kernel, each scenario judged by `ptbench compare --gate`,
 * and the verdicts written as report.md, report.json, junit.xml and KTAP. */
#ifndef PTBENCH_GATE_H
#define PTBENCH_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json_object;

/* --- the plan (gate_plan.c) ------------------------------------------------ */

/* The boot order of `rounds` rounds: round 1 base then candidate, round 2
 * candidate then base, and so on (ABBA...), so that a drift of the machine
 * over the run hits both kernels alike. seq gets 2 * rounds letters 'A'
 * (base) and 'B' (candidate) and a NUL. */
void pt_gate_order(int rounds, char *seq);

/* The gate's exit code from each scenario's: 2 if any could not be compared
 * (bad input), else 1 if any regressed, else 5 if any failed to run, else 3
 * if any was inconclusive, else 0 if any passed, else 4 (all skipped). */
int pt_gate_exit(const int *status, size_t n);

/* git bisect run's reading of an exit code: 0 good, 1 bad, 125 skip (an
 * inconclusive, skipped or failed run says nothing about the commit), 128
 * (abort the bisection) for bad input and signals. */
int pt_gate_bisect_code(int exit_code);

/* "PASS", "FAIL", "UNDECIDED", "SKIPPED", "ERROR" for a scenario's status */
const char *pt_gate_word(int status);

/* --- pooling runs of one kernel (gate_pool.c) ------------------------------- */

enum pt_gate_unit {
	PT_GATE_UNIT_BOOT,   /* one value per boot: the median over its repeats */
	PT_GATE_UNIT_REPEAT, /* every repeat of every boot, as if one run */
};

/* One result document from n runs of the same scenario on one kernel (n >= 1,
 * docs as read by pt_result_read (validated), paths for the record). BOOT: repeat k of
 * the document is run k reduced to one value per number (over the run's
 * complete repeats the sum of a count, the median of anything else; a number missing from a repeat is no value there;
 * histogram buckets and timelines, which have no per-boot median, are
 * dropped). REPEAT: the complete repeats of all runs, in order. The rest
 * (system, scenario, tool) is run 1's; "pooled" says how it was made. Runs
 * with no complete repeat are left out. NULL, with the reason in why, when
 * none is left, or (*bad_input) when a count summed over a run's repeats
 * exceeds PT_RESULT_INT_MAX: the reader would refuse the pooled result. */
struct json_object *pt_gate_pool(struct json_object *const *docs, const char *const *paths,
				 size_t n, enum pt_gate_unit unit, bool *bad_input, char *why,
				 size_t whylen);

/* One boot's repeats reduced number by number (see pt_gate_pool): the
 * sum of every count (op counts, lock events, collapse outcomes), so that
 * per-op ratios are the boot's totals over its totals, the median of every
 * other number. NULL when such a sum exceeds PT_RESULT_INT_MAX. */
struct json_object *pt_gate_median_tree(struct json_object *const *vals, size_t n);

/* --- one gate run (cmd_gate.c, gate_judge.c, gate_report.c) ----------------- */

#define PT_GATE_MAX_RUNS 256
#define PT_GATE_MAX_SCEN 32

struct pt_gate_side {
	const char *label;	/* kernel label (vm) or the results' kernel release */
	const char *image;	/* vm: the bzImage; NULL with --*-results */
	char *release;		/* the kernel release its results name */
	char **kernels, **machines;	/* every release / CPU its results name */
	size_t nkernels, nmachines;
};

struct pt_gate_boot {
	int n;			/* 1-based position in the boot order */
	int side;		/* 0 base, 1 candidate */
	char *dir;		/* DIR/boots/NN-base|cand */
	int exit;		/* pt_vm_boot's */
	double wall_s;
	int rcs[PT_GATE_MAX_SCEN];
};

/* One result file of a scenario, read once (gate_inputs.c): the document
 * that is pooled and judged is the one whose bytes were hashed. */
struct pt_gate_run {
	char *path;
	struct json_object *doc;	/* validated; NULL when the file was refused
					 * (a guest's: the scenario is then ERROR, exit 2)
					 * and once the scenario is judged */
	uint8_t sha256[32];		/* SHA-256: PT_SHA256_LEN bytes (gate_inputs.c checks) */
	bool have_sha256;		/* the file could be read at all */
	char *kernel;			/* system.kernel.release, NULL when not named */
	char *machine;			/* CPU vendor and brand, "unknown CPU" */
};

struct pt_gate_scen {
	char *name;
	struct pt_gate_run *runs[2];		/* result files per side */
	size_t nruns[2];
	int skipped[2], failed[2];		/* boots that skipped it / gave no result */
	enum pt_gate_unit unit;			/* the gate's, or repeat with one run a side */
	int status;				/* exit code of this scenario */
	char why[512];				/* when it was not compared */
	char *pooled[2], *merged[2];		/* files written under DIR */
	char *cmp_json, *cmp_md;		/* compare's outputs */
	struct json_object *cmp;		/* compare's JSON (as written to cmp_json) */
	char *plot_dir;
	char **plots;				/* chart files (relative to DIR) */
	size_t nplots;
	bool plot_failed;
};

struct pt_gate {
	const char *outdir;
	bool vm;			/* booted here, or --base-results/--cand-results */
	enum pt_gate_unit unit;
	int rounds, jobs;
	bool ktap, bisect, plots;
	const char *gate_on;		/* all, structural (auto resolved in cmd_gate.c) */
	bool named_metrics;		/* --gate-metrics: that list is gated (its latency by the gross rule under structural) */
	struct pt_gate_side side[2];
	char order[2 * 64 + 1];
	struct pt_gate_boot *boots;
	size_t nboots;
	struct pt_gate_scen scen[PT_GATE_MAX_SCEN];
	size_t nscen;
	const char *cmp_args[24];	/* forwarded to ptbench compare */
	int ncmp_args;
	char **commands;		/* every command run, shell-quoted */
	size_t ncommands;
	char **notes;			/* warnings for the report */
	size_t nnotes;
	double wall_s;
	int exit;
};

/* Record a command / a note for the report. */
void pt_gate_command(struct pt_gate *g, char *const *argv);
void pt_gate_note(struct pt_gate *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The scenario's verdict: pool its runs (DIR/pooled, DIR/merged), run
 * `ptbench compare --gate` on them, and `ptbench plot`. Sets s->status;
 * the runs' documents are released (every document of a gate is held from
 * its one read until its scenario is judged). */
void pt_gate_judge(struct pt_gate *g, struct pt_gate_scen *s);
/* The inputs (gate_inputs.c). Read path once, through the validating result
 * reader (flags as pt_result_read's), into run: its document, SHA-256,
 * kernel and CPU. Returns 0; 1 when flags let a file that is no ptbench
 * result be passed over (run is empty); -1 after a message "PATH: why",
 * with run->path (and the digest, when the bytes could be read) kept and
 * run->doc NULL. */
int pt_gate_read_run(const char *path, unsigned flags, struct pt_gate_run *run);
/* Append run to the scenario's side (run's fields move into it). -1 when the
 * side has PT_GATE_MAX_RUNS already (run is left to the caller). */
int pt_gate_add_run(struct pt_gate_scen *s, int side, struct pt_gate_run *run);
void pt_gate_run_free(struct pt_gate_run *run);
/* Every run of the scenario, both sides. */
void pt_gate_scen_free_runs(struct pt_gate_scen *s);
/* The scenario named name (added when add and there is room), or NULL. */
struct pt_gate_scen *pt_gate_scen_get(struct pt_gate *g, const char *name, bool add);
/* One file of --base-results/--cand-results, read once (pt_gate_read_run)
 * and added to side of the scenario its result names, after that name is
 * checked as a file name. in_dir: the file was found in a directory, where
 * a file that is no ptbench result is passed over (0). 0, or PT_EXIT_USAGE
 * after a message. */
int pt_gate_take_result(struct pt_gate *g, int side, const char *path, bool in_dir);
/* The report's notes and what the input checks filled in per side
 * (release, kernels, machines), freed and emptied. */
void pt_gate_free_notes_sides(struct pt_gate *g);
/* Before judging, over the runs kept (no file is read again): two with the
 * same bytes (SHA-256) anywhere among the inputs are refused, as is a side
 * whose results name more than one kernel release or CPU unless allow_mixed
 * (then a note). Fills side[].kernels and side[].machines. 0 or
 * PT_EXIT_USAGE after a message. */
int pt_gate_check_inputs(struct pt_gate *g, bool allow_mixed);
/* Lock DIR for this gate (gate_lock.c): flock on DIR/.gate.lock, held
 * while *fd is open (boot children inherit it). 0; PT_EXIT_BUSY when another
 * gate holds it, PT_EXIT_USAGE when DIR is not a directory, PT_EXIT_RUNTIME
 * otherwise, after a message. */
int pt_gate_lock(const char *dir, int *fd);
/* DIR/report.md, DIR/report.json, DIR/junit.xml: 0 or -1 (errno). */
int pt_gate_write_reports(const struct pt_gate *g);
/* KTAP version 1 to out: a subtest per scenario, a case per gated metric. */
void pt_gate_write_ktap(const struct pt_gate *g, FILE *out);

#endif
