/* pagemap-read: one walk = read /proc/TARGET/pagemap over every range of the
 * region (mode = read), or ask the PAGEMAP_SCAN ioctl (6.7+) for the present
 * pages of the region (mode = scan); timed as op `walk`.
 * pagemap_read() takes mmap_read_lock (killable) for each PMD-sized (2 MiB)
 * chunk and walks its page tables with walk_page_range(); PAGEMAP_SCAN takes
 * it once per call and stops early when its output vector is full. A shmem
 * collapse in another thread can retract a PTE table under either walk
 * (pte_offset_map() fails and the walk retries the PMD): the walker must
 * still get exactly one entry per page. Anything else (short read, EINTR,
 * a range unmapped meanwhile) is counted under "walk" in the role's JSON. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "collapse_util.h"
#include "ptbench/clock.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"
#include "walk_region.h"

enum { OP_WALK };
enum { MODE_READ, MODE_SCAN, MODE_AUTO };

static const char *const pagemap_ops[] = { "walk", NULL };
static const char *const mode_choices[] = { "read", "scan", "auto", NULL };

#define PM_PRESENT (1ULL << 63)
#define PM_SWAPPED (1ULL << 62)
#define MAX_RETRIES 1000 /* EINTR/EAGAIN in a row before the call counts as an error */
#define SCAN_VEC 512

struct pagemap_opts {
	struct pt_walk_opts walk;
	int mode;
	long long bufsize;
};

static const struct pt_opt_def pagemap_opt_defs[] = {
	PT_WALK_OPT_ROWS(struct pagemap_opts),
	PT_OPT_ENUM_F("mode", struct pagemap_opts, mode, "read", mode_choices,
		      "read: read() the pagemap entries; scan: the PAGEMAP_SCAN ioctl (6.7+, skips before); "
		      "auto: scan where the kernel has it, else read"),
	PT_OPT_SIZE_MULT_F("bufsize", struct pagemap_opts, bufsize, "64K", 4096, 64LL << 20, 8,
			   "mode = read: bytes per read() (8 per page)"),
	PT_OPT_END,
};

struct pagemap_shared {
	const struct pagemap_opts *o;
	int mode; /* MODE_READ or MODE_SCAN: auto resolved at setup */
	bool corrupt; /* the test switch PTBENCH_TEST_CORRUPT_CHECK: one miscount per walk */
	struct pt_walk_target wt;
};

struct pagemap_thread {
	int fd;
	uint64_t *buf;
	size_t buf_entries;
	struct pt_page_region *vec;
	struct pt_walk_ranges ranges;
};

static enum pt_check pagemap_check(const struct pt_worker_type *type, const void *opts, const char **bad_key,
				    char *why, size_t len)
{
	const struct pagemap_opts *o = opts;
	enum pt_check c = pt_walk_check(&o->walk, false, bad_key, why, len);

	(void)type;

	if (c != PT_CHECK_OK)
		return c;
	if (o->mode == MODE_SCAN && !pt_pagemap_scan_available()) {
		*bad_key = "mode";
		snprintf(why, len, "mode = scan needs the PAGEMAP_SCAN ioctl (Linux 6.7+): this kernel "
				   "answers ENOTTY");
		return PT_CHECK_SKIP;
	}
	return PT_CHECK_OK;
}

static uint64_t pagemap_mem_bytes(const void *opts, int threads)
{
	(void)threads; /* one region per role */
	return pt_walk_mem_bytes(&((const struct pagemap_opts *)opts)->walk);
}

static int pagemap_setup(struct pt_role_run *rr, char *err, size_t len)
{
	struct pagemap_shared *s = pt_xcalloc(1, sizeof(*s));

	pt_role_set_shared(rr, s);
	s->o = pt_role_opts(rr);
	s->mode = s->o->mode != MODE_AUTO ? s->o->mode : pt_pagemap_scan_available() ? MODE_SCAN : MODE_READ;
	s->corrupt = pt_test_corrupt_check();
	return pt_walk_target_setup(&s->wt, &s->o->walk, rr, err, len);
}

static int pagemap_thread_init(struct pt_thread *t, char *err, size_t len)
{
	struct pagemap_shared *s = pt_thread_shared(t);
	struct pagemap_thread *pt = pt_xcalloc(1, sizeof(*pt));
	char path[64];

	t->priv = pt;
	snprintf(path, sizeof(path), "%s/pagemap", s->wt.proc_dir);
	pt->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (pt->fd < 0) {
		snprintf(err, len, "open %s: %s", path, strerror(errno));
		return -1;
	}
	pt->buf_entries = (size_t)s->o->bufsize / sizeof(uint64_t);
	pt->buf = pt_xmalloc(pt->buf_entries * sizeof(uint64_t));
	pt->vec = pt_xcalloc(SCAN_VEC, sizeof(*pt->vec));
	if (s->o->walk.region == PT_WALK_OWN) {
		t->mem_addr = s->wt.own.base;
		t->mem_len = s->wt.own.len;
	}
	return 0;
}

struct walk_count {
	uint64_t seen, present, huge, short_reads, retries, continuations, gone, miscounts;
};

/* After a failed call: whether to try again (a signal, or a page table
 * that a collapse retracted under the walk: EINTR/EAGAIN, a few times) */
static bool retry(unsigned *tries, struct walk_count *c)
{
	if ((errno == EINTR || errno == EAGAIN) && ++*tries < MAX_RETRIES) {
		c->retries++;
		return true;
	}
	return false;
}

/* read() the entries of one range; returns an errno for pt_record_error, or 0 */
static int read_range(struct pagemap_thread *pt, const struct pt_walk_range *r, struct walk_count *c)
{
	const uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t vpn = r->start / page, end = r->end / page;
	unsigned tries = 0;

	while (vpn < end) {
		size_t want = end - vpn < pt->buf_entries ? (size_t)(end - vpn) : pt->buf_entries;
		ssize_t n = pread(pt->fd, pt->buf, want * sizeof(uint64_t), (off_t)(vpn * sizeof(uint64_t)));
		size_t got;

		if (n < 0) {
			if (retry(&tries, c))
				continue;
			return errno;
		}
		tries = 0;
		if (n == 0) {
			/* the target's mm is gone (exited): nothing more to read */
			c->short_reads++;
			return 0;
		}
		if ((size_t)n > want * sizeof(uint64_t) || n % sizeof(uint64_t)) {
			c->miscounts++;
			return 0;
		}
		got = (size_t)n / sizeof(uint64_t);
		if (got < want)
			c->short_reads++;
		/* count in a local: c->present may alias buf (both uint64_t), which
		 * would store it once per entry inside the timed op */
		uint64_t present = 0;

		for (size_t i = 0; i < got; i++)
			present += (pt->buf[i] & (PM_PRESENT | PM_SWAPPED)) != 0;
		c->present += present;
		c->seen += got;
		vpn += got;
	}
	return 0;
}

/* PAGEMAP_SCAN the present/swapped pages of one range */
static int scan_range(struct pagemap_thread *pt, const struct pt_walk_range *r, struct walk_count *c)
{
	const uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	struct pt_pm_scan_arg a = {
		.size = sizeof(a),
		.start = r->start,
		.end = r->end,
		.category_anyof_mask = PT_PAGE_IS_PRESENT | PT_PAGE_IS_SWAPPED,
		.return_mask = PT_PAGE_IS_PRESENT | PT_PAGE_IS_SWAPPED | PT_PAGE_IS_HUGE,
	};
	unsigned tries = 0;

	while (a.start < a.end) {
		uint64_t from = a.start, covered;
		long n;

		a.vec = (uint64_t)(uintptr_t)pt->vec;
		a.vec_len = SCAN_VEC;
		n = ioctl(pt->fd, PT_PAGEMAP_SCAN, &a);
		if (n < 0) {
			if (retry(&tries, c))
				continue;
			/* holes (a range unmapped since the maps were read) are
			 * simply not reported: any errno here is a real failure */
			return errno;
		}
		tries = 0;
		if (a.walk_end < from || a.walk_end > a.end) {
			c->miscounts++;
			return 0;
		}
		for (long i = 0; i < n; i++) {
			uint64_t pages = (pt->vec[i].end - pt->vec[i].start) / page;

			if (pt->vec[i].start < from || pt->vec[i].end > a.walk_end) {
				c->miscounts++;
				continue;
			}
			c->present += pages;
			if (pt->vec[i].categories & PT_PAGE_IS_HUGE)
				c->huge += pages;
		}
		covered = (a.walk_end - from) / page;
		c->seen += covered;
		if (a.walk_end >= a.end)
			break;
		if (a.walk_end == from) {
			/* no progress: count it and give up on the range rather than spin */
			c->short_reads++;
			break;
		}
		c->continuations++;
		a.start = a.walk_end;
	}
	return 0;
}

static int pagemap_run_once(struct pt_thread *t)
{
	struct pagemap_shared *s = pt_thread_shared(t);
	struct pagemap_thread *pt = t->priv;
	struct walk_count c = { 0 };
	uint64_t t0, t1;
	int err = 0;

	if (pt_walk_ranges_get(&pt->ranges, &s->wt, &s->o->walk)) {
		/* the target process is gone: record it, the run decides */
		t0 = pt_op_begin(t, OP_WALK);
		pt_record(t, OP_WALK, t0, t0);
		pt_record_error(t, OP_WALK, errno);
		return 0;
	}
	t0 = pt_op_begin(t, OP_WALK);
	for (size_t i = 0; i < pt->ranges.n && !err; i++)
		err = s->mode == MODE_SCAN ? scan_range(pt, &pt->ranges.r[i], &c)
					     : read_range(pt, &pt->ranges.r[i], &c);
	t1 = pt_now_ns();
	pt_record(t, OP_WALK, t0, t1);
	if (err)
		pt_record_error(t, OP_WALK, err);
	if (s->corrupt) /* what a kernel answering for a page twice would look like */
		c.miscounts++;
	if (c.short_reads || c.miscounts || c.seen != pt->ranges.pages)
		pt->ranges.stale = true; /* the VMAs changed: find them again */
	if (!pt_measuring(t))
		return 0;
	pt_walk_add(&s->wt.stats.walks, err ? 0 : 1);
	pt_walk_add(&s->wt.stats.pages_seen, c.seen);
	pt_walk_add(&s->wt.stats.pages_present, c.present);
	pt_walk_add(&s->wt.stats.pages_huge, c.huge);
	pt_walk_add(&s->wt.stats.short_reads, c.short_reads);
	pt_walk_add(&s->wt.stats.retries, c.retries);
	pt_walk_add(&s->wt.stats.continuations, c.continuations);
	pt_walk_add(&s->wt.stats.miscounts, c.miscounts);
	if (c.seen < pt->ranges.pages && !err)
		pt_walk_add(&s->wt.stats.ranges_gone, 1);
	return 0;
}

static void pagemap_thread_fini(struct pt_thread *t)
{
	struct pagemap_thread *pt = t->priv;

	if (!pt)
		return;
	if (pt->fd >= 0)
		close(pt->fd);
	free(pt->buf);
	free(pt->vec);
	pt_walk_ranges_free(&pt->ranges);
	free(pt);
	t->priv = NULL;
}

static void pagemap_teardown(struct pt_role_run *rr)
{
	struct pagemap_shared *s = pt_role_shared(rr);

	if (!s)
		return;
	pt_walk_target_teardown(&s->wt);
	free(s);
	pt_role_set_shared(rr, NULL);
}

static void pagemap_report(struct pt_role_run *rr, struct json_object *o)
{
	struct pagemap_shared *s = pt_role_shared(rr);

	json_object_object_add(o, "mode", json_object_new_string(mode_choices[s->mode]));
	if (s->o->mode == MODE_AUTO)
		json_object_object_add(o, "mode_asked", json_object_new_string("auto"));
	json_object_object_add(o, "walk", pt_walk_stats_json(&s->wt.stats, &s->wt));
}

const struct pt_worker_type pt_worker_pagemap_read = {
	.name = "pagemap-read",
	.summary = "walk /proc/TARGET/pagemap over a region: read() or the PAGEMAP_SCAN ioctl (mmap_lock read per 2M)",
	.opts = pagemap_opt_defs,
	.opts_size = sizeof(struct pagemap_opts),
	.mem_bytes = pagemap_mem_bytes,
	.ops = pagemap_ops,
	/* the unit of work lock counts are divided by: one pass over the region */
	.unit_op = "walk",
	.check = pagemap_check,
	.setup = pagemap_setup,
	.thread_init = pagemap_thread_init,
	.run_once = pagemap_run_once,
	.thread_fini = pagemap_thread_fini,
	.teardown = pagemap_teardown,
	.report = pagemap_report,
	.print_summary = pt_walk_print_summary,
};
