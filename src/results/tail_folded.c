/* Folded stacks of the tail probe's result (see tail_folded.h). */
#define _GNU_SOURCE
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/tail_folded.h"
#include "ptbench/util.h"

struct line {
	char *key;
	long long ns;
};

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct line *)a)->key, ((const struct line *)b)->key);
}

/* "ROLE;OP;root;...;leaf[;[runnable]]" of one stack object */
static char *line_key(const char *role, const char *op, struct json_object *st)
{
	struct json_object *frames, *pre;
	size_t cap = strlen(role) + strlen(op) + 64, len;
	char *k = pt_xmalloc(cap);

	len = (size_t)snprintf(k, cap, "%s;%s", role, op);
	if (json_object_object_get_ex(st, "stack", &frames) && json_object_is_type(frames, json_type_array))
		for (size_t i = json_object_array_length(frames); i-- > 0;) {
			const char *f = json_object_get_string(json_object_array_get_idx(frames, i));
			size_t l = strlen(f ? f : "");

			while (len + l + 2 > cap) {
				cap *= 2;
				k = pt_xrealloc(k, cap);
			}
			/* a frame never holds the separators: ';' and ' ' become '_' */
			k[len++] = ';';
			for (size_t j = 0; j < l; j++)
				k[len++] = f[j] == ';' || f[j] == ' ' || f[j] == '\n' ? '_' : f[j];
			k[len] = '\0';
		}
	if (json_object_object_get_ex(st, "runnable", &pre) && json_object_get_boolean(pre)) {
		k = pt_xrealloc(k, len + 16);
		strcpy(k + len, ";[runnable]");
	}
	return k;
}

char *pt_tail_folded(struct json_object *doc, char *why, size_t len)
{
	struct json_object *reps, *probes, *tail, *avail, *roles;
	struct line *lines = NULL;
	size_t n = 0, cap = 0, out_len = 0, out_cap = 1;
	int ran = 0;
	char *out;

	snprintf(why, len, "the result has no repeats");
	if (!json_object_object_get_ex(doc, "repeats", &reps) || !json_object_is_type(reps, json_type_array))
		return NULL;
	for (size_t r = 0; r < json_object_array_length(reps); r++) {
		struct json_object *rep = json_object_array_get_idx(reps, r), *w;

		if (!json_object_object_get_ex(rep, "probes", &probes) ||
		    !json_object_object_get_ex(probes, "tail", &tail))
			continue;
		if (!json_object_object_get_ex(tail, "available", &avail) || !json_object_get_boolean(avail)) {
			snprintf(why, len, "the tail probe did not run: %s",
				 json_object_object_get_ex(tail, "why", &w) ? json_object_get_string(w) : "(no reason)");
			continue;
		}
		ran++;
		if (!json_object_object_get_ex(tail, "roles", &roles))
			continue;
		json_object_object_foreach(roles, role, rj)
		{
			struct json_object *ops;

			if (!json_object_object_get_ex(rj, "ops", &ops))
				continue;
			json_object_object_foreach(ops, op, oj)
			{
				struct json_object *stacks, *ns;

				if (!json_object_object_get_ex(oj, "stacks", &stacks) ||
				    !json_object_is_type(stacks, json_type_array))
					continue;
				for (size_t i = 0; i < json_object_array_length(stacks); i++) {
					struct json_object *st = json_object_array_get_idx(stacks, i);
					char *k = line_key(role, op, st);
					long long v = json_object_object_get_ex(st, "off_cpu_ns", &ns) ? json_object_get_int64(ns) : 0;
					size_t j;

					for (j = 0; j < n && strcmp(lines[j].key, k); j++)
						;
					if (j < n) {
						lines[j].ns += v;
						free(k);
						continue;
					}
					if (n == cap) {
						cap = cap ? cap * 2 : 64;
						lines = pt_xrealloc(lines, cap * sizeof(*lines));
					}
					lines[n++] = (struct line){ k, v };
				}
			}
		}
	}
	if (!ran) {
		free(lines);
		return NULL;
	}
	if (n > 1)
		qsort(lines, n, sizeof(*lines), by_key);
	for (size_t i = 0; i < n; i++)
		out_cap += strlen(lines[i].key) + 24;
	out = pt_xmalloc(out_cap);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		out_len += (size_t)snprintf(out + out_len, out_cap - out_len, "%s %lld\n", lines[i].key, lines[i].ns);
		free(lines[i].key);
	}
	free(lines);
	return out;
}
