/* Checks that keep a run from reporting success when it measured nothing:
 * (every role at threads = 0 is refused by the plan), an op whose every
 * call failed, a repeat with no op at all, collapse workers that never
 * collapsed. The checks read the repeat's JSON, the same numbers the result
 * file carries. */
#ifndef PTBENCH_RUN_CHECKS_H
#define PTBENCH_RUN_CHECKS_H

#include <stddef.h>

struct json_object;
struct pt_scenario;

/* After a repeat: -1 with why (which role, which op) when it measured
 * nothing worth a result; warnings (a vmstat cross-check that disagrees)
 * go to stderr either way. */
int pt_check_measured(struct json_object *rep, char *why, size_t len);

#endif
