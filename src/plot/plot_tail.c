/* `ptbench plot` chart (h): where the slow ops were off CPU, from the tail
 * probe (probes.tail). One chart per role.op that kept stacks in some
 * result, one panel per stack (the six heaviest over all results, named by
 * their first frames past the scheduler's, "[R]" when runnable), one bar per
 * result: the off-CPU time at that stack per second of the measured window,
 * median over the repeats in which the probe ran (a repeat without the stack
 * counts 0), min..max as the error bar. So the top stacks of each kernel
 * stand side by side. Drawn by plots/bars.gp. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/plot_data.h"
#include "ptbench/plot_internal.h"
#include "ptbench/result_read.h"
#include "ptbench/util.h"

#define PANELS 6

/* repeats[k].probes.tail when the probe ran in a repeat that counts */
static struct json_object *tail_of(struct json_object *rep)
{
	struct json_object *t = plot_jpath(rep, "probes", "tail", NULL), *av = plot_jget(t, "available");

	if (!pt_result_repeat_used(rep) || !av || !json_object_get_boolean(av))
		return NULL;
	return t;
}

static bool sched_frame(const char *f)
{
	return !strcmp(f, "__schedule") || !strncmp(f, "schedule", 8) || !strncmp(f, "preempt_schedule", 16) ||
	       !strncmp(f, "irqentry_exit", 13) || !strncmp(f, "asm_sysvec", 10) || !strncmp(f, "__cond_resched", 14);
}

/* "f1 < f2[ [R]]": a stack's name in the chart (no double quote: the frames
 * are kernel symbols) */
static char *stack_label(struct json_object *st)
{
	struct json_object *frames = plot_jget(st, "stack"), *run = plot_jget(st, "runnable");
	char buf[160] = "";
	size_t n = frames && json_object_is_type(frames, json_type_array) ? json_object_array_length(frames) : 0;
	int shown = 0;

	for (size_t i = 0; i < n && shown < 2; i++) {
		const char *f = json_object_get_string(json_object_array_get_idx(frames, i));

		if (!f || sched_frame(f) || strchr(f, '"'))
			continue;
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", shown++ ? " < " : "", f);
	}
	if (!shown)
		snprintf(buf, sizeof(buf), "schedule");
	if (strlen(buf) > 40) /* a panel title's width */
		strcpy(buf + 37, "...");
	if (run && json_object_get_boolean(run))
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " [R]");
	return pt_xstrdup(buf);
}

/* off-CPU ns per second at label in one repeat's op object */
static double per_second(struct json_object *rep, struct json_object *oj, const char *label)
{
	struct json_object *stacks = plot_jget(oj, "stacks");
	double s = 0, secs = 0;
	size_t n = stacks && json_object_is_type(stacks, json_type_array) ? json_object_array_length(stacks) : 0;

	if (plot_jnum(plot_jget(rep, "measured_s"), &secs) || secs <= 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct json_object *st = json_object_array_get_idx(stacks, i);
		char *l = stack_label(st);
		double ns;

		if (!strcmp(l, label) && !plot_jnum(plot_jget(st, "off_cpu_ns"), &ns))
			s += ns;
		free(l);
	}
	return s / secs;
}

struct label_sum {
	char *label;
	double ns;
};

static int by_ns(const void *a, const void *b)
{
	const struct label_sum *x = a, *y = b;

	return x->ns > y->ns ? -1 : x->ns < y->ns;
}

static int one_chart(struct pt_plot *p, const char *role, const char *op)
{
	struct label_sum *ls = NULL;
	size_t nl = 0, np;
	struct plot_words names, ylabels, scales;
	struct plot_vars v;
	char *safe, *path, *title;
	FILE *f;
	int drawn = 0;

	/* the stacks, heaviest first over every result and repeat */
	for (size_t r = 0; r < p->nres; r++)
		for (size_t k = 0; k < plot_nrepeats(&p->res[r]); k++) {
			struct json_object *oj = plot_jpath(tail_of(plot_repeat(&p->res[r], k)), "roles", role, "ops", op,
							    "stacks", NULL);
			size_t n = oj && json_object_is_type(oj, json_type_array) ? json_object_array_length(oj) : 0;

			for (size_t i = 0; i < n; i++) {
				struct json_object *st = json_object_array_get_idx(oj, i);
				char *l = stack_label(st);
				double ns = 0;
				size_t j;

				plot_jnum(plot_jget(st, "off_cpu_ns"), &ns);
				for (j = 0; j < nl && strcmp(ls[j].label, l); j++)
					;
				if (j < nl) {
					ls[j].ns += ns;
					free(l);
				} else {
					ls = pt_xrealloc(ls, (nl + 1) * sizeof(*ls));
					ls[nl++] = (struct label_sum){ l, ns };
				}
			}
		}
	if (!nl)
		return 0;
	if (nl > 1)
		qsort(ls, nl, sizeof(*ls), by_ns);
	np = nl < PANELS ? nl : PANELS;
	f = plot_chart_open(p, &safe, &path, "tail-%s.%s", role, op);
	if (!f) {
		drawn = -1;
		goto out;
	}
	fprintf(f, "# ptbench plot: where %s.%s's slow ops were off CPU (tail probe); one block per stack,\n"
		   "# one row per result: result_index median min max repeats (off-CPU ns per second)\n",
		role, op);
	plot_words_open(&names);
	plot_words_open(&ylabels);
	plot_words_open(&scales);
	for (size_t j = 0; j < np; j++) {
		fprintf(f, "# %s\n", ls[j].label);
		for (size_t r = 0; r < p->nres; r++) {
			double *vals = NULL;
			size_t got = 0;

			for (size_t k = 0; k < plot_nrepeats(&p->res[r]); k++) {
				struct json_object *rep = plot_repeat(&p->res[r], k), *t = tail_of(rep);
				double x;

				if (!t || (x = per_second(rep, plot_jpath(t, "roles", role, "ops", op, NULL), ls[j].label)) < 0)
					continue;
				vals = pt_xrealloc(vals, (got + 1) * sizeof(*vals));
				vals[got++] = x;
			}
			if (got) {
				plot_sort_values(vals, got);
				fprintf(f, "%zu %.6g %.6g %.6g %zu\n", r, plot_median_sorted(vals, got), vals[0], vals[got - 1],
					got);
			}
			free(vals);
		}
		fprintf(f, "\n\n");
		plot_words_add(&names, "%s", ls[j].label);
		plot_words_add(&ylabels, "off CPU (ms per s)");
		plot_nums_add(&scales, "1000000");
	}
	plot_bars_vars(&v, p, path, &names, &ylabels, &scales, np);
	title = plot_fmt("%s.%s: where its slow ops were off CPU (tail probe; [R]: runnable, preempted)", role, op);
	plot_var_str(&v, "ttl", title);
	free(title);
	drawn = plot_chart_finish(p, plot_data_close(f, path), path, safe, "bars", &v, 1);
	free(path);
	free(safe);
out:
	for (size_t j = 0; j < nl; j++)
		free(ls[j].label);
	free(ls);
	return drawn;
}

int pt_plot_tail(struct pt_plot *p)
{
	struct plot_opkeys keys = { 0 };
	int charts = 0;

	/* every role.op the probe kept stacks for, in some repeat of some result */
	for (size_t r = 0; r < p->nres; r++)
		for (size_t k = 0; k < plot_nrepeats(&p->res[r]); k++) {
			struct json_object *roles = plot_jget(tail_of(plot_repeat(&p->res[r], k)), "roles");

			if (!roles || !json_object_is_type(roles, json_type_object))
				continue;
			json_object_object_foreach(roles, role, rj)
			{
				struct json_object *ops = plot_jget(rj, "ops");

				if (!ops || !json_object_is_type(ops, json_type_object))
					continue;
				json_object_object_foreach(ops, op, oj)
				{
					struct json_object *st = plot_jget(oj, "stacks");

					if (st && json_object_is_type(st, json_type_array) && json_object_array_length(st))
						plot_opkeys_add(&keys, role, op);
				}
			}
		}
	for (size_t i = 0; i < keys.n; i++) {
		int c = one_chart(p, keys.v[i].role, keys.v[i].op);

		if (c < 0) {
			charts = -1;
			break;
		}
		charts += c;
	}
	if (!keys.n)
		fprintf(stderr, "note: (h) tail: no result has tail probe stacks; skipped\n");
	plot_opkeys_free(&keys);
	return charts;
}
