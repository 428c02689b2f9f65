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

SEC("tp_btf/mmap_lock_start_locking")
int floor_empty_start(void *ctx)
{
	(void)ctx;
	return 0;
}

SEC("tp_btf/mmap_lock_acquire_returned")
int floor_empty_acquire(void *ctx)
{
	(void)ctx;
	return 0;
}

SEC("tp_btf/mmap_lock_released")
int floor_empty_release(void *ctx)
{
	(void)ctx;
	return 0;
}

SEC("tp_btf/mmap_lock_start_locking")
int floor_clock_start(void *ctx)
{
	(void)ctx;
	/* a helper call: the compiler cannot drop it; nothing is stored, so
	 * that no cache line bounces between CPUs (the probe's counters are
	 * per-CPU) */
	bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/mmap_lock_acquire_returned")
int floor_clock_acquire(void *ctx)
{
	(void)ctx;
	bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/mmap_lock_released")
int floor_clock_release(void *ctx)
{
	(void)ctx;
	bpf_ktime_get_ns();
	return 0;
}
