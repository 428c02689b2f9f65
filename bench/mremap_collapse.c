/* mremap-collapse: mremap() of a shmem mapping, PMD-aligned both ways, while
 * another process collapses the file again and again. Each thread maps the
 * role's memfd (`size`, whole PMDs, every page stamped with its index) in a
 * reservation with room for two copies and moves it back and forth with
 * MREMAP_FIXED (op `mremap`: the PMD-level move, move_normal_pmd()), then
 * reads every page's stamp (op `check`). A child process maps the same file
 * and loops: punch and rewrite the first page of each PMD (which splits the
 * huge page) and MADV_COLLAPSE the file again, so retract_page_tables()
 * visits the moving mapping's page tables with no mmap lock (6.6+).
 * "mm/mremap: fix move_normal_pmd/retract_page_tables race" (Jann Horn,
 * CVE-2024-50066, Fixes: 1d65b771bc08) is the bug this would have shown: a
 * moved PMD pointing at a table retraction freed. The check: every page
 * reads its own stamp (the first page of a PMD may read 0 while the child
 * rewrites it); anything else counts in race.corruptions, which fails the
 * run (src/run/run_checks.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collapse_util.h"
#include "ptbench/clock.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"
#include "walk_region.h"

enum { OP_MREMAP, OP_CHECK };

static const char *const mc_ops[] = { "mremap", "check", NULL };

#define STAMP(p) (0x5054424d00000000ull | (uint64_t)(p)) /* "PTBM" | page index */

struct mc_opts {
	long long size;
};

static const struct pt_opt_def mc_opt_defs[] = {
	PT_OPT_SIZE_MULT_F("size", struct mc_opts, size, "8M", 2LL << 20, 1LL << 32, 2LL << 20,
			   "the memfd, a multiple of 2M; each thread maps it and moves its mapping"),
	PT_OPT_END,
};

/* what the child reports, in a shared page */
struct mc_child_stats {
	_Atomic uint64_t collapses, collapse_errors, rewrites;
	_Atomic int last_errno; /* of the last failed MADV_COLLAPSE */
};

struct mc_shared {
	const struct mc_opts *o;
	int fd;
	pid_t child;
	struct mc_child_stats *cs;
	uint64_t collapses_at_measure;
	bool corrupt; /* the test switch PTBENCH_TEST_CORRUPT_CHECK */
	_Atomic uint64_t moves, checks, pages_checked, zero_reads, corruptions;
};

struct mc_thread {
	char *reserve;
	size_t reserve_len;
	char *at[2];
	int cur;
};

static enum pt_check mc_check(const struct pt_worker_type *type, const void *opts, const char **bad_key, char *why,
			      size_t len)
{
	int rc;

	(void)type;
	(void)opts;
	*bad_key = NULL;
	rc = pt_probe_madv_collapse(true, why, len);
	if (rc > 0)
		return PT_CHECK_SKIP;
	return rc < 0 ? PT_CHECK_ERROR : PT_CHECK_OK;
}

static uint64_t mc_mem_bytes(const void *opts, int threads)
{
	(void)threads; /* one file, shared */
	return (uint64_t)((const struct mc_opts *)opts)->size;
}

/* The collapser child of a multithreaded parent: system calls only. */
static void __attribute__((noreturn)) child_main(pid_t parent, int fd, size_t len, struct mc_child_stats *cs)
{
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *m;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(0);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	/* a PMD-aligned view of the file: MADV_COLLAPSE needs whole PMDs */
	m = mmap(NULL, len + PT_PMD_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		_exit(1);
	m = (char *)(((uintptr_t)m + PT_PMD_SIZE - 1) & ~(uintptr_t)(PT_PMD_SIZE - 1));
	if (mmap(m, len, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED)
		_exit(1);
	for (;;) {
		for (size_t off = 0; off < len; off += PT_PMD_SIZE) {
			uint64_t stamp = STAMP(off / page);

			/* a hole in the huge page splits it: the next collapse has work */
			if (!fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)page) &&
			    pwrite(fd, &stamp, sizeof(stamp), (off_t)off) == (ssize_t)sizeof(stamp))
				atomic_fetch_add_explicit(&cs->rewrites, 1, memory_order_relaxed);
		}
		/* a page table under each PMD: 6.1 answers EINVAL to MADV_COLLAPSE
		 * where the caller's mapping has none (measured) */
		for (size_t off = 0; off < len; off += PT_PMD_SIZE)
			(void)*(volatile char *)(m + off + page);
		if (madvise(m, len, MADV_COLLAPSE)) {
			atomic_store_explicit(&cs->last_errno, errno, memory_order_relaxed);
			atomic_fetch_add_explicit(&cs->collapse_errors, 1, memory_order_relaxed);
		}
		else
			atomic_fetch_add_explicit(&cs->collapses, 1, memory_order_relaxed);
	}
}

static int mc_setup(struct pt_role_run *rr, char *err, size_t len)
{
	struct mc_shared *s = pt_xcalloc(1, sizeof(*s));
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t size;
	pid_t self = getpid();

	pt_role_set_shared(rr, s);
	s->o = pt_role_opts(rr);
	s->corrupt = pt_test_corrupt_check();
	s->child = -1;
	size = (size_t)s->o->size;
	s->fd = memfd_create("ptbench-mremap-collapse", MFD_CLOEXEC);
	if (s->fd < 0 || ftruncate(s->fd, (off_t)size)) {
		snprintf(err, len, "memfd of %zu bytes: %s", size, strerror(errno));
		return -1;
	}
	for (size_t p = 0; p < size / page; p++) {
		uint64_t stamp = STAMP(p);

		if (pwrite(s->fd, &stamp, sizeof(stamp), (off_t)(p * page)) != (ssize_t)sizeof(stamp)) {
			snprintf(err, len, "filling the memfd: %s", strerror(errno));
			return -1;
		}
	}
	s->cs = mmap(NULL, sizeof(*s->cs), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s->cs == MAP_FAILED) {
		s->cs = NULL;
		snprintf(err, len, "mmap: %s", strerror(errno));
		return -1;
	}
	s->child = fork();
	if (s->child < 0) {
		snprintf(err, len, "fork: %s", strerror(errno));
		return -1;
	}
	if (s->child == 0)
		child_main(self, s->fd, size, s->cs);
	return 0;
}

static int mc_thread_init(struct pt_thread *t, char *err, size_t len)
{
	struct mc_shared *s = pt_thread_shared(t);
	struct mc_thread *mt = pt_xcalloc(1, sizeof(*mt));
	size_t size = (size_t)s->o->size;
	uintptr_t a;

	t->priv = mt;
	/* two PMD-aligned slots with a PMD of guard around each */
	mt->reserve_len = 2 * size + 4 * PT_PMD_SIZE;
	mt->reserve = mmap(NULL, mt->reserve_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mt->reserve == MAP_FAILED) {
		mt->reserve = NULL;
		snprintf(err, len, "mmap reservation: %s", strerror(errno));
		return -1;
	}
	a = ((uintptr_t)mt->reserve + 2 * PT_PMD_SIZE - 1) & ~(uintptr_t)(PT_PMD_SIZE - 1);
	mt->at[0] = (char *)a;
	mt->at[1] = (char *)a + size + PT_PMD_SIZE;
	if (mmap(mt->at[0], size, PROT_READ, MAP_SHARED | MAP_FIXED, s->fd, 0) == MAP_FAILED) {
		snprintf(err, len, "mmap memfd: %s", strerror(errno));
		return -1;
	}
	t->mem_addr = mt->at[0];
	t->mem_len = size;
	return 0;
}

static int mc_run_once(struct pt_thread *t)
{
	struct mc_shared *s = pt_thread_shared(t);
	struct mc_thread *mt = t->priv;
	const size_t page = (size_t)sysconf(_SC_PAGESIZE), size = (size_t)s->o->size;
	uint64_t t0, t1, zeros = 0, bad = 0, skew = s->corrupt ? 1 : 0;
	void *r;

	t0 = pt_op_begin(t, OP_MREMAP);
	r = mremap(mt->at[mt->cur], size, size, MREMAP_MAYMOVE | MREMAP_FIXED, mt->at[!mt->cur]);
	t1 = pt_now_ns();
	pt_record(t, OP_MREMAP, t0, t1);
	if (r == MAP_FAILED) {
		pt_record_error(t, OP_MREMAP, errno);
		return 0;
	}
	mt->cur = !mt->cur;
	t->mem_addr = mt->at[mt->cur];
	t0 = pt_op_begin(t, OP_CHECK);
	for (size_t p = 0; p < size / page; p++) {
		uint64_t v = *(volatile uint64_t *)(mt->at[mt->cur] + p * page);

		if (v == STAMP(p) + skew)
			continue;
		/* the child is rewriting the first page of this PMD */
		if (v == 0 && p % (PT_PMD_SIZE / page) == 0)
			zeros++;
		else
			bad++;
	}
	t1 = pt_now_ns();
	pt_record(t, OP_CHECK, t0, t1);
	if (pt_measuring(t)) {
		atomic_fetch_add_explicit(&s->moves, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&s->checks, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&s->pages_checked, size / page, memory_order_relaxed);
		atomic_fetch_add_explicit(&s->zero_reads, zeros, memory_order_relaxed);
		atomic_fetch_add_explicit(&s->corruptions, bad, memory_order_relaxed);
	}
	return 0;
}

static void mc_thread_fini(struct pt_thread *t)
{
	struct mc_thread *mt = t->priv;

	if (!mt)
		return;
	if (mt->reserve)
		munmap(mt->reserve, mt->reserve_len);
	free(mt);
	t->priv = NULL;
}

static void mc_teardown(struct pt_role_run *rr)
{
	struct mc_shared *s = pt_role_shared(rr);

	if (!s)
		return;
	if (s->child > 0) {
		kill(s->child, SIGKILL);
		while (waitpid(s->child, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (s->cs)
		munmap(s->cs, sizeof(*s->cs));
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	pt_role_set_shared(rr, NULL);
}

static void mc_report(struct pt_role_run *rr, struct json_object *o)
{
	struct mc_shared *s = pt_role_shared(rr);
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "moves", json_object_new_int64((int64_t)s->moves));
	json_object_object_add(r, "pages_checked", json_object_new_int64((int64_t)s->pages_checked));
	json_object_object_add(r, "zero_reads", json_object_new_int64((int64_t)s->zero_reads));
	json_object_object_add(r, "corruptions", json_object_new_int64((int64_t)s->corruptions));
	/* the child's whole life (warm-up included): it is not on the window's clock */
	json_object_object_add(r, "child_collapses", json_object_new_int64((int64_t)s->cs->collapses));
	json_object_object_add(r, "child_collapse_errors", json_object_new_int64((int64_t)s->cs->collapse_errors));
	json_object_object_add(r, "child_rewrites", json_object_new_int64((int64_t)s->cs->rewrites));
	if (s->cs->collapse_errors)
		json_object_object_add(r, "child_last_error", json_object_new_string(strerrorname_np(s->cs->last_errno)
										 ? strerrorname_np(s->cs->last_errno)
										 : "?"));
	json_object_object_add(o, "race", r);
}

static void mc_summary(const char *role, struct json_object *role_json, FILE *out)
{
	struct json_object *r;

	if (!json_object_object_get_ex(role_json, "race", &r))
		return;
	fprintf(out, "  %s: %lld moves, %lld pages checked (%lld read 0 mid-rewrite), corruptions %lld%s; "
		     "the child collapsed %lld times (%lld failed)\n",
		role, pt_json_int(r, "moves", -1), pt_json_int(r, "pages_checked", -1), pt_json_int(r, "zero_reads", -1), pt_json_int(r, "corruptions", -1),
		pt_json_int(r, "corruptions", -1) > 0 ? " (WRONG: a data check failed)" : "", pt_json_int(r, "child_collapses", -1),
		pt_json_int(r, "child_collapse_errors", -1));
}

const struct pt_worker_type pt_worker_mremap_collapse = {
	.name = "mremap-collapse",
	.summary = "mremap() of a shmem mapping back and forth, contents checked, while a child process collapses the file",
	.opts = mc_opt_defs,
	.opts_size = sizeof(struct mc_opts),
	.mem_bytes = mc_mem_bytes,
	.ops = mc_ops,
	/* the unit of work lock counts are divided by: one move of the whole mapping */
	.unit_op = "mremap",
	.check = mc_check,
	.setup = mc_setup,
	.thread_init = mc_thread_init,
	.run_once = mc_run_once,
	.thread_fini = mc_thread_fini,
	.teardown = mc_teardown,
	.report = mc_report,
	.print_summary = mc_summary,
};
