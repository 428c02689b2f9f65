/* The state of a run: the plan's roles as the repeat makes them run (their
 * threads, histograms, shared state), the phase and the measured window,
 * the probes' instances. The runner (runner.c) drives it; the role
 * processes (role_process.c) mirror it in a child; workers and probes read
 * it only through their accessors (worker.h, probe.h), which are the only
 * other files that see these fields. Data only: no function here. */
#ifndef PTBENCH_RUN_STATE_H
#define PTBENCH_RUN_STATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ptbench/plan.h"
#include "ptbench/worker.h"

/* PAUSE: the warm-up is over; workers finish their iteration and wait, so
 * that the measured window opens with no iteration in flight. STOP: no new
 * iteration starts; the window closes when the last one has ended. */
enum pt_phase { PT_PHASE_SETUP, PT_PHASE_WARMUP, PT_PHASE_PAUSE, PT_PHASE_MEASURE, PT_PHASE_STOP };

/* A role's part of the run: what it planned stays in role (threads, cpus,
 * membind, opts), what the repeat makes of it is here. */
struct pt_role_run {
	struct pt_run *run;
	const struct pt_plan_role *role;
	struct pt_thread *threads;    /* role->threads of them */
	pthread_t *pthreads;
	void *shared;                 /* the worker's per-role state */
	/* merged at the end of the repeat */
	struct pt_hist *merged[PT_MAX_OPS];
	uint64_t merged_errors[PT_MAX_OPS][PT_ERRNO_SLOTS];
	int nops;
};

struct pt_probe;
struct pt_proc_shm;
struct json_object;

/* A role process of the repeat (role key process = NAME; role_process.c
 * forks, drives and reaps it; a reader's target = process:NAME reads its
 * pid, target.c). */
struct pt_proc {
	char name[PT_PLAN_PROCESS_NAME_MAX];
	pid_t pid;                   /* 0 once reaped */
	pid_t forked;                /* for the result */
	struct pt_proc_shm *shm;    /* the page it shares with ptbench (role_process.c) */
	struct json_object *doc;     /* what the child wrote */
	bool watching;               /* from `go` to `closed`: a stop there spoils the repeat */
	bool stopped;                /* it was stopped (SIGSTOP, a tracer) while watched */
	/* what each side sleeps on (role_process.c): eventfds written after a
	 * flag of the shared page is set, and the child's pidfd (readable
	 * once it exited); -1 where there is none */
	int to_child, to_parent, pidfd;
	int status;                  /* its wait status, once reaped by a wait */
};

struct pt_procs {
	struct pt_proc *p;
	int n;
};


struct pt_probe_inst {
	const struct pt_probe *probe;
	void *state;
	bool available;
	char why[256];                /* reason when unavailable */
};

struct pt_run {
	const struct pt_plan *plan;
	int repeat;                   /* index of the current repeat */
	_Atomic int phase;
	_Atomic int failed;           /* a worker hit an unexpected error */
	/* An eventfd the main thread sleeps on through the warm-up and the
	 * window: a failure and a stop signal write to it. -1 outside a repeat. */
	int wake_fd;
	char fail_msg[256];
	/* pt_now_ns() at the phase changes: t_measure opens the measured window
	 * (every worker paused between iterations), t_end is when no new
	 * iteration may start (t_measure + duration), t_stop closes the window
	 * (the last counted iteration has ended). Rates use t_stop - t_measure. */
	uint64_t t_start, t_measure, t_end, t_stop;
	_Atomic uint64_t measure_from;        /* t_measure once measuring, UINT64_MAX before */
	struct pt_role_run *roles;
	size_t nroles;
	/* The start gate: threads register, then wait for "go". Not a pthread
	 * barrier, which cannot be told that a thread will never come when
	 * pthread_create fails: the gate is then opened for those that exist. */
	pthread_mutex_t gate_lock;
	pthread_cond_t gate_cond;
	int registered;
	bool go;
	/* Under gate_lock too: workers paused at the end of the warm-up, workers
	 * done with their last iteration, and whether the window has closed
	 * (they wait for it before thread_fini, whose unmapping would otherwise
	 * count as locks of the window). */
	int paused, drained;
	bool closed;
	struct pt_probe_inst *probes;
	size_t nprobes;
	bool progress;                /* progress line on stderr */
	bool in_child;                /* this is a role process's part of the run */
	struct pt_procs *procs;       /* role processes of this repeat (src/run/role_process.c) */
};

#endif
