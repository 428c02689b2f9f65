/* `ptbench compare --format junit`: JUnit XML for CI systems. One testsuite
 * per candidate, one testcase per gated metric: a regression is a failure,
 * an inconclusive metric is skipped (the gate could not decide: never a
 * silent pass), improved and unchanged pass. */
#include <stdio.h>

#include "ptbench/compare.h"

static void xml(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&apos;", out);
			break;
		default:
			/* control characters are not allowed in XML 1.0 */
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, out);
		}
	}
}

void pt_cmp_write_junit(const struct pt_cmp_report *r, FILE *out)
{
	struct pt_gate_counts all = { 0 };

	for (size_t i = 0; i < r->ncmp; i++) {
		struct pt_gate_counts g;

		pt_cmp_gate_counts(&r->cmp[i], &g);
		all.gated += g.gated + g.reported;
		all.regressed += g.regressed;
		all.inconclusive += g.inconclusive + g.not_comparable + g.reported;
	}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out, "<testsuites name=\"ptbench compare\" tests=\"%zu\" failures=\"%zu\" "
		     "skipped=\"%zu\">\n",
		all.gated, all.regressed, all.inconclusive);
	for (size_t i = 0; i < r->ncmp; i++) {
		const struct pt_comparison *c = &r->cmp[i];
		struct pt_gate_counts g;

		pt_cmp_gate_counts(c, &g);
		fprintf(out, "  <testsuite name=\"");
		xml(out, r->scenario);
		fprintf(out, ": ");
		xml(out, c->cand->path);
		fprintf(out, " (");
		xml(out, c->cand->kernel);
		fprintf(out, ") vs ");
		xml(out, c->base->path);
		fprintf(out, " (");
		xml(out, c->base->kernel);
		fprintf(out, ")\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" errors=\"0\">\n",
			g.gated + g.reported, g.regressed,
			g.inconclusive + g.not_comparable + g.reported);
		for (size_t k = 0; k < c->n; k++) {
			const struct pt_metric *m = &c->m[k];
			char b[32], cv[32], ch[32], p[32], d[32], msg[768];

			if (!m->gated && !m->reported)
				continue;
			snprintf(msg, sizeof(msg), "%s: %s -> %s (%s, p %s, detectable %s): %s",
				 pt_verdict_name(m->verdict),
				 pt_cmp_fmt_value(m, m->med_base, b, sizeof(b)),
				 pt_cmp_fmt_value(m, m->med_cand, cv, sizeof(cv)),
				 pt_cmp_fmt_change(m->change, ch, sizeof(ch)),
				 pt_cmp_fmt_p(m->p, p, sizeof(p)), pt_cmp_fmt_mde(m, d, sizeof(d)),
				 m->why);
			fprintf(out, "    <testcase classname=\"ptbench.");
			xml(out, r->scenario);
			fprintf(out, "\" name=\"");
			xml(out, m->name);
			fprintf(out, "\">\n");
			if (m->reported) {
				/* listed for the reader, never a failure */
				fprintf(out, "      <skipped message=\"reported, not gated (--gate-on structural): ");
				xml(out, msg);
				fprintf(out, "\"/>\n");
			} else if (m->verdict == PT_VERDICT_REGRESSED) {
				fprintf(out, "      <failure type=\"regression\" message=\"");
				xml(out, msg);
				fprintf(out, "\"/>\n");
			} else if (m->verdict == PT_VERDICT_INCONCLUSIVE ||
				   m->verdict == PT_VERDICT_NOT_COMPARABLE) {
				fprintf(out, "      <skipped message=\"");
				xml(out, msg);
				fprintf(out, "\"/>\n");
			} else {
				fprintf(out, "      <system-out>");
				xml(out, msg);
				fprintf(out, "</system-out>\n");
			}
			fprintf(out, "    </testcase>\n");
		}
		fprintf(out, "  </testsuite>\n");
	}
	fprintf(out, "</testsuites>\n");
}
