/* `ptbench plot` chart (i): page-table lifetime, from the ptlife probe.
 * One chart per scenario (ptlife-SCENARIO), a cluster per result in its
 * colour, drawn by plots/clusters.gp:
 *  - per role whose unit op is a zap: PTE tables freed per zap
 *    (tlb_remove_table and pte_free_tlb calls of that role over its zaps);
 *  - pte_offset_map* failures per 1000 ops, a bar per role that neither zaps
 *    nor collapses (the walkers, faulters, GUP callers): the failures of
 *    __pte_offset_map, _lock, _nolock and _ro_nolock summed, as RESULTS.md
 *    counts them, over all the role's ops;
 *  - per role whose unit op is a collapse: retract_page_tables per collapse.
 * A counter whose hook the probe could not attach (hooks.X.available false,
 * or no count in the role) has no row: its bar is absent, never 0. Each
 * bar is the median over the repeats that have the value, min..max as the
 * error bar, like ptmem. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/escape.h"
#include "ptbench/plot_data.h"
#include "ptbench/plot_internal.h"
#include "ptbench/result_read.h"
#include "ptbench/util.h"

#define MAX_SERIES 8

static const char *const offset_hooks[] = { "pte_offset_map", "pte_offset_map_lock", "pte_offset_map_nolock",
					     "pte_offset_map_ro_nolock" };

/* repeats[k].probes.ptlife when the probe ran in a repeat that counts */
static struct json_object *ptlife_of(struct json_object *rep)
{
	struct json_object *pl = plot_jpath(rep, "probes", "ptlife", NULL), *av = plot_jget(pl, "available");

	if (!pt_result_repeat_used(rep) || !av || !json_object_get_boolean(av))
		return NULL;
	return pl;
}

/* roles.ROLE.HOOK.FIELD when the hook was attached */
static int hook_count(struct json_object *pl, const char *role, const char *hook, const char *field,
		      double *out)
{
	struct json_object *av = plot_jpath(pl, "hooks", hook, "available", NULL);

	if (av && !json_object_get_boolean(av))
		return -1;
	return plot_jnum(plot_jpath(pl, "roles", role, hook, field, NULL), out) || *out < 0 ? -1 : 0;
}

static const char *unit_op(struct json_object *rep, const char *role)
{
	return json_object_get_string(plot_jpath(rep, "workers", role, "unit_op", NULL));
}

/* the count of one op of the role, or of all its ops (op NULL); -1 when 0 */
static int op_count(struct json_object *rep, const char *role, const char *op, double *out)
{
	struct json_object *ops = plot_jpath(rep, "workers", role, "ops", NULL);
	double c;

	*out = 0;
	if (!ops || !json_object_is_type(ops, json_type_object))
		return -1;
	json_object_object_foreach(ops, name, st)
	{
		if ((!op || !strcmp(op, name)) && !plot_jnum(plot_jget(st, "count"), &c))
			*out += c;
	}
	return *out > 0 ? 0 : -1;
}

/* what a panel reads: SERIES of ROLE in one repeat */
typedef int (*getter)(struct json_object *rep, const char *role, const char *series, double *out);

static int freed_per_zap(struct json_object *rep, const char *role, const char *hook, double *out)
{
	struct json_object *pl = ptlife_of(rep);
	double n, zaps;

	if (!pl || hook_count(pl, role, hook, "calls", &n) || op_count(rep, role, "zap", &zaps))
		return -1;
	*out = n / zaps;
	return 0;
}

static int failures_per_kop(struct json_object *rep, const char *role, const char *series, double *out)
{
	struct json_object *pl = ptlife_of(rep);
	double sum = 0, f, ops;
	int got = 0;

	(void)series;
	if (!pl || op_count(rep, role, NULL, &ops))
		return -1;
	for (size_t i = 0; i < PT_ARRAY_SIZE(offset_hooks); i++)
		if (!hook_count(pl, role, offset_hooks[i], "failures", &f)) {
			sum += f;
			got = 1;
		}
	if (!got)
		return -1;
	*out = sum * 1000 / ops;
	return 0;
}

static int retract_per_collapse(struct json_object *rep, const char *role, const char *series, double *out)
{
	struct json_object *pl = ptlife_of(rep);
	double n, c;

	(void)series;
	if (!pl || hook_count(pl, role, "retract_page_tables", "calls", &n) || op_count(rep, role, "collapse", &c))
		return -1;
	*out = n / c;
	return 0;
}

struct chart {
	FILE *f;
	size_t npanels, minrep, maxrep;
	struct plot_words titles, ylabels;
	struct plot_vars v;
};

/* One panel over the results idx[0..n): series s of the panel reads
 * get(rep, role_of[s], name_of[s]); rows "result series median min max
 * repeats" with result the index in the group. Nothing when no result has
 * a value. */
static void add_panel(struct chart *c, const struct pt_plot *p, const size_t *idx, size_t n, const char *title,
		      const char *ylabel, getter get, const char *const *role_of, const char *const *name_of,
		      size_t nseries)
{
	static const char *const dens[] = { "0.95", "0.35", "0.6", "0.8", "0.2", "0.5", "0.7", "0.45" };
	struct plot_words series, dw;
	int any = 0;
	char *key;

	for (size_t g = 0; g < n; g++) {
		const struct pt_plot_result *res = &p->res[idx[g]];
		size_t nrep = plot_nrepeats(res);

		for (size_t s = 0; s < nseries; s++) {
			double *vals = pt_xcalloc(nrep + 1, sizeof(double));
			size_t got = 0;

			for (size_t k = 0; k < nrep; k++)
				got += !get(plot_repeat(res, k), role_of[s], name_of[s], &vals[got]);
			plot_sort_values(vals, got);
			if (got) {
				if (!any++)
					fprintf(c->f, "# %s\n", title);
				fprintf(c->f, "%zu %zu %.6g %.6g %.6g %zu\n", g, s, plot_median_sorted(vals, got),
					vals[0], vals[got - 1], got);
				c->minrep = got < c->minrep ? got : c->minrep;
				c->maxrep = got > c->maxrep ? got : c->maxrep;
			}
			free(vals);
		}
	}
	if (!any)
		return;
	fprintf(c->f, "\n\n");
	c->npanels++;
	plot_words_add(&c->titles, "%s", title);
	plot_words_add(&c->ylabels, "%s", ylabel);
	plot_words_open(&series);
	plot_words_open(&dw);
	for (size_t s = 0; s < nseries; s++) {
		plot_words_add(&series, "%s", role_of[s] == name_of[s] ? role_of[s] : name_of[s]);
		plot_nums_add(&dw, "%s", dens[s % PT_ARRAY_SIZE(dens)]);
	}
	/* gnuplot has no list of lists: one variable per panel */
	key = plot_fmt("series%zu", c->npanels);
	plot_var_words(&c->v, key, &series);
	free(key);
	key = plot_fmt("dens%zu", c->npanels);
	plot_var_words(&c->v, key, &dw);
	free(key);
}

static const char *scenario_of(const struct pt_plot_result *r)
{
	const char *s = json_object_get_string(plot_jpath(r->doc, "scenario", "name", NULL));

	return s ? s : "unnamed";
}

static int has_ptlife(const struct pt_plot_result *r)
{
	for (size_t k = 0; k < plot_nrepeats(r); k++)
		if (ptlife_of(plot_repeat(r, k)))
			return 1;
	return 0;
}

/* the roles of the group's results with ptlife counts, split into zappers,
 * collapsers and the rest, in the order the results list them */
static void group_roles(const struct pt_plot *p, const size_t *idx, size_t n, struct plot_opkeys *zap,
			struct plot_opkeys *col, struct plot_opkeys *walk)
{
	for (size_t g = 0; g < n; g++)
		for (size_t k = 0; k < plot_nrepeats(&p->res[idx[g]]); k++) {
			struct json_object *rep = plot_repeat(&p->res[idx[g]], k), *pl = ptlife_of(rep);
			struct json_object *w = plot_jget(rep, "workers");

			if (!pl || !w || !json_object_is_type(w, json_type_object))
				continue;
			json_object_object_foreach(w, role, wv)
			{
				const char *u = unit_op(rep, role);

				(void)wv;
				if (!plot_jpath(pl, "roles", role, NULL))
					continue;
				if (u && !strcmp(u, "zap"))
					plot_opkeys_add(zap, role, "");
				else if (u && !strcmp(u, "collapse"))
					plot_opkeys_add(col, role, "");
				else
					plot_opkeys_add(walk, role, "");
			}
		}
}

static int one_chart(struct pt_plot *p, const char *scen, const size_t *idx, size_t n)
{
	static const char *const freed[] = { "tlb_remove_table", "pte_free_tlb" };
	struct chart c = { .minrep = (size_t)-1 };
	struct plot_opkeys zap = { 0 }, col = { 0 }, walk = { 0 };
	struct plot_words labels, colors;
	const char *roles[MAX_SERIES], *names[MAX_SERIES];
	char *safe, *path, *title, *med, shown[256];
	int ret;

	c.f = plot_chart_open(p, &safe, &path, "ptlife-%s", scen);
	/* the name as compare shows it: a newline would end the comment line
	 * below and the title */
	pt_esc(scen, PT_ESC_TERM, shown, sizeof(shown));
	scen = shown;
	if (!c.f)
		return -1;
	fprintf(c.f, "# ptbench plot: page-table lifetime (ptlife probe), scenario %s; one block per panel, rows:\n"
		     "# result_index series_index median min max repeats\n",
		scen);
	plot_words_open(&c.titles);
	plot_words_open(&c.ylabels);
	plot_vars_open(&c.v);
	group_roles(p, idx, n, &zap, &col, &walk);
	for (size_t i = 0; i < zap.n; i++) {
		char *t = plot_fmt("%s: PTE tables freed per zap", zap.v[i].role);

		for (size_t s = 0; s < PT_ARRAY_SIZE(freed); s++) {
			roles[s] = zap.v[i].role;
			names[s] = freed[s];
		}
		add_panel(&c, p, idx, n, t, "tables per zap", freed_per_zap, roles, names, PT_ARRAY_SIZE(freed));
		free(t);
	}
	if (walk.n) {
		size_t ns = walk.n < MAX_SERIES ? walk.n : MAX_SERIES;

		for (size_t s = 0; s < ns; s++)
			roles[s] = names[s] = walk.v[s].role;
		add_panel(&c, p, idx, n, "pte_offset_map* failures per 1000 ops", "failures per 1000 ops",
			  failures_per_kop, roles, names, ns);
	}
	for (size_t i = 0; i < col.n; i++) {
		char *t = plot_fmt("%s: retract_page_tables per collapse", col.v[i].role);

		roles[0] = col.v[i].role;
		names[0] = "retract_page_tables";
		add_panel(&c, p, idx, n, t, "calls per collapse", retract_per_collapse, roles, names, 1);
		free(t);
	}
	plot_opkeys_free(&zap);
	plot_opkeys_free(&col);
	plot_opkeys_free(&walk);
	plot_words_open(&labels);
	plot_words_open(&colors);
	for (size_t g = 0; g < n; g++) {
		plot_words_add(&labels, "%s", p->res[idx[g]].label);
		plot_nums_add(&colors, "%zu", idx[g]);
	}
	plot_var_str(&c.v, "datafile", path);
	plot_var_words(&c.v, "titles", &c.titles);
	plot_var_words(&c.v, "ylabels", &c.ylabels);
	plot_var_words(&c.v, "labels", &labels);
	plot_var_words(&c.v, "colors", &colors);
	plot_var_num(&c.v, "n", (double)n);
	plot_var_num(&c.v, "npanels", (double)c.npanels);
	med = plot_median_of(c.minrep, c.maxrep);
	title = plot_fmt("%s: page-table lifetime, ptlife probe (bar: %s, error bar: min..max; no bar: "
			 "counter unavailable)",
			 scen, med);
	plot_var_str(&c.v, "ttl", title);
	free(title);
	free(med);
	ret = plot_chart_finish(p, plot_data_close(c.f, path), path, safe, "clusters", &c.v, c.npanels > 0);
	free(path);
	free(safe);
	return ret;
}

int pt_plot_ptlife(struct pt_plot *p)
{
	size_t *idx = pt_xcalloc(p->nres + 1, sizeof(size_t));
	char *done = pt_xcalloc(p->nres + 1, 1);
	int drawn = 0, ret = 0;

	/* one chart per scenario, its results in the order given */
	for (size_t i = 0; i < p->nres && ret >= 0; i++) {
		size_t n = 0;

		if (done[i] || !has_ptlife(&p->res[i]))
			continue;
		for (size_t j = i; j < p->nres; j++)
			if (!done[j] && has_ptlife(&p->res[j]) &&
			    !strcmp(scenario_of(&p->res[i]), scenario_of(&p->res[j]))) {
				done[j] = 1;
				idx[n++] = j;
			}
		ret = one_chart(p, scenario_of(&p->res[i]), idx, n);
		drawn += ret > 0;
	}
	free(idx);
	free(done);
	if (ret < 0)
		return -1;
	if (!drawn)
		fprintf(stderr, "note: (i) ptlife: no ptlife probe counts in these results; skipped\n");
	return drawn;
}
