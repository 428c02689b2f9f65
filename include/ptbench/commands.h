/* One function per subcommand (src/cmd_*.c); src/main.c holds the table. */
#ifndef PTBENCH_COMMANDS_H
#define PTBENCH_COMMANDS_H

int cmd_list(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_sysinfo(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_vm(int argc, char **argv);
int cmd_gate(int argc, char **argv);
int cmd_restore(int argc, char **argv);
/* `vm`'s check of the arguments it hands to the guest's `ptbench run`:
 * parsed and applied to the scenario file on the host. 0 or exit code 2. */
int pt_run_check_args(const char *scenario, int nargs, char **args);
int cmd_help(int argc, char **argv);

/* The whole command line, for the result's tool.argv and re-exec. */
extern int pt_argc;
extern char **pt_argv;

#endif
