/* Harness cost, measured side by side in one process:
 *  1. the cost of recording one sample (pt_record: histogram + timeline);
 *  2. the mmap-churn worker's rate against a bare loop doing the same
 *     mmap/munmap syscalls with no timing at all, interleaved in rounds so
 *     drift and noise hit both alike. Reported as ratios, not asserted. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ptbench/clock.h"
#include "ptbench/runner.h"
#include "ptbench/scenario.h"
#include "ptbench/worker.h"

#define ROUNDS 10
#define ROUND_NS 300000000ull
#define MAP_SIZE (1u << 20)

extern const struct pt_worker_type pt_worker_mmap_churn;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* pt_record's cost when each sample follows 4 KiB of fresh stores, as one
 * after a first-touch fault does (the kernel clears the page): the loop with
 * and without the record back to back, median of the paired differences. */
static double record_after_page_ns(struct pt_thread *t)
{
	enum { PAGES = 256, N = 20000, R = 41 };
	static char buf[PAGES * 4096];
	double diff[R];

	for (int r = 0; r < R; r++) {
		double ns[2];

		for (int k = 0; k < 2; k++) {
			int rec = (r + k) % 2; /* alternate which goes first */
			uint64_t t0 = pt_now_ns();

			for (uint64_t i = 0; i < N; i++) {
				memset(buf + (i % PAGES) * 4096, (int)i, 4096);
				__asm__ volatile("" ::: "memory");
				if (rec)
					pt_record(t, 1, i, i + (i & 0xfff) * 37);
			}
			ns[rec] = (double)(pt_now_ns() - t0) / N;
		}
		diff[r] = ns[1] - ns[0];
	}
	qsort(diff, R, sizeof(double), cmp_double);
	return diff[R / 2];
}

static double bare_rate(void)
{
	uint64_t t0 = pt_now_ns(), n = 0, now;

	do {
		for (int i = 0; i < 64; i++) {
			void *p = mmap(NULL, MAP_SIZE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED || munmap(p, MAP_SIZE))
				abort();
		}
		n += 64;
		now = pt_now_ns();
	} while (now - t0 < ROUND_NS);
	return (double)n / ((double)(now - t0) / 1e9);
}

static double harness_rate(struct pt_thread *t)
{
	uint64_t t0 = pt_now_ns(), n = 0, now;

	do {
		for (int i = 0; i < 64; i++) {
			/* what the runner does per iteration: a phase check and run_once */
			if (pt_should_stop(t) || pt_worker_mmap_churn.run_once(t))
				abort();
		}
		n += 64;
		now = pt_now_ns();
	} while (now - t0 < ROUND_NS);
	return (double)n / ((double)(now - t0) / 1e9);
}

int main(void)
{
	static const char text[] = "[scenario]\n[worker churn]\ntype = mmap-churn\nsize = 1M\n";
	struct pt_scenario *sc = pt_scenario_parse("bench.ini", text);
	struct pt_run run;
	struct pt_plan *plan;
	struct pt_role_run rr;
	struct pt_thread t;
	double ratios[ROUNDS], bare_sum = 0, harness_sum = 0;
	char err[128];
	uint64_t t0, n = 20000000;

	memset(&run, 0, sizeof(run));
	memset(&rr, 0, sizeof(rr));
	memset(&t, 0, sizeof(t));
	run.phase = PT_PHASE_MEASURE;
	rr.run = &run;
	if (pt_plan_build(sc, PT_PLAN_NO_POINT, NULL, &plan))
		return 2;
	rr.role = &plan->roles[0];
	rr.nops = 2;
	t.rr = &rr;
	t.measure_from = &run.measure_from; /* 0: slot 0 starts at 0 */
	t.counting = true;                  /* every sample counts */
	t.tl_interval = 100000000ull;
	t.tl_slots = 1 + 2 * (size_t)(ROUNDS * ROUND_NS / t.tl_interval) + 20;
	for (int op = 0; op < 2; op++) {
		t.hist[op] = pt_hist_new();
		t.timeline[op] = calloc(t.tl_slots, sizeof(struct pt_tl_slot));
	}
	t.tl_slot_end = pt_now_ns() + t.tl_interval;

	/* 1. one recorded sample, with the clock reads a timed op needs */
	t0 = pt_now_ns();
	for (uint64_t i = 0; i < n; i++)
		pt_record(&t, 0, i, i + (i & 0xfff) * 37);
	double record_ns = (double)(pt_now_ns() - t0) / (double)n;

	t0 = pt_now_ns();
	for (uint64_t i = 0; i < n; i++)
		(void)pt_now_ns();
	double clock_ns = (double)(pt_now_ns() - t0) / (double)n;
	printf("record one sample (pt_record):      %6.2f ns\n", record_ns);
	printf("  with 4 KiB written between samples: %6.2f ns (the cache a fault's clear_page leaves it)\n",
	       record_after_page_ns(&t));
	printf("read the clock (CLOCK_MONOTONIC):   %6.2f ns (a timed op reads it twice)\n", clock_ns);

	/* 2. churn through the worker vs a bare loop, driven as the runner
	 * drives it: setup, thread_init ... thread_fini, teardown */
	if (pt_worker_mmap_churn.setup(&rr, err, sizeof(err)) ||
	    pt_worker_mmap_churn.thread_init(&t, err, sizeof(err))) {
		fprintf(stderr, "set-up: %s\n", err);
		return 1;
	}
	pt_hist_init(t.hist[0]);
	t.tl_cur = 0;
	t.tl_slot_end = pt_now_ns() + t.tl_interval;
	for (int r = 0; r < ROUNDS; r++) {
		double b = bare_rate(), h = harness_rate(&t);

		bare_sum += b;
		harness_sum += h;
		ratios[r] = h / b;
	}
	qsort(ratios, ROUNDS, sizeof(double), cmp_double);
	printf("mmap+munmap of 1 MiB, %d interleaved rounds of %.1fs each:\n", ROUNDS,
	       (double)ROUND_NS / 1e9);
	printf("  bare loop:        %10.0f pairs/s (mean)\n", bare_sum / ROUNDS);
	printf("  ptbench worker:   %10.0f pairs/s (mean)\n", harness_sum / ROUNDS);
	printf("  ratio worker/bare: median %.4f (min %.4f, max %.4f) -> harness cost %.2f%%\n",
	       (ratios[ROUNDS / 2 - 1] + ratios[ROUNDS / 2]) / 2, ratios[0], ratios[ROUNDS - 1],
	       (1 - (ratios[ROUNDS / 2 - 1] + ratios[ROUNDS / 2]) / 2) * 100);
	pt_worker_mmap_churn.thread_fini(&t);
	pt_worker_mmap_churn.teardown(&rr);
	pt_scenario_free(sc);
	return 0;
}
