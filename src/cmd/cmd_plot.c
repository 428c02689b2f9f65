/* ptbench plot RESULT... [-o DIR] [--format png|svg|both] [--label L1,L2,...]
 * The flags; the charts are the plot library's (src/plot/plot_render.c). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ptbench/cli.h"
#include "ptbench/commands.h"
#include "ptbench/exitcodes.h"
#include "ptbench/plot_data.h"

#define DEFAULT_DIR "ptbench-plots"

static void plot_usage(FILE *f)
{
	fprintf(f, "usage: ptbench plot RESULT... [-o DIR] [--format png|svg|both] [--label L1,L2,...]\n"
		   "Writes data files and charts into DIR (default ./" DEFAULT_DIR "): latency by percentile\n"
		   "per op, headline metrics, latency over time, mmap_lock waits and mmap_lock\n"
		   "acquisitions per op by role and mode (when the probe ran), latency against thread\n"
		   "count (for a sweep; with the probe, also locks per op and mmap_lock wait against\n"
		   "it; results sharing a label are one line), page-table memory (VmPTE,\n"
		   "nr_page_table_pages, PTE tables freed vs expected; when the ptmem probe or a\n"
		   "pte-reclaim role has data), page-table lifetime per scenario (PTE tables freed per\n"
		   "zap, pte_offset_map* failures per 1000 ops, retract_page_tables per collapse; when\n"
		   "the ptlife probe ran). Each result is labelled with its kernel release unless\n"
		   "--label names them (one label per result, in order).\n");
}

static const struct option plot_longopts[] = {
	{ "output", required_argument, NULL, 'o' }, { "format", required_argument, NULL, 'f' },
	{ "label", required_argument, NULL, 'l' },  { "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_plot(int argc, char **argv)
{
	static const char *const both[] = { "png", "svg" };
	const char *dir = DEFAULT_DIR, *format = "png", *labels = NULL;
	const char *const *fmts;
	size_t nfmts;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:f:l:h", plot_longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (pt_cli_output_arg("plot", "-o", optarg))
				return PT_EXIT_USAGE;
			dir = optarg;
			break;
		case 'f': format = optarg; break;
		case 'l': labels = optarg; break;
		case 'h': plot_usage(stdout); return PT_EXIT_OK;
		default:
			pt_cli_bad_option("plot", argv, plot_longopts);
			plot_usage(stderr);
			return PT_EXIT_USAGE;
		}
	}
	if (!strcmp(format, "png") || !strcmp(format, "svg")) {
		fmts = !strcmp(format, "png") ? both : both + 1;
		nfmts = 1;
	} else if (!strcmp(format, "both")) {
		fmts = both;
		nfmts = 2;
	} else {
		fprintf(stderr, "ptbench plot: --format %s: expected png, svg or both\n", format);
		return PT_EXIT_USAGE;
	}
	if (optind >= argc) {
		fprintf(stderr, "ptbench plot: which result files? (written by `ptbench run`)\n");
		plot_usage(stderr);
		return PT_EXIT_USAGE;
	}

	return pt_plot_files(argv + optind, (size_t)(argc - optind), dir, labels, fmts, nfmts);
}
