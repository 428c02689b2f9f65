/* What a probe may read of the run (include/ptbench/probe.h): the roles and
 * their threads, the measured window, the lock probe backend. Probes get
 * these and nothing else, as workers get worker.h's accessors. */
#include "ptbench/probe.h"
#include "ptbench/run_state.h"

size_t pt_probe_nroles(const struct pt_run *run)
{
	return run->nroles;
}

const char *pt_probe_role_name(const struct pt_run *run, size_t r)
{
	return run->roles[r].role->name;
}

int pt_probe_role_nthreads(const struct pt_run *run, size_t r)
{
	return run->roles[r].role->threads;
}

int pt_probe_role_nops(const struct pt_run *run, size_t r)
{
	return run->roles[r].nops;
}

const char *pt_probe_role_op(const struct pt_run *run, size_t r, int op)
{
	return run->roles[r].role->type->ops[op];
}

int pt_probe_thread_tid(const struct pt_run *run, size_t r, int i)
{
	return run->roles[r].threads[i].tid;
}

int pt_probe_thread_cpu(const struct pt_run *run, size_t r, int i)
{
	return run->roles[r].role->cpus ? run->roles[r].role->cpus[i] : -1;
}

uint64_t pt_probe_t_measure(const struct pt_run *run)
{
	return run->t_measure;
}

uint64_t pt_probe_t_stop(const struct pt_run *run)
{
	return run->t_stop;
}

double pt_probe_window_s(const struct pt_run *run)
{
	return run->t_stop > run->t_measure ? (double)(run->t_stop - run->t_measure) / 1e9 : 0;
}

uint64_t pt_probe_warmup_ns(const struct pt_run *run)
{
	return run->plan->warmup_ns;
}

uint64_t pt_probe_duration_ns(const struct pt_run *run)
{
	return run->plan->duration_ns;
}

bool pt_probe_trace(const struct pt_run *run)
{
	return run->plan->trace;
}

int pt_probe_lock_backend(const struct pt_run *run)
{
	return (int)run->plan->lock_probe;
}

const char *pt_probe_lock_backend_from(const struct pt_run *run)
{
	return run->plan->lock_probe_from[0] ? run->plan->lock_probe_from : NULL;
}

bool pt_probe_ptlife_wanted(const struct pt_run *run)
{
	return run->plan->ptlife;
}

bool pt_probe_tail_on(const struct pt_run *run)
{
	return run->plan->tail;
}

uint64_t pt_probe_tail_threshold_ns(const struct pt_run *run)
{
	return run->plan->tail_threshold_ns;
}

uint64_t pt_probe_timeline_interval_ns(const struct pt_run *run)
{
	return run->plan->tl_interval_ns;
}
