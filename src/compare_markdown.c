/* `ptbench compare --format markdown`: for a mailing-list reply or a pull
 * request. Regressions in bold upper case. */
#include "ptbench/compare.h"

void pt_cmp_write_markdown(const struct pt_cmp_report *r, FILE *out)
{
	fprintf(out, "### ptbench compare: %s\n\n", r->scenario);
	fprintf(out,
		"Rule: a change counts when the Mann-Whitney U test (two-sided, one value "
		"per repeat) gives p < %g and the medians differ by at least %g%% (%g%% for "
		"p99, p999, p9999, max) and by more than either side's IQR/median; unchanged "
		"needs a smaller difference and IQR/median within that minimum; anything "
		"else, and fewer than %zu repeats a side, is inconclusive. Gated metrics "
		"(%s) are marked (gate).\n",
		r->rule.alpha, 100 * r->rule.threshold, 100 * r->rule.threshold_tail,
		r->rule.min_repeats, r->gate_from);
	for (size_t i = 0; i < r->ncmp; i++) {
		const struct pt_comparison *c = &r->cmp[i];
		struct pt_gate_counts g;

		fprintf(out,
			"\nBaseline `%s` (kernel %s, %zu repeats) vs candidate `%s` "
			"(kernel %s, %zu repeats):\n\n",
			c->base->path, c->base->kernel, c->base->repeats, c->cand->path,
			c->cand->kernel, c->cand->repeats);
		fprintf(out, "| metric | baseline | candidate | change | p | verdict |\n"
			     "| --- | ---: | ---: | ---: | ---: | --- |\n");
		for (size_t k = 0; k < c->n; k++) {
			const struct pt_metric *m = &c->m[k];
			char b[32], cv[32], ch[32], p[32];
			bool reg = m->verdict == PT_VERDICT_REGRESSED;

			if (!pt_cmp_listed(r, m))
				continue;
			fprintf(out, "| `%s`%s | %s | %s | %s | %s | %s%s%s |\n", m->name,
				m->gated ? " (gate)" : "",
				pt_cmp_fmt_value(m, m->med_base, b, sizeof(b)),
				pt_cmp_fmt_value(m, m->med_cand, cv, sizeof(cv)),
				pt_cmp_fmt_change(m->change, ch, sizeof(ch)),
				pt_cmp_fmt_p(m->p, p, sizeof(p)), reg ? "**" : "",
				reg ? "REGRESSED" : pt_verdict_name(m->verdict), reg ? "**" : "");
		}
		pt_cmp_gate_counts(c, &g);
		fprintf(out,
			"\nGate: **%s** (%zu gated: %zu regressed, %zu inconclusive, %zu improved, "
			"%zu unchanged)\n",
			pt_cmp_gate_word(&g), g.gated, g.regressed, g.inconclusive, g.improved,
			g.unchanged);
	}
}
