/* ptbench sysinfo [--json] */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "ptbench/commands.h"
#include "ptbench/exitcodes.h"
#include "ptbench/sysinfo.h"
#include "ptbench/topo.h"

int cmd_sysinfo(int argc, char **argv)
{
	struct json_object *sys;
	int json = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: ptbench sysinfo [--json]\n"
			       "  --json  the same as JSON (the \"system\" object of a result file)\n");
			return PT_EXIT_OK;
		} else {
			fprintf(stderr, "ptbench sysinfo: unknown argument '%s'\nusage: ptbench sysinfo [--json]\n",
				argv[i]);
			return PT_EXIT_USAGE;
		}
	}
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
