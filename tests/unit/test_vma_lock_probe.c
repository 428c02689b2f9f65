/* The per-VMA lock probe (src/bpf/vma_lock.bpf.c) counts what this thread
 * does, and nothing else: each round maps 64 KiB of fresh anonymous memory,
 * touches a page (a fault; the first in a new VMA needs an anon_vma, which
 * takes mmap_lock: a fallback where the tracepoints count, a lock where fexit
 * counts), touches a second page (a fault that stays under the VMA lock),
 * calls mincore() (mmap_lock for read from a system call: never a fault's
 * fallback, whatever the fault before it did) and unmaps. Needs root and a
 * kernel with per-VMA locks; skips say why. */
#define _GNU_SOURCE
#include <json-c/json.h>
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
/* faults this thread may take besides the touches (its stack, stdio) */
#define SLACK 64

static long long count(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -1;
}

static void skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
}

static void rounds(void)
{
	unsigned char vec[16];

	for (int i = 0; i < ROUNDS; i++) {
		volatile char *p = mmap(NULL, 64 << 10, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (p == MAP_FAILED)
			abort();
		p[0] = 1;
		p[8 << 10] = 1;
		if (mincore((void *)p, 64 << 10, vec) || munmap((void *)p, 64 << 10))
			abort();
	}
}

int main(void)
{
	struct pt_plan_role role = { .name = "faulter" };
	struct pt_thread th = { .tid = gettid(), .cpu = -1 };
	struct pt_role_run rr = { .role = &role, .nthreads = 1, .threads = &th };
	struct pt_run run = { .roles = &rr, .nroles = 1, .trace = true, .lock_probe = PT_LOCK_PROBE_AUTO };
	struct json_object *o, *roles, *me, *method;
	long long att, lk, fb;
	char why[512];
	void *st;

	if (geteuid() != 0) {
		skip_all("needs root (BPF)");
		return 0;
	}
	rr.run = &run;
	run.duration_ns = 3600ull * 1000000000ull;
	if (pt_probe_vma_lock.start(&run, &st, why, sizeof(why))) {
		char msg[600];

		snprintf(msg, sizeof(msg), "the per-VMA lock probe cannot run here: %s", why);
		/* CI (PTBENCH_REQUIRE_BPF) has BPF and a 6.4+ kernel: there it must run */
		if (getenv("PTBENCH_REQUIRE_BPF") && !strstr(why, "no per-VMA locks")) {
			tap_ok(0, "%s", msg);
			return tap_done();
		}
		skip_all(msg);
		return 0;
	}
	pt_probe_vma_lock.threads_ready(st, &run);
	run.t_start = run.t_measure = pt_now_ns();
	pt_probe_vma_lock.measure_begin(st, &run);
	rounds();
	run.t_stop = pt_now_ns();
	pt_probe_vma_lock.stop(st, &run);
	o = pt_probe_vma_lock.result(st, &run);
	pt_probe_vma_lock.destroy(st);

	if (!tap_ok(json_object_object_get_ex(o, "roles", &roles) && json_object_object_get_ex(roles, "faulter", &me),
		    "the result has the faulter role")) {
		json_object_put(o);
		return tap_done();
	}
	json_object_object_get_ex(o, "method", &method);
	att = count(me, "attempts");
	lk = count(me, "locked");
	fb = count(me, "fallbacks");
	tap_diag("method %s: %d rounds, attempts %lld, locked %lld, fallbacks %lld", json_object_get_string(method),
		 ROUNDS, att, lk, fb);
	tap_ok(att >= 2 * ROUNDS && att <= 2 * ROUNDS + SLACK, "two faults a round are attempts (%lld for %d)", att,
	       2 * ROUNDS);
	tap_ok(lk + fb == att, "each attempt either locked or fell back (%lld + %lld = %lld)", lk, fb, att);
	if (!strcmp(json_object_get_string(method), "tracepoints")) {
		/* the first touch's anon_vma takes mmap_lock; mincore's read lock
		 * after the second touch is a system call's, not the fault's */
		tap_ok(fb >= ROUNDS && fb <= ROUNDS + SLACK, "one fallback a round: the first touch (%lld for %d)", fb,
		       ROUNDS);
	} else {
		tap_ok(lk >= ROUNDS, "fexit: at least the second touch of each round is locked (%lld)", lk);
	}
	json_object_put(o);
	return tap_done();
}
