/* `ptbench sysinfo` as text: the CPU, topology and kernel config in a form a
 * reviewer reads at a glance; everything else as flat key/value lines. */
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ptbench/sysinfo.h"

static const char *s(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "?";
}

static bool has(struct json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
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

static void print_cpu(struct json_object *c)
{
	if (!json_object_get_boolean(json_object_object_get(c, "available"))) {
		printf("cpu: unknown (%s)\n", s(c, "why"));
		return;
	}
	printf("cpu:\n  %s, %s\n  family %s model %s stepping %s (base family %s model %s)\n", s(c, "vendor"),
	       s(c, "brand"), s(c, "family"), s(c, "model"), s(c, "stepping"), s(c, "base_family"),
	       s(c, "base_model"));
	printf("  codename: %s", s(c, "codename"));
	if (has(c, "libcpuid_nearest"))
		printf(" (libcpuid %s's nearest entry, '%s', is another model)", s(c, "libcpuid_version"),
		       s(c, "libcpuid_nearest"));
	printf("\n  caches: L1d %s KiB, L1i %s KiB, L2 %s KiB, L3 %s KiB, line %s B\n", s(c, "l1d_kib"),
	       s(c, "l1i_kib"), s(c, "l2_kib"), s(c, "l3_kib"), s(c, "cacheline"));
	printf("  hypervisor: %s\n", s(c, "hypervisor"));
}

static void print_topology(struct json_object *t)
{
	struct json_object *tree;

	printf("topology (hwloc):\n  %s package(s), %s NUMA node(s), %s L3(s), %s cores, %s PUs (up to %s per core), cpus %s\n",
	       s(t, "packages"), s(t, "numa_nodes"), s(t, "l3"), s(t, "cores"), s(t, "pus"), s(t, "smt"),
	       s(t, "cpus"));
	if (!json_object_object_get_ex(t, "tree", &tree))
		return;
	for (size_t i = 0; i < json_object_array_length(tree); i++) {
		struct json_object *p = json_object_array_get_idx(tree, i), *a;

		printf("  package %s: cpus %s, %s cores\n", has(p, "package") ? s(p, "package") : "(none)",
		       s(p, "cpus"), s(p, "cores"));
		a = json_object_object_get(p, "numa");
		for (size_t k = 0; a && k < json_object_array_length(a); k++) {
			struct json_object *n = json_object_array_get_idx(a, k);

			printf("    NUMA node %s: cpus %s, %s MiB\n", s(n, "node"), s(n, "cpus"), s(n, "mem_mib"));
		}
		a = json_object_object_get(p, "l3");
		for (size_t k = 0; a && k < json_object_array_length(a); k++) {
			struct json_object *l = json_object_array_get_idx(a, k);

			printf("    L3 %s KiB: cpus %s, %s cores\n", s(l, "kib"), s(l, "cpus"), s(l, "cores"));
		}
	}
}

static void print_kconfig(struct json_object *k)
{
	struct json_object *opts;

	if (!json_object_get_boolean(json_object_object_get(k, "available"))) {
		printf("kernel config: unknown (%s)\n", s(k, "why"));
		return;
	}
	printf("kernel config (%s): preemption model %s%s\n", s(k, "source"), s(k, "preempt_model"),
	       json_object_get_boolean(json_object_object_get(k, "preempt_dynamic"))
		       ? " (PREEMPT_DYNAMIC: the boot choice is in kernel.preempt)"
		       : "");
	if (json_object_object_get_ex(k, "options", &opts)) {
		json_object_object_foreach(opts, name, val)
			printf("  %-40s %s\n", name, json_object_get_string(val));
	}
}

void pt_sysinfo_print(struct json_object *sys)
{
	json_object_object_foreach(sys, section, val)
	{
		if (!strcmp(section, "cpu")) {
			print_cpu(val);
		} else if (!strcmp(section, "topology")) {
			print_topology(val);
		} else if (!strcmp(section, "kconfig")) {
			print_kconfig(val);
		} else {
			printf("%s:\n", section);
			print_flat("", val);
		}
	}
}
