/* ptbench list: scenarios (with their descriptions), workers, probes. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int cmd_list(int argc, char **argv)
{
	int verbose = argc > 1 && (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--verbose"));

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: ptbench list [-v|--verbose]\n"
		       "  -v, --verbose  each worker type's ops, unit op and keys, the keys of every role and of [scenario]\n");
		return PT_EXIT_OK;
	}
	if (argc > 2 || (argc > 1 && !verbose)) {
		fprintf(stderr, "usage: ptbench list [-v|--verbose]\n");
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
