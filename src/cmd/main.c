/* ptbench: the command table (git-style: a table, not an if-chain). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ptbench/commands.h"
#include "ptbench/exitcodes.h"
#include "ptbench/options.h"
#include "ptbench/util.h"

static int cmd_version(int argc, char **argv);

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "list", cmd_list, "scenarios, worker types (with their options) and probes" },
	{ "run", cmd_run, "run a scenario on this kernel, write a result file" },
	{ "compare", cmd_compare, "compare result files: a verdict per metric; --gate for CI" },
	{ "plot", cmd_plot, "gnuplot charts (PNG, SVG) that put result files side by side" },
	{ "sysinfo", cmd_sysinfo, "kernel, THP settings, CPU, topology, NUMA" },
	{ "vm", cmd_vm, "boot kernel images under qemu, run scenarios there, collect results" },
	{ "gate", cmd_gate, "CI gate: boot base and candidate kernels in turn (or take their results), verdict + reports" },
	{ "restore", cmd_restore, "put back what a killed run left: sysfs values, tracefs mount (state file)" },
	{ "help", cmd_help, "this text; help COMMAND: the command's options (COMMAND --help)" },
	{ "version", cmd_version, "the version (as --version)" },
};

static int cmd_version(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: ptbench version\nPrints 'ptbench VERSION' (as ptbench --version).\n");
		return PT_EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "ptbench version: takes no arguments ('%s')\n", argv[1]);
		return PT_EXIT_USAGE;
	}
	printf("ptbench %s\n", pt_version);
	return PT_EXIT_OK;
}

/* the command's own --help, as `ptbench COMMAND --help` */
static int help_for(const char *name)
{
	const char *names[PT_ARRAY_SIZE(commands)], *hint;

	for (size_t i = 0; i < PT_ARRAY_SIZE(commands); i++) {
		names[i] = commands[i].name;
		if (!strcmp(name, commands[i].name) && commands[i].fn != cmd_help) {
			char *argv[] = { (char *)commands[i].name, "--help", NULL };

			return commands[i].fn(2, argv);
		}
	}
	fprintf(stderr, "ptbench help: '%s' is not a command.", name);
	hint = pt_suggest(name, names, PT_ARRAY_SIZE(commands));
	if (hint)
		fprintf(stderr, " Did you mean '%s'?", hint);
	fprintf(stderr, " See 'ptbench help'.\n");
	return PT_EXIT_USAGE;
}

int cmd_help(int argc, char **argv)
{
	if (argc > 1 && argv[1][0] != '-' && strcmp(argv[1], "help"))
		return help_for(argv[1]);
	printf("usage: ptbench [--version] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < PT_ARRAY_SIZE(commands); i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].help);
	printf("\n`ptbench help COMMAND` or `ptbench COMMAND --help` for a command's options.\n"
	       "exit codes: 0 ok, 1 regression, 2 usage/bad input, 3 inconclusive,\n"
	       "            4 skipped (kernel or privileges), 5 runtime failure,\n"
	       "            6 busy (another gate holds the output directory),\n"
	       "            128+N interrupted by signal N (result written, marked incomplete)\n");
	return PT_EXIT_OK;
}

/* What a command printed must have reached its standard output: a report
 * redirected onto a full disk is not a pass. A failed write turns an exit
 * that says all went well (0, 3 inconclusive, 4 skipped) into 5; a verdict
 * that already fails (1, 2, 5, 128+N) stands. A reader that went away
 * (EPIPE: `ptbench list | head`) is no failure of ours. */
static int stdout_checked(int rc)
{
	int flushed = fflush(stdout) == 0, err = errno;

	if (flushed && !ferror(stdout))
		return rc;
	if (!flushed && err == EPIPE)
		return rc;
	fprintf(stderr, "ptbench: writing to standard output failed: %s\n",
		flushed ? "an earlier write was refused" : strerror(err));
	return rc == PT_EXIT_OK || rc == PT_EXIT_INCONCLUSIVE || rc == PT_EXIT_SKIP ? PT_EXIT_RUNTIME : rc;
}

int main(int argc, char **argv)
{
	const char *names[PT_ARRAY_SIZE(commands)];
	const char *hint;

	/* a copy: getopt permutes the array it is handed */
	pt_argc = argc;
	pt_argv = pt_xcalloc((size_t)argc + 1, sizeof(char *));
	memcpy(pt_argv, argv, (size_t)argc * sizeof(char *));
	if (argc < 2) {
		cmd_help(0, NULL);
		return PT_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("ptbench %s\n", pt_version);
		return stdout_checked(PT_EXIT_OK);
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return stdout_checked(cmd_help(0, NULL));
	for (size_t i = 0; i < PT_ARRAY_SIZE(commands); i++) {
		if (!strcmp(argv[1], commands[i].name))
			return stdout_checked(commands[i].fn(argc - 1, argv + 1));
		names[i] = commands[i].name;
	}
	fprintf(stderr, "ptbench: '%s' is not a command.", argv[1]);
	hint = pt_suggest(argv[1], names, PT_ARRAY_SIZE(commands));
	if (hint)
		fprintf(stderr, " Did you mean '%s'?", hint);
	fprintf(stderr, " See 'ptbench help'.\n");
	return PT_EXIT_USAGE;
}
