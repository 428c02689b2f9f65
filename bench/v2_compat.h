/* TEMPORARY: the accessors of worker interface v2 (issue 10) written over the
 * current interface, so the catalogue workers are already in v2 style. This
 * file goes away when the v2 worker.h lands. */
#ifndef PTBENCH_BENCH_V2_COMPAT_H
#define PTBENCH_BENCH_V2_COMPAT_H

#include <stdatomic.h>

#include "ptbench/runner.h"
#include "ptbench/worker.h"

static inline bool pt_measuring(const struct pt_thread *t)
{
	return atomic_load_explicit(&t->rr->run->phase, memory_order_relaxed) == PT_PHASE_MEASURE;
}
static inline void *pt_thread_shared(const struct pt_thread *t) { return t->rr->shared; }
static inline void *pt_role_shared(const struct pt_role_run *rr) { return rr->shared; }
static inline void pt_role_set_shared(struct pt_role_run *rr, void *s) { rr->shared = s; }
static inline const char *pt_role_name(const struct pt_role_run *rr) { return rr->role->name; }
static inline int pt_role_nthreads(const struct pt_role_run *rr) { return rr->nthreads; }
static inline const struct pt_opts *pt_role_opts_v1(const struct pt_role_run *rr) { return &rr->role->opts; }

#endif
