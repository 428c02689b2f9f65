/* The metric registry (include/ptbench/metric.h): the producers' tables in
 * one list, and the lookups the reader, the gate's pooling, compare and plot
 * make in it. The names of metrics and of the values they come from are in
 * the producers' tables only; here are the places a scope's object sits in a
 * repeat. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/metric.h"
#include "ptbench/util.h"

/* in compare's listing order: ops first, then what the roles proved, then
 * the probes */
static const struct pt_metric_def *tables[16] = {
	pt_op_metrics, pt_collapse_metrics, pt_vmstat_metrics, pt_vma_lock_metrics, pt_mmap_lock_metrics,
};
static size_t ntables = 5;

/* The lines of each scope in registry order, built at the first
 * pt_metric_next_in after the tables changed: the reader and compare look
 * at one scope's lines per object, hundreds of objects per file. by_scope
 * holds every line, scope by scope; scope s's are at [first[s], first[s+1]). */
#define NSCOPES (PT_MS_VMSTAT + 1)
static const struct pt_metric_def **by_scope;
static size_t first[NSCOPES + 1];
static size_t indexed_tables; /* ntables when by_scope was built; 0: never */

void pt_metric_register(const struct pt_metric_def *table)
{
	if (ntables < PT_ARRAY_SIZE(tables))
		tables[ntables++] = table;
}

const struct pt_metric_def *pt_metric_next(size_t *i)
{
	size_t t = *i >> 16, k = *i & 0xffff;

	for (; t < ntables; t++, k = 0)
		if (tables[t][k].key) {
			*i = (t << 16) | (k + 1);
			return &tables[t][k];
		}
	*i = t << 16;
	return NULL;
}

static void index_scopes(void)
{
	const struct pt_metric_def *d;
	size_t i = 0, at[NSCOPES];

	/* counted per scope, then each scope's lines placed after the last's
	 * (a line of no scope is in none, as no scope ever matched it) */
	memset(first, 0, sizeof(first));
	while ((d = pt_metric_next(&i)))
		if ((size_t)d->scope < NSCOPES)
			first[d->scope + 1]++;
	for (size_t s = 0; s < NSCOPES; s++) {
		first[s + 1] += first[s];
		at[s] = first[s];
	}
	free(by_scope);
	by_scope = pt_xmalloc((first[NSCOPES] ? first[NSCOPES] : 1) * sizeof(*by_scope));
	for (i = 0; (d = pt_metric_next(&i));)
		if ((size_t)d->scope < NSCOPES)
			by_scope[at[d->scope]++] = d;
	indexed_tables = ntables;
}

const struct pt_metric_def *pt_metric_next_in(enum pt_mscope scope, size_t *i)
{
	if (indexed_tables != ntables)
		index_scopes();
	if ((size_t)scope >= NSCOPES || first[scope] + *i >= first[scope + 1])
		return NULL;
	return by_scope[first[scope] + (*i)++];
}

const struct pt_metric_def *pt_metric_raw(enum pt_mscope scope, const char *key)
{
	const struct pt_metric_def *d;
	size_t i = 0;

	while ((d = pt_metric_next_in(scope, &i)))
		if (!strcmp(d->key, key))
			return d;
	return NULL;
}

/* Where each scope's objects sit in a repeat ('*': one name, a role's or an
 * op's, or a lock mode) */
static const struct {
	enum pt_mscope scope;
	const char *at;
} anchors[] = {
	{ PT_MS_HIST, "workers.*.ops.*" },
	{ PT_MS_HIST, "probes.mmap_lock.wait.*" },
	{ PT_MS_HIST, "probes.mmap_lock.hold.*" },
	{ PT_MS_HIST, "probes.mmap_lock.roles.*.wait.*" },
	{ PT_MS_HIST, "probes.mmap_lock.roles.*.hold.*" },
	{ PT_MS_HIST, "probes.mmap_lock.roles.*.ops.*.wait.*" },
	{ PT_MS_HIST, "probes.mmap_lock.roles.*.ops.*.hold.*" },
	{ PT_MS_HIST, "probes.vma_lock.write_wait" },
	{ PT_MS_HIST, "probes.vma_lock.roles.*.write_wait" },
	{ PT_MS_HIST, "probes.vma_lock.roles.*.ops.*.write_wait" },
	{ PT_MS_MMAP_LOCK, "probes.mmap_lock" },
	{ PT_MS_MMAP_LOCK, "probes.mmap_lock.roles.*" },
	{ PT_MS_MMAP_LOCK, "probes.mmap_lock.roles.*.ops.*" },
	{ PT_MS_VMA_LOCK, "probes.vma_lock" },
	{ PT_MS_VMA_LOCK, "probes.vma_lock.roles.*" },
	{ PT_MS_VMA_LOCK, "probes.vma_lock.roles.*.ops.*" },
	{ PT_MS_COLLAPSE, "workers.*.collapse" },
	{ PT_MS_KHUGEPAGED, "workers.*.khugepaged" },
	{ PT_MS_VMSTAT, "probes.vmstat" },
};

/* The rest of path after anchor at (segment by segment), or NULL. */
static const char *after_anchor(const char *at, const char *path)
{
	while (*at) {
		if (*at == '*') {
			const char *dot = strchr(path, '.');

			if (!dot || dot == path)
				return NULL;
			path = dot;
			at++;
		} else {
			size_t n = strcspn(at, ".");

			if (strncmp(at, path, n) || (path[n] != '.' && path[n]))
				return NULL;
			at += n;
			path += n;
		}
		if (*at == '.') {
			if (*path != '.')
				return NULL;
			at++;
			path++;
		}
	}
	return *path == '.' ? path + 1 : NULL;
}

enum pt_mpool pt_metric_pool(const char *path)
{
	for (size_t a = 0; path && a < PT_ARRAY_SIZE(anchors); a++) {
		const char *key = after_anchor(anchors[a].at, path);
		const struct pt_metric_def *d = key ? pt_metric_raw(anchors[a].scope, key) : NULL;

		if (d)
			return d->pool;
	}
	return PT_POOL_MEDIAN;
}

bool pt_metric_get(struct json_object *o, const char *key, double *out)
{
	char seg[128];

	while (o && json_object_is_type(o, json_type_object)) {
		size_t n = strcspn(key, ".");
		struct json_object *v = NULL;

		if (n >= sizeof(seg))
			return false;
		memcpy(seg, key, n);
		seg[n] = '\0';
		json_object_object_get_ex(o, seg, &v);
		if (!key[n]) {
			if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
				return false;
			*out = json_object_get_double(v);
			return true;
		}
		o = v;
		key += n + 1;
	}
	return false;
}

const char *pt_metric_pattern(const struct pt_metric_def *d, bool per_op, char *buf, size_t len)
{
	switch (d->scope) {
	case PT_MS_HIST:
		snprintf(buf, len, "%s.%s", d->flags & PT_MF_OPS_ONLY ? "ROLE.OP" : "ROLE.OP|LOCK", d->name);
		break;
	case PT_MS_MMAP_LOCK:
	case PT_MS_VMA_LOCK:
		snprintf(buf, len, "%s.roles.ROLE.%s%s.per_%s", d->scope == PT_MS_MMAP_LOCK ? "mmap_lock" : "vma_lock",
			 per_op ? "ops.OP." : "", d->name, per_op ? "OP" : "UNIT");
		break;
	case PT_MS_COLLAPSE:
	case PT_MS_KHUGEPAGED:
		snprintf(buf, len, "ROLE.%s.%s", d->scope == PT_MS_COLLAPSE ? "collapse" : "khugepaged", d->name);
		break;
	default:
		snprintf(buf, len, "%s", d->name ? d->name : d->key);
	}
	return buf;
}

static bool ends_with(const char *s, const char *a, const char *b)
{
	size_t n = strlen(s), na = strlen(a), nb = strlen(b);

	return n > na + nb && !strncmp(s + n - na - nb, a, na) && !strcmp(s + n - nb, b);
}

const struct pt_metric_def *pt_metric_by_name(const char *name)
{
	const struct pt_metric_def *d, *hist = NULL;
	size_t i = 0;

	while (name && (d = pt_metric_next(&i))) {
		const char *per, *at;

		if (!d->name)
			continue;
		switch (d->scope) {
		case PT_MS_MMAP_LOCK:
		case PT_MS_VMA_LOCK:
			/* PROBE.roles.ROLE[.ops.OP].NAME.per_X */
			at = d->scope == PT_MS_MMAP_LOCK ? "mmap_lock.roles." : "vma_lock.roles.";
			if (strncmp(name, at, strlen(at)) || !(per = strrchr(name, '.')) || strncmp(per, ".per_", 5))
				break;
			if ((size_t)(per - name) > strlen(d->name) && *(per - strlen(d->name) - 1) == '.' &&
			    !strncmp(per - strlen(d->name), d->name, strlen(d->name)))
				return d;
			break;
		case PT_MS_COLLAPSE:
			if (ends_with(name, ".collapse.", d->name))
				return d;
			break;
		case PT_MS_KHUGEPAGED:
			if (ends_with(name, ".khugepaged.", d->name))
				return d;
			break;
		case PT_MS_HIST:
			if (!hist && ends_with(name, ".", d->name))
				hist = d;
			break;
		default:
			break;
		}
	}
	return hist;
}

const struct pt_metric_def *pt_metric_stat(const char *stat)
{
	const struct pt_metric_def *d;
	size_t i = 0;

	while (stat && (d = pt_metric_next_in(PT_MS_HIST, &i)))
		if (d->name && !strcmp(d->name, stat))
			return d;
	return NULL;
}
