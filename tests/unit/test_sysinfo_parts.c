/* Kernel config parsing, CPU codename honesty, sweep value lists and result
 * names, membind requests on synthetic topologies. */
#include <hwloc.h>
#include <json-c/json.h>
#include <libcpuid/libcpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "ptbench/cpuid.h"
#include "ptbench/kconfig.h"
#include "ptbench/membind.h"
#include "ptbench/sweep.h"
#include "tap.h"

static const char *str(struct json_object *o, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(o, k, &o))
			return "(missing)";
	return o ? json_object_get_string(o) : "(missing)";
}

static const char config_text[] = "# comment\n"
				  "CONFIG_PER_VMA_LOCK=y\n"
				  "CONFIG_TRANSPARENT_HUGEPAGE=y\n"
				  "# CONFIG_TRANSPARENT_HUGEPAGE_ALWAYS is not set\n"
				  "CONFIG_TRANSPARENT_HUGEPAGE_MADVISE=y\n"
				  "CONFIG_PREEMPT_VOLUNTARY=y\n"
				  "CONFIG_PGTABLE_LEVELS=4\n"
				  "CONFIG_UNRELATED=m\n";

static void test_kconfig(void)
{
	char plain[] = "/tmp/ptbench-kconfig-XXXXXX", gzpath[64];
	int fd = mkstemp(plain);
	gzFile gz;
	struct json_object *a, *b;

	if (fd < 0 || write(fd, config_text, sizeof(config_text) - 1) != (ssize_t)sizeof(config_text) - 1) {
		tap_ok(0, "cannot write a temporary config");
		return;
	}
	close(fd);
	snprintf(gzpath, sizeof(gzpath), "%s.gz", plain);
	gz = gzopen(gzpath, "wb");
	gzwrite(gz, config_text, sizeof(config_text) - 1);
	gzclose(gz);
	a = pt_kconfig_from_file(plain);
	b = pt_kconfig_from_file(gzpath);
	tap_ok(a && b, "kconfig: plain and gzip files read");
	if (a && b) {
		tap_ok(!strcmp(str(b, "options.CONFIG_PER_VMA_LOCK"), "y"), "kconfig: CONFIG_PER_VMA_LOCK=y");
		tap_ok(!strcmp(str(b, "options.CONFIG_TRANSPARENT_HUGEPAGE_ALWAYS"), "n"),
		       "kconfig: 'is not set' reads as n");
		tap_ok(!strcmp(str(b, "options.CONFIG_HIGHPTE"), "absent"), "kconfig: a missing option is 'absent'");
		tap_ok(!strcmp(str(b, "options.CONFIG_PGTABLE_LEVELS"), "4"), "kconfig: values kept (PGTABLE_LEVELS=4)");
		tap_ok(!strcmp(str(b, "options.CONFIG_UNRELATED"), "(missing)"), "kconfig: unrelated options left out");
		tap_ok(!strcmp(str(b, "preempt_model"), "voluntary"), "kconfig: preemption model voluntary");
		tap_ok(!strcmp(json_object_to_json_string(json_object_object_get(a, "options")),
			       json_object_to_json_string(json_object_object_get(b, "options"))),
		       "kconfig: plain text reads the same as gzip");
	}
	tap_ok(pt_kconfig_from_file("/nonexistent/config") == NULL, "kconfig: a missing file gives NULL");
	json_object_put(a);
	json_object_put(b);
	unlink(plain);
	unlink(gzpath);
}

/* An AMD CPUID dump with leaf 1 EAX replaced: vendor and signature are what
 * libcpuid's AMD table is matched on. */
static struct json_object *amd_with_signature(uint32_t eax1)
{
	struct cpu_raw_data_t raw;

	memset(&raw, 0, sizeof(raw));
	if (cpuid_present())
		cpuid_get_raw_data(&raw);
	raw.basic_cpuid[0][EAX] = raw.basic_cpuid[0][EAX] ? raw.basic_cpuid[0][EAX] : 0x10;
	memcpy(&raw.basic_cpuid[0][EBX], "Auth", 4);
	memcpy(&raw.basic_cpuid[0][EDX], "enti", 4);
	memcpy(&raw.basic_cpuid[0][ECX], "cAMD", 4);
	raw.basic_cpuid[1][EAX] = eax1;
	return pt_cpuid_json_from_raw(&raw);
}

static void test_cpuid(void)
{
	/* family 0xF+0xA = 25, extended model 0x01: Zen 3 Milan, in every libcpuid since 0.5.1 */
	struct json_object *milan = amd_with_signature(0x00A00F11);
	/* family 25, extended model 0xF7: no such part */
	struct json_object *fiction = amd_with_signature(0x00AF0F71);
	struct json_object *here = pt_cpuid_json();

	tap_ok(!strcmp(str(milan, "family"), "25") && !strcmp(str(milan, "model"), "1"),
	       "cpuid: extended family/model reported (25/1)");
	if (!strcmp(str(milan, "codename_match"), "unchecked"))
		tap_ok(1, "# SKIP libcpuid %s prints no matcher scores", cpuid_lib_version());
	else
		tap_ok(strstr(str(milan, "codename"), "Milan") != NULL && !strcmp(str(milan, "codename_match"), "exact"),
		       "cpuid: a model libcpuid knows keeps its codename (%s, %s)", str(milan, "codename"),
		       str(milan, "codename_match"));
	tap_ok(!strcmp(str(fiction, "codename"), "not known to libcpuid"),
	       "cpuid: an unknown model says so instead of a nearest codename (libcpuid would say '%s')",
	       str(fiction, "libcpuid_nearest"));
	tap_ok(!strcmp(str(here, "available"), "true") || !cpuid_present(), "cpuid: this machine identified (%s, %s)",
	       str(here, "brand"), str(here, "codename"));
	json_object_put(milan);
	json_object_put(fiction);
	json_object_put(here);
}

static int values(const char *text, int max, char *got, size_t len)
{
	int v[PT_SWEEP_MAX], n;
	char err[160];
	size_t off = 0;

	n = pt_sweep_parse_values(text, max, v, PT_SWEEP_MAX, err, sizeof(err));
	if (n < 0) {
		snprintf(got, len, "error: %s", err);
		return n;
	}
	got[0] = '\0';
	for (int i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(got + off, len - off, "%s%d", i ? "," : "", v[i]);
	return n;
}

static void test_sweep(void)
{
	static const struct {
		const char *text;
		int max;
		const char *want;
	} cases[] = {
		{ "1,2,4", 2, "1,2,4" },
		{ "1,2,4,...,max", 16, "1,2,4,8,16" },
		{ "1,2,4,...,max", 24, "1,2,4,8,16,24" },
		{ "1,...,max", 2, "1,2" },
		{ "1, 3, max", 4, "1,3,4" },
		{ "1,2,4,max", 4, "1,2,4" },
		{ "1,2,4,...,max", 2, "1,2" },
		{ "1,2,4,...,16,max", 6, "1,2,4,6" },
		{ "max", 8, "8" },
		{ "4,2", 8, "error: values must increase" },
		{ "1,...", 8, "error: '...' needs a value after it" },
		{ "1,x", 8, "error: 'x' is not a thread count" },
		{ "0,1", 8, "error: '0' is not a thread count" },
	};
	char got[256], *p;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		values(cases[i].text, cases[i].max, got, sizeof(got));
		tap_ok(!strncmp(got, cases[i].want, strlen(cases[i].want)), "sweep '%s' (max %d) -> %s", cases[i].text,
		       cases[i].max, got);
	}
	tap_ok(pt_sweep_is_list("1,2") && pt_sweep_is_list("max") && !pt_sweep_is_list("4") &&
		       !pt_sweep_is_list("rest"),
	       "sweep: lists and max are sweeps, a count and rest are not");
	p = pt_sweep_point_path("res/out.json", 4);
	tap_ok(!strcmp(p, "res/out.threads-4.json"), "sweep: OUT.json -> OUT.threads-4.json (%s)", p);
	free(p);
	p = pt_sweep_point_path("out", 16);
	tap_ok(!strcmp(p, "out.threads-16"), "sweep: OUT -> OUT.threads-16 (%s)", p);
	free(p);
}

static void test_membind(void)
{
	hwloc_topology_t t;
	struct pt_membind mb;
	char err[256];

	hwloc_topology_init(&t);
	hwloc_topology_set_synthetic(t, "pack:2 numa:2 core:2 pu:1");
	hwloc_topology_load(t);
	tap_ok(!pt_membind_parse(t, "node:3", &mb, err, sizeof(err)) && mb.kind == PT_MEMBIND_NODE && mb.node == 3,
	       "membind node:3 on a 4-node machine");
	tap_ok(!pt_membind_parse(t, "interleave", &mb, err, sizeof(err)) && mb.kind == PT_MEMBIND_INTERLEAVE,
	       "membind interleave");
	tap_ok(!pt_membind_parse(t, "local", &mb, err, sizeof(err)) && mb.kind == PT_MEMBIND_LOCAL, "membind local");
	tap_ok(pt_membind_parse(t, "node:4", &mb, err, sizeof(err)) == -1 &&
		       strstr(err, "this machine has 4 NUMA nodes (0, 1, 2, 3)"),
	       "membind node:4 on 4 nodes names them: %s", err);
	tap_ok(pt_membind_parse(t, "nodes:1", &mb, err, sizeof(err)) == -1 && strstr(err, "expected local"),
	       "membind junk: %s", err);
	hwloc_topology_destroy(t);
}

int main(void)
{
	test_kconfig();
	test_cpuid();
	test_sweep();
	test_membind();
	return tap_done();
}
