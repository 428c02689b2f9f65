/* Data files for `ptbench plot`: one function per chart kind reads the loaded
 * result documents, writes the gnuplot data file(s) into the output directory
 * and queues a chart (which plots/SCRIPT.gp renders it, with which variables).
 * cmd_plot.c then runs gnuplot over the queue. */
#ifndef PTBENCH_PLOT_DATA_H
#define PTBENCH_PLOT_DATA_H

#include <stddef.h>
#include <stdint.h>

struct json_object;
struct pt_hist;

struct pt_plot_result {
	const char *path;
	struct json_object *doc;
	char *label;  /* legend name, unique among the results ("6.18.3", "6.18.3 #2") */
	char *series; /* the label before de-duplication: a sweep draws one line per series */
};

/* One chart to render: plots/SCRIPT.gp with -e "VARS; term=...; out=..." */
struct pt_plot_chart {
	char *name;   /* output base name without extension, e.g. "pct-churn.mmap" */
	char *script; /* "percentiles", "bars", "timeline", "sweep", "clusters" */
	char *vars;   /* gnuplot assignments: datafile, labels, unit, titles... */
};

struct pt_plot {
	struct pt_plot_result *res;
	size_t nres;
	const char *dir; /* where data files and charts go */
	struct pt_plot_chart *charts;
	size_t ncharts, cap;
};

/* Labels: each result's kernel release, or the comma-separated list (one per
 * result); identical labels get " #2", " #3"... Returns -1 with a message on a
 * list of the wrong length or a label gnuplot cannot carry (a double quote). */
int pt_plot_set_labels(struct pt_plot_result *res, size_t n, const char *list);

/* The chart kinds. Each returns how many charts it queued (0: no data for
 * these results, a note on stderr says why) or -1 when a data file could not
 * be written (the message names it). */
int pt_plot_percentiles(struct pt_plot *p); /* (a) latency by percentile, per role.op */
int pt_plot_bars(struct pt_plot *p);        /* (b) headline metrics, median of repeats */
int pt_plot_timeline(struct pt_plot *p);    /* (c) latency over time, collapses marked */
int pt_plot_mmap_lock(struct pt_plot *p);   /* (d) mmap_lock wait by mode */
int pt_plot_sweep(struct pt_plot *p);       /* (e) p50/p99 against thread count */
int pt_plot_locks_per_op(struct pt_plot *p); /* (f) mmap_lock acquisitions per op, role and mode */
int pt_plot_ptmem(struct pt_plot *p);        /* (g) page-table memory, PTE tables freed */
int pt_plot_tail(struct pt_plot *p);         /* (h) where slow ops were off CPU (tail probe) */
int pt_plot_ptlife(struct pt_plot *p);       /* (i) PTE tables freed, pte_offset_map* failures (ptlife probe) */

void pt_plot_free(struct pt_plot *p);

/* The whole of `ptbench plot` after its flags (src/plot/plot_render.c):
 * load the n result files, write the data files and render each chart in
 * each of fmts ("png", "svg") into dir (created). labels: a comma list, one
 * per result, or NULL for the kernel releases. Returns an exit code. */
int pt_plot_files(char *const *paths, size_t n, const char *dir, const char *labels,
		  const char *const *fmts, size_t nfmts);

/* Helpers, exposed for the unit tests. */
/* Merge an op-statistics object's "buckets" ([[upper_ns, count]...]) into h;
 * returns the samples added. */
uint64_t pt_plot_merge_buckets(struct pt_hist *h, struct json_object *opstats);
/* A unit for values around `typical` ns: sets *scale (1, 1e3, 1e6, 1e9) and
 * returns "ns", "us", "ms" or "s". */
const char *pt_plot_time_unit(double typical, double *scale);
/* s inside a gnuplot single-quoted string (quotes doubled), malloc'd */
char *pt_plot_gp_quote(const char *s);

#endif
