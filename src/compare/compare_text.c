/* `ptbench compare` text output: an aligned table per candidate, with
 * regressions marked "!!" and in upper case (and red on a terminal). */
#include <string.h>

#include "ptbench/compare.h"
#include "ptbench/escape.h"

#define RED "\033[1;31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define RESET "\033[0m"

void pt_cmp_write_rule(const struct pt_cmp_report *r, FILE *out, const char *indent)
{
	fprintf(out,
		"%srule: changed when |change of medians| >= %g%% (%g%% for p99/p999/p9999/max) and either\n"
		"%s      Mann-Whitney U (two-sided) p < %g with the change > each side's IQR/median, or\n"
		"%s      every repeat beyond the other side with a gap wider than each side's range;\n"
		"%s      structural (per op, collapse): |change| >= %g%% and >= %g, sides apart, or 0 <-> >= 1;\n"
		"%s      unchanged when no change is found and a regression of %g%% would have been\n"
		"%s      caught (\"detectable\": the smallest one this run could catch); fewer than %zu\n"
		"%s      repeats a side, or a detectable change above %g%%: inconclusive\n",
		indent, 100 * r->rule.threshold, 100 * r->rule.threshold_tail, indent, r->rule.alpha,
		indent, indent, 100 * r->rule.threshold_struct, r->rule.struct_abs, indent,
		100 * r->rule.tolerance, indent, r->rule.min_repeats, indent, 100 * r->rule.tolerance);
	if (r->structural_only)
		fprintf(out,
			"%s      gross rule (--gate-on structural: latency reported, gated only for this):\n"
			"%s      regressed when the median got >= %gx worse with every repeat apart, >= %zu a side\n",
			indent, indent, r->rule.gross_factor, r->rule.gross_min_repeats);
}

static void gate_line(const struct pt_cmp_report *r, const struct pt_comparison *c, FILE *out)
{
	struct pt_gate_counts g;

	pt_cmp_gate_counts(c, &g);
	fprintf(out, "gate%s: %s: %zu gated (%s): %zu regressed", r->gate ? "" : " (not enforced without --gate)",
		pt_cmp_gate_word(&g), g.gated, r->gate_from, g.regressed);
	if (g.gross_regressed)
		fprintf(out, " (%zu by the gross rule)", g.gross_regressed);
	fprintf(out, ", %zu inconclusive, %zu improved, %zu unchanged", g.inconclusive, g.improved,
		g.unchanged);
	if (g.not_comparable)
		fprintf(out, ", %zu not comparable", g.not_comparable);
	if (g.reported)
		fprintf(out, "; latency reported, not gated (--gate-on structural): %zu, %zu regressed",
			g.reported, g.reported_regressed);
	fprintf(out, "\n");
}

void pt_cmp_write_text(const struct pt_cmp_report *r, FILE *out, bool color)
{
	const struct pt_cmp_input *base = r->ncmp ? r->cmp[0].base : NULL;

	char e1[1024], e2[256];

	/* names, paths and reasons came from inputs: escaped for a terminal */
	fprintf(out, "scenario %s\n", pt_esc(r->scenario, PT_ESC_TERM, e1, sizeof(e1)));
	if (base) {
		fprintf(out, "baseline: %s", pt_esc(base->path, PT_ESC_TERM, e1, sizeof(e1)));
		fprintf(out, " (kernel %s, %zu repeats)\n", pt_esc(base->kernel, PT_ESC_TERM, e2, sizeof(e2)),
			base->repeats);
	}
	pt_cmp_write_rule(r, out, "");
	for (size_t i = 0; i < r->ncmp; i++) {
		const struct pt_comparison *c = &r->cmp[i];
		int w = (int)strlen("metric");

		for (size_t k = 0; k < c->n; k++)
			if (pt_cmp_listed(r, &c->m[k])) {
				int len = (int)strlen(pt_esc(c->m[k].name, PT_ESC_TERM, e1, sizeof(e1))) +
					  (c->m[k].gated || c->m[k].reported ? 2 : 0);

				if (len > w)
					w = len;
			}
		fprintf(out, "\ncandidate: %s", pt_esc(c->cand->path, PT_ESC_TERM, e1, sizeof(e1)));
		fprintf(out, " (kernel %s, %zu repeats)\n", pt_esc(c->cand->kernel, PT_ESC_TERM, e2, sizeof(e2)),
			c->cand->repeats);
		fprintf(out, "   %-*s %11s %11s %9s %7s %10s  %s\n", w, "metric", "baseline",
			"candidate", "change", "p", "detectable", "verdict");
		for (size_t k = 0; k < c->n; k++) {
			const struct pt_metric *m = &c->m[k];
			char name[600], b[32], cv[32], ch[32], p[32], d[32];
			const char *mark = "  ", *on = "", *verdict = pt_verdict_name(m->verdict);

			if (!pt_cmp_listed(r, m))
				continue;
			switch (m->verdict) {
			case PT_VERDICT_REGRESSED:
				mark = "!!";
				verdict = "REGRESSED";
				on = RED;
				break;
			case PT_VERDICT_IMPROVED:
				on = GREEN;
				break;
			case PT_VERDICT_INCONCLUSIVE:
			case PT_VERDICT_NOT_COMPARABLE:
				on = YELLOW;
				break;
			default:
				break;
			}
			snprintf(name, sizeof(name), "%s%s", pt_esc(m->name, PT_ESC_TERM, e1, sizeof(e1)),
				 m->gated ? " *" : m->reported ? " ~" : "");
			fprintf(out, "%s%s %-*s %11s %11s %9s %7s %10s  %s", color ? on : "", mark, w,
				name, pt_cmp_fmt_value(m, m->med_base, b, sizeof(b)),
				pt_cmp_fmt_value(m, m->med_cand, cv, sizeof(cv)),
				pt_cmp_fmt_change(m->change, ch, sizeof(ch)),
				pt_cmp_fmt_p(m->p, p, sizeof(p)), pt_cmp_fmt_mde(m, d, sizeof(d)), verdict);
			if (m->verdict == PT_VERDICT_INCONCLUSIVE ||
			    m->verdict == PT_VERDICT_NOT_COMPARABLE)
				fprintf(out, " (%s)", pt_esc(m->why, PT_ESC_TERM, e1, sizeof(e1)));
			/* the rule that failed it, or why the gross rule did not */
			if (m->gross)
				fprintf(out, " [%s]", m->gross_why);
			fprintf(out, "%s\n", color && *on ? RESET : "");
		}
		fprintf(out, "   * gated metric;%s medians of one value per repeat; detectable: the "
			     "smallest regression this run could have caught%s\n",
			r->structural_only ? " ~ reported, not gated (--gate-on structural);" : "",
			r->all ? "" : "; --all-metrics lists more");
		gate_line(r, c, out);
	}
}
