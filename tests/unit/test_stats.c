/* Medians, quantiles and Mann-Whitney U p-values against values known from
 * tables and the scipy documentation, and the exact p with ties against a
 * brute-force enumeration of every relabelling done here. */
#include <math.h>
#include <stdlib.h>

#include "ptbench/stats.h"
#include "tap.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int close_to(double got, double want, double tol)
{
	if (fabs(got - want) <= tol)
		return 1;
	tap_diag("got %.12g, want %.12g", got, want);
	return 0;
}

/* Two-sided exact p by enumerating all C(N, na) ways to choose sample a's
 * positions: midranks, rank sum, p = min(1, 2 * min(P(W <= w), P(W >= w))). */
static double brute_p(const double *a, size_t na, const double *b, size_t nb)
{
	double all[32], r2[32];
	size_t n = na + nb;
	double w = 0, le = 0, ge = 0, total = 0;

	for (size_t i = 0; i < na; i++)
		all[i] = a[i];
	for (size_t i = 0; i < nb; i++)
		all[na + i] = b[i];
	/* doubled midrank of each value: 2 * (#less) + (#equal) + 1 */
	for (size_t i = 0; i < n; i++) {
		size_t less = 0, eq = 0;

		for (size_t j = 0; j < n; j++) {
			less += all[j] < all[i];
			eq += all[j] == all[i];
		}
		r2[i] = 2.0 * (double)less + (double)eq + 1.0;
	}
	for (size_t i = 0; i < na; i++)
		w += r2[i];
	for (unsigned long mask = 0; mask < (1ul << n); mask++) {
		double s = 0;

		if ((size_t)__builtin_popcountl(mask) != na)
			continue;
		for (size_t i = 0; i < n; i++)
			if (mask & (1ul << i))
				s += r2[i];
		total++;
		le += s <= w;
		ge += s >= w;
	}
	return fmin(1.0, 2.0 * fmin(le, ge) / total);
}

int main(void)
{
	struct pt_mwu t;

	{
		double odd[] = { 5, 1, 3 }, even[] = { 4, 1, 3, 2 };

		tap_ok(pt_median(odd, 3) == 3, "median of 3 values");
		tap_ok(pt_median(even, 4) == 2.5, "median of 4 values interpolates");
		tap_ok(pt_quantile(even, 4, 0.25) == 1.75, "type-7 quartile: 1.75 of 1..4");
		tap_ok(close_to(pt_rel_iqr(even, 4), 1.5 / 2.5, 1e-12), "relative IQR of 1..4 is 0.6");
		tap_ok(isnan(pt_median(odd, 0)), "median of nothing is NaN");
		tap_ok(pt_rel_iqr((double[]){ 0, 0, 0 }, 3) == 0, "relative IQR of equal zeros is 0");
		tap_ok(isinf(pt_rel_iqr((double[]){ -1, 0, 1 }, 3)), "relative IQR with median 0 is inf");
	}
	{
		double a3[] = { 1, 2, 3 }, b3[] = { 4, 5, 6 };
		double a4[] = { 1, 2, 3, 4 }, b4[] = { 5, 6, 7, 8 };
		double a5[] = { 1, 2, 3, 4, 5 }, b5[] = { 6, 7, 8, 9, 10 };

		pt_mwu(a3, 3, b3, 3, PT_MWU_AUTO, &t);
		tap_ok(t.exact && t.u == 0 && close_to(t.p, 0.1, 1e-12),
		       "3 vs 3 fully separated: U 0, exact p 2/20 = 0.1");
		pt_mwu(b4, 4, a4, 4, PT_MWU_AUTO, &t);
		tap_ok(t.u == 16 && close_to(t.p, 2.0 / 70, 1e-12),
		       "4 vs 4 fully separated: U 16, p 2/70");
		pt_mwu(a5, 5, b5, 5, PT_MWU_AUTO, &t);
		tap_ok(close_to(t.p, 2.0 / 252, 1e-12), "5 vs 5 fully separated: p 2/252 = 0.0079");
		tap_ok(close_to(pt_mwu_min_p(3, 3), 0.1, 1e-12) &&
			       close_to(pt_mwu_min_p(5, 5), 2.0 / 252, 1e-12) &&
			       close_to(pt_mwu_min_p(3, 4), 2.0 / 35, 1e-12),
		       "smallest possible p: 3v3 0.1, 3v4 2/35, 5v5 2/252");
	}
	{
		/* critical-value tables: n1 = n2 = 5, two-sided 0.05: U <= 2 */
		double a[] = { 1, 2, 3, 4, 7 }, b[] = { 5, 6, 8, 9, 10 };
		double c[] = { 1, 2, 3, 4, 8 }, d[] = { 5, 6, 7, 9, 10 };

		pt_mwu(a, 5, b, 5, PT_MWU_EXACT, &t);
		tap_ok(t.u == 2 && close_to(t.p, 8.0 / 252, 1e-12), "5 vs 5, U 2: p 8/252 = 0.032");
		pt_mwu(c, 5, d, 5, PT_MWU_EXACT, &t);
		tap_ok(t.u == 3 && close_to(t.p, 14.0 / 252, 1e-12), "5 vs 5, U 3: p 14/252 = 0.056");
	}
	{
		/* scipy.stats.mannwhitneyu documentation example (5 vs 4) */
		double male[] = { 19, 22, 16, 29, 24 }, female[] = { 20, 11, 17, 12 };

		pt_mwu(male, 5, female, 4, PT_MWU_AUTO, &t);
		tap_ok(t.u == 17 && t.exact && close_to(t.p, 1.0 / 9, 1e-12),
		       "scipy example: U 17, exact p 0.1111");
		pt_mwu(male, 5, female, 4, PT_MWU_NORMAL, &t);
		tap_ok(!t.exact && close_to(t.p, 0.11134688653314041, 1e-9),
		       "scipy example: asymptotic p 0.11134688653314041");
	}
	{
		/* ties: the exact distribution given the tied ranks */
		static const struct {
			double a[8], b[8];
			size_t na, nb;
		} cases[] = {
			{ { 1, 2, 2, 3, 5 }, { 2, 3, 3, 4, 6 }, 5, 5 },
			{ { 1, 1, 1 }, { 1, 1, 1 }, 3, 3 },
			{ { 7, 7, 8, 8 }, { 8, 8, 9, 9, 9, 10 }, 4, 6 },
			{ { 1, 2, 3, 4, 5, 6, 7 }, { 4, 4, 4, 9, 9, 9, 9, 9 }, 7, 8 },
			{ { 3, 3 }, { 1, 3, 5 }, 2, 3 },
		};

		for (size_t i = 0; i < N(cases); i++) {
			double want = brute_p(cases[i].a, cases[i].na, cases[i].b, cases[i].nb);

			pt_mwu(cases[i].a, cases[i].na, cases[i].b, cases[i].nb, PT_MWU_EXACT, &t);
			tap_ok(close_to(t.p, want, 1e-12), "ties, case %zu: exact p %.6f = enumeration",
			       i, want);
		}
		pt_mwu(cases[1].a, 3, cases[1].b, 3, PT_MWU_NORMAL, &t);
		tap_ok(t.p == 1.0, "every value tied: normal approximation says p 1");
	}
	{
		/* 20 vs 20 interleaved with a shift: exact and normal agree closely */
		double a[20], b[20];

		for (int i = 0; i < 20; i++) {
			a[i] = i;
			b[i] = i + 6.5;
		}
		pt_mwu(a, 20, b, 20, PT_MWU_EXACT, &t);
		{
			double exact = t.p;

			pt_mwu(a, 20, b, 20, PT_MWU_NORMAL, &t);
			tap_ok(close_to(t.p, exact, 0.005), "20 vs 20: normal p %.4f ~ exact p %.4f", t.p,
			       exact);
		}
	}
	{
		double a[30], b[30];

		for (int i = 0; i < 30; i++) {
			a[i] = i;
			b[i] = i;
		}
		pt_mwu(a, 30, b, 30, PT_MWU_AUTO, &t);
		tap_ok(!t.exact && t.p > 0.9, "60 values: normal approximation, identical samples p ~1");
		tap_ok(pt_mwu(a, 30, b, 30, PT_MWU_EXACT, &t) == -1, "exact refused above 50 values");
		tap_ok(pt_mwu(a, 0, b, 30, PT_MWU_AUTO, &t) == -1, "an empty sample is refused");
	}
	return tap_done();
}
