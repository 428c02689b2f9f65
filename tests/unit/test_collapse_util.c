/* The collapse workers' evidence helpers: aligned mappings that stay their
 * own VMA, and both ways of seeing a PMD mapping (PAGEMAP_SCAN, smaps) agree
 * before and after a real MADV_COLLAPSE. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../bench/collapse_util.h"
#include "tap.h"


static void touch_all(char *p, size_t len)
{
	for (size_t off = 0; off < len; off += 4096)
		p[off] = 1;
}

static void check_backing(bool shmem)
{
	const char *what = shmem ? "shmem" : "anon";
	struct pt_aligned_map m;
	size_t len = 4 * PT_PMD_SIZE;
	char err[256] = "";
	int fd = -1, pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	bool scan = pt_pagemap_scan_available();

	if (shmem) {
		fd = memfd_create("test-collapse-util", MFD_CLOEXEC);
		tap_ok(fd >= 0 && !ftruncate(fd, (off_t)len), "%s: memfd", what);
	}
	tap_ok(!pt_aligned_map(&m, len, fd, err, sizeof(err)), "%s: aligned map %s", what, err);
	tap_ok(((uintptr_t)m.base & (PT_PMD_SIZE - 1)) == 0, "%s: base %p is PMD aligned", what,
	       (void *)m.base);
	touch_all(m.base, len);
	tap_ok(pt_pmd_mapped_bytes(PT_VERIFY_SMAPS, pm, m.base, len) == 0,
	       "%s: smaps finds the VMA and no PMD mapping after small faults", what);
	if (scan)
		tap_ok(pt_pmd_mapped_bytes(PT_VERIFY_PAGEMAP_SCAN, pm, m.base, len) == 0,
		       "%s: PAGEMAP_SCAN sees no PMD mapping after small faults", what);
	else
		tap_ok(1, "# SKIP no PAGEMAP_SCAN on this kernel");
	if (madvise(m.base, len, MADV_COLLAPSE)) {
		int e = errno;

		tap_ok(1, "# SKIP MADV_COLLAPSE: %s", strerror(e));
		tap_ok(1, "# SKIP MADV_COLLAPSE: %s", strerror(e));
	} else {
		tap_ok(pt_pmd_mapped_bytes(PT_VERIFY_SMAPS, pm, m.base, len) == (long long)len,
		       "%s: smaps counts the whole region PMD-mapped after MADV_COLLAPSE", what);
		if (scan)
			tap_ok(pt_pmd_mapped_bytes(PT_VERIFY_PAGEMAP_SCAN, pm, m.base, len) ==
				       (long long)len,
			       "%s: PAGEMAP_SCAN counts the whole region PMD-mapped", what);
		else
			tap_ok(1, "# SKIP no PAGEMAP_SCAN on this kernel");
	}
	/* a range that is no VMA start: smaps must say so, not answer 0 */
	errno = 0;
	tap_ok(pt_pmd_mapped_bytes(PT_VERIFY_SMAPS, pm, m.base + 4096, len) < 0 && errno == ENOENT,
	       "%s: smaps refuses an address that starts no VMA", what);
	pt_aligned_unmap(&m);
	if (fd >= 0)
		close(fd);
	close(pm);
}

int main(void)
{
	char why[512] = "";
	int rc;

	check_backing(false);
	check_backing(true);

	setenv(PT_FORCE_COLLAPSE_EINVAL_ENV, "1", 1);
	rc = pt_probe_madv_collapse(true, why, sizeof(why));
	tap_ok(rc == 1 && strstr(why, "EINVAL"), "forced EINVAL probe says unsupported: %s", why);
	unsetenv(PT_FORCE_COLLAPSE_EINVAL_ENV);
	why[0] = '\0';
	rc = pt_probe_madv_collapse(false, why, sizeof(why));
	tap_ok(rc == 0 || rc == 1, "anon probe answers (rc %d%s%s)", rc, why[0] ? ": " : "", why);
	return tap_done();
}
