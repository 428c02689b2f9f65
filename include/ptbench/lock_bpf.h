/* What the BPF probes (mmap_lock's BPF backend, vma_lock) share in user
 * space: whether BPF may be used at all, the run's tasks and roles in the
 * programs' maps, reading per-CPU maps, the running kernel's BTF, and
 * libbpf's messages kept for the `why` of a result instead of stderr.
 *
 * Every program and map is owned by file descriptors of this process and
 * nothing is pinned: whatever way the process ends (normal exit, SIGINT,
 * SIGTERM, a fatal signal, SIGKILL) the kernel detaches and frees them. */
#ifndef PTBENCH_LOCK_BPF_H
#define PTBENCH_LOCK_BPF_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <stdint.h>

#include "ptbench/lock_bpf_abi.h"

struct pt_run;
struct pt_hist;

/* Whether this binary has the BPF programs in it (built with clang and bpftool). */
extern const bool pt_bpf_built;

/* 0 when BPF may be tried; -1 with why when this build has no BPF or the
 * test switch PTBENCH_TEST_NO_BPF=1 refuses it. */
int pt_bpf_allowed(char *why, size_t len);

/* Route libbpf's messages into a buffer (PTBENCH_BPF_DEBUG=1: also stderr). */
void pt_bpf_quiet_libbpf(void);
/* The first warning libbpf printed since pt_bpf_quiet_libbpf(), or "". */
const char *pt_bpf_last_msg(void);
/* why = "WHAT: strerror(err)[: libbpf's last message]" */
void pt_bpf_why(char *why, size_t len, const char *what, int err);

/* Fill the procs map with this process and its child processes (group
 * nroles, "other"); returns the number of processes added. */
int pt_bpf_fill_procs(int procs_fd, const struct pt_run *run);
/* Fill the tids map with every worker thread's role, then bump the
 * programs' roles_gen so that a task whose group they cached before (as
 * "other") looks it up again; returns the count. */
int pt_bpf_fill_tids(int tids_fd, volatile __u32 *roles_gen, const struct pt_run *run);
/* Open a program's measured window (its win_lo/win_hi globals) at the
 * run's t_measure, with no end yet: it ends when the last iteration begun in
 * it has (doc/design.md, "The counting rule"), which pt_bpf_close_window
 * sets then, at t_stop. */
void pt_bpf_open_window(volatile __u64 *lo, volatile __u64 *hi, const struct pt_run *run);
void pt_bpf_close_window(volatile __u64 *hi, const struct pt_run *run);

/* The cell layout of the lock probes' counters (src/bpf/task_lock.bpf.h):
 * group g (role g, or nroles "other") has cells base[g] (in no op) and
 * base[g] + 1 + op for each op of its worker type; nops[g] of those. Fills
 * PT_BPF_MAX_GROUPS entries of each; returns the number of cells. */
size_t pt_bpf_cells(const struct pt_run *run, __u32 *base, __u32 *nops);

/* One program per tracepoint for both lock probes: the mmap_lock BPF probe,
 * once attached, offers its task storage and per-VMA counter maps (its
 * mmap_lock_acquire_returned program counts per-VMA lock fallbacks into
 * them); the per-VMA lock probe loads its object with them. -1, -1: none
 * (the mmap_lock BPF probe is not running). */
void pt_bpf_share(int tasks_fd, int vma_grp_fd);
bool pt_bpf_shared(int *tasks_fd, int *vma_grp_fd);

/* Read keys [0, nkeys) of a per-CPU array whose values are value_size bytes:
 * out receives nkeys * ncpus values, key-major (out + (k * ncpus + cpu) *
 * value_size). Returns ncpus, or -1 with errno. */
int pt_bpf_read_percpu(int fd, uint32_t nkeys, size_t value_size, void **out);

/* The lock probes' CPU-first plain arrays (src/bpf/cpu_array.bpf.h): size
 * map to the possible CPUs times per_cpu values of value_size bytes (a
 * multiple of 8) before loading (-1 with why: too large for a BPF array, or
 * libbpf refused), and read one back: out receives per_cpu values per CPU,
 * CPU-major (value i of CPU cpu at out + (cpu * per_cpu + i) * value_size).
 * pt_bpf_read_cpu_array returns ncpus, or -1 with errno. */
struct bpf_map;
int pt_bpf_size_cpu_array(struct bpf_map *map, size_t per_cpu, size_t value_size, char *why, size_t len);
int pt_bpf_read_cpu_array(int fd, size_t per_cpu, size_t value_size, void **out);

/* Add one CPU's hstat to another. */
void pt_bpf_hstat_add(struct pt_bpf_hstat *dst, const struct pt_bpf_hstat *src);
/* h = the histogram given by its buckets (PT_BPF_HIST_BUCKETS of them, summed
 * over CPUs) and its summary. */
void pt_bpf_hist_set(struct pt_hist *h, const uint64_t *buckets, const struct pt_bpf_hstat *st);
/* sum = one histogram's PT_BPF_HIST_BUCKETS buckets added over ncpus CPUs
 * of a CPU-first array read by pt_bpf_read_cpu_array (per_cpu values per
 * CPU, the histogram's first bucket at index first of each CPU's part),
 * CPU by CPU, in the order they lie; ncpus 0 gives zeros. */
void pt_bpf_sum_cpu_buckets(uint64_t *sum, const uint64_t *cpu_array, int ncpus, size_t per_cpu, size_t first);

/* Whether the running kernel's BTF has a function (fentry/fexit can attach
 * to it) or a struct member; -1 when there is no kernel BTF. */
int pt_bpf_kernel_has_func(const char *name);
int pt_bpf_kernel_has_member(const char *type, const char *member);

#endif
