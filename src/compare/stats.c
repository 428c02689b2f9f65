/* Small-sample statistics for `compare` (see include/ptbench/stats.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/stats.h"
#include "ptbench/util.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Samples up to this size are sorted in a buffer on the caller's stack:
 * the mde search (compare_rule.c) takes medians and IQRs of every metric
 * some 25 times, and a heap copy each time was a good part of a compare's
 * (and of the result fuzzer's) time. */
#define SMALL_N 64

static double *sorted_copy(const double *v, size_t n, double *small)
{
	double *s = n <= SMALL_N ? small : pt_xmalloc(n * sizeof(*s));

	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return s;
}

static void sorted_free(double *s, double *small)
{
	if (s != small)
		free(s);
}

static double quantile_sorted(const double *s, size_t n, double q)
{
	double h = (double)(n - 1) * q;
	size_t lo = (size_t)floor(h);

	if (lo + 1 >= n)
		return s[n - 1];
	return s[lo] + (h - (double)lo) * (s[lo + 1] - s[lo]);
}

double pt_quantile(const double *v, size_t n, double q)
{
	double small[SMALL_N], *s, r;

	if (!n)
		return NAN;
	s = sorted_copy(v, n, small);
	r = quantile_sorted(s, n, q < 0 ? 0 : q > 1 ? 1 : q);
	sorted_free(s, small);
	return r;
}

double pt_median(const double *v, size_t n)
{
	return pt_quantile(v, n, 0.5);
}

double pt_rel_iqr(const double *v, size_t n)
{
	double small[SMALL_N], *s, iqr, med;

	if (!n)
		return NAN;
	s = sorted_copy(v, n, small);
	iqr = quantile_sorted(s, n, 0.75) - quantile_sorted(s, n, 0.25);
	med = fabs(quantile_sorted(s, n, 0.5));
	sorted_free(s, small);
	if (iqr == 0)
		return 0;
	return med > 0 ? iqr / med : INFINITY;
}

double pt_mwu_min_p(size_t na, size_t nb)
{
	/* C(na+nb, na) as a double; exact enough for any n we print */
	double c = 1;

	for (size_t i = 1; i <= na; i++)
		c = c * (double)(nb + i) / (double)i;
	return fmin(1.0, 2.0 / c);
}

struct ranked {
	double v;
	int from_a;
};

static int cmp_ranked(const void *x, const void *y)
{
	return cmp_double(&((const struct ranked *)x)->v, &((const struct ranked *)y)->v);
}

/* The null distribution of the doubled rank sum of n1 of N values depends
 * only on N, n1 and the doubled midranks in sorted order (the tie pattern),
 * not on which values are whose: the mde search asks for the same one some
 * 25 times per metric, and every metric of a comparison has the same
 * repeats. The last one is kept, per thread: cum[s] = the number of ways
 * to reach a sum <= s (exact integers in a double, see stats.h). */
struct null_dist {
	size_t N, n1;
	long rank2[PT_MWU_EXACT_MAX_N];
	double cum[PT_MWU_EXACT_MAX_N * (PT_MWU_EXACT_MAX_N + 1) + 1];
};

static _Thread_local struct null_dist *last_null;
/* the DP's table, kept too: a fresh one each time cost more than the DP */
static _Thread_local double *dp_buf;
static _Thread_local size_t dp_cap;

static const struct null_dist *null_dist(const long *rank2, size_t N, size_t n1)
{
	struct null_dist *d = last_null;
	long smax = (long)N * (long)(N + 1), top = 0; /* sum of all doubled ranks */
	size_t width = (size_t)smax + 1;
	double *cnt, run = 0;

	if (d && d->N == N && d->n1 == n1 && !memcmp(d->rank2, rank2, N * sizeof(*rank2)))
		return d;
	if (!d)
		d = last_null = pt_xmalloc(sizeof(*d));
	if (dp_cap < (n1 + 1) * width) {
		free(dp_buf);
		dp_cap = (n1 + 1) * width;
		dp_buf = pt_xmalloc(dp_cap * sizeof(*dp_buf));
	}
	/* the subset-sum DP: cnt[k][s], ways k of the values seen sum to s */
	cnt = dp_buf;
	memset(cnt, 0, (n1 + 1) * width * sizeof(*cnt));
	cnt[0] = 1;
	for (size_t i = 0; i < N; i++) {
		size_t kmax = i + 1 < n1 ? i + 1 : n1;

		/* no subset of the values seen so far sums beyond their total */
		top += rank2[i];
		/* k downwards so each value is used at most once */
		for (size_t k = kmax; k >= 1; k--) {
			double *row = cnt + k * width, *prev = cnt + (k - 1) * width;

			for (long s = top; s >= rank2[i]; s--)
				row[s] += prev[s - rank2[i]];
		}
	}
	for (size_t s = 0; s < width; s++)
		d->cum[s] = run += cnt[n1 * width + s];
	d->N = N;
	d->n1 = n1;
	memcpy(d->rank2, rank2, N * sizeof(*rank2));
	return d;
}

/* Exact two-sided p: the number of ways n1 of the N (doubled, so integer)
 * midranks can sum to at most, and at least, w2. */
static double exact_p(const long *rank2, size_t N, size_t n1, long w2)
{
	const struct null_dist *d = null_dist(rank2, N, n1);
	double total = d->cum[N * (N + 1)], lower = d->cum[w2];
	double upper = total - (w2 > 0 ? d->cum[w2 - 1] : 0);

	return fmin(1.0, 2.0 * fmin(lower, upper) / total);
}

int pt_mwu(const double *a, size_t na, const double *b, size_t nb, enum pt_mwu_method method,
	   struct pt_mwu *out)
{
	size_t N = na + nb;
	struct ranked small_r[SMALL_N], *r;
	long small_rank2[SMALL_N], *rank2, w2 = 0;
	double tie_term = 0, mu, var, z;

	if (!na || !nb || (method == PT_MWU_EXACT && N > PT_MWU_EXACT_MAX_N))
		return -1;
	r = N <= SMALL_N ? small_r : pt_xmalloc(N * sizeof(*r));
	rank2 = N <= SMALL_N ? small_rank2 : pt_xmalloc(N * sizeof(*rank2));
	for (size_t i = 0; i < na; i++)
		r[i] = (struct ranked){ a[i], 1 };
	for (size_t i = 0; i < nb; i++)
		r[na + i] = (struct ranked){ b[i], 0 };
	qsort(r, N, sizeof(*r), cmp_ranked);
	/* midranks, doubled: positions i..j (0-based) tied get (i+1 + j+1) / 2 */
	for (size_t i = 0; i < N;) {
		size_t j = i;

		while (j + 1 < N && r[j + 1].v == r[i].v)
			j++;
		for (size_t k = i; k <= j; k++) {
			rank2[k] = (long)(i + j + 2);
			if (r[k].from_a)
				w2 += rank2[k];
		}
		tie_term += pow((double)(j - i + 1), 3) - (double)(j - i + 1);
		i = j + 1;
	}
	out->u = (double)w2 / 2.0 - (double)na * (double)(na + 1) / 2.0;
	if (method == PT_MWU_EXACT || (method == PT_MWU_AUTO && N <= PT_MWU_EXACT_MAX_N)) {
		out->p = exact_p(rank2, N, na, w2);
		out->exact = true;
	} else {
		mu = (double)na * (double)nb / 2.0;
		var = (double)na * (double)nb / 12.0 *
		      ((double)(N + 1) - tie_term / ((double)N * (double)(N - 1)));
		if (var <= 0) {
			out->p = 1.0; /* every value tied: no evidence either way */
		} else {
			z = fmax(0.0, fabs(out->u - mu) - 0.5) / sqrt(var);
			out->p = fmin(1.0, erfc(z / sqrt(2.0)));
		}
		out->exact = false;
	}
	if (r != small_r)
		free(r);
	if (rank2 != small_rank2)
		free(rank2);
	return 0;
}
