/* ptbench sysinfo [--json] [--check-config [FILE]] */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "ptbench/cli.h"
#include "ptbench/commands.h"
#include "ptbench/exitcodes.h"
#include "ptbench/kconfig_check.h"
#include "ptbench/sysinfo.h"
#include "ptbench/topo.h"

static const char usage[] =
	"usage: ptbench sysinfo [--json] [--check-config [FILE]]\n"
	"  --json                the same as JSON (the \"system\" object of a result file)\n"
	"  --check-config [FILE] the running kernel's config (or FILE, a .config, gzip or\n"
	"                        plain) against ptbench.config: what is missing and what\n"
	"                        ptbench loses without it (exit 0 either way; 2 unreadable)\n";

static int check_config(const char *file, int json)
{
	char err[512];
	const char *frag = pt_kconfig_fragment_path();
	struct json_object *c = pt_kconfig_check(frag, file, err, sizeof(err));

	if (!c) {
		fprintf(stderr, "ptbench sysinfo --check-config: %s\n", err);
		return PT_EXIT_USAGE;
	}
	if (json) {
		printf("%s\n", json_object_to_json_string_ext(c, JSON_C_TO_STRING_PRETTY |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		struct json_object *v;

		json_object_object_get_ex(c, "config", &v);
		printf("%s against %s:\n", json_object_get_string(v), frag);
		pt_kconfig_check_print(c, "  ", stdout);
	}
	json_object_put(c);
	return PT_EXIT_OK;
}

int cmd_sysinfo(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "check-config", optional_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *sys;
	const char *config = NULL;
	int json = 0, check = 0, c;

	opterr = 0;
	optind = 1;
	/* "+": no permuting, so that --check-config's FILE may follow it as the
	 * next word, which getopt's optional arguments do not allow */
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'c':
			check = 1;
			config = optarg;
			if (!config && optind < argc && argv[optind][0] != '-')
				config = argv[optind++];
			break;
		case 'h': fputs(usage, stdout); return PT_EXIT_OK;
		default:
			pt_cli_bad_option("sysinfo", argv, longopts);
			fputs(usage, stderr);
			return PT_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ptbench sysinfo: unknown argument '%s'\n%s", argv[optind], usage);
		return PT_EXIT_USAGE;
	}
	if (check)
		return check_config(config, json);
	sys = pt_sysinfo_collect();
	if (json)
		printf("%s\n", json_object_to_json_string_ext(sys, JSON_C_TO_STRING_PRETTY |
								     JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		pt_sysinfo_print(sys);
	json_object_put(sys);
	pt_topo_cleanup();
	return PT_EXIT_OK;
}
