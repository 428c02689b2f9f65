/* Small-sample statistics for `compare`: medians, quantiles and the
 * Mann-Whitney U test (exact null distribution for small samples, ties
 * included; normal approximation with tie correction beyond). */
#ifndef PTBENCH_STATS_H
#define PTBENCH_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* Up to this many values in both samples together the p-value is exact
 * (the rank-sum distribution is enumerated with a DP; counts stay exact
 * integers in a double up to C(50,25) ~ 1.3e14 < 2^53). */
#define PT_MWU_EXACT_MAX_N 50

enum pt_mwu_method {
	PT_MWU_AUTO,   /* exact up to PT_MWU_EXACT_MAX_N values, normal beyond */
	PT_MWU_EXACT,  /* always exact (refused above PT_MWU_EXACT_MAX_N) */
	PT_MWU_NORMAL, /* normal approximation, tie and continuity corrected */
};

struct pt_mwu {
	double u;   /* U of the first sample: pairs (a, b) with a > b, ties count 1/2 */
	double p;   /* two-sided p-value */
	bool exact; /* p from the exact permutation distribution */
};

/* Median of n values (the input is not modified); NAN when n == 0. */
double pt_median(const double *v, size_t n);
/* Quantile q in [0,1], linear interpolation between order statistics
 * (Hyndman-Fan type 7, R's and numpy's default); NAN when n == 0. */
double pt_quantile(const double *v, size_t n, double q);
/* Interquartile range relative to the median: (Q3 - Q1) / |median|.
 * 0 when all values are equal, INFINITY when the median is 0 and they are not. */
double pt_rel_iqr(const double *v, size_t n);

/* Two-sided Mann-Whitney U test of a against b. Exact: midranks for ties,
 * p = min(1, 2 * min(P(W <= w), P(W >= w))) under the permutation
 * distribution of the rank sum W of a given the tied ranks. Normal: z with
 * continuity correction 0.5 and the tie-corrected variance.
 * Returns 0, or -1 when a sample is empty or EXACT is asked for too many values. */
int pt_mwu(const double *a, size_t na, const double *b, size_t nb, enum pt_mwu_method method,
	   struct pt_mwu *out);
/* The smallest two-sided p the exact test can give for na vs nb values
 * without ties: 2 / C(na + nb, na) (3 vs 3: 0.1, 4 vs 4: 0.029, 5 vs 5: 0.0079). */
double pt_mwu_min_p(size_t na, size_t nb);

#endif
