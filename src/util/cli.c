/* Messages for refused options, shared by every subcommand so they all say
 * the same thing the same way. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ptbench/cli.h"
#include "ptbench/options.h"

static const char *long_name_of(int val, const struct option *longopts)
{
	for (; longopts->name; longopts++)
		if (longopts->val == val)
			return longopts->name;
	return NULL;
}

void pt_cli_bad_option(const char *cmd, char **argv, const struct option *longopts)
{
	const char *arg = argv[optind - 1], *word = arg, *names[64], *hint;
	char buf[64];
	size_t n = 0;

	if (optopt) {
		/* a known option without its value, or an unknown short one */
		const char *name = long_name_of(optopt, longopts);

		if (name && !strncmp(arg, "--", 2))
			fprintf(stderr, "ptbench %s: option --%s needs a value\n", cmd, name);
		else if (name)
			fprintf(stderr, "ptbench %s: option -%c needs a value\n", cmd, optopt);
		else
			fprintf(stderr, "ptbench %s: unknown option -%c\n", cmd, optopt);
		return;
	}
	fprintf(stderr, "ptbench %s: unknown option '%s'\n", cmd, arg);
	while (*word == '-')
		word++;
	snprintf(buf, sizeof(buf), "%s", word);
	buf[strcspn(buf, "=")] = '\0';
	for (; longopts[n].name && n < sizeof(names) / sizeof(names[0]); n++)
		names[n] = longopts[n].name;
	hint = pt_suggest(buf, names, n);
	if (hint)
		fprintf(stderr, "ptbench %s: did you mean --%s?\n", cmd, hint);
}

int pt_cli_output_arg(const char *cmd, const char *opt, const char *path)
{
	if (path[0] != '-')
		return 0;
	fprintf(stderr, "ptbench %s: %s '%s': looks like an option, not a file name (its value "
			"missing?); write ./%s for a file of that name\n", cmd, opt, path, path);
	return -1;
}
