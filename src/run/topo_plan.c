/* CPU placement planning over a given hwloc topology. Nothing here touches
 * the running process: the plan is computed (and refused, with a reason)
 * before any thread exists. Work is done in PU logical indexes; the result is
 * in OS indexes, which is what binding and sched_getcpu() speak. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>

#include "ptbench/topo_plan.h"
#include "ptbench/util.h"

enum policy { P_NONE, P_COMPACT, P_SCATTER, P_SAME_CORE, P_OTHER_L3, P_NODE, P_LIST };

struct role_plan {
	enum policy p;
	int ref;       /* same-core-as / other-l3: index of the referenced request */
	int node;      /* node:N */
	int *list;     /* LIST: logical PU indexes */
	int nlist;
	bool done;
};

struct planner {
	hwloc_topology_t t;
	const struct pt_place_req *req;
	size_t n;
	struct role_plan *rp;
	int npu;
	int *use;      /* threads planned on each PU (logical index) */
	int *owner;    /* 1 + request holding the PU exclusively, 0 if none */
	int **cpus;    /* result, logical indexes until the end */
	char *err;
	size_t errlen;
	size_t first_undone;  /* roles before it are all planned */
	size_t excl_left;     /* exclusive roles not planned yet */
};

static int fail(struct planner *pl, size_t r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct planner *pl, size_t r, const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(pl->err, pl->errlen, "[worker %s]: cpus = %s%s: ", pl->req[r].role,
			 pl->req[r].cpus, pl->req[r].exclusive ? ", exclusive" : "");

	if (k < 0 || (size_t)k >= pl->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(pl->err + k, pl->errlen - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

int pt_place_parse_list(const char *s, int *out, int max)
{
	int n = 0;
	const char *p = s;

	if (!*s)
		return -1;
	while (*p) {
		char *end;
		long a, b;

		if (*p < '0' || *p > '9')
			return -1;
		a = strtol(p, &end, 10);
		b = a;
		p = end;
		if (*p == '-') {
			if (p[1] < '0' || p[1] > '9')
				return -1;
			b = strtol(p + 1, &end, 10);
			if (b < a)
				return -1;
			p = end;
		}
		/* no CPU number is that large (and (int) of it would be garbage) */
		if (a > INT_MAX || b > INT_MAX)
			return -1;
		for (long i = a; i <= b; i++) {
			if (n >= max)
				return -1;
			out[n++] = (int)i;
		}
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			return -1;
	}
	return n;
}

static hwloc_obj_t pu(const struct planner *pl, int logical)
{
	return hwloc_get_obj_by_type(pl->t, HWLOC_OBJ_PU, (unsigned)logical);
}

static int find_role(const struct planner *pl, const char *name)
{
	for (size_t i = 0; i < pl->n; i++)
		if (!strcmp(pl->req[i].role, name))
			return (int)i;
	return -1;
}

static void role_names(const struct planner *pl, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < pl->n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "", pl->req[i].role);
}

static int numa_summary(hwloc_topology_t t, char *buf, size_t len)
{
	int nn = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE);
	size_t off = (size_t)snprintf(buf, len, "%d NUMA node%s (", nn, nn == 1 ? "" : "s");

	for (int i = 0; i < nn && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%u", i ? ", " : "",
					hwloc_get_obj_by_type(t, HWLOC_OBJ_NUMANODE, (unsigned)i)->os_index);
	if (off < len)
		snprintf(buf + off, len - off, ")");
	return nn;
}

static int parse_one(struct planner *pl, size_t r)
{
	const char *s = pl->req[r].cpus;
	struct role_plan *rp = &pl->rp[r];
	const char *arg;

	rp->ref = -1;
	if (!strcmp(s, "none"))
		rp->p = P_NONE;
	else if (!strcmp(s, "compact"))
		rp->p = P_COMPACT;
	else if (!strcmp(s, "scatter"))
		rp->p = P_SCATTER;
	else if (!strncmp(s, "same-core-as:", 13) || !strncmp(s, "other-l3:", 9)) {
		rp->p = s[0] == 's' ? P_SAME_CORE : P_OTHER_L3;
		arg = strchr(s, ':') + 1;
		rp->ref = find_role(pl, arg);
		if (rp->ref < 0) {
			char names[512];

			role_names(pl, names, sizeof(names));
			return fail(pl, r, "no role '%s' in this scenario (roles: %s)", arg, names);
		}
		if ((size_t)rp->ref == r)
			return fail(pl, r, "a role cannot be placed relative to itself");
		if (!strcmp(pl->req[rp->ref].cpus, "none"))
			return fail(pl, r, "role '%s' is not bound (cpus = none), so it has no place to be relative to",
				    arg);
		if (pl->req[rp->ref].nthreads < 1)
			return fail(pl, r, "role '%s' runs no threads", arg);
	} else if (!strncmp(s, "node:", 5)) {
		char *end, buf[256];
		long node;
		hwloc_obj_t obj;

		errno = 0;
		node = strtol(s + 5, &end, 10);
		rp->p = P_NODE;
		if (end != s + 5 && !*end && (errno == ERANGE || node > INT_MAX))
			return fail(pl, r, "%s: node number out of range", s);
		if (end == s + 5 || *end || node < 0)
			return fail(pl, r, "expected node:N with N a NUMA node number");
		obj = hwloc_get_numanode_obj_by_os_index(pl->t, (unsigned)node);
		if (!obj) {
			numa_summary(pl->t, buf, sizeof(buf));
			return fail(pl, r, "no NUMA node %ld: this machine has %s", node, buf);
		}
		if (hwloc_bitmap_iszero(obj->cpuset))
			return fail(pl, r, "NUMA node %ld has memory but no CPUs", node);
		rp->node = (int)node;
	} else {
		int *os = pt_xcalloc((size_t)pl->npu * 4 + 1024, sizeof(int));
		int k = pt_place_parse_list(s, os, pl->npu * 4 + 1024);

		rp->p = P_LIST;
		if (k <= 0) {
			free(os);
			return fail(pl, r, "expected none, compact, scatter, same-core-as:ROLE, other-l3:ROLE, node:N or a CPU list like 0,2-3");
		}
		rp->list = pt_xcalloc((size_t)k, sizeof(int));
		rp->nlist = k;
		for (int i = 0; i < k; i++) {
			hwloc_obj_t o = hwloc_get_pu_obj_by_os_index(pl->t, (unsigned)os[i]);

			if (!o) {
				int bad = os[i];

				free(os);
				return fail(pl, r, "CPU %d does not exist or is not available (this machine has %d PUs)",
					    bad, pl->npu);
			}
			rp->list[i] = (int)o->logical_index;
		}
		free(os);
	}
	if (pl->req[r].exclusive && rp->p == P_NONE)
		return fail(pl, r, "exclusive needs a placement; cpus = none leaves threads unbound");
	return 0;
}

/* Scatter order: children interleaved round-robin at every level, so
 * consecutive threads land on different packages, then L3s, then cores, and
 * SMT siblings come last. */
static int scatter_order(hwloc_obj_t obj, int *out)
{
	if (obj->type == HWLOC_OBJ_PU) {
		out[0] = (int)obj->logical_index;
		return 1;
	}
	if (!obj->arity)
		return 0;

	int **sub = pt_xcalloc(obj->arity, sizeof(*sub)), *cnt = pt_xcalloc(obj->arity, sizeof(int));
	int maxc = 0, n = 0;

	for (unsigned c = 0; c < obj->arity; c++) {
		int w = hwloc_bitmap_weight(obj->children[c]->cpuset);

		sub[c] = pt_xcalloc((size_t)(w > 0 ? w : 1), sizeof(int));
		cnt[c] = scatter_order(obj->children[c], sub[c]);
		if (cnt[c] > maxc)
			maxc = cnt[c];
	}
	for (int i = 0; i < maxc; i++)
		for (unsigned c = 0; c < obj->arity; c++)
			if (i < cnt[c])
				out[n++] = sub[c][i];
	for (unsigned c = 0; c < obj->arity; c++)
		free(sub[c]);
	free(sub);
	free(cnt);
	return n;
}

/* The PUs a policy offers, in the order it prefers them. */
static int candidates(struct planner *pl, size_t r, int *c)
{
	struct role_plan *rp = &pl->rp[r];
	int n = 0;

	switch (rp->p) {
	case P_COMPACT:
		for (int i = 0; i < pl->npu; i++)
			c[n++] = i;
		break;
	case P_SCATTER:
		n = scatter_order(hwloc_get_root_obj(pl->t), c);
		break;
	case P_NODE: {
		hwloc_obj_t node = hwloc_get_numanode_obj_by_os_index(pl->t, (unsigned)rp->node);

		for (int i = 0; i < pl->npu; i++)
			if (hwloc_bitmap_isset(node->cpuset, pu(pl, i)->os_index))
				c[n++] = i;
		break;
	}
	case P_OTHER_L3: {
		hwloc_bitmap_t taken = hwloc_bitmap_alloc();
		int nref = pl->req[rp->ref].nthreads;

		for (int i = 0; i < nref; i++) {
			hwloc_obj_t l3 = hwloc_get_ancestor_obj_by_type(pl->t, HWLOC_OBJ_L3CACHE,
									pu(pl, pl->cpus[rp->ref][i]));

			if (!l3) {
				hwloc_bitmap_free(taken);
				return fail(pl, r, "this machine reports no L3 cache above CPU %u",
					    pu(pl, pl->cpus[rp->ref][i])->os_index);
			}
			hwloc_bitmap_or(taken, taken, l3->cpuset);
		}
		for (int i = 0; i < pl->npu; i++)
			if (!hwloc_bitmap_isset(taken, pu(pl, i)->os_index))
				c[n++] = i;
		hwloc_bitmap_free(taken);
		if (!n) {
			int nl3 = hwloc_get_nbobjs_by_type(pl->t, HWLOC_OBJ_L3CACHE);

			return fail(pl, r, "every L3 of this machine holds a thread of '%s' (this machine has %d L3 cache%s)",
				    pl->req[rp->ref].role, nl3, nl3 == 1 ? "" : "s");
		}
		break;
	}
	default:
		break;
	}
	return n;
}

/* The least-loaded usable candidate, first in policy order on ties; -1 if none. */
static int pick(struct planner *pl, size_t r, const int *c, int n)
{
	int best = -1;

	for (int i = 0; i < n; i++) {
		int p = c[i];

		if (pl->owner[p] && pl->owner[p] != (int)r + 1)
			continue;
		if (pl->req[r].exclusive && pl->use[p])
			continue;
		if (best < 0 || pl->use[p] < pl->use[best])
			best = p;
	}
	return best;
}

static void take(struct planner *pl, size_t r, int thread, int p)
{
	pl->cpus[r][thread] = p;
	pl->use[p]++;
	if (pl->req[r].exclusive)
		pl->owner[p] = (int)r + 1;
}

static int held_by_others(const struct planner *pl, size_t r)
{
	int k = 0;

	for (int p = 0; p < pl->npu; p++)
		if ((pl->owner[p] && pl->owner[p] != (int)r + 1) || (pl->req[r].exclusive && pl->use[p]))
			k++;
	return k;
}

static int plan_role(struct planner *pl, size_t r)
{
	const struct pt_place_req *q = &pl->req[r];
	struct role_plan *rp = &pl->rp[r];
	int *c = pt_xcalloc((size_t)pl->npu, sizeof(int)), n, rc = 0;

	if (rp->p == P_NONE) {
		for (int i = 0; i < q->nthreads; i++)
			pl->cpus[r][i] = -1;
		goto out;
	}
	if (rp->p == P_LIST) {
		for (int i = 0; i < q->nthreads; i++) {
			int p = rp->list[i % rp->nlist];

			if (q->exclusive && i >= rp->nlist) {
				rc = fail(pl, r, "%d threads but only %d CPUs listed; exclusive needs one each",
					  q->nthreads, rp->nlist);
				goto out;
			}
			if ((pl->owner[p] && pl->owner[p] != (int)r + 1) || (q->exclusive && pl->use[p])) {
				rc = fail(pl, r, "CPU %u is already planned for another role%s",
					  pu(pl, p)->os_index, pl->owner[p] ? " exclusively" : "");
				goto out;
			}
			take(pl, r, i, p);
		}
		goto out;
	}
	if (rp->p == P_SAME_CORE) {
		int nref = pl->req[rp->ref].nthreads;

		for (int i = 0; i < q->nthreads; i++) {
			hwloc_obj_t ref = pu(pl, pl->cpus[rp->ref][i % nref]);
			hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(pl->t, HWLOC_OBJ_CORE, ref);
			int p;

			n = 0;
			/* the SMT siblings first; the same PU only on a core without them */
			for (int k = 0; core && k < pl->npu; k++)
				if (k != (int)ref->logical_index &&
				    hwloc_bitmap_isset(core->cpuset, pu(pl, k)->os_index))
					c[n++] = k;
			if (!n)
				c[n++] = (int)ref->logical_index;
			p = pick(pl, r, c, n);
			if (p < 0) {
				rc = fail(pl, r, "the core of CPU %u (thread %d of '%s') has %s", ref->os_index,
					  i % nref, pl->req[rp->ref].role,
					  n == 1 && c[0] == (int)ref->logical_index
						  ? "no SMT sibling, so a thread there shares its PU"
						  : "no sibling PU left for this role");
				goto out;
			}
			take(pl, r, i, p);
		}
		goto out;
	}
	n = candidates(pl, r, c);
	if (n < 0) {
		rc = -1;
		goto out;
	}
	if (q->exclusive) {
		int free_pus = 0;

		for (int i = 0; i < n; i++)
			if (!pl->use[c[i]] && !pl->owner[c[i]])
				free_pus++;
		if (free_pus < q->nthreads) {
			rc = fail(pl, r, "%d threads need %d PUs to themselves, this policy offers %d free (this machine has %d PUs, %d planned for other roles)",
				  q->nthreads, q->nthreads, free_pus, pl->npu, held_by_others(pl, r));
			goto out;
		}
	}
	for (int i = 0; i < q->nthreads; i++) {
		int p = pick(pl, r, c, n);

		if (p < 0) {
			rc = fail(pl, r, "every PU it offers is held exclusively by other roles (this machine has %d PUs)",
				  pl->npu);
			goto out;
		}
		take(pl, r, i, p);
	}
out:
	free(c);
	rp->done = true;
	return rc;
}

/* Roles are planned after the roles they refer to; among the roles ready to
 * plan, exclusive ones go first so that they get their PUs to themselves. */
static int next_role(struct planner *pl)
{
	int best = -1;

	/* linear in the usual cases (100k roles must not plan for minutes):
	 * the planned prefix is skipped, and with no exclusive role left the
	 * first ready role is the answer */
	while (pl->first_undone < pl->n && pl->rp[pl->first_undone].done)
		pl->first_undone++;
	for (size_t r = pl->first_undone; r < pl->n; r++) {
		const struct role_plan *rp = &pl->rp[r];

		if (rp->done || (rp->ref >= 0 && !pl->rp[rp->ref].done))
			continue;
		if (best < 0 || (pl->req[r].exclusive && !pl->req[best].exclusive))
			best = (int)r;
		if (pl->req[best].exclusive || !pl->excl_left)
			break;
	}
	if (best >= 0 && pl->req[best].exclusive)
		pl->excl_left--;
	return best;
}

int pt_place_plan(hwloc_topology_t t, const struct pt_place_req *req, size_t n, int ***out,
		  char *err, size_t errlen)
{
	struct planner pl = { .t = t, .req = req, .n = n, .err = err, .errlen = errlen };
	int rc = 0;

	pl.npu = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
	pl.rp = pt_xcalloc(n ? n : 1, sizeof(*pl.rp));
	pl.use = pt_xcalloc((size_t)pl.npu, sizeof(int));
	pl.owner = pt_xcalloc((size_t)pl.npu, sizeof(int));
	pl.cpus = pt_xcalloc(n ? n : 1, sizeof(*pl.cpus));
	for (size_t r = 0; r < n && !rc; r++) {
		pl.cpus[r] = pt_xcalloc((size_t)(req[r].nthreads > 0 ? req[r].nthreads : 1), sizeof(int));
		rc = parse_one(&pl, r);
		pl.excl_left += req[r].exclusive;
	}
	for (size_t done = 0; done < n && !rc; done++) {
		int r = next_role(&pl);

		if (r < 0) {
			char names[512];
			size_t off = 0;

			for (size_t i = 0; i < n && off < sizeof(names); i++)
				if (!pl.rp[i].done)
					off += (size_t)snprintf(names + off, sizeof(names) - off, "%s%s",
								off ? ", " : "", req[i].role);
			snprintf(err, errlen, "cpus: the roles %s refer to each other in a cycle", names);
			rc = -1;
			break;
		}
		rc = plan_role(&pl, (size_t)r);
	}
	/* logical -> OS indexes */
	for (size_t r = 0; r < n && !rc; r++)
		for (int i = 0; i < req[r].nthreads; i++)
			if (pl.cpus[r][i] >= 0)
				pl.cpus[r][i] = (int)pu(&pl, pl.cpus[r][i])->os_index;
	for (size_t r = 0; r < n; r++)
		free(pl.rp[r].list);
	free(pl.rp);
	free(pl.use);
	free(pl.owner);
	if (rc) {
		pt_place_free(pl.cpus, n);
		return -1;
	}
	*out = pl.cpus;
	return 0;
}

void pt_place_free(int **cpus, size_t n)
{
	if (!cpus)
		return;
	for (size_t r = 0; r < n; r++)
		free(cpus[r]);
	free(cpus);
}
