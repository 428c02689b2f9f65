/* fault: one thread touches every 4 KiB page of its own region once (op
 * `fault`, first touch), then gives the pages back (op `zap`) and starts
 * again. The region is MADV_NOHUGEPAGE so every fault is a small-page fault
 * that walks (and on the first pass, allocates) page tables.
 *
 * With `vma_of = ROLE` the threads fault in the spare part of an
 * mprotect-churn role's mapping instead (role_region.h): the VMA that role's
 * flips split and merge, so faults race a writer of their own VMA. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "role_region.h"
#include "ptbench/clock.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"

enum { OP_FAULT, OP_ZAP };
enum { BACK_ANON, BACK_SHMEM, BACK_FILE };

static const char *const backing_choices[] = { "anon", "shmem", "file", NULL };
static const char *const fault_ops[] = { "fault", "zap", NULL };

struct fault_opts {
	long long size;
	int backing;
	const char *dir, *vma_of;
};

static const struct pt_opt_def fault_opts[] = {
	PT_OPT_SIZE_F("size", struct fault_opts, size, "16M", 4096, 1LL << 36, "region per thread"),
	PT_OPT_ENUM_F("backing", struct fault_opts, backing, "anon", backing_choices,
		      "anon (private), shmem (memfd, shared) or file (a file in dir, shared)"),
	PT_OPT_STRING_F("dir", struct fault_opts, dir, "/var/tmp", "where backing=file creates its file"),
	PT_OPT_STRING_F("vma_of", struct fault_opts, vma_of, "",
			"an mprotect-churn role of this process with spare > 0: fault in its spare part "
			"(the VMA its flips split and merge; split between the threads; size unused, anon only)"),
	PT_OPT_END,
};

struct fault_thread {
	volatile char *base;
	size_t size, page, next;
	int fd, backing;
	bool borrowed; /* vma_of: the range is another role's, never unmapped here */
};

/* vma_of = ROLE: this thread's share of the range ROLE lends */
static int fault_borrow(struct pt_thread *t, struct fault_thread *f, const char *role, char *err,
			size_t len)
{
	int n = pt_role_nthreads(t->rr) > 0 ? pt_role_nthreads(t->rr) : 1;
	char *base;
	size_t all, slice;

	if (!pt_role_region_find(role, &base, &all)) {
		snprintf(err, len,
			 "vma_of = %s: no role %s in this process lends a range "
			 "(an mprotect-churn role with spare > 0, without process = or in the same one)",
			 role, role);
		return -1;
	}
	slice = all / (size_t)n / f->page * f->page;
	if (!slice) {
		snprintf(err, len, "vma_of = %s: its spare (%zu bytes) leaves less than a page per thread",
			 role, all);
		return -1;
	}
	f->base = base + (size_t)t->index * slice;
	f->size = slice;
	f->borrowed = true;
	t->mem_addr = (const void *)f->base;
	t->mem_len = f->size;
	return 0;
}

static int fault_thread_init(struct pt_thread *t, char *err, size_t len)
{
	const struct fault_opts *o = pt_thread_opts(t);
	struct fault_thread *f = pt_xcalloc(1, sizeof(*f));
	int flags = MAP_SHARED;
	void *p;

	t->priv = f;
	f->page = (size_t)sysconf(_SC_PAGESIZE);
	f->size = (size_t)o->size / f->page * f->page;
	f->backing = o->backing;
	f->fd = -1;
	if (o->vma_of[0])
		return fault_borrow(t, f, o->vma_of, err, len);
	if (f->backing == BACK_SHMEM) {
		f->fd = memfd_create("ptbench-fault", MFD_CLOEXEC);
	} else if (f->backing == BACK_FILE) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/ptbench-fault-XXXXXX", o->dir);
		f->fd = mkostemp(path, O_CLOEXEC);
		if (f->fd >= 0)
			unlink(path);
	} else {
		flags = MAP_PRIVATE | MAP_ANONYMOUS;
	}
	if (f->backing != BACK_ANON && (f->fd < 0 || ftruncate(f->fd, (off_t)f->size))) {
		snprintf(err, len, "cannot create the %s backing: %s", backing_choices[f->backing],
			 strerror(errno));
		return -1;
	}
	p = mmap(NULL, f->size, PROT_READ | PROT_WRITE, flags, f->fd, 0);
	if (p == MAP_FAILED) {
		snprintf(err, len, "mmap %zu bytes: %s", f->size, strerror(errno));
		return -1;
	}
	f->base = p;
	t->mem_addr = p; /* the membind check samples this region */
	t->mem_len = f->size;
	/* small pages only: a THP fault would measure something else */
	if (madvise(p, f->size, MADV_NOHUGEPAGE) && errno != EINVAL) {
		snprintf(err, len, "madvise(MADV_NOHUGEPAGE): %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Give the pages back so the next pass faults again: DONTNEED zaps the
 * PTEs; for shared backings punching the hole also frees the page cache, so
 * the next fault allocates as an anon one does. */
static int give_back(struct fault_thread *f)
{
	if (f->backing == BACK_ANON)
		return madvise((void *)f->base, f->size, MADV_DONTNEED);
	if (f->backing == BACK_SHMEM)
		return fallocate(f->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t)f->size);
	return madvise((void *)f->base, f->size, MADV_DONTNEED);
}

static int fault_run_once(struct pt_thread *t)
{
	struct fault_thread *f = t->priv;
	uint64_t t0, t1;

	if (f->next * f->page >= f->size) {
		int rc;

		t0 = pt_op_begin(t, OP_ZAP);
		rc = give_back(f);
		t1 = pt_now_ns();
		pt_record(t, OP_ZAP, t0, t1);
		if (rc)
			pt_record_error(t, OP_ZAP, errno);
		f->next = 0;
		return 0;
	}
	t0 = pt_op_begin(t, OP_FAULT);
	f->base[f->next * f->page] = 1;
	t1 = pt_now_ns();
	pt_record(t, OP_FAULT, t0, t1);
	f->next++;
	return 0;
}

static void fault_thread_fini(struct pt_thread *t)
{
	struct fault_thread *f = t->priv;

	if (!f)
		return;
	if (f->base && !f->borrowed)
		munmap((void *)f->base, f->size);
	if (f->fd >= 0)
		close(f->fd);
	free(f);
	t->priv = NULL;
}

static uint64_t fault_mem_bytes(const void *opts, int threads)
{
	const struct fault_opts *o = opts;

	if (o->vma_of[0])
		return 0; /* the lending role counts it */
	return (uint64_t)o->size * (uint64_t)threads;
}

static enum pt_check fault_check(const struct pt_worker_type *type, const void *opts, const char **bad_key,
				 char *why, size_t len)
{
	const struct fault_opts *o = opts;

	(void)type;
	if (o->vma_of[0] && o->backing != BACK_ANON) {
		*bad_key = "vma_of";
		snprintf(why, len, "vma_of = %s: only with backing = anon (the lender's mapping is anon)",
			 o->vma_of);
		return PT_CHECK_ERROR;
	}
	return PT_CHECK_OK;
}

const struct pt_worker_type pt_worker_fault = {
	.name = "fault",
	.summary = "first-touch page faults on small pages (anon, shmem or file), then zap",
	.opts = fault_opts,
	.opts_size = sizeof(struct fault_opts),
	.ops = fault_ops,
	/* the unit of work lock counts are divided by: one first touch of a page; zap is the reset between passes */
	.unit_op = "fault",
	.mem_bytes = fault_mem_bytes,
	.check = fault_check,
	.thread_init = fault_thread_init,
	.run_once = fault_run_once,
	.thread_fini = fault_thread_fini,
};
