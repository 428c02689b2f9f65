/* The lock probes' counters and histogram buckets: plain BPF arrays laid out
 * CPU-first, element cpu * per_cpu + i, where a per-CPU array held element i
 * before.
 *
 * Why not a per-CPU array: its inlined lookup loads the element's per-CPU
 * pointer from a table in the map (8 bytes per element, 34 KiB per
 * histogram) and then the value in the per-CPU area, two dependent loads
 * and two cache lines per bucket; a plain array's lookup is an address
 * computation and the value's load (kernel/bpf/arraymap.c,
 * percpu_array_map_gen_lookup() against array_map_gen_lookup()). The bucket
 * increment is the programs' largest single cost, and what it pays is cache
 * misses on the lines a run's samples touch (doc/probes.md, "The lock
 * probes' own code"). Each CPU still writes only its own part, so no cache line is
 * shared between CPUs but at the parts' edges, and an increment is the same
 * unlocked load and store as before: tracing programs run with migration
 * disabled, so the CPU cannot change under them. User space sizes the map
 * to its possible CPUs times per_cpu before loading and adds the CPUs' parts
 * up (pt_bpf_read_cpu_array). */
#ifndef PTBENCH_CPU_ARRAY_BPF_H
#define PTBENCH_CPU_ARRAY_BPF_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* element i of this CPU's part of map; NULL past the map's end */
static __always_inline void *cpu_array_elem(void *map, __u32 per_cpu, __u32 i)
{
	__u32 key = bpf_get_smp_processor_id() * per_cpu + i;

	return bpf_map_lookup_elem(map, &key);
}

#endif
