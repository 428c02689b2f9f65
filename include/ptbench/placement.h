/* Where each worker thread runs and where its memory lives: applied on the
 * thread before the start barrier, sampled while it runs, reported per role
 * under repeats[k].workers.ROLE.placement and .membind. */
#ifndef PTBENCH_PLACEMENT_H
#define PTBENCH_PLACEMENT_H

#include <sched.h> /* sched_getcpu(): includers define _GNU_SOURCE */
#include <stddef.h>

#include "ptbench/worker.h"

struct json_object;

/* On the worker thread: bind to t->cpu, read the binding back, set the role's
 * memory policy and check it on a probe buffer. Returns 0, or -1 with err. */
int pt_placement_thread_start(struct pt_thread *t, char *err, size_t len);
/* On the worker thread after its last op: sample the worker's memory. */
void pt_placement_thread_end(struct pt_thread *t);
/* Add "placement" and "membind" to the role's JSON. */
void pt_placement_role_json(struct pt_role_run *rr, struct json_object *role_json);
/* Whether a role ran where the plan put it, from its JSON (a thread or a
 * process role alike): -1 with why naming the role, the thread and where it
 * ran (or where its pages were) when a pinned thread was sampled off its
 * PU or a sampled page sat on a node its membind does not allow; else 0. */
int pt_placement_check(const char *role, struct json_object *role_json, char *why, size_t len);

/* One sched_getcpu() sample: where the thread really is. */
static inline void pt_placement_sample_cpu(struct pt_thread *t)
{
	int c = sched_getcpu();

	t->cpu_samples++;
	if (t->cpu >= 0 && c != t->cpu)
		t->cpu_off++;
	if (c >= 0 && c < 1024)
		t->cpu_sampled_mask[c / 64] |= 1ULL << (c % 64);
}

#endif
