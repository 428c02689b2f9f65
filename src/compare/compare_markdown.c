/* `ptbench compare --format markdown`: for a mailing-list reply or a pull
 * request. Regressions in bold upper case. */
#include "ptbench/compare.h"
#include "ptbench/escape.h"

void pt_cmp_write_markdown(const struct pt_cmp_report *r, FILE *out)
{
	char e1[1024], e2[256], e3[1024], e4[256];

	/* names, paths and kernels came from inputs: escaped for markdown */
	fprintf(out, "### ptbench compare: %s\n\n", pt_esc(r->scenario, PT_ESC_MD, e1, sizeof(e1)));
	fprintf(out,
		"Rule: a change counts when the medians (one value per repeat) differ by at "
		"least %g%% (%g%% for p99, p999, p9999, max) and either the Mann-Whitney U test "
		"(two-sided) gives p < %g with the difference beyond either side's IQR/median, "
		"or every repeat of one side lies beyond the other's with a gap wider than each "
		"side's range. Structural metrics (lock acquisitions per op, collapse proof) "
		"change by at least %g%% and %g per op with no overlap between the sides, or "
		"from 0 to at least 1 per op. No change found is unchanged only when the run could have caught a "
		"regression of %g%% (column \"detectable\": the smallest it could catch); "
		"otherwise, and with fewer than %zu repeats a side, inconclusive. Gated metrics "
		"(%s) are marked (gate).\n",
		100 * r->rule.threshold, 100 * r->rule.threshold_tail, r->rule.alpha,
		100 * r->rule.threshold_struct, r->rule.struct_abs, 100 * r->rule.tolerance,
		r->rule.min_repeats, r->gate_from);
	if (r->structural_only)
		fprintf(out,
			"\nGross rule (`--gate-on structural`: the headline's latency and ops/s are "
			"reported, and gated only for this): regressed when the median got at least "
			"%gx worse with every repeat of the candidate beyond every repeat of the "
			"baseline, at least %zu a side (4 v 4 apart by chance: 1/70).\n",
			r->rule.gross_factor, r->rule.gross_min_repeats);
	for (size_t i = 0; i < r->ncmp; i++) {
		const struct pt_comparison *c = &r->cmp[i];
		struct pt_gate_counts g;

		fprintf(out,
			"\nBaseline `%s` (kernel %s, %zu repeats) vs candidate `%s` "
			"(kernel %s, %zu repeats):\n\n",
			pt_esc(c->base->path, PT_ESC_MD_CODE, e1, sizeof(e1)),
			pt_esc(c->base->kernel, PT_ESC_MD, e2, sizeof(e2)), c->base->repeats,
			pt_esc(c->cand->path, PT_ESC_MD_CODE, e3, sizeof(e3)),
			pt_esc(c->cand->kernel, PT_ESC_MD, e4, sizeof(e4)), c->cand->repeats);
		fprintf(out, "| metric | baseline | candidate | change | p | detectable | verdict |\n"
			     "| --- | ---: | ---: | ---: | ---: | ---: | --- |\n");
		for (size_t k = 0; k < c->n; k++) {
			const struct pt_metric *m = &c->m[k];
			char b[32], cv[32], ch[32], p[32], d[32];
			bool reg = m->verdict == PT_VERDICT_REGRESSED;

			if (!pt_cmp_listed(r, m))
				continue;
			fprintf(out, "| `%s`%s | %s | %s | %s | %s | %s | %s%s%s%s%s%s |\n",
				pt_esc(m->name, PT_ESC_MD_CODE, e1, sizeof(e1)),
				m->gated ? " (gate)" : m->reported ? " (reported)" : "",
				pt_cmp_fmt_value(m, m->med_base, b, sizeof(b)),
				pt_cmp_fmt_value(m, m->med_cand, cv, sizeof(cv)),
				pt_cmp_fmt_change(m->change, ch, sizeof(ch)),
				pt_cmp_fmt_p(m->p, p, sizeof(p)), pt_cmp_fmt_mde(m, d, sizeof(d)),
				reg ? "**" : "",
				reg ? "REGRESSED" : pt_verdict_name(m->verdict), reg ? "**" : "",
				/* which rule decided, the gross rule's word on a reported one */
				m->gross ? " (" : "", m->gross ? m->gross_why : "", m->gross ? ")" : "");
		}
		pt_cmp_gate_counts(c, &g);
		fprintf(out,
			"\nGate: **%s** (%zu gated: %zu regressed, %zu inconclusive, %zu improved, "
			"%zu unchanged, %zu not comparable)\n",
			pt_cmp_gate_word(&g), g.gated, g.regressed, g.inconclusive, g.improved,
			g.unchanged, g.not_comparable);
		if (g.gross_regressed)
			fprintf(out, "\nRegressed by the gross rule (reported latency or ops/s, gated "
				     "for a gross change): %zu.\n",
				g.gross_regressed);
		if (g.reported)
			fprintf(out, "\nLatency reported, not gated (`--gate-on structural`): %zu metrics, "
				     "%zu regressed.\n",
				g.reported, g.reported_regressed);
	}
}
