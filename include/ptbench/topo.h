/* CPU placement with hwloc: which PU each thread of each role runs on. */
#ifndef PTBENCH_TOPO_H
#define PTBENCH_TOPO_H

#include <stddef.h>

struct pt_scenario;

/* Plan the PUs for every thread of every role (cpus = compact|scatter|none|
 * LIST). cpus_out[r][t] = OS index of the PU, or -1 for unbound. Returns 0, or
 * -1 after printing what cannot be satisfied and what the machine has. */
int pt_topo_plan(const struct pt_scenario *sc, const int *nthreads, int ***cpus_out);
void pt_topo_plan_free(int **cpus, size_t nroles);
/* Bind the calling thread to one PU (HWLOC_CPUBIND_THREAD). */
int pt_topo_bind_thread(int cpu);
/* Number of PUs this process may use. */
int pt_topo_npus(void);
void pt_topo_cleanup(void);

#endif
