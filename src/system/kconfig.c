/* Kernel config lines that matter to page-table contention. Read with zlib,
 * which reads gzip and plain text alike. */
#include <errno.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "ptbench/kconfig.h"
#include "ptbench/util.h"

/* exact names, and prefixes ending in '*' */
static const char *const wanted[] = {
	"CONFIG_PER_VMA_LOCK",         "CONFIG_TRANSPARENT_HUGEPAGE*", "CONFIG_MMU_GATHER_RCU_TABLE_FREE",
	"CONFIG_HIGHPTE",              "CONFIG_PREEMPT_NONE",          "CONFIG_PREEMPT_VOLUNTARY",
	"CONFIG_PREEMPT",              "CONFIG_PREEMPT_LAZY",          "CONFIG_PREEMPT_RT",
	"CONFIG_PREEMPT_DYNAMIC",      "CONFIG_SPLIT_PTE_PTLOCKS",     "CONFIG_SPLIT_PMD_PTLOCKS",
	"CONFIG_NUMA",                 "CONFIG_PGTABLE_LEVELS",        "CONFIG_READ_ONLY_THP_FOR_FS",
	"CONFIG_SHMEM",                "CONFIG_LOCK_STAT",             "CONFIG_PROVE_LOCKING",
	"CONFIG_DEBUG_VM",             "CONFIG_KASAN",                 "CONFIG_MMU_GATHER_TABLE_FREE",
	"CONFIG_PT_RECLAIM",           "CONFIG_MEM_SOFT_DIRTY",
};

static bool is_wanted(const char *name)
{
	for (size_t i = 0; i < PT_ARRAY_SIZE(wanted); i++) {
		size_t n = strlen(wanted[i]);

		if (wanted[i][n - 1] == '*' ? !strncmp(name, wanted[i], n - 1) : !strcmp(name, wanted[i]))
			return true;
	}
	return false;
}

static const char *opt(struct json_object *opts, const char *name)
{
	struct json_object *v;

	return json_object_object_get_ex(opts, name, &v) ? json_object_get_string(v) : "absent";
}

int pt_kconfig_each(const char *path, void (*each)(const char *name, const char *val, void *arg), void *arg)
{
	gzFile f = gzopen(path, "rb");
	char line[1024];

	if (!f)
		return -1;
	while (gzgets(f, line, sizeof(line))) {
		char name[128], val[512];

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "# %127[A-Za-z0-9_] is not set", name) == 1 && strstr(line, " is not set"))
			each(name, "n", arg);
		else if (sscanf(line, "%127[A-Za-z0-9_]=%511[^\n]", name, val) == 2)
			each(name, val, arg);
	}
	gzclose(f);
	return 0;
}

static void keep_wanted(const char *name, const char *val, void *opts)
{
	if (is_wanted(name))
		json_object_object_add(opts, name, json_object_new_string(val));
}

struct json_object *pt_kconfig_from_file(const char *path)
{
	struct json_object *o, *opts = json_object_new_object();
	const char *model;

	if (pt_kconfig_each(path, keep_wanted, opts)) {
		json_object_put(opts);
		return NULL;
	}
	o = json_object_new_object();
	/* an option the config does not mention at all (CONFIG_HIGHPTE on 64-bit) */
	for (size_t i = 0; i < PT_ARRAY_SIZE(wanted); i++)
		if (!strchr(wanted[i], '*') && !json_object_object_get_ex(opts, wanted[i], NULL))
			json_object_object_add(opts, wanted[i], json_object_new_string("absent"));
	/* the model the kernel was built with; PREEMPT_DYNAMIC can change it at boot */
	if (!strcmp(opt(opts, "CONFIG_PREEMPT_RT"), "y"))
		model = "rt";
	else if (!strcmp(opt(opts, "CONFIG_PREEMPT_LAZY"), "y"))
		model = "lazy";
	else if (!strcmp(opt(opts, "CONFIG_PREEMPT"), "y"))
		model = "full";
	else if (!strcmp(opt(opts, "CONFIG_PREEMPT_VOLUNTARY"), "y"))
		model = "voluntary";
	else if (!strcmp(opt(opts, "CONFIG_PREEMPT_NONE"), "y"))
		model = "none";
	else
		model = "unknown";
	json_object_object_add(o, "available", json_object_new_boolean(1));
	json_object_object_add(o, "source", json_object_new_string(path));
	json_object_object_add(o, "options", opts);
	json_object_object_add(o, "preempt_model", json_object_new_string(model));
	json_object_object_add(o, "preempt_dynamic",
			       json_object_new_boolean(!strcmp(opt(opts, "CONFIG_PREEMPT_DYNAMIC"), "y")));
	return o;
}

const char *pt_kconfig_running_path(char *buf, size_t len)
{
	struct utsname u;

	if (access("/proc/config.gz", R_OK) == 0)
		return "/proc/config.gz";
	if (!uname(&u)) {
		snprintf(buf, len, "/boot/config-%s", u.release);
		if (access(buf, R_OK) == 0)
			return buf;
	}
	return NULL;
}

struct json_object *pt_kconfig_json(void)
{
	char buf[300];
	const char *path = pt_kconfig_running_path(buf, sizeof(buf));
	struct json_object *o = path ? pt_kconfig_from_file(path) : NULL;

	if (o)
		return o;
	o = json_object_new_object();
	json_object_object_add(o, "available", json_object_new_boolean(0));
	json_object_object_add(o, "why", json_object_new_string(
		"neither /proc/config.gz (CONFIG_IKCONFIG_PROC) nor /boot/config-RELEASE is readable"));
	return o;
}

int pt_kconfig_enabled(const char *name)
{
	struct json_object *o = pt_kconfig_json(), *opts, *v;
	int rc = -1;

	if (json_object_object_get_ex(o, "options", &opts)) {
		rc = 0;
		if (json_object_object_get_ex(opts, name, &v)) {
			const char *val = json_object_get_string(v);

			rc = !strcmp(val, "y") || !strcmp(val, "m");
		}
	}
	json_object_put(o);
	return rc;
}
