/* Scenario files: INI with a [scenario] section and one [worker NAME] section
 * per role. Every error names file:line and the offending key or value. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptbench/lock_probe.h"
#include "ptbench/safe_name.h"
#include "ptbench/scenario.h"
#include "ptbench/strmap.h"
#include "ptbench/utf8.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"

#ifndef PTBENCH_DATADIR
#define PTBENCH_DATADIR "/usr/local/share/ptbench"
#endif

const char *const pt_thp_enabled_choices[] = { "keep", "always", "madvise", "never", NULL };
const char *const pt_thp_defrag_choices[] = { "keep", "always", "defer", "defer+madvise", "madvise", "never", NULL };
const char *const pt_thp_shmem_choices[] = { "keep", "always", "within_size", "advise",
					     "never", "deny", "force", NULL };

#define SK struct pt_scenario_keys
const struct pt_opt_def pt_scenario_opt_defs[] = {
	PT_OPT_STRING_F("name", SK, name, "", "scenario name (defaults to the file name)"),
	PT_OPT_STRING_F("description", SK, description, "", "one line for `ptbench list`"),
	PT_OPT_STRING_F("change", SK, change, "",
			"the kernel change the scenario exposes (shown by `ptbench list`)"),
	PT_OPT_DURATION_F("duration", SK, duration, "10s", 1000000LL, 86400000000000LL,
			  "measured time per repeat"),
	PT_OPT_DURATION_F("warmup", SK, warmup, "1s", 0, 3600000000000LL,
			  "time per repeat before measuring starts (samples discarded)"),
	PT_OPT_INT_F("repeat", SK, repeat, "5", 1, 10000, "repeats; compare needs >= 3"),
	PT_OPT_INT_F("numa_nodes", SK, numa_nodes, "1", 1, 4096,
		     "NUMA nodes the scenario needs: a machine with fewer skips it (exit 4)"),
	PT_OPT_DURATION_F("timeline_interval", SK, timeline_interval, "100ms", 1000000LL, 60000000000LL,
			  "width of one timeline slot"),
	PT_OPT_ENUM_F("thp_enabled", SK, thp_enabled, "keep", pt_thp_enabled_choices,
		      "push /sys/kernel/mm/transparent_hugepage/enabled for the run (root)"),
	PT_OPT_ENUM_F("thp_defrag", SK, thp_defrag, "keep", pt_thp_defrag_choices,
		      "push transparent_hugepage/defrag for the run (root)"),
	PT_OPT_ENUM_F("thp_shmem_enabled", SK, thp_shmem_enabled, "keep", pt_thp_shmem_choices,
		      "push transparent_hugepage/shmem_enabled for the run (root)"),
	PT_OPT_ENUM_F("lock_probe", SK, lock_probe, "auto", pt_lock_probe_names,
		      "mmap_lock probe backend: auto (bpf, else tracefs), bpf, tracefs or off (--lock-probe overrides)"),
	PT_OPT_BOOL_F("ptlife", SK, ptlife, "false",
		      "the page-table lifetime probe (BPF; costs a program on every PTE table mapping): true turns it on"),
	PT_OPT_BOOL_F("tail_probe", SK, tail_probe, "false",
		      "the tail probe: kernel stacks where ops slower than tail_threshold went off CPU (BPF; --tail-threshold and --folded turn it on)"),
	PT_OPT_DURATION_F("tail_threshold", SK, tail_threshold, "100us", 0, 3600000000000LL,
			  "the tail probe keeps the off-CPU stacks of ops slower than this (--tail-threshold overrides)"),
	PT_OPT_STRING_F("headline", SK, headline, "",
			"metrics the CI gate checks by default: ROLE.OP.METRIC, comma separated"),
	PT_OPT_END,
};
#undef SK

#define RK struct pt_role_keys
const struct pt_opt_def pt_role_opt_defs[] = {
	PT_OPT_STRING_F("type", RK, type, NULL, "worker type (see `ptbench list`)"),
	PT_OPT_STRING_F("threads", RK, threads, NULL,
			"number of threads, 'rest' (the PUs no other role asked for), 'max' (all PUs), or a sweep like 1,2,4,...,max"),
	PT_OPT_STRING_F("cpus", RK, cpus, "none",
			"placement: none, compact, scatter, same-core-as:ROLE, other-l3:ROLE, node:N, or a list like 0,2-3"),
	PT_OPT_BOOL_F("exclusive", RK, exclusive, "false",
		      "the role's threads get PUs no other thread is planned on (error if there are too few)"),
	PT_OPT_STRING_F("membind", RK, membind, "local",
			"memory placement: local, node:N or interleave (checked with move_pages)"),
	PT_OPT_STRING_F("process", RK, process, "",
			"run the role in a child process NAME (roles with the same NAME share it; readers target it as process:NAME)"),
	PT_OPT_END,
};
#undef RK

void pt_scenario_keys(const struct pt_scenario *s, struct pt_scenario_keys *k)
{
	pt_opts_fill(&s->opts, k);
}

void pt_role_keys(const struct pt_role *r, struct pt_role_keys *k)
{
	pt_opts_fill(&r->common, k);
}

struct entry {
	char *key, *value;
	int line;
};

struct section {
	char *kind;   /* "scenario" or "worker" */
	char *name;   /* worker name */
	int line;
	struct entry *e;
	size_t n, cap;
};

static void perr(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void perr(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (line > 0)
		fprintf(stderr, "%s:%d: ", file, line);
	else
		fprintf(stderr, "%s: ", file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static void free_sections(struct section *sec, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < sec[i].n; j++) {
			free(sec[i].e[j].key);
			free(sec[i].e[j].value);
		}
		free(sec[i].e);
		free(sec[i].kind);
		free(sec[i].name);
	}
	free(sec);
}

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
	return true;
}

/* Keys of the duplicate map: a, a NUL, then b, in *buf (grown as needed). */
static size_t map_key(char **buf, size_t *cap, const char *a, const char *b)
{
	size_t alen = strlen(a), blen = strlen(b);

	if (alen + blen + 2 > *cap) {
		*cap = alen + blen + 2;
		free(*buf);
		*buf = pt_xmalloc(*cap);
	}
	memcpy(*buf, a, alen + 1);
	memcpy(*buf + alen + 1, b, blen);
	return alen + 1 + blen;
}

/* Split the text into sections of key/value entries; syntax errors only. */
static int lex(const char *file, const char *text, struct section **out, size_t *nout)
{
	struct section *sec = NULL;
	size_t n = 0, cap = 0;
	char *copy = pt_xstrdup(text), *raw;
	int line = 0, rc = 0;
	/* "kind\0name" -> line and "section#\0key" -> line: linear duplicate
	 * checks, a file of 100k sections must not take minutes to reject */
	struct pt_strmap seen = { 0 };
	char *mkey = NULL;
	size_t mlen, mcap = 0;

	for (raw = copy; raw && !rc; line++) {
		char *nl = strchr(raw, '\n'), *s;

		if (nl)
			*nl = '\0';
		s = trim(raw);
		raw = nl ? nl + 1 : NULL;
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']'), *kind, *name;

			if (!close || trim(close + 1)[0]) {
				perr(file, line + 1, "malformed section header '%s' (expected [scenario] or [worker NAME])", s);
				rc = -1;
				break;
			}
			*close = '\0';
			kind = trim(s + 1);
			name = kind;
			while (*name && !isspace((unsigned char)*name))
				name++;
			if (*name)
				*name++ = '\0';
			name = trim(name);
			if (strcmp(kind, "scenario") && strcmp(kind, "worker")) {
				static const char *const kinds[] = { "scenario", "worker" };
				const char *hint = pt_suggest(kind, kinds, 2);

				perr(file, line + 1, "unknown section [%s]%s%s%s", kind,
				     hint ? " (did you mean [" : "", hint ? hint : "", hint ? "]?)" : "");
				rc = -1;
				break;
			}
			if (!strcmp(kind, "worker") && !valid_name(name)) {
				perr(file, line + 1, "[worker%s%s]: a worker section needs a name of letters, digits, '-' or '_'",
				     *name ? " " : "", name);
				rc = -1;
				break;
			}
			if (!strcmp(kind, "scenario") && *name) {
				perr(file, line + 1, "[scenario %s]: the scenario section takes no name", name);
				rc = -1;
				break;
			}
			mlen = map_key(&mkey, &mcap, kind, name);
			int first = pt_strmap_add(&seen, mkey, mlen, line + 1);

			if (first >= 0) {
				perr(file, line + 1, "section [%s%s%s] repeated (first at line %d)", kind,
				     *name ? " " : "", name, first);
				rc = -1;
				break;
			}
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				sec = pt_xrealloc(sec, cap * sizeof(*sec));
			}
			sec[n] = (struct section){ pt_xstrdup(kind), pt_xstrdup(name), line + 1, NULL, 0, 0 };
			n++;
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq) {
			perr(file, line + 1, "expected 'key = value', got '%s'", s);
			rc = -1;
			break;
		}
		if (!n) {
			perr(file, line + 1, "'%s' before any section (start with [scenario])", s);
			rc = -1;
			break;
		}
		*eq = '\0';
		char *key = trim(s), *val = trim(eq + 1);
		struct section *cur = &sec[n - 1];

		/* strip a trailing comment that is separated by whitespace */
		for (char *c = val; *c; c++) {
			if ((*c == '#' || *c == ';') && c > val && isspace((unsigned char)c[-1])) {
				*c = '\0';
				val = trim(val);
				break;
			}
		}
		if (!*key) {
			perr(file, line + 1, "missing key before '='");
			rc = -1;
			break;
		}
		char secno[24];
		int first;

		snprintf(secno, sizeof(secno), "#%zu", n - 1);
		mlen = map_key(&mkey, &mcap, secno, key);
		first = pt_strmap_add(&seen, mkey, mlen, line + 1);
		if (first >= 0) {
			perr(file, line + 1, "key '%s' repeated (first at line %d)", key, first);
			rc = -1;
			break;
		}
		if (cur->n == cur->cap) {
			cur->cap = cur->cap ? 2 * cur->cap : 8;
			cur->e = pt_xrealloc(cur->e, cur->cap * sizeof(*cur->e));
		}
		cur->e[cur->n++] = (struct entry){ pt_xstrdup(key), pt_xstrdup(val), line + 1 };
	}
	free(copy);
	pt_strmap_free(&seen);
	free(mkey);
	if (rc) {
		free_sections(sec, n);
		return -1;
	}
	*out = sec;
	*nout = n;
	return 0;
}

/* Apply key=value to the first table that has the key. */
static int apply(const char *file, int line, const char *where, struct pt_opts *a,
		 struct pt_opts *b, const char *key, const char *value)
{
	char err[512];
	struct pt_opts *o = a;
	int idx = pt_opts_find(a, key);

	if (idx < 0 && b) {
		o = b;
		idx = pt_opts_find(b, key);
	}
	if (idx < 0) {
		const char *hint = pt_suggest_key(key, a->defs);

		if (!hint && b)
			hint = pt_suggest_key(key, b->defs);
		perr(file, line, "unknown key '%s' in %s%s%s%s", key, where,
		     hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
		return -1;
	}
	if (pt_opts_set(o, idx, value, line, err, sizeof(err))) {
		perr(file, line, "%s: %s", where, err);
		return -1;
	}
	return 0;
}

void pt_scenario_free(struct pt_scenario *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nroles; i++) {
		free(s->roles[i].name);
		pt_opts_free(&s->roles[i].common);
		pt_opts_free(&s->roles[i].opts);
	}
	free(s->roles);
	pt_opts_free(&s->opts);
	free(s->path);
	free(s);
}

static const char *entry_value(const struct section *sec, const char *key, int *line)
{
	for (size_t j = 0; j < sec->n; j++) {
		if (!strcmp(sec->e[j].key, key)) {
			*line = sec->e[j].line;
			return sec->e[j].value;
		}
	}
	return NULL;
}

static int build_role(const char *file, const struct section *sec, struct pt_role *r)
{
	char where[128];
	int tline = sec->line;
	const char *tname = entry_value(sec, "type", &tline);

	r->name = pt_xstrdup(sec->name);
	r->line = sec->line;
	pt_opts_init(&r->common, pt_role_opt_defs);
	if (!tname) {
		perr(file, sec->line, "[worker %s]: missing 'type' (one of the types `ptbench list` shows)",
		     sec->name);
		return -1;
	}
	r->type = pt_worker_find(tname);
	if (!r->type) {
		const char *names[64];
		size_t n = 0;

		for (; pt_worker_types[n] && n < PT_ARRAY_SIZE(names); n++)
			names[n] = pt_worker_types[n]->name;
		const char *hint = pt_suggest(tname, names, n);

		perr(file, tline, "[worker %s]: unknown worker type '%s'%s%s%s", sec->name, tname,
		     hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
		return -1;
	}
	pt_opts_init(&r->opts, r->type->opts);
	snprintf(where, sizeof(where), "[worker %s] (type %s)", sec->name, r->type->name);
	for (size_t j = 0; j < sec->n; j++)
		if (apply(file, sec->e[j].line, where, &r->common, &r->opts, sec->e[j].key,
			  sec->e[j].value))
			return -1;
	int idx = PT_OPTS_FIELD(&r->common, struct pt_role_keys, threads);

	if (!r->common.vals[idx].set) {
		/* the default depends on the type; the plan checks what was written */
		char err[64];

		pt_opts_set(&r->common, idx, r->type->setup_only ? "0" : "1", 0, err, sizeof(err));
		r->common.vals[idx].set = false;
	}
	return 0;
}

struct pt_scenario *pt_scenario_parse(const char *file, const char *text)
{
	struct section *sec;
	size_t nsec, nworkers = 0;
	struct pt_scenario *s;
	bool have_scenario = false;

	size_t bad;

	if (!pt_utf8_valid(text, strlen(text), &bad)) {
		int line = 1;

		for (size_t i = 0; i < bad; i++)
			line += text[i] == '\n';
		perr(file, line, "not valid UTF-8 (byte 0x%02x): a scenario is UTF-8 text",
		     (unsigned char)text[bad]);
		return NULL;
	}
	if (lex(file, text, &sec, &nsec))
		return NULL;
	s = pt_xcalloc(1, sizeof(*s));
	s->path = pt_xstrdup(file);
	pt_opts_init(&s->opts, pt_scenario_opt_defs);
	for (size_t i = 0; i < nsec; i++)
		nworkers += !strcmp(sec[i].kind, "worker");
	s->roles = pt_xcalloc(nworkers, sizeof(*s->roles));
	for (size_t i = 0; i < nsec; i++) {
		if (!strcmp(sec[i].kind, "scenario")) {
			have_scenario = true;
			for (size_t j = 0; j < sec[i].n; j++)
				if (apply(file, sec[i].e[j].line, "[scenario]", &s->opts, NULL,
					  sec[i].e[j].key, sec[i].e[j].value))
					goto fail;
			continue;
		}
		struct pt_role *r = &s->roles[s->nroles++];

		if (build_role(file, &sec[i], r))
			goto fail;
	}
	if (!have_scenario) {
		perr(file, 0, "no [scenario] section");
		goto fail;
	}
	if (!s->nroles) {
		perr(file, 0, "no [worker NAME] section: a scenario needs at least one worker");
		goto fail;
	}
	int name_idx = PT_OPTS_FIELD(&s->opts, struct pt_scenario_keys, name);

	if (!s->opts.vals[name_idx].set) {
		/* default the name to the file's base name without .ini */
		const char *base = strrchr(file, '/');
		char name[256];
		char *dot;
		char err[64];

		snprintf(name, sizeof(name), "%s", base ? base + 1 : file);
		dot = strrchr(name, '.');
		if (dot && !strcmp(dot, ".ini"))
			*dot = '\0';
		pt_opts_set(&s->opts, name_idx, name, 0, err, sizeof(err));
		s->opts.vals[name_idx].set = false;
	}
	/* the name becomes a file name (results/NAME-..., the gate's pools) */
	{
		char prefix[PATH_MAX + 16];
		int line = s->opts.vals[name_idx].line;
		bool given = s->opts.vals[name_idx].set;

		if (given && line > 0)
			snprintf(prefix, sizeof(prefix), "%s:%d", file, line);
		else
			snprintf(prefix, sizeof(prefix), "%s", file);
		if (pt_name_check(prefix, "[scenario] name", s->opts.vals[name_idx].str,
				  given ? "the scenario file" : "the file name, the default"))
			goto fail;
	}
	free_sections(sec, nsec);
	return s;
fail:
	free_sections(sec, nsec);
	pt_scenario_free(s);
	return NULL;
}

struct pt_scenario *pt_scenario_load(const char *path)
{
	size_t len;
	char *text = pt_read_regular_file(path, PT_SCENARIO_MAX_BYTES, &len);
	const char *nul;
	struct pt_scenario *s;

	if (!text) {
		fprintf(stderr, "%s: cannot read: %s%s\n", path, pt_read_error(errno),
			errno == EFBIG ? " (a scenario is at most 16 MiB)" : "");
		return NULL;
	}
	nul = memchr(text, '\0', len);
	if (nul) {
		int line = 1;

		for (const char *p = text; p < nul; p++)
			line += *p == '\n';
		perr(path, line, "a NUL byte: a scenario is text");
		free(text);
		return NULL;
	}
	s = pt_scenario_parse(path, text);
	free(text);
	return s;
}

struct pt_role *pt_scenario_role(struct pt_scenario *s, const char *name)
{
	for (size_t i = 0; i < s->nroles; i++)
		if (!strcmp(s->roles[i].name, name))
			return &s->roles[i];
	return NULL;
}

int pt_scenario_apply_set(struct pt_scenario *s, const char *assignment)
{
	char *copy = pt_xstrdup(assignment), *dot, *eq, where[160];
	int rc = -1;

	if (!pt_utf8_valid(assignment, strlen(assignment), NULL)) {
		fprintf(stderr, "--set: not valid UTF-8\n");
		goto out;
	}
	eq = strchr(copy, '=');
	dot = strchr(copy, '.');
	if (!eq || !dot || dot > eq) {
		fprintf(stderr, "--set %s: expected ROLE.KEY=VALUE or scenario.KEY=VALUE\n", assignment);
		goto out;
	}
	*dot = '\0';
	*eq = '\0';
	const char *role = copy, *key = dot + 1, *val = eq + 1;

	snprintf(where, sizeof(where), "--set %s", assignment);
	if (!strcmp(role, "scenario")) {
		int name_idx = PT_OPTS_FIELD(&s->opts, struct pt_scenario_keys, name);

		rc = apply(where, 0, "[scenario]", &s->opts, NULL, key, val);
		if (!rc && pt_opts_find(&s->opts, key) == name_idx &&
		    pt_name_check("--set", "scenario.name", s->opts.vals[name_idx].str, "the command line"))
			rc = -1;
		goto out;
	}
	struct pt_role *r = pt_scenario_role(s, role);
	if (!r) {
		const char *names[64];
		size_t n = 0;

		for (; n < s->nroles && n < PT_ARRAY_SIZE(names); n++)
			names[n] = s->roles[n].name;
		const char *hint = pt_suggest(role, names, n);

		fprintf(stderr, "--set %s: no worker '%s' in this scenario%s%s%s\n", assignment, role,
			hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
		goto out;
	}
	if (!strcmp(key, "type")) {
		fprintf(stderr, "--set %s: a role's type cannot be changed from the command line\n",
			assignment);
		goto out;
	}
	char w[160];
	snprintf(w, sizeof(w), "[worker %s] (type %s)", r->name, r->type->name);
	rc = apply(where, 0, w, &r->common, &r->opts, key, val);
out:
	free(copy);
	return rc;
}

/* Where scenario files live: $PTBENCH_SCENARIOS, next to the binary (a build
 * tree), PREFIX/share/ptbench relative to the binary (a relocated install),
 * one level up (build/ptbench-asan in a tree), then the compiled-in PREFIX. */
const char *pt_scenario_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("PTBENCH_SCENARIOS");

	if (env && *env)
		return env;
	snprintf(dir, sizeof(dir), "%s/scenarios", pt_exe_dir());
	if (access(dir, R_OK) == 0)
		return dir;
	snprintf(dir, sizeof(dir), "%s/../share/ptbench/scenarios", pt_exe_dir());
	if (access(dir, R_OK) == 0)
		return dir;
	/* a binary built into a subdirectory of the tree (build/ptbench-asan) */
	snprintf(dir, sizeof(dir), "%s/../scenarios", pt_exe_dir());
	if (access(dir, R_OK) == 0)
		return dir;
	snprintf(dir, sizeof(dir), "%s/scenarios", PTBENCH_DATADIR);
	return dir;
}

char *pt_scenario_resolve(const char *name)
{
	char path[PATH_MAX];

	if (strchr(name, '/') || (strlen(name) > 4 && !strcmp(name + strlen(name) - 4, ".ini")))
		return access(name, R_OK) == 0 ? pt_xstrdup(name) : NULL;
	snprintf(path, sizeof(path), "%s/%s.ini", pt_scenario_dir(), name);
	if (access(path, R_OK) == 0)
		return pt_xstrdup(path);
	return NULL;
}
