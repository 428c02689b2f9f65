/* src/run/hist.c's bucket scheme on the BPF side (no clz instruction there).
 * Plain C on <linux/types.h>: tests/unit/test_bpf_hist.c checks it against
 * pt_hist_index() on the host. */
#ifndef PTBENCH_HIST_BPF_H
#define PTBENCH_HIST_BPF_H

#include <linux/types.h>

#include "ptbench/lock_bpf_abi.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* The histogram index of src/run/hist.c (pt_hist_index), without clz. */
static __always_inline __u32 hist_index(__u64 v)
{
	__u32 msb = 0, shift;
	__u64 x = v;

	if (v < (2u << PT_BPF_HIST_SUB_BITS))
		return (__u32)v;
	if (v >= (1ull << PT_BPF_HIST_MAX_BITS))
		return PT_BPF_HIST_BUCKETS - 1;
	if (x >> 32) { x >>= 32; msb += 32; }
	if (x >> 16) { x >>= 16; msb += 16; }
	if (x >> 8) { x >>= 8; msb += 8; }
	if (x >> 4) { x >>= 4; msb += 4; }
	if (x >> 2) { x >>= 2; msb += 2; }
	if (x >> 1) msb += 1;
	shift = msb - PT_BPF_HIST_SUB_BITS;
	return shift * (1u << PT_BPF_HIST_SUB_BITS) + (__u32)(v >> shift);
}

static __always_inline void hstat_add(struct pt_bpf_hstat *h, __u64 v)
{
	if (!h->count || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum += v;
}

#endif
