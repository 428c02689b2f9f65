/* `ptbench plot` chart (g): page-table memory. Panels of clustered bars, a
 * cluster per result: VmPTE of ptbench (kB) start, peak and end from the
 * ptmem probe; the same summed over its child processes when it had any;
 * the system's nr_page_table_pages; and, per role with a pte_reclaim
 * report, the PTE tables freed against the tables a kernel that frees every
 * emptied table would have freed. Each bar is the median over the repeats
 * that have the value, with min..max as the error bar. Drawn by
 * plots/clusters.gp (bars.gp draws one bar per result and panel: it cannot
 * put start, peak and end side by side, which is the comparison here). */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/plot_data.h"
#include "ptbench/plot_internal.h"
#include "ptbench/result_read.h"
#include "ptbench/util.h"

#define MAX_SERIES 3

static const char *const gauges[] = { "start", "peak", "end" };

/* repeats[k].probes.ptmem when the probe read it in a repeat that counts */
static struct json_object *ptmem_of(struct json_object *rep)
{
	struct json_object *pm = plot_jpath(rep, "probes", "ptmem", NULL), *av = plot_jget(pm, "available");

	if (!pt_result_repeat_used(rep) || !av || !json_object_get_boolean(av))
		return NULL;
	return pm;
}

/* o.key when it is a number the probe read (it writes -1 for a failed read) */
static int gauge(struct json_object *o, const char *key, double *out)
{
	return plot_jnum(plot_jget(o, key), out) || *out < 0 ? -1 : 0;
}

static int self_kb(struct json_object *rep, const char *role, size_t s, double *out)
{
	(void)role;
	return gauge(plot_jpath(ptmem_of(rep), "self", "vmpte_kb", NULL), gauges[s], out);
}

/* the children's VmPTE summed, like the run summary's "peaks summed"; no
 * value when the run had no child process */
static int children_kb(struct json_object *rep, const char *role, size_t s, double *out)
{
	struct json_object *kids = plot_jget(ptmem_of(rep), "children");
	size_t n = kids && json_object_is_type(kids, json_type_array) ? json_object_array_length(kids) : 0;
	int got = 0;

	(void)role;
	*out = 0;
	for (size_t i = 0; i < n; i++) {
		double v;

		if (!gauge(plot_jget(json_object_array_get_idx(kids, i), "vmpte_kb"), gauges[s], &v)) {
			*out += v;
			got = 1;
		}
	}
	return got ? 0 : -1;
}

static int system_pages(struct json_object *rep, const char *role, size_t s, double *out)
{
	(void)role;
	return gauge(plot_jpath(ptmem_of(rep), "system", "nr_page_table_pages", NULL), gauges[s], out);
}

static int reclaim_tables(struct json_object *rep, const char *role, size_t s, double *out)
{
	struct json_object *pr = plot_jpath(rep, "workers", role, "pte_reclaim", NULL);

	if (!pr || !pt_result_repeat_used(rep))
		return -1;
	return gauge(pr, s ? "pte_tables_expected" : "pte_tables_freed", out);
}

struct panel {
	const char *title, *ylabel;
	/* series names and their fill densities: the colour is the result's */
	const char *series, *dens;
	size_t nseries;
	int (*get)(struct json_object *rep, const char *role, size_t s, double *out);
};

static const struct panel gauge_panels[] = {
	{ "VmPTE of ptbench", "kB", "\"start\" \"peak\" \"end\"", "0.35 0.95 0.6", 3, self_kb },
	{ "VmPTE of its child processes, summed", "kB", "\"start\" \"peak\" \"end\"", "0.35 0.95 0.6", 3,
	  children_kb },
	{ "nr_page_table_pages (whole system)", "pages", "\"start\" \"peak\" \"end\"", "0.35 0.95 0.6", 3,
	  system_pages },
};

static const struct panel reclaim_panel = {
	NULL, "PTE tables", "\"freed\" \"expected\"", "0.95 0.35", 2, reclaim_tables,
};

/* What one panel writes and passes to gnuplot. */
struct chart {
	FILE *f;
	size_t npanels, minrep, maxrep;
	struct plot_words titles, ylabels;
	struct plot_vars v;
};

/* One panel: a block of rows "result series median min max repeats" when
 * some result has a value, else nothing. */
static void add_panel(struct chart *c, const struct pt_plot *p, const struct panel *pn, const char *role,
		      const char *title)
{
	double *vals[MAX_SERIES];
	size_t got[MAX_SERIES];
	int any = 0;
	char *key;

	for (size_t r = 0; r < p->nres; r++) {
		size_t nrep = plot_nrepeats(&p->res[r]);

		for (size_t s = 0; s < pn->nseries; s++) {
			vals[s] = pt_xcalloc(nrep + 1, sizeof(double));
			got[s] = 0;
			for (size_t k = 0; k < nrep; k++)
				got[s] += !pn->get(plot_repeat(&p->res[r], k), role, s, &vals[s][got[s]]);
			plot_sort_values(vals[s], got[s]);
		}
		for (size_t s = 0; s < pn->nseries; s++) {
			if (got[s]) {
				if (!any++)
					fprintf(c->f, "# %s\n", title);
				fprintf(c->f, "%zu %zu %.6g %.6g %.6g %zu\n", r, s,
					plot_median_sorted(vals[s], got[s]), vals[s][0], vals[s][got[s] - 1],
					got[s]);
				c->minrep = got[s] < c->minrep ? got[s] : c->minrep;
				c->maxrep = got[s] > c->maxrep ? got[s] : c->maxrep;
			}
			free(vals[s]);
		}
	}
	if (!any)
		return;
	fprintf(c->f, "\n\n");
	c->npanels++;
	plot_words_add(&c->titles, "%s", title);
	plot_words_add(&c->ylabels, "%s", pn->ylabel);
	/* gnuplot has no list of lists: one variable per panel */
	key = plot_fmt("series%zu", c->npanels);
	plot_var_str(&c->v, key, pn->series);
	free(key);
	key = plot_fmt("dens%zu", c->npanels);
	plot_var_str(&c->v, key, pn->dens);
	free(key);
}

/* every role with a pte_reclaim report, in the order the results list them */
static void reclaim_roles(const struct pt_plot *p, struct plot_opkeys *roles)
{
	for (size_t r = 0; r < p->nres; r++)
		for (size_t k = 0; k < plot_nrepeats(&p->res[r]); k++) {
			struct json_object *w = plot_jget(plot_repeat(&p->res[r], k), "workers");

			if (!w || !json_object_is_type(w, json_type_object))
				continue;
			json_object_object_foreach(w, role, wv)
			{
				if (plot_jget(wv, "pte_reclaim"))
					plot_opkeys_add(roles, role, "");
			}
		}
}

int pt_plot_ptmem(struct pt_plot *p)
{
	struct chart c = { .minrep = (size_t)-1 };
	struct plot_opkeys roles = { 0 };
	struct plot_words labels, colors;
	char *safe, *path, *scen, *title, *med;
	int ret;

	c.f = plot_chart_open(p, &safe, &path, "ptmem");
	if (!c.f)
		return -1;
	fprintf(c.f, "# ptbench plot: page-table memory; one block per panel, rows:\n"
		   "# result_index series_index median min max repeats (kB, pages or PTE tables)\n");
	plot_words_open(&c.titles);
	plot_words_open(&c.ylabels);
	plot_vars_open(&c.v);
	for (size_t i = 0; i < PT_ARRAY_SIZE(gauge_panels); i++)
		add_panel(&c, p, &gauge_panels[i], NULL, gauge_panels[i].title);
	reclaim_roles(p, &roles);
	for (size_t i = 0; i < roles.n; i++) {
		char *t = plot_fmt("%s: PTE tables freed vs expected", roles.v[i].role);

		add_panel(&c, p, &reclaim_panel, roles.v[i].role, t);
		free(t);
	}
	plot_opkeys_free(&roles);
	plot_words_open(&labels);
	plot_words_open(&colors);
	for (size_t r = 0; r < p->nres; r++) {
		plot_words_add(&labels, "%s", p->res[r].label);
		plot_nums_add(&colors, "%zu", r);
	}
	plot_var_str(&c.v, "datafile", path);
	plot_var_words(&c.v, "titles", &c.titles);
	plot_var_words(&c.v, "ylabels", &c.ylabels);
	plot_var_words(&c.v, "labels", &labels);
	plot_var_words(&c.v, "colors", &colors);
	plot_var_num(&c.v, "n", (double)p->nres);
	plot_var_num(&c.v, "npanels", (double)c.npanels);
	scen = plot_scenario_title(p);
	med = plot_median_of(c.minrep, c.maxrep);
	title = plot_fmt("%s: page-table memory (bar: %s, error bar: min..max)", scen, med);
	plot_var_str(&c.v, "ttl", title);
	free(title);
	free(med);
	free(scen);
	ret = plot_chart_finish(p, plot_data_close(c.f, path), path, safe, "clusters", &c.v, c.npanels > 0);
	if (!ret)
		fprintf(stderr, "note: (g) ptmem: no ptmem probe data or pte_reclaim report in these results; "
				"skipped\n");
	free(path);
	free(safe);
	return ret;
}
