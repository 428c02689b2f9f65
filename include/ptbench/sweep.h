/* Scaling sweeps: one run of the scenario per thread count of one role
 * (threads = 1,2,4,...,max in the file, or --sweep ROLE.threads=LIST). Each
 * point is an ordinary, complete result file with a top-level
 * "sweep": {"param": "ROLE.threads", "value": N, "index": i, "of": n}. */
#ifndef PTBENCH_SWEEP_H
#define PTBENCH_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct json_object;
struct pt_scenario;

#define PT_SWEEP_MAX 64

struct pt_sweep {
	size_t role;                 /* index of the swept role */
	char param[160];             /* "ROLE.threads" */
	int values[PT_SWEEP_MAX];
	int n;
};

/* Whether a threads value is a sweep list rather than one count: it has a
 * comma, "..." or "max". */
bool pt_sweep_is_list(const char *text);
/* "1,2,4,...,max" -> values. "max" is max (the PUs this process may use);
 * "..." doubles the value before it until the value after it (exclusive).
 * A list with "max" stops at max: values above it are dropped, so
 * "1,2,4,...,max" is 1,2 on a 2-PU box; without "max" values run as given.
 * Values must be 1..4096 and increasing. Returns the count, or -1 with err. */
int pt_sweep_parse_values(const char *text, int max, int *out, int cap, char *err, size_t len);
/* Find the sweep of a scenario: the --sweep argument (NULL if none) wins over
 * a list in a role's threads. Returns 1 (a sweep, *sw filled), 0 (none; when
 * a list came down to one count, sw->n == 1 holds it) or -1 after printing
 * why. The plan takes each point's thread count from sw (pt_plan_build). */
int pt_sweep_setup(const struct pt_scenario *sc, const char *arg, int max, struct pt_sweep *sw);
/* Where point i's result goes: OUT.json -> OUT.threads-N.json (OUT without
 * .json: OUT.threads-N). malloc'd. */
char *pt_sweep_point_path(const char *out, int value);
/* The "sweep" object of point i. */
struct json_object *pt_sweep_json(const struct pt_sweep *sw, int i);
/* threads vs p50/p99 of the headline ops (medians over repeats), one row per
 * point that ran; docs[i] may be NULL. */
void pt_sweep_print_table(const struct pt_sweep *sw, struct json_object **docs, int n, FILE *out);

#endif
