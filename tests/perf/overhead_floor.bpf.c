// SPDX-License-Identifier: GPL-2.0
/* The floor under any mmap_lock probe, for build/perf/bpf_overhead: programs
 * on the same three tp_btf tracepoints that do nothing (what the kernel's
 * dispatch into a BPF program costs per event) and that only read the clock
 * once (what any probe that times waits and holds pays at the least). The
 * probe's cost above the clock floor is its own code; below it, nothing a
 * program can change. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* one floor: a program on each of the three tracepoints, doing WORK */
#define FLOOR_PROG(tp, name, work)       \
	SEC("tp_btf/" #tp)               \
	int name(void *ctx)              \
	{                                \
		(void)ctx;               \
		work;                    \
		return 0;                \
	}
#define FLOOR(kind, work)                                                       \
	FLOOR_PROG(mmap_lock_start_locking, floor_##kind##_start, work)         \
	FLOOR_PROG(mmap_lock_acquire_returned, floor_##kind##_acquire, work)    \
	FLOOR_PROG(mmap_lock_released, floor_##kind##_release, work)

FLOOR(empty, (void)0)
/* a helper call: the compiler cannot drop it; nothing is stored, so that no
 * cache line bounces between CPUs (the probe's counters are per-CPU) */
FLOOR(clock, bpf_ktime_get_ns())
