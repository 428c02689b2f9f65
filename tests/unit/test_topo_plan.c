/* Every placement policy on synthetic hwloc topologies, so that a 2-CPU build
 * machine checks what a 2-package, 4-node, 8-L3 box would do. */
#include <hwloc.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/topo_plan.h"
#include "tap.h"

/* 2 packages x 2 NUMA x 2 L3 x 4 cores x 2 PUs = 64 PUs */
#define BIG "pack:2 numa:2 l3:2 core:4 pu:2"

static hwloc_topology_t synth(const char *desc)
{
	hwloc_topology_t t;

	if (hwloc_topology_init(&t) || hwloc_topology_set_synthetic(t, desc) || hwloc_topology_load(t)) {
		printf("Bail out! hwloc cannot build the synthetic topology '%s'\n", desc);
		exit(1);
	}
	return t;
}

static hwloc_obj_t pu_os(hwloc_topology_t t, int os)
{
	return hwloc_get_pu_obj_by_os_index(t, (unsigned)os);
}

static hwloc_obj_t anc(hwloc_topology_t t, hwloc_obj_type_t type, int os)
{
	return hwloc_get_ancestor_obj_by_type(t, type, pu_os(t, os));
}

static int plan(hwloc_topology_t t, const struct pt_place_req *req, size_t n, int ***out, char *err)
{
	err[0] = '\0';
	return pt_place_plan(t, req, n, out, err, 512);
}

static void test_compact_scatter(hwloc_topology_t t)
{
	struct pt_place_req req[] = { { "a", "compact", false, 4 }, { "b", "compact", false, 2 },
				      { "c", "scatter", false, 4 } };
	char err[512];
	int **c;

	int rc = plan(t, req, 3, &c, err);

	tap_ok(!rc, "compact+scatter plan: %s", err[0] ? err : "ok");
	tap_ok(c[0][0] == (int)hwloc_get_obj_by_type(t, HWLOC_OBJ_PU, 0)->os_index &&
		       c[0][1] == (int)hwloc_get_obj_by_type(t, HWLOC_OBJ_PU, 1)->os_index,
	       "compact: first threads on the first PUs in logical order");
	tap_ok(anc(t, HWLOC_OBJ_CORE, c[0][0]) == anc(t, HWLOC_OBJ_CORE, c[0][1]),
	       "compact: threads 0 and 1 are SMT siblings of one core");
	tap_ok(c[1][0] == (int)hwloc_get_obj_by_type(t, HWLOC_OBJ_PU, 4)->os_index,
	       "a second compact role continues after the first (PU L#4), not on PU 0");
	tap_ok(anc(t, HWLOC_OBJ_PACKAGE, c[2][0]) != anc(t, HWLOC_OBJ_PACKAGE, c[2][1]),
	       "scatter: threads 0 and 1 on different packages");
	tap_ok(anc(t, HWLOC_OBJ_L3CACHE, c[2][0]) != anc(t, HWLOC_OBJ_L3CACHE, c[2][2]) &&
		       anc(t, HWLOC_OBJ_PACKAGE, c[2][0]) == anc(t, HWLOC_OBJ_PACKAGE, c[2][2]),
	       "scatter: thread 2 back on package 0 but on another L3 (or group)");
	int distinct_cores = 1;

	for (int i = 0; i < 4; i++)
		for (int j = i + 1; j < 4; j++)
			if (anc(t, HWLOC_OBJ_CORE, c[2][i]) == anc(t, HWLOC_OBJ_CORE, c[2][j]))
				distinct_cores = 0;
	tap_ok(distinct_cores, "scatter: 4 threads on 4 different cores");
	pt_place_free(c, 3);
}

static void test_scatter_all(hwloc_topology_t t)
{
	int npu = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU), ncore = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
	struct pt_place_req req[] = { { "s", "scatter", false, npu } };
	char err[512], *seen = calloc((size_t)npu, 1);
	int **c, dup = 0, smt_early = 0;

	int rc = plan(t, req, 1, &c, err);

	tap_ok(!rc, "scatter over every PU: %s", err[0] ? err : "ok");
	for (int i = 0; i < npu; i++) {
		int l = (int)pu_os(t, c[0][i])->logical_index;

		dup |= seen[l]++;
		/* the first ncore threads must each be the first PU of its core */
		if (i < ncore && pu_os(t, c[0][i])->sibling_rank != 0)
			smt_early = 1;
	}
	tap_ok(!dup, "scatter with threads = PUs uses every PU once");
	tap_ok(!smt_early, "scatter: SMT siblings only after every core has one thread");
	free(seen);
	pt_place_free(c, 1);
}

static void test_relative(hwloc_topology_t t)
{
	struct pt_place_req req[] = { { "sib", "same-core-as:main", false, 2 },
				      { "main", "scatter", false, 2 },
				      { "far", "other-l3:main", false, 3 } };
	char err[512];
	int **c;

	int rc = plan(t, req, 3, &c, err);

	tap_ok(!rc, "same-core-as and other-l3 plan (referenced role later in the file): %s",
	       err[0] ? err : "ok");
	for (int i = 0; i < 2; i++)
		tap_ok(c[0][i] != c[1][i] &&
			       anc(t, HWLOC_OBJ_CORE, c[0][i]) == anc(t, HWLOC_OBJ_CORE, c[1][i]),
		       "same-core-as: thread %d on the SMT sibling of main's thread %d (%d vs %d)", i, i,
		       c[0][i], c[1][i]);
	int ok = 1;

	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 2; j++)
			if (anc(t, HWLOC_OBJ_L3CACHE, c[2][i]) == anc(t, HWLOC_OBJ_L3CACHE, c[1][j]))
				ok = 0;
	tap_ok(ok, "other-l3: no thread shares an L3 with any thread of main");
	pt_place_free(c, 3);
}

static void test_node(hwloc_topology_t t)
{
	struct pt_place_req req[] = { { "n", "node:3", false, 5 } };
	hwloc_obj_t node = hwloc_get_numanode_obj_by_os_index(t, 3);
	char err[512];
	int **c, ok = 1;

	int rc = plan(t, req, 1, &c, err);

	tap_ok(!rc, "node:3 on a 4-node machine: %s", err[0] ? err : "ok");
	for (int i = 0; i < 5; i++)
		ok &= hwloc_bitmap_isset(node->cpuset, (unsigned)c[0][i]);
	tap_ok(ok, "node:3: every thread on a PU of node 3");
	pt_place_free(c, 1);
}

static void test_list_exclusive(hwloc_topology_t t)
{
	struct pt_place_req req[] = { { "x", "compact", true, 2 }, { "y", "compact", false, 3 },
				      { "l", "5,7-8", false, 4 } };
	char err[512];
	int **c;

	int rc = plan(t, req, 3, &c, err);

	tap_ok(!rc, "exclusive + list plan: %s", err[0] ? err : "ok");
	tap_ok(c[2][0] == 5 && c[2][1] == 7 && c[2][2] == 8 && c[2][3] == 5,
	       "list 5,7-8: threads take 5, 7, 8 then wrap to 5");
	int overlap = 0;

	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 2; j++)
			overlap |= c[1][i] == c[0][j];
	tap_ok(!overlap, "an exclusive role's PUs are not given to another role");
	pt_place_free(c, 3);
}

static void expect_error(hwloc_topology_t t, const struct pt_place_req *req, size_t n, const char *want1,
			 const char *want2, const char *what)
{
	char err[512];
	int **c = NULL;
	int rc = plan(t, req, n, &c, err);

	tap_ok(rc == -1 && strstr(err, want1) && (!want2 || strstr(err, want2)), "error: %s", what);
	tap_diag("  %s", err);
	if (!rc)
		pt_place_free(c, n);
}

static void test_errors(hwloc_topology_t big, hwloc_topology_t small)
{
	struct pt_place_req node3[] = { { "f", "node:3", false, 1 } };
	struct pt_place_req noref[] = { { "f", "same-core-as:nosuch", false, 1 }, { "g", "compact", false, 1 } };
	struct pt_place_req toomany[] = { { "f", "compact", true, 3 } };
	struct pt_place_req excl2[] = { { "a", "compact", true, 1 }, { "b", "0", false, 1 } };
	struct pt_place_req cycle[] = { { "a", "same-core-as:b", false, 1 }, { "b", "other-l3:a", false, 1 } };
	struct pt_place_req nol3[] = { { "a", "compact", false, 2 }, { "b", "other-l3:a", false, 1 } };
	struct pt_place_req nosmt[] = { { "a", "compact", false, 1 }, { "b", "same-core-as:a", true, 1 } };
	struct pt_place_req badcpu[] = { { "a", "0,99", false, 1 } };
	struct pt_place_req junk[] = { { "a", "compat", false, 1 } };
	struct pt_place_req unbound[] = { { "a", "none", false, 1 }, { "b", "same-core-as:a", false, 1 } };

	expect_error(small, node3, 1, "[worker f]: cpus = node:3", "1 NUMA node (0)",
		     "node 3 on a one-node box names the request and the nodes there are");
	expect_error(big, noref, 2, "no role 'nosuch'", "roles: f, g", "same-core-as a role that does not exist");
	expect_error(small, toomany, 1, "cpus = compact, exclusive", "this machine has 2 PUs",
		     "3 exclusive threads on 2 PUs");
	expect_error(small, excl2, 2, "CPU 0 is already planned for another role exclusively", NULL,
		     "a list naming a PU another role holds exclusively");
	expect_error(big, cycle, 2, "cycle", NULL, "roles placed relative to each other in a cycle");
	expect_error(small, nol3, 2, "every L3", "1 L3 cache", "other-l3 on a one-L3 machine");
	expect_error(small, nosmt, 2, "no SMT sibling", NULL, "same-core-as with exclusive on a core without SMT");
	expect_error(small, badcpu, 1, "CPU 99 does not exist", "2 PUs", "a CPU the machine does not have");
	expect_error(small, junk, 1, "expected none, compact, scatter", NULL, "an unknown policy");
	expect_error(small, unbound, 2, "not bound", NULL, "same-core-as an unbound role");
}

static void test_same_core_no_smt(hwloc_topology_t small)
{
	struct pt_place_req req[] = { { "a", "1", false, 1 }, { "b", "same-core-as:a", false, 2 } };
	char err[512];
	int **c;

	int rc = plan(small, req, 2, &c, err);

	tap_ok(!rc && c[1][0] == 1 && c[1][1] == 1, "same-core-as without SMT: the same PU as the referenced thread %s",
	       err);
	if (!rc)
		pt_place_free(c, 2);
}

int main(void)
{
	hwloc_topology_t big = synth(BIG);
	/* this build machine's shape: one package, one node, one L3, 2 cores */
	hwloc_topology_t small = synth("pack:1 numa:1 l3:1 core:2 pu:1");

	tap_ok(hwloc_get_nbobjs_by_type(big, HWLOC_OBJ_PU) == 64 &&
		       hwloc_get_nbobjs_by_type(big, HWLOC_OBJ_NUMANODE) == 4,
	       "synthetic " BIG " has 64 PUs and 4 NUMA nodes");
	test_compact_scatter(big);
	test_scatter_all(big);
	test_relative(big);
	test_node(big);
	test_list_exclusive(big);
	test_errors(big, small);
	test_same_core_no_smt(small);
	hwloc_topology_destroy(big);
	hwloc_topology_destroy(small);
	return tap_done();
}
