/* The counting rule, end to end through the runner: a synthetic worker whose
 * iterations take synthetic mmap_lock write locks (4 per op), a synthetic
 * probe that pairs them as the tracefs backend does (mmap_lock_pair.c) over
 * the window the runner gives the probes (measure_begin: t_measure,
 * measure_end: t_stop). One thread makes an iteration straddle each edge:
 * the first begins in the warm-up and takes half its locks after the warm-up
 * is over; one begun in the measured window takes half its locks after the
 * window's nominal end. Another thread runs short iterations throughout, and
 * thread_fini takes a lock too (clean-up, never counted). The rule holds when
 * the window's locks are exactly 4 per counted op: the straddlers count
 * together with their locks, or neither does. */
#define _GNU_SOURCE
#include <json-c/json.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ptbench/clock.h"
#include "ptbench/hist.h"
#include "ptbench/mmap_lock_pair.h"
#include "ptbench/plan.h"
#include "ptbench/probe.h"
#include "ptbench/runner.h"
#include "ptbench/topo.h"
#include "ptbench/worker.h"
#include "tap.h"

#define LOCKS_PER_OP 4
#define MAX_EVENTS 200000
#define MM 0xffff888100000000ull

static struct pt_ml_event events[MAX_EVENTS];
static size_t nevents;
static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;

/* what the straddling thread saw */
static uint64_t first_lock, first_end;       /* the warm-up straddler's first lock and its end */
static uint64_t last_begin, last_end;        /* the end straddler's begin and end */
static _Atomic int straddled_start, straddled_end;
/* the window as the probe was told it */
static uint64_t win_lo = UINT64_MAX, win_hi = UINT64_MAX;
static int end_calls;
static int tids[2]; /* the workers' (the runner frees its threads at the end) */

static void emit(int tid, int type)
{
	pthread_mutex_lock(&ev_lock);
	if (nevents < MAX_EVENTS)
		events[nevents++] = (struct pt_ml_event){ .ts = pt_now_ns(), .mm = MM, .tid = tid,
							  .type = (uint8_t)type, .write = 1, .success = 1 };
	pthread_mutex_unlock(&ev_lock);
}

/* one mmap_write_lock() ... mmap_write_unlock() */
static void write_lock(const struct pt_thread *t)
{
	emit(t->tid, PT_ML_START);
	emit(t->tid, PT_ML_ACQUIRE);
	emit(t->tid, PT_ML_RELEASE);
}

static int phase(const struct pt_thread *t)
{
	return atomic_load(&t->rr->run->phase);
}

static void nap(long ns)
{
	struct timespec ts = { 0, ns };

	nanosleep(&ts, NULL);
}

/* half the locks, wait while the phase is still ph, the other half */
static void straddle(struct pt_thread *t, int ph)
{
	for (int i = 0; i < LOCKS_PER_OP / 2; i++)
		write_lock(t);
	while (phase(t) == ph)
		nap(200000);
	nap(2000000); /* well past the phase change: the old rule had moved its window edge by then */
	for (int i = 0; i < LOCKS_PER_OP / 2; i++)
		write_lock(t);
}

static int edge_run_once(struct pt_thread *t)
{
	int ph = phase(t);
	uint64_t t0 = pt_now_ns();

	tids[t->index] = t->tid;

	if (t->index == 0 && ph == PT_PHASE_WARMUP && !straddled_start) {
		first_lock = t0;
		straddle(t, PT_PHASE_WARMUP);
		first_end = pt_now_ns();
		straddled_start = 1;
	} else if (t->index == 0 && ph == PT_PHASE_MEASURE && !straddled_end) {
		last_begin = t0;
		straddle(t, PT_PHASE_MEASURE);
		last_end = pt_now_ns();
		straddled_end = 1;
	} else {
		for (int i = 0; i < LOCKS_PER_OP; i++)
			write_lock(t);
		nap(100000);
	}
	pt_record(t, 0, t0, pt_now_ns());
	return 0;
}

static void edge_thread_fini(struct pt_thread *t)
{
	write_lock(t); /* a munmap in clean-up */
}

static const char *const edge_ops[] = { "op", NULL };

static const struct pt_worker_type edge_type = {
	.name = "edge",
	.summary = "synthetic: 4 write locks per op",
	.ops = edge_ops,
	.run_once = edge_run_once,
	.thread_fini = edge_thread_fini,
};

static int probe_start(struct pt_run *run, void **state, char *why, size_t len)
{
	(void)run;
	(void)why;
	(void)len;
	*state = NULL;
	return 0;
}

static void probe_begin(void *state, struct pt_run *run)
{
	(void)state;
	win_lo = run->t_measure;
}

static void probe_end(void *state, struct pt_run *run)
{
	(void)state;
	win_hi = run->t_stop;
	end_calls++;
}

static const struct pt_probe window_probe = {
	.name = "window",
	.summary = "synthetic: records the window",
	.start = probe_start,
	.measure_begin = probe_begin,
	.measure_end = probe_end,
};

static int by_ts(const void *a, const void *b)
{
	const struct pt_ml_event *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

int main(void)
{
	struct pt_plan plan = { .name = "window", .repeat = 1, .warmup_ns = 20000000ull, .duration_ns = 40000000ull,
				.tl_interval_ns = 10000000ull };
	int cpus[2] = { -1, -1 }; /* unbound */
	struct pt_plan_role role = { .name = "edger", .type = &edge_type, .threads = 2, .cpus = cpus, .cpus_spec = "" };
	struct pt_probe_inst probe = { .probe = &window_probe };
	struct pt_run run;
	struct json_object *rep = NULL, *op;
	struct pt_ml_pair *pair = pt_ml_pair_new(1);
	const struct pt_ml_stats *st;
	double ops, measured, rate;
	int rc;

	memset(&run, 0, sizeof(run));
	plan.roles = &role;
	plan.nroles = 1;
	run.plan = &plan;
	run.roles = calloc(1, sizeof(*run.roles));
	run.roles[0].run = &run;
	run.roles[0].role = &role;
	run.roles[0].nops = 1;
	run.nroles = 1;
	run.probes = &probe;
	run.nprobes = 1;

	/* the plan loads the topology on the main thread; its lazy load is not
	 * for threads racing to do it first (the workers bind through it) */
	pt_topo_try();
	rc = pt_run_repeat(&run, &rep);
	tap_ok(rc == 0 && rep, "the repeat ran (rc %d)", rc);
	if (!rep)
		return tap_done();
	tap_ok(straddled_start && first_lock < run.t_start + plan.warmup_ns && first_end > run.t_start + plan.warmup_ns,
	       "an iteration began in the warm-up and took locks after it ended");
	tap_ok(first_end <= run.t_measure,
	       "the window opened after it ended (%.3f ms later): no iteration in flight",
	       ((double)run.t_measure - (double)first_end) / 1e6);
	tap_ok(straddled_end && last_begin >= run.t_measure && last_begin < run.t_end && last_end > run.t_end,
	       "an iteration began in the window and took locks after its nominal end");
	tap_ok(end_calls == 1 && win_lo == run.t_measure && win_hi == run.t_stop && last_end <= win_hi,
	       "the window closed once, after it ended (%.3f ms past the nominal end)",
	       ((double)win_hi - (double)run.t_end) / 1e6);

	/* pair the locks as the tracefs probe does, over the probe's window */
	qsort(events, nevents, sizeof(events[0]), by_ts);
	pt_ml_pair_map_tid(pair, tids[0], 0);
	pt_ml_pair_map_tid(pair, tids[1], 0);
	pt_ml_pair_set_lo(pair, win_lo);
	pt_ml_pair_set_hi(pair, win_hi);
	for (size_t i = 0; i < nevents; i++)
		pt_ml_pair_feed(pair, &events[i]);
	st = pt_ml_pair_role(pair, 0);
	op = get(get(get(get(rep, "workers"), "edger"), "ops"), "op");
	ops = json_object_get_double(get(op, "count"));
	rate = json_object_get_double(get(op, "ops_per_sec"));
	measured = json_object_get_double(get(rep, "measured_s"));
	tap_ok(ops > 2, "ops counted: %.0f", ops);
	tap_ok(st->wait[PT_ML_WRITE]->count == (uint64_t)ops * LOCKS_PER_OP,
	       "write locks in the window = %d per counted op: %llu for %.0f ops", LOCKS_PER_OP,
	       (unsigned long long)st->wait[PT_ML_WRITE]->count, ops);
	tap_ok(st->unmatched == 0 && pt_ml_pair_open(pair) == 0, "every lock paired, none left open");
	tap_ok(measured > 0 && measured * 1e9 > (double)(run.t_stop - run.t_measure) - 1 &&
		       measured * 1e9 < (double)(run.t_stop - run.t_measure) + 1,
	       "measured_s is the window's length, its drain included: %.6f s", measured);
	tap_ok(rate > 0 && rate * measured > ops - 0.5 && rate * measured < ops + 0.5,
	       "ops_per_sec uses the same length: %.1f/s", rate);
	json_object_put(rep);
	pt_ml_pair_free(pair);
	free(run.roles);
	pt_topo_cleanup();
	return tap_done();
}
