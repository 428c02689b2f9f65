/* The worker list: one line per bench/NAME.c. */
#include <stddef.h>
#include <string.h>

#include "ptbench/worker.h"

extern const struct pt_worker_type pt_worker_fault;
extern const struct pt_worker_type pt_worker_shmem_collapse, pt_worker_anon_collapse, pt_worker_khugepaged;
extern const struct pt_worker_type pt_worker_mmap_churn;
extern const struct pt_worker_type pt_worker_smaps_read;
extern const struct pt_worker_type pt_worker_vma_pad;
extern const struct pt_worker_type pt_worker_procmap_query;
extern const struct pt_worker_type pt_worker_pagemap_read, pt_worker_mincore, pt_worker_clear_refs;
extern const struct pt_worker_type pt_worker_pte_reclaim, pt_worker_mprotect_churn, pt_worker_shmem_punch;
extern const struct pt_worker_type pt_worker_race_zap, pt_worker_race_fault, pt_worker_race_walk, pt_worker_race_gup;
extern const struct pt_worker_type pt_worker_mremap_collapse, pt_worker_msync_shared;
extern const struct pt_worker_type pt_worker_sleep;

const struct pt_worker_type *const pt_worker_types[] = {
	&pt_worker_fault,
	&pt_worker_shmem_collapse, &pt_worker_anon_collapse, &pt_worker_khugepaged,
	&pt_worker_mmap_churn,
	&pt_worker_smaps_read,
	&pt_worker_vma_pad,
	&pt_worker_procmap_query,
	&pt_worker_pagemap_read, &pt_worker_mincore, &pt_worker_clear_refs,
	&pt_worker_pte_reclaim,
	&pt_worker_mprotect_churn,
	&pt_worker_shmem_punch,
	&pt_worker_race_zap, &pt_worker_race_fault, &pt_worker_race_walk, &pt_worker_race_gup,
	&pt_worker_mremap_collapse, &pt_worker_msync_shared,
	&pt_worker_sleep,
	NULL,
};

const struct pt_worker_type *pt_worker_find(const char *name)
{
	for (size_t i = 0; pt_worker_types[i]; i++)
		if (!strcmp(pt_worker_types[i]->name, name))
			return pt_worker_types[i];
	return NULL;
}
