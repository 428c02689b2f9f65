/* shmem-collapse and anon-collapse: MADV_COLLAPSE of a PMD-aligned region,
 * timed as op `collapse`, from small pages every time. One iteration:
 *   punch (shmem: FALLOC_FL_PUNCH_HOLE of the whole file; anon: op `zap`,
 *   MADV_DONTNEED) -> refault `touch` pages of every 2 MiB, each 4 KiB fault
 *   timed as op `refault` -> MADV_COLLAPSE over the region.
 * Proof that it collapsed (repeats[k].workers.ROLE.collapse): outcomes by
 * errno; every verify_every-th collapse the region is checked small before
 * and PMD-mapped after (PAGEMAP_SCAN PAGE_IS_HUGE, or the VMA's smaps
 * counters); /proc/vmstat deltas between setup and report, which must equal
 * the PMDs the worker collapsed (thp_collapse_alloc; up to one more per PMD
 * whose collapse failed, which may have allocated first). The window covers
 * the whole repeat (warm-up included), so the counts in "collapse" do too;
 * "measured" holds the measured subset that ops.collapse describes.
 * shmem-collapse can share its file with extra VMAs of this process
 * (`mappings`) and with child processes (`sharers`), whose page tables the
 * kernel's retract_page_tables() must visit. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "collapse_sharers.h"
#include "collapse_util.h"
#include "ptbench/clock.h"
#include "ptbench/util.h"
#include "ptbench/vmstat.h"
#include "ptbench/worker.h"

enum { OP_COLLAPSE, OP_REFAULT, OP_RESET };

static const char *const shmem_ops[] = { "collapse", "refault", "punch", NULL };
static const char *const anon_ops[] = { "collapse", "refault", "zap", NULL };

/* The options of both collapse types; anon leaves the shmem-only ones 0. */
struct collapse_opts {
	long long size, touch, verify_every, mappings, sharers, sharer_interval;
	int verify;
};

#define COMMON_OPTS                                                                              \
	PT_OPT_SIZE_MULT_F("size", struct collapse_opts, size, "16M", 2 << 20, 1LL << 36, 2 << 20, \
			   "region per thread, a multiple of 2M (one PMD each)"),                \
	PT_OPT_INT_F("touch", struct collapse_opts, touch, "512", 1, 512,                        \
		     "4 KiB pages refaulted per 2 MiB each iteration (spread evenly); < 512 leaves holes " \
		     "(max_ptes_none territory; MADV_COLLAPSE ignores that limit)"),             \
	PT_OPT_ENUM_F("verify", struct collapse_opts, verify, "auto", pt_verify_choices,         \
		      "how to prove PMD mapping: auto (pagemap-scan when the kernel has it, 6.7+), " \
		      "pagemap-scan, smaps (the VMA's *PmdMapped/AnonHugePages), none"),          \
	PT_OPT_INT_F("verify_every", struct collapse_opts, verify_every, "1", 1, 1000000,        \
		     "check every Nth collapse (untimed; failures are always checked)")

static const struct pt_opt_def shmem_opts[] = {
	COMMON_OPTS,
	PT_OPT_INT_F("mappings", struct collapse_opts, mappings, "0", 0, 64,
		     "extra PMD-aligned mappings of the same file in this process, read-touched each iteration"),
	PT_OPT_INT_F("sharers", struct collapse_opts, sharers, "0", 0, 64,
		     "child processes mapping the same file, re-reading every page each sharer_interval"),
	PT_OPT_DURATION_F("sharer_interval", struct collapse_opts, sharer_interval, "10ms", 0, 60000000000LL,
			  "pause between a sharer's passes over the file (0: back to back)"),
	PT_OPT_END,
};

static const struct pt_opt_def anon_opts[] = {
	COMMON_OPTS,
	PT_OPT_END,
};

/* Evidence counters; per thread, summed into the role at thread_fini. */
struct collapse_stats {
	uint64_t attempts, succeeded, errors[PT_ERRNO_SLOTS];
	uint64_t measured_attempts, measured_succeeded;
	uint64_t pmds_collapsed;      /* PMDs this worker turned huge (the vmstat claim) */
	uint64_t checked, confirmed, unconfirmed, partial_pmds_after_failure;
	uint64_t checked_small, started_huge, verify_errors;
	uint64_t failed_pmds;         /* PMDs left small by failed collapses (each may
				       * have allocated a THP before failing) */
};

struct collapse_role {
	pthread_mutex_t lock;
	bool shmem;
	enum pt_verify how;
	struct pt_vmstat before;
	struct collapse_stats sum;
	size_t region, npmd;
	int sharers_started;
};

struct collapse_thread {
	struct pt_aligned_map map;
	struct pt_aligned_map *extra;
	int nextra;
	pid_t *kids;
	int nkids;
	int fd, pagemap_fd;
	size_t page, npmd, touch;
	long long verify_every;
	struct collapse_stats st;
};

static bool is_shmem(const struct pt_worker_type *type)
{
	return !strcmp(type->name, "shmem-collapse");
}

static enum pt_check collapse_check(const struct pt_worker_type *type, const void *opts,
				    const char **bad_key, char *why, size_t len)
{
	const struct collapse_opts *o = opts;
	int rc;

	*bad_key = "verify";
	if ((enum pt_verify)o->verify == PT_VERIFY_PAGEMAP_SCAN &&
	    !pt_pagemap_scan_available()) {
		snprintf(why, len, "verify = pagemap-scan: this kernel has no PAGEMAP_SCAN ioctl "
				   "(6.7+); use verify = smaps or auto");
		return PT_CHECK_SKIP;
	}
	*bad_key = NULL;
	rc = pt_probe_madv_collapse(is_shmem(type), why, len);
	if (rc > 0)
		return PT_CHECK_SKIP;
	return rc < 0 ? PT_CHECK_ERROR : PT_CHECK_OK;
}

static int collapse_setup(struct pt_role_run *rr, char *err, size_t len)
{
	struct collapse_role *cr = pt_xcalloc(1, sizeof(*cr));
	const struct collapse_opts *o = pt_role_opts(rr);

	pt_role_set_shared(rr, cr);
	pthread_mutex_init(&cr->lock, NULL);
	cr->shmem = is_shmem(pt_role_type(rr));
	cr->how = pt_verify_resolve((enum pt_verify)o->verify);
	cr->region = (size_t)o->size;
	cr->npmd = cr->region / PT_PMD_SIZE;
	/* last thing before the threads exist: the vmstat window opens here */
	if (pt_vmstat_read(&cr->before)) {
		snprintf(err, len, "cannot read /proc/vmstat: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int collapse_thread_init(struct pt_thread *t, char *err, size_t len)
{
	const struct collapse_opts *o = pt_thread_opts(t);
	struct collapse_role *cr = pt_thread_shared(t);
	struct collapse_thread *c = pt_xcalloc(1, sizeof(*c));
	size_t size = cr->region;

	t->priv = c;
	c->fd = c->pagemap_fd = -1;
	c->page = (size_t)sysconf(_SC_PAGESIZE);
	c->npmd = cr->npmd;
	c->touch = (size_t)o->touch;
	c->verify_every = o->verify_every;
	if (cr->how == PT_VERIFY_PAGEMAP_SCAN) {
		c->pagemap_fd = pt_open_pagemap(err, len);
		if (c->pagemap_fd < 0)
			return -1;
	}
	if (cr->shmem) {
		c->fd = memfd_create("ptbench-shmem-collapse", MFD_CLOEXEC);
		if (c->fd < 0 || ftruncate(c->fd, (off_t)size)) {
			snprintf(err, len, "memfd of %zu bytes: %s", size, strerror(errno));
			return -1;
		}
	}
	if (pt_aligned_map(&c->map, size, c->fd, err, len))
		return -1;
	t->mem_addr = c->map.base; /* the membind check samples this region */
	t->mem_len = size;
	if (!cr->shmem)
		return 0;
	c->nextra = (int)o->mappings;
	c->extra = pt_xcalloc((size_t)c->nextra + 1, sizeof(*c->extra));
	for (int i = 0; i < c->nextra; i++)
		if (pt_aligned_map(&c->extra[i], size, c->fd, err, len))
			return -1;
	c->nkids = (int)o->sharers;
	c->kids = pt_xcalloc((size_t)c->nkids + 1, sizeof(pid_t));
	if (c->nkids) {
		int n = pt_sharers_start(c->kids, c->nkids, c->map.base, size,
					 (uint64_t)o->sharer_interval);

		if (n < c->nkids) {
			snprintf(err, len, "fork of sharer %d of %d: %s", n + 1, c->nkids, strerror(errno));
			c->nkids = n;
			return -1;
		}
		pthread_mutex_lock(&cr->lock);
		cr->sharers_started += n;
		pthread_mutex_unlock(&cr->lock);
	}
	return 0;
}

/* Back to small pages: drop everything, fault touch pages per PMD again. */
static void reset_region(struct pt_thread *t, struct collapse_thread *c, bool shmem)
{
	volatile char *base = c->map.base;
	uint64_t t0, t1;
	int rc;

	t0 = pt_op_begin(t, OP_RESET);
	if (shmem)
		rc = fallocate(c->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t)c->map.len);
	else
		rc = madvise(c->map.base, c->map.len, MADV_DONTNEED);
	t1 = pt_now_ns();
	pt_record(t, OP_RESET, t0, t1);
	if (rc)
		pt_record_error(t, OP_RESET, errno);
	pt_refault_pmds(t, OP_REFAULT, base, c->npmd, c->touch, c->page);
	/* the other VMAs of the file get PTEs too, for the retract to visit */
	for (int m = 0; m < c->nextra; m++)
		for (size_t off = 0; off < c->map.len; off += c->page)
			(void)((volatile char *)c->extra[m].base)[off];
}

static long long huge_bytes(struct collapse_thread *c, enum pt_verify how)
{
	long long b = pt_pmd_mapped_bytes(how, c->pagemap_fd, c->map.base, c->map.len);

	if (b < 0)
		c->st.verify_errors++;
	return b;
}

static int collapse_run_once(struct pt_thread *t)
{
	struct collapse_thread *c = t->priv;
	struct collapse_role *cr = pt_thread_shared(t);
	bool sample = cr->how != PT_VERIFY_NONE && c->st.attempts % (uint64_t)c->verify_every == 0;
	/* the counting rule decides per iteration (the runner set it before
	 * calling): an iteration begun in the measured window is recorded in
	 * ops, even if the window's nominal end comes in the middle */
	bool measured = pt_measuring(t);
	uint64_t t0, t1;
	int rc, e = 0;

	reset_region(t, c, cr->shmem);
	if (sample) {
		long long b = huge_bytes(c, cr->how);

		if (b >= 0) {
			c->st.checked_small++;
			c->st.started_huge += b > 0;
		}
	}
	t0 = pt_op_begin(t, OP_COLLAPSE);
	rc = madvise(c->map.base, c->map.len, MADV_COLLAPSE);
	t1 = pt_now_ns();
	if (rc)
		e = errno;
	pt_record(t, OP_COLLAPSE, t0, t1);
	c->st.attempts++;
	c->st.measured_attempts += measured;
	if (rc) {
		pt_record_error(t, OP_COLLAPSE, e);
		c->st.errors[e < PT_ERRNO_SLOTS ? e : PT_ERRNO_SLOTS - 1]++;
		/* a failed collapse may still have collapsed some PMDs */
		uint64_t huge = 0;

		if (cr->how != PT_VERIFY_NONE) {
			long long b = huge_bytes(c, cr->how);

			if (b > 0)
				huge = (uint64_t)b / PT_PMD_SIZE;
		}
		c->st.partial_pmds_after_failure += huge;
		c->st.pmds_collapsed += huge;
		c->st.failed_pmds += c->npmd - huge;
		return 0;
	}
	c->st.succeeded++;
	c->st.measured_succeeded += measured;
	c->st.pmds_collapsed += c->npmd;
	if (sample) {
		long long b = huge_bytes(c, cr->how);

		if (b >= 0) {
			c->st.checked++;
			if ((size_t)b == c->map.len)
				c->st.confirmed++;
			else
				c->st.unconfirmed++;
		}
	}
	return 0;
}

static void add_stats(struct collapse_stats *to, const struct collapse_stats *from)
{
	const uint64_t *f = (const uint64_t *)from;
	uint64_t *d = (uint64_t *)to;

	/* every field is a uint64_t counter */
	for (size_t i = 0; i < sizeof(*from) / sizeof(uint64_t); i++)
		d[i] += f[i];
}

static void collapse_thread_fini(struct pt_thread *t)
{
	struct collapse_thread *c = t->priv;
	struct collapse_role *cr = pt_thread_shared(t);

	if (!c)
		return;
	pthread_mutex_lock(&cr->lock);
	add_stats(&cr->sum, &c->st);
	pthread_mutex_unlock(&cr->lock);
	if (c->kids)
		pt_sharers_stop(c->kids, c->nkids);
	for (int i = 0; c->extra && i < c->nextra; i++)
		pt_aligned_unmap(&c->extra[i]);
	pt_aligned_unmap(&c->map);
	if (c->fd >= 0)
		close(c->fd);
	if (c->pagemap_fd >= 0)
		close(c->pagemap_fd);
	free(c->extra);
	free(c->kids);
	free(c);
	t->priv = NULL;
}

static void add_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_int64((int64_t)v));
}

static void collapse_report(struct pt_role_run *rr, struct json_object *role_json)
{
	struct collapse_role *cr = pt_role_shared(rr);
	const struct collapse_stats *s = &cr->sum;
	struct json_object *o = json_object_new_object(), *m = json_object_new_object();
	struct json_object *v = json_object_new_object(), *delta;
	struct pt_vmstat after;
	long long alloc = 0;
	bool agrees = false, exact = false;

	add_u64(o, "attempts", s->attempts);
	add_u64(o, "succeeded", s->succeeded);
	json_object_object_add(o, "success_rate",
			       json_object_new_double(s->attempts ? (double)s->succeeded / (double)s->attempts : 0));
	json_object_object_add(o, "errors", pt_errno_counts_json(s->errors, PT_ERRNO_SLOTS));
	json_object_object_add(o, "window", json_object_new_string("repeat (warm-up included)"));
	add_u64(m, "attempts", s->measured_attempts);
	add_u64(m, "succeeded", s->measured_succeeded);
	json_object_object_add(o, "measured", m);
	add_u64(o, "pmds_per_region", cr->npmd);
	add_u64(o, "pmds_collapsed", s->pmds_collapsed);
	add_u64(o, "partial_pmds_after_failure", s->partial_pmds_after_failure);
	add_u64(o, "failed_pmds", s->failed_pmds);
	json_object_object_add(o, "verify", json_object_new_string(pt_verify_choices[cr->how]));
	json_object_object_add(o, "verify_every",
			       json_object_new_int64(((const struct collapse_opts *)pt_role_opts(rr))->verify_every));
	add_u64(o, "checked_pmd_mapped", s->checked);
	add_u64(o, "confirmed_pmd_mapped", s->confirmed);
	add_u64(o, "unconfirmed", s->unconfirmed);
	add_u64(o, "checked_small_before", s->checked_small);
	add_u64(o, "started_huge", s->started_huge);
	add_u64(o, "verify_errors", s->verify_errors);
	if (cr->shmem) {
		json_object_object_add(o, "mappings",
				       json_object_new_int64(((const struct collapse_opts *)pt_role_opts(rr))->mappings));
		json_object_object_add(o, "sharers", json_object_new_int(cr->sharers_started));
	}
	if (!pt_vmstat_read(&after)) {
		delta = pt_vmstat_delta_json(&cr->before, &after);
		alloc = pt_vmstat_get(&after, "thp_collapse_alloc") -
			pt_vmstat_get(&cr->before, "thp_collapse_alloc");
		/* one THP allocated per PMD collapsed; a PMD whose collapse
		 * failed may have allocated one too (then freed it) */
		exact = alloc == (long long)s->pmds_collapsed;
		agrees = alloc >= (long long)s->pmds_collapsed &&
			 alloc <= (long long)(s->pmds_collapsed + s->failed_pmds);
	} else {
		delta = json_object_new_object();
	}
	json_object_object_add(o, "vmstat_delta", delta);
	/* every PMD a collapse makes huge allocates one THP (thp_collapse_alloc):
	 * more means someone else collapsed, fewer means we claim too much */
	json_object_object_add(v, "counter", json_object_new_string("thp_collapse_alloc"));
	add_u64(v, "worker_pmds", s->pmds_collapsed);
	add_u64(v, "failed_pmds", s->failed_pmds);
	json_object_object_add(v, "vmstat", json_object_new_int64(alloc));
	json_object_object_add(v, "rule", json_object_new_string(
		"worker_pmds <= vmstat <= worker_pmds + failed_pmds"));
	json_object_object_add(v, "exact", json_object_new_boolean(exact));
	json_object_object_add(v, "agrees", json_object_new_boolean(agrees));
	json_object_object_add(o, "vmstat_check", v);
	json_object_object_add(o, "vmstat_agrees", json_object_new_boolean(agrees));
	json_object_object_add(role_json, "collapse", o);

	if (s->attempts && !s->succeeded)
		fprintf(stderr, "ptbench: warning: [worker %s] none of %llu collapses succeeded\n",
			pt_role_name(rr), (unsigned long long)s->attempts);
	if (s->unconfirmed || s->started_huge)
		fprintf(stderr,
			"ptbench: warning: [worker %s] %llu collapses reported success without a "
			"PMD mapping, %llu iterations started huge\n",
			pt_role_name(rr), (unsigned long long)s->unconfirmed,
			(unsigned long long)s->started_huge);
	if (!agrees)
		fprintf(stderr,
			"ptbench: warning: [worker %s] /proc/vmstat thp_collapse_alloc grew by %lld; "
			"the worker collapsed %llu PMDs and failed on %llu (another process "
			"collapsing, or collapses the worker did not see)\n",
			pt_role_name(rr), alloc, (unsigned long long)s->pmds_collapsed,
			(unsigned long long)s->failed_pmds);
}

static void collapse_teardown(struct pt_role_run *rr)
{
	struct collapse_role *cr = pt_role_shared(rr);

	if (!cr)
		return;
	pthread_mutex_destroy(&cr->lock);
	free(cr);
	pt_role_set_shared(rr, NULL);
}

/* The proof in one line: a reader must see that it collapsed. */
static void collapse_summary(const char *role, struct json_object *role_json, FILE *out)
{
	struct json_object *c, *agrees;

	if (!json_object_object_get_ex(role_json, "collapse", &c))
		return;
	fprintf(out, "  %s: collapsed %lld/%lld (%lld PMDs), confirmed PMD-mapped %lld/%lld, vmstat %s\n",
		role, pt_json_int(c, "succeeded", 0), pt_json_int(c, "attempts", 0), pt_json_int(c, "pmds_collapsed", 0),
		pt_json_int(c, "confirmed_pmd_mapped", 0), pt_json_int(c, "checked_pmd_mapped", 0),
		!json_object_object_get_ex(c, "vmstat_agrees", &agrees) ? "not checked"
		: json_object_get_boolean(agrees)		       ? "agrees"
								       : "DISAGREES");
}

/* Each thread maps its region once (shmem: plus its extra mappings of the
 * same file, which share the pages). */
static uint64_t collapse_mem_bytes(const void *opts, int threads)
{
	return (uint64_t)((const struct collapse_opts *)opts)->size * (uint64_t)threads;
}

/* the two types differ in their memory (options, ops), not in their code */
#define COLLAPSE_WORKER_TYPE(NAME, SUMMARY, OPTS, OPS)                                  \
	{                                                                               \
		.name = NAME, .summary = SUMMARY, .opts = OPTS,                         \
		.opts_size = sizeof(struct collapse_opts), .ops = OPS,                  \
		/* the unit of work: one MADV_COLLAPSE (refaults are its reset) */     \
		.unit_op = "collapse",                                                  \
		.check = collapse_check, .mem_bytes = collapse_mem_bytes,               \
		.setup = collapse_setup, .thread_init = collapse_thread_init,           \
		.run_once = collapse_run_once, .thread_fini = collapse_thread_fini,     \
		.teardown = collapse_teardown, .report = collapse_report,               \
		.print_summary = collapse_summary,                                      \
	}

const struct pt_worker_type pt_worker_shmem_collapse = COLLAPSE_WORKER_TYPE(
	"shmem-collapse",
	"memfd region: hole punch, refault 4 KiB pages, MADV_COLLAPSE (proved by pagemap/smaps and "
	"vmstat)",
	shmem_opts, shmem_ops);

const struct pt_worker_type pt_worker_anon_collapse = COLLAPSE_WORKER_TYPE(
	"anon-collapse",
	"private anon region: MADV_DONTNEED, refault 4 KiB pages, MADV_COLLAPSE (proved by "
	"pagemap/smaps and vmstat)",
	anon_opts, anon_ops);
