/* The mmap_lock probe: who waited for mmap_lock, in which mode, for how long,
 * and how long it was held, in the kernel's own words (the mmap_lock trace
 * events), per worker role.
 *
 * A reader thread drains the per-CPU ring buffers while the run goes on,
 * decodes each event (mmap_lock_fields.c) into a per-CPU queue and feeds the
 * pairing state machine (mmap_lock_pair.c) in timestamp order. The per-CPU
 * buffers are read one after the other, so an event may still be on its way
 * into a buffer already read: only events older than the earliest read time
 * minus a margin are paired; the rest wait in the queues for the next round.
 * The reader itself is not traced (it exists before the pid filter is set). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ptbench/json_get.h"
#include "ptbench/clock.h"
#include "ptbench/hist.h"
#include "ptbench/mmap_lock_fields.h"
#include "ptbench/mmap_lock_pair.h"
#include "ptbench/mmap_lock_probe.h"
#include "ptbench/mmap_lock_tracefs.h"
#include "ptbench/probe.h"
#include "ptbench/result.h"
#include "ptbench/util.h"

/* how often the reader drains, and how far behind "now" it pairs */
#define POLL_NS 10000000ull
#define MARGIN_NS 10000000ull
/* Buffer sizing: the busiest CPU's event rate, bytes per event as stored
 * (6.18: 32; 6.1 adds the memcg path string) and how long the reader may be
 * kept off a CPU by the workers it shares it with. */
#define RATE_PER_CPU 3000000ull
#define EVENT_BYTES 48ull
#define READER_SLACK_MS 100ull
#define MIN_BUFFER_KB 1024ull
#define MAX_BUFFER_KB 65536ull
#define MAX_TOTAL_KB (1024ull * 1024)
#define MAX_PIDS 4096

struct queue {
	struct pt_ml_event *ev;
	size_t head, n, cap;
};

struct ml_state {
	struct pt_run *run;
	struct pt_ml_session sess;
	bool sess_open;
	struct pt_ml_fields fields;
	struct pt_ml_pair *pair;
	struct queue *q;               /* one per session CPU slot */
	int nq;
	int cur_q;                     /* the queue on_event appends to */
	pthread_t reader;
	bool reader_started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool go, quit;                 /* under lock */
	int reader_tid;                /* under lock */
	int reader_cpu;                /* -1: not pinned */
	_Atomic uint64_t lo_pub;       /* t_measure once known, else 0 */
	uint64_t lo_bound;
	uint64_t duration_ns;
	uint64_t lost_at_go, lost;
	uint64_t drains, decoded, foreign, open_at_end, npids;
	uint64_t drain_cpu_ns;         /* CPU time spent reading and pairing */
	bool stopped;
};

static void on_event(void *data, int size, uint64_t ts, void *ctx)
{
	struct ml_state *s = ctx;
	struct queue *q = &s->q[s->cur_q];
	struct pt_ml_event e;

	if (pt_ml_fields_decode(&s->fields, data, size, ts, &e)) {
		s->foreign++;
		return;
	}
	if (q->head + q->n == q->cap) {
		if (q->head) { /* reuse the consumed front before growing */
			memmove(q->ev, q->ev + q->head, q->n * sizeof(*q->ev));
			q->head = 0;
		} else {
			q->cap = q->cap ? 2 * q->cap : 65536;
			q->ev = pt_xrealloc(q->ev, q->cap * sizeof(*q->ev));
		}
	}
	q->ev[q->head + q->n++] = e;
	s->decoded++;
}

/* Feed every queued event older than limit, oldest first across CPUs. */
static void pair_until(struct ml_state *s, uint64_t limit)
{
	for (;;) {
		struct queue *best = NULL;

		for (int i = 0; i < s->nq; i++) {
			struct queue *q = &s->q[i];

			if (q->n && q->ev[q->head].ts < limit && (!best || q->ev[q->head].ts < best->ev[best->head].ts))
				best = q;
		}
		if (!best)
			break;
		pt_ml_pair_feed(s->pair, &best->ev[best->head]);
		best->head++;
		if (!--best->n)
			best->head = 0;
	}
}

/* One round: read every CPU's buffer, then pair what is safely ordered. */
static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void drain(struct ml_state *s, bool final)
{
	uint64_t mark = UINT64_MAX, lo, limit, cpu0 = thread_cpu_ns();

	for (int i = 0; i < s->sess.ncpus; i++) {
		uint64_t t = pt_now_ns();

		if (t < mark)
			mark = t;
		s->cur_q = i;
		if (pt_ml_session_read_cpu(&s->sess, i, final ? SIZE_MAX : 4096, on_event, s) < 0)
			s->foreign++; /* a read error: counted, the round goes on */
	}
	lo = atomic_load_explicit(&s->lo_pub, memory_order_acquire);
	if (lo && !pt_ml_pair_lo_known(s->pair))
		pt_ml_pair_set_lo(s->pair, lo);
	if (final) {
		limit = UINT64_MAX;
	} else {
		/* the window ends no earlier than lo + duration: what lies beyond
		 * waits for stop(), which knows where it really ends */
		limit = (lo ? lo : s->lo_bound) + s->duration_ns;
		if (mark - MARGIN_NS < limit)
			limit = mark - MARGIN_NS;
	}
	pair_until(s, limit);
	s->drains++;
	s->drain_cpu_ns += thread_cpu_ns() - cpu0;
}

/* A CPU none of the workers is bound to, or -1 (then the reader floats). */
static int spare_cpu(const struct pt_run *run)
{
	cpu_set_t allowed;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return -1;
	for (size_t r = 0; r < pt_probe_nroles(run); r++) {
		for (int i = 0; i < pt_probe_role_nthreads(run, r); i++) {
			int cpu = pt_probe_thread_cpu(run, r, i);

			if (cpu < 0) /* an unbound worker may be anywhere */
				return -1;
			CPU_CLR(cpu, &allowed);
		}
	}
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &allowed))
			return cpu;
	return -1;
}

static void *reader_main(void *arg)
{
	struct ml_state *s = arg;

	if (s->reader_cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(s->reader_cpu, &set);
		if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
			s->reader_cpu = -1;
	}
	pthread_mutex_lock(&s->lock);
	s->reader_tid = gettid();
	pthread_cond_broadcast(&s->cond);
	while (!s->go && !s->quit)
		pthread_cond_wait(&s->cond, &s->lock);
	while (!s->quit) {
		struct timespec ts;
		uint64_t wake = pt_now_ns() + POLL_NS;

		pthread_mutex_unlock(&s->lock);
		drain(s, false);
		pthread_mutex_lock(&s->lock);
		ts.tv_sec = (time_t)(wake / 1000000000ull);
		ts.tv_nsec = (long)(wake % 1000000000ull);
		while (!s->quit && pthread_cond_timedwait(&s->cond, &s->lock, &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static void add_pid(int *pids, size_t *n, int pid)
{
	for (size_t i = 0; i < *n; i++)
		if (pids[i] == pid)
			return;
	if (*n < MAX_PIDS)
		pids[(*n)++] = pid;
}

/* Every task of process pid, and of its children (a reader may target a
 * child the worker set up), depth first. */
static void collect_tasks(int pid, int skip, int *pids, size_t *n, int depth)
{
	char path[64];
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		int tid = atoi(de->d_name);
		char cpath[96], *text, *p;

		if (tid <= 0 || tid == skip)
			continue;
		add_pid(pids, n, tid);
		snprintf(cpath, sizeof(cpath), "/proc/%d/task/%d/children", pid, tid);
		text = depth < 8 ? pt_read_file(cpath, NULL) : NULL;
		for (p = text; p && *p;) {
			char *end;
			long child = strtol(p, &end, 10);

			if (end == p)
				break;
			collect_tasks((int)child, skip, pids, n, depth + 1);
			p = end;
		}
		free(text);
	}
	closedir(d);
}

static size_t buffer_kb_for(void)
{
	unsigned long long kb = RATE_PER_CPU * EVENT_BYTES * READER_SLACK_MS / 1000 / 1024;
	long ncpus = sysconf(_SC_NPROCESSORS_CONF), avail_kb = 0;
	char *mi = pt_read_file("/proc/meminfo", NULL), *p;

	if (kb < MIN_BUFFER_KB)
		kb = MIN_BUFFER_KB;
	if (kb > MAX_BUFFER_KB)
		kb = MAX_BUFFER_KB;
	/* over all CPUs, at most an eighth of the available memory and 1 GiB */
	if (mi && (p = strstr(mi, "MemAvailable:")))
		avail_kb = atol(p + 13);
	free(mi);
	if (avail_kb <= 0 || (unsigned long long)avail_kb / 8 > MAX_TOTAL_KB)
		avail_kb = (long)(MAX_TOTAL_KB * 8);
	if (ncpus > 0 && kb * (unsigned long long)ncpus > (unsigned long long)avail_kb / 8)
		kb = (unsigned long long)avail_kb / 8 / (unsigned long long)ncpus;
	return kb < 64 ? 64 : (size_t)kb;
}

/* Tell the draining thread to finish and wait for it; a no-op once stopped. */
static void stop_reader(struct ml_state *s)
{
	if (!s->reader_started)
		return;
	pthread_mutex_lock(&s->lock);
	s->quit = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->reader, NULL);
	s->reader_started = false;
}

static void ml_free(struct ml_state *s)
{
	stop_reader(s);
	if (s->sess_open)
		pt_ml_session_close(&s->sess);
	s->sess_open = false;
	for (int i = 0; i < s->nq; i++)
		free(s->q[i].ev);
	free(s->q);
	pt_ml_pair_free(s->pair);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s);
}

static int ml_start(struct pt_run *run, void **state, char *why, size_t len)
{
	struct ml_state *s = pt_xcalloc(1, sizeof(*s));
	int *pids = NULL, e;
	size_t npids = 0;

	*state = NULL;
	pthread_condattr_t ca;

	pthread_mutex_init(&s->lock, NULL);
	/* the reader's deadlines are pt_now_ns() values */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	s->run = run;
	s->duration_ns = pt_probe_duration_ns(run);
	s->lo_bound = UINT64_MAX;
	s->pair = pt_ml_pair_new(pt_probe_nroles(run));
	if (pt_ml_session_open(&s->sess, buffer_kb_for(), why, len))
		goto fail;
	s->sess_open = true;
	if (pt_ml_fields_init(&s->fields, s->sess.tep, why, len))
		goto fail;
	s->nq = s->sess.ncpus;
	s->q = pt_xcalloc((size_t)s->nq, sizeof(*s->q));
	/* the reader exists before the pid filter: event-fork does not add it */
	s->reader_cpu = spare_cpu(run);
	e = pthread_create(&s->reader, NULL, reader_main, s);
	if (e) {
		snprintf(why, len, "cannot start the trace reader thread: %s", strerror(e));
		goto fail;
	}
	s->reader_started = true;
	pthread_mutex_lock(&s->lock);
	while (!s->reader_tid)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
	pids = pt_xcalloc(MAX_PIDS, sizeof(*pids));
	collect_tasks(getpid(), s->reader_tid, pids, &npids, 0);
	s->npids = npids;
	if (pt_ml_session_start(&s->sess, pids, npids, why, len))
		goto fail;
	free(pids);
	*state = s;
	return 0;
fail:
	free(pids);
	ml_free(s);
	return -1;
}

static void ml_threads_ready(void *state, struct pt_run *run)
{
	struct ml_state *s = state;

	/* the reader has not touched the pairing yet: no lock needed */
	for (size_t r = 0; r < pt_probe_nroles(run); r++)
		for (int i = 0; i < pt_probe_role_nthreads(run, r); i++)
			pt_ml_pair_map_tid(s->pair, pt_probe_thread_tid(run, r, i), r);
	/* t_measure >= t_start + warmup, and t_start comes after this */
	s->lo_bound = pt_now_ns() + pt_probe_warmup_ns(run);
	pt_ml_pair_set_lo_bound(s->pair, s->lo_bound);
	/* what the thread set-up lost is not the measurement's loss */
	s->lost_at_go = pt_ml_session_lost(&s->sess);
	pthread_mutex_lock(&s->lock);
	s->go = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void ml_measure_begin(void *state, struct pt_run *run)
{
	struct ml_state *s = state;

	atomic_store_explicit(&s->lo_pub, pt_probe_t_measure(run), memory_order_release);
}

static void ml_stop(void *state, struct pt_run *run)
{
	struct ml_state *s = state;

	stop_reader(s);
	pt_ml_session_stop(&s->sess);
	if (!pt_ml_pair_lo_known(s->pair))
		pt_ml_pair_set_lo(s->pair, pt_probe_t_measure(run));
	/* t_stop: the window closed when the last iteration begun in it ended;
	 * events after it (the workers' clean-up) were held back until now */
	pt_ml_pair_set_hi(s->pair, pt_probe_t_stop(run));
	drain(s, true);
	s->lost = pt_ml_session_lost(&s->sess) - s->lost_at_go;
	s->open_at_end = pt_ml_pair_open(s->pair);
	/* the instance goes as soon as it is no longer needed */
	pt_ml_session_close(&s->sess);
	s->sess_open = false;
	s->stopped = true;
}

static struct json_object *modes_json(struct pt_hist *const *h, double seconds)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "read", pt_hist_to_json(h[PT_ML_READ], seconds));
	json_object_object_add(o, "write", pt_hist_to_json(h[PT_ML_WRITE], seconds));
	return o;
}

void pt_ml_stats_json(struct json_object *o, const struct pt_ml_stats *st, double seconds, bool counters)
{
	if (counters) {
		json_object_object_add(o, "events", json_object_new_int64((int64_t)st->events));
		json_object_object_add(o, "downgrades", json_object_new_int64((int64_t)st->downgrades));
		json_object_object_add(o, "trylocks", json_object_new_int64((int64_t)st->trylocks));
		json_object_object_add(o, "failed_trylocks", json_object_new_int64((int64_t)st->failed_trylocks));
		json_object_object_add(o, "failed_locks", json_object_new_int64((int64_t)st->failed_locks));
		json_object_object_add(o, "unmatched", json_object_new_int64((int64_t)st->unmatched));
	}
	json_object_object_add(o, "wait", modes_json(st->wait, seconds));
	json_object_object_add(o, "hold", modes_json(st->hold, seconds));
}

static struct json_object *ml_result(void *state, struct pt_run *run)
{
	struct ml_state *s = state;
	struct json_object *o = json_object_new_object(), *roles = json_object_new_object();
	double seconds = pt_probe_window_s(run);

	if (!s->stopped) { /* the runner always stops first; be safe anyway */
		json_object_object_add(o, "available", json_object_new_boolean(0));
		json_object_object_add(o, "why", json_object_new_string("the probe was not stopped"));
		json_object_put(roles);
		return o;
	}
	json_object_object_add(o, "available", json_object_new_boolean(1));
	pt_ml_stats_json(o, pt_ml_pair_total(s->pair), seconds, true);
	json_object_object_add(o, "lost_events", json_object_new_int64((int64_t)s->lost));
	for (size_t g = 0; g <= pt_probe_nroles(run); g++) {
		const struct pt_ml_stats *st = pt_ml_pair_role(s->pair, g);
		struct json_object *rj;

		if (g < pt_probe_nroles(run) && !pt_probe_role_nthreads(run, g))
			continue; /* setup-only roles have no tasks */
		rj = json_object_new_object();
		pt_ml_stats_json(rj, st, seconds, true);
		json_object_object_add(roles, g < pt_probe_nroles(run) ? pt_probe_role_name(run, g) : "other", rj);
	}
	json_object_object_add(o, "roles", roles);
	/* no roles.ROLE.ops: which op a thread is in is a store to its memory
	 * (the op marker) that BPF programs read at each event; a trace event
	 * carries no such thing */
	json_object_object_add(o, "per_op", json_object_new_boolean(0));
	json_object_object_add(o, "per_op_why",
			       json_object_new_string("per-op attribution is BPF only: trace events do not carry the "
						      "op marker the worker threads write (--lock-probe bpf has it)"));
	/* how it was measured, for whoever doubts the numbers */
	json_object_object_add(o, "lost_events_setup", json_object_new_int64((int64_t)s->lost_at_go));
	json_object_object_add(o, "missed_in_subbuffers", json_object_new_int64((int64_t)s->sess.missed_events));
	json_object_object_add(o, "open_at_end", json_object_new_int64((int64_t)s->open_at_end));
	json_object_object_add(o, "buffer_kb_per_cpu", json_object_new_int64((int64_t)s->sess.buffer_kb));
	json_object_object_add(o, "reader_cpu", json_object_new_int(s->reader_cpu));
	json_object_object_add(o, "drains", json_object_new_int64((int64_t)s->drains));
	/* the probe's own cost in user space (the kernel's is in the benchmark) */
	json_object_object_add(o, "reader_cpu_s", json_object_new_double((double)s->drain_cpu_ns / 1e9));
	json_object_object_add(o, "events_read", json_object_new_int64((int64_t)s->decoded));
	json_object_object_add(o, "traced_tasks_at_start", json_object_new_int64((int64_t)s->npids));
	json_object_object_add(o, "field_layout", json_object_new_string(s->fields.memcg));
	json_object_object_add(o, "instance", json_object_new_string(s->sess.name));
	json_object_object_add(o, "stale_instances_removed", json_object_new_int(s->sess.stale_removed));
	return o;
}

static void ml_summary(struct json_object *res, FILE *out)
{
	struct json_object *roles;
	static const char *const modes[] = { "read", "write" };
	bool header = false;
	long long lost = pt_json_int(res, "lost_events", 0);

	fprintf(out, "  mmap_lock: %lld events, %lld lost, %lld unmatched, %lld downgrades, %lld failed trylocks\n",
		pt_json_int(res, "events", 0), lost, pt_json_int(res, "unmatched", 0), pt_json_int(res, "downgrades", 0),
		pt_json_int(res, "failed_trylocks", 0));
	if (!json_object_object_get_ex(res, "roles", &roles))
		return;
	json_object_object_foreach(roles, role, rj)
	{
		for (int m = 0; m < 2; m++) {
			struct json_object *w, *h;
			char b[5][32];

			json_object_object_get_ex(json_object_object_get(rj, "wait"), modes[m], &w);
			json_object_object_get_ex(json_object_object_get(rj, "hold"), modes[m], &h);
			if (!pt_json_int(w, "count", 0) && !pt_json_int(h, "count", 0))
				continue;
			if (!header) {
				fprintf(out, "  %-14s %-5s %9s %9s %9s %9s %9s %9s %9s\n", "mmap_lock role", "mode",
					"waits", "wait p50", "wait p99", "wait max", "holds", "hold p99", "hold max");
				header = true;
			}
			fprintf(out, "  %-14s %-5s %9lld %9s %9s %9s %9lld %9s %9s\n", role, modes[m],
				pt_json_int(w, "count", 0), pt_fmt_ns((double)pt_json_int(json_object_object_get(w, "ns"), "p50", 0), b[0], 32),
				pt_fmt_ns((double)pt_json_int(json_object_object_get(w, "ns"), "p99", 0), b[1], 32),
				pt_fmt_ns((double)pt_json_int(json_object_object_get(w, "ns"), "max", 0), b[2], 32), pt_json_int(h, "count", 0),
				pt_fmt_ns((double)pt_json_int(json_object_object_get(h, "ns"), "p99", 0), b[3], 32),
				pt_fmt_ns((double)pt_json_int(json_object_object_get(h, "ns"), "max", 0), b[4], 32));
		}
	}
	if (lost)
		fprintf(out, "  mmap_lock: WARNING: the ring buffer lost %lld events: waits and holds are "
			     "incomplete (unmatched counts the pairs it broke)\n", lost);
}

static void ml_destroy(void *state)
{
	if (state)
		ml_free(state);
}

const struct pt_probe pt_probe_mmap_lock_tracefs = {
	.name = "mmap_lock",
	.summary = "mmap_lock wait and hold times by mode and role, from the kernel's mmap_lock trace events",
	.is_trace = true,
	.start = ml_start,
	.threads_ready = ml_threads_ready,
	.measure_begin = ml_measure_begin,
	.stop = ml_stop,
	.result = ml_result,
	.print_summary = ml_summary,
	.destroy = ml_destroy,
};
