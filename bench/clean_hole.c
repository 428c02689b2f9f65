/* The clean hole (include/ptbench/clean_hole.h): a reservation with its
 * PMD-aligned middle unmapped. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "collapse_util.h"
#include "ptbench/clean_hole.h"

int pt_clean_hole_make(struct pt_clean_hole *h, size_t size, char *err, size_t len)
{
	uintptr_t r;

	memset(h, 0, sizeof(*h));
	h->hole_len = (size + PT_PMD_SIZE - 1) & ~(size_t)(PT_PMD_SIZE - 1);
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
	/* a trial where mmap(NULL, size) lands now: each miss is a higher gap */
	h->plug_len = size;
	while (h->nplugs < PT_CLEAN_HOLE_PLUGS) {
		void *p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (p == MAP_FAILED)
			break;
		if (pt_clean_hole_holds(h, p)) {
			munmap(p, size);
			break;
		}
		h->plug[h->nplugs++] = p;
	}
	return 0;
}

void pt_clean_hole_free(struct pt_clean_hole *h)
{
	for (int i = 0; i < h->nplugs; i++)
		munmap(h->plug[i], h->plug_len);
	/* the two sides only: whatever is in the hole now is not ours */
	if (h->reserve) {
		munmap(h->reserve, (size_t)(h->hole - h->reserve));
		munmap(h->hole + h->hole_len, (size_t)(h->reserve + h->reserve_len - (h->hole + h->hole_len)));
	}
	memset(h, 0, sizeof(*h));
}
