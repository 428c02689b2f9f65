/* ptbench gate: the boot order, how the scenarios' outcomes combine into one
 * exit code, and git bisect's reading of it. Pure functions, unit tested. */
#include <string.h>

#include "ptbench/exitcodes.h"
#include "ptbench/gate.h"

void pt_gate_order(int rounds, char *seq)
{
	for (int r = 0; r < rounds; r++) {
		/* odd rounds (1st, 3rd, ...) AB, even rounds BA */
		seq[2 * r] = r % 2 ? 'B' : 'A';
		seq[2 * r + 1] = r % 2 ? 'A' : 'B';
	}
	seq[2 * (rounds > 0 ? rounds : 0)] = '\0';
}

int pt_gate_exit(const int *status, size_t n)
{
	/* the most telling outcome wins: what could not be compared, then a
	 * proven regression, then a run that failed, then an undecided metric */
	static const int order[] = { PT_EXIT_USAGE, PT_EXIT_REGRESSION, PT_EXIT_RUNTIME,
				     PT_EXIT_INCONCLUSIVE, PT_EXIT_OK };

	for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++)
		for (size_t i = 0; i < n; i++)
			if (status[i] == order[o])
				return order[o];
	for (size_t i = 0; i < n; i++)
		if (status[i] != PT_EXIT_SKIP)
			return PT_EXIT_RUNTIME; /* an exit code no step should give */
	return PT_EXIT_SKIP;
}

int pt_gate_bisect_code(int exit_code)
{
	switch (exit_code) {
	case PT_EXIT_OK:
		return 0;
	case PT_EXIT_REGRESSION:
		return 1;
	case PT_EXIT_INCONCLUSIVE:
	case PT_EXIT_SKIP:
	case PT_EXIT_RUNTIME:
		return 125;
	default:
		/* bad input or a signal: git bisect run stops on 128 and above */
		return exit_code >= 128 ? exit_code : 128;
	}
}

const char *pt_gate_word(int status)
{
	switch (status) {
	case PT_EXIT_OK:
		return "PASS";
	case PT_EXIT_REGRESSION:
		return "FAIL";
	case PT_EXIT_INCONCLUSIVE:
		return "UNDECIDED";
	case PT_EXIT_SKIP:
		return "SKIPPED";
	default:
		return "ERROR";
	}
}
