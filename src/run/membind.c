/* Memory placement per role with libnuma's system-call wrappers, and the
 * move_pages() check that the pages really are where the policy says. */
#define _GNU_SOURCE
#include <errno.h>
#include <json-c/json.h>
#include <numa.h>
#include <numaif.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ptbench/exitcodes.h"
#include "ptbench/membind.h"
#include "ptbench/topo.h"
#include "ptbench/util.h"

#define PROBE_PAGES 16

void pt_membind_str(const struct pt_membind *mb, char *buf, size_t len)
{
	if (mb->kind == PT_MEMBIND_NODE)
		snprintf(buf, len, "node:%d", mb->node);
	else
		snprintf(buf, len, "%s", mb->kind == PT_MEMBIND_LOCAL ? "local" : "interleave");
}

int pt_membind_parse(hwloc_topology_t t, const char *text, struct pt_membind *mb, char *err, size_t len)
{
	memset(mb, 0, sizeof(*mb));
	if (!strcmp(text, "local")) {
		mb->kind = PT_MEMBIND_LOCAL;
	} else if (!strcmp(text, "interleave")) {
		mb->kind = PT_MEMBIND_INTERLEAVE;
	} else if (!strncmp(text, "node:", 5)) {
		char *end;
		long n;

		errno = 0;
		n = strtol(text + 5, &end, 10);
		if (end != text + 5 && !*end && (errno == ERANGE || n > INT_MAX)) {
			snprintf(err, len, "%s: node number out of range", text);
			return -1;
		}
		if (end == text + 5 || *end || n < 0) {
			snprintf(err, len, "expected node:N with N a NUMA node number");
			return -1;
		}
		if (n >= PT_MEMBIND_MAX_NODES || !hwloc_get_numanode_obj_by_os_index(t, (unsigned)n)) {
			int nn = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE);
			size_t off = (size_t)snprintf(err, len, "no NUMA node %ld: this machine has %d NUMA node%s (",
						      n, nn, nn == 1 ? "" : "s");

			for (int i = 0; i < nn && off < len; i++)
				off += (size_t)snprintf(err + off, len - off, "%s%u", i ? ", " : "",
							hwloc_get_obj_by_type(t, HWLOC_OBJ_NUMANODE, (unsigned)i)->os_index);
			if (off < len)
				snprintf(err + off, len - off, ")");
			return -1;
		}
		mb->kind = PT_MEMBIND_NODE;
		mb->node = (int)n;
	} else {
		snprintf(err, len, "expected local, node:N or interleave");
		return -1;
	}
	return 0;
}

int pt_membind_apply(const struct pt_membind *mb)
{
	unsigned long mask[PT_MEMBIND_MAX_NODES / (8 * sizeof(unsigned long)) + 1];
	unsigned long maxnode = 8 * sizeof(mask);
	struct bitmask *allowed;

	if (numa_available() < 0)
		return mb->kind == PT_MEMBIND_LOCAL ? 0 : -1;
	memset(mask, 0, sizeof(mask));
	switch (mb->kind) {
	case PT_MEMBIND_LOCAL:
		return (int)set_mempolicy(MPOL_LOCAL, NULL, 0);
	case PT_MEMBIND_NODE:
		mask[mb->node / (8 * sizeof(long))] |= 1UL << (mb->node % (8 * sizeof(long)));
		return (int)set_mempolicy(MPOL_BIND, mask, maxnode);
	case PT_MEMBIND_INTERLEAVE:
		allowed = numa_get_mems_allowed();
		for (int n = 0; n < PT_MEMBIND_MAX_NODES && n <= numa_max_node(); n++)
			if (numa_bitmask_isbitset(allowed, (unsigned)n))
				mask[n / (8 * sizeof(long))] |= 1UL << (n % (8 * sizeof(long)));
		numa_bitmask_free(allowed);
		return (int)set_mempolicy(MPOL_INTERLEAVE, mask, maxnode);
	}
	return -1;
}

void pt_membind_reset(void)
{
	if (numa_available() >= 0)
		set_mempolicy(MPOL_DEFAULT, NULL, 0);
}

/* The NUMA node of a PU, from hwloc (libnuma's numa_node_of_cpu() keeps a
 * cache it never frees, which LeakSanitizer reports); -1 if unknown. */
static int node_of_cpu(int cpu)
{
	hwloc_topology_t topo = pt_topo_try();
	hwloc_obj_t pu = cpu >= 0 && topo ? hwloc_get_pu_obj_by_os_index(topo, (unsigned)cpu) : NULL;

	return pu && !hwloc_bitmap_iszero(pu->nodeset) ? hwloc_bitmap_first(pu->nodeset) : -1;
}

/* The node a page must be on, or -1 when any node will do (interleave is
 * checked on the spread instead) or no node is expected (local, unbound). */
static int expected_node(const struct pt_membind *mb, int cpu)
{
	if (mb->kind == PT_MEMBIND_NODE)
		return mb->node;
	if (mb->kind == PT_MEMBIND_LOCAL)
		return node_of_cpu(cpu);
	return -1;
}

void pt_membind_sample(const struct pt_membind *mb, int cpu, const void *addr, size_t len,
		       size_t maxpages, struct pt_membind_sample *s)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), npages = len / page, n, step;
	void **pages;
	int *status, want = expected_node(mb, cpu);

	if (!addr || !npages || !maxpages || numa_available() < 0)
		return;
	n = npages < maxpages ? npages : maxpages;
	step = npages / n;
	pages = pt_xcalloc(n, sizeof(*pages));
	status = pt_xcalloc(n, sizeof(*status));
	for (size_t i = 0; i < n; i++)
		pages[i] = (char *)addr + i * step * page;
	/* nodes == NULL: only ask where each page is, move nothing */
	if (move_pages(0, n, pages, NULL, status, 0) == 0) {
		for (size_t i = 0; i < n; i++) {
			s->sampled++;
			if (status[i] < 0)
				continue; /* -ENOENT: not populated right now */
			s->present++;
			if (status[i] < PT_MEMBIND_MAX_NODES)
				s->on_node[status[i]]++;
			if (want < 0 && !(mb->kind == PT_MEMBIND_INTERLEAVE))
				s->unchecked++;
			else if (want >= 0 && status[i] != want)
				s->misplaced++;
		}
	}
	free(pages);
	free(status);
}

void pt_membind_probe_thread(const struct pt_membind *mb, int cpu, struct pt_membind_sample *s)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len = PROBE_PAGES * page;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return;
	madvise(p, len, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < len; i += page)
		p[i] = 1;
	pt_membind_sample(mb, cpu, p, len, PROBE_PAGES, s);
	munmap(p, len);
}

void pt_membind_sample_add(struct pt_membind_sample *to, const struct pt_membind_sample *from)
{
	to->sampled += from->sampled;
	to->present += from->present;
	to->misplaced += from->misplaced;
	to->unchecked += from->unchecked;
	for (int n = 0; n < PT_MEMBIND_MAX_NODES; n++)
		to->on_node[n] += from->on_node[n];
}

struct json_object *pt_membind_json(const struct pt_membind *mb, const int *cpus, int ncpus,
				    const struct pt_membind_sample *s)
{
	struct json_object *o = json_object_new_object(), *nodes = json_object_new_object();
	struct json_object *expect = json_object_new_array();
	char buf[64], why[160] = "";
	int used = 0, allowed = numa_available() >= 0 ? numa_num_task_nodes() : 1;
	bool verified;

	pt_membind_str(mb, buf, sizeof(buf));
	json_object_object_add(o, "policy", json_object_new_string(buf));
	for (int n = 0; n < PT_MEMBIND_MAX_NODES; n++) {
		if (!s->on_node[n])
			continue;
		used++;
		snprintf(buf, sizeof(buf), "%d", n);
		json_object_object_add(nodes, buf, json_object_new_int64((int64_t)s->on_node[n]));
	}
	if (mb->kind == PT_MEMBIND_NODE) {
		json_object_array_add(expect, json_object_new_int(mb->node));
	} else if (mb->kind == PT_MEMBIND_INTERLEAVE && numa_available() >= 0) {
		struct bitmask *allowed_nodes = numa_get_mems_allowed();

		for (int n = 0; n <= numa_max_node(); n++)
			if (numa_bitmask_isbitset(allowed_nodes, (unsigned)n))
				json_object_array_add(expect, json_object_new_int(n));
		numa_bitmask_free(allowed_nodes);
	} else if (mb->kind == PT_MEMBIND_LOCAL) {
		/* the nodes of the PUs the threads are bound to */
		unsigned long long seen = 0;

		for (int i = 0; i < ncpus; i++) {
			int n = node_of_cpu(cpus[i]);

			if (n >= 0 && n < 64 && !(seen & (1ULL << n))) {
				seen |= 1ULL << n;
				json_object_array_add(expect, json_object_new_int(n));
			}
		}
	}
	json_object_object_add(o, "expected_nodes", expect);
	json_object_object_add(o, "sampled", json_object_new_int64((int64_t)s->sampled));
	json_object_object_add(o, "present", json_object_new_int64((int64_t)s->present));
	json_object_object_add(o, "nodes", nodes);
	json_object_object_add(o, "misplaced", json_object_new_int64((int64_t)s->misplaced));
	if (s->unchecked)
		json_object_object_add(o, "unchecked", json_object_new_int64((int64_t)s->unchecked));
	verified = s->present > 0 && s->misplaced == 0 && !s->unchecked;
	if (!s->present)
		snprintf(why, sizeof(why), "no sampled page was populated");
	else if (s->unchecked)
		snprintf(why, sizeof(why), "local on unbound threads: the node depends on where each page was touched");
	else if (s->misplaced)
		snprintf(why, sizeof(why), "%llu of %llu present pages on a node the policy does not allow",
			 (unsigned long long)s->misplaced, (unsigned long long)s->present);
	if (mb->kind == PT_MEMBIND_INTERLEAVE && allowed > 1 && used < 2 && s->present > 1) {
		verified = false;
		snprintf(why, sizeof(why), "interleave over %d nodes, but every sampled page is on one", allowed);
	}
	json_object_object_add(o, "verified", json_object_new_boolean(verified));
	if (why[0])
		json_object_object_add(o, "why", json_object_new_string(why));
	return o;
}
