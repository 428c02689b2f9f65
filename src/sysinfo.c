/* The machine a result was measured on. Everything here is recorded in every
 * result, so a reader can tell two kernels' runs were otherwise alike. */
#include <hwloc.h>
#include <json-c/json.h>
#include <libcpuid/libcpuid.h>
#include <numa.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "ptbench/sysfs_settings.h"
#include "ptbench/sysinfo.h"
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

static const char *hypervisor_name(hypervisor_vendor_t h)
{
	switch (h) {
	case HYPERVISOR_NONE: return "none";
	case HYPERVISOR_BHYVE: return "bhyve";
	case HYPERVISOR_HYPERV: return "hyperv";
	case HYPERVISOR_KVM: return "kvm";
	case HYPERVISOR_PARALLELS: return "parallels";
	case HYPERVISOR_QEMU: return "qemu";
	case HYPERVISOR_VIRTUALBOX: return "virtualbox";
	case HYPERVISOR_VMWARE: return "vmware";
	case HYPERVISOR_XEN: return "xen";
	default: return "unknown";
	}
}

static struct json_object *cpu_info(void)
{
	struct json_object *o = json_object_new_object();
	struct cpu_raw_data_t raw;
	struct cpu_id_t id;

	if (!cpuid_present()) {
		json_object_object_add(o, "available", json_object_new_boolean(0));
		json_object_object_add(o, "why", json_object_new_string("no CPUID instruction"));
		return o;
	}
	if (cpuid_get_raw_data(&raw) || cpu_identify(&raw, &id)) {
		json_object_object_add(o, "available", json_object_new_boolean(0));
		json_object_object_add(o, "why", json_object_new_string(cpuid_error()));
		return o;
	}
	json_object_object_add(o, "available", json_object_new_boolean(1));
	json_object_object_add(o, "vendor", json_object_new_string(id.vendor_str));
	json_object_object_add(o, "brand", json_object_new_string(id.brand_str));
	/* the extended family/model are what identify modern parts */
	json_object_object_add(o, "family", json_object_new_int(id.ext_family));
	json_object_object_add(o, "model", json_object_new_int(id.ext_model));
	json_object_object_add(o, "stepping", json_object_new_int(id.stepping));
	/* libcpuid guesses a codename even for parts it does not know; only keep
	 * it when it is not its "unknown" placeholder */
	if (id.cpu_codename[0] && !strstr(id.cpu_codename, "Unknown") &&
	    !strstr(id.cpu_codename, "unknown"))
		json_object_object_add(o, "codename", json_object_new_string(id.cpu_codename));
	else
		json_object_object_add(o, "codename",
				       json_object_new_string("not known to libcpuid"));
	json_object_object_add(o, "l1d_kib", json_object_new_int(id.l1_data_cache));
	json_object_object_add(o, "l2_kib", json_object_new_int(id.l2_cache));
	json_object_object_add(o, "l3_kib", json_object_new_int(id.l3_cache));
	json_object_object_add(o, "hypervisor",
			       json_object_new_string(hypervisor_name(cpuid_get_hypervisor(&raw, &id))));
	return o;
}

static struct json_object *topology_info(void)
{
	struct json_object *o = json_object_new_object();
	hwloc_topology_t t;
	static const struct {
		const char *key;
		hwloc_obj_type_t type;
	} counts[] = {
		{ "packages", HWLOC_OBJ_PACKAGE }, { "numa_nodes", HWLOC_OBJ_NUMANODE },
		{ "l3", HWLOC_OBJ_L3CACHE },       { "cores", HWLOC_OBJ_CORE },
		{ "pus", HWLOC_OBJ_PU },
	};

	if (hwloc_topology_init(&t) || hwloc_topology_load(t)) {
		json_object_object_add(o, "available", json_object_new_boolean(0));
		return o;
	}
	for (size_t i = 0; i < PT_ARRAY_SIZE(counts); i++)
		json_object_object_add(o, counts[i].key,
				       json_object_new_int(hwloc_get_nbobjs_by_type(t, counts[i].type)));
	hwloc_topology_destroy(t);
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
	json_object_object_add(o, "cpu", cpu_info());
	json_object_object_add(o, "topology", topology_info());
	json_object_object_add(o, "numa", numa_info());
	return o;
}

static void print_flat(const char *prefix, struct json_object *o)
{
	json_object_object_foreach(o, key, val)
	{
		char name[128];

		snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "." : "", key);
		if (json_object_is_type(val, json_type_object))
			print_flat(name, val);
		else if (json_object_is_type(val, json_type_array))
			printf("  %-34s %s\n", name, json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN));
		else
			printf("  %-34s %s\n", name, json_object_get_string(val));
	}
}

void pt_sysinfo_print(struct json_object *sys)
{
	json_object_object_foreach(sys, section, val)
	{
		printf("%s:\n", section);
		print_flat("", val);
	}
}
