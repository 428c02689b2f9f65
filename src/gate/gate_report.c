/* ptbench gate's outputs: DIR/report.md (for people: verdict table, the
 * compare tables, charts, the exact commands), DIR/report.json (for
 * machines, schema ptbench-gate/1, compare's JSON inside), DIR/junit.xml
 * and KTAP (for CI engines). The verdicts all come from compare's JSON. */
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptbench/escape.h"
#include "ptbench/exitcodes.h"
#include "ptbench/gate.h"
#include "ptbench/metric.h"
#include "ptbench/util.h"

static const char *const side_word[2] = { "base", "candidate" };

/* compare's metrics array of the (only) candidate, or NULL */
static struct json_object *metrics_of(const struct pt_gate_scen *s)
{
	struct json_object *c = s->cmp ? json_object_object_get(s->cmp, "comparisons") : NULL;

	c = c && json_object_is_type(c, json_type_array) && json_object_array_length(c)
		    ? json_object_array_get_idx(c, 0)
		    : NULL;
	return c ? json_object_object_get(c, "metrics") : NULL;
}

static long long gate_count(const struct pt_gate_scen *s, const char *key)
{
	struct json_object *c = s->cmp ? json_object_object_get(s->cmp, "comparisons") : NULL;

	c = c && json_object_is_type(c, json_type_array) && json_object_array_length(c)
		    ? json_object_array_get_idx(c, 0)
		    : NULL;
	c = c ? json_object_object_get(c, "gate") : NULL;
	return c && json_object_object_get(c, key) ? json_object_get_int64(json_object_object_get(c, key))
						    : -1;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v = o ? json_object_object_get(o, key) : NULL;

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "?";
}

static bool gated(struct json_object *m)
{
	return json_object_get_boolean(json_object_object_get(m, "gated"));
}

static double num(struct json_object *o, const char *a, const char *b)
{
	struct json_object *v = json_object_object_get(o, a);

	if (v && b)
		v = json_object_object_get(v, b);
	return v && !json_object_is_type(v, json_type_null) ? json_object_get_double(v) : NAN;
}

static const char *fmt_value(const char *metric, double v, char *buf, size_t len)
{
	/* what the metric is, from the registry (include/ptbench/metric.h) */
	const struct pt_metric_def *d = pt_metric_by_name(metric);

	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (d && d->scope == PT_MS_HIST && d->kind == PT_MK_RATE)
		snprintf(buf, len, "%.0f/s", v);
	else if (d && d->kind != PT_MK_LATENCY)
		snprintf(buf, len, "%.3g", v); /* counts per op, rates: not times */
	else
		pt_fmt_ns(v, buf, len);
	return buf;
}

/* "faulter.fault.p99: regressed by mann-whitney: 1.2ms -> 3.4ms (+183.3%, p 0.029): why",
 * raw: each writer escapes it for its format */
static void metric_line(struct json_object *m, char *buf, size_t len)
{
	const char *name = str(m, "metric");
	double ch = num(m, "change", NULL), p = num(m, "p", NULL);
	char b[32], c[32], cs[32], ps[32];

	if (isfinite(ch))
		snprintf(cs, sizeof(cs), "%+.1f%%", 100 * ch);
	else
		snprintf(cs, sizeof(cs), "-");
	if (isfinite(p))
		snprintf(ps, sizeof(ps), "%.3f", p);
	else
		snprintf(ps, sizeof(ps), "-");
	struct json_object *by = json_object_object_get(m, "decided_by");
	struct json_object *gross = json_object_object_get(m, "gross");
	bool reported = json_object_get_boolean(json_object_object_get(m, "reported"));

	/* the rule that decided (decided_by), and on a reported metric the
	 * gross rule's word: a CI reader sees which rule failed or passed it */
	snprintf(buf, len, "%s: %s%s%s: %s -> %s (%s, p %s): %s%s%s", name, str(m, "verdict"),
		 by ? " by " : "", by ? json_object_get_string(by) : "",
		 fmt_value(name, num(m, "baseline", "median"), b, sizeof(b)),
		 fmt_value(name, num(m, "candidate", "median"), c, sizeof(c)), cs, ps, str(m, "why"),
		 gross && reported ? "; " : "", gross && reported ? str(gross, "why") : "");
}

/* What a CI engine makes of one gated metric: a failure (regressed), a skip
 * (inconclusive or not comparable: the gate could not decide, never a
 * pass) or a pass (unchanged, improved). */
enum outcome { OUT_PASS, OUT_FAIL, OUT_SKIP };

static enum outcome outcome_of(struct json_object *m)
{
	const char *v = str(m, "verdict");

	if (!strcmp(v, "regressed"))
		return OUT_FAIL;
	if (!strcmp(v, "unchanged") || !strcmp(v, "improved"))
		return OUT_PASS;
	return OUT_SKIP; /* inconclusive, not comparable, anything unknown */
}

/* one scenario's gated metrics by outcome */
struct tally {
	size_t gated, pass, fail, skip, not_comparable;
};

/* whether compare judged the scenario; if not (an error, a skip) it is one
 * case of its own */
static bool judged(const struct pt_gate_scen *s)
{
	return metrics_of(s) && s->status != PT_EXIT_USAGE && s->status != PT_EXIT_RUNTIME &&
	       s->status != PT_EXIT_SKIP;
}

static struct tally tally_of(const struct pt_gate_scen *s)
{
	struct json_object *ms = metrics_of(s);
	struct tally t = { 0 };

	for (size_t j = 0; ms && j < json_object_array_length(ms); j++) {
		struct json_object *m = json_object_array_get_idx(ms, j);

		if (!gated(m))
			continue;
		t.gated++;
		switch (outcome_of(m)) {
		case OUT_PASS: t.pass++; break;
		case OUT_FAIL: t.fail++; break;
		case OUT_SKIP: t.skip++; break;
		}
		t.not_comparable += !strcmp(str(m, "verdict"), "not comparable");
	}
	return t;
}

/* why a scenario is undecided, in words: "2 of 5 gated metrics inconclusive,
 * 1 not comparable", or "no metric was gated" */
static void undecided_why(const struct pt_gate_scen *s, char *buf, size_t len)
{
	struct tally t = tally_of(s);
	size_t inc = t.skip - t.not_comparable;

	if (!t.gated)
		snprintf(buf, len, "no metric was gated (none both results can give)");
	else if (inc && t.not_comparable)
		snprintf(buf, len, "%zu of %zu gated metrics inconclusive, %zu not comparable", inc, t.gated,
			 t.not_comparable);
	else if (t.not_comparable)
		snprintf(buf, len, "%zu of %zu gated metrics not comparable", t.not_comparable, t.gated);
	else
		snprintf(buf, len, "%zu of %zu gated metrics inconclusive", inc, t.gated);
}

/* --- KTAP ----------------------------------------------------------------- */

/* Every name and reason goes through pt_esc(PT_ESC_KTAP): a '#' would start
 * a directive ("foo # SKIP" read as a skip), a newline a result line. */
void pt_gate_write_ktap(const struct pt_gate *g, FILE *out)
{
	fprintf(out, "KTAP version 1\n1..%zu\n", g->nscen);
	for (size_t i = 0; i < g->nscen; i++) {
		const struct pt_gate_scen *s = &g->scen[i];
		struct json_object *ms = metrics_of(s);
		size_t k = 0;
		char line[1024], why[256];

		fprintf(out, "    KTAP version 1\n    # Subtest: ");
		pt_esc_fputs(out, s->name, PT_ESC_KTAP);
		fprintf(out, "\n    1..%zu\n", tally_of(s).gated);
		/* comments, not cases, first (the subtest ends on its last
		 * result): a latency reported under --gate-on structural, a probe
		 * metric one side could not give */
		for (size_t j = 0; ms && j < json_object_array_length(ms); j++) {
			struct json_object *m = json_object_array_get_idx(ms, j);
			const char *c = json_object_get_boolean(json_object_object_get(m, "reported"))
						? "reported"
					: !strcmp(str(m, "verdict"), "not comparable") ? "not comparable"
										      : NULL;

			if (gated(m) || !c)
				continue;
			metric_line(m, line, sizeof(line));
			fprintf(out, "    # %s, not gated: ", c);
			pt_esc_fputs(out, line, PT_ESC_KTAP);
			fputc('\n', out);
		}
		for (size_t j = 0; ms && j < json_object_array_length(ms); j++) {
			struct json_object *m = json_object_array_get_idx(ms, j);

			if (!gated(m))
				continue;
			metric_line(m, line, sizeof(line));
			fprintf(out, "    # ");
			pt_esc_fputs(out, line, PT_ESC_KTAP);
			fprintf(out, "\n    %s %zu ", outcome_of(m) == OUT_FAIL ? "not ok" : "ok", ++k);
			pt_esc_fputs(out, str(m, "metric"), PT_ESC_KTAP);
			if (outcome_of(m) == OUT_SKIP) {
				/* the verdict and its reason: "# SKIP not comparable: the
				 * mmap_lock probe did not run in ..." */
				fprintf(out, " # SKIP ");
				pt_esc_fputs(out, str(m, "verdict"), PT_ESC_KTAP);
				fprintf(out, ": ");
				pt_esc_fputs(out, str(m, "why"), PT_ESC_KTAP);
			}
			fputc('\n', out);
		}
		fprintf(out, "%s %zu ", s->status == PT_EXIT_OK || s->status == PT_EXIT_INCONCLUSIVE ||
						 s->status == PT_EXIT_SKIP
					? "ok"
					: "not ok",
			i + 1);
		pt_esc_fputs(out, s->name, PT_ESC_KTAP);
		switch (s->status) {
		case PT_EXIT_OK:
		case PT_EXIT_REGRESSION:
			break;
		case PT_EXIT_INCONCLUSIVE:
			undecided_why(s, why, sizeof(why));
			fprintf(out, " # SKIP undecided: ");
			pt_esc_fputs(out, why, PT_ESC_KTAP);
			break;
		case PT_EXIT_SKIP:
			fprintf(out, " # SKIP ");
			pt_esc_fputs(out, s->why, PT_ESC_KTAP);
			break;
		default:
			fprintf(out, " # ERROR ");
			pt_esc_fputs(out, s->why, PT_ESC_KTAP);
		}
		fputc('\n', out);
	}
}

/* --- JUnit ---------------------------------------------------------------- */

/* The Jenkins xUnit junit-10 rules (tests/junit-ptbench.xsd checks them,
 * and a little more): <testsuites> has tests, failures, errors and time
 * (no skipped); each <testsuite> has name, tests, failures, errors (and
 * skipped, time); each <testcase> name, classname and time (metrics are
 * judged, not run: 0); a failure's, error's or skip's text is in the
 * element's body as well as in its message attribute (GitLab shows the
 * body). */
static void xml(FILE *out, const char *s)
{
	pt_esc_fputs(out, s, PT_ESC_XML);
}

static void junit_case(FILE *out, const char *scen, const char *name, const char *elem, const char *type,
		       const char *text)
{
	fprintf(out, "    <testcase classname=\"ptbench.gate.");
	xml(out, scen);
	fprintf(out, "\" name=\"");
	xml(out, name);
	fprintf(out, "\" time=\"0\">\n      <%s", elem);
	if (type) {
		fprintf(out, " type=\"");
		xml(out, type);
		fputc('"', out);
	}
	if (strcmp(elem, "system-out")) {
		fprintf(out, " message=\"");
		xml(out, text);
		fputc('"', out);
	}
	fputc('>', out);
	xml(out, text);
	fprintf(out, "</%s>\n    </testcase>\n", elem);
}

static void write_junit(const struct pt_gate *g, FILE *out)
{
	size_t tests = 0, fail = 0, err = 0;

	for (size_t i = 0; i < g->nscen; i++) {
		const struct pt_gate_scen *s = &g->scen[i];
		struct tally t = tally_of(s);

		if (!judged(s) || !t.gated) {
			tests++;
			err += !judged(s) && s->status != PT_EXIT_SKIP;
			continue;
		}
		tests += t.gated;
		fail += t.fail;
	}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out, "<testsuites name=\"ptbench gate\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
		     "time=\"%.1f\">\n",
		tests, fail, err, g->wall_s);
	for (size_t i = 0; i < g->nscen; i++) {
		const struct pt_gate_scen *s = &g->scen[i];
		struct json_object *ms = metrics_of(s);
		struct tally t = tally_of(s);
		char line[1024];

		fprintf(out, "  <testsuite name=\"");
		xml(out, s->name);
		fprintf(out, ": ");
		xml(out, g->side[1].label);
		fprintf(out, " vs ");
		xml(out, g->side[0].label);
		if (!judged(s) || !t.gated) {
			/* the scenario is the one case: an error, a skip, or
			 * undecided with nothing gated (never an empty, green suite) */
			bool error = !judged(s) && s->status != PT_EXIT_SKIP;

			fprintf(out, "\" tests=\"1\" failures=\"0\" errors=\"%d\" skipped=\"%d\" time=\"0\">\n",
				error, !error);
			if (judged(s))
				undecided_why(s, line, sizeof(line));
			else
				snprintf(line, sizeof(line), "%s", *s->why ? s->why : "compare gave no verdicts");
			junit_case(out, s->name, s->name, error ? "error" : "skipped", NULL, line);
			fprintf(out, "  </testsuite>\n");
			continue;
		}
		fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"0\">\n",
			t.gated, t.fail, t.skip);
		for (size_t j = 0; j < json_object_array_length(ms); j++) {
			struct json_object *m = json_object_array_get_idx(ms, j);

			if (!gated(m))
				continue;
			metric_line(m, line, sizeof(line));
			switch (outcome_of(m)) {
			case OUT_FAIL:
				junit_case(out, s->name, str(m, "metric"), "failure", "regression", line);
				break;
			case OUT_SKIP:
				junit_case(out, s->name, str(m, "metric"), "skipped", str(m, "verdict"), line);
				break;
			case OUT_PASS:
				junit_case(out, s->name, str(m, "metric"), "system-out", NULL, line);
				break;
			}
		}
		fprintf(out, "  </testsuite>\n");
	}
	fprintf(out, "</testsuites>\n");
}

/* --- report.md ------------------------------------------------------------ */

/* a path under DIR, shown relative to it */
static const char *rel(const struct pt_gate *g, const char *path)
{
	size_t n = strlen(g->outdir);

	if (path && !strncmp(path, g->outdir, n) && path[n] == '/')
		return path + n + 1;
	return path ? path : "-";
}

static void md(FILE *out, const char *s)
{
	pt_esc_fputs(out, s, PT_ESC_MD);
}

static void md_code(FILE *out, const char *s)
{
	fputc('`', out);
	pt_esc_fputs(out, s, PT_ESC_MD_CODE);
	fputc('`', out);
}

static void write_md(const struct pt_gate *g, FILE *out)
{
	size_t nreg = 0;

	for (size_t i = 0; i < g->nscen; i++)
		nreg += g->scen[i].status == PT_EXIT_REGRESSION;
	fprintf(out, "# ptbench gate: ");
	md(out, g->side[0].label);
	fprintf(out, " → ");
	md(out, g->side[1].label);
	fprintf(out, "\n\n**%s** (exit %d", pt_gate_word(g->exit), g->exit);
	if (g->bisect)
		fprintf(out, "; git bisect run sees %d", pt_gate_bisect_code(g->exit));
	fprintf(out, "): %zu scenario%s, %zu regressed. Base kernel ", g->nscen, g->nscen == 1 ? "" : "s", nreg);
	md(out, g->side[0].release ? g->side[0].release : g->side[0].label);
	fprintf(out, ", candidate ");
	md(out, g->side[1].release ? g->side[1].release : g->side[1].label);
	fprintf(out, ".\n\n");
	for (int side = 0; side < 2; side++) {
		const struct pt_gate_side *sd = &g->side[side];

		fprintf(out, "%s ran on: kernel%s ", side ? "Candidate" : "Base", sd->nkernels == 1 ? "" : "s");
		for (size_t i = 0; i < sd->nkernels; i++) {
			fputs(i ? ", " : "", out);
			md(out, sd->kernels[i]);
		}
		fprintf(out, "; CPU%s ", sd->nmachines == 1 ? "" : "s");
		for (size_t i = 0; i < sd->nmachines; i++) {
			fputs(i ? ", " : "", out);
			md(out, sd->machines[i]);
		}
		fprintf(out, ".%s\n", side ? "\n" : "  ");
	}
	fprintf(out, "| scenario | verdict | gated | regressed | inconclusive | improved | unchanged | "
		     "not comparable | note |\n");
	fprintf(out, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
	for (size_t i = 0; i < g->nscen; i++) {
		const struct pt_gate_scen *s = &g->scen[i];

		char why[256];

		fprintf(out, "| ");
		md(out, s->name);
		fprintf(out, " | %s |", pt_gate_word(s->status));
		if (s->cmp)
			fprintf(out, " %lld | %lld | %lld | %lld | %lld | %lld |", gate_count(s, "gated"),
				gate_count(s, "regressed"), gate_count(s, "inconclusive"),
				gate_count(s, "improved"), gate_count(s, "unchanged"),
				gate_count(s, "not_comparable"));
		else
			fprintf(out, " - | - | - | - | - | - |");
		fputc(' ', out);
		if (!*s->why && s->status == PT_EXIT_INCONCLUSIVE && judged(s)) {
			undecided_why(s, why, sizeof(why));
			md(out, why);
		} else {
			md(out, s->why);
		}
		fprintf(out, " |\n");
	}
	fprintf(out, "\n**Evidence.** ");
	if (g->unit == PT_GATE_UNIT_BOOT)
		fprintf(out, "One value per %s: the median over its repeats (repeats inside one "
			     "boot are not independent samples of the kernel); a scenario with one "
			     "run on a side is judged on that run's repeats. ",
			g->vm ? "boot" : "result file (run)");
	else
		fprintf(out, "One value per repeat, the repeats of every %s pooled. ",
			g->vm ? "boot" : "result file");
	if (g->vm)
		fprintf(out, "%d round%s, boot order %s (A base, B candidate), up to %d at once. ",
			g->rounds, g->rounds == 1 ? "" : "s", g->order, g->jobs);
	if (g->named_metrics)
		fprintf(out, "Gated: the metrics named with `--gate-metrics`%s. ",
			!strcmp(g->gate_on, "structural")
				? "; their latency and ops/s only by the gross rule (`--gate-on structural`)"
				: "");
	else if (!strcmp(g->gate_on, "structural"))
		fprintf(out, "Gated: the structural metrics (who takes which lock how often per op, the "
			     "collapse proof); the headline's latency metrics are reported with their "
			     "verdicts but not gated%s (`--gate-on all` gates them). ",
			g->vm ? ", because the guests ran under TCG, whose times are the emulator's" : "");
	else
		fprintf(out, "Gated: the headline's latency metrics and the structural metrics. ");
	if (!strcmp(g->gate_on, "structural"))
		fprintf(out, "A gross change of them still fails the gate (the gross rule): a median "
			     "at least `--gross-factor` times worse (default 2) with every %s of the "
			     "candidate beyond every %s of the base, 4 or more a side by default (4 v 4 "
			     "apart by chance: 1/70); the compare table names the rule that decided. ",
			g->unit == PT_GATE_UNIT_BOOT ? (g->vm ? "boot" : "run") : "repeat",
			g->unit == PT_GATE_UNIT_BOOT ? (g->vm ? "boot" : "run") : "repeat");
	fprintf(out, "Wall time %.0f s.\n\n", g->wall_s);
	if (g->nboots) {
		fprintf(out, "## Boots\n\n| # | kernel | directory | boot+run | exit |\n| --- | --- | --- | --- | --- |\n");
		for (size_t i = 0; i < g->nboots; i++) {
			const struct pt_gate_boot *b = &g->boots[i];

			fprintf(out, "| %d | %s ", b->n, side_word[b->side]);
			md(out, g->side[b->side].label);
			fprintf(out, " | ");
			md(out, rel(g, b->dir));
			fprintf(out, " | %.1f s | %d |\n", b->wall_s, b->exit);
		}
		fputc('\n', out);
	}
	for (size_t i = 0; i < g->nscen; i++) {
		const struct pt_gate_scen *s = &g->scen[i];
		char *text = s->cmp_md ? pt_read_file(s->cmp_md, NULL) : NULL;

		fprintf(out, "## ");
		md(out, s->name);
		fprintf(out, ": %s\n\n", pt_gate_word(s->status));
		for (int side = 0; side < 2; side++)
			fprintf(out, "- %s: %zu run%s%s", side_word[side], s->nruns[side],
				s->nruns[side] == 1 ? "" : "s", side ? "" : "\n");
		if (s->skipped[0] + s->skipped[1] + s->failed[0] + s->failed[1])
			fprintf(out, " (skipped: %d base, %d candidate; no result: %d base, %d candidate)",
				s->skipped[0], s->skipped[1], s->failed[0], s->failed[1]);
		fprintf(out, "\n- evidence: one value per %s; pooled: ",
			s->unit == PT_GATE_UNIT_BOOT ? (g->vm ? "boot" : "run") : "repeat");
		md_code(out, rel(g, s->pooled[0]));
		fprintf(out, ", ");
		md_code(out, rel(g, s->pooled[1]));
		fprintf(out, "\n\n");
		if (*s->why) {
			md(out, s->why);
			fprintf(out, "\n\n");
		}
		if (text)
			fprintf(out, "%s\n", text);
		free(text);
		for (size_t k = 0; k < s->nplots; k++)
		{
			fprintf(out, "![");
			md(out, s->plots[k]);
			fprintf(out, "](");
			pt_esc_fputs(out, s->plots[k], PT_ESC_URL_PATH);
			fprintf(out, ")\n");
		}
		if (s->plot_failed) {
			char log[PATH_MAX + 16];

			snprintf(log, sizeof(log), "%s/plot.log", rel(g, s->plot_dir));
			fprintf(out, "Charts: `ptbench plot` failed, see ");
			md_code(out, log);
			fprintf(out, ".\n");
		}
		fputc('\n', out);
	}
	if (g->nnotes) {
		fprintf(out, "## Notes\n\n");
		for (size_t i = 0; i < g->nnotes; i++)
		{
			fprintf(out, "- ");
			md(out, g->notes[i]);
			fputc('\n', out);
		}
		fputc('\n', out);
	}
	fprintf(out, "## Commands\n\n```\n");
	for (size_t i = 0; i < g->ncommands; i++)
		{
			/* inside the fence a newline could close it: escaped */
			pt_esc_fputs(out, g->commands[i], PT_ESC_TERM);
			fputc('\n', out);
		}
	fprintf(out, "```\n");
}

/* --- report.json ---------------------------------------------------------- */

static struct json_object *strs(char *const *v, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static struct json_object *report_json(const struct pt_gate *g)
{
	struct json_object *doc = json_object_new_object(), *o, *a;

	json_object_object_add(doc, "schema", json_object_new_string("ptbench-gate/1"));
	o = json_object_new_object();
	json_object_object_add(o, "version", json_object_new_string(pt_version));
	json_object_object_add(o, "argv", strs(pt_argv, (size_t)pt_argc));
	json_object_object_add(doc, "tool", o);
	json_object_object_add(doc, "mode", json_object_new_string(g->vm ? "vm" : "results"));
	json_object_object_add(doc, "unit", json_object_new_string(g->unit == PT_GATE_UNIT_BOOT ? "boot" : "repeat"));
	json_object_object_add(doc, "gate_on", json_object_new_string(g->gate_on));
	if (g->vm) {
		json_object_object_add(doc, "rounds", json_object_new_int(g->rounds));
		json_object_object_add(doc, "jobs", json_object_new_int(g->jobs));
		json_object_object_add(doc, "order", json_object_new_string(g->order));
	}
	for (int side = 0; side < 2; side++) {
		o = json_object_new_object();
		json_object_object_add(o, "label", json_object_new_string(g->side[side].label));
		if (g->side[side].image)
			json_object_object_add(o, "image", json_object_new_string(g->side[side].image));
		if (g->side[side].release)
			json_object_object_add(o, "kernel", json_object_new_string(g->side[side].release));
		/* what the side's results say they ran on: one of each unless
		 * --allow-mixed */
		a = json_object_new_array();
		for (size_t i = 0; i < g->side[side].nkernels; i++)
			json_object_array_add(a, json_object_new_string(g->side[side].kernels[i]));
		json_object_object_add(o, "kernels", a);
		a = json_object_new_array();
		for (size_t i = 0; i < g->side[side].nmachines; i++)
			json_object_array_add(a, json_object_new_string(g->side[side].machines[i]));
		json_object_object_add(o, "machines", a);
		json_object_object_add(doc, side ? "candidate" : "base", o);
	}
	a = json_object_new_array();
	for (size_t i = 0; i < g->nboots; i++) {
		const struct pt_gate_boot *b = &g->boots[i];
		struct json_object *sc = json_object_new_object();

		o = json_object_new_object();
		json_object_object_add(o, "n", json_object_new_int(b->n));
		json_object_object_add(o, "side", json_object_new_string(b->side ? "candidate" : "base"));
		json_object_object_add(o, "dir", json_object_new_string(b->dir));
		json_object_object_add(o, "exit", json_object_new_int(b->exit));
		json_object_object_add(o, "boot_and_run_s", json_object_new_double(b->wall_s));
		for (size_t k = 0; k < g->nscen; k++)
			json_object_object_add(sc, g->scen[k].name, json_object_new_int(b->rcs[k]));
		json_object_object_add(o, "scenarios", sc);
		json_object_array_add(a, o);
	}
	json_object_object_add(doc, "boots", a);
	a = json_object_new_array();
	for (size_t i = 0; i < g->nscen; i++) {
		const struct pt_gate_scen *s = &g->scen[i];
		struct json_object *runs = json_object_new_object(), *cmp = NULL;

		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(s->name));
		json_object_object_add(o, "verdict", json_object_new_string(pt_gate_word(s->status)));
		json_object_object_add(o, "exit", json_object_new_int(s->status));
		json_object_object_add(o, "unit", json_object_new_string(s->unit == PT_GATE_UNIT_BOOT ? "boot" : "repeat"));
		if (*s->why)
			json_object_object_add(o, "why", json_object_new_string(s->why));
		for (int side = 0; side < 2; side++) {
			struct json_object *paths = json_object_new_array();

			for (size_t k = 0; k < s->nruns[side]; k++)
				json_object_array_add(paths, json_object_new_string(s->runs[side][k].path));
			json_object_object_add(runs, side ? "candidate" : "base", paths);
		}
		json_object_object_add(o, "runs", runs);
		if (s->pooled[0] && s->pooled[1]) {
			struct json_object *p = json_object_new_object();

			json_object_object_add(p, "base", json_object_new_string(s->pooled[0]));
			json_object_object_add(p, "candidate", json_object_new_string(s->pooled[1]));
			json_object_object_add(o, "pooled", p);
		}
		if (s->cmp)
			json_object_deep_copy(s->cmp, &cmp, NULL);
		json_object_object_add(o, "compare", cmp);
		json_object_object_add(o, "plots", strs(s->plots, s->nplots));
		json_object_array_add(a, o);
	}
	json_object_object_add(doc, "scenarios", a);
	json_object_object_add(doc, "notes", strs(g->notes, g->nnotes));
	json_object_object_add(doc, "commands", strs(g->commands, g->ncommands));
	json_object_object_add(doc, "wall_s", json_object_new_double(g->wall_s));
	json_object_object_add(doc, "exit", json_object_new_int(g->exit));
	json_object_object_add(doc, "verdict", json_object_new_string(pt_gate_word(g->exit)));
	if (g->bisect)
		json_object_object_add(doc, "bisect_exit", json_object_new_int(pt_gate_bisect_code(g->exit)));
	return doc;
}

/* write through a temporary file and rename, so a reader never sees half */
static int write_atomic(const struct pt_gate *g, const char *name,
			void (*fn)(const struct pt_gate *, FILE *))
{
	char path[PATH_MAX], tmp[PATH_MAX + 32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", g->outdir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fn(g, f);
	if (fclose(f) || rename(tmp, path)) {
		int e = errno;

		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

static void write_json_file(const struct pt_gate *g, FILE *out)
{
	struct json_object *doc = report_json(g);

	fprintf(out, "%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
									 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
}

int pt_gate_write_reports(const struct pt_gate *g)
{
	if (write_atomic(g, "report.json", write_json_file) || write_atomic(g, "junit.xml", write_junit) ||
	    write_atomic(g, "report.md", write_md))
		return -1;
	return 0;
}
