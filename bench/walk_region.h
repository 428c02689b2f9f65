/* What the page-table walkers (pagemap-read, mincore, clear-refs) walk: a
 * region they map themselves (region = own), or the VMAs of a target process
 * whose /proc/PID/maps line contains vma_match (region = vmas), e.g. the memfd
 * a shmem-collapse worker collapses. The counters every walker reports under
 * "walk" in its role's JSON live here too. */
#ifndef PTBENCH_BENCH_WALK_REGION_H
#define PTBENCH_BENCH_WALK_REGION_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "collapse_util.h"
#include "ptbench/worker.h"

struct json_object;

enum pt_walk_region { PT_WALK_OWN, PT_WALK_VMAS };
extern const char *const pt_walk_region_choices[]; /* "own", "vmas" */

/* The keys every walker has (embedded in each walker's options struct). */
struct pt_walk_opts {
	const char *target;    /* self, a PID, or process:NAME */
	int region;            /* enum pt_walk_region */
	const char *vma_match; /* region = vmas: substring of the maps line; "" = every VMA */
	long long size;        /* region = own: bytes mapped */
	bool populate;         /* region = own: MAP_POPULATE */
	bool touch;            /* region = own: write every page once at setup */
};

/* The table entries of those keys, for a walker's options struct S whose
 * member `walk` is a struct pt_walk_opts. */
#define PT_WALK_OPT_ROWS(S)                                                                          \
	PT_OPT_STRING_F("target", S, walk.target, "self",                                            \
			"self, a PID, or process:NAME (the child process of the roles with process = NAME)"), \
	PT_OPT_ENUM_F("region", S, walk.region, "own", pt_walk_region_choices,                       \
		      "own: a region this role maps (size, populate, touch); vmas: the target's VMAs matching vma_match"), \
	PT_OPT_STRING_F("vma_match", S, walk.vma_match, "",                                          \
			"region = vmas: walk the VMAs whose /proc/PID/maps line contains this text (\"\" = all)"), \
	PT_OPT_SIZE_F("size", S, walk.size, "64M", 4096, 1LL << 40, "region = own: bytes to map"),   \
	PT_OPT_BOOL_F("populate", S, walk.populate, "false", "region = own: MADV_POPULATE_READ at setup"), \
	PT_OPT_BOOL_F("touch", S, walk.touch, "true", "region = own: write every page once at setup")

/* Bytes the own region maps (for the plan's memory check). */
uint64_t pt_walk_mem_bytes(const struct pt_walk_opts *o);

/* Walk counters, per role; threads add to them while measuring. */
struct pt_walk_stats {
	_Atomic uint64_t walks;         /* complete passes over every range */
	_Atomic uint64_t pages_seen;    /* pages the kernel answered for */
	_Atomic uint64_t pages_present; /* of those, present (or resident) */
	_Atomic uint64_t pages_huge;    /* of those, PMD-mapped (PAGEMAP_SCAN only) */
	_Atomic uint64_t short_reads;   /* a read/write returned less than asked */
	_Atomic uint64_t retries;       /* EINTR/EAGAIN answered, call repeated */
	_Atomic uint64_t continuations; /* PAGEMAP_SCAN stopped early, resumed at walk_end */
	_Atomic uint64_t ranges_gone;   /* a range was unmapped under the walker (ENOMEM, holes) */
	_Atomic uint64_t miscounts;     /* the kernel answered for more pages than asked: a bug */
	_Atomic uint64_t maps_reads;    /* /proc/PID/maps re-read to find the ranges (untimed) */
};

struct pt_walk_range {
	uint64_t start, end;
};

/* Per role: what to walk. */
struct pt_walk_target {
	pid_t pid;                      /* whose page tables */
	bool self;
	char proc_dir[32];              /* "/proc/self" or "/proc/PID" */
	struct pt_aligned_map own;      /* region = own */
	struct pt_walk_stats stats;
};

/* Per thread: the current list of ranges. */
struct pt_walk_ranges {
	struct pt_walk_range *r;
	size_t n, cap;
	uint64_t pages;                 /* sum over r */
	uint64_t refreshed_ns;          /* when maps was last read */
	bool stale;                     /* re-read maps before the next walk */
};

/* Plan-time checks of the common keys; SKIP/ERROR with why (and the key). */
enum pt_check pt_walk_check(const struct pt_walk_opts *o, bool self_only, const char **bad_key,
			    char *why, size_t len);
/* Resolve the target and map the own region (setup). */
int pt_walk_target_setup(struct pt_walk_target *wt, const struct pt_walk_opts *o,
			 const struct pt_role_run *rr, char *err, size_t len);
void pt_walk_target_teardown(struct pt_walk_target *wt);
/* The ranges to walk next; re-reads /proc/PID/maps when stale or every
 * 100 ms (region = vmas). Returns 0, or -1 with errno (target gone). */
int pt_walk_ranges_get(struct pt_walk_ranges *rs, struct pt_walk_target *wt,
		       const struct pt_walk_opts *o);
void pt_walk_ranges_free(struct pt_walk_ranges *rs);
/* The summary line of a walker role, from its "walk" object. */
void pt_walk_print_summary(const char *role, struct json_object *role_json, FILE *out);
/* The role's "walk" object. */
struct json_object *pt_walk_stats_json(const struct pt_walk_stats *s, const struct pt_walk_target *wt);

/* Test-only: PTBENCH_TEST_CORRUPT_CHECK=1 makes the data checks of the
 * walkers, race-fault/race-walk and mremap-collapse fail on purpose (a
 * miscount per walk, a wrong value per check), so the tests can see such a failure fail the run. */
bool pt_test_corrupt_check(void);

static inline void pt_walk_add(_Atomic uint64_t *c, uint64_t v)
{
	atomic_fetch_add_explicit(c, v, memory_order_relaxed);
}

#endif
