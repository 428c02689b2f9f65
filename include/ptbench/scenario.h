/* A parsed scenario: the [scenario] section and one role per [worker NAME]. */
#ifndef PTBENCH_SCENARIO_H
#define PTBENCH_SCENARIO_H

#include "ptbench/options.h"

struct pt_worker_type;

/* The [scenario] keys, typed: pt_scenario_opt_defs fills it with the _F
 * macros of options.h, as a worker's table fills its options struct. */
struct pt_scenario_keys {
	const char *name, *description, *change, *headline;
	long long duration, warmup, timeline_interval; /* ns */
	long long repeat;
	long long numa_nodes;                           /* the machine must have at least this many */
	int thp_enabled, thp_defrag, thp_shmem_enabled; /* index into pt_thp_*_choices */
	int lock_probe;                                 /* enum pt_lock_probe */
	bool ptlife, tail_probe;
	long long tail_threshold;                       /* ns */
};

/* The keys every [worker NAME] has beside its type's own, typed the same way
 * (pt_role_opt_defs). threads stays text: a count, 'rest', 'max' or a sweep
 * list, which the plan and the sweep read. */
struct pt_role_keys {
	const char *type, *threads, *cpus, *membind, *process;
	bool exclusive;
};

struct pt_role {
	char *name;                          /* NAME of [worker NAME] */
	int line;                            /* line of the section header */
	const struct pt_worker_type *type;
	struct pt_opts common;               /* type, threads, cpus ... (pt_role_opt_defs) */
	struct pt_opts opts;                 /* the worker type's own table */
};

struct pt_scenario {
	char *path;                          /* the file it came from */
	struct pt_opts opts;                 /* [scenario] keys (pt_scenario_opt_defs) */
	struct pt_role *roles;
	size_t nroles;
};

extern const struct pt_opt_def pt_scenario_opt_defs[];
extern const struct pt_opt_def pt_role_opt_defs[];
/* The values of thp_enabled, thp_defrag and thp_shmem_enabled, in table
 * order ("keep" first): what the plan pushes to sysfs. */
extern const char *const pt_thp_enabled_choices[], *const pt_thp_defrag_choices[],
	*const pt_thp_shmem_choices[];

/* The keys as typed structs (strings point into the scenario, which must
 * outlive k): no key is read by its name outside the plan. */
void pt_scenario_keys(const struct pt_scenario *s, struct pt_scenario_keys *k);
void pt_role_keys(const struct pt_role *r, struct pt_role_keys *k);

/* Parse a file. On failure prints "file:line: message" to stderr and returns
 * NULL; every error is a usage error (exit 2). */
struct pt_scenario *pt_scenario_load(const char *path);
/* Parse from memory (the tests use it); name stands in for the file name. */
struct pt_scenario *pt_scenario_parse(const char *name, const char *text);
/* Apply "role.key=value" (or "scenario.key=value"); prints why on failure. */
int pt_scenario_apply_set(struct pt_scenario *s, const char *assignment);
void pt_scenario_free(struct pt_scenario *s);
struct pt_role *pt_scenario_role(struct pt_scenario *s, const char *name);

/* Find scenarios/NAME.ini next to the binary, under the install prefix, or
 * take NAME as a path. Returns a malloc'd path or NULL. */
char *pt_scenario_resolve(const char *name_or_path);
/* The directory scenario names are looked up in (for `list`). */
const char *pt_scenario_dir(void);

#endif
