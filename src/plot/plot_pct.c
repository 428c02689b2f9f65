/* `ptbench plot` chart (a): latency by percentile, one chart per role.op, one
 * curve per result with its repeats' histograms merged. */
#include <stdio.h>
#include <stdlib.h>

#include "ptbench/hist.h"
#include "ptbench/plot_data.h"
#include "ptbench/plot_internal.h"

/* one role.op's chart: 1 when drawn, 0 when no result has a sample, -1 */
static int pct_chart(struct pt_plot *p, const char *role, const char *op, const char *scen)
{
	char *safe, *path, *title;
	struct plot_curves cs;
	FILE *f = plot_chart_open(p, &safe, &path, "pct-%s.%s", role, op);
	int ret;

	if (!f)
		return -1;
	fprintf(f, "# ptbench plot: %s.%s latency by percentile, merged over repeats\n"
		   "# one block per result: x=1/(1-p)  percentile  latency_ns\n",
		role, op);
	plot_curves_open(&cs);
	for (size_t r = 0; r < p->nres; r++) {
		struct pt_hist *h = pt_hist_new();

		for (size_t k = 0; k < plot_nrepeats(&p->res[r]); k++)
			pt_plot_merge_buckets(h, plot_op_stats(plot_repeat(&p->res[r], k), role, op));
		if (h->count) {
			fprintf(f, "# %s\n", p->res[r].label);
			plot_curves_add(&cs, f, h, p->res[r].label, r, 1);
		}
		free(h);
	}
	title = plot_fmt("%s: %s.%s latency by percentile (all repeats merged)", scen, role, op);
	ret = plot_curves_finish(p, f, path, safe, &cs, title, NULL);
	free(title);
	free(path);
	free(safe);
	return ret;
}

int pt_plot_percentiles(struct pt_plot *p)
{
	struct plot_opkeys keys = { 0 };
	char *scen = plot_scenario_title(p);
	int charts = 0;

	plot_collect_ops(p, 0, &keys);
	for (size_t i = 0; i < keys.n && charts >= 0; i++) {
		int c = pct_chart(p, keys.v[i].role, keys.v[i].op, scen);

		charts = c < 0 ? -1 : charts + c;
	}
	if (!charts)
		fprintf(stderr, "note: (a) percentiles: no op recorded a sample in these results; skipped\n");
	plot_opkeys_free(&keys);
	free(scen);
	return charts;
}
