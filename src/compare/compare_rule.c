/* The verdict rule of `compare` (doc/compare.md).
 *
 * Distribution metrics (a percentile or ops_per_sec, one value per repeat)
 * change when the medians differ by at least the minimum effect and either
 * the Mann-Whitney U test is significant with the change beyond both sides'
 * IQR/median, or the two sides separate completely with a gap wider than
 * either side's range (which decides large effects where the exact test
 * cannot reach alpha, 3 vs 3). Structural metrics (lock acquisitions per op,
 * the collapse proof) barely vary, so they change on a relative and absolute
 * difference with no overlap between the sides, and 0 <-> >= 1 per op
 * always counts.
 *
 * No change found is a pass (unchanged) only when the same rule would have
 * caught a regression of the tolerance: mde, the smallest regression that
 * this pair of samples could have called, is computed by shifting the
 * candidate (re-centred on the baseline's median) until the rule fires.
 *
 * The gross rule (pt_cmp_gross) is for the latency that --gate-on
 * structural only reports, where the rule above cannot be trusted (TCG
 * guests: 10 of 10 same-kernel trials undecided): a worsening by a large
 * factor seen in every value a side, at least 4 a side, is regressed. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/compare.h"
#include "ptbench/stats.h"
#include "ptbench/util.h"

/* no more than this many repeats a side are suggested */
#define MAX_REPEATS_SUGGESTED 50

static void set_why(struct pt_metric *m, enum pt_verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_why(struct pt_metric *m, enum pt_verdict v, const char *fmt, ...)
{
	va_list ap;

	m->verdict = v;
	va_start(ap, fmt);
	vsnprintf(m->why, sizeof(m->why), fmt, ap);
	va_end(ap);
}

static double rel_change(double mb, double mc)
{
	if (isnan(mb) || isnan(mc))
		return NAN;
	if (mb != 0)
		return (mc - mb) / fabs(mb);
	return mc == 0 ? 0 : copysign(INFINITY, mc);
}

static void min_max(const double *v, size_t n, double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		*lo = fmin(*lo, v[i]);
		*hi = fmax(*hi, v[i]);
	}
}

/* Every candidate value beyond every baseline value on the side of dir
 * (+1: above), with the gap between the nearest two wider than each side's
 * range (max - min). Positive values are compared as logarithms: latency
 * noise is multiplicative, and a tripled latency triples its spread too. */
bool pt_cmp_separated(const double *b, size_t nb, const double *c, size_t nc, int dir)
{
	double bl, bh, cl, ch, gap;

	if (!nb || !nc)
		return false;
	min_max(b, nb, &bl, &bh);
	min_max(c, nc, &cl, &ch);
	if (bl > 0 && cl > 0) {
		bl = log(bl);
		bh = log(bh);
		cl = log(cl);
		ch = log(ch);
	}
	gap = dir > 0 ? cl - bh : bl - ch;
	return gap > 0 && gap > bh - bl && gap > ch - cl;
}

struct dist_call {
	double change, p, noise;
	bool exact;
	const char *by; /* NULL: no change called */
};

/* The baseline of a call: its values and what a call needs of them alone
 * (the mde search calls the rule ~26 times on one baseline) */
struct dist_base {
	const double *v;
	size_t n;
	double med, noise;
};

static void dist_base_of(const double *b, size_t nb, struct dist_base *out)
{
	out->v = b;
	out->n = nb;
	out->med = pt_median(b, nb);
	out->noise = pt_rel_iqr(b, nb);
}

/* The "changed" half of the distribution rule on two samples. */
static void dist_call(const struct pt_cmp_rule *rule, double tmin, const struct dist_base *b,
		      const double *c, size_t nc, enum pt_mwu_method method, struct dist_call *out)
{
	struct pt_mwu t;
	double mag;

	out->change = rel_change(b->med, pt_median(c, nc));
	out->noise = fmax(b->noise, pt_rel_iqr(c, nc));
	out->by = NULL;
	out->p = NAN;
	out->exact = false;
	if (!pt_mwu(c, nc, b->v, b->n, method, &t)) {
		out->p = t.p;
		out->exact = t.exact;
	}
	mag = fabs(out->change);
	/* the tiny slack keeps a shift of exactly tmin (the mde search) in */
	if (!(mag >= tmin * (1 - 1e-9)))
		return;
	if (out->p < rule->alpha && mag > out->noise)
		out->by = "mann-whitney";
	else if (pt_cmp_separated(b->v, b->n, c, nc, out->change > 0 ? 1 : -1))
		out->by = "separation";
}

/* Whether the rule calls a regression of d (a fraction) when the candidate,
 * re-centred on the baseline's median, is made worse by d; each sample
 * repeated k times stands for k times as many repeats that look alike. */
struct mde_ctx {
	const struct pt_cmp_rule *rule;
	double tmin;
	double *b, *c0, *c;
	size_t nb, nc;
	struct dist_base base; /* of b, once b is filled */
	bool higher_better;
	enum pt_mwu_method method;
};

static bool regression_called(struct mde_ctx *x, double d)
{
	struct dist_call dc;

	for (size_t i = 0; i < x->nc; i++)
		x->c[i] = x->c0[i] * (x->higher_better ? 1 - d : 1 + d);
	dist_call(x->rule, x->tmin, &x->base, x->c, x->nc, x->method, &dc);
	return dc.by && (x->higher_better ? dc.change < 0 : dc.change > 0);
}

/* The smallest regression (a fraction of the baseline median) the rule
 * would call on samples shaped like these, each repeated k times;
 * INFINITY when none up to 100x (or a 99% drop for higher-is-better). */
static double dist_mde(const struct pt_cmp_rule *rule, double tmin, const struct pt_metric *m,
		       size_t k)
{
	double mb = pt_median(m->base.v, m->base.n), mc = pt_median(m->cand.v, m->cand.n);
	double lo = tmin, hi = m->higher_better ? 0.99 : 100.0;
	struct mde_ctx x = { .rule = rule, .tmin = tmin, .nb = m->base.n * k, .nc = m->cand.n * k,
			     .higher_better = m->higher_better, .method = PT_MWU_AUTO };

	/* nothing falls below a rate of 0: no regression to miss */
	if (m->higher_better && mb == 0)
		return 0;
	/* the shift is a scale: it needs positive medians */
	if (!(mb > 0) || !(mc > 0))
		return INFINITY;
	if (lo >= hi)
		return INFINITY;
	/* exact p-values cost O(N^3) and the search evaluates the rule ~20
	 * times: beyond 30 values in all, and for the projections to more
	 * repeats (k > 1, an estimate anyway), the normal approximation */
	if (k > 1 || x.nb + x.nc > 30)
		x.method = PT_MWU_NORMAL;
	x.b = pt_xmalloc(x.nb * sizeof(double));
	x.c0 = pt_xmalloc(x.nc * sizeof(double));
	x.c = pt_xmalloc(x.nc * sizeof(double));
	for (size_t r = 0; r < k; r++) {
		memcpy(x.b + r * m->base.n, m->base.v, m->base.n * sizeof(double));
		for (size_t i = 0; i < m->cand.n; i++)
			x.c0[r * m->cand.n + i] = m->cand.v[i] * mb / mc;
	}
	dist_base_of(x.b, x.nb, &x.base);
	if (regression_called(&x, lo)) {
		hi = lo;
	} else if (!regression_called(&x, hi)) {
		hi = INFINITY;
	} else {
		/* every part of the rule only gets easier as d grows: bisect */
		for (int i = 0; i < 24 && hi - lo > 1e-3 * hi; i++) {
			double mid = (lo + hi) / 2;

			if (regression_called(&x, mid))
				hi = mid;
			else
				lo = mid;
		}
	}
	free(x.b);
	free(x.c0);
	free(x.c);
	return hi;
}

/* How many repeats a side would bring the mde within the tolerance, if
 * they looked like these; 0 when no number would (the spread condition
 * does not shrink with more repeats). */
static size_t repeats_for_tolerance(const struct pt_cmp_rule *rule, double tmin,
				    const struct pt_metric *m)
{
	size_t n = m->base.n > m->cand.n ? m->base.n : m->cand.n;

	/* copies of the same values keep each side's IQR/median, which the
	 * change must exceed: past the tolerance, no number of repeats helps */
	if (fmax(pt_rel_iqr(m->base.v, m->base.n), pt_rel_iqr(m->cand.v, m->cand.n)) >=
	    rule->tolerance)
		return 0;
	for (size_t k = 2; k * n <= MAX_REPEATS_SUGGESTED; k++)
		if (dist_mde(rule, tmin, m, k) <= rule->tolerance)
			return k * n;
	return 0;
}

static void fmt_pct(double f, char *buf, size_t len)
{
	if (isinf(f))
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "%.0f%%", 100 * f);
}

static void decide_dist(const struct pt_cmp_rule *rule, struct pt_metric *m)
{
	struct dist_call dc;
	struct dist_base base;
	char mde[32], tol[32];
	bool worse;

	m->threshold = m->tail ? rule->threshold_tail : rule->threshold;
	dist_base_of(m->base.v, m->base.n, &base);
	dist_call(rule, m->threshold, &base, m->cand.v, m->cand.n, PT_MWU_AUTO, &dc);
	m->p = dc.p;
	m->p_exact = dc.exact;
	m->mde = dist_mde(rule, m->threshold, m, 1);
	m->mde_abs = m->mde * fabs(m->med_base);
	fmt_pct(m->mde, mde, sizeof(mde));
	fmt_pct(rule->tolerance, tol, sizeof(tol));
	worse = m->higher_better ? dc.change < 0 : dc.change > 0;
	if (dc.by) {
		m->decided_by = dc.by;
		if (!strcmp(dc.by, "mann-whitney"))
			set_why(m, worse ? PT_VERDICT_REGRESSED : PT_VERDICT_IMPROVED,
				"p %.3f < %g, |change| %.1f%% >= %.0f%%, > spread %.0f%%", dc.p,
				rule->alpha, 100 * fabs(dc.change), 100 * m->threshold, 100 * dc.noise);
		else
			set_why(m, worse ? PT_VERDICT_REGRESSED : PT_VERDICT_IMPROVED,
				"separated: every repeat %s, gap wider than each side's range, "
				"|change| %.1f%% >= %.0f%%",
				dc.change > 0 ? "above" : "below", 100 * fabs(dc.change),
				100 * m->threshold);
		return;
	}
	if (m->mde == 0) {
		m->decided_by = "detectable";
		set_why(m, PT_VERDICT_UNCHANGED, "the baseline is 0: nothing to fall from");
		return;
	}
	if (m->mde <= rule->tolerance) {
		m->decided_by = "detectable";
		set_why(m, PT_VERDICT_UNCHANGED,
			"no change >= %.0f%% found; a regression of %s would have been caught "
			"(tolerance %s)",
			100 * m->threshold, mde, tol);
		return;
	}
	m->repeats_needed = repeats_for_tolerance(rule, m->threshold, m);
	if (isinf(m->mde))
		snprintf(mde, sizeof(mde), "none up to 100x");
	if (m->repeats_needed)
		set_why(m, PT_VERDICT_INCONCLUSIVE,
			"smallest regression it could catch: %s (tolerance %s); about %zu repeats "
			"a side would do",
			mde, tol, m->repeats_needed);
	else
		set_why(m, PT_VERDICT_INCONCLUSIVE,
			"smallest regression it could catch: %s (tolerance %s); spread IQR/median "
			"%.0f%%: more repeats will not help (a quieter machine, or a larger "
			"--tolerance)",
			mde, tol, 100 * dc.noise);
}

static void decide_struct(const struct pt_cmp_rule *rule, struct pt_metric *m)
{
	double mb = m->med_base, mc = m->med_cand, diff = mc - mb;
	double need = fmax(rule->struct_abs, rule->threshold_struct * fabs(mb));
	/* the per-op floor is for lock counts per op, not for rates in [0, 1]
	 * (success_rate, timeouts_per_iteration), where 0.5 is half the scale */
	double tol = fmax(m->tol_floor == PT_TOL_PER_OP ? rule->struct_tol_abs : rule->struct_abs,
			  rule->tolerance * fabs(mb));
	double bl, bh, cl, ch, overlap;
	bool worse = m->higher_better ? diff < 0 : diff > 0, apart;
	enum pt_verdict dir = worse ? PT_VERDICT_REGRESSED : PT_VERDICT_IMPROVED;

	min_max(m->base.v, m->base.n, &bl, &bh);
	min_max(m->cand.v, m->cand.n, &cl, &ch);
	/* every candidate value beyond every baseline value in the direction of
	 * the change: structural metrics barely move on one kernel, so a real
	 * change moves every boot (4 values a side make a poor IQR) */
	apart = diff > 0 ? cl > bh : ch < bl;
	/* the shift of the candidate (re-centred on the baseline's median)
	 * that a regression needs before no value overlaps */
	overlap = m->higher_better ? (mb - bl) + (ch - mc) : (bh - mb) + (mc - cl);
	m->threshold = rule->threshold_struct;
	m->mde_abs = fmax(need, overlap * (1 + 1e-9));
	m->mde = mb != 0 ? m->mde_abs / fabs(mb) : INFINITY;
	if (fmin(fabs(mb), fabs(mc)) == 0 && fmax(fabs(mb), fabs(mc)) >= 1) {
		m->decided_by = "zero-to-nonzero";
		set_why(m, dir, "%.3g -> %.3g per op: from none to at least one, whatever the noise",
			mb, mc);
	} else if (fabs(diff) >= need && apart) {
		m->decided_by = "structural";
		set_why(m, dir, "|change| %.3g >= %.3g (%.0f%%, at least %g), every value beyond the "
				"other side's",
			fabs(diff), need, 100 * rule->threshold_struct, rule->struct_abs);
	} else if (fabs(diff) >= need && worse &&
		   !(m->tol_floor == PT_TOL_PER_OP && mb != 0 && fabs(diff) < rule->struct_tol_abs &&
		     m->mde_abs <= tol)) {
		/* the median got worse by the minimum change but the sides overlap:
		 * a regression is neither shown nor ruled out. Except a count per
		 * op that moved by less than the per-op floor of the tolerance (half
		 * an acquisition per op) while one of the tolerance would have
		 * cleared the overlap: a 7.2 smaps reader's rare fallbacks to
		 * mmap_lock wander 0.05-0.4 per read boot to boot, and the changes
		 * these counts exist for are whole acquisitions per op; that is
		 * unchanged below, as it is for a change under the minimum. Not
		 * from a baseline of 0: a lock taken where none was is news */
		set_why(m, PT_VERDICT_INCONCLUSIVE,
			"|change| %.3g >= %.3g but the sides overlap (ranges %.3g-%.3g, %.3g-%.3g): "
			"more repeats, or a quieter machine",
			fabs(diff), need, bl, bh, cl, ch);
	} else if (m->mde_abs <= tol) {
		m->decided_by = "detectable";
		if (fabs(diff) >= need && worse)
			set_why(m, PT_VERDICT_UNCHANGED,
				"|change| %.3g >= %.3g but under %g per op with the sides overlapping "
				"(ranges %.3g-%.3g, %.3g-%.3g): a change of %.3g would have been caught",
				fabs(diff), need, rule->struct_tol_abs, bl, bh, cl, ch, m->mde_abs);
		else
			set_why(m, PT_VERDICT_UNCHANGED,
				"|change| %.3g < %.3g or the sides overlap (ranges %.3g-%.3g, "
				"%.3g-%.3g): a change of %.3g would have been caught",
				fabs(diff), need, bl, bh, cl, ch, m->mde_abs);
	} else {
		set_why(m, PT_VERDICT_INCONCLUSIVE,
			"ranges %.3g-%.3g and %.3g-%.3g: a change would have to exceed %.3g to clear "
			"them, wider than the tolerance %.3g",
			bl, bh, cl, ch, m->mde_abs, tol);
	}
}

void pt_cmp_decide(const struct pt_cmp_rule *rule, struct pt_metric *m)
{
	m->med_base = pt_median(m->base.v, m->base.n);
	m->med_cand = pt_median(m->cand.v, m->cand.n);
	m->spread_base = pt_rel_iqr(m->base.v, m->base.n);
	m->spread_cand = pt_rel_iqr(m->cand.v, m->cand.n);
	m->change = m->base.n && m->cand.n ? rel_change(m->med_base, m->med_cand) : NAN;
	m->p = NAN;
	m->p_exact = false;
	m->mde = m->mde_abs = NAN;
	m->tolerance = rule->tolerance;
	m->repeats_needed = 0;
	m->decided_by = NULL;
	m->threshold = m->kind == PT_METRIC_STRUCT ? rule->threshold_struct
		       : m->tail		   ? rule->threshold_tail
						   : rule->threshold;
	if (m->base.n < rule->min_repeats || m->cand.n < rule->min_repeats) {
		m->repeats_needed = rule->min_repeats;
		set_why(m, PT_VERDICT_INCONCLUSIVE, "too few repeats: %zu vs %zu, need %zu a side",
			m->base.n, m->cand.n, rule->min_repeats);
		return;
	}
	if (m->kind == PT_METRIC_STRUCT)
		decide_struct(rule, m);
	else
		decide_dist(rule, m);
}

/* The gross rule. Complete separation of n v m exchangeable values (the
 * ABBA boot order keeps drift from favouring one side) happens by chance
 * with probability 1 / C(n+m, n) in each direction: 1/70 at 4 v 4. The
 * factor on the medians only lowers that on real noise; it is what keeps a
 * small but consistent shift (one that TCG noise can fake across 4 boots)
 * from failing a gate. */
bool pt_cmp_gross(const struct pt_cmp_rule *rule, struct pt_metric *m)
{
	double mb = pt_median(m->base.v, m->base.n), mc = pt_median(m->cand.v, m->cand.n);
	double bl, bh, cl, ch, need = rule->gross_factor;
	size_t nmin = rule->gross_min_repeats;
	bool apart;

	m->gross = true;
	m->worse_factor = NAN;
	m->gross_mde = INFINITY;
	min_max(m->base.v, m->base.n, &bl, &bh);
	min_max(m->cand.v, m->cand.n, &cl, &ch);
	if (m->base.n && m->cand.n) {
		if (m->higher_better)
			m->worse_factor = mc > 0 ? mb / mc : mb > 0 ? INFINITY : NAN;
		else
			m->worse_factor = mb > 0 && mc >= 0 ? mc / mb : NAN;
	}
	/* every candidate value worse than every baseline value */
	apart = m->base.n && m->cand.n && (m->higher_better ? ch < bl : cl > bh);
	if (m->base.n < nmin || m->cand.n < nmin) {
		snprintf(m->gross_why, sizeof(m->gross_why),
			 "gross rule: %zu vs %zu repeats, needs %zu a side", m->base.n, m->cand.n,
			 nmin);
		return false;
	}
	/* the candidate re-centred on the baseline's median and made worse by
	 * s: apart once s passes the ratio of the nearest two values */
	if (mb > 0 && mc > 0 && bl > 0 && cl > 0)
		m->gross_mde = fmax(need, m->higher_better ? ch * mb / (mc * bl) : bh * mc / (cl * mb));
	if (!(m->worse_factor >= need * (1 - 1e-9)) || !apart) {
		char mde[48];

		if (isinf(m->gross_mde))
			snprintf(mde, sizeof(mde), "values <= 0: no factor it calls");
		else
			snprintf(mde, sizeof(mde), "it calls >= %.3gx here", m->gross_mde);
		snprintf(m->gross_why, sizeof(m->gross_why), "gross rule: not called: %.3gx worse%s, %s; %s",
			 m->worse_factor, m->worse_factor >= need * (1 - 1e-9) ? "" : ", under the factor",
			 apart ? "every repeat apart" : "the sides overlap", mde);
		return false;
	}
	snprintf(m->gross_why, sizeof(m->gross_why),
		 "gross rule: %.3gx worse (>= %gx), every repeat apart (%zu vs %zu)", m->worse_factor,
		 need, m->base.n, m->cand.n);
	m->verdict = PT_VERDICT_REGRESSED;
	m->decided_by = "gross";
	snprintf(m->why, sizeof(m->why),
		 "%s; under --gate-on structural only such gross changes of latency and ops/s "
		 "fail the gate",
		 m->gross_why);
	return true;
}
