/* CPU placement planning: a pure function over a hwloc topology, so every
 * policy can be checked on synthetic machines (tests/unit/test_topo_plan.c). */
#ifndef PTBENCH_TOPO_PLAN_H
#define PTBENCH_TOPO_PLAN_H

#include <hwloc.h>
#include <stdbool.h>
#include <stddef.h>

/* One role's request: cpus = none | compact | scatter | same-core-as:ROLE |
 * other-l3:ROLE | node:N | LIST, and exclusive = the role's threads get PUs
 * no other thread of any role is planned on. */
struct pt_place_req {
	const char *role;
	const char *cpus;
	bool exclusive;
	int nthreads;
};

/* Plan a PU for every thread of every request. On success *out[r][i] is the
 * OS index of the PU for thread i of request r, or -1 (cpus = none); free it
 * with pt_place_free(). On failure returns -1 with err naming the request and
 * what the machine has ("[worker f]: cpus = node:3: this machine has 1 NUMA
 * node (0)"); nothing is allocated then. */
int pt_place_plan(hwloc_topology_t t, const struct pt_place_req *req, size_t n, int ***out,
		  char *err, size_t errlen);
void pt_place_free(int **cpus, size_t n);

/* Parse "0,2-3" into OS indexes; returns the count, or -1 when it is not a list. */
int pt_place_parse_list(const char *s, int *out, int max);

#endif
