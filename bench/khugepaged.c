/* khugepaged: background collapse by the kernel's khugepaged thread (root).
 * The khugepaged scan settings (scan_sleep_millisecs, pages_to_scan, defrag,
 * optionally alloc_sleep_millisecs and max_ptes_none) are pushed for the run
 * and restored on every exit path (pt_sysfs_push; signals included).
 * One iteration on a private anon PMD-aligned region:
 *   MADV_NOHUGEPAGE (khugepaged keeps off, faults stay small) -> op `zap`
 *   (MADV_DONTNEED) -> refault `touch` pages per 2 MiB, each timed as op
 *   `refault` -> MADV_HUGEPAGE (hands the region to khugepaged) -> poll the
 *   region every `poll` (PAGEMAP_SCAN or smaps) until every PMD is huge or
 *   `timeout`. Op `collapse` is one sample per PMD: the time from the hand-off
 *   to the poll that first saw it PMD-mapped (so its resolution is `poll`);
 *   a PMD not collapsed within `timeout` is counted under ETIMEDOUT.
 * The report gives PMDs collapsed per second of waiting, and the vmstat /
 * khugepaged counter deltas next to the worker's own count. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "collapse_util.h"
#include "ptbench/clock.h"
#include "ptbench/sysfs_settings.h"
#include "ptbench/util.h"
#include "ptbench/vmstat.h"
#include "ptbench/worker.h"

#define THP_DIR "/sys/kernel/mm/transparent_hugepage/"
#define KHP_DIR THP_DIR "khugepaged/"

enum { OP_COLLAPSE, OP_REFAULT, OP_ZAP };

static const char *const khp_ops[] = { "collapse", "refault", "zap", NULL };

struct khp_opts {
	long long size, touch, scan_sleep, pages_to_scan, alloc_sleep_ms, max_ptes_none, poll, timeout;
	bool defrag;
	int verify;
};

#define KO struct khp_opts
static const struct pt_opt_def khp_opts[] = {
	PT_OPT_SIZE_MULT_F("size", KO, size, "16M", 2 << 20, 1LL << 36, 2 << 20,
			   "region per thread, a multiple of 2M (one PMD each)"),
	PT_OPT_INT_F("touch", KO, touch, "512", 1, 512,
		     "4 KiB pages refaulted per 2 MiB each iteration; khugepaged skips a PMD with more "
		     "than max_ptes_none holes"),
	PT_OPT_DURATION_F("scan_sleep", KO, scan_sleep, "10ms", 0, 3600000000000LL,
			  "khugepaged/scan_sleep_millisecs for the run"),
	PT_OPT_INT_F("pages_to_scan", KO, pages_to_scan, "4096", 1, 1 << 22,
		     "khugepaged/pages_to_scan for the run"),
	PT_OPT_BOOL_F("defrag", KO, defrag, "true", "khugepaged/defrag for the run"),
	PT_OPT_INT_F("alloc_sleep_ms", KO, alloc_sleep_ms, "-1", -1, 3600000,
		     "khugepaged/alloc_sleep_millisecs for the run (-1: leave as is)"),
	PT_OPT_INT_F("max_ptes_none", KO, max_ptes_none, "-1", -1, 511,
		     "khugepaged/max_ptes_none for the run (-1: leave as is)"),
	PT_OPT_DURATION_F("poll", KO, poll, "5ms", 100000, 10000000000LL,
			  "how often the region is checked for new PMD mappings (resolution of op collapse)"),
	PT_OPT_DURATION_F("timeout", KO, timeout, "5s", 1000000, 600000000000LL,
			  "give up on an iteration's remaining PMDs after this long (counted as ETIMEDOUT)"),
	PT_OPT_ENUM_F("verify", KO, verify, "auto", pt_verify_choices,
		      "how to see PMD mappings: auto (pagemap-scan when the kernel has it), pagemap-scan, smaps"),
	PT_OPT_END,
};
#undef KO

struct khp_role {
	pthread_mutex_t lock;
	enum pt_verify how;
	size_t region, npmd;
	struct pt_vmstat before;
	long long collapsed_before, scans_before;
	struct json_object *settings;  /* what the run set, {"file": "value"} */
	/* summed from the threads */
	uint64_t iterations, pmds_collapsed, pmds_after_stop, timeouts, verify_errors;
	uint64_t started_huge, wait_ns;
};

struct khp_thread {
	struct pt_aligned_map map;
	int pagemap_fd;
	size_t page, npmd, touch;
	uint64_t poll_ns, timeout_ns;
	uint64_t iterations, pmds_collapsed, pmds_after_stop, timeouts, verify_errors;
	uint64_t started_huge, wait_ns;
	long long last_seen;  /* PMDs the last iteration saw huge; -1 before the first */
};

static long long read_ll(const char *path)
{
	char buf[64];

	return pt_read_line(path, buf, sizeof(buf), 0) ? -1 : atoll(buf);
}

static enum pt_check khp_check(const struct pt_worker_type *type, const void *opts, const char **bad_key,
				char *why, size_t len)
{
	const struct khp_opts *o = opts;
	char enabled[32];

	(void)type;
	*bad_key = "verify";
	if ((enum pt_verify)o->verify == PT_VERIFY_NONE) {
		snprintf(why, len, "verify = none: the khugepaged worker sees collapses only by looking");
		return PT_CHECK_ERROR;
	}
	if (access(KHP_DIR "scan_sleep_millisecs", F_OK)) {
		snprintf(why, len, "no %s: kernel without CONFIG_TRANSPARENT_HUGEPAGE", KHP_DIR);
		return PT_CHECK_SKIP;
	}
	if (geteuid() != 0 || access(KHP_DIR "scan_sleep_millisecs", W_OK)) {
		snprintf(why, len, "needs root: it writes khugepaged settings under %s", KHP_DIR);
		return PT_CHECK_SKIP;
	}
	if (!pt_read_line(THP_DIR "enabled", enabled, sizeof(enabled), 1) && !strcmp(enabled, "never")) {
		snprintf(why, len, "transparent_hugepage/enabled is 'never': khugepaged does not run "
				   "(set thp_enabled = madvise in [scenario])");
		return PT_CHECK_SKIP;
	}
	if ((enum pt_verify)o->verify == PT_VERIFY_PAGEMAP_SCAN && !pt_pagemap_scan_available()) {
		snprintf(why, len, "verify = pagemap-scan: this kernel has no PAGEMAP_SCAN ioctl (6.7+)");
		return PT_CHECK_SKIP;
	}
	return PT_CHECK_OK;
}

/* Push one setting unless it already holds the value: repeats then do not
 * stack pushes, and the first push keeps the machine's original value. */
static int push(struct khp_role *kr, const char *file, long long value, char *err, size_t len)
{
	char path[256], want[32], cur[64];

	snprintf(path, sizeof(path), KHP_DIR "%s", file);
	snprintf(want, sizeof(want), "%lld", value);
	json_object_object_add(kr->settings, file, json_object_new_int64(value));
	if (!pt_read_line(path, cur, sizeof(cur), 0) && !strcmp(cur, want))
		return 0;
	return pt_sysfs_push(path, want, err, len);
}

static int khp_setup(struct pt_role_run *rr, char *err, size_t len)
{
	const struct khp_opts *o = pt_role_opts(rr);
	struct khp_role *kr = pt_xcalloc(1, sizeof(*kr));

	pt_role_set_shared(rr, kr);
	pthread_mutex_init(&kr->lock, NULL);
	kr->settings = json_object_new_object();
	kr->how = pt_verify_resolve((enum pt_verify)o->verify);
	kr->region = (size_t)o->size;
	kr->npmd = kr->region / PT_PMD_SIZE;
	if (push(kr, "scan_sleep_millisecs", o->scan_sleep / 1000000, err, len) ||
	    push(kr, "pages_to_scan", o->pages_to_scan, err, len) ||
	    push(kr, "defrag", o->defrag, err, len) ||
	    (o->alloc_sleep_ms >= 0 && push(kr, "alloc_sleep_millisecs", o->alloc_sleep_ms, err, len)) ||
	    (o->max_ptes_none >= 0 && push(kr, "max_ptes_none", o->max_ptes_none, err, len)))
		return -1;
	kr->collapsed_before = read_ll(KHP_DIR "pages_collapsed");
	kr->scans_before = read_ll(KHP_DIR "full_scans");
	if (pt_vmstat_read(&kr->before)) {
		snprintf(err, len, "cannot read /proc/vmstat: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int khp_thread_init(struct pt_thread *t, char *err, size_t len)
{
	const struct khp_opts *o = pt_thread_opts(t);
	struct khp_role *kr = pt_thread_shared(t);
	struct khp_thread *k = pt_xcalloc(1, sizeof(*k));

	t->priv = k;
	k->pagemap_fd = -1;
	k->last_seen = -1;
	k->page = (size_t)sysconf(_SC_PAGESIZE);
	k->npmd = kr->npmd;
	k->touch = (size_t)o->touch;
	k->poll_ns = (uint64_t)o->poll;
	k->timeout_ns = (uint64_t)o->timeout;
	if (kr->how == PT_VERIFY_PAGEMAP_SCAN) {
		k->pagemap_fd = pt_open_pagemap(err, len);
		if (k->pagemap_fd < 0)
			return -1;
	}
	if (pt_aligned_map(&k->map, kr->region, -1, err, len))
		return -1;
	t->mem_addr = k->map.base; /* the membind check samples this region */
	t->mem_len = kr->region;
	return 0;
}

static long long huge_pmds(struct khp_thread *k, enum pt_verify how)
{
	long long b = pt_pmd_mapped_bytes(how, k->pagemap_fd, k->map.base, k->map.len);

	if (b < 0) {
		k->verify_errors++;
		return -1;
	}
	return b / (long long)PT_PMD_SIZE;
}

/* After MADV_NOHUGEPAGE (which takes mmap_lock for writing, so a collapse in
 * flight has finished when it returns), count the PMDs khugepaged collapsed
 * after the last iteration stopped watching (timeout, or the end of the run):
 * the worker's total must match /proc/vmstat. */
static void count_late(struct khp_thread *k, enum pt_verify how)
{
	long long now;

	if (k->last_seen < 0)
		return;
	now = huge_pmds(k, how);
	if (now > k->last_seen)
		k->pmds_after_stop += (uint64_t)(now - k->last_seen);
	k->last_seen = -1;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ull), .tv_nsec = (long)(ns % 1000000000ull) };

	nanosleep(&ts, NULL);
}

static int khp_run_once(struct pt_thread *t)
{
	struct khp_thread *k = t->priv;
	struct khp_role *kr = pt_thread_shared(t);
	volatile char *base = k->map.base;
	uint64_t t0, t1, handoff;
	long long seen = 0, now;
	int rc;

	/* flags first: MADV_NOHUGEPAGE waits (mmap_lock) for an in-flight collapse */
	if (madvise(k->map.base, k->map.len, MADV_NOHUGEPAGE))
		return -1;
	count_late(k, kr->how);
	t0 = pt_op_begin(t, OP_ZAP);
	rc = madvise(k->map.base, k->map.len, MADV_DONTNEED);
	t1 = pt_now_ns();
	pt_record(t, OP_ZAP, t0, t1);
	if (rc)
		pt_record_error(t, OP_ZAP, errno);
	pt_refault_pmds(t, OP_REFAULT, base, k->npmd, k->touch, k->page);
	now = huge_pmds(k, kr->how);
	if (now > 0)
		k->started_huge++;
	k->iterations++;
	/* the wait for khugepaged is the op: the thread's own locks in it
	 * (MADV_HUGEPAGE, the checks) count for collapse */
	handoff = pt_op_begin(t, OP_COLLAPSE);
	if (madvise(k->map.base, k->map.len, MADV_HUGEPAGE))
		return -1;
	while (seen < (long long)k->npmd) {
		sleep_ns(k->poll_ns);
		now = huge_pmds(k, kr->how);
		t1 = pt_now_ns();
		for (; now > seen; seen++)
			pt_record(t, OP_COLLAPSE, handoff, t1);
		/* pt_record ended the mark; the wait for the next PMDs goes on */
		pt_op_begin_at(t, OP_COLLAPSE, handoff);
		if (pt_should_stop(t))
			break;
		if (t1 - handoff >= k->timeout_ns) {
			for (long long left = (long long)k->npmd - seen; left > 0; left--) {
				pt_record(t, OP_COLLAPSE, handoff, t1);
				pt_record_error(t, OP_COLLAPSE, ETIMEDOUT);
				k->timeouts++;
			}
			break;
		}
	}
	pt_op_end(t);
	k->wait_ns += pt_now_ns() - handoff;
	k->pmds_collapsed += (uint64_t)seen;
	k->last_seen = seen;
	return 0;
}

static void khp_thread_fini(struct pt_thread *t)
{
	struct khp_thread *k = t->priv;
	struct khp_role *kr = pt_thread_shared(t);

	if (!k)
		return;
	if (k->map.base) {
		madvise(k->map.base, k->map.len, MADV_NOHUGEPAGE);
		count_late(k, kr->how);
	}
	pthread_mutex_lock(&kr->lock);
	kr->iterations += k->iterations;
	kr->pmds_collapsed += k->pmds_collapsed;
	kr->pmds_after_stop += k->pmds_after_stop;
	kr->timeouts += k->timeouts;
	kr->verify_errors += k->verify_errors;
	kr->started_huge += k->started_huge;
	kr->wait_ns += k->wait_ns;
	pthread_mutex_unlock(&kr->lock);
	pt_aligned_unmap(&k->map);
	if (k->pagemap_fd >= 0)
		close(k->pagemap_fd);
	free(k);
	t->priv = NULL;
}

static void add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_int64((int64_t)v));
}

static void khp_report(struct pt_role_run *rr, struct json_object *role_json)
{
	struct khp_role *kr = pt_role_shared(rr);
	struct json_object *o = json_object_new_object(), *v = json_object_new_object();
	struct pt_vmstat after;
	uint64_t total = kr->pmds_collapsed + kr->pmds_after_stop;
	double wait_s = (double)kr->wait_ns / 1e9;
	long long alloc = 0, khp_pages;

	add_u64(o, "iterations", kr->iterations);
	add_u64(o, "pmds_per_region", kr->npmd);
	add_u64(o, "pmds_collapsed", kr->pmds_collapsed);
	add_u64(o, "pmds_collapsed_after_stop", kr->pmds_after_stop);
	add_u64(o, "timeouts", kr->timeouts);
	json_object_object_add(o, "wait_s", json_object_new_double(wait_s));
	/* the rate khugepaged delivered while the region was waiting for it */
	json_object_object_add(o, "pmds_per_sec",
			       json_object_new_double(wait_s > 0 ? (double)kr->pmds_collapsed / wait_s : 0));
	add_u64(o, "started_huge", kr->started_huge);
	add_u64(o, "verify_errors", kr->verify_errors);
	json_object_object_add(o, "verify", json_object_new_string(pt_verify_choices[kr->how]));
	json_object_object_add(o, "window", json_object_new_string("repeat (warm-up included)"));
	json_object_object_add(o, "settings", json_object_get(kr->settings));
	long long collapsed = read_ll(KHP_DIR "pages_collapsed");

	collapsed = collapsed >= kr->collapsed_before ? collapsed - kr->collapsed_before : 0;
	add_u64(o, "khugepaged_pages_collapsed_delta", (uint64_t)collapsed);
	khp_pages = read_ll(KHP_DIR "full_scans");
	add_u64(o, "khugepaged_full_scans_delta",
		(uint64_t)(khp_pages >= kr->scans_before ? khp_pages - kr->scans_before : 0));
	if (!pt_vmstat_read(&after)) {
		json_object_object_add(o, "vmstat_delta", pt_vmstat_delta_json(&kr->before, &after));
		alloc = pt_vmstat_get(&after, "thp_collapse_alloc") -
			pt_vmstat_get(&kr->before, "thp_collapse_alloc");
	}
	/* khugepaged's pages_collapsed counts successful collapses only, so it
	 * must equal the worker's count. thp_collapse_alloc counts allocations:
	 * a collapse khugepaged had allocated for when the worker stopped
	 * watching (MADV_NOHUGEPAGE at the end) fails its revalidation after
	 * the allocation, so that counter may exceed the worker's, never fall
	 * short of it. Both are system-wide: another process's MADV_HUGEPAGE
	 * memory collapsed meanwhile shows up as a disagreement. */
	json_object_object_add(v, "counter", json_object_new_string("khugepaged/pages_collapsed"));
	add_u64(v, "worker_pmds", total);
	add_u64(v, "pages_collapsed", (uint64_t)collapsed);
	json_object_object_add(v, "vmstat", json_object_new_int64(alloc));
	json_object_object_add(v, "rule", json_object_new_string(
		"pages_collapsed == worker_pmds <= thp_collapse_alloc (vmstat)"));
	json_object_object_add(v, "agrees", json_object_new_boolean(
		collapsed == (long long)total && alloc >= (long long)total));
	json_object_object_add(o, "vmstat_check", v);
	json_object_object_add(role_json, "khugepaged", o);
	if (kr->iterations && !kr->pmds_collapsed)
		fprintf(stderr, "ptbench: warning: [worker %s] khugepaged collapsed nothing in %llu "
				"iterations\n", pt_role_name(rr), (unsigned long long)kr->iterations);
}

/* The proof in one line, like the MADV_COLLAPSE workers': PMDs khugepaged
 * collapsed for us, and whether its own counter agrees. */
static void khp_summary(const char *role, struct json_object *role_json, FILE *out)
{
	struct json_object *k, *v, *agrees;

	if (!json_object_object_get_ex(role_json, "khugepaged", &k))
		return;
	fprintf(out, "  %s: khugepaged collapsed %lld PMDs in %lld iterations (%.1f PMDs/s while waiting), "
		     "%lld timeouts, khugepaged pages_collapsed %s\n",
		role, pt_json_int(k, "pmds_collapsed", 0), pt_json_int(k, "iterations", 0),
		json_object_get_double(json_object_object_get(k, "pmds_per_sec")), pt_json_int(k, "timeouts", 0),
		!json_object_object_get_ex(k, "vmstat_check", &v) ||
				!json_object_object_get_ex(v, "agrees", &agrees) ? "not checked"
		: json_object_get_boolean(agrees)				 ? "agrees"
										 : "DISAGREES");
}

/* Each thread maps its region once. */
static uint64_t khp_mem_bytes(const void *opts, int threads)
{
	return (uint64_t)((const struct khp_opts *)opts)->size * (uint64_t)threads;
}

static void khp_teardown(struct pt_role_run *rr)
{
	struct khp_role *kr = pt_role_shared(rr);

	if (!kr)
		return;
	/* the settings stay pushed across repeats; cmd_run restores them at the end */
	json_object_put(kr->settings);
	pthread_mutex_destroy(&kr->lock);
	free(kr);
	pt_role_set_shared(rr, NULL);
}

const struct pt_worker_type pt_worker_khugepaged = {
	.name = "khugepaged",
	.summary = "anon region handed to khugepaged (MADV_HUGEPAGE) with its scan settings pushed "
		   "(root); PMDs collapsed per second",
	.opts = khp_opts,
	.opts_size = sizeof(struct khp_opts),
	.ops = khp_ops,
	/* the unit of work lock counts are divided by: one PMD seen collapsed; refault and zap are the reset */
	.unit_op = "collapse",
	.check = khp_check,
	.mem_bytes = khp_mem_bytes,
	.setup = khp_setup,
	.thread_init = khp_thread_init,
	.run_once = khp_run_once,
	.thread_fini = khp_thread_fini,
	.teardown = khp_teardown,
	.report = khp_report,
	.print_summary = khp_summary,
};
