/* Shared command-line handling for the subcommands. */
#ifndef PTBENCH_CLI_H
#define PTBENCH_CLI_H

#include <getopt.h>

/* After getopt_long (with opterr = 0) returned '?' or ':': say which option
 * was refused and why on stderr, with a "did you mean --X?" for a mistyped
 * long flag. cmd is the subcommand ("run"). */
void pt_cli_bad_option(const char *cmd, char **argv, const struct option *longopts);

#endif
