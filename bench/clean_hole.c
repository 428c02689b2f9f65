/* The clean hole (include/ptbench/clean_hole.h): a reservation with its
 * PMD-aligned middle unmapped. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "collapse_util.h"
#include "ptbench/clean_hole.h"

/* the largest gap filled whole: the gaps above the hole lie between
 * libraries, stacks and the like */
#define PT_CLEAN_HOLE_MAX_PLUG (1UL << 30)

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000 /* 4.17; glibc 2.36's headers have it */
#endif

bool pt_clean_hole_in_any(const struct pt_clean_hole *h, struct pt_clean_hole *const *others, int nothers,
			  const void *p)
{
	if (pt_clean_hole_holds(h, p))
		return true;
	for (int i = 0; i < nothers; i++)
		if (others[i] && pt_clean_hole_holds(others[i], p))
			return true;
	return false;
}

/* The free gap [*gs, *ge) around [p, p + size), from /proc/self/maps: the
 * end of the last VMA below p and the start of the first above. */
static int gap_around(uintptr_t p, size_t size, uintptr_t *gs, uintptr_t *ge)
{
	FILE *f = fopen("/proc/self/maps", "re");
	unsigned long a, b;
	char line[512];

	if (!f)
		return -1;
	*gs = 0;
	*ge = UINTPTR_MAX;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx", &a, &b) != 2)
			continue;
		if (b <= p && b > *gs)
			*gs = b;
		if (a >= p + size && a < *ge)
			*ge = a;
	}
	fclose(f);
	return *gs && *ge != UINTPTR_MAX && *gs <= p && p + size <= *ge ? 0 : -1;
}

/* Trials where mmap(NULL, size) lands now: each miss is a higher gap,
 * filled with a plug, until one lands in the hole or another of the role's
 * (or the plugs run out). */
static void plug_higher_gaps(struct pt_clean_hole *h, struct pt_clean_hole *const *others, int nothers)
{
	while (h->nplugs < PT_CLEAN_HOLE_PLUGS) {
		void *p = mmap(NULL, h->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		uintptr_t gs, ge;

		if (p == MAP_FAILED)
			break;
		if (pt_clean_hole_in_any(h, others, nothers, p) || (uintptr_t)p < (uintptr_t)h->reserve) {
			/* below the reservation: something took the hole meanwhile
			 * (another role setting up); a plug there would fill the
			 * big gaps below everything */
			munmap(p, h->size);
			break;
		}
		/* fill the whole gap, or it takes the next trial too; a gap
		 * that is not above the reservation, or is huge, only where
		 * the trial was */
		munmap(p, h->size);
		if (gap_around((uintptr_t)p, h->size, &gs, &ge) ||
		    gs < (uintptr_t)(h->reserve + h->reserve_len) || ge - gs > PT_CLEAN_HOLE_MAX_PLUG) {
			gs = (uintptr_t)p;
			ge = gs + h->size;
		}
		p = mmap((void *)gs, ge - gs, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED)
			break;
		h->plug[h->nplugs].at = p;
		h->plug[h->nplugs++].len = ge - gs;
		if (p != (void *)gs) /* the flag taken as a hint: this plug filled nothing */
			break;
	}
}

int pt_clean_hole_make(struct pt_clean_hole *h, size_t size, struct pt_clean_hole *const *others, int nothers,
		       char *err, size_t len)
{
	uintptr_t r;

	memset(h, 0, sizeof(*h));
	/* a PMD more than the size needs: the kernel places an anonymous
	 * mapping of whole PMDs on a PMD boundary (6.7+), looking for a gap of
	 * its size plus a PMD to align in */
	h->hole_len = ((size + PT_PMD_SIZE - 1) & ~(size_t)(PT_PMD_SIZE - 1)) + PT_PMD_SIZE;
	/* a PMD each side, and a PMD of slack to align the hole */
	h->reserve_len = h->hole_len + 3 * PT_PMD_SIZE;
	h->reserve = mmap(NULL, h->reserve_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (h->reserve == MAP_FAILED) {
		h->reserve = NULL;
		snprintf(err, len, "mmap reservation of %zu bytes: %s", h->reserve_len, strerror(errno));
		return -1;
	}
	r = ((uintptr_t)h->reserve + 2 * PT_PMD_SIZE - 1) & ~(uintptr_t)(PT_PMD_SIZE - 1);
	h->hole = (char *)r;
	if (munmap(h->hole, h->hole_len)) {
		snprintf(err, len, "munmap of the hole at %p: %s", (void *)h->hole, strerror(errno));
		munmap(h->reserve, h->reserve_len);
		memset(h, 0, sizeof(*h));
		return -1;
	}
	h->size = size;
	plug_higher_gaps(h, others, nothers);
	return 0;
}

void pt_clean_hole_plug(struct pt_clean_hole *h)
{
	void *p = mmap(h->hole, h->hole_len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == (void *)h->hole)
		h->plugged = true;
	else if (p != MAP_FAILED)
		munmap(p, h->hole_len); /* a kernel that took the flag as a hint */
}

void pt_clean_hole_unplug(struct pt_clean_hole *h)
{
	if (h->plugged)
		munmap(h->hole, h->hole_len);
	h->plugged = false;
}

void pt_clean_hole_open(struct pt_clean_hole *h, struct pt_clean_hole *const *others, int nothers)
{
	pt_clean_hole_unplug(h);
	plug_higher_gaps(h, others, nothers);
}

int pt_clean_hole_empty(const struct pt_clean_hole *h)
{
	void *p = mmap(h->hole, h->hole_len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return errno == EEXIST ? 0 : -1;
	munmap(p, h->hole_len);
	/* a kernel without the flag took it as a hint and may have put it elsewhere */
	return p == (void *)h->hole ? 1 : -1;
}

void pt_clean_hole_free(struct pt_clean_hole *h)
{
	pt_clean_hole_unplug(h);
	for (int i = 0; i < h->nplugs; i++)
		munmap(h->plug[i].at, h->plug[i].len);
	/* the two sides only: whatever is in the hole now is not ours */
	if (h->reserve) {
		munmap(h->reserve, (size_t)(h->hole - h->reserve));
		munmap(h->hole + h->hole_len, (size_t)(h->reserve + h->reserve_len - (h->hole + h->hole_len)));
	}
	memset(h, 0, sizeof(*h));
}
