/* The BPF programs' histogram index (src/bpf/hist.bpf.h) is src/run/hist.c's:
 * every bucket boundary and a sweep of values map to the same bucket, and a
 * histogram rebuilt from BPF buckets (pt_bpf_hist_set) reports the same
 * percentiles as one recorded directly. */
#include <stdint.h>
#include <stdlib.h>

#include "../../src/bpf/hist.bpf.h"
#include "ptbench/hist.h"
#include "ptbench/lock_bpf.h"
#include "tap.h"

int main(void)
{
	uint64_t bad = 0, checked = 0, v;
	struct pt_hist *direct = pt_hist_new(), *rebuilt = pt_hist_new();
	uint64_t *buckets = calloc(PT_HIST_BUCKETS, sizeof(*buckets));
	struct pt_bpf_hstat st = { 0 };

	/* every bucket's upper bound, and one past it */
	for (unsigned i = 0; i < PT_HIST_BUCKETS - 1; i++) {
		uint64_t up = pt_hist_bucket_upper(i);

		bad += hist_index(up) != pt_hist_index(up);
		bad += hist_index(up + 1) != pt_hist_index(up + 1);
		checked += 2;
	}
	/* a geometric sweep up to past the overflow bound */
	for (v = 1; v < (1ull << 42); v = v * 17 / 16 + 1) {
		bad += hist_index(v) != pt_hist_index(v);
		checked++;
	}
	bad += hist_index(0) != pt_hist_index(0);
	bad += hist_index(UINT64_MAX) != pt_hist_index(UINT64_MAX);
	tap_ok(bad == 0, "hist_index == pt_hist_index on %llu values (%llu differ)", (unsigned long long)checked,
	   (unsigned long long)bad);

	for (v = 3; v < 50000000; v = v * 5 / 4 + 7) {
		pt_hist_record(direct, v);
		buckets[hist_index(v)]++;
		hstat_add(&st, v);
	}
	pt_bpf_hist_set(rebuilt, buckets, &st);
	tap_ok(rebuilt->count == direct->count && rebuilt->min == direct->min && rebuilt->max == direct->max &&
		   rebuilt->sum == direct->sum,
	   "rebuilt histogram: same count, min, max, sum");
	tap_ok(pt_hist_percentile(rebuilt, 50) == pt_hist_percentile(direct, 50) &&
		   pt_hist_percentile(rebuilt, 99) == pt_hist_percentile(direct, 99) &&
		   pt_hist_percentile(rebuilt, 99.9) == pt_hist_percentile(direct, 99.9),
	   "rebuilt histogram: same p50, p99, p99.9");
	free(direct);
	free(rebuilt);
	free(buckets);
	return tap_done();
}
