/* `ptbench plot` chart (d): mmap_lock wait by mode from the mmap_lock probe,
 * as percentile curves: one chart of all threads and one per role, a read and
 * a write curve per result. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>

#include "ptbench/hist.h"
#include "ptbench/plot_data.h"
#include "ptbench/plot_internal.h"
#include "ptbench/util.h"

static int probe_ran(struct json_object *rep)
{
	struct json_object *av = plot_jpath(rep, "probes", "mmap_lock", "available", NULL);

	return av && json_object_get_boolean(av);
}

/* result r's wait distribution in one mode, merged over the repeats in which
 * the probe ran; of all threads (role NULL) or of one role */
static void merge_waits(struct pt_hist *h, const struct pt_plot_result *res, const char *role, const char *mode)
{
	for (size_t k = 0; k < plot_nrepeats(res); k++) {
		struct json_object *rep = plot_repeat(res, k);
		struct json_object *ml = plot_jpath(rep, "probes", "mmap_lock", NULL);

		if (!probe_ran(rep))
			continue;
		if (role)
			ml = plot_jpath(ml, "roles", role, NULL);
		pt_plot_merge_buckets(h, plot_jpath(ml, "wait", mode, NULL));
	}
}

/* One chart: every result's read and write wait distribution, of all threads
 * (role NULL) or of one role. Returns 1 when drawn, 0 when no data, -1. */
static int mmap_lock_chart(struct pt_plot *p, const char *role, const char *scen)
{
	static const char *const modes[] = { "read", "write" };
	char *safe, *path, *title;
	struct plot_curves cs;
	FILE *f = role ? plot_chart_open(p, &safe, &path, "mmap_lock-wait-%s", role)
		       : plot_chart_open(p, &safe, &path, "mmap_lock-wait");
	int ret;

	if (!f)
		return -1;
	fprintf(f, "# ptbench plot: mmap_lock wait by mode (%s), merged over repeats\n"
		   "# one block per result and mode: x=1/(1-p)  percentile  wait_ns\n",
		role ? role : "all threads");
	plot_curves_open(&cs);
	for (size_t r = 0; r < p->nres; r++) {
		for (size_t m = 0; m < PT_ARRAY_SIZE(modes); m++) {
			struct pt_hist *h = pt_hist_new();

			merge_waits(h, &p->res[r], role, modes[m]);
			if (h->count) {
				char *l = plot_fmt("%s: %s wait", p->res[r].label, modes[m]);

				fprintf(f, "# %s\n", l);
				plot_curves_add(&cs, f, h, l, r, (int)m + 1);
				free(l);
			}
			free(h);
		}
	}
	title = plot_fmt("%s: mmap_lock wait by mode, %s%s (all repeats merged)", scen,
			 role ? "role " : "all threads", role ? role : "");
	ret = plot_curves_finish(p, f, path, safe, &cs, title, "wait for mmap_lock");
	free(title);
	free(path);
	free(safe);
	return ret;
}

/* Did the probe run in any repeat? Collects the roles it reports; *why is
 * the first reason a repeat gives for not running it. */
static int probe_roles(const struct pt_plot *p, struct plot_opkeys *roles, const char **why)
{
	int ran = 0;

	*why = NULL;
	for (size_t r = 0; r < p->nres; r++)
		for (size_t k = 0; k < plot_nrepeats(&p->res[r]); k++) {
			struct json_object *rep = plot_repeat(&p->res[r], k);
			struct json_object *rl = plot_jpath(rep, "probes", "mmap_lock", "roles", NULL);

			if (!probe_ran(rep)) {
				if (!*why)
					*why = json_object_get_string(
						plot_jpath(rep, "probes", "mmap_lock", "why", NULL));
				continue;
			}
			ran = 1;
			if (rl && json_object_is_type(rl, json_type_object)) {
				json_object_object_foreach(rl, role, rv)
				{
					(void)rv;
					plot_opkeys_add(roles, role, "");
				}
			}
		}
	return ran;
}

int pt_plot_mmap_lock(struct pt_plot *p)
{
	const char *why;
	char *scen;
	int charts, c;
	struct plot_opkeys roles = { 0 };

	if (!probe_roles(p, &roles, &why)) {
		fprintf(stderr, "note: (d) mmap_lock: the mmap_lock probe did not run for these results (%s); skipped\n",
			why ? why : "no probes.mmap_lock in the result files");
		return 0;
	}
	scen = plot_scenario_title(p);
	charts = mmap_lock_chart(p, NULL, scen);
	for (size_t i = 0; i < roles.n && charts >= 0; i++) {
		c = mmap_lock_chart(p, roles.v[i].role, scen);
		charts = c < 0 ? -1 : charts + c;
	}
	if (!charts)
		fprintf(stderr, "note: (d) mmap_lock: the probe ran but recorded no waits; skipped\n");
	plot_opkeys_free(&roles);
	free(scen);
	return charts;
}
