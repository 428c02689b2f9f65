/* The verdict rule of `compare` (pt_cmp_decide) on hand-made series: each
 * branch of the rule, both directions, both kinds of metric. */
#include <string.h>

#include "ptbench/compare.h"
#include "tap.h"

/* src/main.c defines these and is not linked into unit tests */
static enum pt_verdict decide(const double *b, size_t nb, const double *c, size_t nc,
			      bool higher_better, bool tail, struct pt_metric *m)
{
	struct pt_cmp_rule rule = PT_CMP_RULE_DEFAULT;

	memset(m, 0, sizeof(*m));
	m->base = (struct pt_series){ (double *)b, nb };
	m->cand = (struct pt_series){ (double *)c, nc };
	m->higher_better = higher_better;
	m->tail = tail;
	pt_cmp_decide(&rule, m);
	return m->verdict;
}

int main(void)
{
	static const double base[] = { 100, 101, 99, 102, 98 };
	static const double up20[] = { 119, 122, 120, 118, 121 };
	static const double down20[] = { 81, 79, 80, 82, 78 };
	static const double same[] = { 99, 100, 102, 98, 101 };
	static const double up7[] = { 107, 108, 106, 109, 107 };
	static const double noisy_same[] = { 70, 90, 100, 110, 140 };
	static const double noisy_up[] = { 60, 90, 120, 150, 200 };
	struct pt_metric m;

	tap_ok(decide(base, 5, up20, 5, false, true, &m) == PT_VERDICT_REGRESSED,
	       "latency +20%%, 5 vs 5: regressed (%s)", m.why);
	tap_ok(decide(base, 5, down20, 5, false, true, &m) == PT_VERDICT_IMPROVED,
	       "latency -20%%: improved (%s)", m.why);
	tap_ok(decide(base, 5, down20, 5, true, false, &m) == PT_VERDICT_REGRESSED,
	       "ops/s -20%%: regressed (%s)", m.why);
	tap_ok(decide(base, 5, up20, 5, true, false, &m) == PT_VERDICT_IMPROVED,
	       "ops/s +20%%: improved (%s)", m.why);
	tap_ok(decide(base, 5, same, 5, false, false, &m) == PT_VERDICT_UNCHANGED,
	       "same distribution: unchanged (%s)", m.why);
	tap_ok(decide(base, 5, up7, 5, false, false, &m) == PT_VERDICT_REGRESSED,
	       "p50 +7%% over a 5%% threshold: regressed (%s)", m.why);
	tap_ok(decide(base, 5, up7, 5, false, true, &m) == PT_VERDICT_UNCHANGED,
	       "p99 +7%% under the 10%% tail threshold: unchanged (%s)", m.why);
	tap_ok(decide(base, 2, up20, 2, false, true, &m) == PT_VERDICT_INCONCLUSIVE &&
		       strstr(m.why, "too few"),
	       "2 repeats a side: inconclusive (%s)", m.why);
	tap_ok(decide(base, 3, up20, 3, false, true, &m) == PT_VERDICT_INCONCLUSIVE &&
		       strstr(m.why, "cannot give"),
	       "3 vs 3, +20%%: inconclusive, p cannot go below 0.1 (%s)", m.why);
	tap_ok(decide(base, 5, noisy_up, 5, false, true, &m) == PT_VERDICT_INCONCLUSIVE,
	       "noisy candidate, median +20%%: inconclusive (%s)", m.why);
	tap_ok(decide(base, 5, noisy_same, 5, false, true, &m) == PT_VERDICT_INCONCLUSIVE &&
		       strstr(m.why, "too noisy"),
	       "noisy candidate, same median: inconclusive, not unchanged (%s)", m.why);
	{
		/* fully separated, but the baseline's spread is larger than the shift */
		static const double wide[] = { 60, 70, 100, 130, 140 };
		static const double above[] = { 141, 142, 143, 144, 145 };
		static const double wide_c[] = { 150, 160, 170, 180, 190 };

		tap_ok(decide(wide, 5, above, 5, false, true, &m) == PT_VERDICT_INCONCLUSIVE &&
			       strstr(m.why, "swamps"),
		       "significant +43%% inside a 60%% spread: inconclusive (%s)", m.why);
		tap_ok(decide(wide, 5, wide_c, 5, false, true, &m) == PT_VERDICT_REGRESSED,
		       "significant +70%% beyond a 60%% spread: regressed (%s)", m.why);
	}
	{
		static const double zeros[] = { 0, 0, 0, 0, 0 };

		tap_ok(decide(zeros, 5, zeros, 5, true, false, &m) == PT_VERDICT_UNCHANGED &&
			       m.change == 0,
		       "0 ops/s on both sides: unchanged");
		tap_ok(decide(zeros, 5, base, 5, true, false, &m) == PT_VERDICT_IMPROVED,
		       "0 -> 100 ops/s: improved (%s)", m.why);
	}
	return tap_done();
}
