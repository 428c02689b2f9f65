/* Roles that run in a child process (role key `process = NAME`): roles with
 * the same NAME share one child, created and reaped by the runner. Readers
 * name it as `target = process:NAME`. */
#ifndef PTBENCH_ROLE_PROCESS_H
#define PTBENCH_ROLE_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct pt_role_run;

#include "ptbench/target.h"

/* ---- for the runner (src/run/runner.c) and cmd_run ---- */
struct pt_run;
struct json_object;

/* The role's process NAME, or NULL when it runs in ptbench itself (always
 * NULL inside a role process). */
const char *pt_role_process(const struct pt_role_run *rr);
/* The repeat a child runs over its own roles: the runner's pt_run_repeat,
 * handed down so that the role processes need none of the runner's code. */
typedef int (*pt_procs_repeat_fn)(struct pt_run *run, struct json_object **rep_json);
/* At the start of a repeat (single-threaded): fork one child per NAME,
 * each running repeat over its roles. */
int pt_procs_fork(struct pt_run *run, pt_procs_repeat_fn repeat, char *err, size_t len);
/* The probes have started: the children may create their threads. */
void pt_procs_traced(struct pt_run *run);
/* Wait until every child's threads exist; copies their tids into the roles. */
int pt_procs_wait_ready(struct pt_run *run, char *err, size_t len);
/* Start their warm-up and measurement (with the parent's). */
void pt_procs_go(struct pt_run *run);
/* The window's edges (doc/design.md, "The counting rule"): wait until every
 * child's workers are paused between iterations; let them measure once the
 * window is open; wait until their last iterations have ended; let them
 * clean up once it is closed. */
void pt_procs_wait_paused(struct pt_run *run);
void pt_procs_open(struct pt_run *run);
void pt_procs_wait_drained(struct pt_run *run);
void pt_procs_close(struct pt_run *run);
/* After the parent's threads joined: wait for the children's results, reap. */
int pt_procs_collect(struct pt_run *run, char *err, size_t len);
/* The role's JSON as its process reported it (adds its timeline), or NULL
 * when the role runs in ptbench itself. */
struct json_object *pt_procs_role_json(struct pt_run *run, const struct pt_role_run *rr,
				       struct json_object *timeline);
/* Kill and reap every child left, free the state (every exit path). */
void pt_procs_kill(struct pt_run *run);

#endif
