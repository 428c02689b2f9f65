/* CPU placement with hwloc for this process: the topology (the plan calls
 * topo_plan.h's planner on it), binding threads, reading bindings back. */
#ifndef PTBENCH_TOPO_H
#define PTBENCH_TOPO_H

#include <hwloc.h>
#include <stddef.h>

/* The process's topology, loaded once and kept until pt_topo_cleanup();
 * pt_topo_try() returns NULL when hwloc cannot read it (no exit in a library). */
hwloc_topology_t pt_topo_try(void);
/* Bind the calling thread to one PU (HWLOC_CPUBIND_THREAD); -1 does nothing. */
int pt_topo_bind_thread(int cpu);
/* The calling thread's binding as a list ("3", "0-15"), as the kernel has it. */
void pt_topo_thread_binding(char *buf, size_t len);
/* Number of PUs this process may use. */
int pt_topo_npus(void);
void pt_topo_cleanup(void);

#endif
