/* The runner: one repeat of a plan (set up, start every thread on a
 * barrier, warm up, measure, stop, merge, report). The state it works on is
 * run_state.h's, shared with the role processes and the accessors that
 * workers (worker.h) and probes (probe.h) read it through. */
#ifndef PTBENCH_RUNNER_H
#define PTBENCH_RUNNER_H

#include <stdbool.h>

#include "ptbench/run_state.h"
#include "ptbench/stop_signal.h"

struct json_object;
struct pt_plan;
struct pt_probe;

/* The run of a plan (which must outlive it): a role run per planned role,
 * an instance of each of the NULL-terminated probes; progress: a line on
 * stderr while it runs. pt_run_free releases what this allocated. */
void pt_run_init(struct pt_run *run, const struct pt_plan *plan, const struct pt_probe *const *probes,
		 bool progress);
void pt_run_free(struct pt_run *run);

/* The role a tid belongs to, or NULL (probes map kernel tids to roles). */
const char *pt_run_role_of_tid(const struct pt_run *run, int tid);

/* One repeat: set up, run, merge; returns an exit code. rep_json receives
 * the repeat's JSON ("workers", "probes", "complete"). */
int pt_run_repeat(struct pt_run *run, struct json_object **rep_json);

/* Install SIGINT/SIGTERM/SIGHUP handlers that set pt_stop_signal. */
void pt_install_stop_handlers(void);

#endif
