/* The tail probe's stacks of a result, folded for flame-graph tools
 * (flamegraph.pl, speedscope, inferno): one line per role, op and stack,
 * "ROLE;OP;root;...;leaf VALUE", root first, VALUE the nanoseconds off CPU
 * summed over the repeats; a stack the thread left the CPU at while
 * runnable (preempted) ends in the frame "[runnable]". */
#ifndef PTBENCH_TAIL_FOLDED_H
#define PTBENCH_TAIL_FOLDED_H

#include <stddef.h>

struct json_object;

/* The folded text (malloc'd; "" when the probe kept nothing), or NULL with
 * why when the probe ran in no repeat of doc. */
char *pt_tail_folded(struct json_object *doc, char *why, size_t len);

#endif
