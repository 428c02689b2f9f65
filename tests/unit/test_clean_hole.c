/* The clean hole (include/ptbench/clean_hole.h): where mmap(NULL) lands
 * after it is made, a higher gap plugged, a trial in another hole of the
 * role taken as in, the placeholder that holds it, a gap opened later
 * plugged when the hole opens, the emptiness probe, and a free that leaves
 * nothing of it mapped. The process's own layout decides
 * where the reservation goes; each check is about the hole's own terms. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../bench/collapse_util.h"
#include "ptbench/clean_hole.h"
#include "tap.h"

#define MIB (1UL << 20)

static void *map_anon(size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* 1 when every page of [p, p + len) is unmapped (mincore: ENOMEM) */
static int unmapped(const void *p, size_t len)
{
	unsigned char vec[1];

	for (size_t off = 0; off < len; off += 4096)
		if (mincore((char *)p + off, 4096, vec) == 0 || errno != ENOMEM)
			return 0;
	return 1;
}

static int lands_in(const struct pt_clean_hole *h, size_t size)
{
	void *p = map_anon(size);
	int in = p != MAP_FAILED && pt_clean_hole_holds(h, p);

	if (p != MAP_FAILED)
		munmap(p, size);
	return in;
}

int main(void)
{
	struct pt_clean_hole h, h2;
	char err[256] = "";
	char *top, *gap;

	/* 1. the hole's terms, and mmap(NULL) lands in it */
	tap_ok(!pt_clean_hole_make(&h, MIB, NULL, 0, err, sizeof(err)), "1 MiB: made %s", err);
	tap_ok(((uintptr_t)h.hole & (PT_PMD_SIZE - 1)) == 0 && h.hole_len == 4 * MIB,
	       "the hole is PMD aligned, the size rounded up to a PMD plus one (%zu)", h.hole_len);
	tap_ok(h.reserve < h.hole && h.hole + h.hole_len + PT_PMD_SIZE <= h.reserve + h.reserve_len &&
	       h.hole - h.reserve >= (long)PT_PMD_SIZE, "a PMD of reservation on either side");
	tap_ok(unmapped(h.hole, h.hole_len), "the hole is unmapped");
	tap_ok(lands_in(&h, MIB), "mmap(NULL, 1 MiB) lands in the hole");
	tap_ok(lands_in(&h, 2 * MIB), "mmap(NULL, 2 MiB) too (PMD aligned by the kernel or not)");

	/* 2. the placeholder holds it; the emptiness probe sees it, and a mapping */
	pt_clean_hole_plug(&h);
	tap_ok(h.plugged && !lands_in(&h, MIB), "plugged: mmap(NULL) lands elsewhere");
	tap_ok(pt_clean_hole_empty(&h) == 0, "plugged: not empty");
	pt_clean_hole_unplug(&h);
	tap_ok(!h.plugged && pt_clean_hole_empty(&h) == 1, "unplugged: empty");
	{
		char *p = mmap(h.hole + MIB, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

		tap_ok(p != MAP_FAILED && pt_clean_hole_empty(&h) == 0, "a page mapped in it: not empty");
		munmap(p, 4096);
		tap_ok(pt_clean_hole_empty(&h) == 1, "unmapped again: empty");
	}

	/* 3. another hole of the same role: a trial that lands in the first
	 * (the higher one, if it is) is taken as in, and the first stays open */
	tap_ok(!pt_clean_hole_make(&h2, MIB, (struct pt_clean_hole *const[]){ &h }, 1, err, sizeof(err)),
	       "a second hole with the first as another of the role: made %s", err);
	tap_ok(pt_clean_hole_empty(&h) == 1 && unmapped(h.hole, h.hole_len),
	       "the first hole was not plugged by the second's trial");
	pt_clean_hole_free(&h2);
	pt_clean_hole_free(&h);

	/* 4. a higher gap that fits the mapping is plugged: a 1 MiB gap cut out
	 * of a fresh 16 MiB mapping (the highest gap that fits 16 MiB), then a
	 * hole whose reservation does not fit there */
	top = map_anon(16 * MIB);
	tap_ok(top != MAP_FAILED, "a 16 MiB mapping");
	gap = top + 8 * MIB;
	munmap(gap, MIB);
	tap_ok(!pt_clean_hole_make(&h, MIB, NULL, 0, err, sizeof(err)), "a hole below a 1 MiB gap: made %s", err);
	tap_ok(h.nplugs >= 1, "the higher gap got a plug (%d plugs)", h.nplugs);
	tap_ok(!unmapped(gap, MIB), "the gap is filled");
	tap_ok(lands_in(&h, MIB), "mmap(NULL, 1 MiB) lands in the hole, not the gap");

	/* 5. free: the reservation and the plugs are gone, the caller's gap too */
	{
		char *res = h.reserve;
		size_t len = h.reserve_len;

		pt_clean_hole_free(&h);
		tap_ok(unmapped(res, len), "free: nothing of the reservation is mapped");
		tap_ok(unmapped(gap, MIB), "free: the plug is gone");
	}
	munmap(top, 16 * MIB);

	/* 6. a higher gap that opens after the hole was made (a buffer above it
	 * freed): opening the hole plugs it too */
	top = map_anon(16 * MIB);
	tap_ok(top != MAP_FAILED && !pt_clean_hole_make(&h, 64 * 1024, NULL, 0, err, sizeof(err)),
	       "a 64 KiB hole below a fresh 16 MiB mapping: made %s", err);
	pt_clean_hole_plug(&h);
	gap = top + 8 * MIB;
	munmap(gap, MIB);
	pt_clean_hole_open(&h, NULL, 0);
	tap_ok(!h.plugged && lands_in(&h, 64 * 1024), "opened: the new gap plugged, mmap(NULL, 64 KiB) in the hole");
	pt_clean_hole_free(&h);
	tap_ok(unmapped(gap, MIB), "free: that plug is gone too");
	munmap(top, 16 * MIB);
	return tap_done();
}
