/* Walk targets and walk counters: see walk_region.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ptbench/clock.h"
#include "ptbench/target.h"
#include "ptbench/util.h"
#include "walk_region.h"

const char *const pt_walk_region_choices[] = { "own", "vmas", NULL };

/* region = vmas re-reads the target's maps this often even when nothing went
 * wrong, so VMAs that appear later (a churner's new mapping) are walked too */
#define MAPS_REFRESH_NS 100000000ull

enum pt_check pt_walk_check(const struct pt_walk_opts *o, bool self_only, const char **bad_key,
			    char *why, size_t len)
{
	const char *name = NULL;
	pid_t pid = 0;

	if (pt_target_parse(o->target, &pid, &name, why, len)) {
		*bad_key = "target";
		return PT_CHECK_ERROR;
	}
	if (self_only && (pid || name)) {
		*bad_key = "target";
		snprintf(why, len, "target = %s: this walker only sees its own address space (self)",
			 o->target);
		return PT_CHECK_ERROR;
	}
	if ((pid || name) && o->region == PT_WALK_OWN) {
		*bad_key = "region";
		snprintf(why, len, "target = %s walks another process: use region = vmas (and vma_match)",
			 o->target);
		return PT_CHECK_ERROR;
	}
	if (pid && kill(pid, 0) && errno == ESRCH) {
		*bad_key = "target";
		snprintf(why, len, "target = %s: no such process", o->target);
		return PT_CHECK_ERROR;
	}
	return PT_CHECK_OK;
}

uint64_t pt_walk_mem_bytes(const struct pt_walk_opts *o)
{
	return o->region == PT_WALK_OWN ? (uint64_t)o->size : 0;
}

int pt_walk_target_setup(struct pt_walk_target *wt, const struct pt_walk_opts *o,
			 const struct pt_role_run *rr, char *err, size_t len)
{
	memset(wt, 0, sizeof(*wt));
	wt->pid = pt_target_pid(rr, o->target, err, len);
	if (wt->pid < 0)
		return -1;
	wt->self = wt->pid == getpid();
	if (wt->self)
		snprintf(wt->proc_dir, sizeof(wt->proc_dir), "/proc/self");
	else
		snprintf(wt->proc_dir, sizeof(wt->proc_dir), "/proc/%d", (int)wt->pid);
	if (o->region != PT_WALK_OWN)
		return 0;
	if (pt_aligned_map(&wt->own, (size_t)o->size, -1, err, len))
		return -1;
	/* small pages: the walkers are about PTE tables (collapse is another role's job) */
	madvise(wt->own.base, wt->own.len, MADV_NOHUGEPAGE);
	if (o->populate && madvise(wt->own.base, wt->own.len, MADV_POPULATE_READ) && errno != EINVAL) {
		snprintf(err, len, "MADV_POPULATE_READ of %lld bytes: %s", o->size, strerror(errno));
		return -1;
	}
	if (o->touch) {
		long page = sysconf(_SC_PAGESIZE);

		for (size_t off = 0; off < wt->own.len; off += (size_t)page)
			wt->own.base[off] = 1;
	}
	return 0;
}

void pt_walk_target_teardown(struct pt_walk_target *wt)
{
	pt_aligned_unmap(&wt->own);
}

static void ranges_push(struct pt_walk_ranges *rs, uint64_t start, uint64_t end)
{
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 64;
		rs->r = pt_xrealloc(rs->r, rs->cap * sizeof(*rs->r));
	}
	rs->r[rs->n].start = start;
	rs->r[rs->n].end = end;
	rs->n++;
	rs->pages += (end - start) / (uint64_t)sysconf(_SC_PAGESIZE);
}

static int read_maps(struct pt_walk_ranges *rs, const struct pt_walk_target *wt, const char *match)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/maps", wt->proc_dir);
	f = fopen(path, "re");
	if (!f)
		return -1;
	rs->n = 0;
	rs->pages = 0;
	while (getline(&line, &cap, f) > 0) {
		unsigned long start, end;

		if (sscanf(line, "%lx-%lx ", &start, &end) != 2)
			continue;
		/* [vsyscall] is outside the user page tables pagemap walks */
		if (strstr(line, "[vsyscall]") || (match[0] && !strstr(line, match)))
			continue;
		ranges_push(rs, start, end);
	}
	free(line);
	fclose(f);
	return 0;
}

int pt_walk_ranges_get(struct pt_walk_ranges *rs, struct pt_walk_target *wt,
		       const struct pt_walk_opts *o)
{
	uint64_t now;

	if (o->region == PT_WALK_OWN) {
		if (!rs->n)
			ranges_push(rs, (uint64_t)(uintptr_t)wt->own.base,
				    (uint64_t)(uintptr_t)wt->own.base + wt->own.len);
		return 0;
	}
	now = pt_now_ns();
	if (rs->n && !rs->stale && now - rs->refreshed_ns < MAPS_REFRESH_NS)
		return 0;
	if (read_maps(rs, wt, o->vma_match))
		return -1;
	rs->refreshed_ns = now;
	rs->stale = false;
	pt_walk_add(&wt->stats.maps_reads, 1);
	return 0;
}

void pt_walk_ranges_free(struct pt_walk_ranges *rs)
{
	free(rs->r);
	memset(rs, 0, sizeof(*rs));
}

void pt_walk_print_summary(const char *role, struct json_object *role_json, FILE *out)
{
	struct json_object *w;

	if (!json_object_object_get_ex(role_json, "walk", &w))
		return;
	fprintf(out, "  %s: %lld walks", role, pt_json_int(w, "walks", -1));
	/* clear-refs writes: the kernel does not say how many pages it walked */
	if (pt_json_int(w, "pages_seen", -1) > 0)
		fprintf(out, ", %lld pages seen (%lld present, %lld PMD-mapped)", pt_json_int(w, "pages_seen", -1),
			pt_json_int(w, "pages_present", -1), pt_json_int(w, "pages_huge", -1));
	fprintf(out, "; short %lld, retries %lld, resumed %lld, ranges gone %lld, miscounts %lld%s\n",
		pt_json_int(w, "short_reads", -1), pt_json_int(w, "retries", -1), pt_json_int(w, "continuations", -1), pt_json_int(w, "ranges_gone", -1),
		pt_json_int(w, "miscounts", -1), pt_json_int(w, "miscounts", -1) > 0 ? " (WRONG: the kernel answered for pages not asked)" : "");
}

struct json_object *pt_walk_stats_json(const struct pt_walk_stats *s, const struct pt_walk_target *wt)
{
	struct json_object *o = json_object_new_object();
	const struct {
		const char *key;
		const _Atomic uint64_t *v;
	} rows[] = {
		{ "walks", &s->walks },
		{ "pages_seen", &s->pages_seen },
		{ "pages_present", &s->pages_present },
		{ "pages_huge", &s->pages_huge },
		{ "short_reads", &s->short_reads },
		{ "retries", &s->retries },
		{ "continuations", &s->continuations },
		{ "ranges_gone", &s->ranges_gone },
		{ "miscounts", &s->miscounts },
		{ "maps_reads", &s->maps_reads },
	};

	json_object_object_add(o, "target_pid", json_object_new_int(wt->pid));
	for (size_t i = 0; i < PT_ARRAY_SIZE(rows); i++)
		json_object_object_add(o, rows[i].key, json_object_new_int64((int64_t)atomic_load(rows[i].v)));
	return o;
}

bool pt_test_corrupt_check(void)
{
	const char *v = getenv("PTBENCH_TEST_CORRUPT_CHECK");

	return v && *v && strcmp(v, "0");
}
