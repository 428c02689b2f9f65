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
	__u64 x = v, b;

	if (v < (2u << PT_BPF_HIST_SUB_BITS))
		return (__u32)v;
	if (v >= (1ull << PT_BPF_HIST_MAX_BITS))
		return PT_BPF_HIST_BUCKETS - 1;
	/* the most significant bit by halving, each step a 0/1 from arithmetic
	 * (x >> k is below 2^k here, so adding 2^k - 1 carries into bit k exactly
	 * when it is non-zero) rather than a branch */
	b = ((x >> 32) + 0xffffffffull) >> 32; b <<= 5; x >>= b; msb += (__u32)b;
	b = ((x >> 16) + 0xffffull) >> 16; b <<= 4; x >>= b; msb += (__u32)b;
	b = ((x >> 8) + 0xffull) >> 8; b <<= 3; x >>= b; msb += (__u32)b;
	b = ((x >> 4) + 0xfull) >> 4; b <<= 2; x >>= b; msb += (__u32)b;
	b = ((x >> 2) + 0x3ull) >> 2; b <<= 1; x >>= b; msb += (__u32)b;
	msb += (__u32)(x >> 1);
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
