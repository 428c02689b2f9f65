/* ptbench.config against a kernel config. The fragment is the one list: its
 * "# lost:" comments are what the check prints, so an option and what it
 * gives are declared once, in the file a kernel builder merges. */
#define _GNU_SOURCE
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ptbench/kconfig.h"
#include "ptbench/kconfig_check.h"
#include "ptbench/strmap.h"
#include "ptbench/util.h"

#ifndef PTBENCH_DATADIR
#define PTBENCH_DATADIR "/usr/local/share/ptbench"
#endif

const char *pt_kconfig_fragment_path(void)
{
	static const char *const rel[] = { "ptbench.config", "../share/ptbench/ptbench.config", "../ptbench.config" };
	static char path[PATH_MAX];
	const char *env = getenv("PTBENCH_CONFIG_FRAGMENT");

	if (env && *env)
		return env;
	for (size_t i = 0; i < PT_ARRAY_SIZE(rel); i++) {
		snprintf(path, sizeof(path), "%s/%s", pt_exe_dir(), rel[i]);
		if (access(path, R_OK) == 0)
			return path;
	}
	snprintf(path, sizeof(path), "%s/ptbench.config", PTBENCH_DATADIR);
	return path;
}

/* A kernel config's settings: name -> index into vals ("n" for "is not set"). */
struct kvals {
	struct pt_strmap map;
	char **vals;
	size_t n, cap;
	bool any_config; /* a CONFIG_ line was seen: a kernel config at all */
};

static void kvals_free(struct kvals *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->vals[i]);
	free(k->vals);
	pt_strmap_free(&k->map);
}

static void kvals_add(struct kvals *k, const char *name, const char *val)
{
	if (pt_strmap_get(&k->map, name, strlen(name)) >= 0)
		return; /* the first setting wins, as in Kconfig's reader */
	if (k->n == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 512;
		k->vals = pt_xrealloc(k->vals, k->cap * sizeof(*k->vals));
	}
	k->vals[k->n] = pt_xstrdup(val);
	pt_strmap_add(&k->map, name, strlen(name), (int)k->n);
	k->n++;
}

static void keep(const char *name, const char *val, void *arg)
{
	struct kvals *k = arg;

	k->any_config |= !strncmp(name, "CONFIG_", 7);
	kvals_add(k, name, val);
}

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

struct json_object *pt_kconfig_check(const char *fragment, const char *config, char *err, size_t len)
{
	struct kvals k = { 0 };
	struct json_object *o, *missing;
	char cfgbuf[PATH_MAX], line[1024], lost[512] = "";
	FILE *f;
	struct stat st;
	int lineno = 0, checked = 0;

	if (!config && !(config = pt_kconfig_running_path(cfgbuf, sizeof(cfgbuf)))) {
		snprintf(err, len, "the running kernel's config: neither /proc/config.gz "
				   "(CONFIG_IKCONFIG_PROC) nor /boot/config-RELEASE is readable; "
				   "give a config file");
		return NULL;
	}
	/* a FIFO or a device would be read for ever (/dev/zero) or block */
	if (stat(config, &st)) {
		snprintf(err, len, "%s: cannot read: %s", config, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, len, "%s: not a regular file", config);
		return NULL;
	}
	if (pt_kconfig_each(config, keep, &k)) {
		snprintf(err, len, "%s: cannot read: %s", config, strerror(errno ? errno : ENOENT));
		kvals_free(&k);
		return NULL;
	}
	if (!k.any_config) {
		snprintf(err, len, "%s: no CONFIG_ line: not a kernel config", config);
		kvals_free(&k);
		return NULL;
	}
	f = fopen(fragment, "re");
	if (!f) {
		snprintf(err, len, "%s: cannot read the config fragment: %s", fragment, strerror(errno));
		kvals_free(&k);
		return NULL;
	}
	o = json_object_new_object();
	missing = json_object_new_array();
	while (fgets(line, sizeof(line), f)) {
		char name[128], want[256];
		const char *have;
		int idx;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		trim(line);
		if (!strncmp(line, "# lost:", 7)) {
			snprintf(lost, sizeof(lost), "%s", line + 7 + strspn(line + 7, " "));
			continue;
		}
		if (!line[0] || line[0] == '#') {
			if (!line[0])
				lost[0] = '\0';
			continue;
		}
		if (sscanf(line, "CONFIG_%127[A-Za-z0-9_]=%255s", name, want) != 2) {
			snprintf(err, len, "%s:%d: want CONFIG_NAME=VALUE, a comment or a blank line", fragment, lineno);
			goto bad;
		}
		if (!lost[0]) {
			snprintf(err, len, "%s:%d: CONFIG_%s has no \"# lost:\" line above it saying what "
					   "ptbench loses without it", fragment, lineno, name);
			goto bad;
		}
		checked++;
		snprintf(line, sizeof(line), "CONFIG_%s", name);
		idx = pt_strmap_get(&k.map, line, strlen(line));
		have = idx >= 0 ? k.vals[idx] : "absent";
		if (strcmp(have, want)) {
			struct json_object *m = json_object_new_object();

			json_object_object_add(m, "option", json_object_new_string(line));
			json_object_object_add(m, "want", json_object_new_string(want));
			json_object_object_add(m, "have", json_object_new_string(have));
			json_object_object_add(m, "lost", json_object_new_string(lost));
			json_object_array_add(missing, m);
		}
		lost[0] = '\0';
	}
	fclose(f);
	kvals_free(&k);
	json_object_object_add(o, "fragment", json_object_new_string(fragment));
	json_object_object_add(o, "config", json_object_new_string(config));
	json_object_object_add(o, "checked", json_object_new_int(checked));
	json_object_object_add(o, "missing", missing);
	return o;
bad:
	fclose(f);
	kvals_free(&k);
	json_object_put(o);
	json_object_put(missing);
	return NULL;
}

void pt_kconfig_check_print(struct json_object *check, const char *indent, FILE *out)
{
	struct json_object *missing, *checked, *v;
	size_t n;

	json_object_object_get_ex(check, "missing", &missing);
	json_object_object_get_ex(check, "checked", &checked);
	n = missing ? json_object_array_length(missing) : 0;
	if (!n) {
		fprintf(out, "%sall %d options of ptbench.config are set\n", indent,
			checked ? json_object_get_int(checked) : 0);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(missing, i);
		const char *opt = "", *want = "", *have = "", *lost = "";

		if (json_object_object_get_ex(m, "option", &v))
			opt = json_object_get_string(v);
		if (json_object_object_get_ex(m, "want", &v))
			want = json_object_get_string(v);
		if (json_object_object_get_ex(m, "have", &v))
			have = json_object_get_string(v);
		if (json_object_object_get_ex(m, "lost", &v))
			lost = json_object_get_string(v);
		fprintf(out, "%s%s=%s: %s: lost: %s\n", indent, opt, want,
			!strcmp(have, "absent") ? "absent (not in this kernel's config)"
			: !strcmp(have, "n") ? "is not set" : have, lost);
	}
}
