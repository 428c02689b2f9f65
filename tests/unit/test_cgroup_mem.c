/* The memory cgroup's room (src/system/cgroup_mem.c) against fake cgroup
 * trees in a temporary directory: v2 memory.max and memory.high on the leaf
 * or an ancestor, v1 memory.limit_in_bytes, "max" and v1's "no limit"
 * number, and no memory controller at all. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ptbench/cgroup_mem.h"
#include "tap.h"

static char root[256];

static void put(const char *rel, const char *text)
{
	char path[PATH_MAX * 2], dir[PATH_MAX * 2], cmd[PATH_MAX * 3];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", dir);
	if (system(cmd))
		abort();
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static void sub(char *out, const char *rel)
{
	snprintf(out, PATH_MAX, "%s/%s", root, rel);
}

int main(void)
{
	char v2[PATH_MAX], v1[PATH_MAX], what[512], cmd[PATH_MAX + 16];
	uint64_t r;

	snprintf(root, sizeof(root), "/tmp/test_cgroup_mem.XXXXXX");
	if (!mkdtemp(root))
		abort();
	sub(v2, "v2");
	sub(v1, "v1");

	/* v2: a 64 MiB memory.max on the leaf, 10 MiB in use */
	put("v2/a/b/memory.max", "67108864\n");
	put("v2/a/b/memory.current", "10485760\n");
	put("v2/a/memory.max", "max\n");
	r = pt_cgroup_mem_room("0::/a/b\n", v2, v1, what, sizeof(what));
	tap_ok(r == 67108864 - 10485760, "v2 memory.max on the leaf: room 54 MiB (got %llu)", (unsigned long long)r);
	tap_ok(strstr(what, "/a/b") && strstr(what, "memory.max"), "it names the cgroup and file: %s", what);

	/* memory.high tighter than memory.max */
	put("v2/a/b/memory.high", "33554432\n");
	r = pt_cgroup_mem_room("0::/a/b\n", v2, v1, what, sizeof(what));
	tap_ok(r == 33554432 - 10485760, "v2 memory.high below memory.max: room 22 MiB (got %llu)",
	       (unsigned long long)r);

	/* an ancestor's limit is tighter still */
	put("v2/a/memory.max", "16777216\n");
	put("v2/a/memory.current", "12582912\n");
	r = pt_cgroup_mem_room("0::/a/b\n", v2, v1, what, sizeof(what));
	tap_ok(r == 16777216 - 12582912, "v2: the parent's memory.max counts (got %llu)", (unsigned long long)r);
	tap_ok(strstr(what, "cgroup /a ") != NULL, "it names the parent: %s", what);

	/* no limit anywhere */
	put("v2/c/memory.max", "max\n");
	put("v2/c/memory.high", "max\n");
	r = pt_cgroup_mem_room("0::/c\n", v2, v1, what, sizeof(what));
	tap_ok(r == UINT64_MAX, "v2 max everywhere: no limit");

	/* v1: the memory controller's line among others; v1's "no limit" */
	put("v1/p/q/memory.limit_in_bytes", "67108864\n");
	put("v1/p/q/memory.usage_in_bytes", "4194304\n");
	put("v1/p/memory.limit_in_bytes", "9223372036854771712\n");
	r = pt_cgroup_mem_room("9:name=systemd:/\n4:memory:/p/q\n3:cpuset:/\n0::/\n", v2, v1, what, sizeof(what));
	tap_ok(r == 67108864 - 4194304, "v1 memory.limit_in_bytes: room 60 MiB (got %llu)", (unsigned long long)r);
	tap_ok(strstr(what, "memory.limit_in_bytes") != NULL, "it names the v1 file: %s", what);
	r = pt_cgroup_mem_room("4:cpu,memory:/p\n", v2, v1, NULL, 0);
	tap_ok(r == UINT64_MAX, "v1 9223372036854771712 is no limit, memory among several controllers");

	/* usage above the limit: no room, not a wrap-around */
	put("v2/d/memory.max", "1048576\n");
	put("v2/d/memory.current", "2097152\n");
	r = pt_cgroup_mem_room("0::/d\n", v2, v1, what, sizeof(what));
	tap_ok(r == 0, "usage over the limit: room 0 (got %llu)", (unsigned long long)r);

	/* nothing there */
	r = pt_cgroup_mem_room("0::/nope\n", v2, v1, what, sizeof(what));
	tap_ok(r == UINT64_MAX && !*what, "a cgroup with no files: no limit");
	r = pt_cgroup_mem_room("", v2, v1, what, sizeof(what));
	tap_ok(r == UINT64_MAX, "an empty /proc/self/cgroup: no limit");

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		tap_diag("could not remove %s", root);
	return tap_done();
}
