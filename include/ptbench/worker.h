/* The worker interface: all a worker in bench/ sees of the rest of ptbench.
 * A worker type is one file in bench/ defining a `struct pt_worker_type`
 * plus one line in bench/workers.c; the runner does threads, pinning,
 * phases, timing storage and merging. A worker reads its options as a typed
 * struct (filled by the plan from its option table) and reaches its role
 * only through the accessors below: struct pt_role_run is the runner's. */
#ifndef PTBENCH_WORKER_H
#define PTBENCH_WORKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ptbench/clock.h"
#include "ptbench/hist.h"
#include "ptbench/json_get.h"
#include "ptbench/op_marker_abi.h"
#include "ptbench/options.h"

struct json_object;
struct pt_role_run;
struct pt_membind_sample;

#define PT_MAX_OPS 8
/* errno values fit below this (EHWPOISON is 133); larger ones count in the last slot */
#define PT_ERRNO_SLOTS 140

/* Per-interval aggregate for the timeline (latency over time). */
struct pt_tl_slot {
	uint64_t count, sum, max;
};

struct pt_thread {
	struct pt_role_run *rr;
	int index;                  /* thread number within the role */
	pid_t tid;
	int cpu;                    /* PU the thread was bound to, -1 if unbound */
	int cpu_seen_first, cpu_seen_last; /* sched_getcpu() at start and end */
	struct pt_hist *hist[PT_MAX_OPS];
	uint64_t errors[PT_MAX_OPS][PT_ERRNO_SLOTS];
	struct pt_tl_slot *timeline[PT_MAX_OPS];
	/* When the measured window began (pt_now_ns()); UINT64_MAX during
	 * warm-up. Timeline slot 0 starts there. */
	const _Atomic uint64_t *measure_from;
	/* Whether the iteration in progress counts: set by the runner before
	 * each run_once, true when the iteration began inside the measured
	 * window (doc/design.md, "The counting rule"). Only the owner reads it. */
	bool counting;
	size_t tl_slots, tl_cur;
	uint64_t tl_slot_end, tl_interval;
	uint64_t rng;               /* per-thread xorshift state, seeded from the role and index */
	void *priv;                 /* the worker's per-thread state */
	/* The op marker (op_marker_abi.h): which op the thread is in, for the
	 * BPF lock probes; pt_op_begin sets it, pt_record clears it. NULL: the
	 * thread marks nothing (a thread past PT_OP_MARK_SLOTS, a test). */
	volatile struct pt_op_mark *op_mark;
	/* placement evidence (the runner fills these) */
	char binding[64];           /* the CPU binding the kernel reports after pinning ("3", "0-15") */
	uint64_t cpu_samples, cpu_off; /* sched_getcpu() samples while running; off the planned PU */
	uint64_t cpu_sampled_mask[16]; /* CPUs (< 1024) the samples saw */
	struct pt_membind_sample *mb_sample; /* where sampled pages were (membind check) */
	/* Memory the membind check samples with move_pages() at the end of the
	 * run: a worker sets these in thread_init to its main region. */
	const void *mem_addr;
	size_t mem_len;
};

/* Results of a check: the worker can run, or the kernel/privileges cannot. */
enum pt_check { PT_CHECK_OK = 0, PT_CHECK_SKIP = 1, PT_CHECK_ERROR = 2 };

struct pt_worker_type {
	const char *name;
	const char *summary;                 /* one line for `ptbench list` */
	const struct pt_opt_def *opts;       /* the worker's own keys (PT_OPT_*_F), PT_OPT_END terminated */
	size_t opts_size;                    /* sizeof the typed struct the table fills */
	const char *const *ops;              /* op names, NULL terminated; index = op id */
	/* The op that is one unit of the role's work, one of ops (NULL only
	 * for a type without ops): compare's and plot's structural metrics
	 * divide the role's lock counts by its count (per_OP). Declared here
	 * and written into each role's result (workers.ROLE.unit_op), so that
	 * no reader keeps a table of worker types. */
	const char *unit_op;
	bool setup_only;                     /* no threads (vma-pad): threads defaults to 0 */
	/* Can this kernel/user run it, are the options consistent? Called once
	 * while the plan is built, before anything runs. PT_CHECK_SKIP: the
	 * kernel or privileges cannot (exit 4); PT_CHECK_ERROR: a bad option,
	 * with *bad_key set so the message names the key's file:line. */
	enum pt_check (*check)(const struct pt_worker_type *type, const void *opts, const char **bad_key,
			       char *why, size_t len);
	/* Bytes the role will map with this many threads (the plan refuses a
	 * run that would not fit in the memory available); NULL: negligible. */
	uint64_t (*mem_bytes)(const void *opts, int threads);
	/* Once per repeat, before threads start; rr->shared is the worker's. */
	int (*setup)(struct pt_role_run *rr, char *err, size_t len);
	/* On the worker thread, after pinning, before the start barrier. */
	int (*thread_init)(struct pt_thread *t, char *err, size_t len);
	/* One iteration: performs and records one or more ops. Non-zero stops the
	 * thread and fails the run (only for the unexpected: ops that fail with an
	 * errno are recorded with pt_record_error, not returned). */
	int (*run_once)(struct pt_thread *t);
	void (*thread_fini)(struct pt_thread *t);
	void (*teardown)(struct pt_role_run *rr);
	/* Worker-specific evidence (collapse proof, VMA counts) into the role's JSON. */
	void (*report)(struct pt_role_run *rr, struct json_object *role_json);
	/* Lines for the run summary, from the role's JSON (so a summary can be
	 * printed from a result file too); indented by two spaces. */
	void (*print_summary)(const char *role, struct json_object *role_json, FILE *out);
};

/* Mark the op the thread is in from t0 on, for the lock probes: every lock
 * event of the thread until its pt_record (or pt_op_end) counts for that op
 * too (probes.mmap_lock.roles.ROLE.ops.OP, doc/design.md). Plain stores to
 * the thread's own slot of a memory-mapped BPF array; the compiler fence
 * keeps them before the op's work (a page fault is a plain memory access
 * the compiler could otherwise move above them). Returns t0. */
static inline uint64_t pt_op_begin_at(struct pt_thread *t, int op, uint64_t t0)
{
	volatile struct pt_op_mark *m = t->op_mark;

	if (m) {
		m->since = t0;
		m->op = (uint32_t)op + 1; /* last: a reader that sees it sees since */
		atomic_signal_fence(memory_order_seq_cst);
	}
	return t0;
}

/* The usual start of a timed op: t0 = pt_op_begin(t, OP_X); ...;
 * t1 = pt_now_ns(); pt_record(t, OP_X, t0, t1). */
static inline uint64_t pt_op_begin(struct pt_thread *t, int op)
{
	return pt_op_begin_at(t, op, pt_now_ns());
}

/* The thread is in no op any more (pt_record does this too). */
static inline void pt_op_end(struct pt_thread *t)
{
	atomic_signal_fence(memory_order_seq_cst);
	if (t->op_mark)
		t->op_mark->op = 0;
}

/* Record one op that took t1 - t0 (both pt_now_ns()); the thread is in no
 * op from here (the marker is cleared, counted or not). */
static inline void pt_record(struct pt_thread *t, int op, uint64_t t0, uint64_t t1)
{
	uint64_t ns = t1 - t0;
	struct pt_tl_slot *s;

	pt_op_end(t);
	/* The counting rule: an op counts when the iteration it is part of
	 * began inside the measured window. The lock probes count every event
	 * of that window, which opens while no iteration is in flight and closes
	 * once the last counted one has ended, so the op's locks count exactly
	 * when the op does. Not its own t0 or t1: a lock event carries only a
	 * time and a task, and between two iterations is the only instant
	 * where every thread's lock events are known to be on one side. */
	if (!t->counting)
		return;
	pt_hist_record(t->hist[op], ns);
	if (t1 >= t->tl_slot_end) {
		/* the first measured sample: slot 0 starts where the window
		 * opened. Read only here: measure_from lies in the run's state,
		 * on another page than the thread's own, and every read after a
		 * system call may walk the page tables for it (doc/probes.md,
		 * "Harness cost") */
		if (!t->tl_slot_end)
			t->tl_slot_end = atomic_load_explicit(t->measure_from, memory_order_relaxed) +
					 t->tl_interval;
		/* advance to the slot holding t1; the last slot absorbs overrun */
		while (t1 >= t->tl_slot_end && t->tl_cur + 1 < t->tl_slots) {
			t->tl_cur++;
			t->tl_slot_end += t->tl_interval;
		}
	}
	s = &t->timeline[op][t->tl_cur];
	s->count++;
	s->sum += ns;
	if (ns > s->max)
		s->max = ns;
}

/* Count a failed op by errno (its latency is recorded with pt_record too, so
 * successes = count - sum(errors)). */
static inline void pt_record_error(struct pt_thread *t, int op, int err)
{
	if (!t->counting) /* its op was not recorded either */
		return;
	if (err < 0 || err >= PT_ERRNO_SLOTS)
		err = PT_ERRNO_SLOTS - 1;
	t->errors[op][err]++;
}

/* Whether the run wants the iteration in progress to end: the duration is
 * over or a signal came, or the warm-up is over (the window opens when every
 * thread is between iterations). A worker that waits inside an iteration
 * (pacing, polling) returns when this is true. */
bool pt_should_stop(const struct pt_thread *t);
/* Whether a stop signal arrived (for a long setup: stop early). */
bool pt_run_stopping(void);
/* Whether the iteration in progress counts (began in the measured window):
 * what pt_record decides by, for a worker's own counters. */
bool pt_measuring(const struct pt_thread *t);
/* Whether iterations run before the measured window (a warm-up): then the
 * thread's first iteration does not count, and one-off work done in it
 * (mmap-churn unplugging its hole) takes no lock inside the window. */
bool pt_thread_has_warmup(const struct pt_thread *t);

/* Cheap per-thread random numbers. */
static inline uint64_t pt_rand(struct pt_thread *t)
{
	uint64_t x = t->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	t->rng = x;
	return x;
}

/* The typed options struct of the role this thread belongs to. */
const void *pt_thread_opts(const struct pt_thread *t);
/* The role's shared state (what setup stored with pt_role_set_shared). */
void *pt_thread_shared(const struct pt_thread *t);

/* The role, from setup/teardown/report. */
const void *pt_role_opts(const struct pt_role_run *rr);
void *pt_role_shared(const struct pt_role_run *rr);
void pt_role_set_shared(struct pt_role_run *rr, void *shared);
const char *pt_role_name(const struct pt_role_run *rr);
const struct pt_worker_type *pt_role_type(const struct pt_role_run *rr);
int pt_role_nthreads(const struct pt_role_run *rr);

/* The worker list (bench/workers.c). */
extern const struct pt_worker_type *const pt_worker_types[];
const struct pt_worker_type *pt_worker_find(const char *name);

#endif
