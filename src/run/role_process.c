/* Roles in child processes (role key `process = NAME`): see role_process.h.
 *
 * Per repeat, before any role is set up, the runner forks one child per
 * process NAME (the parent is single-threaded then, so the child may create
 * threads). The child runs the ordinary repeat (pt_run_repeat, which the
 * runner hands to pt_procs_fork: this file calls nothing of the runner's)
 * over its own roles only, with one probe of its own that synchronises it with the
 * parent through a MAP_SHARED page:
 *   child: setup of its roles; waits for `traced` (the parent's probes have
 *          started and filter on the child's pid, event-fork adds its
 *          threads); creates its threads; publishes their tids, sets
 *          `ready`; waits for `go`; warm-up, measure, stop on its own clock
 *          (the same durations), but the measured window's edges are the
 *          parent's: its workers paused, it sets `paused` and waits for
 *          `open` (the parent's window is open); its last iterations ended,
 *          it sets `drained` and waits for `closed`, and takes the parent's
 *          window (t_measure, t_stop) as its own; writes its roles' JSON
 *          (histograms, errors, timeline, the workers' reports) into the
 *          shared memory; `done`.
 *   parent: fork; its own setups; probes; `traced`; its threads; waits for
 *          `ready` and copies the child's tids into the role's threads (so
 *          pt_run_role_of_tid and the mmap_lock probe attribute the child's
 *          events to its roles); probes' threads_ready; `go`; its own workers
 *          and every child paused, opens the window, `open`; its own
 *          workers and every child drained, closes it, `closed`; after its
 *          threads joined, waits for `done` (forwarding an interrupt), reads
 *          the JSON, reaps the child.
 * A child dies with the parent's main thread (PR_SET_PDEATHSIG SIGKILL); every
 * exit path of the repeat kills and reaps what is left (pt_procs_kill).
 *
 * Neither side polls (both looked at the page every 1 ms, a
 * thousand wake-ups a second on a 2-CPU machine whenever one waited for the
 * other, in the setups and at both edges of the window). Whoever sets a flag
 * then writes to the other side's eventfd (to_child, to_parent: made before
 * the fork, so both hold them); the waiter sleeps in ppoll on its eventfd
 * and, in the parent, on the child's pidfd, which turns readable when the
 * child exits (or dies). The only timeouts are the waits' own deadlines. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ptbench/clock.h"
#include "ptbench/exitcodes.h"
#include "ptbench/plan.h"
#include "ptbench/probe.h"
#include "ptbench/role_process.h"
#include "ptbench/run_state.h"
#include "ptbench/stop_signal.h"
#include "ptbench/util.h"

#define SHM_BYTES (16u << 20)   /* the child's roles as JSON: histograms and timelines */
#define MAX_CHILD_TIDS 1024
#define READY_TIMEOUT_NS (120ull * 1000000000ull) /* a child's setup (vma-pad, faulting GBs) */
#define DONE_GRACE_NS (30ull * 1000000000ull)     /* after the parent's stop: teardown, JSON */
/* How late a child may see the window open (it wakes when the parent writes
 * to its eventfd; a loaded machine delays that by tens of ms) before its
 * window is not the parent's: 250 ms, or a tenth of the duration when that
 * is more. */
#define BEHIND_NS(duration) ((duration) / 10 > 250000000ull ? (duration) / 10 : 250000000ull)

struct pt_proc_shm {
	_Atomic int traced, ready, go, done;
	_Atomic int paused, open, drained, closed; /* the window's edges (above) */
	/* the parent's window, written before `closed`: the child's rates
	 * divide by the length the parent's probes counted over */
	uint64_t t_measure, t_stop;
	uint64_t t_open_seen;        /* when the child saw `open`: its own window's start */
	int rc;
	int ntids;
	int tids[MAX_CHILD_TIDS];    /* the child roles' threads, in role order */
	size_t json_len;
	char json[];                 /* {"workers": {...}, "timeline": {...}, "error": "..."} */
};

const char *pt_role_process(const struct pt_role_run *rr)
{
	const char *name;

	if (rr->run->in_child)
		return NULL; /* inside the child its roles are ordinary roles */
	name = rr->role->process;
	return name && name[0] ? name : NULL;
}

static struct pt_proc *find_proc(const struct pt_run *run, const char *name)
{
	if (!run->procs)
		return NULL;
	for (int i = 0; i < run->procs->n; i++)
		if (!strcmp(run->procs->p[i].name, name))
			return &run->procs->p[i];
	return NULL;
}

/* ---- sleeping until the other side moves (both sides) -------------------- */

/* The stop signals stay blocked while a waiter looks at the flags and at
 * pt_stop_signal, and ppoll unblocks them only for its sleep: a signal that
 * comes between the look and the sleep ends the sleep (ppoll swaps the mask
 * atomically) instead of being slept through. */
static void block_stop_signals(sigset_t *old)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &s, old);
}

static void notify(int fd)
{
	uint64_t one = 1;

	if (fd >= 0)
		(void)!write(fd, &one, sizeof(one));
}

/* One sleep, called with the stop signals blocked (old: the mask to sleep
 * under): until fd is written to, pidfd turns readable, a signal comes or
 * the deadline (0: none) passes; the caller looks at its flags again.
 * Without an eventfd (it could not be made) it sleeps 1 ms, as it always
 * did; a parent without the child's pidfd (before Linux 5.3) at most
 * 100 ms, to see the child exit. */
static void nap(int fd, int pidfd, bool parent, uint64_t deadline, const sigset_t *old)
{
	struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
	uint64_t now = pt_now_ns(), cap = fd < 0 ? 1000000ull : parent && pidfd < 0 ? 100000000ull : 0;
	struct timespec ts, *tsp = NULL;
	uint64_t left = 0, drain;

	if (deadline)
		left = deadline > now ? deadline - now : 1;
	if (cap && (!left || cap < left))
		left = cap;
	if (left) {
		ts.tv_sec = (time_t)(left / 1000000000ull);
		ts.tv_nsec = (long)(left % 1000000000ull);
		tsp = &ts;
	}
	if (ppoll(pfd, 2, tsp, old) > 0 && (pfd[0].revents & POLLIN))
		(void)!read(fd, &drain, sizeof(drain));
}

/* ---- the child side ------------------------------------------------------ */

static struct pt_proc_shm *child_shm; /* the child's own page */
static int child_wake = -1, child_tell = -1; /* its to_child and to_parent */

/* Sleep until the parent sets *flag (or a stop signal comes). */
static void child_wait(_Atomic int *flag)
{
	sigset_t old;

	block_stop_signals(&old);
	while (!atomic_load(flag) && !pt_stop_signal)
		nap(child_wake, -1, false, 0, &old);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Set one of the child's flags and wake the parent for it. */
static void child_set(_Atomic int *flag)
{
	atomic_store(flag, 1);
	notify(child_tell);
}

static int sync_start(struct pt_run *run, void **state, char *why, size_t len)
{
	(void)run;
	(void)why;
	(void)len;
	*state = NULL;
	/* threads created from here on are traced (event-fork) */
	child_wait(&child_shm->traced);
	return 0;
}

static void sync_threads_ready(void *state, struct pt_run *run)
{
	int n = 0;

	(void)state;
	for (size_t r = 0; r < run->nroles; r++)
		for (int i = 0; i < run->roles[r].role->threads && n < MAX_CHILD_TIDS; i++)
			child_shm->tids[n++] = run->roles[r].threads[i].tid;
	child_shm->ntids = n;
	child_set(&child_shm->ready);
	child_wait(&child_shm->go);
}

/* Tell the parent this child is at an edge of the window and wait for it to
 * move the edge (the parent's probes count the child's locks by time). */
static void sync_edge(_Atomic int *mine, _Atomic int *theirs)
{
	child_set(mine);
	child_wait(theirs);
}

static void sync_paused(void *state, struct pt_run *run)
{
	(void)state;
	(void)run;
	sync_edge(&child_shm->paused, &child_shm->open);
	/* the parent compares it with its own window's start */
	child_shm->t_open_seen = pt_now_ns();
}

static void sync_measure_end(void *state, struct pt_run *run)
{
	(void)state;
	sync_edge(&child_shm->drained, &child_shm->closed);
	/* CLOCK_MONOTONIC is the machine's: the parent's instants hold here */
	if (atomic_load(&child_shm->closed) && child_shm->t_measure && child_shm->t_stop > child_shm->t_measure) {
		run->t_measure = child_shm->t_measure;
		run->t_stop = child_shm->t_stop;
	}
}

static const struct pt_probe sync_probe = {
	.name = "process-sync",
	.summary = "(internal) a role process waits for its parent",
	.start = sync_start,
	.threads_ready = sync_threads_ready,
	.paused = sync_paused,
	.measure_end = sync_measure_end,
};

static void __attribute__((noreturn)) child_main(struct pt_run *run, pt_procs_repeat_fn repeat, struct pt_proc *p,
						  pid_t parent)
{
	static const int fatal_sigs[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGQUIT };
	struct pt_run c;
	struct pt_probe_inst sync = { .probe = &sync_probe };
	struct json_object *rep = NULL, *doc = json_object_new_object(), *v;
	char comm[16];
	const char *text;
	size_t len;
	int rc;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(PT_EXIT_RUNTIME);
	snprintf(comm, sizeof(comm), "pt:%.12s", p->name); /* TASK_COMM_LEN is 16 */
	prctl(PR_SET_NAME, comm);
	/* the THP settings are the parent's to restore, not a crashing child's */
	for (size_t i = 0; i < PT_ARRAY_SIZE(fatal_sigs); i++)
		signal(fatal_sigs[i], SIG_DFL);
	child_shm = p->shm;
	child_wake = p->to_child;
	child_tell = p->to_parent;
	c = *run;
	c.in_child = true;
	c.procs = NULL;
	c.probes = &sync;
	c.nprobes = 1;
	c.progress = false; /* the probes are the parent's: the child has only sync */
	c.roles = pt_xcalloc(run->nroles, sizeof(*c.roles));
	c.nroles = 0;
	for (size_t r = 0; r < run->nroles; r++) {
		if (!run->roles[r].role->process || strcmp(run->roles[r].role->process, p->name))
			continue;
		c.roles[c.nroles] = run->roles[r];
		c.roles[c.nroles].run = &c;
		c.nroles++;
	}
	rc = repeat(&c, &rep);
	if (rep) {
		if (json_object_object_get_ex(rep, "workers", &v))
			json_object_object_add(doc, "workers", json_object_get(v));
		if (json_object_object_get_ex(rep, "timeline", &v))
			json_object_object_add(doc, "timeline", json_object_get(v));
		if (json_object_object_get_ex(rep, "error", &v))
			json_object_object_add(doc, "error", json_object_get(v));
		if (json_object_object_get_ex(rep, "complete", &v))
			json_object_object_add(doc, "complete", json_object_get(v));
	}
	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
	len = strlen(text);
	if (len >= SHM_BYTES - sizeof(struct pt_proc_shm)) {
		len = 0;
		rc = PT_EXIT_RUNTIME;
	}
	memcpy(child_shm->json, text, len);
	child_shm->json_len = len;
	child_shm->rc = rc;
	child_set(&child_shm->done);
	_exit(rc);
}

/* ---- the parent side ----------------------------------------------------- */

static void reap(struct pt_proc *p, bool kill_it)
{
	if (p->pid > 0) {
		if (kill_it)
			kill(p->pid, SIGKILL);
		while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
			;
		p->pid = 0;
	}
}

void pt_procs_kill(struct pt_run *run)
{
	struct pt_procs *ps = run->procs;

	if (!ps)
		return;
	for (int i = 0; i < ps->n; i++) {
		reap(&ps->p[i], true);
		if (ps->p[i].shm)
			munmap(ps->p[i].shm, SHM_BYTES);
		if (ps->p[i].to_child >= 0)
			close(ps->p[i].to_child);
		if (ps->p[i].to_parent >= 0)
			close(ps->p[i].to_parent);
		if (ps->p[i].pidfd >= 0)
			close(ps->p[i].pidfd);
		json_object_put(ps->p[i].doc);
	}
	free(ps->p);
	free(ps);
	run->procs = NULL;
}

int pt_procs_fork(struct pt_run *run, pt_procs_repeat_fn repeat, char *err, size_t len)
{
	struct pt_procs *ps;
	pid_t self = getpid();

	if (run->in_child)
		return 0;
	ps = pt_xcalloc(1, sizeof(*ps));
	ps->p = pt_xcalloc(run->nroles ? run->nroles : 1, sizeof(*ps->p));
	run->procs = ps;
	for (size_t r = 0; r < run->nroles; r++) {
		const char *name = pt_role_process(&run->roles[r]);
		struct pt_proc *p;
		pid_t pid;

		if (!name || find_proc(run, name))
			continue;
		p = &ps->p[ps->n++];
		snprintf(p->name, sizeof(p->name), "%s", name);
		/* both kept by the child; without them the waits poll every 1 ms */
		p->to_child = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		p->to_parent = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		p->pidfd = -1;
		p->shm = mmap(NULL, SHM_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (p->shm == MAP_FAILED) {
			p->shm = NULL;
			snprintf(err, len, "process %s: shared memory: %s", name, strerror(errno));
			return -1;
		}
		fflush(NULL); /* no buffered output written twice */
		pid = fork();
		if (pid < 0) {
			snprintf(err, len, "process %s: fork: %s", name, strerror(errno));
			return -1;
		}
		if (pid == 0)
			child_main(run, repeat, p, self);
		p->pid = p->forked = pid;
#ifdef SYS_pidfd_open
		p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0); /* -1 before 5.3: nap looks every 100 ms */
#endif
	}
	return 0;
}

/* Set one of a child's flags and wake it for it. */
static void parent_set(struct pt_proc *p, _Atomic int *flag)
{
	atomic_store(flag, 1);
	notify(p->to_child);
}

void pt_procs_traced(struct pt_run *run)
{
	for (int i = 0; run->procs && i < run->procs->n; i++)
		parent_set(&run->procs->p[i], &run->procs->p[i].shm->traced);
}

/* Was the child stopped, or continued after a stop, since the last look?
 * waitid reports either once (without WEXITED it reaps nothing); a stop
 * and its SIGCONT between two looks still leave the CLD_CONTINUED. */
static void watch_stop(struct pt_proc *p)
{
	siginfo_t si;

	for (;;) {
		memset(&si, 0, sizeof(si));
		if (p->pid <= 0 || waitid(P_PID, (id_t)p->pid, &si, WSTOPPED | WCONTINUED | WNOHANG) ||
		    si.si_pid != p->pid)
			return;
		if (p->watching)
			p->stopped = true;
	}
}

/* Has the child exited? Reaps it when it has. */
static bool exited(struct pt_proc *p, int *status)
{
	pid_t w;

	watch_stop(p);
	w = waitpid(p->pid, status, WNOHANG);

	if (w == p->pid) {
		p->pid = 0;
		p->status = *status; /* for collect's message, whichever wait reaped it */
		return true;
	}
	return false;
}

/* Wait for one child's `ready`: 0, 1 on a stop signal, -1 with err. */
static int wait_ready(struct pt_proc *p, uint64_t deadline, char *err, size_t len)
{
	int status = 0, rc = 0;
	sigset_t old;

	block_stop_signals(&old);
	while (!atomic_load(&p->shm->ready)) {
		if (exited(p, &status)) {
			snprintf(err, len, "process %s exited before its threads started (%s %d)", p->name,
				 WIFSIGNALED(status) ? "signal" : "exit",
				 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
			rc = -1;
			break;
		}
		if (pt_stop_signal) {
			rc = 1;
			break;
		}
		if (pt_now_ns() > deadline) {
			snprintf(err, len, "process %s: timed out waiting for its threads", p->name);
			rc = -1;
			break;
		}
		nap(p->to_parent, p->pidfd, true, deadline, &old);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int pt_procs_wait_ready(struct pt_run *run, char *err, size_t len)
{
	uint64_t deadline = pt_now_ns() + READY_TIMEOUT_NS;

	for (int i = 0; run->procs && i < run->procs->n; i++) {
		struct pt_proc *p = &run->procs->p[i];
		int k = 0, rc = wait_ready(p, deadline, err, len);

		if (rc)
			return rc < 0 ? -1 : 0; /* a stop: the run ends now anyway, not a failure */
		/* the child's roles are this process's roles of that name, in order */
		for (size_t r = 0; r < run->nroles; r++) {
			struct pt_role_run *rr = &run->roles[r];
			const char *name = pt_role_process(rr);

			if (!name || strcmp(name, p->name))
				continue;
			for (int t = 0; t < rr->role->threads && k < p->shm->ntids; t++)
				rr->threads[t].tid = p->shm->tids[k++];
		}
	}
	return 0;
}

void pt_procs_go(struct pt_run *run)
{
	for (int i = 0; run->procs && i < run->procs->n; i++) {
		struct pt_proc *p = &run->procs->p[i];

		watch_stop(p);	/* a stop during setup is forgotten: nothing was measured */
		p->watching = true;
		parent_set(p, &p->shm->go);
	}
}

enum edge { EDGE_PAUSED, EDGE_OPEN, EDGE_DRAINED, EDGE_CLOSED };

static _Atomic int *edge_flag(struct pt_proc_shm *shm, enum edge e)
{
	switch (e) {
	case EDGE_PAUSED:
		return &shm->paused;
	case EDGE_OPEN:
		return &shm->open;
	case EDGE_DRAINED:
		return &shm->drained;
	case EDGE_CLOSED:
		break;
	}
	return &shm->closed;
}

/* Wait until every child has reached edge e (or is done, or gone); an
 * interrupt ends the wait too: the run stops then anyway. */
static void wait_children(struct pt_run *run, enum edge e)
{
	sigset_t old;

	block_stop_signals(&old);
	for (int i = 0; run->procs && i < run->procs->n; i++) {
		struct pt_proc *p = &run->procs->p[i];
		int status;

		while (p->pid > 0 && !atomic_load(edge_flag(p->shm, e)) && !atomic_load(&p->shm->done) &&
		       !pt_stop_signal && !exited(p, &status))
			nap(p->to_parent, p->pidfd, true, 0, &old);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void set_children(struct pt_run *run, enum edge e)
{
	for (int i = 0; run->procs && i < run->procs->n; i++)
		parent_set(&run->procs->p[i], edge_flag(run->procs->p[i].shm, e));
}

void pt_procs_wait_paused(struct pt_run *run)
{
	wait_children(run, EDGE_PAUSED);
}

void pt_procs_open(struct pt_run *run)
{
	set_children(run, EDGE_OPEN);
}

void pt_procs_wait_drained(struct pt_run *run)
{
	wait_children(run, EDGE_DRAINED);
}

void pt_procs_close(struct pt_run *run)
{
	for (int i = 0; run->procs && i < run->procs->n; i++) {
		run->procs->p[i].shm->t_measure = run->t_measure;
		run->procs->p[i].shm->t_stop = run->t_stop;
		watch_stop(&run->procs->p[i]);
		run->procs->p[i].watching = false;
	}
	/* seq_cst: the child sees the times once it sees `closed` */
	set_children(run, EDGE_CLOSED);
}

int pt_procs_collect(struct pt_run *run, char *err, size_t len)
{
	int rc = 0;
	sigset_t old;

	/* a repeat that failed before an edge must not leave a child waiting there */
	pt_procs_open(run);
	set_children(run, EDGE_CLOSED);
	block_stop_signals(&old);

	for (int i = 0; run->procs && i < run->procs->n; i++) {
		struct pt_proc *p = &run->procs->p[i];
		uint64_t deadline = pt_now_ns() + DONE_GRACE_NS, behind;
		bool forwarded = false;
		int status = p->status; /* reaped at an edge: what it ended with */

		if (!atomic_load(&p->shm->go)) {
			/* the repeat failed before it started: nothing to wait for */
			reap(p, true);
			continue;
		}

		while (p->pid > 0 && !atomic_load(&p->shm->done)) {
			if (exited(p, &status))
				break;
			/* SIGTERM sent to the parent alone still stops the child early */
			if (pt_stop_signal && !forwarded) {
				kill(p->pid, SIGTERM);
				forwarded = true;
			}
			if (pt_now_ns() > deadline) {
				snprintf(err, len, "process %s did not finish its repeat: killed", p->name);
				rc = -1;
				break;
			}
			/* once forwarded, the flag no longer wakes it: the
			 * child's `done` or its exit does */
			nap(p->to_parent, p->pidfd, true, deadline, &old);
		}
		if (atomic_load(&p->shm->done) && p->shm->json_len) {
			p->doc = json_tokener_parse(p->shm->json);
			if (!p->doc && !rc) {
				snprintf(err, len, "process %s: its result does not parse", p->name);
				rc = -1;
			}
		} else if (!rc) {
			snprintf(err, len, "process %s ended without a result (%s %d)", p->name,
				 WIFSIGNALED(status) ? "signal" : "exit",
				 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
			rc = -1;
		}
		if (p->stopped && !rc && !pt_stop_signal) {
			/* its ops' times ran on while it stood still, the window's did not */
			snprintf(err, len, "process %s was stopped (SIGSTOP, a debugger) during the measured "
					   "window: its ops do not measure the window",
				 p->name);
			rc = -1;
		}
		behind = p->shm->t_open_seen > run->t_measure && run->t_measure ?
				 p->shm->t_open_seen - run->t_measure : 0;
		if (behind > BEHIND_NS(run->plan->duration_ns) && !rc && !pt_stop_signal) {
			snprintf(err, len, "process %s began its measured window %.3f s after the parent's: it fell "
					   "behind, and the window's length is not its own",
				 p->name, (double)behind / 1e9);
			rc = -1;
		}
		if (atomic_load(&p->shm->done) && p->shm->rc && !rc && !pt_stop_signal) {
			struct json_object *e;

			snprintf(err, len, "process %s: %s", p->name,
				 p->doc && json_object_object_get_ex(p->doc, "error", &e) ? json_object_get_string(e)
											  : "its repeat failed");
			rc = -1;
		}
		reap(p, true);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

struct json_object *pt_procs_role_json(struct pt_run *run, const struct pt_role_run *rr,
				       struct json_object *timeline)
{
	const char *name = pt_role_process(rr);
	struct pt_proc *p = name ? find_proc(run, name) : NULL;
	struct json_object *w, *o, *tl;

	if (!p)
		return NULL;
	if (!p->doc || !json_object_object_get_ex(p->doc, "workers", &w) ||
	    !json_object_object_get_ex(w, rr->role->name, &o)) {
		o = json_object_new_object();
		json_object_object_add(o, "type", json_object_new_string(rr->role->type->name));
		json_object_object_add(o, "ops", json_object_new_object());
	} else {
		json_object_get(o);
	}
	json_object_object_add(o, "process", json_object_new_string(p->name));
	json_object_object_add(o, "pid", json_object_new_int(p->forked));
	if (p->doc && json_object_object_get_ex(p->doc, "timeline", &tl) &&
	    json_object_object_get_ex(tl, rr->role->name, &tl))
		json_object_object_add(timeline, rr->role->name, json_object_get(tl));
	return o;
}
