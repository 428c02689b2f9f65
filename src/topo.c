/* CPU placement with hwloc. The plan is computed before anything runs, so a
 * request the machine cannot satisfy fails early, naming what it has. */
#include <errno.h>
#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/scenario.h"
#include "ptbench/topo.h"
#include "ptbench/util.h"

static hwloc_topology_t topology;

static hwloc_topology_t topo(void)
{
	if (!topology) {
		if (hwloc_topology_init(&topology) || hwloc_topology_load(topology)) {
			fprintf(stderr, "ptbench: hwloc cannot read the topology\n");
			exit(5);
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
	return hwloc_get_nbobjs_by_type(topo(), HWLOC_OBJ_PU);
}

/* "0,2-3" -> OS indexes; returns count or -1 */
static int parse_list(const char *s, int *out, int max)
{
	int n = 0;
	const char *p = s;

	while (*p) {
		char *end;
		long a = strtol(p, &end, 10), b;

		if (end == p || a < 0)
			return -1;
		b = a;
		p = end;
		if (*p == '-') {
			b = strtol(p + 1, &end, 10);
			if (end == p + 1 || b < a)
				return -1;
			p = end;
		}
		for (long i = a; i <= b; i++) {
			if (n >= max)
				return -1;
			out[n++] = (int)i;
		}
		if (*p == ',')
			p++;
		else if (*p)
			return -1;
	}
	return n;
}

/* PU OS indexes in the order a policy hands them out. compact: logical order
 * (SMT siblings and cores of one cache first). scatter: one PU per core,
 * cores taken round-robin across packages, then the remaining siblings. */
static int order_pus(hwloc_topology_t t, const char *policy, int *order, int max)
{
	int npu = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU), n = 0;

	if (!strcmp(policy, "compact")) {
		for (int i = 0; i < npu && n < max; i++)
			order[n++] = (int)hwloc_get_obj_by_type(t, HWLOC_OBJ_PU, (unsigned)i)->os_index;
		return n;
	}
	/* scatter: hwloc_distrib spreads n sets over the tree, widest level first */
	hwloc_obj_t root = hwloc_get_root_obj(t);
	hwloc_bitmap_t *sets = pt_xcalloc((size_t)npu, sizeof(*sets));

	for (int i = 0; i < npu; i++)
		sets[i] = hwloc_bitmap_alloc();
	hwloc_distrib(t, &root, 1, sets, (unsigned)npu, INT_MAX, 0);
	for (int i = 0; i < npu && n < max; i++) {
		hwloc_bitmap_singlify(sets[i]);
		order[n++] = hwloc_bitmap_first(sets[i]);
		hwloc_bitmap_free(sets[i]);
	}
	free(sets);
	return n;
}

int pt_topo_plan(const struct pt_scenario *sc, const int *nthreads, int ***cpus_out)
{
	hwloc_topology_t t = topo();
	int npu = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
	int **cpus = pt_xcalloc(sc->nroles, sizeof(*cpus));
	int *order = pt_xcalloc((size_t)npu, sizeof(int));
	int compact_next = 0, scatter_next = 0;

	for (size_t r = 0; r < sc->nroles; r++) {
		const struct pt_role *role = &sc->roles[r];
		const char *req = pt_opt_str(&role->common, "cpus");
		int n = nthreads[r];

		cpus[r] = pt_xcalloc((size_t)(n ? n : 1), sizeof(int));
		if (!strcmp(req, "none")) {
			for (int i = 0; i < n; i++)
				cpus[r][i] = -1;
		} else if (!strcmp(req, "compact") || !strcmp(req, "scatter")) {
			int k = order_pus(t, req, order, npu);
			int *next = !strcmp(req, "compact") ? &compact_next : &scatter_next;

			/* roles share the cursor so two compact roles do not pile onto PU 0 */
			for (int i = 0; i < n; i++)
				cpus[r][i] = order[(*next)++ % k];
		} else {
			int list[1024];
			int k = parse_list(req, list, 1024);

			if (k <= 0) {
				fprintf(stderr, "%s: [worker %s]: cpus = %s: expected none, compact, scatter or a list like 0,2-3\n",
					sc->path, role->name, req);
				goto fail;
			}
			for (int i = 0; i < k; i++) {
				if (!hwloc_get_pu_obj_by_os_index(t, (unsigned)list[i])) {
					fprintf(stderr, "%s: [worker %s]: cpus = %s: CPU %d does not exist (this machine has %d PUs)\n",
						sc->path, role->name, req, list[i], npu);
					goto fail;
				}
			}
			for (int i = 0; i < n; i++)
				cpus[r][i] = list[i % k];
		}
	}
	free(order);
	*cpus_out = cpus;
	return 0;
fail:
	free(order);
	pt_topo_plan_free(cpus, sc->nroles);
	return -1;
}

void pt_topo_plan_free(int **cpus, size_t nroles)
{
	if (!cpus)
		return;
	for (size_t r = 0; r < nroles; r++)
		free(cpus[r]);
	free(cpus);
}

int pt_topo_bind_thread(int cpu)
{
	hwloc_bitmap_t set;
	int rc;

	if (cpu < 0)
		return 0;
	set = hwloc_bitmap_alloc();
	hwloc_bitmap_only(set, (unsigned)cpu);
	rc = hwloc_set_cpubind(topo(), set, HWLOC_CPUBIND_THREAD);
	hwloc_bitmap_free(set);
	return rc;
}
