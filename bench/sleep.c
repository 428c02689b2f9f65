/* sleep: a worker whose ops wait in a known kernel path, so that the tail
 * probe can be checked against it (tests/integration/tail.t) and its cost
 * measured on a loop without slow ops (tests/perf/tail_overhead.sh). Each
 * iteration is one op: `sleep` (nanosleep() for `sleep`, in the kernel
 * hrtimer_nanosleep -> do_nanosleep -> schedule) once every `sleep_every`
 * iterations, `nap` (nanosleep() for `nap`; 0: no system call at all, an
 * op that never leaves the CPU: even nanosleep(0) does) otherwise. Not a
 * page-table workload. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "ptbench/clock.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"

enum { OP_NAP, OP_SLEEP };

static const char *const sleep_ops[] = { "nap", "sleep", NULL };

struct sleep_opts {
	long long nap, sleep, every;
};

static const struct pt_opt_def sleep_opt_defs[] = {
	PT_OPT_DURATION_F("nap", struct sleep_opts, nap, "20us", 0, 1000000000LL,
			  "nanosleep() of a nap op (0: no system call)"),
	PT_OPT_DURATION_F("sleep", struct sleep_opts, sleep, "5ms", 0, 1000000000LL, "nanosleep() of a sleep op"),
	PT_OPT_INT_F("sleep_every", struct sleep_opts, every, "10", 0, 1000000000LL,
		     "one sleep op every N iterations, naps otherwise (0: naps only)"),
	PT_OPT_END,
};

struct sleep_thread {
	long long n;
};

static int sleep_thread_init(struct pt_thread *t, char *err, size_t len)
{
	(void)err;
	(void)len;
	t->priv = pt_xcalloc(1, sizeof(struct sleep_thread));
	return 0;
}

static void sleep_thread_fini(struct pt_thread *t)
{
	free(t->priv);
	t->priv = NULL;
}

static int nsleep(long long ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL) };

	while (nanosleep(&ts, &ts))
		if (errno != EINTR)
			return errno;
	return 0;
}

static int sleep_run_once(struct pt_thread *t)
{
	const struct sleep_opts *o = pt_thread_opts(t);
	struct sleep_thread *st = t->priv;
	/* the first iteration sleeps, then one in every */
	int op = o->every && st->n++ % o->every == 0 ? OP_SLEEP : OP_NAP;
	uint64_t t0 = pt_op_begin(t, op), t1;
	long long ns = op == OP_SLEEP ? o->sleep : o->nap;
	int rc = ns ? nsleep(ns) : 0;

	t1 = pt_now_ns();
	pt_record(t, op, t0, t1);
	if (rc)
		pt_record_error(t, op, rc);
	return 0;
}

const struct pt_worker_type pt_worker_sleep = {
	.name = "sleep",
	.summary = "nanosleep() ops (nap, and every Nth a longer sleep): a known slow op for the tail probe's tests",
	.opts = sleep_opt_defs,
	.opts_size = sizeof(struct sleep_opts),
	.ops = sleep_ops,
	.unit_op = "nap",
	.thread_init = sleep_thread_init,
	.run_once = sleep_run_once,
	.thread_fini = sleep_thread_fini,
};
