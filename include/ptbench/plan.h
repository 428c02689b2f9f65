/* The plan: what a run will do, built once from the parsed scenario, the
 * command line's --set/--duration/... (already applied to the scenario) and
 * the sweep point. Every check happens while it is built, and every message
 * names file:line and the key; nothing downstream (runner, probes,
 * placement, membind, sweep) reads the scenario's strings again. */
#ifndef PTBENCH_PLAN_H
#define PTBENCH_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ptbench/lock_probe.h"
#include "ptbench/membind.h"

struct pt_scenario;
struct pt_worker_type;
struct pt_opts;

struct pt_plan_role {
	const char *name;                    /* [worker NAME] */
	int line;                            /* its section header */
	const struct pt_worker_type *type;
	int threads;                         /* resolved: 'rest', 'max', the sweep point */
	int *cpus;                           /* planned PU per thread, -1 unbound */
	const char *cpus_spec;               /* the placement as written (for the result) */
	bool exclusive;
	struct pt_membind membind;
	void *opts;                          /* the worker's typed options struct (type->opts_size) */
	const struct pt_opts *raw;           /* the same options as parsed (strings, lines) */
	const char *process;                 /* process = NAME: runs in that child; "" in ptbench itself */
};

/* A process = NAME is shorter than this (the role process keeps it). */
#define PT_PLAN_PROCESS_NAME_MAX 64

/* A THP setting of [scenario] (thp_enabled, thp_defrag, thp_shmem_enabled):
 * value is "keep" or what the file is to hold. push: it differs from what
 * the machine has now, so the run writes it. Decided once, while the plan
 * is built (a change without root is a skip there, exit 4): --dry-run and
 * the run take the same decision from the same code. */
struct pt_plan_thp {
	const char *key, *file, *value;
	bool push;
};
#define PT_PLAN_NTHP 3

struct pt_plan {
	const char *path;                    /* scenario file */
	const char *name;
	uint64_t duration_ns, warmup_ns, tl_interval_ns;
	int repeat;
	struct pt_plan_thp thp[PT_PLAN_NTHP];
	/* the probes */
	bool trace;                          /* false under --no-trace: tracing probes stay off */
	enum pt_lock_probe lock_probe;       /* --lock-probe over [scenario] lock_probe */
	char lock_probe_from[96];            /* where that choice came from; "" for the default */
	bool ptlife;                         /* ptlife = true: the page-table lifetime probe runs */
	bool tail;                           /* the tail probe was asked for */
	uint64_t tail_threshold_ns;          /* and keeps ops slower than this */
	struct pt_plan_role *roles;
	size_t nroles;
	uint64_t mem_bytes;                  /* what the roles will map, as far as they say */
};

/* A sweep point: role index and its thread count (or role = (size_t)-1). */
struct pt_plan_point {
	size_t role;
	int threads;
};
#define PT_PLAN_NO_POINT ((struct pt_plan_point){ (size_t)-1, 0 })

/* What `ptbench run`'s command line decides beside the scenario's keys
 * (--set, --duration and the like are applied to the scenario before). */
struct pt_plan_flags {
	const char *lock_probe;              /* --lock-probe NAME, or NULL */
	bool no_trace;                       /* --no-trace */
};

/* Build the plan; the scenario must outlive it (strings point into it).
 * flags may be NULL (no --lock-probe, tracing on). Returns 0 with *out
 * set, or an exit code (PT_EXIT_USAGE, PT_EXIT_SKIP) after printing why. */
int pt_plan_build(const struct pt_scenario *sc, struct pt_plan_point point, const struct pt_plan_flags *flags,
		  struct pt_plan **out);
void pt_plan_free(struct pt_plan *p);
/* The role named name, or NULL. */
const struct pt_plan_role *pt_plan_role(const struct pt_plan *p, const char *name);

/* The roles' thread counts as written, without planning them on this
 * machine (vm checks a guest's run arguments on the host): 0 or -1 after
 * printing why. */
int pt_plan_check_threads(const struct pt_scenario *sc);

/* Parse a thread count as written: a decimal 0..4096 only (no 0x2, no 010
 * read as octal). Returns 0 or -1. Exposed for the tests. */
int pt_plan_parse_threads(const char *text, int *out);

#endif
