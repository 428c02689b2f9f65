/* ptbench run all: the whole catalogue (src/cmd_run_all.c). */
#ifndef PTBENCH_RUN_ALL_H
#define PTBENCH_RUN_ALL_H

/* argv as given to `run` (argv[0] = "run", "all" among the rest). */
int pt_run_all(int argc, char **argv);

#endif
