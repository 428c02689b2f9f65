/* A hole in the address space with no page tables under it, for a worker
 * that maps and unmaps the same size over and over (mmap-churn) and for its
 * bare twin (tests/perf/harness_cost.c): where the kernel places the mapping
 * decides whether munmap's zap walks an empty PTE table (one left behind by
 * an earlier mapping whose neighbour shared its 2 MiB) or finds none, and
 * that moves the op's rate by 4-15% (doc/probes.md). The hole makes it the
 * same in every process: none. */
#ifndef PTBENCH_CLEAN_HOLE_H
#define PTBENCH_CLEAN_HOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PT_CLEAN_HOLE_PLUGS 64

struct pt_clean_hole {
	char *reserve;      /* the PROT_NONE reservation around the hole */
	size_t reserve_len;
	char *hole;         /* PMD aligned */
	size_t hole_len;    /* the mapping's size rounded up to PMDs, plus one */
	struct {
		void *at;
		size_t len;
	} plug[PT_CLEAN_HOLE_PLUGS]; /* PROT_NONE fillers of higher gaps */
	int nplugs;
	bool plugged;       /* the hole itself held by a PROT_NONE placeholder */
	size_t size;        /* the mapping's, which the trials map */
};

/* Reserve, then unmap a PMD-aligned hole for a mapping of size bytes (its
 * size rounded up to PMDs, and one more for the kernel's alignment of
 * whole-PMD mappings) with a PMD of the reservation on either side: the
 * unmap frees every page table wholly inside (free_pgtables(), floor and
 * ceiling the reservation's ends), and no other VMA shares a PTE table with
 * the hole. The top-down allocator puts the next mmap(NULL, size) there when
 * no higher gap fits it; a higher gap that does (the kernel aligns a
 * reservation of whole PMDs to a PMD, leaving up to 2 MiB above it; the
 * small gaps between libraries fit a small mapping) is filled with a
 * PROT_NONE plug, never touched (the whole gap, from /proc/self/maps),
 * until a trial mapping lands in the hole or
 * in one of the others (the holes made before it by the same role's
 * threads: make them one at a time), at most PT_CLEAN_HOLE_PLUGS. The
 * caller checks with pt_clean_hole_holds() where its mappings land. -1 and
 * err on failure. */
int pt_clean_hole_make(struct pt_clean_hole *h, size_t size, struct pt_clean_hole *const *others, int nothers,
		       char *err, size_t len);

static inline bool pt_clean_hole_holds(const struct pt_clean_hole *h, const void *p)
{
	return (uintptr_t)p - (uintptr_t)h->hole < h->hole_len;
}

/* Whether p lies in h or in one of the others (a role's holes; NULL
 * entries skipped): where a trial of pt_clean_hole_make() and a worker's
 * mmap count as landed in a clean hole. */
bool pt_clean_hole_in_any(const struct pt_clean_hole *h, struct pt_clean_hole *const *others, int nothers,
			  const void *p);

/* Hold the hole with a PROT_NONE placeholder (never touched: no page table)
 * so that nobody else's mmap(NULL) lands there until the owner's first
 * iteration unplugs it; unplugging takes mmap_lock, so not inside a
 * measured window. Plugging fails quietly (the hole stays open). */
void pt_clean_hole_plug(struct pt_clean_hole *h);
void pt_clean_hole_unplug(struct pt_clean_hole *h);
/* Unplug, and plug again the higher gaps that opened since the hole was
 * made (another thread's buffer freed, a thread gone: under load a 4K or 64K
 * churn found such a gap above its hole and every mmap landed there). */
void pt_clean_hole_open(struct pt_clean_hole *h, struct pt_clean_hole *const *others, int nothers);

/* Whether nothing is mapped in the hole now (1), something is (0), or it
 * cannot be told (-1): a PROT_NONE MAP_FIXED_NOREPLACE mapping of the whole
 * hole, unmapped again at once. For the end of a run, after the caller's
 * last munmap: another mapping in the hole (a mapping of another role, a
 * probe's buffer) would have shared its page tables. */
int pt_clean_hole_empty(const struct pt_clean_hole *h);

/* Unmap what is left of the reservation and the plugs (the hole's mapping
 * is the caller's). */
void pt_clean_hole_free(struct pt_clean_hole *h);

#endif
