/* The plan: the parsed scenario turned into what the run does, checked once.
 * Thread counts, CPU placement, memory policy, the workers' typed options,
 * each worker's own check, and the limits of this machine (memory) are all
 * settled here, with file:line and the key in every message. */
#define _GNU_SOURCE
#include <ctype.h>
#include <limits.h>
#include <numa.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptbench/cgroup_mem.h"
#include "ptbench/exitcodes.h"
#include "ptbench/options.h"
#include "ptbench/plan.h"
#include "ptbench/scenario.h"
#include "ptbench/sweep.h"
#include "ptbench/sysfs_settings.h"
#include "ptbench/target.h"
#include "ptbench/topo.h"
#include "ptbench/topo_plan.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"

#define PT_MAX_THREADS 4096

/* "FILE:LINE: [worker R]: msg", or "FILE: ..." when the key came from the
 * command line or a default (line 0). */
static void role_err(const struct pt_scenario *sc, int line, const char *role, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void role_err(const struct pt_scenario *sc, int line, const char *role, const char *fmt, ...)
{
	va_list ap;

	if (line > 0)
		fprintf(stderr, "%s:%d: ", sc->path, line);
	else
		fprintf(stderr, "%s: ", sc->path);
	if (role)
		fprintf(stderr, "[worker %s]: ", role);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int pt_plan_parse_threads(const char *text, int *out)
{
	long v = 0;

	/* "010" would be 8 to strtol(…, 0) and 10 to atoi: refuse the ambiguity */
	if (!*text || strlen(text) > 4 || (text[0] == '0' && text[1]))
		return -1;
	for (const char *p = text; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (v > PT_MAX_THREADS)
		return -1;
	*out = (int)v;
	return 0;
}

/* Threads as written; -1 for 'rest'. */
static int role_threads(const struct pt_scenario *sc, const struct pt_role *r, struct pt_plan_point point,
			size_t idx, int *n)
{
	struct pt_role_keys k;
	const char *t;
	int line = pt_opt_line(&r->common, "threads");

	pt_role_keys(r, &k);
	t = k.threads;

	if (point.role == idx) {
		*n = point.threads;
		return 0;
	}
	if (!pt_opt_is_set(&r->common, "threads") && !*t) {
		*n = r->type->setup_only ? 0 : 1;
		return 0;
	}
	if (!strcmp(t, "rest") || !strcmp(t, "max")) {
		if (r->type->setup_only) {
			role_err(sc, line, r->name, "type %s runs no threads; 'threads = %s' makes no sense",
				 r->type->name, t);
			return -1;
		}
		*n = !strcmp(t, "rest") ? -1 : pt_topo_npus();
		return 0;
	}
	if (pt_sweep_is_list(t)) {
		/* a list that is not this point's: pt_sweep_setup took it apart already */
		role_err(sc, line, r->name, "threads = %s: %s", t,
			 r->type->setup_only ? "this type runs no threads" : "a sweep list, but this role is not swept");
		return -1;
	}
	if (pt_plan_parse_threads(t, n)) {
		role_err(sc, line, r->name,
			 "threads = %s: expected a number 0..%d, 'rest', 'max' or a sweep like 1,2,4,...,max", t,
			 PT_MAX_THREADS);
		return -1;
	}
	if (r->type->setup_only && *n) {
		role_err(sc, line, r->name, "type %s runs no threads (it only sets up); remove 'threads'",
			 r->type->name);
		return -1;
	}
	return 0;
}

/* 'rest' takes the PUs nobody else asked for; on a full machine it still
 * runs one thread: contention is the point. */
static void resolve_rest(struct pt_plan *p)
{
	int taken = 0, nrest = 0, npus = pt_topo_npus();

	for (size_t r = 0; r < p->nroles; r++) {
		if (p->roles[r].threads < 0)
			nrest++;
		else
			taken += p->roles[r].threads;
	}
	for (size_t r = 0; r < p->nroles; r++) {
		if (p->roles[r].threads >= 0)
			continue;
		p->roles[r].threads = (npus - taken) / nrest;
		if (p->roles[r].threads < 1)
			p->roles[r].threads = 1;
	}
}

/* 0, PT_EXIT_USAGE (a role cannot be placed: message at its cpus key) or
 * PT_EXIT_RUNTIME (hwloc cannot read the machine). */
static int place(const struct pt_scenario *sc, struct pt_plan *p)
{
	hwloc_topology_t topo = pt_topo_try();
	struct pt_place_req *req;
	int **cpus = NULL, rc;
	char err[1024];

	if (!topo) {
		fprintf(stderr, "ptbench run: hwloc cannot read this machine's topology\n");
		return PT_EXIT_RUNTIME;
	}
	req = pt_xcalloc(p->nroles ? p->nroles : 1, sizeof(*req));

	for (size_t r = 0; r < p->nroles; r++) {
		req[r].role = p->roles[r].name;
		req[r].cpus = p->roles[r].cpus_spec;
		req[r].exclusive = p->roles[r].exclusive;
		req[r].nthreads = p->roles[r].threads;
	}
	rc = pt_place_plan(topo, req, p->nroles, &cpus, err, sizeof(err));
	free(req);
	if (rc) {
		/* the planner names the role it could not place: point at its cpus key */
		int line = 0;

		for (size_t r = 0; r < sc->nroles; r++) {
			char tag[160];

			snprintf(tag, sizeof(tag), "[worker %s]", sc->roles[r].name);
			if (!strncmp(err, tag, strlen(tag)))
				line = pt_opt_line(&sc->roles[r].common, "cpus");
		}
		role_err(sc, line, NULL, "%s", err);
		return PT_EXIT_USAGE;
	}
	for (size_t r = 0; r < p->nroles; r++)
		p->roles[r].cpus = cpus[r];
	free(cpus); /* the rows now belong to the roles */
	return 0;
}

/* A scenario about NUMA (numa_nodes = 2) cannot mean anything on fewer
 * nodes: that is the machine, not the file, so it skips (exit 4) and says how
 * to get the nodes, before the node:N policies would refuse it as bad input. */
static int check_numa_nodes(const struct pt_scenario_keys *k)
{
	hwloc_topology_t t = pt_topo_try();
	int nn = t ? hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE) : 1;

	if (nn < 1)
		nn = 1;
	if (k->numa_nodes <= nn)
		return 0;
	fprintf(stderr, "ptbench run: skipped: numa_nodes = %lld: the scenario needs %lld NUMA nodes, this machine has %d "
		"(a guest with them: ptbench vm --topology %llds2c1t,nodes=%lld)\n",
		k->numa_nodes, k->numa_nodes, nn, k->numa_nodes, k->numa_nodes);
	return PT_EXIT_SKIP;
}

static int bind_memory(const struct pt_scenario *sc, struct pt_plan_role *pr, const struct pt_role *r,
		       const char *text)
{
	char err[512];

	/* place() ran first: the topology is read */
	if (pt_membind_parse(pt_topo_try(), text, &pr->membind, err, sizeof(err))) {
		role_err(sc, pt_opt_line(&r->common, "membind"), r->name, "membind = %s: %s", text, err);
		return PT_EXIT_USAGE;
	}
	if (pr->membind.kind != PT_MEMBIND_LOCAL && numa_available() < 0) {
		fprintf(stderr, "ptbench run: skipped: [worker %s]: membind = %s needs NUMA policy support (CONFIG_NUMA), which this kernel lacks\n",
			r->name, text);
		return PT_EXIT_SKIP;
	}
	return 0;
}

static int check_worker(const struct pt_scenario *sc, const struct pt_plan_role *pr, const struct pt_role *r)
{
	const char *bad_key = NULL;
	char why[512] = "";
	enum pt_check c;

	if (!pr->type->check)
		return 0;
	c = pr->type->check(pr->type, pr->opts, &bad_key, why, sizeof(why));
	if (c == PT_CHECK_SKIP) {
		fprintf(stderr, "ptbench run: skipped: [worker %s] (type %s): %s\n", r->name, r->type->name, why);
		return PT_EXIT_SKIP;
	}
	if (c == PT_CHECK_ERROR) {
		int line = bad_key ? pt_opt_line(&r->opts, bad_key) : 0;

		role_err(sc, line ? line : r->line, r->name, "%s", why);
		return PT_EXIT_USAGE;
	}
	return 0;
}

#define PT_PLAN_SELF_BYTES (32ull << 20)

/* MemAvailable, or less where this process's memory cgroup leaves less
 * (a limit there ends the run with the OOM killer, not a refusal); where
 * says which, for the messages. */
static uint64_t mem_available(char *where, size_t wlen)
{
	char *mi = pt_read_file("/proc/meminfo", NULL), *cg = pt_read_file("/proc/self/cgroup", NULL), *p;
	unsigned long long kb = 0;
	char what[PATH_MAX + 128];
	uint64_t avail, room;

	if (mi && (p = strstr(mi, "MemAvailable:")))
		sscanf(p + 13, "%llu", &kb);
	free(mi);
	avail = (uint64_t)kb * 1024;
	room = cg ? pt_cgroup_mem_room(cg, NULL, NULL, what, sizeof(what)) : UINT64_MAX;
	free(cg);
	snprintf(where, wlen, "this machine has available");
	if (room < avail || (!avail && room != UINT64_MAX)) {
		snprintf(where, wlen, "%s leaves available", what);
		return room ? room : 1;
	}
	return avail;
}

/* What the roles map and what the timeline keeps, against the memory this
 * machine has now: a run that the OOM killer would end is refused up front. */
static int check_memory(const struct pt_scenario *sc, struct pt_plan *p)
{
	char a[32], b[32], c[32], where[PATH_MAX + 160];
	uint64_t avail = mem_available(where, sizeof(where)), tl = 0;

	if (!avail)
		return 0; /* no /proc/meminfo: nothing to check against */
	for (size_t r = 0; r < p->nroles; r++) {
		const struct pt_plan_role *pr = &p->roles[r];
		uint64_t nops = 0, slots;

		if (pr->type->mem_bytes) {
			uint64_t m = pr->type->mem_bytes(pr->opts, pr->threads);

			if (m > avail) {
				role_err(sc, pt_opt_line(pr->raw, "size"), pr->name,
					 "maps %s with %d thread(s), more than the %s %s",
					 pt_fmt_bytes(m, a, sizeof(a)), pr->threads, pt_fmt_bytes(avail, b, sizeof(b)),
					 where);
				return PT_EXIT_USAGE;
			}
			p->mem_bytes += m;
		}
		while (pr->type->ops && pr->type->ops[nops])
			nops++;
		slots = (p->warmup_ns + p->duration_ns) / p->tl_interval_ns + 2;
		tl += slots * nops * (uint64_t)pr->threads * 3 * sizeof(uint64_t);
	}
	/* ptbench's own use on top of what it has now (vmlinux BTF parsed for
	 * the probes, histograms, thread stacks): 30-42 MiB peak RSS beyond the
	 * roles' maps for `default` on the build machine, about 10 of them
	 * already counted when the plan runs. Without it a 64 MiB cgroup let
	 * `default` (33 MiB mapped) start and end in the OOM killer. */
	if (p->mem_bytes + PT_PLAN_SELF_BYTES > avail) {
		role_err(sc, 0, NULL, "the roles together map %s and ptbench needs about %s besides, more than the %s %s",
			 pt_fmt_bytes(p->mem_bytes, a, sizeof(a)), pt_fmt_bytes(PT_PLAN_SELF_BYTES, c, sizeof(c)),
			 pt_fmt_bytes(avail, b, sizeof(b)), where);
		return PT_EXIT_USAGE;
	}
	if (tl > avail / 4) {
		role_err(sc, pt_opt_line(&sc->opts, "timeline_interval"), NULL,
			 "the timeline would take %s (duration / timeline_interval slots per op and thread), more than a quarter of the %s %s: raise timeline_interval or shorten the run",
			 pt_fmt_bytes(tl, a, sizeof(a)), pt_fmt_bytes(avail, b, sizeof(b)), where);
		return PT_EXIT_USAGE;
	}
	return 0;
}

#define THP_DIR "/sys/kernel/mm/transparent_hugepage/"

/* The THP settings to push: a value other than "keep" that the file does
 * not hold already (the bracketed choice). Writing one needs root: without
 * it the run is skipped (exit 4) here, for --dry-run and the run alike. */
static int plan_thp(const struct pt_scenario_keys *k, struct pt_plan *p)
{
	const struct {
		const char *key, *file, *value;
	} keys[PT_PLAN_NTHP] = {
		{ "thp_enabled", THP_DIR "enabled", pt_thp_enabled_choices[k->thp_enabled] },
		{ "thp_defrag", THP_DIR "defrag", pt_thp_defrag_choices[k->thp_defrag] },
		{ "thp_shmem_enabled", THP_DIR "shmem_enabled", pt_thp_shmem_choices[k->thp_shmem_enabled] },
	};

	for (size_t i = 0; i < PT_PLAN_NTHP; i++) {
		struct pt_plan_thp *t = &p->thp[i];
		char now[128];

		t->key = keys[i].key;
		t->file = keys[i].file;
		t->value = keys[i].value;
		t->push = strcmp(t->value, "keep") &&
			  (pt_read_line(t->file, now, sizeof(now), 1) || strcmp(now, t->value));
		if (t->push && geteuid() != 0) {
			fprintf(stderr, "ptbench run: skipped: %s = %s needs root to write %s\n", t->key, t->value,
				t->file);
			return PT_EXIT_SKIP;
		}
	}
	return 0;
}

int pt_plan_check_threads(const struct pt_scenario *sc)
{
	for (size_t i = 0; i < sc->nroles; i++) {
		struct pt_role_keys k;
		const char *t;
		int n;

		pt_role_keys(&sc->roles[i], &k);
		t = k.threads;

		/* a sweep list is the sweep's to check (pt_sweep_setup) */
		if (pt_sweep_is_list(t) && strcmp(t, "max"))
			continue;
		if (role_threads(sc, &sc->roles[i], PT_PLAN_NO_POINT, i, &n))
			return -1;
	}
	return 0;
}

/* file:line: [worker NAME]: why (line 0: the section's line) */
static int verr(const struct pt_plan *plan, const struct pt_plan_role *pr, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int verr(const struct pt_plan *plan, const struct pt_plan_role *pr, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: [worker %s]: ", plan->path, line ? line : pr->line, pr->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return PT_EXIT_USAGE;
}

/* vma_of = ROLE (fault): ROLE must lend a range (spare > 0) to roles of its
 * own process; the lending table (bench/role_region.c) is per process */
static int vma_of_validate(const struct pt_plan *plan, const struct pt_plan_role *pr)
{
	const char *of, *spare;
	int line;

	if (pt_opts_find(pr->raw, "vma_of") < 0 || !*(of = pt_opt_str(pr->raw, "vma_of")))
		return PT_EXIT_OK;
	line = pt_opt_line(pr->raw, "vma_of");
	for (size_t o = 0; o < plan->nroles; o++) {
		const struct pt_plan_role *lr = &plan->roles[o];

		if (strcmp(lr->name, of))
			continue;
		if (strcmp(lr->process ? lr->process : "", pr->process ? pr->process : ""))
			return verr(plan, pr, line, "vma_of = %s: role %s runs in another process", of, of);
		spare = pt_opts_find(lr->raw, "spare") < 0 ? "0" : pt_opt_str(lr->raw, "spare");
		if (!strcmp(spare, "0"))
			return verr(plan, pr, line, "vma_of = %s: role %s lends nothing (an mprotect-churn role with spare > 0)",
				    of, of);
		return PT_EXIT_OK;
	}
	return verr(plan, pr, line, "vma_of = %s: no role %s in this scenario", of, of);
}

/* Process names, and every target = process:NAME names a process some role
 * has; vma_of = ROLE lends within one process. */
static int check_processes(const struct pt_scenario *sc, const struct pt_plan *plan)
{
	for (size_t r = 0; r < plan->nroles; r++) {
		const struct pt_plan_role *pr = &plan->roles[r];
		const char *name = pr->process ? pr->process : "", *target, *want;
		int line = pt_opt_line(&sc->roles[r].common, "process");
		bool found = false;

		for (const char *c = name; *c; c++)
			if (!(isalnum((unsigned char)*c) || *c == '-' || *c == '_'))
				return verr(plan, pr, line, "process = %s: use letters, digits, - and _", name);
		if (strlen(name) >= PT_PLAN_PROCESS_NAME_MAX)
			return verr(plan, pr, line, "process = %s: the name is too long", name);
		if (vma_of_validate(plan, pr))
			return PT_EXIT_USAGE;
		if (pt_opts_find(pr->raw, "target") < 0)
			continue;
		target = pt_opt_str(pr->raw, "target");
		if (strncmp(target, PT_TARGET_PROCESS_PREFIX, strlen(PT_TARGET_PROCESS_PREFIX)))
			continue;
		want = target + strlen(PT_TARGET_PROCESS_PREFIX);
		line = pt_opt_line(pr->raw, "target");
		for (size_t o = 0; o < plan->nroles; o++)
			found |= plan->roles[o].process && !strcmp(plan->roles[o].process, want);
		if (!found)
			return verr(plan, pr, line, "target = %s: no role has process = %s", target, want);
		if (!strcmp(name, want))
			return verr(plan, pr, line, "target = %s is the role's own process: use target = self", target);
	}
	return PT_EXIT_OK;
}

/* The mmap_lock probe's backend: --lock-probe over the scenario's
 * lock_probe over auto; the result says which decided (lock_probe_from). */
static void choose_lock_probe(const struct pt_scenario *sc, const struct pt_scenario_keys *k, const char *arg,
			      struct pt_plan *p)
{
	enum pt_lock_probe c;

	p->lock_probe = PT_LOCK_PROBE_AUTO;
	p->lock_probe_from[0] = '\0';
	if (arg && !pt_lock_probe_parse(arg, &c)) {
		p->lock_probe = c;
		snprintf(p->lock_probe_from, sizeof(p->lock_probe_from), "--lock-probe %s", arg);
	} else if (pt_opt_is_set(&sc->opts, "lock_probe")) {
		p->lock_probe = (enum pt_lock_probe)k->lock_probe;
		snprintf(p->lock_probe_from, sizeof(p->lock_probe_from), "lock_probe = %s in [scenario]",
			 pt_lock_probe_names[k->lock_probe]);
	}
}

int pt_plan_build(const struct pt_scenario *sc, struct pt_plan_point point, const struct pt_plan_flags *flags,
		  struct pt_plan **out)
{
	struct pt_plan *p = pt_xcalloc(1, sizeof(*p));
	struct pt_scenario_keys k;
	int rc = PT_EXIT_USAGE;

	*out = NULL;
	pt_scenario_keys(sc, &k);
	p->path = sc->path;
	p->name = k.name;
	p->duration_ns = (uint64_t)k.duration;
	p->warmup_ns = (uint64_t)k.warmup;
	p->tl_interval_ns = (uint64_t)k.timeline_interval;
	p->repeat = (int)k.repeat;
	p->trace = !(flags && flags->no_trace);
	choose_lock_probe(sc, &k, flags ? flags->lock_probe : NULL, p);
	p->ptlife = k.ptlife;
	p->tail = k.tail_probe;
	p->tail_threshold_ns = (uint64_t)k.tail_threshold;
	p->nroles = sc->nroles;
	p->roles = pt_xcalloc(sc->nroles ? sc->nroles : 1, sizeof(*p->roles));
	for (size_t i = 0; i < sc->nroles; i++) {
		const struct pt_role *r = &sc->roles[i];
		struct pt_plan_role *pr = &p->roles[i];
		struct pt_role_keys rk;

		pt_role_keys(r, &rk);
		pr->name = r->name;
		pr->line = r->line;
		pr->type = r->type;
		pr->raw = &r->opts;
		pr->cpus_spec = rk.cpus;
		pr->exclusive = rk.exclusive;
		pr->process = rk.process;
		if (role_threads(sc, r, point, i, &pr->threads))
			goto fail;
		pr->opts = pt_xcalloc(1, r->type->opts_size ? r->type->opts_size : 1);
		pt_opts_fill(&r->opts, pr->opts);
	}
	resolve_rest(p);
	{
		size_t busy = 0;

		for (size_t i = 0; i < p->nroles; i++)
			busy += p->roles[i].threads > 0;
		if (!busy) {
			/* a result of nothing would read as a pass */
			role_err(sc, 0, NULL, "nothing to measure: every role runs 0 threads");
			goto fail;
		}
	}
	rc = check_numa_nodes(&k);
	if (rc)
		goto fail;
	rc = place(sc, p);
	if (rc)
		goto fail;
	for (size_t i = 0; i < sc->nroles; i++) {
		struct pt_role_keys rk;

		pt_role_keys(&sc->roles[i], &rk);
		rc = bind_memory(sc, &p->roles[i], &sc->roles[i], rk.membind);
		if (rc)
			goto fail;
	}
	rc = check_memory(sc, p);
	if (rc)
		goto fail;
	rc = plan_thp(&k, p);
	if (rc)
		goto fail;
	rc = check_processes(sc, p);
	if (rc)
		goto fail;
	for (size_t i = 0; i < sc->nroles; i++) {
		rc = check_worker(sc, &p->roles[i], &sc->roles[i]);
		if (rc)
			goto fail;
	}
	*out = p;
	return 0;
fail:
	pt_plan_free(p);
	return rc ? rc : PT_EXIT_USAGE;
}

void pt_plan_free(struct pt_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nroles; i++) {
		free(p->roles[i].cpus);
		free(p->roles[i].opts);
	}
	free(p->roles);
	free(p);
}

const struct pt_plan_role *pt_plan_role(const struct pt_plan *p, const char *name)
{
	for (size_t i = 0; i < p->nroles; i++)
		if (!strcmp(p->roles[i].name, name))
			return &p->roles[i];
	return NULL;
}
