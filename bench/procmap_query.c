/* procmap-query: walk the target's VMAs with the PROCMAP_QUERY ioctl on
 * /proc/TARGET/maps (Linux 6.11+), one ioctl per VMA, each timed as op
 * `query`; a full pass over the address space is also timed as op `walk`.
 * Each call takes mmap_lock for read (6.11..6.17) or a per-VMA lock (6.18+,
 * measured: doc/kernel-notes.md). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/ioctl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ptbench/clock.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"

/* The UAPI (include/uapi/linux/fs.h, 6.11); Debian 12's headers predate it. */
#ifndef PROCMAP_QUERY
struct procmap_query {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start;
	uint64_t vma_end;
	uint64_t vma_flags;
	uint64_t vma_page_size;
	uint64_t vma_offset;
	uint64_t inode;
	uint32_t dev_major;
	uint32_t dev_minor;
	uint32_t vma_name_size;
	uint32_t build_id_size;
	uint64_t vma_name_addr;
	uint64_t build_id_addr;
};
#define PROCMAP_QUERY _IOWR('f', 17, struct procmap_query)
#define PROCMAP_QUERY_COVERING_OR_NEXT_VMA 0x10
#endif

enum { OP_QUERY, OP_WALK };

static const char *const pq_ops[] = { "query", "walk", NULL };

struct pq_opts {
	const char *target;
};

static const struct pt_opt_def pq_opts[] = {
	PT_OPT_STRING_F("target", struct pq_opts, target, "self", "self, or the PID of another process"),
	PT_OPT_END,
};

struct pq_thread {
	int fd;
	uint64_t addr, walk_start;
};

static int open_maps(const struct pq_opts *o, char *err, size_t len)
{
	const char *target = o->target;
	char path[64];
	long long pid;
	int fd;

	if (strcmp(target, "self") && (pt_parse_int(target, &pid) || pid <= 0)) {
		snprintf(err, len, "target = %s: expected 'self' or a PID", target);
		errno = EINVAL;
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%s/maps", target);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		snprintf(err, len, "cannot open %s: %s", path, strerror(errno));
	return fd;
}

static int query(int fd, uint64_t addr, struct procmap_query *q)
{
	memset(q, 0, sizeof(*q));
	q->size = sizeof(*q);
	q->query_flags = PROCMAP_QUERY_COVERING_OR_NEXT_VMA;
	q->query_addr = addr;
	return ioctl(fd, PROCMAP_QUERY, q);
}

static enum pt_check pq_check(const struct pt_worker_type *type, const void *opts, const char **bad_key,
			       char *why, size_t len)
{
	struct procmap_query q;
	int fd = open_maps(opts, why, len);

	(void)type;
	*bad_key = "target";
	if (fd < 0)
		return errno == EINVAL ? PT_CHECK_ERROR : PT_CHECK_SKIP;
	if (query(fd, 0, &q) && (errno == ENOTTY || errno == EINVAL)) {
		snprintf(why, len, "this kernel has no PROCMAP_QUERY ioctl (added in 6.11): %s",
			 strerror(errno));
		close(fd);
		return PT_CHECK_SKIP;
	}
	close(fd);
	return PT_CHECK_OK;
}

static int pq_thread_init(struct pt_thread *t, char *err, size_t len)
{
	struct pq_thread *p = pt_xcalloc(1, sizeof(*p));

	t->priv = p;
	p->fd = open_maps(pt_thread_opts(t), err, len);
	return p->fd < 0 ? -1 : 0;
}

static int pq_run_once(struct pt_thread *t)
{
	struct pq_thread *p = t->priv;
	struct procmap_query q;
	uint64_t t0, t1;
	int rc;

	if (!p->addr)
		p->walk_start = pt_now_ns();
	t0 = pt_op_begin(t, OP_QUERY);
	rc = query(p->fd, p->addr, &q);
	t1 = pt_now_ns();
	pt_record(t, OP_QUERY, t0, t1);
	if (rc == 0 && q.vma_end > p->addr) {
		p->addr = q.vma_end;
		return 0;
	}
	/* ENOENT: no VMA at or above addr, the pass is over */
	if (rc && errno != ENOENT)
		pt_record_error(t, OP_QUERY, errno);
	pt_record(t, OP_WALK, p->walk_start, t1);
	p->addr = 0;
	return 0;
}

static void pq_thread_fini(struct pt_thread *t)
{
	struct pq_thread *p = t->priv;

	if (p && p->fd >= 0)
		close(p->fd);
	free(p);
	t->priv = NULL;
}

const struct pt_worker_type pt_worker_procmap_query = {
	.name = "procmap-query",
	.summary = "walk /proc/TARGET/maps VMA by VMA with the PROCMAP_QUERY ioctl (6.11+)",
	.opts = pq_opts,
	.opts_size = sizeof(struct pq_opts),
	.ops = pq_ops,
	/* the unit of work lock counts are divided by: one ioctl (one VMA); walk is a whole pass of them */
	.unit_op = "query",
	.check = pq_check,
	.thread_init = pq_thread_init,
	.run_once = pq_run_once,
	.thread_fini = pq_thread_fini,
};
