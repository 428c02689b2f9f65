/* Probes observe a repeat from the side (tracefs, BPF, /proc/vmstat). Each
 * lives in src/probes/ and is listed in src/probes/probes.c. A probe that
 * cannot run says why and the run goes on. As workers see the run only
 * through worker.h, probes see it only through this header: struct pt_run
 * is opaque here, and the accessors below (src/run/probe_access.c) are what
 * a probe may read of it (tests/integration/house.t: no probe includes
 * runner.h). */
#ifndef PTBENCH_PROBE_H
#define PTBENCH_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json_object;
struct pt_run;

struct pt_probe {
	const char *name;
	const char *summary;
	bool is_trace;                     /* turned off by --no-trace */
	/* Before the worker threads exist. Returns 0, or -1 with why (unavailable). */
	int (*start)(struct pt_run *run, void **state, char *why, size_t len);
	/* Worker threads have registered their tids (pt_run_role_of_tid works). */
	void (*threads_ready)(void *state, struct pt_run *run);
	/* Every worker is between iterations at the end of the warm-up (not
	 * called without one); the window opens when this returns. */
	void (*paused)(void *state, struct pt_run *run);
	/* Warm-up is over: count from run->t_measure on. */
	void (*measure_begin)(void *state, struct pt_run *run);
	/* The window closed at run->t_stop: the last counted iteration has
	 * ended and the workers wait (their clean-up comes after). */
	void (*measure_end)(void *state, struct pt_run *run);
	/* After the threads joined. */
	void (*stop)(void *state, struct pt_run *run);
	/* The repeat's output, under repeats[k].probes.NAME. */
	struct json_object *(*result)(void *state, struct pt_run *run);
	/* Lines for the summary after the role table, from the probe's own
	 * result object (so the summary can be printed from a result file). */
	void (*print_summary)(struct json_object *probe_result, FILE *out);
	void (*destroy)(void *state);
};

extern const struct pt_probe *const pt_probes[];

/* The roles of the run, in plan order; a probe's group index for role r is
 * r, and pt_probe_nroles() is the group of every other task. */
size_t pt_probe_nroles(const struct pt_run *run);
const char *pt_probe_role_name(const struct pt_run *run, size_t r);
int pt_probe_role_nthreads(const struct pt_run *run, size_t r);
/* The ops of role r's worker type (index = op id, what a thread's op marker
 * holds), and their names. */
int pt_probe_role_nops(const struct pt_run *run, size_t r);
const char *pt_probe_role_op(const struct pt_run *run, size_t r, int op);
/* Thread i of role r: its kernel tid (after threads_ready) and its planned
 * CPU (-1 when unbound). */
int pt_probe_thread_tid(const struct pt_run *run, size_t r, int i);
int pt_probe_thread_cpu(const struct pt_run *run, size_t r, int i);
/* The measured window, pt_now_ns() clock: it opens at t_measure (valid from
 * measure_begin) and closes at t_stop (valid from measure_end). */
uint64_t pt_probe_t_measure(const struct pt_run *run);
uint64_t pt_probe_t_stop(const struct pt_run *run);
/* The window's length in seconds once closed (t_stop - t_measure), else 0. */
double pt_probe_window_s(const struct pt_run *run);
/* The scenario's nominal warm-up and duration. */
uint64_t pt_probe_warmup_ns(const struct pt_run *run);
uint64_t pt_probe_duration_ns(const struct pt_run *run);
/* The timeline's slot length (timeline_interval): the run's time resolution. */
uint64_t pt_probe_timeline_interval_ns(const struct pt_run *run);
/* false under --no-trace: tracing probes stay off. */
bool pt_probe_trace(const struct pt_run *run);
/* The lock probe backend asked for (enum pt_lock_probe, lock_probe.h) and
 * where the choice came from ("--lock-probe", the scenario, "the default"). */
int pt_probe_lock_backend(const struct pt_run *run);
const char *pt_probe_lock_backend_from(const struct pt_run *run);
/* Whether the scenario turned the page-table lifetime probe on (ptlife = true). */
bool pt_probe_ptlife_wanted(const struct pt_run *run);
/* The tail probe: whether it was asked for (tail_probe = true, --tail-threshold,
 * --folded), and the threshold above which it keeps an op's stacks. */
bool pt_probe_tail_on(const struct pt_run *run);
uint64_t pt_probe_tail_threshold_ns(const struct pt_run *run);

#endif
