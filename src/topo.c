/* CPU placement for this process: the topology hwloc sees here, the plan for
 * a scenario (the planning itself is in topo_plan.c) and thread binding. */
#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/scenario.h"
#include "ptbench/topo.h"
#include "ptbench/topo_plan.h"
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

hwloc_topology_t pt_topo(void)
{
	if (!pt_topo_try()) {
		fprintf(stderr, "ptbench: hwloc cannot read the topology\n");
		exit(5);
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
	return hwloc_get_nbobjs_by_type(pt_topo(), HWLOC_OBJ_PU);
}

int pt_topo_plan(const struct pt_scenario *sc, const int *nthreads, int ***cpus_out)
{
	struct pt_place_req *req = pt_xcalloc(sc->nroles ? sc->nroles : 1, sizeof(*req));
	char err[1024];
	int rc;

	for (size_t r = 0; r < sc->nroles; r++) {
		req[r].role = sc->roles[r].name;
		req[r].cpus = pt_opt_str(&sc->roles[r].common, "cpus");
		req[r].exclusive = pt_opt_num(&sc->roles[r].common, "exclusive") != 0;
		req[r].nthreads = nthreads[r];
	}
	rc = pt_place_plan(pt_topo(), req, sc->nroles, cpus_out, err, sizeof(err));
	if (rc)
		fprintf(stderr, "%s: %s\n", sc->path, err);
	free(req);
	return rc;
}

void pt_topo_plan_free(int **cpus, size_t nroles)
{
	pt_place_free(cpus, nroles);
}

int pt_topo_bind_thread(int cpu)
{
	hwloc_bitmap_t set;
	int rc;

	if (cpu < 0)
		return 0;
	set = hwloc_bitmap_alloc();
	hwloc_bitmap_only(set, (unsigned)cpu);
	rc = hwloc_set_cpubind(pt_topo(), set, HWLOC_CPUBIND_THREAD);
	hwloc_bitmap_free(set);
	return rc;
}

void pt_topo_thread_binding(char *buf, size_t len)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();

	if (hwloc_get_cpubind(pt_topo(), set, HWLOC_CPUBIND_THREAD))
		snprintf(buf, len, "unknown");
	else
		hwloc_bitmap_list_snprintf(buf, len, set);
	hwloc_bitmap_free(set);
}
