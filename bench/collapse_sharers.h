/* Child processes that map the same shmem file as a collapse worker, so a
 * shmem collapse has other mms' page tables to retract. */
#ifndef PTBENCH_BENCH_COLLAPSE_SHARERS_H
#define PTBENCH_BENCH_COLLAPSE_SHARERS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Fork n children; each reads one byte of every page of [base, base+len)
 * (the inherited MAP_SHARED mapping) every interval_ns, so it keeps PTEs of
 * the file mapped. They die with the forking thread (PR_SET_PDEATHSIG).
 * Returns the number started (pids filled in); fewer than n sets errno. */
int pt_sharers_start(pid_t *pids, int n, const volatile char *base, size_t len, uint64_t interval_ns);
/* SIGKILL and reap every child in pids[0..n). */
void pt_sharers_stop(pid_t *pids, int n);

#endif
