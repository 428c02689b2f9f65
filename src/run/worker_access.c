/* What a worker may read of the run (include/ptbench/worker.h): its phase,
 * its role's typed options and shared state, the role's name, type and
 * thread count. Workers get these and nothing else, as probes get
 * probe_access.c's; they live apart from the runner so that bench/ calls
 * nothing of the runner's code, only these views of its state. */
#include <stdatomic.h>

#include "ptbench/plan.h"
#include "ptbench/run_state.h"
#include "ptbench/stop_signal.h"
#include "ptbench/worker.h"

bool pt_should_stop(const struct pt_thread *t)
{
	int ph = atomic_load_explicit(&t->rr->run->phase, memory_order_relaxed);

	return ph == PT_PHASE_STOP || ph == PT_PHASE_PAUSE;
}

bool pt_run_stopping(void)
{
	return pt_stop_signal != 0;
}

bool pt_measuring(const struct pt_thread *t)
{
	return t->counting;
}

bool pt_thread_has_warmup(const struct pt_thread *t)
{
	/* no plan: driven by a bench harness, which counts from the start */
	return t->rr->run->plan && t->rr->run->plan->warmup_ns > 0;
}

const void *pt_thread_opts(const struct pt_thread *t)
{
	return t->rr->role->opts;
}

void *pt_thread_shared(const struct pt_thread *t)
{
	return t->rr->shared;
}

const void *pt_role_opts(const struct pt_role_run *rr)
{
	return rr->role->opts;
}

void *pt_role_shared(const struct pt_role_run *rr)
{
	return rr->shared;
}

void pt_role_set_shared(struct pt_role_run *rr, void *shared)
{
	rr->shared = shared;
}

const char *pt_role_name(const struct pt_role_run *rr)
{
	return rr->role->name;
}

const struct pt_worker_type *pt_role_type(const struct pt_role_run *rr)
{
	return rr->role->type;
}

int pt_role_nthreads(const struct pt_role_run *rr)
{
	return rr->role->threads;
}
