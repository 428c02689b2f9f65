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

#include "ptbench/exitcodes.h"
#include "ptbench/gate.h"
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
	size_t ml = strlen(metric);

	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (ml > 11 && !strcmp(metric + ml - 11, "ops_per_sec"))
		snprintf(buf, len, "%.0f/s", v);
	else if (strstr(metric, "per_") || strstr(metric, "rate"))
		snprintf(buf, len, "%.3g", v); /* counts per op, rates: not times */
	else
		pt_fmt_ns(v, buf, len);
	return buf;
}

/* "faulter.fault.p99: regressed: 1.2ms -> 3.4ms (+183.3%, p 0.029): why" */
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
	snprintf(buf, len, "%s: %s: %s -> %s (%s, p %s): %s", name, str(m, "verdict"),
		 fmt_value(name, num(m, "baseline", "median"), b, sizeof(b)),
		 fmt_value(name, num(m, "candidate", "median"), c, sizeof(c)), cs, ps, str(m, "why"));
	for (char *q = buf; *q; q++)
		if (*q == '\n' || *q == '#')
			*q = *q == '#' ? 'N' : ' ';
}

/* --- KTAP ----------------------------------------------------------------- */

void pt_gate_write_ktap(const struct pt_gate *g, FILE *out)
{
	fprintf(out, "KTAP version 1\n1..%zu\n", g->nscen);
	for (size_t i = 0; i < g->nscen; i++) {
		const struct pt_gate_scen *s = &g->scen[i];
		struct json_object *ms = metrics_of(s);
		size_t n = 0, k = 0;
		char line[1024];

		for (size_t j = 0; ms && j < json_object_array_length(ms); j++)
			n += gated(json_object_array_get_idx(ms, j));
		fprintf(out, "    KTAP version 1\n    # Subtest: %s\n    1..%zu\n", s->name, n);
		for (size_t j = 0; ms && j < json_object_array_length(ms); j++) {
			struct json_object *m = json_object_array_get_idx(ms, j);
			const char *v = str(m, "verdict");

			if (!gated(m)) {
				if (json_object_get_boolean(json_object_object_get(m, "reported"))) {
					metric_line(m, line, sizeof(line));
					fprintf(out, "    # reported, not gated: %s\n", line);
				}
				continue;
			}
			metric_line(m, line, sizeof(line));
			fprintf(out, "    # %s\n", line);
			if (!strcmp(v, "regressed"))
				fprintf(out, "    not ok %zu %s\n", ++k, str(m, "metric"));
			else if (!strcmp(v, "inconclusive"))
				fprintf(out, "    ok %zu %s # SKIP inconclusive\n", ++k, str(m, "metric"));
			else
				fprintf(out, "    ok %zu %s\n", ++k, str(m, "metric"));
		}
		snprintf(line, sizeof(line), "%s", s->why);
		line[strcspn(line, "\n#")] = '\0';
		switch (s->status) {
		case PT_EXIT_OK:
			fprintf(out, "ok %zu %s\n", i + 1, s->name);
			break;
		case PT_EXIT_REGRESSION:
			fprintf(out, "not ok %zu %s\n", i + 1, s->name);
			break;
		case PT_EXIT_INCONCLUSIVE:
			fprintf(out, "ok %zu %s # SKIP undecided: %lld of %lld gated metrics inconclusive\n",
				i + 1, s->name, gate_count(s, "inconclusive"), gate_count(s, "gated"));
			break;
		case PT_EXIT_SKIP:
			fprintf(out, "ok %zu %s # SKIP %s\n", i + 1, s->name, line);
			break;
		default:
			fprintf(out, "not ok %zu %s # ERROR %s\n", i + 1, s->name, line);
		}
	}
}

/* --- JUnit ---------------------------------------------------------------- */

static void xml(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		default:
			/* control characters are not allowed in XML 1.0 */
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, out);
		}
	}
}

static void write_junit(const struct pt_gate *g, FILE *out)
{
	size_t tests = 0, fail = 0, skip = 0, err = 0;

	for (size_t i = 0; i < g->nscen; i++) {
		const struct pt_gate_scen *s = &g->scen[i];
		struct json_object *ms = metrics_of(s);

		if (!ms || s->status == PT_EXIT_USAGE || s->status == PT_EXIT_RUNTIME ||
		    s->status == PT_EXIT_SKIP) {
			tests++;
			skip += s->status == PT_EXIT_SKIP;
			err += s->status != PT_EXIT_SKIP;
			continue;
		}
		for (size_t j = 0; j < json_object_array_length(ms); j++) {
			struct json_object *m = json_object_array_get_idx(ms, j);

			if (!gated(m))
				continue;
			tests++;
			fail += !strcmp(str(m, "verdict"), "regressed");
			skip += !strcmp(str(m, "verdict"), "inconclusive");
		}
	}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out, "<testsuites name=\"ptbench gate\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" "
		     "errors=\"%zu\" time=\"%.1f\">\n",
		tests, fail, skip, err, g->wall_s);
	for (size_t i = 0; i < g->nscen; i++) {
		const struct pt_gate_scen *s = &g->scen[i];
		struct json_object *ms = metrics_of(s);
		char line[1024];

		fprintf(out, "  <testsuite name=\"");
		xml(out, s->name);
		fprintf(out, ": ");
		xml(out, g->side[1].label);
		fprintf(out, " vs ");
		xml(out, g->side[0].label);
		fprintf(out, "\">\n");
		if (!ms || s->status == PT_EXIT_USAGE || s->status == PT_EXIT_RUNTIME ||
		    s->status == PT_EXIT_SKIP) {
			fprintf(out, "    <testcase classname=\"ptbench.gate.");
			xml(out, s->name);
			fprintf(out, "\" name=\"");
			xml(out, s->name);
			fprintf(out, "\">\n      <%s message=\"", s->status == PT_EXIT_SKIP ? "skipped" : "error");
			xml(out, *s->why ? s->why : "compare gave no verdicts");
			fprintf(out, "\"/>\n    </testcase>\n  </testsuite>\n");
			continue;
		}
		for (size_t j = 0; j < json_object_array_length(ms); j++) {
			struct json_object *m = json_object_array_get_idx(ms, j);
			const char *v = str(m, "verdict");

			if (!gated(m))
				continue;
			metric_line(m, line, sizeof(line));
			fprintf(out, "    <testcase classname=\"ptbench.gate.");
			xml(out, s->name);
			fprintf(out, "\" name=\"");
			xml(out, str(m, "metric"));
			fprintf(out, "\">\n");
			if (!strcmp(v, "regressed") || !strcmp(v, "inconclusive")) {
				fprintf(out, "      <%s%s message=\"",
					!strcmp(v, "regressed") ? "failure" : "skipped",
					!strcmp(v, "regressed") ? " type=\"regression\"" : "");
				xml(out, line);
				fprintf(out, "\"/>\n");
			} else {
				fprintf(out, "      <system-out>");
				xml(out, line);
				fprintf(out, "</system-out>\n");
			}
			fprintf(out, "    </testcase>\n");
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

static void md_cell(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else if (*s == '\n')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

static void write_md(const struct pt_gate *g, FILE *out)
{
	size_t nreg = 0;

	for (size_t i = 0; i < g->nscen; i++)
		nreg += g->scen[i].status == PT_EXIT_REGRESSION;
	fprintf(out, "# ptbench gate: %s → %s\n\n", g->side[0].label, g->side[1].label);
	fprintf(out, "**%s** (exit %d", pt_gate_word(g->exit), g->exit);
	if (g->bisect)
		fprintf(out, "; git bisect run sees %d", pt_gate_bisect_code(g->exit));
	fprintf(out, "): %zu scenario%s, %zu regressed. Base kernel %s, candidate %s.\n\n", g->nscen,
		g->nscen == 1 ? "" : "s", nreg, g->side[0].release ? g->side[0].release : g->side[0].label,
		g->side[1].release ? g->side[1].release : g->side[1].label);
	fprintf(out, "| scenario | verdict | gated | regressed | inconclusive | improved | unchanged | note |\n");
	fprintf(out, "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
	for (size_t i = 0; i < g->nscen; i++) {
		const struct pt_gate_scen *s = &g->scen[i];

		fprintf(out, "| %s | %s |", s->name, pt_gate_word(s->status));
		if (s->cmp)
			fprintf(out, " %lld | %lld | %lld | %lld | %lld |", gate_count(s, "gated"),
				gate_count(s, "regressed"), gate_count(s, "inconclusive"),
				gate_count(s, "improved"), gate_count(s, "unchanged"));
		else
			fprintf(out, " - | - | - | - | - |");
		fputc(' ', out);
		md_cell(out, s->why);
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
		fprintf(out, "Gated: the metrics named with `--gate-metrics`. ");
	else if (!strcmp(g->gate_on, "structural"))
		fprintf(out, "Gated: the structural metrics (who takes which lock how often per op, the "
			     "collapse proof); the headline's latency metrics are reported with their "
			     "verdicts but not gated%s (`--gate-on all` gates them). ",
			g->vm ? ", because the guests ran under TCG, whose times are the emulator's" : "");
	else
		fprintf(out, "Gated: the headline's latency metrics and the structural metrics. ");
	fprintf(out, "Wall time %.0f s.\n\n", g->wall_s);
	if (g->nboots) {
		fprintf(out, "## Boots\n\n| # | kernel | directory | boot+run | exit |\n| --- | --- | --- | --- | --- |\n");
		for (size_t i = 0; i < g->nboots; i++) {
			const struct pt_gate_boot *b = &g->boots[i];

			fprintf(out, "| %d | %s %s | %s | %.1f s | %d |\n", b->n, side_word[b->side],
				g->side[b->side].label, rel(g, b->dir), b->wall_s, b->exit);
		}
		fputc('\n', out);
	}
	for (size_t i = 0; i < g->nscen; i++) {
		const struct pt_gate_scen *s = &g->scen[i];
		char *text = s->cmp_md ? pt_read_file(s->cmp_md, NULL) : NULL;

		fprintf(out, "## %s: %s\n\n", s->name, pt_gate_word(s->status));
		for (int side = 0; side < 2; side++)
			fprintf(out, "- %s: %zu run%s%s", side_word[side], s->nruns[side],
				s->nruns[side] == 1 ? "" : "s", side ? "" : "\n");
		if (s->skipped[0] + s->skipped[1] + s->failed[0] + s->failed[1])
			fprintf(out, " (skipped: %d base, %d candidate; no result: %d base, %d candidate)",
				s->skipped[0], s->skipped[1], s->failed[0], s->failed[1]);
		fprintf(out, "\n- evidence: one value per %s; pooled: `%s`, `%s`\n\n",
			s->unit == PT_GATE_UNIT_BOOT ? (g->vm ? "boot" : "run") : "repeat",
			rel(g, s->pooled[0]), rel(g, s->pooled[1]));
		if (*s->why)
			fprintf(out, "%s\n\n", s->why);
		if (text)
			fprintf(out, "%s\n", text);
		free(text);
		for (size_t k = 0; k < s->nplots; k++)
			fprintf(out, "![%s](%s)\n", s->plots[k], s->plots[k]);
		if (s->plot_failed)
			fprintf(out, "Charts: `ptbench plot` failed, see `%s/plot.log`.\n", rel(g, s->plot_dir));
		fputc('\n', out);
	}
	if (g->nnotes) {
		fprintf(out, "## Notes\n\n");
		for (size_t i = 0; i < g->nnotes; i++)
			fprintf(out, "- %s\n", g->notes[i]);
		fputc('\n', out);
	}
	fprintf(out, "## Commands\n\n```\n");
	for (size_t i = 0; i < g->ncommands; i++)
		fprintf(out, "%s\n", g->commands[i]);
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
		for (int side = 0; side < 2; side++)
			json_object_object_add(runs, side ? "candidate" : "base",
					       strs(s->runs[side], s->nruns[side]));
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
