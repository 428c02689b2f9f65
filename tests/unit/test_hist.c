/* Histogram accuracy: every reported percentile within 1% of the exact
 * nearest-rank percentile of the same samples, on uniform, log-uniform,
 * exponential and heavy-tailed (Pareto) data; merge equals recording all. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/hist.h"
#include "tap.h"

static uint64_t rng_state = 0x243F6A8885A308D3ull;

static double uniform01(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t exact_percentile(const uint64_t *sorted, size_t n, double p)
{
	double r = p / 100.0 * (double)n;
	size_t rank = (size_t)r;

	if ((double)rank < r)
		rank++;
	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

enum dist { UNIFORM, LOGUNIFORM, EXPONENTIAL, PARETO, SMALL };

static uint64_t sample(enum dist d)
{
	switch (d) {
	case UNIFORM: return 1 + (uint64_t)(uniform01() * 1e6);
	case LOGUNIFORM: return (uint64_t)exp(uniform01() * log(1e11)) + 1;
	case EXPONENTIAL: return 1 + (uint64_t)(-log(1.0 - uniform01()) * 5000.0);
	case PARETO: return (uint64_t)(1000.0 / pow(1.0 - uniform01(), 1.0 / 1.2));
	case SMALL: return (uint64_t)(uniform01() * 256);
	}
	return 0;
}

static const char *const dist_name[] = { "uniform", "log-uniform", "exponential", "pareto(1.2)",
					 "small (exact range)" };

static void check_dist(enum dist d, size_t n)
{
	static const double ps[] = { 1, 10, 50, 90, 99, 99.9, 99.99, 100 };
	uint64_t *v = malloc(n * sizeof(*v));
	struct pt_hist *h = pt_hist_new();
	double worst = 0;
	double worst_p = 0;

	for (size_t i = 0; i < n; i++) {
		v[i] = sample(d);
		pt_hist_record(h, v[i]);
	}
	qsort(v, n, sizeof(*v), cmp_u64);
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		uint64_t want = exact_percentile(v, n, ps[i]), got = pt_hist_percentile(h, ps[i]);
		double err = want ? fabs((double)got - (double)want) / (double)want : (double)(got != 0);

		if (err > worst) {
			worst = err;
			worst_p = ps[i];
		}
	}
	tap_ok(worst <= 0.01, "%s, %zu samples: worst percentile error %.4f%% (at p%g) <= 1%%",
	       dist_name[d], n, worst * 100, worst_p);
	tap_ok(h->count == n && h->min == v[0] && h->max == v[n - 1], "%s: count, min and max exact",
	       dist_name[d]);
	if (d == SMALL)
		tap_ok(worst == 0, "values below 256 ns are exact (worst error %g)", worst);
	free(v);
	free(h);
}

static void check_merge(void)
{
	struct pt_hist *a = pt_hist_new(), *b = pt_hist_new(), *all = pt_hist_new();

	for (int i = 0; i < 100000; i++) {
		uint64_t x = sample(LOGUNIFORM);

		pt_hist_record(i % 3 ? a : b, x);
		pt_hist_record(all, x);
	}
	pt_hist_merge(a, b);
	tap_ok(!memcmp(a->buckets, all->buckets, sizeof(a->buckets)) && a->count == all->count &&
		       a->max == all->max && a->min == all->min && a->sum == all->sum,
	       "merging two histograms equals recording every sample in one");
	free(a);
	free(b);
	free(all);
}

static void check_buckets(void)
{
	int ok = 1;
	uint64_t bad = 0;

	/* every value maps to a bucket whose upper bound is >= it and < 1/128 above */
	for (uint64_t v = 1; v < (1ull << 40); v = v + 1 + v / 97) {
		unsigned idx = pt_hist_index(v);
		uint64_t up = pt_hist_bucket_upper(idx);

		if (up < v || (double)(up - v) > (double)v / 128.0) {
			ok = 0;
			bad = v;
			break;
		}
	}
	tap_ok(ok, "bucket upper bounds are within 1/128 above every value (first bad: %llu)",
	       (unsigned long long)bad);
	tap_ok(pt_hist_index((1ull << 40) - 1) == PT_HIST_BUCKETS - 2 &&
		       pt_hist_index(1ull << 40) == PT_HIST_BUCKETS - 1 &&
		       pt_hist_index(UINT64_MAX) == PT_HIST_BUCKETS - 1,
	       "2^40-1 ns is the last regular bucket; beyond lands in the overflow bucket");
	tap_ok(sizeof(struct pt_hist) < 36 * 1024, "a histogram is about 34 KiB (%zu bytes)",
	       sizeof(struct pt_hist));
}

static void check_empty(void)
{
	struct pt_hist *h = pt_hist_new();

	tap_ok(pt_hist_percentile(h, 99) == 0 && pt_hist_mean(h) == 0, "empty histogram reports 0");
	pt_hist_record(h, 12345);
	tap_ok(pt_hist_percentile(h, 0) == 12345 && pt_hist_percentile(h, 50) == 12345 &&
		       pt_hist_percentile(h, 100) == 12345,
	       "one sample: every percentile is that sample (clamped to min/max)");
	free(h);
}

int main(void)
{
	check_dist(UNIFORM, 200000);
	check_dist(LOGUNIFORM, 200000);
	check_dist(EXPONENTIAL, 200000);
	check_dist(PARETO, 200000);
	check_dist(SMALL, 50000);
	check_merge();
	check_buckets();
	check_empty();
	return tap_done();
}
