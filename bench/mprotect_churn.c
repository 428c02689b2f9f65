/* mprotect-churn: flip the protection of ranges of one large anon mapping.
 * Each iteration takes a random range of the thread's slice, makes it
 * read-only (the VMA splits in three) and writable again (the three merge
 * back); each mprotect() call is timed as op `mprotect`. Both take
 * mmap_write_lock (plus vma_start_write on per-VMA-lock kernels) and walk the
 * range's page tables (change_protection) to rewrite the PTEs, so with
 * populate = true every call also walks populated PTE tables: what faulting
 * threads and /proc readers of the same mm wait behind.
 *
 * `spare` maps that many more bytes after the flipped slices, in the same
 * VMA, and lends them to fault roles with `vma_of = ROLE` (role_region.h):
 * their faults then hit the VMA each flip write-locks (the split marks the
 * VMA it splits, the merge the ones it merges), so on per-VMA-lock kernels
 * some of them find it locked and fall back to mmap_lock. */
#define _GNU_SOURCE
#include <errno.h>
#include <json-c/json.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "collapse_util.h"
#include "role_region.h"
#include "ptbench/clock.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"

enum { OP_MPROTECT };

static const char *const mprotect_ops[] = { "mprotect", NULL };

struct mprotect_opts {
	long long size, range, spare;
	bool populate;
};

static const struct pt_opt_def mprotect_opt_defs[] = {
	PT_OPT_SIZE_MULT_F("size", struct mprotect_opts, size, "64M", 1LL << 20, 1LL << 40, 4096,
			   "the mapping, shared by the role's threads (each flips ranges in its own slice)"),
	PT_OPT_SIZE_MULT_F("range", struct mprotect_opts, range, "64K", 4096, 1LL << 32, 4096,
			   "bytes flipped per call (at most size / threads)"),
	PT_OPT_BOOL_F("populate", struct mprotect_opts, populate, "true",
		      "write every page at setup, so each mprotect rewrites present PTEs"),
	PT_OPT_SIZE_MULT_F("spare", struct mprotect_opts, spare, "0", 0, 1LL << 40, 4096,
			   "bytes mapped after the flipped part, in the same VMA, never flipped: "
			   "fault roles with vma_of = this role fault there"),
	PT_OPT_END,
};

struct mprotect_shared {
	const struct mprotect_opts *o;
	struct pt_aligned_map m;
	size_t slice;               /* bytes per thread */
	_Atomic uint64_t flips;     /* read-only + writable pairs, measured */
};

static enum pt_check mprotect_check(const struct pt_worker_type *type, const void *opts,
				     const char **bad_key, char *why, size_t len)
{
	const struct mprotect_opts *o = opts;

	(void)type;
	if (o->range > o->size) {
		*bad_key = "range";
		snprintf(why, len, "range = %lld bytes: more than size (%lld)", o->range, o->size);
		return PT_CHECK_ERROR;
	}
	return PT_CHECK_OK;
}

static uint64_t mprotect_mem_bytes(const void *opts, int threads)
{
	const struct mprotect_opts *o = opts;

	(void)threads; /* one mapping per role */
	return (uint64_t)(o->size + o->spare);
}

static int mprotect_setup(struct pt_role_run *rr, char *err, size_t len)
{
	struct mprotect_shared *s = pt_xcalloc(1, sizeof(*s));
	long page = sysconf(_SC_PAGESIZE);
	int n = pt_role_nthreads(rr) > 0 ? pt_role_nthreads(rr) : 1;

	pt_role_set_shared(rr, s);
	s->o = pt_role_opts(rr);
	s->slice = ((size_t)s->o->size / (size_t)n) & ~(size_t)(page - 1);
	if (s->slice < (size_t)s->o->range) {
		snprintf(err, len, "size %lld split over %d threads leaves slices smaller than range %lld",
			 s->o->size, n, s->o->range);
		return -1;
	}
	if (pt_aligned_map(&s->m, (size_t)(s->o->size + s->o->spare), -1, err, len))
		return -1;
	/* PTEs to rewrite, not PMDs; over the spare too, in this one call, so
	 * the faulters' part stays in the same VMA */
	madvise(s->m.base, s->m.len, MADV_NOHUGEPAGE);
	if (s->o->spare &&
	    pt_role_region_publish(pt_role_name(rr), s->m.base + s->o->size, (size_t)s->o->spare)) {
		snprintf(err, len, "cannot lend the spare part to other roles (too many lenders)");
		return -1;
	}
	if (s->o->populate)
		for (size_t off = 0; off < (size_t)s->o->size; off += (size_t)page)
			s->m.base[off] = 1;
	return 0;
}

static int mprotect_thread_init(struct pt_thread *t, char *err, size_t len)
{
	struct mprotect_shared *s = pt_thread_shared(t);

	(void)err;
	(void)len;
	t->mem_addr = s->m.base + (size_t)t->index * s->slice;
	t->mem_len = s->slice;
	return 0;
}

static void timed_mprotect(struct pt_thread *t, void *addr, size_t len, int prot)
{
	uint64_t t0 = pt_op_begin(t, OP_MPROTECT), t1;
	int rc = mprotect(addr, len, prot);

	t1 = pt_now_ns();
	pt_record(t, OP_MPROTECT, t0, t1);
	if (rc)
		pt_record_error(t, OP_MPROTECT, errno);
}

static int mprotect_run_once(struct pt_thread *t)
{
	struct mprotect_shared *s = pt_thread_shared(t);
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t positions = (s->slice - (size_t)s->o->range) / page + 1;
	char *addr = s->m.base + (size_t)t->index * s->slice + (size_t)(pt_rand(t) % positions) * page;

	timed_mprotect(t, addr, (size_t)s->o->range, PROT_READ);
	timed_mprotect(t, addr, (size_t)s->o->range, PROT_READ | PROT_WRITE);
	if (pt_measuring(t))
		atomic_fetch_add_explicit(&s->flips, 1, memory_order_relaxed);
	return 0;
}

static void mprotect_teardown(struct pt_role_run *rr)
{
	struct mprotect_shared *s = pt_role_shared(rr);

	if (!s)
		return;
	if (s->o->spare)
		pt_role_region_withdraw(pt_role_name(rr));
	pt_aligned_unmap(&s->m);
	free(s);
	pt_role_set_shared(rr, NULL);
}

static void mprotect_report(struct pt_role_run *rr, struct json_object *o)
{
	struct mprotect_shared *s = pt_role_shared(rr);

	json_object_object_add(o, "flips", json_object_new_int64((int64_t)atomic_load(&s->flips)));
	json_object_object_add(o, "slice_bytes", json_object_new_int64((int64_t)s->slice));
}

const struct pt_worker_type pt_worker_mprotect_churn = {
	.name = "mprotect-churn",
	.summary = "mprotect ranges of a large mapping read-only and back (VMA split/merge, mmap_lock write)",
	.opts = mprotect_opt_defs,
	.opts_size = sizeof(struct mprotect_opts),
	.mem_bytes = mprotect_mem_bytes,
	.ops = mprotect_ops,
	/* the unit of work lock counts are divided by */
	.unit_op = "mprotect",
	.check = mprotect_check,
	.setup = mprotect_setup,
	.thread_init = mprotect_thread_init,
	.run_once = mprotect_run_once,
	.teardown = mprotect_teardown,
	.report = mprotect_report,
};
