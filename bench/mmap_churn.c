/* mmap-churn: map and unmap a region over and over, timing mmap and munmap
 * apart. mmap takes mmap_lock for write; munmap takes it for write and
 * downgrades to read for the zap and page-table free (doc/kernel-notes.md).
 * Each thread first makes a clean hole (include/ptbench/clean_hole.h) where
 * the role's mmap(NULL)s land: no page table under the range, whatever the
 * process mapped there before, so munmap's zap costs the same in every
 * process (an empty PTE table under it costs 4-15%). The top-down allocator
 * puts a mapping in the highest hole with room, so with several threads a
 * hole may hold another thread's mapping (the 4 MiB hole of a 1 MiB mapping
 * holds up to four, which may then share a PTE table); `hole.outside` in
 * the result counts the
 * mmaps that landed in none of the role's holes. */
#define _GNU_SOURCE
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "ptbench/clean_hole.h"
#include "ptbench/clock.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"

enum { OP_MMAP, OP_MUNMAP };

static const char *const churn_ops[] = { "mmap", "munmap", NULL };

struct churn_opts {
	long long size;
	bool populate;
};

static const struct pt_opt_def churn_opts[] = {
	PT_OPT_SIZE_F("size", struct churn_opts, size, "1M", 4096, 1LL << 36, "bytes per mapping"),
	PT_OPT_BOOL_F("populate", struct churn_opts, populate, "false",
		      "MAP_POPULATE: fault the pages in inside mmap (munmap then frees page tables too)"),
	PT_OPT_END,
};

struct churn {
	size_t size;
	int flags;
	struct pt_clean_hole hole;
	struct churn_role *cr; /* the role's holes (pt_thread_shared, kept for run_once) */
	uint64_t mmaps, outside;
};

/* the role's holes (each thread adds its own in thread_init, before any
 * iteration: the start gate orders the writes before the reads) and the sum
 * of its threads' placement counts (thread_fini adds) */
struct churn_role {
	pthread_mutex_t lock;
	uint64_t mmaps, outside, hole_bytes;
	int not_empty, unknown; /* threads whose hole held something at the end, or could not be told */
	int nholes;
	struct pt_clean_hole *holes[];
};

static int churn_setup(struct pt_role_run *rr, char *err, size_t len)
{
	struct churn_role *cr = pt_xcalloc(1, sizeof(*cr) + (size_t)pt_role_nthreads(rr) * sizeof(cr->holes[0]));

	(void)err;
	(void)len;
	pthread_mutex_init(&cr->lock, NULL);
	pt_role_set_shared(rr, cr);
	return 0;
}

static int churn_thread_init(struct pt_thread *t, char *err, size_t len)
{
	const struct churn_opts *o = pt_thread_opts(t);
	struct churn_role *cr = pt_thread_shared(t);
	struct churn *c = malloc(sizeof(*c));

	if (!c)
		return -1;
	c->size = (size_t)o->size;
	c->flags = MAP_PRIVATE | MAP_ANONYMOUS | (o->populate ? MAP_POPULATE : 0);
	c->mmaps = c->outside = 0;
	c->cr = cr;
	/* one thread at a time, so that a thread's trial mapping that lands in
	 * another's hole is taken for one of the role's, not plugged */
	pthread_mutex_lock(&cr->lock);
	if (pt_clean_hole_make(&c->hole, c->size, cr->holes, cr->nholes, err, len)) {
		pthread_mutex_unlock(&cr->lock);
		free(c);
		return -1;
	}
	/* held until this thread's first iteration, in the warm-up: other
	 * roles' threads set up now and would take the highest gap there is */
	if (pt_thread_has_warmup(t))
		pt_clean_hole_plug(&c->hole);
	cr->holes[cr->nholes++] = &c->hole;
	pthread_mutex_unlock(&cr->lock);
	t->priv = c;
	return 0;
}

static int churn_run_once(struct pt_thread *t)
{
	struct churn *c = t->priv;
	uint64_t t0, t1;
	void *p;
	int rc;

	if (__builtin_expect(c->hole.plugged, 0))
		pt_clean_hole_open(&c->hole, c->cr->holes, c->cr->nholes);
	t0 = pt_op_begin(t, OP_MMAP);
	p = mmap(NULL, c->size, PROT_READ | PROT_WRITE, c->flags, -1, 0);
	t1 = pt_now_ns();
	pt_record(t, OP_MMAP, t0, t1);
	if (p == MAP_FAILED) {
		pt_record_error(t, OP_MMAP, errno);
		return 0;
	}
	c->mmaps++;
	c->outside += !pt_clean_hole_in_any(&c->hole, c->cr->holes, c->cr->nholes, p);
	/* munmap starts where mmap's sample ended: one clock read fewer per pair */
	t0 = pt_op_begin_at(t, OP_MUNMAP, t1);
	rc = munmap(p, c->size);
	t1 = pt_now_ns();
	pt_record(t, OP_MUNMAP, t0, t1);
	if (rc)
		pt_record_error(t, OP_MUNMAP, errno);
	return 0;
}

static void churn_thread_fini(struct pt_thread *t)
{
	struct churn *c = t->priv;
	int empty;

	if (!c)
		return;
	empty = pt_clean_hole_empty(&c->hole);
	pthread_mutex_lock(&c->cr->lock);
	c->cr->mmaps += c->mmaps;
	c->cr->outside += c->outside;
	c->cr->hole_bytes = c->hole.hole_len;
	c->cr->not_empty += empty == 0;
	c->cr->unknown += empty < 0;
	pthread_mutex_unlock(&c->cr->lock);
	pt_clean_hole_free(&c->hole);
	free(c);
	t->priv = NULL;
}

static void churn_teardown(struct pt_role_run *rr)
{
	struct churn_role *cr = pt_role_shared(rr);

	pthread_mutex_destroy(&cr->lock);
	free(cr);
	pt_role_set_shared(rr, NULL);
}

/* where the mmaps landed, over the repeat (warm-up included) */
static void churn_report(struct pt_role_run *rr, struct json_object *o)
{
	struct churn_role *cr = pt_role_shared(rr);
	struct json_object *h = json_object_new_object();

	json_object_object_add(h, "bytes", json_object_new_int64((int64_t)cr->hole_bytes));
	json_object_object_add(h, "mmaps", json_object_new_int64((int64_t)cr->mmaps));
	json_object_object_add(h, "outside", json_object_new_int64((int64_t)cr->outside));
	/* threads whose hole held another mapping at the end (it shared page
	 * tables with the churn); -1: a thread's could not be told */
	json_object_object_add(h, "not_empty_at_end",
			       json_object_new_int(cr->unknown ? -1 : cr->not_empty));
	json_object_object_add(o, "hole", h);
}

const struct pt_worker_type pt_worker_mmap_churn = {
	.name = "mmap-churn",
	.summary = "mmap + munmap of an anon region, each timed (mmap_lock write holders)",
	.opts = churn_opts,
	.opts_size = sizeof(struct churn_opts),
	.ops = churn_ops,
	/* the unit of work lock counts are divided by: one mmap + munmap cycle, counted by its mmap */
	.unit_op = "mmap",
	.setup = churn_setup,
	.thread_init = churn_thread_init,
	.run_once = churn_run_once,
	.thread_fini = churn_thread_fini,
	.teardown = churn_teardown,
	.report = churn_report,
};
