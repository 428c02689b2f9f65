/* Placement evidence per thread and role: the binding the kernel reports,
 * sched_getcpu() samples, and move_pages() samples of the role's memory. */
#define _GNU_SOURCE
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "ptbench/membind.h"
#include "ptbench/placement.h"
#include "ptbench/runner.h"
#include "ptbench/topo.h"

int pt_placement_thread_start(struct pt_thread *t, char *err, size_t len)
{
	struct pt_role_run *rr = t->rr;
	char mb[32];

	if (pt_topo_bind_thread(t->cpu)) {
		snprintf(err, len, "cannot bind a thread to CPU %d: %s", t->cpu, strerror(errno));
		return -1;
	}
	pt_topo_thread_binding(t->binding, sizeof(t->binding));
	if (pt_membind_apply(&rr->membind)) {
		pt_membind_str(&rr->membind, mb, sizeof(mb));
		snprintf(err, len, "cannot set membind = %s: %s", mb, strerror(errno));
		return -1;
	}
	pt_membind_probe_thread(&rr->membind, t->cpu, t->mb_sample);
	return 0;
}

void pt_placement_thread_end(struct pt_thread *t)
{
	pt_placement_sample_cpu(t);
	pt_membind_sample(&t->rr->membind, t->cpu, t->mem_addr, t->mem_len, 64, t->mb_sample);
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
	for (int i = 0; i < rr->nthreads; i++) {
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
	if (rr->nthreads)
		json_object_object_add(role_json, "membind",
				       pt_membind_json(&rr->membind, rr->cpus, rr->nthreads, &sum));
}
