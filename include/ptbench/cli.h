/* Shared command-line handling for the subcommands. */
#ifndef PTBENCH_CLI_H
#define PTBENCH_CLI_H

#include <getopt.h>

/* After getopt_long (with opterr = 0) returned '?' or ':': say which option
 * was refused and why on stderr, with a "did you mean --X?" for a mistyped
 * long flag. cmd is the subcommand ("run"). */
void pt_cli_bad_option(const char *cmd, char **argv, const struct option *longopts);
/* An output path given to option opt: refused (message on stderr, -1) when
 * it begins with '-', which is a forgotten value far more often than a
 * file name (`-o --dry-run` would run for real and write ./--dry-run); such
 * a file is still reachable as ./-NAME. 0 when it may be used. */
int pt_cli_output_arg(const char *cmd, const char *opt, const char *path);

#endif
