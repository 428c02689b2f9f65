/* Log-linear histogram: see include/ptbench/hist.h for the layout. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/hist.h"
#include "ptbench/util.h"

void pt_hist_init(struct pt_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

struct pt_hist *pt_hist_new(void)
{
	struct pt_hist *h = pt_xmalloc(sizeof(*h));

	pt_hist_init(h);
	return h;
}

void pt_hist_merge(struct pt_hist *dst, const struct pt_hist *src)
{
	if (!src->count)
		return;
	for (unsigned i = 0; i < PT_HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->max > dst->max)
		dst->max = src->max;
	if (src->min < dst->min)
		dst->min = src->min;
}

uint64_t pt_hist_bucket_upper(unsigned idx)
{
	unsigned shift;
	uint64_t sub;

	if (idx < 2 * PT_HIST_SUB_COUNT)
		return idx;
	if (idx >= PT_HIST_BUCKETS - 1)
		return UINT64_MAX;
	/* inverse of pt_hist_index: idx = shift * SUB + (v >> shift), with
	 * (v >> shift) in [SUB, 2*SUB) */
	shift = idx / PT_HIST_SUB_COUNT - 1;
	sub = idx - shift * PT_HIST_SUB_COUNT;
	return ((sub + 1) << shift) - 1;
}

uint64_t pt_hist_percentile(const struct pt_hist *h, double p)
{
	uint64_t rank, seen = 0;

	if (!h->count)
		return 0;
	if (p <= 0)
		return h->min;
	if (p >= 100)
		return h->max;
	/* nearest rank: the smallest value with at least p% of samples <= it */
	rank = (uint64_t)((p / 100.0) * (double)h->count);
	if ((double)rank < (p / 100.0) * (double)h->count)
		rank++;
	if (rank < 1)
		rank = 1;
	for (unsigned i = 0; i < PT_HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= rank) {
			uint64_t up = pt_hist_bucket_upper(i);

			if (up > h->max)
				up = h->max;
			if (up < h->min)
				up = h->min;
			return up;
		}
	}
	return h->max;
}

double pt_hist_mean(const struct pt_hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}
