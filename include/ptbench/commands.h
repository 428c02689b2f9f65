/* One function per subcommand (src/cmd/cmd_*.c); src/cmd/main.c holds the
 * table. A command calls libraries, never another command's code
 * (tests/integration/house.t). */
#ifndef PTBENCH_COMMANDS_H
#define PTBENCH_COMMANDS_H

int cmd_list(int argc, char **argv);
int cmd_run(int argc, char **argv);
struct pt_run_args;
/* `ptbench run all` (src/cmd/cmd_run_all.c): a form of run, argv as given
 * to run (argv[0] = "run", "all" among the rest), a as run parsed them. */
int cmd_run_all(int argc, char **argv, const struct pt_run_args *a);
int cmd_plot(int argc, char **argv);
int cmd_sysinfo(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_vm(int argc, char **argv);
int cmd_gate(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_help(int argc, char **argv);


#endif
