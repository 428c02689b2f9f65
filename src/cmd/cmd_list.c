/* ptbench list: scenarios (with their descriptions), workers, probes. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/cli.h"
#include "ptbench/commands.h"
#include "ptbench/exitcodes.h"
#include "ptbench/probe.h"
#include "ptbench/scenario.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_scenarios(void)
{
	const char *dir = pt_scenario_dir();
	DIR *d = opendir(dir);
	struct dirent *e;
	char *names[512];
	size_t n = 0;

	printf("scenarios (%s):\n", dir);
	if (!d) {
		printf("  (none: %s is missing)\n", dir);
		return;
	}
	while ((e = readdir(d)) && n < PT_ARRAY_SIZE(names)) {
		size_t len = strlen(e->d_name);

		if (len > 4 && !strcmp(e->d_name + len - 4, ".ini"))
			names[n++] = pt_xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), by_name);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		struct pt_scenario *sc;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		names[i][strlen(names[i]) - 4] = '\0';
		struct pt_scenario_keys k;

		sc = pt_scenario_load(path);
		if (sc)
			pt_scenario_keys(sc, &k);
		printf("  %-24s %s\n", names[i], sc ? k.description : "(does not parse: see above)");
		/* what a kernel developer picks a scenario by */
		if (sc && *k.change)
			printf("  %-24s   change:   %s\n", "", k.change);
		if (sc && *k.headline)
			printf("  %-24s   headline: %s\n", "", k.headline);
		pt_scenario_free(sc);
		free(names[i]);
	}
}

static const char list_usage[] =
	"usage: ptbench list [-v|--verbose]\n"
	"  -v, --verbose  each worker type's ops, unit op and keys, the keys of every role and of [scenario]\n";

int cmd_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int verbose = 0, c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'v': verbose = 1; break;
		case 'h': fputs(list_usage, stdout); return PT_EXIT_OK;
		default:
			pt_cli_bad_option("list", argv, longopts);
			fputs(list_usage, stderr);
			return PT_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ptbench list: takes no arguments ('%s')\n%s", argv[optind], list_usage);
		return PT_EXIT_USAGE;
	}
	list_scenarios();
	printf("\nworkers%s:\n", verbose ? "" : " (-v for their options)");
	for (size_t i = 0; pt_worker_types[i]; i++) {
		const struct pt_worker_type *w = pt_worker_types[i];

		printf("  %-24s %s\n", w->name, w->summary);
		if (verbose) {
			printf("    ops:");
			for (size_t k = 0; w->ops && w->ops[k]; k++)
				printf(" %s", w->ops[k]);
			if (!w->ops || !w->ops[0])
				printf(" (setup only)\n");
			else /* what compare's per_OP metrics divide by */
				printf(" (unit op: %s)\n", w->unit_op ? w->unit_op : "none");
			pt_opts_print_help(w->opts, "    ");
		}
	}
	if (verbose) {
		printf("\nkeys of every [worker NAME] section:\n");
		pt_opts_print_help(pt_role_opt_defs, "    ");
		printf("\nkeys of [scenario]:\n");
		pt_opts_print_help(pt_scenario_opt_defs, "    ");
	}
	printf("\nprobes:\n");
	for (size_t i = 0; pt_probes[i]; i++)
		printf("  %-24s %s\n", pt_probes[i]->name, pt_probes[i]->summary);
	return PT_EXIT_OK;
}
