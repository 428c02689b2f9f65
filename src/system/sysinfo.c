/* The machine a result was measured on. Everything here is recorded in every
 * result, so a reader can tell two kernels' runs were otherwise alike. */
#include <hwloc.h>
#include <json-c/json.h>
#include <numa.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "ptbench/cpuid.h"
#include "ptbench/kconfig.h"
#include "ptbench/sysfs_io.h"
#include "ptbench/sysinfo.h"
#include "ptbench/topo.h"
#include "ptbench/util.h"

#define THP_DIR "/sys/kernel/mm/transparent_hugepage"

static const char *const thp_files[] = { "enabled", "defrag", "shmem_enabled",
					 "use_zero_page", "hpage_pmd_size" };
static const char *const khugepaged_files[] = {
	"defrag", "pages_to_scan", "scan_sleep_millisecs", "alloc_sleep_millisecs",
	"max_ptes_none", "max_ptes_swap", "max_ptes_shared", "full_scans", "pages_collapsed",
};

struct json_object *pt_sysinfo_thp(void)
{
	struct json_object *o = json_object_new_object(), *k = json_object_new_object();
	char path[256], buf[256];

	for (size_t i = 0; i < PT_ARRAY_SIZE(thp_files); i++) {
		snprintf(path, sizeof(path), THP_DIR "/%s", thp_files[i]);
		if (!pt_read_line(path, buf, sizeof(buf), 1))
			json_object_object_add(o, thp_files[i], json_object_new_string(buf));
	}
	for (size_t i = 0; i < PT_ARRAY_SIZE(khugepaged_files); i++) {
		snprintf(path, sizeof(path), THP_DIR "/khugepaged/%s", khugepaged_files[i]);
		if (!pt_read_line(path, buf, sizeof(buf), 0))
			json_object_object_add(k, khugepaged_files[i], json_object_new_string(buf));
	}
	json_object_object_add(o, "khugepaged", k);
	return o;
}

static struct json_object *kernel_info(void)
{
	struct json_object *o = json_object_new_object();
	struct utsname u;
	char buf[4096];

	if (!uname(&u)) {
		json_object_object_add(o, "release", json_object_new_string(u.release));
		json_object_object_add(o, "version", json_object_new_string(u.version));
		json_object_object_add(o, "machine", json_object_new_string(u.machine));
		json_object_object_add(o, "hostname", json_object_new_string(u.nodename));
	}
	if (!pt_read_line("/proc/cmdline", buf, sizeof(buf), 0))
		json_object_object_add(o, "cmdline", json_object_new_string(buf));
	if (!pt_read_line("/sys/kernel/debug/sched/preempt", buf, sizeof(buf), 1))
		json_object_object_add(o, "preempt", json_object_new_string(buf));
	return o;
}

static struct json_object *obj_cpus(hwloc_obj_t o)
{
	char buf[256];

	hwloc_bitmap_list_snprintf(buf, sizeof(buf), o->cpuset);
	return json_object_new_string(buf);
}

/* One package: its NUMA nodes and its L3s with their cores. */
static struct json_object *package_json(hwloc_topology_t t, hwloc_obj_t pkg)
{
	struct json_object *o = json_object_new_object(), *numa = json_object_new_array(),
			   *l3s = json_object_new_array();
	hwloc_obj_t x = NULL;

	if (pkg->type == HWLOC_OBJ_PACKAGE)
		json_object_object_add(o, "package", json_object_new_int((int)pkg->os_index));
	json_object_object_add(o, "cpus", obj_cpus(pkg));
	json_object_object_add(o, "cores", json_object_new_int(hwloc_get_nbobjs_inside_cpuset_by_type(
						   t, pkg->cpuset, HWLOC_OBJ_CORE)));
	while ((x = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_NUMANODE, x))) {
		struct json_object *n;

		if (!hwloc_bitmap_intersects(x->cpuset, pkg->cpuset))
			continue;
		n = json_object_new_object();
		json_object_object_add(n, "node", json_object_new_int((int)x->os_index));
		json_object_object_add(n, "cpus", obj_cpus(x));
		json_object_object_add(n, "mem_mib", json_object_new_int64((int64_t)(x->attr->numanode.local_memory >> 20)));
		json_object_array_add(numa, n);
	}
	while ((x = hwloc_get_next_obj_inside_cpuset_by_type(t, pkg->cpuset, HWLOC_OBJ_L3CACHE, x))) {
		struct json_object *l = json_object_new_object();

		json_object_object_add(l, "cpus", obj_cpus(x));
		json_object_object_add(l, "kib", json_object_new_int64((int64_t)(x->attr->cache.size >> 10)));
		json_object_object_add(l, "cores", json_object_new_int(hwloc_get_nbobjs_inside_cpuset_by_type(
							   t, x->cpuset, HWLOC_OBJ_CORE)));
		json_object_array_add(l3s, l);
	}
	json_object_object_add(o, "numa", numa);
	json_object_object_add(o, "l3", l3s);
	return o;
}

static struct json_object *topology_info(void)
{
	struct json_object *o = json_object_new_object(), *tree = json_object_new_array();
	hwloc_topology_t t;
	hwloc_obj_t pkg = NULL;
	int smt = 0;
	static const struct {
		const char *key;
		hwloc_obj_type_t type;
	} counts[] = {
		{ "packages", HWLOC_OBJ_PACKAGE }, { "numa_nodes", HWLOC_OBJ_NUMANODE },
		{ "l3", HWLOC_OBJ_L3CACHE },       { "cores", HWLOC_OBJ_CORE },
		{ "pus", HWLOC_OBJ_PU },
	};

	/* the same topology the planner uses: loaded once per process */
	t = pt_topo_try();
	if (!t) {
		json_object_object_add(o, "available", json_object_new_boolean(0));
		json_object_put(tree);
		return o;
	}
	for (size_t i = 0; i < PT_ARRAY_SIZE(counts); i++)
		json_object_object_add(o, counts[i].key,
				       json_object_new_int(hwloc_get_nbobjs_by_type(t, counts[i].type)));
	for (hwloc_obj_t c = NULL; (c = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_CORE, c));)
		if (hwloc_bitmap_weight(c->cpuset) > smt)
			smt = hwloc_bitmap_weight(c->cpuset);
	json_object_object_add(o, "smt", json_object_new_int(smt));
	json_object_object_add(o, "cpus", obj_cpus(hwloc_get_root_obj(t)));
	while ((pkg = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_PACKAGE, pkg)))
		json_object_array_add(tree, package_json(t, pkg));
	if (!json_object_array_length(tree)) /* no package info (some VMs): the whole machine */
		json_object_array_add(tree, package_json(t, hwloc_get_root_obj(t)));
	json_object_object_add(o, "tree", tree);
	return o;
}

static struct json_object *numa_info(void)
{
	struct json_object *o = json_object_new_object(), *nodes;

	if (numa_available() < 0) {
		json_object_object_add(o, "available", json_object_new_boolean(0));
		return o;
	}
	json_object_object_add(o, "available", json_object_new_boolean(1));
	nodes = json_object_new_array();
	for (int n = 0; n <= numa_max_node(); n++) {
		long long freeb, size = numa_node_size64(n, &freeb);
		struct json_object *no;

		if (size < 0)
			continue;
		no = json_object_new_object();
		json_object_object_add(no, "node", json_object_new_int(n));
		json_object_object_add(no, "mem_mib", json_object_new_int64(size >> 20));
		/* the SLIT row (10 local): a guest's --topology dist= shows here */
		struct json_object *dist = json_object_new_array();

		for (int m = 0; m <= numa_max_node(); m++)
			if (numa_node_size64(m, NULL) >= 0)
				json_object_array_add(dist, json_object_new_int(numa_distance(n, m)));
		json_object_object_add(no, "distances", dist);
		json_object_array_add(nodes, no);
	}
	json_object_object_add(o, "nodes", nodes);
	return o;
}

struct json_object *pt_sysinfo_collect(void)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "kernel", kernel_info());
	json_object_object_add(o, "thp", pt_sysinfo_thp());
	json_object_object_add(o, "kconfig", pt_kconfig_json());
	json_object_object_add(o, "cpu", pt_cpuid_json());
	json_object_object_add(o, "topology", topology_info());
	json_object_object_add(o, "numa", numa_info());
	return o;
}

