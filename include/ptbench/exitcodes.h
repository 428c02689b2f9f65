/* Exit codes shared by every command (doc/design.md: exit codes; README.md and ptbench.1 list them).
 * Scripts and CI depend on these numbers: never renumber. */
#ifndef PTBENCH_EXITCODES_H
#define PTBENCH_EXITCODES_H

enum pt_exit {
	PT_EXIT_OK = 0,           /* ok / no regression */
	PT_EXIT_REGRESSION = 1,   /* compare --gate found a regression */
	PT_EXIT_USAGE = 2,        /* usage error or bad input (flags, scenario, result files) */
	PT_EXIT_INCONCLUSIVE = 3, /* too noisy, too few repeats */
	PT_EXIT_SKIP = 4,         /* kernel or privileges cannot run it; the reason is printed */
	PT_EXIT_RUNTIME = 5,      /* the system failed us mid-run (mmap, thread creation, write) */
	PT_EXIT_BUSY = 6,         /* gate: another gate holds the output directory */
};

#endif
