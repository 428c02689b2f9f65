/* The human summary of a result, printed from the result JSON itself so the
 * same table can be printed again from a file. */
#ifndef PTBENCH_SUMMARY_H
#define PTBENCH_SUMMARY_H

#include <stdio.h>

struct json_object;

/* Per role and op: count, ops/s, p50, p99, p99.9, max, errors; then probes. */
void pt_summary_print_repeat(struct json_object *repeat, int index, FILE *out);

#endif
