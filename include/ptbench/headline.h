/* The [scenario] headline checked against the scenario's roles and ops
 * (src/run/headline.c). */
#ifndef PTBENCH_HEADLINE_H
#define PTBENCH_HEADLINE_H

struct pt_scenario;

/* 0, or -1 after printing "file:line: headline: 'ITEM': why". */
int pt_headline_check(const struct pt_scenario *sc);

#endif
