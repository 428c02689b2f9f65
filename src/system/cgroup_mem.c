/* The memory cgroup's limit on this process, v2 and v1 (see cgroup_mem.h). */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptbench/cgroup_mem.h"
#include "ptbench/util.h"

/* A cgroup file holding one number, or "max": UINT64_MAX when absent or
 * unlimited. v1 writes "no limit" as a huge page-rounded number. */
static uint64_t read_num(const char *dir, const char *file, int *found)
{
	char path[PATH_MAX * 2], *text, *end;
	unsigned long long v;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	text = pt_read_file(path, NULL);
	if (found)
		*found = text != NULL;
	if (!text)
		return UINT64_MAX;
	v = strtoull(text, &end, 10);
	if (end == text || v >= (1ull << 62))
		v = UINT64_MAX;	/* "max", garbage, or v1's 9223372036854771712 */
	free(text);
	return v;
}

/* Walk from root/path up to root: the tightest (limit - usage) of every
 * level that has a limit in one of files[]. */
static uint64_t walk(const char *root, const char *path, const char *const *files, const char *usage_file,
		     uint64_t room, char *what, size_t whatlen)
{
	char dir[PATH_MAX * 2], rel[PATH_MAX];
	size_t len;

	snprintf(rel, sizeof(rel), "%s", path);
	for (;;) {
		int found = 0;

		len = strlen(rel);
		while (len > 1 && rel[len - 1] == '/')
			rel[--len] = '\0';
		snprintf(dir, sizeof(dir), "%s%s", root, rel);
		for (size_t i = 0; files[i]; i++) {
			uint64_t lim = read_num(dir, files[i], &found), used, r;

			if (lim == UINT64_MAX)
				continue;
			used = read_num(dir, usage_file, NULL);
			r = used == UINT64_MAX ? lim : lim > used ? lim - used : 0;
			if (r < room) {
				room = r;
				if (what)
					snprintf(what, whatlen, "the memory cgroup %s (%s %" PRIu64 " bytes, %s %" PRIu64 ")",
						 *rel ? rel : "/", files[i], lim, usage_file,
						 used == UINT64_MAX ? 0 : used);
			}
		}
		if (len <= 1)
			break;
		char *slash = strrchr(rel, '/');

		if (!slash)
			break;
		slash[slash == rel ? 1 : 0] = '\0';
	}
	return room;
}

static const char *first_existing(const char *const *dirs, const char *file)
{
	char path[PATH_MAX];

	for (size_t i = 0; dirs[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], file);
		if (!access(path, F_OK))
			return dirs[i];
	}
	return NULL;
}

uint64_t pt_cgroup_mem_room(const char *proc_cgroup, const char *v2_root, const char *v1_root, char *what,
			    size_t whatlen)
{
	static const char *const v2_files[] = { "memory.max", "memory.high", NULL };
	static const char *const v1_files[] = { "memory.limit_in_bytes", NULL };
	static const char *const v2_dirs[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified", NULL };
	uint64_t room = UINT64_MAX;
	const char *p = proc_cgroup;

	if (what && whatlen)
		*what = '\0';
	while (p && *p) {
		/* "ID:CONTROLLERS:PATH" */
		const char *nl = strchr(p, '\n'), *c1 = strchr(p, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		size_t linelen = nl ? (size_t)(nl - p) : strlen(p);
		char ctrl[256], path[PATH_MAX];

		if (c1 && c2 && c2 < p + linelen && (size_t)(c2 - c1 - 1) < sizeof(ctrl) &&
		    (size_t)(p + linelen - c2 - 1) < sizeof(path)) {
			memcpy(ctrl, c1 + 1, (size_t)(c2 - c1 - 1));
			ctrl[c2 - c1 - 1] = '\0';
			memcpy(path, c2 + 1, (size_t)(p + linelen - c2 - 1));
			path[p + linelen - c2 - 1] = '\0';
			if (!*ctrl && !strncmp(p, "0:", 2)) {
				const char *root = v2_root ? v2_root : first_existing(v2_dirs, "cgroup.controllers");

				if (root)
					room = walk(root, path, v2_files, "memory.current", room, what, whatlen);
			} else {
				/* v1: "memory" among the comma-separated controllers */
				char *save = NULL;

				for (char *t = strtok_r(ctrl, ",", &save); t; t = strtok_r(NULL, ",", &save))
					if (!strcmp(t, "memory")) {
						room = walk(v1_root ? v1_root : "/sys/fs/cgroup/memory", path, v1_files,
							    "memory.usage_in_bytes", room, what, whatlen);
						break;
					}
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	return room;
}
