/* One repeat of a plan: set the roles up, start every thread on a barrier,
 * warm up, measure, stop, merge, report. pt_run_repeat reads as those
 * steps, one function each. */
#define _GNU_SOURCE
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "ptbench/clock.h"
#include "ptbench/exitcodes.h"
#include "ptbench/machine_state.h"
#include "ptbench/membind.h"
#include "ptbench/op_marker.h"
#include "ptbench/placement.h"
#include "ptbench/probe.h"
#include "ptbench/result.h"
#include "ptbench/role_process.h"
#include "ptbench/runner.h"
#include "ptbench/sysfs_settings.h"
#include "ptbench/topo.h"
#include "ptbench/util.h"

/* A crash must still give the machine its THP settings back, and then
 * clear the records of what it put back (the tracefs probe's handler,
 * called before this one, unmounted its tracefs). */
static void on_fatal(int sig)
{
	pt_sysfs_restore_all();
	pt_state_fatal_commit();
	signal(sig, SIG_DFL);
	raise(sig);
}

void pt_install_stop_handlers(void)
{
	static const int fatal_sigs[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGQUIT };

	pt_stop_signal_catch();
	pt_catch_signals(fatal_sigs, PT_ARRAY_SIZE(fatal_sigs), on_fatal, SA_RESETHAND, NULL);
}

void pt_run_init(struct pt_run *run, const struct pt_plan *plan, const struct pt_probe *const *probes,
		 bool progress)
{
	memset(run, 0, sizeof(*run));
	run->plan = plan;
	run->progress = progress;
	run->nroles = plan->nroles;
	run->roles = pt_xcalloc(plan->nroles ? plan->nroles : 1, sizeof(*run->roles));
	for (size_t r = 0; r < plan->nroles; r++) {
		const struct pt_plan_role *pr = &plan->roles[r];

		run->roles[r].run = run;
		run->roles[r].role = pr;
		while (pr->type->ops && pr->type->ops[run->roles[r].nops])
			run->roles[r].nops++;
	}
	while (probes && probes[run->nprobes])
		run->nprobes++;
	run->probes = pt_xcalloc(run->nprobes ? run->nprobes : 1, sizeof(*run->probes));
	for (size_t i = 0; i < run->nprobes; i++)
		run->probes[i].probe = probes[i];
}

void pt_run_free(struct pt_run *run)
{
	free(run->roles);
	free(run->probes);
	run->roles = NULL;
	run->probes = NULL;
}

const char *pt_run_role_of_tid(const struct pt_run *run, int tid)
{
	for (size_t r = 0; r < run->nroles; r++)
		for (int i = 0; i < run->roles[r].role->threads; i++)
			if (run->roles[r].threads[i].tid == tid)
				return run->roles[r].role->name;
	return NULL;
}

/* Wake the main thread where it sleeps (sleep_until). */
static void wake_main(struct pt_run *run)
{
	uint64_t one = 1;

	if (run->wake_fd >= 0)
		(void)!write(run->wake_fd, &one, sizeof(one));
}

static void fail_run(struct pt_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail_run(struct pt_run *run, const char *fmt, ...)
{
	int expected = 0;
	va_list ap;

	/* the first failure is the one worth reporting */
	if (!atomic_compare_exchange_strong(&run->failed, &expected, 1))
		return;
	va_start(ap, fmt);
	vsnprintf(run->fail_msg, sizeof(run->fail_msg), fmt, ap);
	va_end(ap);
	wake_main(run);
}

/* Wait under gate_lock until the runner lets the phase move on or closes
 * the window; the count the runner waits for goes up first, and the main
 * thread is woken for it through its eventfd (wait_workers), not through
 * gate_cond, which would wake every worker waiting here too. */
static void gate_wait(struct pt_run *run, int *count, bool (*done)(struct pt_run *run))
{
	pthread_mutex_lock(&run->gate_lock);
	(*count)++;
	if (run->wake_fd >= 0)
		wake_main(run);
	else
		pthread_cond_broadcast(&run->gate_cond);
	while (!done(run))
		pthread_cond_wait(&run->gate_cond, &run->gate_lock);
	pthread_mutex_unlock(&run->gate_lock);
}

static bool pause_over(struct pt_run *run)
{
	return atomic_load(&run->phase) != PT_PHASE_PAUSE;
}

static bool window_closed(struct pt_run *run)
{
	return run->closed;
}

static void *thread_main(void *arg)
{
	struct pt_thread *t = arg;
	struct pt_role_run *rr = t->rr;
	struct pt_run *run = rr->run;
	const struct pt_worker_type *type = rr->role->type;
	char err[256] = "";
	unsigned iter = 0;

	t->tid = gettid();
	if (pt_placement_thread_start(t, err, sizeof(err)))
		fail_run(run, "[worker %s]: %s", rr->role->name, err);
	t->cpu_seen_first = sched_getcpu();
	if (!run->failed && type->thread_init && type->thread_init(t, err, sizeof(err)))
		fail_run(run, "[worker %s]: %s", rr->role->name, err);
	/* registered: tid known, memory set up; then wait for go */
	pthread_mutex_lock(&run->gate_lock);
	run->registered++;
	pthread_cond_broadcast(&run->gate_cond);
	while (!run->go)
		pthread_cond_wait(&run->gate_cond, &run->gate_lock);
	pthread_mutex_unlock(&run->gate_lock);
	while (!run->failed) {
		int ph = atomic_load_explicit(&run->phase, memory_order_acquire);

		if (ph == PT_PHASE_STOP)
			break;
		if (ph == PT_PHASE_PAUSE) {
			/* the window opens while this thread waits here, between
			 * two iterations; the runner always moves the phase on */
			gate_wait(run, &run->paused, pause_over);
			continue;
		}
		/* the phase read here decides for the whole iteration */
		t->counting = ph == PT_PHASE_MEASURE;
		if ((++iter & 63) == 0)
			pt_placement_sample_cpu(t);
		if (type->run_once(t)) {
			fail_run(run, "[worker %s]: stopped on an unexpected error: %s",
				 rr->role->name, strerror(errno));
			break;
		}
	}
	t->counting = false;
	/* the last iteration has ended; what follows (the placement check's
	 * move_pages, thread_fini's munmap) takes locks outside the window */
	gate_wait(run, &run->drained, window_closed);
	t->cpu_seen_last = sched_getcpu();
	pt_placement_thread_end(t);
	if (type->thread_fini)
		type->thread_fini(t);
	return NULL;
}

static void alloc_thread(struct pt_role_run *rr, struct pt_thread *t, int index, int cpu)
{
	struct pt_run *run = rr->run;

	memset(t, 0, sizeof(*t));
	t->rr = rr;
	t->index = index;
	t->cpu = cpu;
	t->rng = 0x9E3779B97F4A7C15ull ^ ((uint64_t)(index + 1) * 0xBF58476D1CE4E5B9ull) ^
		 (uint64_t)(run->repeat + 1);
	t->tl_interval = run->plan->tl_interval_ns;
	t->measure_from = &run->measure_from;
	t->tl_slots = run->plan->duration_ns / run->plan->tl_interval_ns + 2;
	t->mb_sample = pt_xcalloc(1, sizeof(*t->mb_sample));
	for (int op = 0; op < rr->nops; op++) {
		t->hist[op] = pt_hist_new();
		t->timeline[op] = pt_xcalloc(t->tl_slots, sizeof(struct pt_tl_slot));
	}
}

static void free_threads(struct pt_role_run *rr)
{
	for (int i = 0; i < rr->role->threads; i++) {
		for (int op = 0; op < rr->nops; op++) {
			free(rr->threads[i].hist[op]);
			free(rr->threads[i].timeline[op]);
		}
		free(rr->threads[i].mb_sample);
	}
	free(rr->threads);
	free(rr->pthreads);
	rr->threads = NULL;
	rr->pthreads = NULL;
	for (int op = 0; op < rr->nops; op++) {
		free(rr->merged[op]);
		rr->merged[op] = NULL;
	}
}

static struct json_object *errors_json(const uint64_t *errors)
{
	struct json_object *o = json_object_new_object();

	for (int e = 0; e < PT_ERRNO_SLOTS; e++) {
		const char *name;
		char buf[32];

		if (!errors[e])
			continue;
		name = e == PT_ERRNO_SLOTS - 1 ? NULL : strerrorname_np(e);
		if (!name) {
			snprintf(buf, sizeof(buf), "errno_%d", e);
			name = buf;
		}
		json_object_object_add(o, name, json_object_new_int64((int64_t)errors[e]));
	}
	return o;
}

/* Merge every thread's timeline for one op: count, mean and max per slot. */
static struct json_object *timeline_json(struct pt_role_run *rr, int op, uint64_t interval)
{
	struct json_object *o = json_object_new_object();
	struct json_object *cnt = json_object_new_array(), *mean = json_object_new_array(),
			   *max = json_object_new_array();
	size_t slots = rr->role->threads ? rr->threads[0].tl_slots : 0, last = 0;

	for (int i = 0; i < rr->role->threads; i++)
		if (rr->threads[i].tl_cur + 1 > last)
			last = rr->threads[i].tl_cur + 1;
	if (last > slots)
		last = slots;
	for (size_t s = 0; s < last; s++) {
		uint64_t c = 0, sum = 0, mx = 0;

		for (int i = 0; i < rr->role->threads; i++) {
			const struct pt_tl_slot *sl = &rr->threads[i].timeline[op][s];

			c += sl->count;
			sum += sl->sum;
			if (sl->max > mx)
				mx = sl->max;
		}
		json_object_array_add(cnt, json_object_new_int64((int64_t)c));
		json_object_array_add(mean, json_object_new_int64(c ? (int64_t)(sum / c) : 0));
		json_object_array_add(max, json_object_new_int64((int64_t)mx));
	}
	json_object_object_add(o, "interval_ns", json_object_new_int64((int64_t)interval));
	json_object_object_add(o, "count", cnt);
	json_object_object_add(o, "mean_ns", mean);
	json_object_object_add(o, "max_ns", max);
	return o;
}

static struct json_object *role_json(struct pt_role_run *rr, double seconds,
				     struct json_object *timeline)
{
	struct json_object *o = json_object_new_object(), *ops = json_object_new_object();
	struct json_object *cpus = json_object_new_array(), *seen = json_object_new_array();
	struct json_object *tl = json_object_new_object();
	const struct pt_worker_type *type = rr->role->type;

	json_object_object_add(o, "type", json_object_new_string(type->name));
	json_object_object_add(o, "threads", json_object_new_int(rr->role->threads));
	for (int i = 0; i < rr->role->threads; i++) {
		struct json_object *pair = json_object_new_array();

		json_object_array_add(cpus, json_object_new_int(rr->threads[i].cpu));
		json_object_array_add(pair, json_object_new_int(rr->threads[i].cpu_seen_first));
		json_object_array_add(pair, json_object_new_int(rr->threads[i].cpu_seen_last));
		json_object_array_add(seen, pair);
	}
	json_object_object_add(o, "cpus", cpus);
	json_object_object_add(o, "cpus_seen", seen);
	pt_placement_role_json(rr, o);
	for (int op = 0; op < rr->nops; op++) {
		struct json_object *oj;

		if (!rr->role->threads)
			break;
		oj = pt_hist_to_json(rr->merged[op], seconds);
		json_object_object_add(oj, "errors", errors_json(rr->merged_errors[op]));
		json_object_object_add(ops, type->ops[op], oj);
		json_object_object_add(tl, type->ops[op],
				       timeline_json(rr, op, rr->run->plan->tl_interval_ns));
	}
	json_object_object_add(o, "ops", ops);
	/* only beside the ops it names: a role without threads has none, and
	 * the reader refuses a unit_op that names no op of its role */
	if (rr->role->threads && type->unit_op)
		json_object_object_add(o, "unit_op", json_object_new_string(type->unit_op));
	if (rr->role->threads)
		json_object_object_add(timeline, rr->role->name, tl);
	else
		json_object_put(tl);
	if (type->report)
		type->report(rr, o);
	return o;
}

static void merge_role(struct pt_role_run *rr)
{
	for (int op = 0; op < rr->nops; op++) {
		rr->merged[op] = pt_hist_new();
		memset(rr->merged_errors[op], 0, sizeof(rr->merged_errors[op]));
		for (int i = 0; i < rr->role->threads; i++) {
			pt_hist_merge(rr->merged[op], rr->threads[i].hist[op]);
			for (int e = 0; e < PT_ERRNO_SLOTS; e++)
				rr->merged_errors[op][e] += rr->threads[i].errors[op][e];
		}
	}
}

/* Sleep until the deadline, a stop signal or a failed run, whichever comes
 * first: one wake-up for the whole window (a 100 ms poll was ~10 context
 * switches a second on the main thread), woken early through
 * run->wake_fd, which fail_run and the stop signal's handler write to. With
 * the progress line, every 500 ms for it. */
static void sleep_until(uint64_t deadline, struct pt_run *run, const char *what, uint64_t from)
{
	uint64_t last_progress = 0;

	for (;;) {
		uint64_t now = pt_now_ns(), left, drain;
		struct pollfd pfd = { .fd = run->wake_fd, .events = POLLIN };
		struct timespec ts;

		if (now >= deadline || pt_stop_signal || run->failed)
			return;
		left = deadline - now;
		if (run->progress) {
			if (now - last_progress >= 500000000ull) {
				fprintf(stderr, "\r[repeat %d/%lld] %s %5.1f/%.1fs ", run->repeat + 1,
					(long long)run->plan->repeat, what, (double)(now - from) / 1e9,
					(double)(deadline - from) / 1e9);
				last_progress = now;
			}
			if (left > 500000000ull)
				left = 500000000ull;
		}
		ts.tv_sec = (time_t)(left / 1000000000ull);
		ts.tv_nsec = (long)(left % 1000000000ull);
		/* no eventfd (it could not be made): a plain sleep, which the
		 * stop signal still interrupts on this thread */
		if (run->wake_fd < 0) {
			if (ts.tv_sec || ts.tv_nsec > 100000000L) {
				ts.tv_sec = 0;
				ts.tv_nsec = 100000000L;
			}
			nanosleep(&ts, NULL);
		} else if (ppoll(&pfd, 1, &ts, NULL) > 0) {
			(void)!read(run->wake_fd, &drain, sizeof(drain));
		}
	}
}

static void start_probes(struct pt_run *run)
{
	for (size_t i = 0; i < run->nprobes; i++) {
		struct pt_probe_inst *p = &run->probes[i];

		p->state = NULL;
		p->why[0] = '\0';
		if (p->probe->is_trace && !run->plan->trace) {
			p->available = false;
			snprintf(p->why, sizeof(p->why), "turned off with --no-trace");
			continue;
		}
		p->available = p->probe->start(run, &p->state, p->why, sizeof(p->why)) == 0;
	}
}

#define FOR_AVAILABLE_PROBES(run, p)                                                       \
	for (struct pt_probe_inst *p = (run)->probes; p < (run)->probes + (run)->nprobes; p++) \
		if (p->available)

static struct json_object *finish_probes(struct pt_run *run)
{
	struct json_object *o = json_object_new_object();

	for (size_t i = 0; i < run->nprobes; i++) {
		struct pt_probe_inst *p = &run->probes[i];
		struct json_object *pj = NULL;

		if (p->available && p->probe->result)
			pj = p->probe->result(p->state, run);
		if (!pj)
			pj = json_object_new_object();
		if (!json_object_object_get_ex(pj, "available", NULL))
			json_object_object_add(pj, "available", json_object_new_boolean(p->available));
		if (!p->available)
			json_object_object_add(pj, "why", json_object_new_string(p->why));
		json_object_object_add(o, p->probe->name, pj);
	}
	return o;
}

static void open_gate(struct pt_run *run)
{
	pthread_mutex_lock(&run->gate_lock);
	run->go = true;
	pthread_cond_broadcast(&run->gate_cond);
	pthread_mutex_unlock(&run->gate_lock);
}

/* Move the phase on and wake the workers waiting at a gate for it. */
static void set_phase(struct pt_run *run, int phase)
{
	pthread_mutex_lock(&run->gate_lock);
	atomic_store(&run->phase, phase);
	pthread_cond_broadcast(&run->gate_cond);
	pthread_mutex_unlock(&run->gate_lock);
}

/* Close the window for the workers: they go on to their clean-up. */
static void release_drained(struct pt_run *run)
{
	pthread_mutex_lock(&run->gate_lock);
	run->closed = true;
	pthread_cond_broadcast(&run->gate_cond);
	pthread_mutex_unlock(&run->gate_lock);
}

/* Are n workers at the gate *at (drained ones count at either), or, where
 * stoppable, did the run fail or a stop signal come? Under gate_lock. */
static bool workers_at(struct pt_run *run, const int *at, int n, bool stoppable)
{
	return run->drained + (at == &run->drained ? 0 : *at) >= n ||
	       (stoppable && (run->failed || pt_stop_signal));
}

/* Wait until n workers are at a gate (paused or drained, counted in *at),
 * or, where stoppable, the run failed or a stop signal came: then the
 * phase moves on to STOP and the workers that did not pause drain.
 * Event-driven: whatever can end the wait writes to run->wake_fd (a worker
 * reaching the gate, fail_run, the stop signal's handler), after changing
 * what workers_at reads, so one poll without a timeout sleeps until then
 * (it looked every 100 ms). The eventfd counts, so a write
 * between the look and the sleep is not lost. Without it (it could not be
 * made) the condition variable and a 100 ms look, as before. */
static void wait_workers(struct pt_run *run, const int *at, int n, bool stoppable)
{
	if (run->wake_fd >= 0) {
		for (;;) {
			struct pollfd pfd = { .fd = run->wake_fd, .events = POLLIN };
			uint64_t drain;
			bool done;

			pthread_mutex_lock(&run->gate_lock);
			done = workers_at(run, at, n, stoppable);
			pthread_mutex_unlock(&run->gate_lock);
			if (done)
				return;
			if (poll(&pfd, 1, -1) > 0)
				(void)!read(run->wake_fd, &drain, sizeof(drain));
		}
	}
	pthread_mutex_lock(&run->gate_lock);
	while (!workers_at(run, at, n, stoppable)) {
		struct timespec ts;

		/* a signal does not end a condition wait: look every 100 ms */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&run->gate_cond, &run->gate_lock, &ts);
	}
	pthread_mutex_unlock(&run->gate_lock);
}

/* Join the first n threads, in creation order. */
static void join_created(struct pt_run *run, int n)
{
	for (size_t r = 0; r < run->nroles; r++)
		for (int i = 0; i < run->roles[r].role->threads && n > 0 && !pt_role_process(&run->roles[r]); i++, n--)
			pthread_join(run->roles[r].pthreads[i], NULL);
}

/* The repeat's fresh state, and each thread's histograms, timeline and op
 * marker. Returns how many threads run in ptbench itself (not in a role
 * process). */
static int alloc_repeat(struct pt_run *run)
{
	int total = 0;

	atomic_store(&run->phase, PT_PHASE_SETUP);
	atomic_store(&run->failed, 0);
	run->wake_fd = -1; /* until init_gate makes it */
	run->t_start = run->t_measure = run->t_end = run->t_stop = 0;
	atomic_store(&run->measure_from, UINT64_MAX);
	run->fail_msg[0] = '\0';
	for (size_t r = 0; r < run->nroles; r++) {
		struct pt_role_run *rr = &run->roles[r];
		int n = rr->role->threads;

		rr->threads = pt_xcalloc((size_t)(n ? n : 1), sizeof(*rr->threads));
		rr->pthreads = pt_xcalloc((size_t)(n ? n : 1), sizeof(pthread_t));
		for (int i = 0; i < n; i++) {
			alloc_thread(rr, &rr->threads[i], i, rr->role->cpus ? rr->role->cpus[i] : -1);
			rr->threads[i].op_mark = pt_op_mark_slot(pt_op_slot_of(run, r, i));
		}
		if (!pt_role_process(rr))
			total += n;
	}
	return total;
}

/* Each role's setup, in plan order, under its membind (a role process sets
 * up its own). *set_up counts the roles whose teardown is owed, a failed
 * setup's included: it undoes what the setup did. A stop signal ends the
 * loop early (0: the caller looks at the signal). 0 or PT_EXIT_RUNTIME. */
static int setup_roles(struct pt_run *run, size_t *set_up)
{
	char err[256] = "";

	for (; *set_up < run->nroles && !pt_stop_signal; (*set_up)++) {
		struct pt_role_run *rr = &run->roles[*set_up];
		int failed;

		rr->shared = NULL;
		if (pt_role_process(rr))
			continue;
		/* memory the setup maps and touches follows the role's membind too */
		if (pt_membind_apply(&rr->role->membind)) {
			fprintf(stderr, "ptbench: [worker %s]: cannot set its membind: %s\n", rr->role->name,
				strerror(errno));
			return PT_EXIT_RUNTIME;
		}
		failed = rr->role->type->setup && rr->role->type->setup(rr, err, sizeof(err));
		pt_membind_reset();
		if (failed) {
			fprintf(stderr, "ptbench: [worker %s] setup: %s\n", rr->role->name, err);
			(*set_up)++;
			return PT_EXIT_RUNTIME;
		}
	}
	return 0;
}

/* The start gate closed, no worker paused or drained yet. */
static void init_gate(struct pt_run *run)
{
	/* before the threads: fail_run writes to it from the first one on */
	run->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pt_stop_signal_wake(run->wake_fd);
	pthread_mutex_init(&run->gate_lock, NULL);
	pthread_cond_init(&run->gate_cond, NULL);
	run->registered = 0;
	run->go = false;
	run->paused = run->drained = 0;
	run->closed = false;
}

/* Create every thread of ptbench's own roles, with the stop signals blocked
 * so that only the main thread sees them (workers never get EINTR from
 * them), and wait until the created ones have registered. *created counts
 * them; 0, or PT_EXIT_RUNTIME when one could not be created. */
static int create_threads(struct pt_run *run, int *created)
{
	/* test-only: PTBENCH_TEST_FAIL_THREAD=N makes the Nth thread's creation fail */
	const char *fail_env = getenv("PTBENCH_TEST_FAIL_THREAD");
	int fail_at = fail_env ? atoi(fail_env) : -1, rc = 0;
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (size_t r = 0; r < run->nroles && !rc; r++) {
		struct pt_role_run *rr = &run->roles[r];

		for (int i = 0; i < rr->role->threads && !pt_role_process(rr); i++) {
			int e = *created == fail_at ? EAGAIN
						    : pthread_create(&rr->pthreads[i], NULL, thread_main, &rr->threads[i]);

			if (e) {
				fprintf(stderr, "ptbench: cannot create a thread: %s\n", strerror(e));
				rc = PT_EXIT_RUNTIME;
				break;
			}
			(*created)++;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_mutex_lock(&run->gate_lock);
	while (run->registered < *created)
		pthread_cond_wait(&run->gate_cond, &run->gate_lock);
	pthread_mutex_unlock(&run->gate_lock);
	return rc;
}

/* The threads that exist go straight to their clean-up: the repeat is
 * reported as failed and the command writes what it has. */
static void abandon_threads(struct pt_run *run, int created, int total)
{
	fail_run(run, "only %d of %d threads started", created, total);
	release_drained(run);
	open_gate(run);
	join_created(run, created);
}

/* Go, warm up, and open the measured window between two iterations of
 * every worker (the counting rule's first edge, doc/design.md). */
/* The window opens at run->t_measure: the threads' records from it on, and
 * the probes' windows (measure_begin), while no iteration is in flight. */
static void begin_measuring(struct pt_run *run)
{
	atomic_store(&run->measure_from, run->t_measure);
	FOR_AVAILABLE_PROBES(run, p)
		if (p->probe->measure_begin)
			p->probe->measure_begin(p->state, run);
}

static void open_window(struct pt_run *run, int created)
{
	char err[256] = "";
	uint64_t warmup = run->plan->warmup_ns;

	/* the role processes' threads too, so their tids map to their roles */
	if (pt_procs_wait_ready(run, err, sizeof(err)))
		fail_run(run, "%s", err);
	/* the BPF programs find a thread's op marker by its tid */
	pt_op_marks_fill_tids(run);
	FOR_AVAILABLE_PROBES(run, p)
		if (p->probe->threads_ready)
			p->probe->threads_ready(p->state, run);
	run->t_start = pt_now_ns();
	if (warmup) {
		atomic_store(&run->phase, PT_PHASE_WARMUP);
	} else {
		/* no iteration has begun: the window opens here, the probes'
		 * too, before the gate lets the first iteration start (after it,
		 * a worker's first lock events came before the probes' window
		 * opened while its ops counted: 13-23 mmap+munmap pairs without
		 * their locks in 300 ms of mmap-churn, counting.t) */
		run->t_measure = run->t_start;
		begin_measuring(run);
		atomic_store(&run->phase, PT_PHASE_MEASURE);
	}
	pt_procs_go(run);
	open_gate(run);
	if (warmup) {
		sleep_until(run->t_start + warmup, run, "warm-up", run->t_start);
		/* The counting rule's first edge: the window opens while no
		 * iteration is in flight, so an iteration begun in the warm-up
		 * lands neither its ops nor its locks in it. */
		set_phase(run, PT_PHASE_PAUSE);
		wait_workers(run, &run->paused, created, true);
		pt_procs_wait_paused(run);
		FOR_AVAILABLE_PROBES(run, p)
			if (p->probe->paused)
				p->probe->paused(p->state, run);
		run->t_measure = pt_now_ns();
		begin_measuring(run);
		pt_procs_open(run);
		set_phase(run, pt_stop_signal || run->failed ? PT_PHASE_STOP : PT_PHASE_MEASURE);
	}
}

/* Measure for the duration, close the window (the second edge), let the
 * workers clean up and join them. */
static void close_window(struct pt_run *run, int created)
{
	sleep_until(run->t_measure + run->plan->duration_ns, run, "measuring", run->t_measure);
	/* The second edge: no iteration starts after this, and the window
	 * stays open until every one begun in it has ended. */
	run->t_end = pt_now_ns();
	set_phase(run, PT_PHASE_STOP);
	wait_workers(run, &run->drained, created, false);
	pt_procs_wait_drained(run);
	run->t_stop = pt_now_ns();
	FOR_AVAILABLE_PROBES(run, p)
		if (p->probe->measure_end)
			p->probe->measure_end(p->state, run);
	pt_procs_close(run);
	release_drained(run);
	if (run->progress)
		fprintf(stderr, "\r%60s\r", "");
	join_created(run, created);
}

/* The repeat's JSON: its window, each role merged (or as its process
 * reported it), the probes' results, the timeline. A failed repeat (here
 * or before) says why, and *rc becomes PT_EXIT_RUNTIME. */
static struct json_object *repeat_json(struct pt_run *run, int *rc)
{
	struct json_object *rep = json_object_new_object(), *workers = json_object_new_object(),
			   *timeline = json_object_new_object();
	char err[256] = "";
	double seconds = run->t_stop > run->t_measure && run->t_measure >= run->t_start
				 ? (double)(run->t_stop - run->t_measure) / 1e9
				 : 0.0;
	/* how long the window stayed open past its nominal end for the
	 * iterations in flight there (included in measured_s) */
	double drain = run->t_end && run->t_stop > run->t_end ? (double)(run->t_stop - run->t_end) / 1e9 : 0.0;
	bool complete;

	for (size_t r = 0; r < run->nroles; r++) {
		struct json_object *child = pt_procs_role_json(run, &run->roles[r], timeline);
		struct json_object *rj;

		merge_role(&run->roles[r]);
		rj = child ? child : role_json(&run->roles[r], seconds, timeline);
		json_object_object_add(workers, run->roles[r].role->name, rj);
		/* a role that did not run where the plan put it measured
		 * something else: the repeat fails (its numbers stay) */
		if (pt_placement_check(run->roles[r].role->name, rj, err, sizeof(err)))
			fail_run(run, "placement: %s", err);
	}
	complete = !pt_stop_signal && !run->failed && run->t_stop - run->t_measure >= run->plan->duration_ns;
	json_object_object_add(rep, "complete", json_object_new_boolean(complete));
	json_object_object_add(rep, "measured_s", json_object_new_double(seconds));
	json_object_object_add(rep, "drain_s", json_object_new_double(drain));
	json_object_object_add(rep, "workers", workers);
	json_object_object_add(rep, "probes", finish_probes(run));
	json_object_object_add(rep, "timeline", timeline);
	if (run->failed) {
		json_object_object_add(rep, "error", json_object_new_string(run->fail_msg));
		fprintf(stderr, "ptbench: %s\n", run->fail_msg);
		*rc = PT_EXIT_RUNTIME;
	}
	return rep;
}

/* Undo the set-up roles in reverse order, kill what role processes are
 * left, free the probes' state (once every role was set up, they started)
 * and the threads'. */
static void teardown_repeat(struct pt_run *run, size_t set_up)
{
	for (size_t r = set_up; r-- > 0;) {
		struct pt_role_run *rr = &run->roles[r];

		if (rr->role->type->teardown && !pt_role_process(rr))
			rr->role->type->teardown(rr);
	}
	pt_procs_kill(run);
	if (set_up == run->nroles) {
		FOR_AVAILABLE_PROBES(run, p)
			if (p->probe->destroy)
				p->probe->destroy(p->state);
	}
	for (size_t r = 0; r < run->nroles; r++)
		free_threads(&run->roles[r]);
}

int pt_run_repeat(struct pt_run *run, struct json_object **rep_json)
{
	char err[256] = "";
	size_t set_up = 0;
	int total = alloc_repeat(run), created = 0, rc;

	/* roles with process = NAME run in children forked now, single-threaded */
	if (pt_procs_fork(run, pt_run_repeat, err, sizeof(err))) {
		fprintf(stderr, "ptbench: %s\n", err);
		rc = PT_EXIT_RUNTIME;
		goto teardown;
	}
	/* a stop signal during a long setup (many roles) ends it: no repeat */
	rc = setup_roles(run, &set_up);
	if (rc || pt_stop_signal)
		goto teardown;
	start_probes(run);
	init_gate(run);
	pt_procs_traced(run);
	rc = create_threads(run, &created);
	if (rc) {
		abandon_threads(run, created, total);
	} else {
		open_window(run, created);
		close_window(run, created);
	}
	pthread_cond_destroy(&run->gate_cond);
	pthread_mutex_destroy(&run->gate_lock);
	/* the handler runs on this thread only (every other one blocks the
	 * stop signals), so it cannot write to the fd while it is closed */
	pt_stop_signal_wake(-1);
	if (run->wake_fd >= 0)
		close(run->wake_fd);
	run->wake_fd = -1;
	FOR_AVAILABLE_PROBES(run, p)
		if (p->probe->stop)
			p->probe->stop(p->state, run);
	if (pt_procs_collect(run, err, sizeof(err)))
		fail_run(run, "%s", err);
	*rep_json = repeat_json(run, &rc);
teardown:
	teardown_repeat(run, set_up);
	return rc;
}
