/* Harness cost per worker type: each worker's op rate under
 * `ptbench run --no-trace` against its bare twin, a small C loop in this file
 * doing the same system calls and touches with the same clock reads around
 * each op, and nothing of the harness (no runner, histograms, timeline,
 * samplers or probes). Both run as separate processes for the same window
 * after the same warm-up, in interleaved rounds (the order alternates, so a
 * drift of the machine hits both alike); the table gives the median of the
 * per-round ratios ptbench/twin and their spread. The lock probes' own cost
 * is tests/perf/bpf_overhead.c's; -p adds an arm with them on here too.
 * Worker types without a twin get a row saying why (untwinned[]).
 * A second table (-i alone, -x without it) runs both in one thread of this
 * process and compares thread CPU per op, which other load on the machine
 * does not inflate: what the harness adds inside the measuring thread.
 *
 * usage: harness_cost [-r ROUNDS] [-d SECONDS] [-w SECONDS] [-t THREADS] [-c CPUS|none] [-p] [-i|-x] [NAME...]
 * -c: the CPUs the measuring threads of both arms run on (default: the last
 * THREADS online CPUs; the in-one-thread table uses the first of them).
 * Environment: PTBENCH (default ./ptbench). Exit 0 unless it cannot run at
 * all: this is a measurement, never a pass/fail test. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptbench/clean_hole.h"
#include "ptbench/clock.h"
#include "ptbench/placement.h"
#include "ptbench/runner.h"
#include "ptbench/scenario.h"
#include "ptbench/topo_plan.h"
#include "ptbench/vmstat.h"
#include "ptbench/worker.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#define PMD_SIZE (2UL << 20)
#define PAGE 4096UL
#define MAX_ROUNDS 64

static double opt_secs = 0.5, opt_warm = 0.2;
static int opt_threads = 1;
/* -c: the CPUs both arms' measuring threads run on, thread i on entry i mod
 * n (ptbench's `cpus = LIST`); n 0: unbound. The two vCPUs of the
 * development VM ran the same bare mmap/munmap loop at 170-177 k/s and at
 * 254-260 k/s (three alternating pinned runs each): unbound, which one each
 * arm lands on decides the round's ratio more than the harness does. */
static char opt_cpus[128];
static int pin_cpu[64], npin;

static int pin_to(int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one);
}

/* "none": unbound; else ptbench's own `cpus = LIST` syntax (the list goes
 * to the ptbench arm as that), into pin_cpu[]. -1 when malformed. */
static int parse_cpus(const char *list)
{
	static int all[CPU_SETSIZE];
	int n;

	npin = 0;
	if (!strcmp(list, "none"))
		return 0;
	n = pt_place_parse_list(list, all, CPU_SETSIZE);
	if (n <= 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (all[i] >= CPU_SETSIZE)
			return -1;
		if (npin < (int)(sizeof(pin_cpu) / sizeof(pin_cpu[0]))) /* threads are 64 at most */
			pin_cpu[npin++] = all[i];
	}
	return 0;
}
static pid_t smaps_target;
static volatile uint64_t sink; /* the twins' summed latencies: keeps the clock reads */

/* ---- the twins: what each worker's run_once does, minus pt_record ---- */

struct twin {
	int idx, n;
	uint64_t rng, acc;
	volatile char *base;
	size_t size, next, slice;
	int fd, backing;
	char *buf;
	size_t bufsize;
	int pm_fd;
	unsigned char *vec;
	uint64_t walk_start;
	int pipe[2];
	uint64_t *last, seq;
	char *at[2];
	int cur;
	struct pt_clean_hole hole;
};

/* The twin's iteration returns the unit ops it did (ptbench's unit_op). */
typedef uint64_t (*twin_once_fn)(struct twin *w);
typedef int (*twin_init_fn)(struct twin *w);

static uint64_t rnd(struct twin *w)
{
	uint64_t x = w->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	w->rng = x;
	return x;
}

/* pt_aligned_map's layout: a PROT_NONE reservation, a 2 MiB-aligned mapping inside */
static char *aligned_map(size_t len, int fd)
{
	char *r = mmap(NULL, len + PMD_SIZE + 2 * PAGE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t start;

	if (r == MAP_FAILED)
		return NULL;
	start = ((uintptr_t)r + PAGE + PMD_SIZE - 1) & ~(uintptr_t)(PMD_SIZE - 1);
	r = mmap((void *)start, len, PROT_READ | PROT_WRITE,
		 MAP_FIXED | (fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED), fd, 0);
	return r == MAP_FAILED ? NULL : r;
}

#define TIMED(w, stmt)                                  \
	do {                                            \
		uint64_t t0_ = pt_now_ns();             \
		stmt;                                   \
		(w)->acc += pt_now_ns() - t0_;          \
	} while (0)

/* fault (bench/fault.c): 64 MiB per thread, NOHUGEPAGE, touch each page, give back */
enum { B_ANON, B_SHMEM, B_FILE };
static int fault_init(struct twin *w)
{
	int flags = MAP_SHARED;
	void *p;

	w->size = 64UL << 20;
	w->fd = -1;
	if (w->backing == B_SHMEM) {
		w->fd = memfd_create("twin-fault", MFD_CLOEXEC);
	} else if (w->backing == B_FILE) {
		char path[] = "/var/tmp/ptbench-twin-XXXXXX";

		w->fd = mkostemp(path, O_CLOEXEC);
		if (w->fd >= 0)
			unlink(path);
	} else {
		flags = MAP_PRIVATE | MAP_ANONYMOUS;
	}
	if (w->backing != B_ANON && (w->fd < 0 || ftruncate(w->fd, (off_t)w->size)))
		return -1;
	p = mmap(NULL, w->size, PROT_READ | PROT_WRITE, flags, w->fd, 0);
	if (p == MAP_FAILED)
		return -1;
	w->base = p;
	madvise(p, w->size, MADV_NOHUGEPAGE);
	return 0;
}
static int fault_anon_init(struct twin *w) { w->backing = B_ANON; return fault_init(w); }
static int fault_shmem_init(struct twin *w) { w->backing = B_SHMEM; return fault_init(w); }
static int fault_file_init(struct twin *w) { w->backing = B_FILE; return fault_init(w); }
static uint64_t fault_once(struct twin *w)
{
	if (w->next * PAGE >= w->size) {
		if (w->backing == B_SHMEM)
			TIMED(w, fallocate(w->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t)w->size));
		else
			TIMED(w, madvise((void *)w->base, w->size, MADV_DONTNEED));
		w->next = 0;
		return 0;
	}
	TIMED(w, w->base[w->next * PAGE] = 1);
	w->next++;
	return 1;
}

/* mmap-churn (bench/mmap_churn.c): 1 MiB, mmap then munmap, three clock
 * reads, in a clean hole as the worker's (no page table under the range; it
 * stays mapped until the process exits: the twin has no per-thread fini) */
static int churn_init(struct twin *w)
{
	char err[128];

	w->size = 1UL << 20;
	w->backing = 0;
	return pt_clean_hole_make(&w->hole, w->size, NULL, 0, err, sizeof(err));
}
static int churn_pop_init(struct twin *w)
{
	int rc = churn_init(w);

	w->backing = MAP_POPULATE;
	return rc;
}
static uint64_t churn_once(struct twin *w)
{
	uint64_t t0 = pt_now_ns(), t1;
	void *p = mmap(NULL, w->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | w->backing, -1, 0);

	t1 = pt_now_ns();
	w->acc += t1 - t0;
	if (p == MAP_FAILED)
		return 1;
	t0 = t1;
	munmap(p, w->size);
	w->acc += pt_now_ns() - t0;
	return 1;
}

/* mprotect-churn (bench/mprotect_churn.c): 64 MiB shared by the threads,
 * populated, a random 64 KiB of the thread's slice read-only and back */
static volatile char *mprotect_region;
static int mprotect_setup(int n)
{
	mprotect_region = aligned_map(64UL << 20, -1);
	if (!mprotect_region)
		return -1;
	madvise((void *)mprotect_region, 64UL << 20, MADV_NOHUGEPAGE);
	for (size_t off = 0; off < 64UL << 20; off += PAGE)
		mprotect_region[off] = 1;
	(void)n;
	return 0;
}
static int mprotect_init(struct twin *w)
{
	w->slice = ((64UL << 20) / (size_t)w->n) & ~(PAGE - 1);
	return 0;
}
static uint64_t mprotect_once(struct twin *w)
{
	size_t positions = (w->slice - (64UL << 10)) / PAGE + 1;
	char *addr = (char *)mprotect_region + (size_t)w->idx * w->slice + (rnd(w) % positions) * PAGE;

	TIMED(w, mprotect(addr, 64UL << 10, PROT_READ));
	TIMED(w, mprotect(addr, 64UL << 10, PROT_READ | PROT_WRITE));
	return 2;
}

/* smaps-read (bench/smaps_read.c): open, read all in 64 KiB reads, close;
 * of /proc/PID/smaps of a target both arms read (their own differ) */
static int smaps_init(struct twin *w)
{
	w->bufsize = 64 << 10;
	w->buf = malloc(w->bufsize);
	return w->buf ? 0 : -1;
}
static uint64_t smaps_once(struct twin *w)
{
	char path[64];
	uint64_t t0 = pt_now_ns();
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)smaps_target);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		while (read(fd, w->buf, w->bufsize) > 0)
			;
		close(fd);
	}
	w->acc += pt_now_ns() - t0;
	return 1;
}

/* the walkers' own region (bench/walk_region.c): 64 MiB, NOHUGEPAGE, touched */
static volatile char *walk_region;
static int walk_setup(int n)
{
	(void)n;
	walk_region = aligned_map(64UL << 20, -1);
	if (!walk_region)
		return -1;
	madvise((void *)walk_region, 64UL << 20, MADV_NOHUGEPAGE);
	for (size_t off = 0; off < 64UL << 20; off += PAGE)
		walk_region[off] = 1;
	return 0;
}

/* pagemap-read mode = read (bench/pagemap_read.c): pread 64 KiB at a time */
static int pagemap_init(struct twin *w)
{
	w->pm_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	w->bufsize = 64 << 10;
	w->buf = malloc(w->bufsize);
	return w->pm_fd < 0 || !w->buf ? -1 : 0;
}
static uint64_t pagemap_once(struct twin *w)
{
	uint64_t vpn = (uintptr_t)walk_region / PAGE, end = vpn + (64UL << 20) / PAGE, t0 = pt_now_ns(), present = 0;
	size_t per = w->bufsize / 8;

	while (vpn < end) {
		size_t want = end - vpn < per ? (size_t)(end - vpn) : per;
		ssize_t n = pread(w->pm_fd, w->buf, want * 8, (off_t)(vpn * 8));

		if (n <= 0)
			break;
		for (size_t i = 0; i < (size_t)n / 8; i++)
			present += (((uint64_t *)w->buf)[i] >> 62) != 0;
		vpn += (size_t)n / 8;
	}
	w->acc += pt_now_ns() - t0 + present;
	return 1;
}

/* mincore (bench/mincore.c): one 64 MiB chunk */
static int mincore_init(struct twin *w)
{
	w->vec = malloc((64UL << 20) / PAGE);
	return w->vec ? 0 : -1;
}
static uint64_t mincore_once(struct twin *w)
{
	uint64_t t0 = pt_now_ns(), present = 0;

	if (!mincore((void *)walk_region, 64UL << 20, w->vec))
		for (size_t i = 0; i < (64UL << 20) / PAGE; i++)
			present += w->vec[i] & 1;
	w->acc += pt_now_ns() - t0 + present;
	return 1;
}

/* shmem-punch (bench/shmem_punch.c), sharers = 0: a 16 MiB memfd, punch a
 * random 2 MiB, write it back through the mapping */
static volatile char *punch_region;
static int punch_fd;
static int punch_setup(int n)
{
	(void)n;
	punch_fd = memfd_create("twin-punch", MFD_CLOEXEC);
	if (punch_fd < 0 || ftruncate(punch_fd, 16 << 20))
		return -1;
	punch_region = aligned_map(16UL << 20, punch_fd);
	if (!punch_region)
		return -1;
	madvise((void *)punch_region, 16UL << 20, MADV_NOHUGEPAGE);
	for (size_t off = 0; off < 16UL << 20; off += PAGE)
		punch_region[off] = 1;
	return 0;
}
static uint64_t punch_once(struct twin *w)
{
	size_t positions = ((16UL << 20) - (2UL << 20)) / PAGE + 1, off = (rnd(w) % positions) * PAGE;
	uint64_t t0 = pt_now_ns(), t1;

	fallocate(punch_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, 2 << 20);
	t1 = pt_now_ns();
	w->acc += t1 - t0;
	t0 = t1;
	for (size_t p = 0; p < (2UL << 20); p += PAGE)
		punch_region[off + p] = 1;
	w->acc += pt_now_ns() - t0;
	return 1;
}

/* anon-/shmem-collapse (bench/collapse.c), verify = none: 4 MiB per thread,
 * reset (zap or punch), refault all 512 pages of each PMD timed one by one,
 * MADV_COLLAPSE */
static int collapse_init(struct twin *w)
{
	w->size = 4UL << 20;
	w->fd = -1;
	if (w->backing == B_SHMEM) {
		w->fd = memfd_create("twin-collapse", MFD_CLOEXEC);
		if (w->fd < 0 || ftruncate(w->fd, (off_t)w->size))
			return -1;
	}
	w->base = aligned_map(w->size, w->fd);
	return w->base ? 0 : -1;
}
static int anon_collapse_init(struct twin *w) { w->backing = B_ANON; return collapse_init(w); }
static int shmem_collapse_init(struct twin *w) { w->backing = B_SHMEM; return collapse_init(w); }
static uint64_t collapse_once(struct twin *w)
{
	if (w->backing == B_SHMEM)
		TIMED(w, fallocate(w->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t)w->size));
	else
		TIMED(w, madvise((void *)w->base, w->size, MADV_DONTNEED));
	for (size_t off = 0; off < w->size; off += PAGE)
		TIMED(w, w->base[off] = 1);
	TIMED(w, madvise((void *)w->base, w->size, MADV_COLLAPSE));
	return 1;
}

/* clear-refs (bench/clear_refs.c), value = all, region = vmas: one pwrite of
 * "1" to /proc/PID/clear_refs of the third process both arms walk */
static int clear_refs_init(struct twin *w)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)smaps_target);
	w->fd = open(path, O_WRONLY | O_CLOEXEC);
	return w->fd < 0 ? -1 : 0;
}
static uint64_t clear_refs_once(struct twin *w)
{
	TIMED(w, (void)!pwrite(w->fd, "1\n", 2, 0));
	return 1;
}

/* procmap-query (bench/procmap_query.c): one PROCMAP_QUERY ioctl per VMA of
 * the third process, a pass timed from its first ioctl (6.11+) */
struct procmap_query {
	uint64_t size, query_flags, query_addr, vma_start, vma_end, vma_flags, vma_page_size, vma_offset, inode;
	uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};
#define PROCMAP_QUERY _IOWR('f', 17, struct procmap_query)
static int pq_init(struct twin *w)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)smaps_target);
	w->fd = open(path, O_RDONLY | O_CLOEXEC);
	return w->fd < 0 ? -1 : 0;
}
static uint64_t pq_once(struct twin *w)
{
	struct procmap_query q;
	uint64_t t0, t1;
	int rc;

	if (!w->next)
		w->walk_start = pt_now_ns();
	t0 = pt_now_ns();
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.query_flags = 0x10; /* PROCMAP_QUERY_COVERING_OR_NEXT_VMA */
	q.query_addr = w->next;
	rc = ioctl(w->fd, PROCMAP_QUERY, &q);
	t1 = pt_now_ns();
	w->acc += t1 - t0;
	if (rc == 0 && q.vma_end > w->next) {
		w->next = q.vma_end;
		return 1;
	}
	w->acc += t1 - w->walk_start; /* the worker's op `walk` */
	w->next = 0;
	return 1;
}

/* sleep (bench/sleep.c), defaults: nanosleep(20 us) a nap, every 10th
 * iteration (the first included) nanosleep(5 ms) a sleep; unit op nap */
static void nsleep(long ns)
{
	struct timespec ts = { 0, ns };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}
static uint64_t sleep_once(struct twin *w)
{
	bool slp = w->next++ % 10 == 0;

	TIMED(w, nsleep(slp ? 5000000L : 20000L));
	return slp ? 0 : 1;
}

/* pte-reclaim (bench/pte_reclaim.c), size = 64M: one byte at the start of
 * each 2 MiB slot, each touch timed; VmPTE (/proc/self/status, stdio as the
 * worker reads it) and nr_page_table_pages (pt_vmstat_read, the worker's
 * own call) before and after the zaps, each slot's MADV_DONTNEED timed; the
 * worker's cycle lock (uncontended with one thread) included. Unit op zap */
static pthread_mutex_t reclaim_cycle = PTHREAD_MUTEX_INITIALIZER;
static int reclaim_init(struct twin *w)
{
	w->size = 64UL << 20;
	w->base = aligned_map(w->size, -1);
	return !w->base || madvise((void *)w->base, w->size, MADV_NOHUGEPAGE) ? -1 : 0;
}
static long long reclaim_reads(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	struct pt_vmstat v;
	char line[128];
	long long kb = -1;

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "VmPTE: %lld kB", &kb) == 1)
				break;
		fclose(f);
	}
	return kb + (pt_vmstat_read(&v) ? -1 : pt_vmstat_get(&v, "nr_page_table_pages"));
}
static uint64_t reclaim_once(struct twin *w)
{
	size_t slots = w->size / PMD_SIZE;
	uint64_t t0, t1;

	pthread_mutex_lock(&reclaim_cycle);
	t0 = pt_now_ns();
	for (size_t i = 0; i < slots; i++) {
		w->base[i * PMD_SIZE] = 1;
		t1 = pt_now_ns();
		w->acc += t1 - t0;
		t0 = t1;
	}
	w->acc += (uint64_t)reclaim_reads();
	t0 = pt_now_ns();
	for (size_t i = 0; i < slots; i++) {
		madvise((void *)(w->base + i * PMD_SIZE), PMD_SIZE, MADV_DONTNEED);
		t1 = pt_now_ns();
		w->acc += t1 - t0;
		t0 = t1;
	}
	w->acc += (uint64_t)reclaim_reads();
	pthread_mutex_unlock(&reclaim_cycle);
	return slots;
}

/* msync-shared (bench/msync_shared.c), writers = 1, size 1M, interval 1 ms:
 * a child process writes its lane (8 bytes) of every page of an unlinked
 * /var/tmp file per pass and publishes the pass; the thread snapshots it,
 * msync(MS_SYNC)s its read-only shared mapping, reads the file back with
 * O_DIRECT and checks the lane of every page. Unit op msync */
#define MS_SIZE (1UL << 20)
static int ms_fd = -1;
/* A twin's helper process killed and reaped, and the file it shared
 * closed (the twin's teardown; smaps_target's at the end too). */
static void stop_child(pid_t *child, int *fd)
{
	if (*child > 0) {
		kill(*child, SIGKILL);
		waitpid(*child, NULL, 0);
	}
	*child = 0;
	if (fd && *fd >= 0)
		close(*fd);
	if (fd)
		*fd = -1;
}

static pid_t ms_writer;
static _Atomic uint64_t *ms_done;
static int ms_setup(int n)
{
	pid_t self = getpid();

	(void)n;
	ms_fd = open("/var/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (ms_fd < 0 || ftruncate(ms_fd, (off_t)MS_SIZE))
		return -1;
	ms_done = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ms_done == MAP_FAILED)
		return -1;
	ms_writer = fork();
	if (ms_writer == 0) {
		struct timespec ts = { 0, 1000000L };
		char *m = mmap(NULL, MS_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, ms_fd, 0);

		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != self || m == MAP_FAILED)
			_exit(1);
		for (uint64_t v = 1;; v++) {
			for (size_t off = 0; off < MS_SIZE; off += PAGE)
				*(volatile uint64_t *)(m + off) = v;
			atomic_store_explicit(&ms_done[0], v, memory_order_release);
			nanosleep(&ts, NULL);
		}
	}
	return ms_writer < 0 ? -1 : 0;
}
static void ms_teardown(void)
{
	stop_child(&ms_writer, &ms_fd);
}
static int ms_init(struct twin *w)
{
	char self[64];
	void *p = mmap(NULL, MS_SIZE, PROT_READ, MAP_SHARED, ms_fd, 0);

	if (p == MAP_FAILED)
		return -1;
	w->base = p;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", ms_fd);
	w->pm_fd = open(self, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (w->pm_fd < 0 || posix_memalign((void **)&w->buf, PAGE, MS_SIZE))
		return -1;
	memset(w->buf, 0, MS_SIZE);
	return 0;
}
static uint64_t ms_once(struct twin *w)
{
	uint64_t snap = atomic_load_explicit(&ms_done[0], memory_order_acquire), now, bad = 0;
	ssize_t got = 0;

	TIMED(w, msync((void *)w->base, MS_SIZE, MS_SYNC));
	TIMED(w, got = pread(w->pm_fd, w->buf, MS_SIZE, 0));
	now = atomic_load_explicit(&ms_done[0], memory_order_acquire);
	for (size_t p = 0; got == (ssize_t)MS_SIZE && p < MS_SIZE / PAGE; p++) {
		uint64_t d = ((uint64_t *)w->buf)[p * (PAGE / 8)];

		bad += d < snap || d > now + 1;
	}
	w->acc += bad;
	return 1;
}

/* race-zap, -fault, -walk, -gup (bench/reclaim_race.c), each ALONE on its
 * 32M region (no partner role: nothing races it, so this is the harness
 * around the op, not the race): zap = MADV_DONTNEED of each 2 MiB slot in
 * turn, each timed; fault = in lane 0 of each slot's first page a read, a
 * write and a read back, timed, checked against the last write; walk =
 * mincore() of the region and a pread of its pagemap, each timed, counted
 * (unit op mincore); gup = the lane written, vmspliced into a pipe and read
 * back, timed, checked */
#define RACE_SIZE (32UL << 20)
static int race_init(struct twin *w)
{
	w->size = RACE_SIZE;
	w->base = aligned_map(w->size, -1);
	if (!w->base || madvise((void *)w->base, w->size, MADV_NOHUGEPAGE))
		return -1;
	w->last = calloc(w->size / PMD_SIZE, sizeof(*w->last));
	w->vec = malloc(w->size / PAGE);
	w->buf = malloc(w->size / PAGE * 8);
	w->pm_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	return !w->last || !w->vec || !w->buf || w->pm_fd < 0 || pipe2(w->pipe, O_CLOEXEC) ? -1 : 0;
}
static uint64_t race_zap_once(struct twin *w)
{
	uint64_t t0 = pt_now_ns(), t1;

	for (size_t i = 0; i < w->size / PMD_SIZE; i++) {
		madvise((void *)(w->base + i * PMD_SIZE), PMD_SIZE, MADV_DONTNEED);
		t1 = pt_now_ns();
		w->acc += t1 - t0;
		t0 = t1;
	}
	return w->size / PMD_SIZE;
}
static uint64_t race_fault_once(struct twin *w)
{
	uint64_t bad = 0;

	for (size_t i = 0; i < w->size / PMD_SIZE; i++) {
		volatile uint64_t *p = (volatile uint64_t *)(w->base + i * PMD_SIZE);
		uint64_t v = ((uint64_t)1 << 32) | (++w->seq & 0xffffffffu), before, after;

		TIMED(w, (before = *p, *p = v, after = *p));
		bad += (before != 0 && before != w->last[i]) + (after != 0 && after != v);
		w->last[i] = after;
	}
	w->acc += bad;
	return w->size / PMD_SIZE;
}
static uint64_t race_walk_once(struct twin *w)
{
	size_t pages = w->size / PAGE, per_slot = PMD_SIZE / PAGE;
	uint64_t found = 0, bad = 0;
	ssize_t n = 0;
	int rc = 0;

	TIMED(w, rc = mincore((void *)w->base, w->size, w->vec));
	for (size_t i = 0; !rc && i < pages; i++) {
		found += w->vec[i] & 1;
		bad += ((w->vec[i] & 1) && i % per_slot) || (w->vec[i] & ~1u);
	}
	TIMED(w, n = pread(w->pm_fd, w->buf, pages * 8, (off_t)((uintptr_t)w->base / PAGE * 8)));
	for (size_t i = 0; n > 0 && i < (size_t)n / 8; i++) {
		found += (((uint64_t *)w->buf)[i] >> 63) != 0;
		bad += (((uint64_t *)w->buf)[i] >> 63) && i % per_slot;
	}
	w->acc += found + bad;
	return 1;
}
static uint64_t race_gup_once(struct twin *w)
{
	uint64_t bad = 0;

	for (size_t i = 0; i < w->size / PMD_SIZE; i++) {
		volatile uint64_t *p = (volatile uint64_t *)(w->base + i * PMD_SIZE);
		uint64_t v = ((uint64_t)1 << 32) | ((++w->seq & 0x7fffffffu) | 1), got = 0;
		struct iovec iov = { .iov_base = (void *)p, .iov_len = sizeof(*p) };
		ssize_t n;

		*p = v;
		uint64_t t0 = pt_now_ns();
		n = vmsplice(w->pipe[1], &iov, 1, 0);
		if (n == (ssize_t)sizeof(got))
			n = read(w->pipe[0], &got, sizeof(got));
		w->acc += pt_now_ns() - t0;
		bad += n == (ssize_t)sizeof(got) && got != 0 && got != v;
	}
	w->acc += bad;
	return w->size / PMD_SIZE;
}

/* mremap-collapse (bench/mremap_collapse.c), size 8M: the stamped memfd
 * mapped read-only in a reservation with room for two copies, moved back
 * and forth with MREMAP_FIXED (timed), every page's stamp read (timed);
 * a child process punches and rewrites the first page of each PMD and
 * MADV_COLLAPSEs its own view of the file, in a loop. Unit op mremap */
#define MC_SIZE (8UL << 20)
#define MC_STAMP(p) (0x5054424d00000000ull | (uint64_t)(p))
static int mc_fd = -1;
static pid_t mc_child;
static int mc_setup(int n)
{
	pid_t self = getpid();

	(void)n;
	mc_fd = memfd_create("twin-mremap-collapse", MFD_CLOEXEC);
	if (mc_fd < 0 || ftruncate(mc_fd, (off_t)MC_SIZE))
		return -1;
	for (size_t p = 0; p < MC_SIZE / PAGE; p++) {
		uint64_t stamp = MC_STAMP(p);

		if (pwrite(mc_fd, &stamp, sizeof(stamp), (off_t)(p * PAGE)) != (ssize_t)sizeof(stamp))
			return -1;
	}
	mc_child = fork();
	if (mc_child == 0) {
		char *m = mmap(NULL, MC_SIZE + PMD_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != self || m == MAP_FAILED)
			_exit(1);
		m = (char *)(((uintptr_t)m + PMD_SIZE - 1) & ~(uintptr_t)(PMD_SIZE - 1));
		if (mmap(m, MC_SIZE, PROT_READ, MAP_SHARED | MAP_FIXED, mc_fd, 0) == MAP_FAILED)
			_exit(1);
		for (;;) {
			for (size_t off = 0; off < MC_SIZE; off += PMD_SIZE) {
				uint64_t stamp = MC_STAMP(off / PAGE);

				if (!fallocate(mc_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)PAGE))
					(void)!pwrite(mc_fd, &stamp, sizeof(stamp), (off_t)off);
			}
			for (size_t off = 0; off < MC_SIZE; off += PMD_SIZE)
				(void)*(volatile char *)(m + off + PAGE);
			madvise(m, MC_SIZE, MADV_COLLAPSE);
		}
	}
	return mc_child < 0 ? -1 : 0;
}
static void mc_teardown(void)
{
	stop_child(&mc_child, &mc_fd);
}
static int mc_init(struct twin *w)
{
	char *r = mmap(NULL, 2 * MC_SIZE + 4 * PMD_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t a;

	if (r == MAP_FAILED)
		return -1;
	a = ((uintptr_t)r + 2 * PMD_SIZE - 1) & ~(uintptr_t)(PMD_SIZE - 1);
	w->at[0] = (char *)a;
	w->at[1] = (char *)a + MC_SIZE + PMD_SIZE;
	return mmap(w->at[0], MC_SIZE, PROT_READ, MAP_SHARED | MAP_FIXED, mc_fd, 0) == MAP_FAILED ? -1 : 0;
}
static uint64_t mc_once(struct twin *w)
{
	uint64_t bad = 0, t0;
	void *r;

	TIMED(w, r = mremap(w->at[w->cur], MC_SIZE, MC_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED, w->at[!w->cur]));
	if (r == MAP_FAILED)
		return 1;
	w->cur = !w->cur;
	t0 = pt_now_ns();
	for (size_t p = 0; p < MC_SIZE / PAGE; p++) {
		uint64_t v = *(volatile uint64_t *)(w->at[w->cur] + p * PAGE);

		/* the child may be rewriting a PMD's first page */
		bad += v != MC_STAMP(p) && !(v == 0 && p % (PMD_SIZE / PAGE) == 0);
	}
	w->acc += pt_now_ns() - t0 + bad;
	return 1;
}

/* ---- the configurations: a twin and the scenario ptbench runs ---- */

struct config {
	const char *name, *op;
	const char *ini; /* the [worker w] body; "threads = N" is added (and for
			  * smaps-read, clear-refs and procmap-query "target = PID" of
			  * the third process both arms read: their own differ) */
	int (*setup)(int nthreads);
	twin_init_fn init;
	twin_once_fn once;
	int slow; /* ops of tens of ms: a window this many times longer, for enough of them */
	void (*teardown)(void); /* what setup started that outlives the arm (a child) */
};

static double window_scale(const struct config *c)
{
	return c->slow ? c->slow : 1;
}

static const struct config configs[] = {
	{ "fault-anon", "fault", "type = fault\nsize = 64M\nbacking = anon\n", NULL, fault_anon_init, fault_once },
	/* the same role in a role process (process = p): what the child and its
	 * waits for ptbench add; the twin is fault-anon's (it runs in a child) */
	{ "fault-anon-process", "fault", "type = fault\nsize = 64M\nbacking = anon\nprocess = p\n", NULL,
	  fault_anon_init, fault_once },
	{ "fault-shmem", "fault", "type = fault\nsize = 64M\nbacking = shmem\n", NULL, fault_shmem_init, fault_once },
	{ "fault-file", "fault", "type = fault\nsize = 64M\nbacking = file\ndir = /var/tmp\n", NULL,
	  fault_file_init, fault_once },
	{ "mmap-churn", "mmap", "type = mmap-churn\nsize = 1M\npopulate = false\n", NULL, churn_init, churn_once },
	{ "mmap-churn-populated", "mmap", "type = mmap-churn\nsize = 1M\npopulate = true\n", NULL, churn_pop_init,
	  churn_once },
	{ "mprotect-churn", "mprotect", "type = mprotect-churn\nsize = 64M\nrange = 64K\npopulate = true\n",
	  mprotect_setup, mprotect_init, mprotect_once },
	{ "smaps-read", "read", "type = smaps-read\nfile = smaps\nbufsize = 64K\n", NULL, smaps_init,
	  smaps_once },
	{ "pagemap-read", "walk", "type = pagemap-read\nmode = read\nsize = 64M\nbufsize = 64K\n", walk_setup,
	  pagemap_init, pagemap_once },
	{ "mincore", "mincore", "type = mincore\nsize = 64M\nchunk = 64M\n", walk_setup, mincore_init,
	  mincore_once },
	{ "shmem-punch", "punch", "type = shmem-punch\nsize = 16M\nrange = 2M\nsharers = 0\n", punch_setup, NULL,
	  punch_once, 4 },
	{ "clear-refs", "clear", "type = clear-refs\nvalue = all\nregion = vmas\n", NULL, clear_refs_init,
	  clear_refs_once },
	{ "procmap-query", "query", "type = procmap-query\n", NULL, pq_init, pq_once },
	{ "anon-collapse", "collapse", "type = anon-collapse\nsize = 4M\ntouch = 512\nverify = none\n", NULL,
	  anon_collapse_init, collapse_once, 4 },
	{ "shmem-collapse", "collapse", "type = shmem-collapse\nsize = 4M\ntouch = 512\nverify = none\n", NULL,
	  shmem_collapse_init, collapse_once, 4 },
	{ "sleep", "nap", "type = sleep\n", NULL, NULL, sleep_once },
	{ "pte-reclaim", "zap", "type = pte-reclaim\nsize = 64M\n", NULL, reclaim_init, reclaim_once },
	{ "msync-shared", "msync", "type = msync-shared\nwriters = 1\n", ms_setup, ms_init, ms_once, 4,
	  ms_teardown },
	{ "race-zap-alone", "zap", "type = race-zap\n", NULL, race_init, race_zap_once },
	{ "race-fault-alone", "fault", "type = race-fault\n", NULL, race_init, race_fault_once },
	{ "race-walk-alone", "mincore", "type = race-walk\n", NULL, race_init, race_walk_once },
	{ "race-gup-alone", "gup", "type = race-gup\n", NULL, race_init, race_gup_once },
	{ "mremap-collapse", "mremap", "type = mremap-collapse\n", mc_setup, mc_init, mc_once, 0, mc_teardown },
};

/* The worker types without a twin, and why: a row each in the table. */
static const struct {
	const char *name, *why;
} untwinned[] = {
	{ "khugepaged", "no twin: its unit op collapse is the wait, polled every `poll`, for khugepaged (a kernel "
			"thread paced by scan_sleep_millisecs, pushed for the run) to map a PMD huge: the rate is "
			"khugepaged's; its zap and refault are as in anon-collapse's twin" },
	{ "vma-pad", "no twin: setup only (mmaps small VMAs), no op in the window" },
	{ "race-*", "twins of each race role alone above (race-*-alone); none of the race itself: a zap "
		    "against faults and walks, whose ratio would also measure how the race interleaves" },
};

/* ---- running a twin: threads, warm-up, window, like the runner's ---- */

struct twin_run {
	const struct config *c;
	struct twin w;
	pthread_barrier_t *go;
	uint64_t ops, window_ns;
	int failed;
};

static void *twin_thread(void *arg)
{
	struct twin_run *r = arg;
	uint64_t start, from, until, now;

	if (npin)
		pin_to(pin_cpu[r->w.idx % npin]);
	r->failed = r->c->init ? r->c->init(&r->w) : 0;
	pthread_barrier_wait(r->go);
	if (r->failed)
		return NULL;
	start = pt_now_ns();
	from = start + (uint64_t)(opt_warm * 1e9);
	until = from + (uint64_t)(opt_secs * window_scale(r->c) * 1e9);
	/* the counting rule: an iteration counts when it began in the window,
	 * which closes when the last one has ended */
	for (;;) {
		uint64_t n;

		now = pt_now_ns();
		if (now >= until)
			break;
		n = r->c->once(&r->w);
		if (now >= from)
			r->ops += n;
	}
	r->window_ns = now - from;
	sink += r->w.acc;
	return NULL;
}

/* Run this process once on every CPU it may use, then give it the whole set
 * back. ptbench's process has run on several CPUs by the time its window
 * opens (main thread, sampler, workers), and on some machines that alone
 * makes every TLB flush that frees a page table a remote one for the rest
 * of the process's life: on the 2-vCPU development VM a bare pte-reclaim
 * loop started on one CPU sent none and ran 1.06-1.09x the rate of the same
 * loop started elsewhere and moved there, which sent one per zap
 * (doc/probes.md). The twin must have the same history, or it measures a
 * cheaper machine. */
static void visit_every_cpu(void)
{
	cpu_set_t all, one;

	if (sched_getaffinity(0, sizeof(all), &all))
		return;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &all))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (!sched_setaffinity(0, sizeof(one), &one))
			sched_yield();
	}
	sched_setaffinity(0, sizeof(all), &all);
}

/* In a child process (its own mm, as ptbench has, and its CPU history):
 * ops/s summed over threads. */
static double twin_rate(const struct config *c)
{
	int p[2];
	pid_t pid;
	double rate = -1;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct twin_run r[64];
		pthread_t th[64];
		pthread_barrier_t go;
		double sum = 0;
		int n = opt_threads;

		close(p[0]);
		visit_every_cpu();
		if (c->setup && c->setup(n))
			_exit(1);
		pthread_barrier_init(&go, NULL, (unsigned)n);
		for (int i = 0; i < n; i++) {
			memset(&r[i], 0, sizeof(r[i]));
			r[i].c = c;
			r[i].go = &go;
			r[i].w.idx = i;
			r[i].w.n = n;
			r[i].w.rng = 0x9E3779B97F4A7C15ull ^ ((uint64_t)(i + 1) * 0xBF58476D1CE4E5B9ull);
			if (pthread_create(&th[i], NULL, twin_thread, &r[i]))
				_exit(1);
		}
		for (int i = 0; i < n; i++) {
			pthread_join(th[i], NULL);
			if (r[i].failed)
				_exit(1);
			sum += (double)r[i].ops / ((double)r[i].window_ns / 1e9);
		}
		if (c->teardown)
			c->teardown();
		if (write(p[1], &sum, sizeof(sum)) != sizeof(sum))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (pid > 0) {
		if (read(p[0], &rate, sizeof(rate)) != sizeof(rate))
			rate = -1;
		waitpid(pid, NULL, 0);
	}
	close(p[0]);
	return rate;
}

/* ---- running ptbench on the same work ---- */

static const char *ptbench_path(void)
{
	const char *p = getenv("PTBENCH");

	return p && *p ? p : "./ptbench";
}

/* ops/s of the role's unit op, -1 on failure, -4 when the worker cannot run here */
static double ptbench_rate(const struct config *c, const char *dir, bool trace)
{
	char ini[256], out[256], dur[32], warm[32], body[512];
	struct json_object *doc, *v;
	double rate = -1;
	int status;
	pid_t pid;
	FILE *f;

	snprintf(ini, sizeof(ini), "%s/%s.ini", dir, c->name);
	snprintf(out, sizeof(out), "%s/%s.json", dir, c->name);
	if (c->once == smaps_once || c->once == clear_refs_once || c->once == pq_once)
		snprintf(body, sizeof(body), "%starget = %d\n", c->ini, (int)smaps_target);
	else
		snprintf(body, sizeof(body), "%s", c->ini);
	f = fopen(ini, "w");
	if (!f)
		return -1;
	fprintf(f, "[scenario]\ndescription = harness cost: %s\n[worker w]\n%sthreads = %d\ncpus = %s\n", c->name,
		body, opt_threads, npin ? opt_cpus : "none");
	fclose(f);
	snprintf(dur, sizeof(dur), "%gs", opt_secs * window_scale(c));
	snprintf(warm, sizeof(warm), "%gs", opt_warm);
	unlink(out);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		char *args[] = { "ptbench", "run", ini, "--duration", dur, "--warmup", warm, "--repeat", "1",
				 "-o", out, "--quiet", trace ? NULL : "--no-trace", NULL };

		execv(ptbench_path(), args);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 4)
		return -4;
	doc = json_object_from_file(out);
	if (!doc)
		return -1;
	if (json_object_object_get_ex(doc, "repeats", &v) && (v = json_object_array_get_idx(v, 0)) &&
	    json_object_object_get_ex(v, "workers", &v) && json_object_object_get_ex(v, "w", &v) &&
	    json_object_object_get_ex(v, "ops", &v) && json_object_object_get_ex(v, c->op, &v) &&
	    json_object_object_get_ex(v, "ops_per_sec", &v))
		rate = json_object_get_double(v);
	json_object_put(doc);
	return rate;
}

/* a process with 256 small VMAs (alternating protections, so none merge)
 * that both arms of smaps-read, clear-refs and procmap-query look at */
static pid_t start_smaps_target(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* gone with this process, however it ends */
		for (int i = 0; i < 256; i++) {
			char *p = mmap(NULL, 16 * PAGE, (i & 1) ? PROT_READ : PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
			(void)p;
		}
		for (;;)
			pause();
	}
	return pid;
}

/* the 1-minute load average: how much else ran (the rounds' spread says the rest) */
static double loadavg(void)
{
	FILE *f = fopen("/proc/loadavg", "r");
	double l = -1;

	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- in one process: per-op CPU of the worker's loop against the twin's ----
 * The worker's run_once driven as the runner's loop drives it (phase load,
 * counting flag, a sched_getcpu every 64 iterations, pt_record into real
 * histograms and timeline) and the twin's iteration, alternating 200 ms
 * slices on one thread, each timed in thread CPU time per unit op: what the
 * harness costs inside the measuring thread, without the samplers, and
 * immune to the time other load takes the CPU away (not to what it does to
 * the caches). */

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#define SLICE_NS 200000000ull

static double worker_slice(struct pt_thread *t, int unit, unsigned *iter)
{
	uint64_t c0 = thread_cpu_ns(), t0 = pt_now_ns(), n0 = t->hist[unit]->count;
	const struct pt_worker_type *type = t->rr->role->type;

	while (pt_now_ns() - t0 < SLICE_NS) {
		int ph = atomic_load_explicit(&t->rr->run->phase, memory_order_acquire);

		t->counting = ph == PT_PHASE_MEASURE;
		if ((++*iter & 63) == 0)
			pt_placement_sample_cpu(t);
		if (type->run_once(t))
			return -1;
	}
	return t->hist[unit]->count > n0 ? (double)(thread_cpu_ns() - c0) / (double)(t->hist[unit]->count - n0)
					  : -1;
}

static double twin_slice(const struct config *c, struct twin *w)
{
	uint64_t c0 = thread_cpu_ns(), t0 = pt_now_ns(), n = 0;

	while (pt_now_ns() - t0 < SLICE_NS)
		n += c->once(w);
	sink += w->acc;
	return n ? (double)(thread_cpu_ns() - c0) / (double)n : -1;
}

/* One set-up and its slices: appends twin/worker CPU-per-op ratios to
 * ratio[*n]; the twin's memory is set up first when twin_first (the order
 * decides which region gets the more contiguous free pages, which moves a
 * page-table walk's cost by up to 2x: pagemap-read). 0, or -1 with why. */
static int inproc_rounds(const struct config *c, bool twin_first, int rounds, double *ratio, int *n, char *why,
			 size_t len)
{
	char text[1024], body[512];
	struct pt_scenario *sc;
	struct pt_plan *plan = NULL;
	struct pt_run run;
	struct pt_role_run rr;
	struct pt_thread t;
	struct twin w;
	int unit = -1, rc = 0;
	unsigned iter = 0;
	const struct pt_worker_type *type;

	if (c->once == smaps_once || c->once == clear_refs_once || c->once == pq_once)
		snprintf(body, sizeof(body), "%starget = %d\n", c->ini, (int)smaps_target);
	else
		snprintf(body, sizeof(body), "%s", c->ini);
	snprintf(text, sizeof(text), "[scenario]\n[worker w]\n%sthreads = 1\n", body);
	sc = pt_scenario_parse("harness-cost.ini", text);
	if (!sc || pt_plan_build(sc, PT_PLAN_NO_POINT, NULL, &plan)) {
		snprintf(why, len, "scenario not accepted");
		pt_scenario_free(sc);
		return -1;
	}
	type = plan->roles[0].type;
	memset(&run, 0, sizeof(run));
	memset(&rr, 0, sizeof(rr));
	memset(&t, 0, sizeof(t));
	memset(&w, 0, sizeof(w));
	run.phase = PT_PHASE_MEASURE;
	run.plan = plan;
	rr.run = &run;
	rr.role = &plan->roles[0];
	while (type->ops[rr.nops]) {
		if (!strcmp(type->ops[rr.nops], c->op))
			unit = rr.nops;
		rr.nops++;
	}
	t.rr = &rr;
	t.cpu = -1;
	t.measure_from = &run.measure_from; /* 0: the window is open */
	t.rng = 0x9E3779B97F4A7C15ull;
	t.tl_interval = 100000000ull;
	t.tl_slots = (size_t)rounds * 2 * SLICE_NS / t.tl_interval + 2;
	for (int op = 0; op < rr.nops; op++) {
		t.hist[op] = pt_hist_new();
		t.timeline[op] = calloc(t.tl_slots, sizeof(struct pt_tl_slot));
	}
	w.n = 1;
	w.rng = t.rng;
	if (unit < 0) {
		snprintf(why, len, "no op %s", c->op);
		rc = -1;
	} else if (twin_first ? (c->setup && c->setup(1)) || (c->init && c->init(&w)) ||
					(type->setup && type->setup(&rr, why, len)) ||
					(type->thread_init && type->thread_init(&t, why, len))
			      : (type->setup && type->setup(&rr, why, len)) ||
					(type->thread_init && type->thread_init(&t, why, len)) ||
					(c->setup && c->setup(1)) || (c->init && c->init(&w))) {
		if (!why[0])
			snprintf(why, len, "set-up failed");
		rc = -1;
	}
	for (int r = 0; !rc && r < rounds; r++) {
		double cw, ct;

		/* alternate the order, so a drift hits both alike */
		if (r % 2) {
			cw = worker_slice(&t, unit, &iter);
			ct = twin_slice(c, &w);
		} else {
			ct = twin_slice(c, &w);
			cw = worker_slice(&t, unit, &iter);
		}
		if (cw > 0 && ct > 0)
			ratio[(*n)++] = ct / cw;
	}
	if (type->thread_fini)
		type->thread_fini(&t);
	if (type->teardown)
		type->teardown(&rr);
	if (c->teardown)
		c->teardown();
	for (int op = 0; op < rr.nops; op++) {
		free(t.hist[op]);
		free(t.timeline[op]);
	}
	pt_plan_free(plan);
	pt_scenario_free(sc);
	return rc;
}

/* median of twin/worker CPU per op over the slices of both set-up orders
 * (half each); -1 when it cannot run */
static double inproc_ratio(const struct config *c, int rounds, double *lo, double *hi, char *why, size_t len)
{
	double ratio[2 * MAX_ROUNDS + 2];
	int n = 0;

	if (inproc_rounds(c, false, (rounds + 1) / 2, ratio, &n, why, len) ||
	    inproc_rounds(c, true, (rounds + 1) / 2, ratio, &n, why, len))
		return -1;
	if (!n) {
		snprintf(why, len, "no round with ops from both");
		return -1;
	}
	double m = median(ratio, n);

	*lo = ratio[0];
	*hi = ratio[n - 1];
	return m;
}

static bool wanted(const char *name, char **names, int nnames)
{
	for (int i = 0; i < nnames; i++)
		if (!strcmp(names[i], name))
			return true;
	return nnames == 0;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/ptbench-harness-cost-XXXXXX";
	int rounds = 5, o;
	bool probes = false, cross = true, inproc = true;
	char src[64] = "?";
	FILE *f;

	while ((o = getopt(argc, argv, "r:d:w:t:c:pix")) != -1) {
		switch (o) {
		case 'r': rounds = atoi(optarg); break;
		case 'd': opt_secs = atof(optarg); break;
		case 'w': opt_warm = atof(optarg); break;
		case 't': opt_threads = atoi(optarg); break;
		case 'c': snprintf(opt_cpus, sizeof(opt_cpus), "%s", optarg); break;
		case 'p': probes = true; break;
		case 'i': cross = false; break;
		case 'x': inproc = false; break;
		default:
			fprintf(stderr, "usage: harness_cost [-r ROUNDS] [-d SECONDS] [-w SECONDS] [-t THREADS] [-c CPUS|none] [-p] [-i|-x] [NAME...]\n");
			return 2;
		}
	}
	if (rounds < 1 || rounds > MAX_ROUNDS || opt_threads < 1 || opt_threads > 64 || opt_secs <= 0 ||
	    opt_warm < 0) {
		fprintf(stderr, "harness_cost: rounds 1..%d, threads 1..64, seconds > 0\n", MAX_ROUNDS);
		return 2;
	}
	if (!opt_cpus[0]) { /* default: the last online CPUs, one per thread (IRQs favour CPU 0) */
		long onln = sysconf(_SC_NPROCESSORS_ONLN);

		if (onln - opt_threads < 0)
			snprintf(opt_cpus, sizeof(opt_cpus), "none");
		else if (opt_threads == 1)
			snprintf(opt_cpus, sizeof(opt_cpus), "%ld", onln - 1);
		else
			snprintf(opt_cpus, sizeof(opt_cpus), "%ld-%ld", onln - opt_threads, onln - 1);
	}
	if (parse_cpus(opt_cpus)) {
		fprintf(stderr, "harness_cost: -c %s: a CPU list (N, A-B, comma separated) or none\n", opt_cpus);
		return 2;
	}
	if (access(ptbench_path(), X_OK)) {
		fprintf(stderr, "harness_cost: no ptbench at %s (make ptbench, or set PTBENCH)\n", ptbench_path());
		return 2;
	}
	if (!mkdtemp(dir)) {
		perror("harness_cost: mkdtemp");
		return 2;
	}
	if (!getenv("PTBENCH_STATE_DIR")) { /* not another run's state */
		char state[sizeof(dir) + 8];

		snprintf(state, sizeof(state), "%s/state", dir);
		if (mkdir(state, 0700) || setenv("PTBENCH_STATE_DIR", state, 1)) {
			perror("harness_cost: state directory");
			return 2;
		}
	}
	f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
	if (f) {
		if (fscanf(f, "%63s", src) != 1)
			snprintf(src, sizeof(src), "?");
		fclose(f);
	}
	smaps_target = start_smaps_target();
	printf("harness cost: ptbench --no-trace vs its bare twin, %d thread(s) (in one thread: 1) on CPUs %s, %d interleaved "
	       "rounds of %gs (warm-up %gs; punch, collapse and msync 4x longer); %ld CPUs online, clocksource %s, load "
	       "average %.2f\n",
	       opt_threads, opt_cpus, rounds, opt_secs, opt_warm, sysconf(_SC_NPROCESSORS_ONLN), src, loadavg());
	if (cross)
		printf("%-22s %-9s %12s %12s %8s %17s%s\n", "worker", "op", "twin ops/s", "ptbench ops/s", "ratio",
		       "(min .. max)", probes ? "   +lock probe (min .. max)" : "");
	for (size_t i = 0; cross && i < sizeof(configs) / sizeof(configs[0]); i++) {
		const struct config *c = &configs[i];
		double ratio[MAX_ROUNDS], pratio[MAX_ROUNDS], tw[MAX_ROUNDS], pt[MAX_ROUNDS];
		int n = 0, np = 0, lost_pt = 0, lost_twin = 0;
		const char *why = NULL;

		if (!wanted(c->name, argv + optind, argc - optind))
			continue;
		for (int r = 0; r < rounds && !why; r++) {
			double t, p, q = -1;

			/* alternate the order, so a drift hits both arms alike */
			if (r % 2) {
				p = ptbench_rate(c, dir, false);
				t = twin_rate(c);
			} else {
				t = twin_rate(c);
				p = ptbench_rate(c, dir, false);
			}
			if (p == -4) {
				why = "cannot run here (ptbench exit 4)";
				break;
			}
			/* an arm with no rate (failed, or starved through the whole
			 * window on a loaded machine) loses the round, not the row */
			if (p <= 0 || t <= 0) {
				lost_pt += p <= 0;
				lost_twin += t <= 0;
				continue;
			}
			if (probes && (q = ptbench_rate(c, dir, true)) > 0)
				pratio[np++] = q / t;
			tw[n] = t;
			pt[n] = p;
			ratio[n++] = p / t;
		}
		if (!why && !n)
			why = "no round with a rate from both arms";
		if (why) {
			printf("%-22s %-9s %s", c->name, c->op, why);
			if (lost_pt || lost_twin)
				printf(" (ptbench failed %d, twin %d of %d rounds)", lost_pt, lost_twin, rounds);
			printf("\n");
			continue;
		}
		double mt = median(tw, n), mp = median(pt, n), mr = median(ratio, n);

		printf("%-22s %-9s %12.0f %12.0f %8.3f   (%.3f .. %.3f)", c->name, c->op, mt, mp, mr, ratio[0],
		       ratio[n - 1]);
		if (np) {
			double mq = median(pratio, np);

			printf("   %.3f (%.3f .. %.3f)", mq, pratio[0], pratio[np - 1]);
		}
		if (lost_pt || lost_twin)
			printf("   [rounds lost: ptbench %d, twin %d]", lost_pt, lost_twin);
		printf("\n");
		fflush(stdout);
	}
	for (size_t i = 0; i < sizeof(untwinned) / sizeof(untwinned[0]); i++)
		if (wanted(untwinned[i].name, argv + optind, argc - optind))
			printf("%-22s %-9s %s\n", untwinned[i].name, "-", untwinned[i].why);
	if (cross)
		printf("load average at the end %.2f; ratio = ptbench/twin per round, median (min .. max); "
		       "< 1: the harness costs\n", loadavg());
	if (inproc) {
		int r2 = 2 * rounds + 1;
		cpu_set_t was;
		bool pinned = npin && !sched_getaffinity(0, sizeof(was), &was) && !pin_to(pin_cpu[0]);

		printf("\nin one thread: the worker's run_once in the runner's loop (pt_record included) vs the "
		       "twin, %d alternating %.1fs slices, half with each set up first; twin/worker thread CPU "
		       "per op, median (min .. max)\n",
		       2 * ((r2 + 1) / 2), (double)SLICE_NS / 1e9);
		for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
			const struct config *c = &configs[i];
			char why[256] = "";
			double lo, hi, m;

			if (!wanted(c->name, argv + optind, argc - optind))
				continue;
			if (strstr(c->ini, "process = ")) {
				printf("%-22s %-9s no row: in one thread there is no role process (as the row "
				       "without it)\n", c->name, c->op);
				continue;
			}
			m = inproc_ratio(c, r2, &lo, &hi, why, sizeof(why));
			if (m < 0)
				printf("%-22s %-9s %s\n", c->name, c->op, why);
			else
				printf("%-22s %-9s %8.3f   (%.3f .. %.3f)\n", c->name, c->op, m, lo, hi);
			fflush(stdout);
		}
		printf("load average at the end %.2f\n", loadavg());
		if (pinned)
			sched_setaffinity(0, sizeof(was), &was);
	}
	stop_child(&smaps_target, NULL);
	if (nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS))
		fprintf(stderr, "harness_cost: %s left behind: %s\n", dir, strerror(errno));
	return 0;
}
