/* `ptbench compare --format junit`: JUnit XML for CI systems. One testsuite
 * per candidate, one testcase per gated metric: a regression is a failure,
 * an inconclusive or not comparable metric is skipped (the gate could not
 * decide: never a silent pass), improved and unchanged pass. The Jenkins
 * xUnit junit-10 rules hold (tests/junit-ptbench.xsd): tests, failures and
 * errors on <testsuites> and every <testsuite>, no skipped on <testsuites>,
 * a time on every testcase, and the text of a failure or skip in the
 * element's body (GitLab shows the body) as well as its message. */
#include <stdio.h>

#include "ptbench/compare.h"
#include "ptbench/escape.h"

static void xml(FILE *out, const char *s)
{
	pt_esc_fputs(out, s, PT_ESC_XML);
}

/* <ELEM [type="TYPE"] message="TEXT">TEXT</ELEM> */
static void result_elem(FILE *out, const char *elem, const char *type, const char *prefix, const char *text)
{
	fprintf(out, "      <%s", elem);
	if (type) {
		fprintf(out, " type=\"");
		xml(out, type);
		fputc('"', out);
	}
	fprintf(out, " message=\"");
	xml(out, prefix);
	xml(out, text);
	fprintf(out, "\">");
	xml(out, prefix);
	xml(out, text);
	fprintf(out, "</%s>\n", elem);
}

void pt_cmp_write_junit(const struct pt_cmp_report *r, FILE *out)
{
	struct pt_gate_counts all = { 0 };

	for (size_t i = 0; i < r->ncmp; i++) {
		struct pt_gate_counts g;

		pt_cmp_gate_counts(&r->cmp[i], &g);
		/* nothing gated is one skipped case, never an empty green suite */
		all.gated += g.gated + g.reported ? g.gated + g.reported : 1;
		all.regressed += g.regressed;
	}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out, "<testsuites name=\"ptbench compare\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
		all.gated, all.regressed);
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
		if (!g.gated && !g.reported) {
			fprintf(out, ")\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"1\" time=\"0\">\n");
			fprintf(out, "    <testcase classname=\"ptbench.");
			xml(out, r->scenario);
			fprintf(out, "\" name=\"gate\" time=\"0\">\n");
			result_elem(out, "skipped", "undecided", "",
				    "no metric was gated (none both results can give): undecided");
			fprintf(out, "    </testcase>\n  </testsuite>\n");
			continue;
		}
		fprintf(out, ")\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"0\">\n",
			g.gated + g.reported, g.regressed, g.inconclusive + g.not_comparable + g.reported);
		for (size_t k = 0; k < c->n; k++) {
			const struct pt_metric *m = &c->m[k];
			char b[32], cv[32], ch[32], p[32], d[32], msg[1100];

			if (!m->gated && !m->reported)
				continue;
			/* decided_by names the rule; the gross rule's word follows */
			snprintf(msg, sizeof(msg), "%s%s%s: %s -> %s (%s, p %s, detectable %s): %s%s%s",
				 pt_verdict_name(m->verdict), m->decided_by ? " by " : "",
				 m->decided_by ? m->decided_by : "",
				 pt_cmp_fmt_value(m, m->med_base, b, sizeof(b)),
				 pt_cmp_fmt_value(m, m->med_cand, cv, sizeof(cv)),
				 pt_cmp_fmt_change(m->change, ch, sizeof(ch)),
				 pt_cmp_fmt_p(m->p, p, sizeof(p)), pt_cmp_fmt_mde(m, d, sizeof(d)),
				 m->why, m->gross && m->reported ? "; " : "",
				 m->gross && m->reported ? m->gross_why : "");
			/* metrics are judged, not run: time 0 */
			fprintf(out, "    <testcase classname=\"ptbench.");
			xml(out, r->scenario);
			fprintf(out, "\" name=\"");
			xml(out, m->name);
			fprintf(out, "\" time=\"0\">\n");
			if (m->reported) {
				/* listed for the reader, never a failure */
				result_elem(out, "skipped", "reported",
					    "reported, not gated (--gate-on structural): ", msg);
			} else if (m->verdict == PT_VERDICT_REGRESSED) {
				result_elem(out, "failure", "regression", "", msg);
			} else if (m->verdict == PT_VERDICT_INCONCLUSIVE ||
				   m->verdict == PT_VERDICT_NOT_COMPARABLE) {
				result_elem(out, "skipped", pt_verdict_name(m->verdict), "", msg);
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
