/* race-zap, race-fault, race-walk: faults and page-table walks on PMDs
 * whose PTE tables another thread empties with MADV_DONTNEED, all at once.
 * The roles of one process that name the same `region` share one anon region
 * (small pages only, one PTE table per 2 MiB slot); each type does one thing
 * to it:
 *
 *   race-zap:   MADV_DONTNEED of each slot in turn (op `zap`); with
 *          CONFIG_PT_RECLAIM (6.14+) the zap frees the PTE table it emptied
 *          (try_to_free_pte()), under the other roles' feet
 *   race-fault: per thread one 8-byte lane in the first page of every slot: read
 *          it (0, or the value this thread wrote last), write a new value,
 *          read it back (the value, or 0 when a zap came in between); op
 *          `fault`, a page fault whenever the slot was zapped
 *   race-gup:   per thread a lane as race-fault's, written, then handed to
 *               vmsplice() (GUP-fast pins the page) and read back through
 *               the pipe (op `gup`): the stamp, or 0 when a zap came first
 *   race-walk:  mincore() and a read of /proc/self/pagemap over the region (ops
 *          `mincore`, `pagemap`): only the first page of a slot is ever
 *          touched, so a walk that finds any other page resident or present
 *          read a page table that was not the slot's
 *
 * Every other value is counted in race.corruptions, which fails the run
 * (src/run/run_checks.c): a PTE table freed while a fault or a walk still
 * used it shows as a miscount or a foreign value, not only as a latency.
 * pte-reclaim measures the same frees serially and counts them. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "collapse_util.h"
#include "ptbench/clock.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"
#include "walk_region.h"

/* op ids within each type's own list */
enum { OP_ZAP = 0 };
enum { OP_FAULT = 0 };
enum { OP_MINCORE = 0, OP_PAGEMAP = 1 };
enum { OP_GUP = 0 };
enum { MODE_ZAP, MODE_FAULT, MODE_WALK, MODE_GUP };

static const char *const zap_ops[] = { "zap", NULL };
static const char *const fault_ops[] = { "fault", NULL };
static const char *const walk_ops[] = { "mincore", "pagemap", NULL };
static const char *const gup_ops[] = { "gup", NULL };
static const char *const mode_names[] = { "zap", "fault", "walk", "gup" };

#define LANES 512 /* 8-byte lanes in a slot's first 4 KiB page */
#define PM_PRESENT (1ULL << 63)

struct race_opts {
	long long size;
	const char *region;
};

static const struct pt_opt_def race_opt_defs[] = {
	PT_OPT_SIZE_MULT_F("size", struct race_opts, size, "32M", 2LL << 20, 1LL << 36, 2LL << 20,
			   "the shared region, a multiple of 2M (the first role of the region maps it)"),
	PT_OPT_STRING_F("region", struct race_opts, region, "race",
			"roles of this process with the same region share it"),
	PT_OPT_END,
};

/* A region shared by the roles that name it, in this process. */
struct race_region {
	char name[64];
	struct pt_aligned_map m;
	size_t slots;
	int refs;
	atomic_int lanes; /* handed out to fault threads */
};

static pthread_mutex_t regions_lock = PTHREAD_MUTEX_INITIALIZER;
static struct race_region regions[8];

struct race_shared {
	const struct race_opts *o;
	int mode;     /* which of the three types */
	struct race_region *reg;
	bool corrupt; /* the test switch PTBENCH_TEST_CORRUPT_CHECK */
	/* measured iterations only */
	_Atomic uint64_t checks, zero_reads, corruptions, walks, pages_walked, pages_found, zaps;
};

struct race_thread {
	int lane;
	uint64_t seq;
	uint64_t *last;   /* per slot: the value this thread wrote last (fault) */
	unsigned char *vec; /* walk */
	uint64_t *pm;
	int pagemap_fd;
	int pipe[2]; /* race-gup */
};

extern const struct pt_worker_type pt_worker_race_zap, pt_worker_race_fault, pt_worker_race_walk,
	pt_worker_race_gup;

static int race_setup(struct pt_role_run *rr, char *err, size_t len)
{
	struct race_shared *s = pt_xcalloc(1, sizeof(*s));
	struct race_region *free_slot = NULL;
	int rc = 0;

	pt_role_set_shared(rr, s);
	s->o = pt_role_opts(rr);
	s->mode = pt_role_type(rr) == &pt_worker_race_zap ? MODE_ZAP
		: pt_role_type(rr) == &pt_worker_race_fault ? MODE_FAULT
		: pt_role_type(rr) == &pt_worker_race_gup ? MODE_GUP : MODE_WALK;
	s->corrupt = pt_test_corrupt_check();
	pthread_mutex_lock(&regions_lock);
	for (size_t i = 0; i < PT_ARRAY_SIZE(regions) && !s->reg; i++) {
		if (regions[i].refs && !strcmp(regions[i].name, s->o->region))
			s->reg = &regions[i];
		else if (!regions[i].refs && !free_slot)
			free_slot = &regions[i];
	}
	if (s->reg) {
		if (s->reg->m.len != (size_t)s->o->size) {
			snprintf(err, len, "region %s is %zu bytes (another role mapped it), not size = %lld",
				 s->o->region, s->reg->m.len, s->o->size);
			s->reg = NULL;
			rc = -1;
		}
	} else if (!free_slot) {
		snprintf(err, len, "more than %zu reclaim-race regions in one process", PT_ARRAY_SIZE(regions));
		rc = -1;
	} else if (pt_aligned_map(&free_slot->m, (size_t)s->o->size, -1, err, len)) {
		rc = -1;
	} else if (madvise(free_slot->m.base, free_slot->m.len, MADV_NOHUGEPAGE)) {
		/* a THP would map a slot with no PTE table at all */
		snprintf(err, len, "MADV_NOHUGEPAGE: %s", strerror(errno));
		pt_aligned_unmap(&free_slot->m);
		rc = -1;
	} else {
		s->reg = free_slot;
		snprintf(s->reg->name, sizeof(s->reg->name), "%s", s->o->region);
		s->reg->slots = s->reg->m.len / PT_PMD_SIZE;
		atomic_store(&s->reg->lanes, 0);
	}
	if (s->reg)
		s->reg->refs++;
	pthread_mutex_unlock(&regions_lock);
	return rc;
}

static int race_thread_init(struct pt_thread *t, char *err, size_t len)
{
	struct race_shared *s = pt_thread_shared(t);
	struct race_thread *rt = pt_xcalloc(1, sizeof(*rt));
	size_t pages = s->reg->m.len / (size_t)sysconf(_SC_PAGESIZE);

	t->priv = rt;
	rt->pagemap_fd = -1;
	rt->pipe[0] = rt->pipe[1] = -1;
	t->mem_addr = s->reg->m.base;
	t->mem_len = s->reg->m.len;
	if (s->mode == MODE_FAULT || s->mode == MODE_GUP) {
		rt->lane = atomic_fetch_add(&s->reg->lanes, 1);
		if (rt->lane >= LANES) {
			snprintf(err, len, "more than %d fault threads on region %s", LANES, s->o->region);
			return -1;
		}
		rt->last = pt_xcalloc(s->reg->slots, sizeof(*rt->last));
		if (s->mode == MODE_GUP && pipe2(rt->pipe, O_CLOEXEC)) {
			snprintf(err, len, "pipe2: %s", strerror(errno));
			return -1;
		}
	} else if (s->mode == MODE_WALK) {
		rt->vec = pt_xmalloc(pages);
		rt->pm = pt_xmalloc(pages * sizeof(*rt->pm));
		rt->pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
		if (rt->pagemap_fd < 0) {
			snprintf(err, len, "open /proc/self/pagemap: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void zap_once(struct pt_thread *t, struct race_shared *s)
{
	uint64_t t0 = pt_op_begin(t, OP_ZAP), t1, n = 0;

	for (size_t i = 0; i < s->reg->slots && !pt_should_stop(t); i++) {
		int rc = madvise(s->reg->m.base + i * PT_PMD_SIZE, PT_PMD_SIZE, MADV_DONTNEED);

		t1 = pt_now_ns();
		pt_record(t, OP_ZAP, t0, t1);
		if (rc)
			pt_record_error(t, OP_ZAP, errno);
		else
			n++;
		t0 = pt_op_begin_at(t, OP_ZAP, t1);
	}
	pt_op_end(t);
	if (pt_measuring(t))
		atomic_fetch_add_explicit(&s->zaps, n, memory_order_relaxed);
}

static void fault_once(struct pt_thread *t, struct race_shared *s, struct race_thread *rt)
{
	uint64_t checks = 0, zeros = 0, bad = 0, t0, t1;
	/* the test switch: expect a value that was never written */
	uint64_t skew = s->corrupt ? 1 : 0;

	for (size_t i = 0; i < s->reg->slots && !pt_should_stop(t); i++) {
		volatile uint64_t *p = (volatile uint64_t *)(s->reg->m.base + i * PT_PMD_SIZE) + rt->lane;
		uint64_t v = ((uint64_t)(unsigned)t->tid << 32) | (++rt->seq & 0xffffffffu), before, after;

		if (!(v & 0xffffffffu))
			v = ((uint64_t)(unsigned)t->tid << 32) | (++rt->seq & 0xffffffffu);
		t0 = pt_op_begin(t, OP_FAULT);
		before = *p;
		*p = v;
		after = *p;
		t1 = pt_now_ns();
		pt_record(t, OP_FAULT, t0, t1);
		/* before: what this thread left there, or 0 after a zap */
		bad += before != 0 && before != rt->last[i] + skew;
		/* after: what it just wrote, or 0 when a zap came in between */
		if (after == 0)
			zeros++;
		else
			bad += after != v + skew;
		rt->last[i] = after;
		checks += 2;
	}
	if (pt_measuring(t)) {
		atomic_fetch_add_explicit(&s->checks, checks, memory_order_relaxed);
		atomic_fetch_add_explicit(&s->zero_reads, zeros, memory_order_relaxed);
		atomic_fetch_add_explicit(&s->corruptions, bad, memory_order_relaxed);
	}
}

static void walk_once(struct pt_thread *t, struct race_shared *s, struct race_thread *rt)
{
	const size_t page = (size_t)sysconf(_SC_PAGESIZE), per_slot = PT_PMD_SIZE / page;
	size_t pages = s->reg->m.len / page;
	uint64_t t0, t1, found = 0, bad = 0;
	ssize_t n;

	t0 = pt_op_begin(t, OP_MINCORE);
	if (mincore(s->reg->m.base, s->reg->m.len, rt->vec)) {
		t1 = pt_now_ns();
		pt_record(t, OP_MINCORE, t0, t1);
		pt_record_error(t, OP_MINCORE, errno);
	} else {
		t1 = pt_now_ns();
		pt_record(t, OP_MINCORE, t0, t1);
		for (size_t i = 0; i < pages; i++) {
			found += rt->vec[i] & 1;
			/* a page never touched, or a byte with undefined bits */
			bad += ((rt->vec[i] & 1) && i % per_slot) || (rt->vec[i] & ~1u);
		}
	}
	t0 = pt_op_begin(t, OP_PAGEMAP);
	n = pread(rt->pagemap_fd, rt->pm, pages * sizeof(*rt->pm),
		  (off_t)((uintptr_t)s->reg->m.base / page * sizeof(*rt->pm)));
	t1 = pt_now_ns();
	pt_record(t, OP_PAGEMAP, t0, t1);
	if (n < 0) {
		pt_record_error(t, OP_PAGEMAP, errno);
	} else {
		/* one entry per page asked, never fewer, never more */
		bad += (size_t)n != pages * sizeof(*rt->pm);
		for (size_t i = 0; i < (size_t)n / sizeof(*rt->pm); i++) {
			found += (rt->pm[i] & PM_PRESENT) != 0;
			bad += (rt->pm[i] & PM_PRESENT) && i % per_slot;
		}
	}
	bad += s->corrupt;
	if (pt_measuring(t)) {
		atomic_fetch_add_explicit(&s->walks, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&s->pages_walked, 2 * pages, memory_order_relaxed);
		atomic_fetch_add_explicit(&s->pages_found, found, memory_order_relaxed);
		atomic_fetch_add_explicit(&s->corruptions, bad, memory_order_relaxed);
	}
}

/* write the lane, splice it (GUP-fast pins the page), read it back */
static void gup_once(struct pt_thread *t, struct race_shared *s, struct race_thread *rt)
{
	uint64_t checks = 0, zeros = 0, bad = 0, t0, t1, skew = s->corrupt ? 1 : 0;

	for (size_t i = 0; i < s->reg->slots && !pt_should_stop(t); i++) {
		volatile uint64_t *p = (volatile uint64_t *)(s->reg->m.base + i * PT_PMD_SIZE) + rt->lane;
		uint64_t v = ((uint64_t)(unsigned)t->tid << 32) | ((++rt->seq & 0x7fffffffu) | 1), got = 0;
		struct iovec iov = { .iov_base = (void *)p, .iov_len = sizeof(*p) };
		ssize_t n;

		*p = v;
		t0 = pt_op_begin(t, OP_GUP);
		n = vmsplice(rt->pipe[1], &iov, 1, 0);
		if (n == (ssize_t)sizeof(got))
			n = read(rt->pipe[0], &got, sizeof(got));
		t1 = pt_now_ns();
		pt_record(t, OP_GUP, t0, t1);
		if (n != (ssize_t)sizeof(got)) {
			pt_record_error(t, OP_GUP, n < 0 ? errno : EIO);
			continue;
		}
		/* the page pinned was ours with the stamp, or a zap came before the pin */
		if (got == 0)
			zeros++;
		else
			bad += got != v + skew;
		checks++;
	}
	if (pt_measuring(t)) {
		atomic_fetch_add_explicit(&s->checks, checks, memory_order_relaxed);
		atomic_fetch_add_explicit(&s->zero_reads, zeros, memory_order_relaxed);
		atomic_fetch_add_explicit(&s->corruptions, bad, memory_order_relaxed);
	}
}

static int race_run_once(struct pt_thread *t)
{
	struct race_shared *s = pt_thread_shared(t);
	struct race_thread *rt = t->priv;

	switch (s->mode) {
	case MODE_ZAP: zap_once(t, s); break;
	case MODE_FAULT: fault_once(t, s, rt); break;
	case MODE_GUP: gup_once(t, s, rt); break;
	default: walk_once(t, s, rt); break;
	}
	return 0;
}

static void race_thread_fini(struct pt_thread *t)
{
	struct race_thread *rt = t->priv;

	if (!rt)
		return;
	if (rt->pagemap_fd >= 0)
		close(rt->pagemap_fd);
	for (int i = 0; i < 2; i++)
		if (rt->pipe[i] >= 0)
			close(rt->pipe[i]);
	free(rt->last);
	free(rt->vec);
	free(rt->pm);
	free(rt);
	t->priv = NULL;
}

static void race_teardown(struct pt_role_run *rr)
{
	struct race_shared *s = pt_role_shared(rr);

	if (!s)
		return;
	pthread_mutex_lock(&regions_lock);
	if (s->reg && !--s->reg->refs)
		pt_aligned_unmap(&s->reg->m);
	pthread_mutex_unlock(&regions_lock);
	free(s);
	pt_role_set_shared(rr, NULL);
}

static void race_report(struct pt_role_run *rr, struct json_object *o)
{
	struct race_shared *s = pt_role_shared(rr);
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "mode", json_object_new_string(mode_names[s->mode]));
	json_object_object_add(r, "region", json_object_new_string(s->o->region));
	json_object_object_add(r, "slots", json_object_new_int64((int64_t)s->reg->slots));
	if (s->mode == MODE_ZAP)
		json_object_object_add(r, "zaps", json_object_new_int64((int64_t)s->zaps));
	if (s->mode == MODE_FAULT || s->mode == MODE_GUP) {
		json_object_object_add(r, "checks", json_object_new_int64((int64_t)s->checks));
		json_object_object_add(r, "zero_reads", json_object_new_int64((int64_t)s->zero_reads));
	}
	if (s->mode == MODE_WALK) {
		json_object_object_add(r, "walks", json_object_new_int64((int64_t)s->walks));
		json_object_object_add(r, "pages_walked", json_object_new_int64((int64_t)s->pages_walked));
		json_object_object_add(r, "pages_found", json_object_new_int64((int64_t)s->pages_found));
	}
	json_object_object_add(r, "corruptions", json_object_new_int64((int64_t)s->corruptions));
	json_object_object_add(o, "race", r);
}

static void race_summary(const char *role, struct json_object *role_json, FILE *out)
{
	struct json_object *r, *m;
	const char *mode;

	if (!json_object_object_get_ex(role_json, "race", &r) || !json_object_object_get_ex(r, "mode", &m))
		return;
	mode = json_object_get_string(m);
	if (!strcmp(mode, "zap"))
		fprintf(out, "  %s: %lld zaps of %lld slots", role, pt_json_int(r, "zaps", -1), pt_json_int(r, "slots", -1));
	else if (!strcmp(mode, "fault") || !strcmp(mode, "gup"))
		fprintf(out, "  %s: %lld checks, %lld read 0 (zapped meanwhile)", role, pt_json_int(r, "checks", -1),
			pt_json_int(r, "zero_reads", -1));
	else
		fprintf(out, "  %s: %lld walks, %lld of %lld pages found", role, pt_json_int(r, "walks", -1),
			pt_json_int(r, "pages_found", -1), pt_json_int(r, "pages_walked", -1));
	fprintf(out, ", corruptions %lld%s\n", pt_json_int(r, "corruptions", -1),
		pt_json_int(r, "corruptions", -1) > 0 ? " (WRONG: a data check failed)" : "");
}

static uint64_t race_mem_bytes(const void *opts, int threads)
{
	(void)threads; /* one region, shared; at most a page per slot and its PTE table */
	return (uint64_t)((const struct race_opts *)opts)->size / PT_PMD_SIZE * 8192;
}

#define RACE_TYPE(NAME, OPS, UNIT, SUMMARY)          \
	{                                           \
		.name = NAME,                       \
		.summary = SUMMARY,                 \
		.opts = race_opt_defs,              \
		.opts_size = sizeof(struct race_opts), \
		.mem_bytes = race_mem_bytes,        \
		.ops = OPS,                         \
		.unit_op = UNIT,                    \
		.setup = race_setup,                \
		.thread_init = race_thread_init,    \
		.run_once = race_run_once,          \
		.thread_fini = race_thread_fini,    \
		.teardown = race_teardown,          \
		.report = race_report,              \
		.print_summary = race_summary,      \
	}

/* the unit op of each: one MADV_DONTNEED of a slot, one checked lane write, one mincore() pass */
const struct pt_worker_type pt_worker_race_zap =
	RACE_TYPE("race-zap", zap_ops, "zap", "MADV_DONTNEED of each 2M slot of a region race-fault/race-walk roles use at once");
const struct pt_worker_type pt_worker_race_fault =
	RACE_TYPE("race-fault", fault_ops, "fault", "a checked write per 2M slot of a region a race-zap role empties at once");
const struct pt_worker_type pt_worker_race_gup =
	RACE_TYPE("race-gup", gup_ops, "gup",
		  "a lane per 2M slot written, vmspliced (GUP-fast) and read back, while a race-zap role empties the slots");
const struct pt_worker_type pt_worker_race_walk =
	RACE_TYPE("race-walk", walk_ops, "mincore",
		  "mincore() + pagemap over a region a race-zap role empties at once, checked page by page");
