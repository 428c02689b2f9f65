/* A memory range one role lends to the other roles of its process, by role
 * name: the mprotect-churn role's `spare` tail, faulted by a fault role with
 * `vma_of = ROLE`, so the faults land in the VMA the flips split and merge
 * (what makes lock_vma_under_rcu() fail and fall back to mmap_lock). */
#ifndef PTBENCH_BENCH_ROLE_REGION_H
#define PTBENCH_BENCH_ROLE_REGION_H

#include <stdbool.h>
#include <stddef.h>

/* Publish [base, base+len) under role. Roles are set up one after another,
 * all before any thread starts; returns -1 when the table is full. */
int pt_role_region_publish(const char *role, char *base, size_t len);
/* Withdraw what role published (its teardown). */
void pt_role_region_withdraw(const char *role);
/* The range role published in this process; false when none. */
bool pt_role_region_find(const char *role, char **base, size_t *len);

#endif
