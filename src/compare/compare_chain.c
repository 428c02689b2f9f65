/* `ptbench compare --chain` in text and markdown: results in release order,
 * each compared with the one before it, and one table over all of them:
 * per structural metric (who takes mmap_lock or a VMA lock, how often per
 * op; collapse proof) the median of every result and the steps where the
 * rule called a change. That is the "which release changed it" table: the
 * lock counts are the evidence an emulator does not bend, so latency,
 * which it does, stays in the per-step JSON and is left out here. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/compare.h"
#include "ptbench/escape.h"
#include "ptbench/util.h"

/* The metric called name in comparison c, or NULL when that pair lacks it
 * (a probe or a role on one side only). */
static const struct pt_metric *find(const struct pt_comparison *c, const char *name)
{
	for (size_t k = 0; k < c->n; k++)
		if (!strcmp(c->m[k].name, name))
			return &c->m[k];
	return NULL;
}

/* Whether metric name is 0 (or absent) in every result: no role of any
 * kernel took that lock, so its row would say nothing. */
static bool zero_everywhere(const struct pt_cmp_report *r, const char *name)
{
	for (size_t i = 0; i < r->ncmp; i++) {
		const struct pt_metric *m = find(&r->cmp[i], name);

		/* NaN: no value on that side (absent there), not a non-zero one */
		if (m && ((!isnan(m->med_base) && m->med_base != 0) ||
			  (!isnan(m->med_cand) && m->med_cand != 0)))
			return false;
	}
	return true;
}

/* The rows: every listed structural metric of any step that is not 0 in
 * every result, in the order they first appear. Returns how many and
 * counts the all-zero ones left out in *zero; *out is allocated, the names
 * borrowed. */
static size_t chain_rows(const struct pt_cmp_report *r, const char ***out, size_t *zero)
{
	const char **rows = NULL, **zeros = NULL;
	size_t n = 0, nz = 0;

	for (size_t i = 0; i < r->ncmp; i++)
		for (size_t k = 0; k < r->cmp[i].n; k++) {
			const struct pt_metric *m = &r->cmp[i].m[k];
			size_t j;

			if (m->kind != PT_METRIC_STRUCT || !pt_cmp_listed(r, m))
				continue;
			if (zero_everywhere(r, m->name)) {
				for (j = 0; j < nz && strcmp(zeros[j], m->name); j++)
					;
				if (j == nz) {
					zeros = pt_xrealloc(zeros, (nz + 1) * sizeof(*zeros));
					zeros[nz++] = m->name;
				}
				continue;
			}
			for (j = 0; j < n && strcmp(rows[j], m->name); j++)
				;
			if (j < n)
				continue;
			rows = pt_xrealloc(rows, (n + 1) * sizeof(*rows));
			rows[n++] = m->name;
		}
	free(zeros);
	*zero = nz;
	*out = rows;
	return n;
}

/* The median of result i (0 = the first) for metric name, as text: result i
 * is the candidate of step i-1 and the baseline of step i. A step whose
 * other side lacks the metric (a probe one kernel cannot run) may carry no
 * median for this side either: the other step's is taken then. "-" when
 * neither neighbouring step has a median for it. */
static const char *cell(const struct pt_cmp_report *r, size_t i, const char *name, char *buf,
			size_t len)
{
	const struct pt_metric *m;

	if (i > 0 && (m = find(&r->cmp[i - 1], name)) && !isnan(m->med_cand))
		return pt_cmp_fmt_value(m, m->med_cand, buf, len);
	if (i < r->ncmp && (m = find(&r->cmp[i], name)) && !isnan(m->med_base))
		return pt_cmp_fmt_value(m, m->med_base, buf, len);
	snprintf(buf, len, "-");
	return buf;
}

/* A step where one side has no value for the metric at all (its probe or
 * role absent on that kernel): nothing to decide, so it neither changes the
 * metric nor leaves it undecided; its cells show "-". */
static bool one_side_absent(const struct pt_metric *m)
{
	return m->verdict == PT_VERDICT_NOT_COMPARABLE && (isnan(m->med_base) || isnan(m->med_cand));
}

/* The steps where name changed: "A -> B improved; C -> D REGRESSED", the
 * kernels escaped for fmt; "none" when every step found it unchanged,
 * "undecided" when no step called it and one could not decide. */
static void changes(const struct pt_cmp_report *r, const char *name, enum pt_esc fmt,
		    char *buf, size_t len)
{
	size_t used = 0;
	bool undecided = false;

	buf[0] = 0;
	for (size_t i = 0; i < r->ncmp; i++) {
		const struct pt_metric *m = find(&r->cmp[i], name);
		char a[128], b[128];
		bool reg;

		if (!m)
			continue;
		if (m->verdict != PT_VERDICT_IMPROVED && m->verdict != PT_VERDICT_REGRESSED) {
			undecided |= m->verdict == PT_VERDICT_INCONCLUSIVE ||
				     (m->verdict == PT_VERDICT_NOT_COMPARABLE && !one_side_absent(m));
			continue;
		}
		reg = m->verdict == PT_VERDICT_REGRESSED;
		if (used >= len) /* cut: buf + used would point past buf */
			break;
		used += (size_t)snprintf(buf + used, len - used, "%s%s -> %s %s",
					 used ? "; " : "",
					 pt_esc(r->cmp[i].base->kernel, fmt, a, sizeof(a)),
					 pt_esc(r->cmp[i].cand->kernel, fmt, b, sizeof(b)),
					 reg ? "REGRESSED" : "improved");
	}
	if (!used)
		snprintf(buf, len, "%s", undecided ? "undecided" : "none");
}

static void write_markdown(const struct pt_cmp_report *r, const char **rows, size_t nrows,
			   FILE *out)
{
	char e[1024];

	fprintf(out, "| metric |");
	for (size_t i = 0; i <= r->ncmp; i++)
		fprintf(out, " %s |",
			pt_esc(i ? r->cmp[i - 1].cand->kernel : r->cmp[0].base->kernel, PT_ESC_MD,
			       e, sizeof(e)));
	fprintf(out, " changed |\n| --- |");
	for (size_t i = 0; i <= r->ncmp; i++)
		fprintf(out, " ---: |");
	fprintf(out, " --- |\n");
	for (size_t k = 0; k < nrows; k++) {
		char v[32], ch[2048];

		fprintf(out, "| `%s` |", pt_esc(rows[k], PT_ESC_MD_CODE, e, sizeof(e)));
		for (size_t i = 0; i <= r->ncmp; i++)
			fprintf(out, " %s |", cell(r, i, rows[k], v, sizeof(v)));
		changes(r, rows[k], PT_ESC_MD, ch, sizeof(ch));
		fprintf(out, " %s |\n", ch);
	}
}

/* Aligned columns: the metric name as wide as the widest, each result's
 * column as wide as its kernel release (at least 9). */
static void write_text(const struct pt_cmp_report *r, const char **rows, size_t nrows, FILE *out)
{
	size_t wname = strlen("metric");
	char e[1024];

	for (size_t k = 0; k < nrows; k++) {
		size_t l = strlen(pt_esc(rows[k], PT_ESC_TERM, e, sizeof(e)));

		wname = l > wname ? l : wname;
	}
	fprintf(out, "%-*s", (int)wname, "metric");
	for (size_t i = 0; i <= r->ncmp; i++)
		fprintf(out, "  %9s",
			pt_esc(i ? r->cmp[i - 1].cand->kernel : r->cmp[0].base->kernel, PT_ESC_TERM,
			       e, sizeof(e)));
	fprintf(out, "  changed\n");
	for (size_t k = 0; k < nrows; k++) {
		char v[32], ch[2048];

		fprintf(out, "%-*s", (int)wname, pt_esc(rows[k], PT_ESC_TERM, e, sizeof(e)));
		for (size_t i = 0; i <= r->ncmp; i++) {
			const char *kern = i ? r->cmp[i - 1].cand->kernel : r->cmp[0].base->kernel;
			int w = (int)strlen(pt_esc(kern, PT_ESC_TERM, e, sizeof(e)));

			fprintf(out, "  %*s", w > 9 ? w : 9, cell(r, i, rows[k], v, sizeof(v)));
		}
		changes(r, rows[k], PT_ESC_TERM, ch, sizeof(ch));
		fprintf(out, "  %s\n", ch);
	}
}

void pt_cmp_write_chain(const struct pt_cmp_report *r, FILE *out, bool markdown)
{
	const char **rows;
	size_t zero, nrows = chain_rows(r, &rows, &zero);
	char e[1024];

	if (markdown)
		fprintf(out, "### ptbench compare --chain: %s\n\n",
			pt_esc(r->scenario, PT_ESC_MD, e, sizeof(e)));
	else
		fprintf(out, "scenario %s, %zu results in order, each compared with the one before\n",
			pt_esc(r->scenario, PT_ESC_TERM, e, sizeof(e)), r->ncmp + 1);
	fprintf(out,
		"%sStructural metrics (lock acquisitions, waits and fallbacks per op; collapse "
		"proof), median of each result's repeats; \"changed\": the steps where the rule "
		"called a change (structural rule: at least %g%% and %g per op with the sides "
		"apart, or 0 <-> >= 1 per op); \"undecided\": a step could not decide.%s\n",
		markdown ? "" : "  ", 100 * r->rule.threshold_struct, r->rule.struct_abs,
		markdown ? "\n" : "");
	if (!nrows)
		fprintf(out, "%sno structural metric in these results (no lock probe ran?)\n",
			markdown ? "" : "  ");
	else if (markdown)
		write_markdown(r, rows, nrows, out);
	else
		write_text(r, rows, nrows, out);
	free(rows);
	if (zero)
		fprintf(out, "%s%zu structural metric%s 0 in every result, not shown (a result without "
			     "the metric's probe or role counts as 0 here; --format json lists them)\n",
			markdown ? "\n" : "  ", zero, zero > 1 ? "s" : "");
	for (size_t i = 0; i < r->ncmp; i++) {
		struct pt_gate_counts g;
		char a[256], b[256];
		enum pt_esc fmt = markdown ? PT_ESC_MD : PT_ESC_TERM;

		pt_cmp_gate_counts(&r->cmp[i], &g);
		fprintf(out, "%s%s -> %s: %s (%zu gated: %zu regressed, %zu inconclusive, %zu improved, "
			     "%zu unchanged, %zu not comparable)\n",
			markdown ? "\n" : "", pt_esc(r->cmp[i].base->kernel, fmt, a, sizeof(a)),
			pt_esc(r->cmp[i].cand->kernel, fmt, b, sizeof(b)), pt_cmp_gate_word(&g), g.gated,
			g.regressed, g.inconclusive, g.improved, g.unchanged, g.not_comparable);
	}
}
