/* mincore: one walk = mincore() over every range of the region, timed as op
 * `mincore`. The kernel takes mmap_read_lock for each chunk of up to 4096
 * pages (one page of output vector) and walks the page tables of that chunk;
 * a PTE table retracted by a concurrent shmem collapse makes the walk fall
 * back to the page cache lookup for that PMD. mincore() only sees the
 * caller's own address space: target is always self. A range unmapped since
 * the walker read the maps answers ENOMEM: counted as ranges_gone. */
#define _GNU_SOURCE
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ptbench/clock.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"
#include "walk_region.h"

enum { OP_MINCORE };

static const char *const mincore_ops[] = { "mincore", NULL };

#define MAX_RETRIES 1000

struct mincore_opts {
	struct pt_walk_opts walk;
	long long chunk;
};

static const struct pt_opt_def mincore_opt_defs[] = {
	PT_WALK_OPT_ROWS(struct mincore_opts),
	PT_OPT_SIZE_MULT_F("chunk", struct mincore_opts, chunk, "64M", 4096, 1LL << 40, 4096,
			   "bytes of address space per mincore() call"),
	PT_OPT_END,
};

struct mincore_shared {
	const struct mincore_opts *o;
	bool corrupt; /* the test switch PTBENCH_TEST_CORRUPT_CHECK: a miscount per walk */
	struct pt_walk_target wt;
};

struct mincore_thread {
	unsigned char *vec;
	size_t vec_len;
	struct pt_walk_ranges ranges;
};

static enum pt_check mincore_check(const struct pt_worker_type *type, const void *opts, const char **bad_key,
				    char *why, size_t len)
{
	(void)type;
	return pt_walk_check(&((const struct mincore_opts *)opts)->walk, true, bad_key, why, len);
}

static uint64_t mincore_mem_bytes(const void *opts, int threads)
{
	(void)threads; /* one region per role */
	return pt_walk_mem_bytes(&((const struct mincore_opts *)opts)->walk);
}

static int mincore_setup(struct pt_role_run *rr, char *err, size_t len)
{
	struct mincore_shared *s = pt_xcalloc(1, sizeof(*s));

	pt_role_set_shared(rr, s);
	s->o = pt_role_opts(rr);
	s->corrupt = pt_test_corrupt_check();
	return pt_walk_target_setup(&s->wt, &s->o->walk, rr, err, len);
}

static int mincore_thread_init(struct pt_thread *t, char *err, size_t len)
{
	struct mincore_shared *s = pt_thread_shared(t);
	struct mincore_thread *mt = pt_xcalloc(1, sizeof(*mt));

	(void)err;
	(void)len;
	t->priv = mt;
	mt->vec_len = (size_t)s->o->chunk / (size_t)sysconf(_SC_PAGESIZE);
	mt->vec = pt_xmalloc(mt->vec_len);
	if (s->o->walk.region == PT_WALK_OWN) {
		t->mem_addr = s->wt.own.base;
		t->mem_len = s->wt.own.len;
	}
	return 0;
}

struct walk_count {
	uint64_t seen, present, retries, gone, bad_bytes;
};

/* Pages whose vec byte has bit 0 set, 8 bytes at a time: the count is inside
 * the timed op, and a byte loop through c->present (which every vec byte may
 * alias) cost ~5 us per 64 MiB walk, 14% of the op in the bare-twin
 * comparison. Multiplying the masked word by 0x0101..01 sums its
 * eight 0/1 bytes into the top byte. */
static uint64_t resident(const unsigned char *vec, uint64_t pages, uint64_t *bad_bytes)
{
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t n = 0, i = 0, bad = 0;

	for (; i + 8 <= pages; i += 8) {
		uint64_t w;

		memcpy(&w, vec + i, sizeof(w));
		n += ((w & ones) * ones) >> 56;
		if (w & ~ones) /* a byte with an undefined bit: count them (rare) */
			for (int j = 0; j < 8; j++)
				bad += (vec[i + j] & ~1u) != 0;
	}
	for (; i < pages; i++) {
		n += vec[i] & 1;
		bad += (vec[i] & ~1u) != 0;
	}
	*bad_bytes += bad;
	return n;
}

static int mincore_range(struct mincore_thread *mt, const struct pt_walk_range *r, struct walk_count *c)
{
	const uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t addr = r->start;
	unsigned tries = 0;

	while (addr < r->end) {
		uint64_t pages = (r->end - addr) / page;

		if (pages > mt->vec_len)
			pages = mt->vec_len;
		if (mincore((void *)(uintptr_t)addr, pages * page, mt->vec)) {
			if (errno == EAGAIN && ++tries < MAX_RETRIES) {
				c->retries++;
				continue;
			}
			if (errno == ENOMEM) {
				/* part of the range is no longer mapped: the VMAs changed */
				c->gone++;
				return 0;
			}
			return errno;
		}
		tries = 0;
		/* only bit 0 is defined: anything else is the kernel
		 * writing what it did not mean to (a torn walk) */
		c->present += resident(mt->vec, pages, &c->bad_bytes);
		c->seen += pages;
		addr += pages * page;
	}
	return 0;
}

static int mincore_run_once(struct pt_thread *t)
{
	struct mincore_shared *s = pt_thread_shared(t);
	struct mincore_thread *mt = t->priv;
	struct walk_count c = { 0 };
	uint64_t t0, t1;
	int err = 0;

	if (pt_walk_ranges_get(&mt->ranges, &s->wt, &s->o->walk)) {
		t0 = pt_op_begin(t, OP_MINCORE);
		pt_record(t, OP_MINCORE, t0, t0);
		pt_record_error(t, OP_MINCORE, errno);
		return 0;
	}
	t0 = pt_op_begin(t, OP_MINCORE);
	for (size_t i = 0; i < mt->ranges.n && !err; i++)
		err = mincore_range(mt, &mt->ranges.r[i], &c);
	t1 = pt_now_ns();
	pt_record(t, OP_MINCORE, t0, t1);
	if (err)
		pt_record_error(t, OP_MINCORE, err);
	if (c.gone)
		mt->ranges.stale = true;
	if (!pt_measuring(t))
		return 0;
	pt_walk_add(&s->wt.stats.walks, err ? 0 : 1);
	pt_walk_add(&s->wt.stats.pages_seen, c.seen);
	pt_walk_add(&s->wt.stats.pages_present, c.present);
	pt_walk_add(&s->wt.stats.retries, c.retries);
	pt_walk_add(&s->wt.stats.ranges_gone, c.gone);
	if (c.seen > mt->ranges.pages || c.bad_bytes || s->corrupt)
		pt_walk_add(&s->wt.stats.miscounts, 1);
	return 0;
}

static void mincore_thread_fini(struct pt_thread *t)
{
	struct mincore_thread *mt = t->priv;

	if (!mt)
		return;
	free(mt->vec);
	pt_walk_ranges_free(&mt->ranges);
	free(mt);
	t->priv = NULL;
}

static void mincore_teardown(struct pt_role_run *rr)
{
	struct mincore_shared *s = pt_role_shared(rr);

	if (!s)
		return;
	pt_walk_target_teardown(&s->wt);
	free(s);
	pt_role_set_shared(rr, NULL);
}

static void mincore_report(struct pt_role_run *rr, struct json_object *o)
{
	struct mincore_shared *s = pt_role_shared(rr);

	json_object_object_add(o, "walk", pt_walk_stats_json(&s->wt.stats, &s->wt));
}

const struct pt_worker_type pt_worker_mincore = {
	.name = "mincore",
	.summary = "mincore() over a region of this process (mmap_lock read per 4096 pages)",
	.opts = mincore_opt_defs,
	.opts_size = sizeof(struct mincore_opts),
	.mem_bytes = mincore_mem_bytes,
	.ops = mincore_ops,
	/* the unit of work lock counts are divided by */
	.unit_op = "mincore",
	.check = mincore_check,
	.setup = mincore_setup,
	.thread_init = mincore_thread_init,
	.run_once = mincore_run_once,
	.thread_fini = mincore_thread_fini,
	.teardown = mincore_teardown,
	.report = mincore_report,
	.print_summary = pt_walk_print_summary,
};
