/* What the mmap_lock probe costs the task it watches, per backend: an
 * mmap/munmap loop (64 KiB not populated: 7 mmap_lock events per iteration;
 * 2 MiB populated: 10) timed in the loop thread's own CPU time
 * (CLOCK_THREAD_CPUTIME_ID: the probe's kernel work runs in that thread, and
 * CPU time does not count the time a busy machine keeps the thread waiting,
 * which wall-clock rates on a shared machine drown in). Backends: off, bpf
 * (mmap_lock), bpf+vma (with the per-VMA lock probe: the default), tracefs.
 * Rounds interleave the backends in rotating order; reported: the median of
 * the per-round rate ratios (on/off) and ns per event, and best against best
 * (the fastest round of each side: on a shared machine the round least
 * disturbed by others is the closest to the probe's own cost). ROUNDS=N in
 * the environment sets the rounds (default 9). Needs root.
 *
 * Two more modes measure the floor under any BPF probe, on the same three
 * tracepoints (tests/perf/overhead_floor.bpf.c): floor:empty, programs that
 * return at once (the kernel's dispatch into a program), and floor:clock,
 * programs that read the clock once (what a probe that times waits and holds
 * pays at the least). The probe's ns/event minus floor:clock's is its own
 * code: the part a change to the programs can win back.
 *
 * Then rounds of floor:clock, bpf and bpf+vma passes with the kernel's
 * run-time statistics on (BPF_ENABLE_STATS, held by an fd: nothing in sysctl
 * changes, and it ends with the fd): each program's run count and run time
 * say how much of the cost per event is the programs' own code and how much
 * the tracepoint's dispatch into them (the trampoline, the ctx setup), and
 * bpf's time per run less floor:clock's is the probe's own code measured by
 * the kernel (breakdown()). Stats add two clock reads per run, so these
 * passes are not among the rounds above.
 *
 * The loop thread is a worker of an mmap-churn role to the probes and marks
 * its ops as workers do (pt_op_begin_at: mmap, munmap), so the programs take
 * their per-op path (the op marker read, the op's counters) in every mode. */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "ptbench/clock.h"
#include "ptbench/lock_probe.h"
#include "ptbench/mmap_lock_probe.h"
#include "ptbench/op_marker.h"
#include "ptbench/probe.h"
#include "ptbench/runner.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"

#include "overhead_floor.skel.h"

extern const struct pt_probe pt_probe_vma_lock;

#define MAX_ROUNDS 64
static int ROUNDS = 9;
#define ROUND_CPU_NS 250000000ull

enum { M_OFF, M_FLOOR_EMPTY, M_FLOOR_CLOCK, M_BPF, M_BPF_VMA, M_TRACEFS, NMODES };
static const char *const mode_names[NMODES] = { "off", "floor:empty", "floor:clock", "bpf", "bpf+vma", "tracefs" };

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* the loop thread, a worker to the probes (main) */
static struct pt_thread *me;

/* iterations per CPU-second of the loop; *iters gets the count */
static double loop(size_t size, bool populate, uint64_t *iters)
{
	uint64_t c0 = thread_cpu_ns(), n = 0, c;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | (populate ? MAP_POPULATE : 0);

	do {
		for (int i = 0; i < 16; i++) {
			void *p;

			/* marked as mmap-churn marks them (ops 0 and 1), no clock read */
			pt_op_begin_at(me, 0, n);
			p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
			pt_op_begin_at(me, 1, n);
			if (p == MAP_FAILED || munmap(p, size))
				abort();
			pt_op_end(me);
		}
		n += 16;
		c = thread_cpu_ns() - c0;
	} while (c < ROUND_CPU_NS);
	*iters = n;
	return (double)n * 1e9 / (double)c;
}

struct live {
	const struct pt_probe *p;
	void *st;
};

/* every round has a rate (a floor whose programs could not attach has 0) */
static bool measured(const double *rate)
{
	for (int r = 0; r < ROUNDS; r++)
		if (rate[r] <= 0)
			return false;
	return true;
}

/* attach one floor's three programs (empty or clock); NULL when the kernel
 * refuses (then the floors are not measured and the bench says so) */
static struct bpf_link **floor_attach(struct ptbench_overhead_floor *f, int mode, struct bpf_link **l)
{
	struct bpf_program *p[2][3] = {
		{ f->progs.floor_empty_start, f->progs.floor_empty_acquire, f->progs.floor_empty_release },
		{ f->progs.floor_clock_start, f->progs.floor_clock_acquire, f->progs.floor_clock_release },
	};

	for (int i = 0; i < 3; i++) {
		l[i] = bpf_program__attach(p[mode == M_FLOOR_CLOCK][i]);
		if (!l[i]) {
			while (i-- > 0)
				bpf_link__destroy(l[i]);
			return NULL;
		}
	}
	return l;
}

static int start(struct pt_run *run, const struct pt_probe *p, struct live *l)
{
	char why[512];

	l->p = p;
	if (p->start(run, &l->st, why, sizeof(why))) {
		printf("# %s: cannot start: %s\n", p == &pt_probe_mmap_lock_tracefs ? "tracefs" : "bpf", why);
		return -1;
	}
	pt_op_marks_fill_tids(run);
	if (p->threads_ready)
		p->threads_ready(l->st, run);
	run->t_start = run->t_measure = pt_now_ns();
	if (p->measure_begin)
		p->measure_begin(l->st, run);
	return 0;
}

static uint64_t finish(struct pt_run *run, struct live *l)
{
	struct json_object *o, *ev;
	uint64_t events = 0;

	run->t_stop = pt_now_ns();
	l->p->stop(l->st, run);
	o = l->p->result(l->st, run);
	if (o && json_object_object_get_ex(o, "events", &ev))
		events = (uint64_t)json_object_get_int64(ev);
	json_object_put(o);
	l->p->destroy(l->st);
	return events;
}

static bool is_floor(int m)
{
	return m == M_FLOOR_EMPTY || m == M_FLOOR_CLOCK;
}

/* what a mode has on: its probes (bpf, bpf+vma, tracefs) or a floor's links */
struct mode_on {
	int m;
	struct live l[2];
	int nl;
	struct bpf_link *fl_links[3];
};

/* Turn mode m on: 0, or -1 when a floor's programs could not attach or a
 * probe could not start (the per-VMA lock probe of bpf+vma may not: then
 * bpf+vma runs bpf alone, as a run would) */
static int mode_on(struct pt_run *run, struct ptbench_overhead_floor *fl, int m, struct mode_on *o)
{
	o->m = m;
	o->nl = 0;
	if (is_floor(m))
		return fl && floor_attach(fl, m, o->fl_links) ? 0 : -1;
	if (m == M_BPF || m == M_BPF_VMA) {
		if (start(run, &pt_probe_mmap_lock_bpf, &o->l[o->nl]))
			return -1;
		o->nl++;
	}
	if (m == M_BPF_VMA && !start(run, &pt_probe_vma_lock, &o->l[o->nl]))
		o->nl++;
	if (m == M_TRACEFS) {
		if (start(run, &pt_probe_mmap_lock_tracefs, &o->l[o->nl]))
			return -1;
		o->nl++;
	}
	return 0;
}

/* Turn it off: the events the mmap_lock probe counted (0 without one) */
static uint64_t mode_off(struct pt_run *run, struct mode_on *o)
{
	uint64_t events = 0;

	if (is_floor(o->m))
		for (int i = 0; i < 3; i++)
			bpf_link__destroy(o->fl_links[i]);
	for (int i = o->nl; i-- > 0;) {
		uint64_t e = finish(run, &o->l[i]);

		if (o->l[i].p != &pt_probe_vma_lock)
			events = e;
	}
	return events;
}

static int workload(struct pt_run *run, struct ptbench_overhead_floor *fl, const char *desc, size_t size,
		    bool populate)
{
	double ratio[NMODES][MAX_ROUNDS], nsev[NMODES][MAX_ROUNDS], rate[NMODES][MAX_ROUNDS], epi[NMODES][MAX_ROUNDS];

	for (int r = 0; r < ROUNDS; r++) {
		double off_rate = 0;
		int order[NMODES];

		for (int k = 0; k < NMODES; k++)
			order[k] = (k + r) % NMODES;
		/* off's rate must be known for the ratios: measure all, then divide */
		for (int k = 0; k < NMODES; k++) {
			int m = order[k];
			struct mode_on on;
			uint64_t it;

			if (mode_on(run, fl, m, &on)) {
				if (!is_floor(m))
					return -1;
				rate[m][r] = 0;
				continue;
			}
			rate[m][r] = loop(size, populate, &it);
			epi[m][r] = (double)mode_off(run, &on) / (double)it;
		}
		/* the floors count nothing: they see the events the bpf probe counted */
		epi[M_FLOOR_EMPTY][r] = epi[M_FLOOR_CLOCK][r] = epi[M_BPF][r];
		off_rate = rate[M_OFF][r];
		for (int m = 1; m < NMODES; m++) {
			ratio[m][r] = rate[m][r] / off_rate;
			nsev[m][r] = epi[m][r] > 0 && rate[m][r] > 0 ? (1 / rate[m][r] - 1 / off_rate) * 1e9 / epi[m][r] : 0;
		}
	}
	/* the probe above the clock floor, round by round (both sides saw the
	 * same machine), taken before median() below sorts the per-mode arrays */
	double own[MAX_ROUNDS];
	bool have_own = measured(rate[M_FLOOR_CLOCK]);

	for (int r = 0; have_own && r < ROUNDS; r++)
		own[r] = nsev[M_BPF][r] - nsev[M_FLOOR_CLOCK][r];
	/* the default (both lock probes) above bpf alone, round by round */
	double vma_over[MAX_ROUNDS];
	bool have_vma = measured(rate[M_BPF_VMA]) && measured(rate[M_BPF]);

	for (int r = 0; have_vma && r < ROUNDS; r++)
		vma_over[r] = nsev[M_BPF_VMA][r] - nsev[M_BPF][r];
	for (int m = 1; m < NMODES; m++) {
		double rt[MAX_ROUNDS], ro[MAX_ROUNDS], ns[MAX_ROUNDS], best_on = 0, best_off = 0, e;

		if (!measured(rate[m])) {
			printf("%-20s %-11s not measured: its programs could not be attached\n", desc, mode_names[m]);
			continue;
		}
		memcpy(rt, rate[m], sizeof(rt));
		memcpy(ro, rate[M_OFF], sizeof(ro));
		memcpy(ns, nsev[m], sizeof(ns));
		for (int r = 0; r < ROUNDS; r++) {
			best_on = rate[m][r] > best_on ? rate[m][r] : best_on;
			best_off = rate[M_OFF][r] > best_off ? rate[M_OFF][r] : best_off;
		}
		e = median(epi[m], ROUNDS);
		printf("%-20s %-11s %12.0f %12.0f %7.3f %8.2f %9.0f %7.3f %9.0f   per round, sorted:", desc, mode_names[m],
		       median(ro, ROUNDS), median(rt, ROUNDS), median(ratio[m], ROUNDS), e, median(ns, ROUNDS),
		       best_on / best_off, e > 0 ? (1 / best_on - 1 / best_off) * 1e9 / e : 0);
		for (int r = 0; r < ROUNDS; r++)
			printf(" %.3f", ratio[m][r]);
		printf("\n");
	}
	if (have_own) {
		/* median() sorts, so the quartiles are read after it; a spread
		 * wider than the median says the loop is too slow for a per-event
		 * figure */
		double mid = median(own, ROUNDS);

		printf("%-20s bpf above floor:clock: %.0f ns/event, the programs' own code (median of rounds; "
		       "quartiles %.0f .. %.0f)\n",
		       desc, mid, own[ROUNDS / 4], own[(3 * ROUNDS) / 4]);
	}
	if (have_vma) {
		double mid = median(vma_over, ROUNDS);

		printf("%-20s bpf+vma above bpf: %.0f ns/event, what the per-VMA lock probe adds (median of rounds; "
		       "quartiles %.0f .. %.0f)\n",
		       desc, mid, vma_over[ROUNDS / 4], vma_over[(3 * ROUNDS) / 4]);
	}
	return 0;
}

/* run count and time of this process's loaded programs whose names begin
 * with prefix (ptbench_*, the probes' but ptbench_fork; floor_clock_*):
 * those whose ids its own file descriptors hold (/proc/self/fdinfo), not
 * those of other ptbench runs on the machine, which come and go */
static void prog_stats(const char *prefix, uint64_t *cnt, uint64_t *ns)
{
	DIR *d = opendir("/proc/self/fdinfo");
	struct dirent *de;
	__u32 seen[256];
	size_t nseen = 0;

	*cnt = *ns = 0;
	while (d && (de = readdir(d))) {
		char path[300], *text, *at;
		struct bpf_prog_info info;
		__u32 len = sizeof(info), id = 0;
		bool dup = false;
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%s", de->d_name);
		text = pt_read_file(path, NULL);
		at = text ? strstr(text, "prog_id:") : NULL;
		if (at)
			id = (__u32)strtoul(at + 8, NULL, 10);
		free(text);
		/* a program's fd and its link's both name it */
		for (size_t i = 0; i < nseen; i++)
			dup |= seen[i] == id;
		if (!id || dup || nseen == PT_ARRAY_SIZE(seen))
			continue;
		seen[nseen++] = id;
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && !strncmp(info.name, prefix, strlen(prefix)) &&
		    strcmp(info.name, "ptbench_fork")) {
			*cnt += info.run_cnt;
			*ns += info.run_time_ns;
		}
		close(fd);
	}
	if (d)
		closedir(d);
}

/* Passes with run-time statistics, rotating floor:clock, bpf and bpf+vma
 * over ROUNDS rounds: the programs' runs per iteration (every run of them:
 * other processes' mmap_lock events run them too, and find them not the
 * run's) and their own ns per run. The statistics time each run with two
 * clock reads of their own, in every mode alike, so bpf's ns per run less
 * floor:clock's, round by round, is the probe's own code above the one
 * clock read any timing probe makes: the kernel's measure of what the
 * loop's rate ratios above estimate, without the dispatch and without the
 * loop's noise (a vCPU that slows down slows both sides of a round). */
enum { S_FLOOR, S_BPF, S_BPF_VMA, NSTATS };

static void breakdown(struct pt_run *run, struct ptbench_overhead_floor *fl, const char *desc, size_t size,
		      bool populate)
{
	static const int mode[NSTATS] = { M_FLOOR_CLOCK, M_BPF, M_BPF_VMA };
	double per_run[NSTATS][MAX_ROUNDS], runs_it[NSTATS][MAX_ROUNDS], own[MAX_ROUNDS];
	int sfd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	/* a mode with a pass that could not run or saw no run has no figure */
	bool have[NSTATS] = { true, true, true };

	if (sfd < 0) {
		printf("%-20s programs: no run-time statistics (BPF_ENABLE_STATS: %s)\n", desc,
		       strerror(errno));
		return;
	}
	for (int r = 0; r < ROUNDS; r++)
		for (int k = 0; k < NSTATS; k++) {
			int s = (k + r) % NSTATS;
			const char *prefix = s == S_FLOOR ? "floor_clock_" : "ptbench_";
			uint64_t it, c0, n0, c1, n1;
			struct mode_on on;

			if (mode_on(run, fl, mode[s], &on)) {
				have[s] = false;
				continue;
			}
			prog_stats(prefix, &c0, &n0);
			loop(size, populate, &it);
			prog_stats(prefix, &c1, &n1);
			mode_off(run, &on);
			if (c1 <= c0) {
				have[s] = false;
				continue;
			}
			per_run[s][r] = (double)(n1 - n0) / (double)(c1 - c0);
			runs_it[s][r] = (double)(c1 - c0) / (double)it;
		}
	close(sfd);
	/* round by round (both passes saw the same machine), before median()
	 * below sorts the per-mode arrays */
	for (int r = 0; have[S_FLOOR] && have[S_BPF] && r < ROUNDS; r++)
		own[r] = per_run[S_BPF][r] - per_run[S_FLOOR][r];
	for (int s = 0; s < NSTATS; s++)
		if (have[s])
			printf("%-20s programs (%s): %.2f runs/iter, %.0f ns per run (kernel run-time "
			       "statistics, two clock reads of theirs included; median of %d rounds)\n",
			       desc, mode_names[mode[s]], median(runs_it[s], ROUNDS), median(per_run[s], ROUNDS),
			       ROUNDS);
	if (have[S_FLOOR] && have[S_BPF]) {
		double mid = median(own, ROUNDS);

		printf("%-20s bpf above floor:clock, per run: %.0f ns, the programs' own code (kernel run-time "
		       "statistics; median of rounds, quartiles %.0f .. %.0f)\n",
		       desc, mid, own[ROUNDS / 4], own[(3 * ROUNDS) / 4]);
	}
}

int main(void)
{
	struct pt_plan_role role = { .name = "churn", .type = pt_worker_find("mmap-churn"), .threads = 1 };
	struct pt_plan plan = { .roles = &role, .nroles = 1, .trace = true, .lock_probe = PT_LOCK_PROBE_AUTO,
				.duration_ns = 3600ull * 1000000000ull };
	struct pt_thread th = { .tid = gettid(), .cpu = -1, .op_mark = pt_op_mark_slot(0) };
	struct pt_role_run rr = { .role = &role, .threads = &th, .nops = 2 };
	struct pt_run run = { .plan = &plan, .roles = &rr, .nroles = 1 };
	struct ptbench_overhead_floor *fl;

	if (getenv("ROUNDS")) {
		ROUNDS = atoi(getenv("ROUNDS"));
		if (ROUNDS < 1 || ROUNDS > MAX_ROUNDS) {
			fprintf(stderr, "bpf_overhead: ROUNDS must be 1..%d\n", MAX_ROUNDS);
			return 2;
		}
	}
	if (geteuid() != 0) {
		printf("bpf_overhead: skipped: needs root (BPF, tracefs)\n");
		return 0;
	}
	rr.run = &run;
	me = &th;
	printf("mmap_lock probe cost to the traced thread (its CPU time), %d interleaved rounds\n", ROUNDS);
	{
		/* every probe event reads the kernel clock: its source sets much of the cost */
		char *cs = pt_read_file("/sys/devices/system/clocksource/clocksource0/current_clocksource", NULL);

		printf("kernel clocksource: %s", cs ? cs : "unknown\n");
		free(cs);
	}
	fl = ptbench_overhead_floor__open_and_load();
	if (!fl)
		printf("# floor programs: cannot load (%s): floors not measured\n", strerror(errno));
	printf("%-20s %-11s %12s %12s %7s %8s %9s %7s %9s\n", "workload", "backend", "off iter/s", "on iter/s", "on/off",
	       "ev/iter", "ns/event", "best", "best ns/ev");
	if (workload(&run, fl, "64K, not populated", 64 << 10, false) ||
	    workload(&run, fl, "2M, populated", 2 << 20, true)) {
		printf("bpf_overhead: a backend could not start (see above): not measured\n");
		ptbench_overhead_floor__destroy(fl);
		return 0;
	}
	breakdown(&run, fl, "64K, not populated", 64 << 10, false);
	breakdown(&run, fl, "2M, populated", 2 << 20, true);
	ptbench_overhead_floor__destroy(fl);
	return 0;
}
