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

#define PT_CLEAN_HOLE_PLUGS 16

struct pt_clean_hole {
	char *reserve;      /* the PROT_NONE reservation around the hole */
	size_t reserve_len;
	char *hole;         /* PMD aligned */
	size_t hole_len;    /* the mapping's size rounded up to PMDs */
	void *plug[PT_CLEAN_HOLE_PLUGS]; /* PROT_NONE fillers of higher gaps */
	int nplugs;
	size_t plug_len;
};

/* Reserve, then unmap a PMD-aligned hole for a mapping of size bytes with a
 * PMD of the reservation on either side: the unmap frees every page table
 * wholly inside (free_pgtables(), floor and ceiling the reservation's ends),
 * and no other VMA shares a PTE table with the hole. The top-down allocator
 * puts the next mmap(NULL, size) there when no higher gap fits it; a higher
 * gap that does (the kernel aligns a reservation of whole PMDs to a PMD,
 * leaving up to 2 MiB above it) gets a PROT_NONE plug, never touched, until
 * a trial mapping lands in the hole (at most PT_CLEAN_HOLE_PLUGS). The caller
 * checks with pt_clean_hole_holds() where its mappings land. -1 and err on
 * failure. */
int pt_clean_hole_make(struct pt_clean_hole *h, size_t size, char *err, size_t len);

static inline bool pt_clean_hole_holds(const struct pt_clean_hole *h, const void *p)
{
	return (uintptr_t)p - (uintptr_t)h->hole < h->hole_len;
}

/* Unmap what is left of the reservation (the hole's mapping is the caller's). */
void pt_clean_hole_free(struct pt_clean_hole *h);

#endif
