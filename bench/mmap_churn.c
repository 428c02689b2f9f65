/* mmap-churn: map and unmap a region over and over, timing mmap and munmap
 * apart. mmap takes mmap_lock for write; munmap takes it for write and
 * downgrades to read for the zap and page-table free (doc/kernel-notes.md). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "ptbench/clock.h"
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
};

static int churn_thread_init(struct pt_thread *t, char *err, size_t len)
{
	const struct churn_opts *o = pt_thread_opts(t);
	struct churn *c = malloc(sizeof(*c));

	(void)err;
	(void)len;
	if (!c)
		return -1;
	c->size = (size_t)o->size;
	c->flags = MAP_PRIVATE | MAP_ANONYMOUS | (o->populate ? MAP_POPULATE : 0);
	t->priv = c;
	return 0;
}

static int churn_run_once(struct pt_thread *t)
{
	struct churn *c = t->priv;
	uint64_t t0, t1;
	void *p;
	int rc;

	t0 = pt_op_begin(t, OP_MMAP);
	p = mmap(NULL, c->size, PROT_READ | PROT_WRITE, c->flags, -1, 0);
	t1 = pt_now_ns();
	pt_record(t, OP_MMAP, t0, t1);
	if (p == MAP_FAILED) {
		pt_record_error(t, OP_MMAP, errno);
		return 0;
	}
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
	free(t->priv);
	t->priv = NULL;
}

const struct pt_worker_type pt_worker_mmap_churn = {
	.name = "mmap-churn",
	.summary = "mmap + munmap of an anon region, each timed (mmap_lock write holders)",
	.opts = churn_opts,
	.opts_size = sizeof(struct churn_opts),
	.ops = churn_ops,
	/* the unit of work lock counts are divided by: one mmap + munmap cycle, counted by its mmap */
	.unit_op = "mmap",
	.thread_init = churn_thread_init,
	.run_once = churn_run_once,
	.thread_fini = churn_thread_fini,
};
