/* run's result file: the up-front check of every file a run will write, and
 * the final write that keeps file and exit code in agreement. */
#ifndef PTBENCH_RUN_OUTPUT_H
#define PTBENCH_RUN_OUTPUT_H

#include <stdbool.h>

struct json_object;
struct pt_sweep;

/* pt_output_check on out (NULL: not checked), or on each sweep point's
 * file, and on folded (NULL: none); refuses an output that is the scenario file or another
 * output. Prints why. Returns 0 or -1. */
int pt_run_check_outputs(const char *out, const struct pt_sweep *sw, const char *scenario,
			 const char *folded);
/* Write doc to out with "complete" (and "interrupted_by" after a stop
 * signal); a stop signal during the write rewrites it incomplete. Leaves
 * SIGINT/SIGTERM/SIGHUP blocked: the caller decides the exit code, then calls
 * pt_block_stop_signals(false). Returns 0 when written to out, 1 when the
 * result had to go elsewhere (said), -1 when nowhere. */
int pt_run_write_result(struct json_object *doc, const char *out, bool complete, bool json,
			bool quiet);
void pt_block_stop_signals(bool block);

#endif
