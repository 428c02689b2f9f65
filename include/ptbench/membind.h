/* Memory placement per role (membind = local | node:N | interleave): set as
 * the worker threads' NUMA policy (and the main thread's around the role's
 * setup), then verified with move_pages() on a sample of pages. */
#ifndef PTBENCH_MEMBIND_H
#define PTBENCH_MEMBIND_H

#include <hwloc.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

#define PT_MEMBIND_MAX_NODES 64

enum pt_membind_kind { PT_MEMBIND_LOCAL, PT_MEMBIND_NODE, PT_MEMBIND_INTERLEAVE };

struct pt_membind {
	enum pt_membind_kind kind;
	int node;                       /* PT_MEMBIND_NODE */
};

/* Pages sampled with move_pages() and the nodes they were on. */
struct pt_membind_sample {
	uint64_t sampled, present, misplaced;
	uint64_t unchecked;              /* present, but "local" on an unbound thread: no expected node */
	uint64_t on_node[PT_MEMBIND_MAX_NODES];
};

/* Parse one role's membind against topology t (a node must exist there).
 * Returns 0, or -1 with err naming what the machine has. */
int pt_membind_parse(hwloc_topology_t t, const char *text, struct pt_membind *mb, char *err, size_t len);
/* Set the policy for the calling thread; reset to the default. */
int pt_membind_apply(const struct pt_membind *mb);
void pt_membind_reset(void);
/* Sample up to maxpages pages spread over [addr, addr+len) and add where they
 * are to s. cpu is the PU the thread is bound to (-1: unbound), which is what
 * "local" means. */
void pt_membind_sample(const struct pt_membind *mb, int cpu, const void *addr, size_t len,
		       size_t maxpages, struct pt_membind_sample *s);
/* Allocate, touch and sample a small buffer under the calling thread's policy:
 * proof that the policy took effect for the thread's own allocations. */
void pt_membind_probe_thread(const struct pt_membind *mb, int cpu, struct pt_membind_sample *s);
void pt_membind_sample_add(struct pt_membind_sample *to, const struct pt_membind_sample *from);
/* {"policy", "expected_nodes", "sampled", "present", "nodes", "misplaced", "verified"} */
struct json_object *pt_membind_json(const struct pt_membind *mb, const int *cpus, int ncpus,
				    const struct pt_membind_sample *s);
/* "node:1" etc. */
void pt_membind_str(const struct pt_membind *mb, char *buf, size_t len);

#endif
