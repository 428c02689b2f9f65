/* smaps-read: a monitoring agent's read of /proc/TARGET/FILE: open, read it
 * all, close, timed as op `read`. Each read() of smaps walks the page tables
 * of the VMAs it covers under mmap_lock (or the per-VMA lock on newer
 * kernels): the reader is what collapse and churn contend with.
 * With interval > 0 the reader is paced and each read is timed from its
 * intended start, so a stall shows up instead of delaying the schedule
 * (coordinated omission). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ptbench/clock.h"
#include "ptbench/runner.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"

#include <json-c/json.h>

enum { OP_READ };

static const char *const smaps_ops[] = { "read", NULL };
static const char *const file_choices[] = { "smaps", "smaps_rollup", "maps", "numa_maps", NULL };

static const struct pt_opt_def smaps_opts[] = {
	{ "file", PT_OPT_ENUM, "smaps", 0, 0, file_choices, "which /proc/TARGET file" },
	{ "target", PT_OPT_STRING, "self", 0, 0, NULL, "self, or the PID of another process" },
	{ "interval", PT_OPT_DURATION, "0", 0, 60000000000LL, NULL,
	  "0: read back to back; else one read per interval, timed from its intended start" },
	{ "bufsize", PT_OPT_SIZE, "64K", 4096, 16LL << 20, NULL, "read() size" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

struct smaps_shared {
	char path[64];
	_Atomic uint64_t bytes, reads;
};

struct smaps_thread {
	char *buf;
	size_t bufsize;
	uint64_t interval, next;
};

static int target_path(const struct pt_opts *o, char *path, size_t len, char *err, size_t errlen)
{
	const char *target = pt_opt_str(o, "target");
	const char *file = pt_opt_str(o, "file");
	long long pid;

	if (!strcmp(target, "self")) {
		snprintf(path, len, "/proc/self/%s", file);
		return 0;
	}
	if (pt_parse_int(target, &pid) || pid <= 0) {
		snprintf(err, errlen, "target = %s: expected 'self' or a PID", target);
		return -1;
	}
	snprintf(path, len, "/proc/%lld/%s", pid, file);
	return 0;
}

static enum pt_check smaps_check(const struct pt_role *role, char *why, size_t len)
{
	char path[64];

	if (target_path(&role->opts, path, sizeof(path), why, len))
		return PT_CHECK_ERROR;
	if (access(path, R_OK)) {
		snprintf(why, len, "cannot read %s: %s", path, strerror(errno));
		/* no such file on this kernel, or no permission: not our bug */
		return PT_CHECK_SKIP;
	}
	return PT_CHECK_OK;
}

static int smaps_setup(struct pt_role_run *rr, char *err, size_t len)
{
	struct smaps_shared *s = pt_xcalloc(1, sizeof(*s));

	rr->shared = s;
	return target_path(&rr->role->opts, s->path, sizeof(s->path), err, len);
}

static int smaps_thread_init(struct pt_thread *t, char *err, size_t len)
{
	const struct pt_opts *o = pt_thread_opts(t);
	struct smaps_thread *st = pt_xcalloc(1, sizeof(*st));

	(void)err;
	(void)len;
	st->bufsize = (size_t)pt_opt_num(o, "bufsize");
	st->buf = pt_xmalloc(st->bufsize);
	st->interval = (uint64_t)pt_opt_num(o, "interval");
	t->priv = st;
	return 0;
}

/* Sleep until an absolute time, in slices, so a stop is noticed quickly. */
static bool wait_until(struct pt_thread *t, uint64_t when)
{
	for (;;) {
		uint64_t now = pt_now_ns();
		struct timespec ts;

		if (pt_should_stop(t))
			return false;
		if (now >= when)
			return true;
		/* a slice of at most 50 ms; the deadline itself stays `when`
		 * (capping `when` made every interval > 50 ms end after 50 ms) */
		uint64_t until = when - now > 50000000ull ? now + 50000000ull : when;

		ts.tv_sec = (time_t)(until / 1000000000ull);
		ts.tv_nsec = (long)(until % 1000000000ull);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
}

static int smaps_run_once(struct pt_thread *t)
{
	struct smaps_thread *st = t->priv;
	struct smaps_shared *sh = t->rr->shared;
	uint64_t t0, t1, total = 0;
	int fd, err = 0;

	if (st->interval) {
		uint64_t intended;

		if (!st->next)
			st->next = pt_now_ns();
		intended = st->next;
		st->next += st->interval;
		if (!wait_until(t, intended))
			return 0;
		t0 = intended; /* a late start counts against the read */
	} else {
		t0 = pt_now_ns();
	}
	fd = open(sh->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
	} else {
		for (;;) {
			ssize_t n = read(fd, st->buf, st->bufsize);

			if (n > 0) {
				total += (uint64_t)n;
				continue;
			}
			if (n < 0) {
				if (errno == EINTR)
					continue;
				err = errno;
			}
			break;
		}
		close(fd);
	}
	t1 = pt_now_ns();
	pt_record(t, OP_READ, t0, t1);
	if (err)
		pt_record_error(t, OP_READ, err);
	atomic_fetch_add_explicit(&sh->bytes, total, memory_order_relaxed);
	atomic_fetch_add_explicit(&sh->reads, 1, memory_order_relaxed);
	return 0;
}

static void smaps_thread_fini(struct pt_thread *t)
{
	struct smaps_thread *st = t->priv;

	if (st)
		free(st->buf);
	free(st);
	t->priv = NULL;
}

static void smaps_report(struct pt_role_run *rr, struct json_object *o)
{
	struct smaps_shared *s = rr->shared;
	uint64_t reads = atomic_load(&s->reads);

	json_object_object_add(o, "path", json_object_new_string(s->path));
	/* how much each read produced: shows the VMA padding took effect */
	json_object_object_add(o, "bytes_per_read",
			       json_object_new_int64(reads ? (int64_t)(atomic_load(&s->bytes) / reads) : 0));
}

static void smaps_teardown(struct pt_role_run *rr)
{
	free(rr->shared);
	rr->shared = NULL;
}

const struct pt_worker_type pt_worker_smaps_read = {
	.name = "smaps-read",
	.summary = "open + read all + close of /proc/TARGET/{smaps,smaps_rollup,maps,numa_maps}",
	.opts = smaps_opts,
	.ops = smaps_ops,
	.check = smaps_check,
	.setup = smaps_setup,
	.thread_init = smaps_thread_init,
	.run_once = smaps_run_once,
	.thread_fini = smaps_thread_fini,
	.teardown = smaps_teardown,
	.report = smaps_report,
};
