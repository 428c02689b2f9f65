/* clear-refs: one write of /proc/TARGET/clear_refs, timed as op `clear`.
 * The kernel takes the target's mmap_lock for write (the trace shows one
 * write acquisition per op on 6.1 and 6.18: soft-dirty changes VMA flags,
 * so every type takes it) and walks the page tables of every VMA of the mm
 * under it (value = mm-hiwater walks nothing), clearing the young bit
 * (all/anon/file) or the soft-dirty bit: for the whole walk, every fault and
 * /proc reader of that mm waits. A collapse retracting a PTE table under the walk makes the
 * walk skip that PMD: the write must still succeed. A short write or
 * EINTR/EAGAIN is counted under "walk" in the role's JSON. The region keys
 * give the walk something to clear (region = own, touched each walk when
 * retouch = true). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptbench/clock.h"
#include "ptbench/kconfig.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"
#include "walk_region.h"

enum { OP_CLEAR };

static const char *const clear_refs_ops[] = { "clear", NULL };
/* index + 1 is the number written (fs/proc/task_mmu.c enum clear_refs_types) */
static const char *const value_choices[] = { "all", "anon", "file", "soft-dirty", "mm-hiwater", NULL };
enum { VALUE_SOFT_DIRTY = 3 };

#define MAX_RETRIES 1000

struct clear_refs_opts {
	struct pt_walk_opts walk;
	int value;
	bool retouch;
};

static const struct pt_opt_def clear_refs_opt_defs[] = {
	PT_WALK_OPT_ROWS(struct clear_refs_opts),
	PT_OPT_ENUM_F("value", struct clear_refs_opts, value, "all", value_choices,
		      "what to clear: all, anon, file (young bits), soft-dirty (CONFIG_MEM_SOFT_DIRTY), mm-hiwater"),
	PT_OPT_BOOL_F("retouch", struct clear_refs_opts, retouch, "false",
		      "region = own: read one byte of every page after each write (untimed), so the next walk has young PTEs"),
	PT_OPT_END,
};

struct clear_refs_shared {
	struct clear_refs_opts o;   /* a copy: region may be adjusted */
	struct pt_walk_target wt;
	char path[64];
};

/* clear_refs walks the whole mm, whatever the region: for another target
 * there is nothing of ours to map, so region = own means no region */
static void clear_refs_opts_copy(const struct clear_refs_opts *from, struct clear_refs_opts *o)
{
	*o = *from;
	if (o->walk.region == PT_WALK_OWN && strcmp(o->walk.target, "self"))
		o->walk.region = PT_WALK_VMAS;
}

static enum pt_check clear_refs_check(const struct pt_worker_type *type, const void *opts,
				      const char **bad_key, char *why, size_t len)
{
	struct clear_refs_opts o;
	enum pt_check c;

	(void)type;
	clear_refs_opts_copy(opts, &o);
	c = pt_walk_check(&o.walk, false, bad_key, why, len);
	if (c != PT_CHECK_OK)
		return c;
	if (o.value == VALUE_SOFT_DIRTY && pt_kconfig_enabled("CONFIG_MEM_SOFT_DIRTY") == 0) {
		*bad_key = "value";
		snprintf(why, len, "value = soft-dirty needs CONFIG_MEM_SOFT_DIRTY, which this kernel lacks");
		return PT_CHECK_SKIP;
	}
	return PT_CHECK_OK;
}

static uint64_t clear_refs_mem_bytes(const void *opts, int threads)
{
	struct clear_refs_opts o;

	(void)threads; /* one region per role */
	clear_refs_opts_copy(opts, &o);
	return pt_walk_mem_bytes(&o.walk);
}

static int clear_refs_setup(struct pt_role_run *rr, char *err, size_t len)
{
	struct clear_refs_shared *s = pt_xcalloc(1, sizeof(*s));

	pt_role_set_shared(rr, s);
	clear_refs_opts_copy(pt_role_opts(rr), &s->o);
	if (pt_walk_target_setup(&s->wt, &s->o.walk, rr, err, len))
		return -1;
	snprintf(s->path, sizeof(s->path), "%s/clear_refs", s->wt.proc_dir);
	if (access(s->path, W_OK)) {
		snprintf(err, len, "cannot write %s: %s", s->path, strerror(errno));
		return -1;
	}
	return 0;
}

static int clear_refs_thread_init(struct pt_thread *t, char *err, size_t len)
{
	struct clear_refs_shared *s = pt_thread_shared(t);
	int *fd = pt_xcalloc(1, sizeof(*fd));

	t->priv = fd;
	*fd = open(s->path, O_WRONLY | O_CLOEXEC);
	if (*fd < 0) {
		snprintf(err, len, "open %s: %s", s->path, strerror(errno));
		return -1;
	}
	if (s->o.walk.region == PT_WALK_OWN) {
		t->mem_addr = s->wt.own.base;
		t->mem_len = s->wt.own.len;
	}
	return 0;
}

static int clear_refs_run_once(struct pt_thread *t)
{
	struct clear_refs_shared *s = pt_thread_shared(t);
	int fd = *(int *)t->priv;
	char val[16];
	uint64_t t0, t1, retries = 0, shorts = 0;
	ssize_t n;
	int err = 0;

	snprintf(val, sizeof(val), "%d\n", s->o.value + 1);
	t0 = pt_op_begin(t, OP_CLEAR);
	for (;;) {
		/* proc files take the whole value at offset 0 each time */
		n = pwrite(fd, val, strlen(val), 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN) && retries < MAX_RETRIES) {
			retries++;
			continue;
		}
		if (n < 0)
			err = errno;
		else if ((size_t)n < strlen(val))
			shorts++;
		break;
	}
	t1 = pt_now_ns();
	pt_record(t, OP_CLEAR, t0, t1);
	if (err)
		pt_record_error(t, OP_CLEAR, err);
	if (s->o.retouch && s->o.walk.region == PT_WALK_OWN) {
		volatile const char *p = s->wt.own.base;
		long page = sysconf(_SC_PAGESIZE);

		for (size_t off = 0; off < s->wt.own.len; off += (size_t)page)
			(void)p[off];
	}
	if (!pt_measuring(t))
		return 0;
	pt_walk_add(&s->wt.stats.walks, err ? 0 : 1);
	pt_walk_add(&s->wt.stats.retries, retries);
	pt_walk_add(&s->wt.stats.short_reads, shorts);
	return 0;
}

static void clear_refs_thread_fini(struct pt_thread *t)
{
	int *fd = t->priv;

	if (!fd)
		return;
	if (*fd >= 0)
		close(*fd);
	free(fd);
	t->priv = NULL;
}

static void clear_refs_teardown(struct pt_role_run *rr)
{
	struct clear_refs_shared *s = pt_role_shared(rr);

	if (!s)
		return;
	pt_walk_target_teardown(&s->wt);
	free(s);
	pt_role_set_shared(rr, NULL);
}

static void clear_refs_report(struct pt_role_run *rr, struct json_object *o)
{
	struct clear_refs_shared *s = pt_role_shared(rr);

	json_object_object_add(o, "path", json_object_new_string(s->path));
	json_object_object_add(o, "value", json_object_new_string(value_choices[s->o.value]));
	/* short_reads here are short writes of the value */
	json_object_object_add(o, "walk", pt_walk_stats_json(&s->wt.stats, &s->wt));
}

const struct pt_worker_type pt_worker_clear_refs = {
	.name = "clear-refs",
	.summary = "write /proc/TARGET/clear_refs: a page-table walk of the whole mm under mmap_lock write",
	.opts = clear_refs_opt_defs,
	.opts_size = sizeof(struct clear_refs_opts),
	.mem_bytes = clear_refs_mem_bytes,
	.ops = clear_refs_ops,
	/* the unit of work lock counts are divided by: one write to clear_refs: one walk of the whole mm */
	.unit_op = "clear",
	.check = clear_refs_check,
	.setup = clear_refs_setup,
	.thread_init = clear_refs_thread_init,
	.run_once = clear_refs_run_once,
	.thread_fini = clear_refs_thread_fini,
	.teardown = clear_refs_teardown,
	.report = clear_refs_report,
	.print_summary = pt_walk_print_summary,
};
