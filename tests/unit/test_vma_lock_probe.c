/* The per-VMA lock probe (src/bpf/vma_lock.bpf.c) counts what this thread
 * does, and nothing else, by each method that loads here (fexit; the
 * tracepoints, forced with PTBENCH_VMA_METHOD). Each round maps 64 KiB of
 * fresh anonymous memory (MAP_NORESERVE, MADV_NOHUGEPAGE: no neighbour to
 * merge with, no large folio), touches a page (a fault; the first in a new
 * VMA needs an anon_vma, which takes mmap_lock: a fallback where the
 * tracepoints count, a lock or a fallback where fexit counts), touches a
 * second page (a fault that stays under the VMA lock), calls mincore()
 * (mmap_lock for read from a system call: never a fault's fallback, whatever
 * the fault before it did) and unmaps. Then SIG_ROUNDS faults that are
 * refused (a write to a read-only page: the VMA lock is had, the answer is
 * SIGSEGV) whose handler runs on a fresh sigaltstack: the kernel writes the
 * signal frame on the way out of the fault, with the fault's registers,
 * faulting in kernel mode and taking mmap_lock for the stack's anon_vma,
 * which is not the user fault's fallback. Both kernel facts hold on 6.4 .. 7.3;
 * a kernel that stops taking mmap_lock for either makes the tracepoint
 * counts change, and this test says so. Needs root and a kernel with per-VMA
 * locks; skips say why. */
#define _GNU_SOURCE
#include <json-c/json.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ptbench/clock.h"
#include "ptbench/lock_probe.h"
#include "ptbench/probe.h"
#include "ptbench/runner.h"
#include "ptbench/worker.h"
#include "tap.h"

extern const struct pt_probe pt_probe_vma_lock;

#define ROUNDS 2000
#define SIG_ROUNDS 500
/* faults this thread may take besides the touches (its stack, stdio) */
#define SLACK 64
/* under ASan the runtime's own faults come on top (it unpoisons the shadow
 * of the signal stack on siglongjmp: a few faults a signal round, all of
 * them under the VMA lock), so the attempts' upper bound is wider there */
#ifdef __SANITIZE_ADDRESS__
#define ATTEMPT_SLACK (SLACK + 8 * SIG_ROUNDS)
#else
#define ATTEMPT_SLACK SLACK
#endif

static long long count(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -1;
}

static void rounds(void)
{
	unsigned char vec[16];

	for (int i = 0; i < ROUNDS; i++) {
		volatile char *p = mmap(NULL, 64 << 10, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (p == MAP_FAILED || madvise((void *)p, 64 << 10, MADV_NOHUGEPAGE))
			abort();
		p[0] = 1;
		p[32 << 10] = 1;
		if (mincore((void *)p, 64 << 10, vec) || munmap((void *)p, 64 << 10))
			abort();
	}
}

static sigjmp_buf back;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(back, 1);
}

/* apart, so that no local of the loop lives across the sigsetjmp */
static __attribute__((noinline)) void refused_write(volatile char *ro)
{
	if (!sigsetjmp(back, 1))
		ro[0] = 1;
}

static void signal_rounds(void)
{
	struct sigaction sa = { .sa_handler = on_segv, .sa_flags = SA_ONSTACK };
	stack_t ss = { .ss_size = 64 << 10 }, off = { .ss_flags = SS_DISABLE };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL))
		abort();
	for (int i = 0; i < SIG_ROUNDS; i++) {
		volatile char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		ss.ss_sp = mmap(NULL, ss.ss_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				-1, 0);
		if (ro == MAP_FAILED || ss.ss_sp == MAP_FAILED || sigaltstack(&ss, NULL))
			abort();
		refused_write(ro);
		if (sigaltstack(&off, NULL) || munmap(ss.ss_sp, ss.ss_size) || munmap((void *)ro, 4096))
			abort();
	}
	signal(SIGSEGV, SIG_DFL);
}

/* one run of the probe with PTBENCH_VMA_METHOD=method */
static void check_method(const char *method)
{
	struct pt_plan_role role = { .name = "faulter", .threads = 1 };
	struct pt_plan plan = { .roles = &role, .nroles = 1, .trace = true, .lock_probe = PT_LOCK_PROBE_AUTO,
				.duration_ns = 3600ull * 1000000000ull };
	struct pt_thread th = { .tid = gettid(), .cpu = -1 };
	struct pt_role_run rr = { .role = &role, .threads = &th };
	struct pt_run run = { .plan = &plan, .roles = &rr, .nroles = 1 };
	struct json_object *o, *roles, *me, *got;
	long long att, lk, fb, nts;
	char why[512];
	void *st;

	rr.run = &run;
	setenv("PTBENCH_VMA_METHOD", method, 1);
	if (pt_probe_vma_lock.start(&run, &st, why, sizeof(why))) {
		/* CI (PTBENCH_REQUIRE_BPF) has BPF and a 6.4+ x86 kernel, where
		 * the tracepoint method always loads */
		if (getenv("PTBENCH_REQUIRE_BPF") && !strcmp(method, "tracepoints") && !strstr(why, "no per-VMA locks"))
			tap_ok(0, "%s: the probe must run here: %s", method, why);
		else
			for (int i = 0; i < 5; i++)
				printf("ok %d # skip %s: %s\n", ++tap_n, method, why);
		return;
	}
	pt_probe_vma_lock.threads_ready(st, &run);
	run.t_start = run.t_measure = pt_now_ns();
	pt_probe_vma_lock.measure_begin(st, &run);
	rounds();
	signal_rounds();
	run.t_stop = pt_now_ns();
	pt_probe_vma_lock.stop(st, &run);
	o = pt_probe_vma_lock.result(st, &run);
	pt_probe_vma_lock.destroy(st);

	if (!tap_ok(json_object_object_get_ex(o, "roles", &roles) && json_object_object_get_ex(roles, "faulter", &me) &&
			    json_object_object_get_ex(o, "method", &got),
		    "%s: the result has the faulter role and the method", method)) {
		json_object_put(o);
		return;
	}
	tap_ok(!strcmp(json_object_get_string(got), method), "%s: the method asked for ran (%s)", method,
	       json_object_get_string(got));
	att = count(me, "attempts");
	lk = count(me, "locked");
	fb = count(me, "fallbacks");
	nts = count(o, "no_task_storage");
	tap_diag("%s: %d + %d rounds, attempts %lld, locked %lld, fallbacks %lld", method, ROUNDS, SIG_ROUNDS, att, lk,
		 fb);
	tap_ok(att >= 2 * ROUNDS + SIG_ROUNDS && att <= 2 * ROUNDS + SIG_ROUNDS + ATTEMPT_SLACK,
	       "%s: two faults a round and one a signal round are attempts (%lld for %d)", method, att,
	       2 * ROUNDS + SIG_ROUNDS);
	if (!strcmp(method, "tracepoints")) {
		/* locked is attempts - fallbacks there: the fallbacks are the test.
		 * The first touch's anon_vma takes mmap_lock; mincore's read lock
		 * after the second touch is a system call's, not the fault's; the
		 * signal frame's fault is the kernel's */
		tap_ok(fb >= ROUNDS && fb <= ROUNDS + SLACK,
		       "%s: one fallback a round (the first touch), none a signal round (%lld for %d)", method, fb,
		       ROUNDS);
	} else {
		tap_ok(lk + fb == att && lk >= ROUNDS + SIG_ROUNDS && fb <= ROUNDS + SLACK,
		       "%s: each attempt locked or fell back, the second touch and the refused one locked (%lld + %lld = %lld)",
		       method, lk, fb, att);
	}
	tap_ok(nts == 0, "%s: every event had its task's state (no_task_storage %lld)", method, nts);
	json_object_put(o);
}

int main(void)
{
	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root (BPF)\n");
		return 0;
	}
	check_method("fexit");
	check_method("tracepoints");
	return tap_done();
}
