/* Log-linear latency histogram, HdrHistogram-style: 2^7 sub-buckets per power
 * of two (worst relative error 1/128 < 0.8%), exact below 256 ns, covering
 * 1 ns .. 2^40 ns (~18 min). One per thread and op; merged at the end.
 * Recording is a clz, a shift and an increment: a few ns. */
#ifndef PTBENCH_HIST_H
#define PTBENCH_HIST_H

#include <stdint.h>
#include <stddef.h>

#define PT_HIST_SUB_BITS 7
#define PT_HIST_SUB_COUNT (1u << PT_HIST_SUB_BITS)
#define PT_HIST_MAX_BITS 40 /* values >= 2^40 ns land in an overflow bucket */
/* (MAX_BITS - SUB_BITS + 1) ranges of SUB_COUNT buckets, plus the overflow */
#define PT_HIST_BUCKETS ((PT_HIST_MAX_BITS - PT_HIST_SUB_BITS + 1) * PT_HIST_SUB_COUNT + 1)

struct pt_hist {
	uint64_t count;
	uint64_t max;
	uint64_t min;
	uint64_t sum; /* for the mean; wraps only after ~584 years of summed ns */
	uint64_t buckets[PT_HIST_BUCKETS];
};

static inline unsigned pt_hist_index(uint64_t v)
{
	unsigned msb, shift;

	if (v < 2 * PT_HIST_SUB_COUNT)
		return (unsigned)v;
	if (v >= (1ull << PT_HIST_MAX_BITS))
		return PT_HIST_BUCKETS - 1;
	msb = 63u - (unsigned)__builtin_clzll(v);
	shift = msb - PT_HIST_SUB_BITS;
	return shift * PT_HIST_SUB_COUNT + (unsigned)(v >> shift);
}

static inline void pt_hist_record(struct pt_hist *h, uint64_t v)
{
	h->buckets[pt_hist_index(v)]++;
	h->count++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
	if (v < h->min)
		h->min = v;
}

void pt_hist_init(struct pt_hist *h);
struct pt_hist *pt_hist_new(void);
void pt_hist_merge(struct pt_hist *dst, const struct pt_hist *src);
/* Largest value that maps to bucket idx (what a percentile reports). */
uint64_t pt_hist_bucket_upper(unsigned idx);
/* Nearest-rank percentile, p in [0,100]; reported as the bucket's upper bound
 * clamped to the recorded max, so it is never below the true value and at most
 * 1/128 above it. 0 when empty. */
uint64_t pt_hist_percentile(const struct pt_hist *h, double p);
double pt_hist_mean(const struct pt_hist *h);

#endif
