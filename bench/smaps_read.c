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
#include "ptbench/target.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"

#include <json-c/json.h>

enum { OP_READ };

static const char *const smaps_ops[] = { "read", NULL };
static const char *const file_choices[] = { "smaps", "smaps_rollup", "maps", "numa_maps", NULL };

struct smaps_opts {
	int file;
	const char *target;
	long long interval, bufsize;
};

static const struct pt_opt_def smaps_opts[] = {
	PT_OPT_ENUM_F("file", struct smaps_opts, file, "smaps", file_choices, "which /proc/TARGET file"),
	PT_OPT_STRING_F("target", struct smaps_opts, target, "self",
			"self, the PID of another process, or process:NAME (the child of the roles with process = NAME)"),
	PT_OPT_DURATION_F("interval", struct smaps_opts, interval, "0", 0, 60000000000LL,
			  "0: read back to back; else one read per interval, timed from its intended start"),
	PT_OPT_SIZE_F("bufsize", struct smaps_opts, bufsize, "64K", 4096, 16LL << 20, "read() size"),
	PT_OPT_END,
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

static int target_path(const struct smaps_opts *o, char *path, size_t len, char *err, size_t errlen)
{
	const char *file = file_choices[o->file];
	const char *proc;
	pid_t pid;

	if (pt_target_parse(o->target, &pid, &proc, err, errlen))
		return -1;
	/* process:NAME is not started at plan time: check the file exists here */
	if (!pid)
		snprintf(path, len, "/proc/self/%s", file);
	else
		snprintf(path, len, "/proc/%d/%s", (int)pid, file);
	return 0;
}

static enum pt_check smaps_check(const struct pt_worker_type *type, const void *opts, const char **bad_key,
				  char *why, size_t len)
{
	char path[64];

	(void)type;
	*bad_key = "target";
	if (target_path(opts, path, sizeof(path), why, len))
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

	const struct smaps_opts *o = pt_role_opts(rr);
	pid_t pid;

	pt_role_set_shared(rr, s);
	if (strncmp(o->target, PT_TARGET_PROCESS_PREFIX, strlen(PT_TARGET_PROCESS_PREFIX)))
		return target_path(o, s->path, sizeof(s->path), err, len);
	pid = pt_target_pid(rr, o->target, err, len);
	if (pid < 0)
		return -1;
	snprintf(s->path, sizeof(s->path), "/proc/%d/%s", (int)pid, file_choices[o->file]);
	return 0;
}

static int smaps_thread_init(struct pt_thread *t, char *err, size_t len)
{
	const struct smaps_opts *o = pt_thread_opts(t);
	struct smaps_thread *st = pt_xcalloc(1, sizeof(*st));

	(void)err;
	(void)len;
	st->bufsize = (size_t)o->bufsize;
	st->buf = pt_xmalloc(st->bufsize);
	st->interval = (uint64_t)o->interval;
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
	struct smaps_shared *sh = pt_thread_shared(t);
	uint64_t t0, t1, total = 0;
	int fd, err = 0;

	if (st->interval) {
		uint64_t intended;

		/* the schedule restarts where the window opened: the workers
		 * paused before it, and a start intended during that pause
		 * would time the pause as the read's latency */
		if (!st->next || (t->counting && st->next < atomic_load(t->measure_from)))
			st->next = pt_now_ns();
		intended = st->next;
		st->next += st->interval;
		if (!wait_until(t, intended))
			return 0;
		t0 = pt_op_begin_at(t, OP_READ, intended); /* a late start counts against the read */
	} else {
		t0 = pt_op_begin(t, OP_READ);
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
	struct smaps_shared *s = pt_role_shared(rr);
	uint64_t reads = atomic_load(&s->reads);

	json_object_object_add(o, "path", json_object_new_string(s->path));
	/* how much each read produced: shows the VMA padding took effect */
	json_object_object_add(o, "bytes_per_read",
			       json_object_new_int64(reads ? (int64_t)(atomic_load(&s->bytes) / reads) : 0));
}

static void smaps_teardown(struct pt_role_run *rr)
{
	free(pt_role_shared(rr));
	pt_role_set_shared(rr, NULL);
}

const struct pt_worker_type pt_worker_smaps_read = {
	.name = "smaps-read",
	.summary = "open + read all + close of /proc/TARGET/{smaps,smaps_rollup,maps,numa_maps}",
	.opts = smaps_opts,
	.opts_size = sizeof(struct smaps_opts),
	.ops = smaps_ops,
	/* the unit of work lock counts are divided by: one open + read all + close */
	.unit_op = "read",
	.check = smaps_check,
	.setup = smaps_setup,
	.thread_init = smaps_thread_init,
	.run_once = smaps_run_once,
	.thread_fini = smaps_thread_fini,
	.teardown = smaps_teardown,
	.report = smaps_report,
};
