/* CPU placement for this process: the topology hwloc sees here and thread
 * binding (the plan places roles with topo_plan.c's planner). */
#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/exitcodes.h"
#include "ptbench/topo.h"
#include "ptbench/util.h"

static hwloc_topology_t topology;

hwloc_topology_t pt_topo_try(void)
{
	if (!topology) {
		if (hwloc_topology_init(&topology))
			return topology = NULL;
		if (hwloc_topology_load(topology)) {
			hwloc_topology_destroy(topology);
			return topology = NULL;
		}
	}
	return topology;
}

void pt_topo_cleanup(void)
{
	if (topology) {
		hwloc_topology_destroy(topology);
		topology = NULL;
	}
}

int pt_topo_npus(void)
{
	hwloc_topology_t topo = pt_topo_try();

	/* unreadable: one PU, the least a running process has */
	return topo ? hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU) : 1;
}

int pt_topo_bind_thread(int cpu)
{
	hwloc_topology_t topo = pt_topo_try();
	hwloc_bitmap_t set;
	int rc;

	if (cpu < 0)
		return 0;
	if (!topo)
		return -1;
	set = hwloc_bitmap_alloc();
	hwloc_bitmap_only(set, (unsigned)cpu);
	rc = hwloc_set_cpubind(topo, set, HWLOC_CPUBIND_THREAD);
	hwloc_bitmap_free(set);
	return rc;
}

void pt_topo_thread_binding(char *buf, size_t len)
{
	hwloc_topology_t topo = pt_topo_try();
	hwloc_bitmap_t set = hwloc_bitmap_alloc();

	if (!topo || hwloc_get_cpubind(topo, set, HWLOC_CPUBIND_THREAD))
		snprintf(buf, len, "unknown");
	else
		hwloc_bitmap_list_snprintf(buf, len, set);
	hwloc_bitmap_free(set);
}
