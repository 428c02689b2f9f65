/* Helpers shared by the collapse workers (collapse.c, khugepaged.c): PMD-
 * aligned mappings, MADV_COLLAPSE probing, and the evidence that a region is
 * PMD-mapped (PAGEMAP_SCAN or smaps), plus /proc/vmstat deltas. */
#ifndef PTBENCH_BENCH_COLLAPSE_UTIL_H
#define PTBENCH_BENCH_COLLAPSE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "ptbench/vmstat.h"

struct json_object;

/* glibc 2.36 (Debian 12) lacks it; the kernel has had it since 6.1 */
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define PT_PMD_SIZE (2UL << 20)

/* The PAGEMAP_SCAN ABI (linux/fs.h since 6.7); Debian 12's headers are 6.1.
 * The collapse workers prove PMD mappings with it, pagemap-read walks with it. */
struct pt_pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
struct pt_page_region {
	uint64_t start, end, categories;
};
#define PT_PAGEMAP_SCAN _IOWR('f', 16, struct pt_pm_scan_arg)
#define PT_PAGE_IS_FILE (1ULL << 2)
#define PT_PAGE_IS_PRESENT (1ULL << 3)
#define PT_PAGE_IS_SWAPPED (1ULL << 4)
#define PT_PAGE_IS_HUGE (1ULL << 6) /* "PMD-mapped THP or hugetlb" */


/* Test-only: when this environment variable is set to 1 the MADV_COLLAPSE
 * probe behaves as if the kernel answered EINVAL, so the skip path can be
 * tested on a kernel that supports collapse. */
#define PT_FORCE_COLLAPSE_EINVAL_ENV "PTBENCH_TEST_FORCE_COLLAPSE_EINVAL"

/* A PMD-aligned region of len bytes inside a PROT_NONE reservation: the
 * reservation keeps a guard on both sides, so the region's VMA never merges
 * with a neighbour (smaps then describes exactly the region). */
struct pt_aligned_map {
	void *reserve;        /* the whole reservation, for munmap */
	size_t reserve_len;
	char *base;           /* PMD aligned */
	size_t len;
};

/* Anonymous private (fd < 0) or shared mapping of fd at offset 0. */
int pt_aligned_map(struct pt_aligned_map *m, size_t len, int fd, char *err, size_t errlen);
void pt_aligned_unmap(struct pt_aligned_map *m);

/* How to tell that a range is PMD-mapped. */
enum pt_verify { PT_VERIFY_AUTO, PT_VERIFY_PAGEMAP_SCAN, PT_VERIFY_SMAPS, PT_VERIFY_NONE };
extern const char *const pt_verify_choices[]; /* "auto", "pagemap-scan", "smaps", "none" */

/* Whether the PAGEMAP_SCAN ioctl (6.7+) answers on this kernel. */
bool pt_pagemap_scan_available(void);
/* Resolve AUTO to PAGEMAP_SCAN when available, else SMAPS. */
enum pt_verify pt_verify_resolve(enum pt_verify v);

/* Bytes of [addr, addr+len) mapped by PMDs, or -1 with errno. With SMAPS,
 * addr must be the start of a VMA (pt_aligned_map guarantees it) and the
 * counters ShmemPmdMapped + FilePmdMapped + AnonHugePages of that VMA are
 * summed. pagemap_fd is an open /proc/self/pagemap (PAGEMAP_SCAN only). */
long long pt_pmd_mapped_bytes(enum pt_verify how, int pagemap_fd, const void *addr, size_t len);

/* Probe MADV_COLLAPSE on a small PMD-aligned region (anon, or a memfd when
 * shmem). Returns 0 when the kernel collapses (or fails for a transient
 * reason), 1 with why when it answered EINVAL (unsupported), -1 with why on a
 * setup failure. */
int pt_probe_madv_collapse(bool shmem, char *why, size_t len);

struct pt_thread;
/* Refault `touch` 4 KiB pages per PMD of [base, base + npmd PMDs), spread
 * evenly, each fault timed as op `op`: every iteration of the collapse
 * workers starts from small pages this way. */
void pt_refault_pmds(struct pt_thread *t, int op, volatile char *base, size_t npmd, size_t touch,
		     size_t page);
/* Open /proc/self/pagemap for PAGEMAP_SCAN; -1 with err filled. */
int pt_open_pagemap(char *err, size_t len);

/* The vmstat counters that prove collapses happened. */
extern const char *const pt_collapse_vmstat_keys[];
/* {"name": after - before, ...} for pt_collapse_vmstat_keys */
struct json_object *pt_vmstat_delta_json(const struct pt_vmstat *before, const struct pt_vmstat *after);

/* errno counts as {"EAGAIN": n, ...} (slot 0 is skipped) */
struct json_object *pt_errno_counts_json(const uint64_t *counts, int nslots);

#endif
