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

static double *sorted_copy(const double *v, size_t n)
{
	double *s = pt_xmalloc((n ? n : 1) * sizeof(*s));

	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return s;
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
	double *s, r;

	if (!n)
		return NAN;
	s = sorted_copy(v, n);
	r = quantile_sorted(s, n, q < 0 ? 0 : q > 1 ? 1 : q);
	free(s);
	return r;
}

double pt_median(const double *v, size_t n)
{
	return pt_quantile(v, n, 0.5);
}

double pt_rel_iqr(const double *v, size_t n)
{
	double *s, iqr, med;

	if (!n)
		return NAN;
	s = sorted_copy(v, n);
	iqr = quantile_sorted(s, n, 0.75) - quantile_sorted(s, n, 0.25);
	med = fabs(quantile_sorted(s, n, 0.5));
	free(s);
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

/* Exact two-sided p: the number of ways n1 of the N (doubled, so integer)
 * midranks can sum to each total, by a subset-sum DP over the values. */
static double exact_p(const long *rank2, size_t N, size_t n1, long w2)
{
	long smax = (long)N * (long)(N + 1); /* sum of all doubled ranks */
	size_t width = (size_t)smax + 1;
	double *cnt = pt_xcalloc((n1 + 1) * width, sizeof(*cnt));
	double total = 0, lower = 0, upper = 0;

	cnt[0] = 1;
	for (size_t i = 0; i < N; i++) {
		size_t kmax = i + 1 < n1 ? i + 1 : n1;

		/* k downwards so each value is used at most once */
		for (size_t k = kmax; k >= 1; k--) {
			double *row = cnt + k * width, *prev = cnt + (k - 1) * width;

			for (long s = smax; s >= rank2[i]; s--)
				row[s] += prev[s - rank2[i]];
		}
	}
	for (long s = 0; s <= smax; s++) {
		double c = cnt[n1 * width + (size_t)s];

		total += c;
		if (s <= w2)
			lower += c;
		if (s >= w2)
			upper += c;
	}
	free(cnt);
	return fmin(1.0, 2.0 * fmin(lower, upper) / total);
}

int pt_mwu(const double *a, size_t na, const double *b, size_t nb, enum pt_mwu_method method,
	   struct pt_mwu *out)
{
	size_t N = na + nb;
	struct ranked *r;
	long *rank2, w2 = 0;
	double tie_term = 0, mu, var, z;

	if (!na || !nb || (method == PT_MWU_EXACT && N > PT_MWU_EXACT_MAX_N))
		return -1;
	r = pt_xmalloc(N * sizeof(*r));
	rank2 = pt_xmalloc(N * sizeof(*rank2));
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
	free(r);
	free(rank2);
	return 0;
}
