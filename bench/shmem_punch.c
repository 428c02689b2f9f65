/* shmem-punch: hole punch of a memfd mapped by several processes. Setup
 * creates a memfd, maps and fills it, and forks `sharers` child processes
 * that read every page of the inherited mapping every sharer_interval (so
 * they fault the punched pages back in and keep PTEs of the file mapped).
 * Each iteration punches a random `range` of the file (op `punch`:
 * fallocate(PUNCH_HOLE), whose unmap_mapping_range() walks the page tables of
 * every VMA mapping that range, in every mm, through the file's i_mmap tree
 * under i_mmap_lock, never taking any mm's mmap_lock; it zaps, and is not
 * walk_page_mapping(), mm/pagewalk.c's walker of a file's mappings), then writes every page of the range back through this process's
 * mapping (op `refault`: shmem faults, under the per-VMA lock on 6.7+). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "collapse_sharers.h"
#include "collapse_util.h"
#include "ptbench/clock.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"

enum { OP_PUNCH, OP_REFAULT };

static const char *const punch_ops[] = { "punch", "refault", NULL };

#define MAX_SHARERS 64

struct punch_opts {
	long long size, range, sharers, sharer_interval;
};

static const struct pt_opt_def punch_opt_defs[] = {
	PT_OPT_SIZE_MULT_F("size", struct punch_opts, size, "16M", 1LL << 20, 1LL << 36, 4096,
			   "the memfd, mapped by every sharer"),
	PT_OPT_SIZE_MULT_F("range", struct punch_opts, range, "2M", 4096, 1LL << 36, 4096,
			   "bytes punched per op (at most size)"),
	PT_OPT_INT_F("sharers", struct punch_opts, sharers, "3", 0, MAX_SHARERS,
		     "child processes that map the memfd and read every page every sharer_interval"),
	PT_OPT_DURATION_F("sharer_interval", struct punch_opts, sharer_interval, "10ms", 0, 60000000000LL,
			  "pause between two passes of a sharer over the mapping"),
	PT_OPT_END,
};

struct punch_shared {
	const struct punch_opts *o;
	int fd;
	struct pt_aligned_map m;
	pid_t sharers[MAX_SHARERS];
	int nsharers;
	_Atomic uint64_t bytes_punched;
};

static enum pt_check punch_check(const struct pt_worker_type *type, const void *opts, const char **bad_key,
				  char *why, size_t len)
{
	const struct punch_opts *o = opts;

	(void)type;
	if (o->range > o->size) {
		*bad_key = "range";
		snprintf(why, len, "range = %lld bytes: more than size (%lld)", o->range, o->size);
		return PT_CHECK_ERROR;
	}
	return PT_CHECK_OK;
}

static uint64_t punch_mem_bytes(const void *opts, int threads)
{
	(void)threads; /* one memfd per role */
	return (uint64_t)((const struct punch_opts *)opts)->size;
}

static int punch_setup(struct pt_role_run *rr, char *err, size_t len)
{
	struct punch_shared *s = pt_xcalloc(1, sizeof(*s));
	long page = sysconf(_SC_PAGESIZE);

	pt_role_set_shared(rr, s);
	s->o = pt_role_opts(rr);
	s->fd = memfd_create("ptbench-shmem-punch", MFD_CLOEXEC);
	if (s->fd < 0 || ftruncate(s->fd, (off_t)s->o->size)) {
		snprintf(err, len, "memfd of %lld bytes: %s", s->o->size, strerror(errno));
		return -1;
	}
	if (pt_aligned_map(&s->m, (size_t)s->o->size, s->fd, err, len))
		return -1;
	/* small pages: a PMD-mapped shmem THP would be split, not walked */
	madvise(s->m.base, s->m.len, MADV_NOHUGEPAGE);
	for (size_t off = 0; off < s->m.len; off += (size_t)page)
		s->m.base[off] = 1;
	s->nsharers = pt_sharers_start(s->sharers, (int)s->o->sharers, s->m.base, s->m.len,
				       (uint64_t)s->o->sharer_interval);
	if (s->nsharers < s->o->sharers) {
		snprintf(err, len, "started %d of %lld sharer processes: %s", s->nsharers, s->o->sharers,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int punch_thread_init(struct pt_thread *t, char *err, size_t len)
{
	struct punch_shared *s = pt_thread_shared(t);

	(void)err;
	(void)len;
	t->mem_addr = s->m.base;
	t->mem_len = s->m.len;
	return 0;
}

static int punch_run_once(struct pt_thread *t)
{
	struct punch_shared *s = pt_thread_shared(t);
	size_t page = (size_t)sysconf(_SC_PAGESIZE), range = (size_t)s->o->range;
	size_t positions = (s->m.len - range) / page + 1;
	size_t off = (size_t)(pt_rand(t) % positions) * page;
	uint64_t t0, t1;
	int rc;

	t0 = pt_op_begin(t, OP_PUNCH);
	rc = fallocate(s->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)range);
	t1 = pt_now_ns();
	pt_record(t, OP_PUNCH, t0, t1);
	if (rc)
		pt_record_error(t, OP_PUNCH, errno);
	else if (pt_measuring(t))
		atomic_fetch_add_explicit(&s->bytes_punched, range, memory_order_relaxed);
	t0 = pt_op_begin_at(t, OP_REFAULT, t1);
	for (size_t p = 0; p < range; p += page)
		s->m.base[off + p] = 1;
	t1 = pt_now_ns();
	pt_record(t, OP_REFAULT, t0, t1);
	return 0;
}

static void punch_teardown(struct pt_role_run *rr)
{
	struct punch_shared *s = pt_role_shared(rr);

	if (!s)
		return;
	pt_sharers_stop(s->sharers, s->nsharers);
	pt_aligned_unmap(&s->m);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	pt_role_set_shared(rr, NULL);
}

static void punch_report(struct pt_role_run *rr, struct json_object *o)
{
	struct punch_shared *s = pt_role_shared(rr);
	struct json_object *pids = json_object_new_array();

	for (int i = 0; i < s->nsharers; i++)
		json_object_array_add(pids, json_object_new_int(s->sharers[i]));
	json_object_object_add(o, "sharer_pids", pids);
	json_object_object_add(o, "bytes_punched", json_object_new_int64((int64_t)atomic_load(&s->bytes_punched)));
}

const struct pt_worker_type pt_worker_shmem_punch = {
	.name = "shmem-punch",
	.summary = "hole punch of a memfd mapped by sharer processes (unmap_mapping_range: no mmap_lock) + refault",
	.opts = punch_opt_defs,
	.opts_size = sizeof(struct punch_opts),
	.mem_bytes = punch_mem_bytes,
	.ops = punch_ops,
	/* the unit of work lock counts are divided by: one hole punch; each is followed by one refault of its range */
	.unit_op = "punch",
	.check = punch_check,
	.setup = punch_setup,
	.thread_init = punch_thread_init,
	.run_once = punch_run_once,
	.teardown = punch_teardown,
	.report = punch_report,
};
