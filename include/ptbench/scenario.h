/* A parsed scenario: the [scenario] section and one role per [worker NAME]. */
#ifndef PTBENCH_SCENARIO_H
#define PTBENCH_SCENARIO_H

#include "ptbench/options.h"

struct pt_worker_type;

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
