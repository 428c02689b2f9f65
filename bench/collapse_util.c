/* Helpers shared by the collapse workers: aligned mappings, the MADV_COLLAPSE
 * probe, and the proof that a range is PMD-mapped. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "collapse_util.h"
#include "ptbench/clock.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"

const char *const pt_verify_choices[] = { "auto", "pagemap-scan", "smaps", "none", NULL };

const char *const pt_collapse_vmstat_keys[] = {
	"thp_collapse_alloc", "thp_collapse_alloc_failed", "thp_file_alloc", "thp_file_fallback",
	"thp_file_mapped", "thp_split_pmd", "nr_shmem_hugepages", "nr_anon_transparent_hugepages",
	NULL,
};

int pt_aligned_map(struct pt_aligned_map *m, size_t len, int fd, char *err, size_t errlen)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t start;
	void *p;

	memset(m, 0, sizeof(*m));
	/* 2 MiB of slack to align plus a page of guard on each side */
	m->reserve_len = len + PT_PMD_SIZE + 2 * page;
	m->reserve = mmap(NULL, m->reserve_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			  -1, 0);
	if (m->reserve == MAP_FAILED) {
		m->reserve = NULL;
		snprintf(err, errlen, "mmap reservation of %zu bytes: %s", m->reserve_len, strerror(errno));
		return -1;
	}
	start = ((uintptr_t)m->reserve + page + PT_PMD_SIZE - 1) & ~(uintptr_t)(PT_PMD_SIZE - 1);
	p = mmap((void *)start, len, PROT_READ | PROT_WRITE,
		 MAP_FIXED | (fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED), fd, 0);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "mmap %zu bytes at %#lx: %s", len, (unsigned long)start,
			 strerror(errno));
		pt_aligned_unmap(m);
		return -1;
	}
	m->base = p;
	m->len = len;
	return 0;
}

void pt_aligned_unmap(struct pt_aligned_map *m)
{
	if (m->reserve)
		munmap(m->reserve, m->reserve_len);
	memset(m, 0, sizeof(*m));
}

bool pt_pagemap_scan_available(void)
{
	struct pt_pm_scan_arg a = { .size = sizeof(a) };
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	long rc;

	if (fd < 0)
		return false;
	/* an empty range: 0 regions on kernels with the ioctl, ENOTTY before */
	a.start = a.end = (uint64_t)(uintptr_t)&a & ~4095ULL;
	rc = ioctl(fd, PT_PAGEMAP_SCAN, &a);
	close(fd);
	return rc >= 0;
}

enum pt_verify pt_verify_resolve(enum pt_verify v)
{
	if (v != PT_VERIFY_AUTO)
		return v;
	return pt_pagemap_scan_available() ? PT_VERIFY_PAGEMAP_SCAN : PT_VERIFY_SMAPS;
}

static long long scan_huge_bytes(int fd, const void *addr, size_t len)
{
	struct pt_page_region r[64];
	struct pt_pm_scan_arg a = {
		.size = sizeof(a),
		.start = (uint64_t)(uintptr_t)addr,
		.end = (uint64_t)(uintptr_t)addr + len,
		.category_mask = PT_PAGE_IS_HUGE,
		.return_mask = PT_PAGE_IS_HUGE,
	};
	long long bytes = 0;

	/* the kernel stops when vec is full and sets walk_end: continue there */
	while (a.start < a.end) {
		long n;

		a.vec = (uint64_t)(uintptr_t)r;
		a.vec_len = PT_ARRAY_SIZE(r);
		n = ioctl(fd, PT_PAGEMAP_SCAN, &a);
		if (n < 0)
			return -1;
		for (long i = 0; i < n; i++)
			bytes += (long long)(r[i].end - r[i].start);
		if (a.walk_end <= a.start || a.walk_end >= a.end)
			break;
		a.start = a.walk_end;
	}
	return bytes;
}

static long long smaps_huge_bytes(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char *line = NULL;
	size_t cap = 0;
	bool in = false, found = false;
	long long kb = 0;

	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		unsigned long start, end;
		long long v;
		char key[64];

		/* VMA headers start "start-end " in lower-case hex; keys are
		 * capitalised ("Rss:"), so the first character tells them apart */
		if (((line[0] >= '0' && line[0] <= '9') || (line[0] >= 'a' && line[0] <= 'f')) &&
		    sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			if (in)
				break; /* past our VMA */
			in = start == (unsigned long)(uintptr_t)addr;
			found |= in;
			continue;
		}
		if (in && sscanf(line, "%63[^:]: %lld kB", key, &v) == 2 &&
		    (!strcmp(key, "ShmemPmdMapped") || !strcmp(key, "FilePmdMapped") ||
		     !strcmp(key, "AnonHugePages")))
			kb += v;
	}
	free(line);
	fclose(f);
	if (!found) {
		errno = ENOENT;
		return -1;
	}
	return kb * 1024;
}

long long pt_pmd_mapped_bytes(enum pt_verify how, int pagemap_fd, const void *addr, size_t len)
{
	switch (how) {
	case PT_VERIFY_PAGEMAP_SCAN:
		return scan_huge_bytes(pagemap_fd, addr, len);
	case PT_VERIFY_SMAPS:
		return smaps_huge_bytes(addr);
	default:
		errno = EINVAL;
		return -1;
	}
}

int pt_probe_madv_collapse(bool shmem, char *why, size_t len)
{
	struct pt_aligned_map m;
	const char *force = getenv(PT_FORCE_COLLAPSE_EINVAL_ENV);
	char err[200];
	int fd = -1, rc = 0, e;

	if (shmem) {
		fd = memfd_create("ptbench-collapse-probe", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, (off_t)PT_PMD_SIZE)) {
			snprintf(why, len, "memfd for the MADV_COLLAPSE probe: %s", strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
	}
	if (pt_aligned_map(&m, PT_PMD_SIZE, fd, err, sizeof(err))) {
		snprintf(why, len, "MADV_COLLAPSE probe: %s", err);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	m.base[0] = 1;
	e = madvise(m.base, m.len, MADV_COLLAPSE) ? errno : 0;
	if (force && !strcmp(force, "1"))
		e = EINVAL;
	if (e == EINVAL) {
		char shm[64] = "?";
		FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/shmem_enabled", "re");

		if (f) {
			if (fgets(shm, sizeof(shm), f))
				shm[strcspn(shm, "\n")] = '\0';
			fclose(f);
		}
		snprintf(why, len,
			 "MADV_COLLAPSE answered EINVAL on %s region%s: the kernel lacks it (added "
			 "in 6.1, CONFIG_TRANSPARENT_HUGEPAGE) or forbids it%s%s%s",
			 shmem ? "a shmem" : "an anon", force && !strcmp(force, "1") ? " (forced by "
			 PT_FORCE_COLLAPSE_EINVAL_ENV "=1, test only)" : "",
			 shmem ? " (shmem_enabled: " : "", shmem ? shm : "", shmem ? ")" : "");
		rc = 1;
	}
	pt_aligned_unmap(&m);
	if (fd >= 0)
		close(fd);
	return rc;
}

struct json_object *pt_vmstat_delta_json(const struct pt_vmstat *before, const struct pt_vmstat *after)
{
	struct json_object *o = json_object_new_object();

	for (size_t i = 0; pt_collapse_vmstat_keys[i]; i++) {
		const char *k = pt_collapse_vmstat_keys[i];

		json_object_object_add(o, k, json_object_new_int64(pt_vmstat_get(after, k) -
								   pt_vmstat_get(before, k)));
	}
	return o;
}

struct json_object *pt_errno_counts_json(const uint64_t *counts, int nslots)
{
	struct json_object *o = json_object_new_object();

	for (int e = 1; e < nslots; e++) {
		const char *name = strerrorname_np(e);
		char buf[32];

		if (!counts[e])
			continue;
		if (!name) {
			snprintf(buf, sizeof(buf), "errno_%d", e);
			name = buf;
		}
		json_object_object_add(o, name, json_object_new_int64((int64_t)counts[e]));
	}
	return o;
}

void pt_refault_pmds(struct pt_thread *t, int op, volatile char *base, size_t npmd, size_t touch,
		     size_t page)
{
	for (size_t pmd = 0; pmd < npmd; pmd++) {
		for (size_t i = 0; i < touch; i++) {
			size_t off = pmd * PT_PMD_SIZE + i * 512 / touch * page;
			uint64_t t0 = pt_op_begin(t, op), t1;

			base[off] = 1;
			t1 = pt_now_ns();
			pt_record(t, op, t0, t1);
		}
	}
}

int pt_open_pagemap(char *err, size_t len)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		snprintf(err, len, "open /proc/self/pagemap: %s", strerror(errno));
	return fd;
}
