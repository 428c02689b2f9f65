/* Probes observe a repeat from the side (tracefs, /proc/vmstat). Each lives
 * in src/probes/ and is listed in src/probes/probes.c. A probe that cannot run
 * says why and the run goes on. */
#ifndef PTBENCH_PROBE_H
#define PTBENCH_PROBE_H

#include <stdbool.h>
#include <stddef.h>
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

#endif
