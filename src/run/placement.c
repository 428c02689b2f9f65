/* Placement evidence per thread and role: the binding the kernel reports,
 * sched_getcpu() samples, and move_pages() samples of the role's memory. */
#define _GNU_SOURCE
#include <errno.h>
#include <json-c/json.h>
#include <numa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/json_get.h"
#include "ptbench/membind.h"
#include "ptbench/placement.h"
#include "ptbench/run_state.h"
#include "ptbench/topo.h"

/* Test-only: PTBENCH_TEST_MISPLACE=ROLE binds that role's threads to another
 * PU than the plan's and its memory to another node than membind = node:N,
 * so a test can show that pt_placement_check() catches a run that is not
 * where the plan put it. Placement is otherwise only ever the plan's. */
static bool misplace(const struct pt_role_run *rr)
{
	const char *r = getenv("PTBENCH_TEST_MISPLACE");

	return r && !strcmp(r, rr->role->name);
}

/* A PU other than cpu (the next one by OS index, wrapping), or cpu itself
 * when there is no other */
static int other_pu(int cpu)
{
	hwloc_topology_t topo = pt_topo_try();
	hwloc_obj_t pu = NULL, first = NULL;

	if (!topo || cpu < 0)
		return cpu;
	while ((pu = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_PU, pu))) {
		if (!first && (int)pu->os_index != cpu)
			first = pu;
		if ((int)pu->os_index > cpu)
			return (int)pu->os_index;
	}
	return first ? (int)first->os_index : cpu;
}

int pt_placement_thread_start(struct pt_thread *t, char *err, size_t len)
{
	struct pt_role_run *rr = t->rr;
	struct pt_membind bind = rr->role->membind;
	int cpu = t->cpu;
	char mb[32];

	if (misplace(rr)) {
		cpu = other_pu(cpu);
		if (bind.kind == PT_MEMBIND_NODE && numa_available() >= 0 && numa_max_node() > 0)
			bind.node = (bind.node + 1) % (numa_max_node() + 1);
	}
	if (pt_topo_bind_thread(cpu)) {
		snprintf(err, len, "cannot bind a thread to CPU %d: %s", cpu, strerror(errno));
		return -1;
	}
	pt_topo_thread_binding(t->binding, sizeof(t->binding));
	if (pt_membind_apply(&bind)) {
		pt_membind_str(&rr->role->membind, mb, sizeof(mb));
		snprintf(err, len, "cannot set membind = %s: %s", mb, strerror(errno));
		return -1;
	}
	pt_membind_probe_thread(&rr->role->membind, t->cpu, t->mb_sample);
	return 0;
}

void pt_placement_thread_end(struct pt_thread *t)
{
	pt_placement_sample_cpu(t);
	pt_membind_sample(&t->rr->role->membind, t->cpu, t->mem_addr, t->mem_len, 64, t->mb_sample);
}

static struct json_object *cpu_list(const uint64_t *mask)
{
	struct json_object *a = json_object_new_array();

	for (int c = 0; c < 1024; c++)
		if (mask[c / 64] & (1ULL << (c % 64)))
			json_object_array_add(a, json_object_new_int(c));
	return a;
}

void pt_placement_role_json(struct pt_role_run *rr, struct json_object *role_json)
{
	struct json_object *pl = json_object_new_object(), *threads = json_object_new_array();
	struct pt_membind_sample sum;
	uint64_t samples = 0, off = 0;

	memset(&sum, 0, sizeof(sum));
	json_object_object_add(pl, "cpus", json_object_new_string(rr->role->cpus_spec));
	json_object_object_add(pl, "exclusive",
			       json_object_new_boolean(rr->role->exclusive));
	for (int i = 0; i < rr->role->threads; i++) {
		const struct pt_thread *t = &rr->threads[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "cpu", json_object_new_int(t->cpu));
		json_object_object_add(o, "binding", json_object_new_string(t->binding));
		json_object_object_add(o, "sched_samples", json_object_new_int64((int64_t)t->cpu_samples));
		if (t->cpu >= 0)
			json_object_object_add(o, "off_binding", json_object_new_int64((int64_t)t->cpu_off));
		json_object_object_add(o, "cpus_sampled", cpu_list(t->cpu_sampled_mask));
		json_object_array_add(threads, o);
		samples += t->cpu_samples;
		off += t->cpu_off;
		pt_membind_sample_add(&sum, t->mb_sample);
	}
	json_object_object_add(pl, "threads", threads);
	json_object_object_add(pl, "sched_samples", json_object_new_int64((int64_t)samples));
	json_object_object_add(pl, "off_binding", json_object_new_int64((int64_t)off));
	json_object_object_add(role_json, "placement", pl);
	if (rr->role->threads)
		json_object_object_add(role_json, "membind",
				       pt_membind_json(&rr->role->membind, rr->role->cpus, rr->role->threads, &sum));
}

int pt_placement_check(const char *role, struct json_object *role_json, char *why, size_t len)
{
	struct json_object *pl, *threads, *mb, *v;

	if (json_object_object_get_ex(role_json, "placement", &pl) &&
	    json_object_object_get_ex(pl, "threads", &threads)) {
		for (size_t i = 0; i < json_object_array_length(threads); i++) {
			struct json_object *t = json_object_array_get_idx(threads, i), *seen;
			int64_t off = pt_json_int(t, "off_binding", 0);

			if (off <= 0)
				continue;
			json_object_object_get_ex(t, "cpus_sampled", &seen);
			snprintf(why, len,
				 "role %s thread %zu is bound to CPU %lld but ran on CPUs %s "
				 "(%lld of %lld samples off its CPU; kernel binding %s)",
				 role, i, (long long)pt_json_int(t, "cpu", 0),
				 seen ? json_object_to_json_string_ext(seen, JSON_C_TO_STRING_PLAIN) : "?",
				 (long long)off, (long long)pt_json_int(t, "sched_samples", 0),
				 json_object_object_get_ex(t, "binding", &v) ? json_object_get_string(v) : "?");
			return -1;
		}
	}
	/* membind: "verified" false with pages present and none unchecked is a
	 * page on a node the policy does not allow, or interleave that did not
	 * spread; nothing populated or "local" on unbound threads is no evidence
	 * either way and does not fail */
	if (json_object_object_get_ex(role_json, "membind", &mb) &&
	    json_object_object_get_ex(mb, "verified", &v) && !json_object_get_boolean(v) &&
	    pt_json_int(mb, "present", 0) > 0 && !pt_json_int(mb, "unchecked", 0)) {
		struct json_object *pol = NULL, *nodes = NULL, *w = NULL;

		json_object_object_get_ex(mb, "policy", &pol);
		json_object_object_get_ex(mb, "nodes", &nodes);
		json_object_object_get_ex(mb, "why", &w);
		snprintf(why, len, "role %s membind = %s: %s (sampled pages by node %s)", role,
			 pol ? json_object_get_string(pol) : "?", w ? json_object_get_string(w) : "not verified",
			 nodes ? json_object_to_json_string_ext(nodes, JSON_C_TO_STRING_PLAIN) : "{}");
		return -1;
	}
	return 0;
}
