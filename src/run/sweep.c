/* Scaling sweeps: parse the thread counts, name the per-point result files,
 * and print the threads-vs-latency table at the end. */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/options.h"
#include "ptbench/scenario.h"
#include "ptbench/stats.h"
#include "ptbench/sweep.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"

bool pt_sweep_is_list(const char *text)
{
	return strchr(text, ',') || strstr(text, "...") || !strcmp(text, "max");
}

static int parse_value(const char *tok, int max, int *v)
{
	long long n;

	if (!strcmp(tok, "max")) {
		*v = max;
		return 0;
	}
	if (pt_parse_int(tok, &n) || n < 1 || n > 4096)
		return -1;
	*v = (int)n;
	return 0;
}

int pt_sweep_parse_values(const char *text, int max, int *out, int cap, char *err, size_t len)
{
	char *copy = pt_xstrdup(text), *rest = copy, *tok;
	int n = 0, pending_dots = 0, rc = -1;
	bool has_max = false;

	/* strsep, not strtok: "1,,2" has an empty value, which is an error */
	while ((tok = strsep(&rest, ","))) {
		int v;

		while (*tok == ' ' || *tok == '\t')
			tok++;
		for (char *e = tok + strlen(tok); e > tok && (e[-1] == ' ' || e[-1] == '\t');)
			*--e = '\0';
		if (!*tok) {
			snprintf(err, len, "an empty value (two commas in a row, or one at an end)");
			goto out;
		}
		if (!strcmp(tok, "...")) {
			if (!n || pending_dots) {
				snprintf(err, len, "'...' needs a value before it and one after it");
				goto out;
			}
			pending_dots = 1;
			continue;
		}
		if (parse_value(tok, max, &v)) {
			snprintf(err, len, "'%s' is not a thread count (1..4096 or max)", tok);
			goto out;
		}
		if (pending_dots) {
			/* doubling, as scaling runs want: 1,2,4,...,64 */
			for (int x = out[n - 1] * 2; x < v; x *= 2) {
				if (n >= cap) {
					snprintf(err, len, "more than %d values", cap);
					goto out;
				}
				out[n++] = x;
			}
			pending_dots = 0;
		}
		if (has_max) {
			snprintf(err, len, "'max' must be the last value");
			goto out;
		}
		if (!strcmp(tok, "max")) {
			has_max = true; /* added at the end, after the values above it are gone */
			continue;
		}
		if (n && v <= out[n - 1]) {
			snprintf(err, len, "values must increase ('%s' = %d after %d)", tok, v, out[n - 1]);
			goto out;
		}
		if (n >= cap) {
			snprintf(err, len, "more than %d values", cap);
			goto out;
		}
		out[n++] = v;
	}
	if (pending_dots) {
		snprintf(err, len, "'...' needs a value after it");
		goto out;
	}
	/* with "max" the list means "up to this machine": drop what lies above */
	while (has_max && n > 0 && out[n - 1] > max)
		n--;
	if (has_max && (!n || out[n - 1] < max)) {
		if (n >= cap) {
			snprintf(err, len, "more than %d values", cap);
			goto out;
		}
		out[n++] = max;
	}
	if (!n) {
		snprintf(err, len, "no values");
		goto out;
	}
	rc = n;
out:
	free(copy);
	return rc;
}

int pt_sweep_setup(const struct pt_scenario *sc, const char *arg, int max, struct pt_sweep *sw)
{
	const char *list = NULL;
	char err[256], role[128];
	const struct pt_role *r = NULL;
	bool from_arg = arg != NULL;

	memset(sw, 0, sizeof(*sw));
	if (arg) {
		const char *dot = strchr(arg, '.'), *eq = strchr(arg, '=');

		if (!dot || !eq || dot > eq || (size_t)(dot - arg) >= sizeof(role)) {
			fprintf(stderr, "ptbench run: --sweep %s: expected ROLE.threads=LIST, e.g. faulter.threads=1,2,4,...,max\n",
				arg);
			return -1;
		}
		memcpy(role, arg, (size_t)(dot - arg));
		role[dot - arg] = '\0';
		if (strncmp(dot + 1, "threads=", 8)) {
			fprintf(stderr, "ptbench run: --sweep %s: only ROLE.threads can be swept\n", arg);
			return -1;
		}
		for (size_t i = 0; i < sc->nroles && !r; i++)
			if (!strcmp(sc->roles[i].name, role))
				r = &sc->roles[i];
		if (!r) {
			fprintf(stderr, "ptbench run: --sweep %s: no worker '%s' in this scenario\n", arg, role);
			return -1;
		}
		if (r->type->setup_only) {
			fprintf(stderr, "ptbench run: --sweep %s: type %s runs no threads\n", arg, r->type->name);
			return -1;
		}
		list = eq + 1;
	} else {
		for (size_t i = 0; i < sc->nroles; i++) {
			struct pt_role_keys k;
			const char *t;

			pt_role_keys(&sc->roles[i], &k);
			t = k.threads;
			if (!t || !pt_sweep_is_list(t))
				continue;
			if (r) {
				fprintf(stderr, "%s: [worker %s] and [worker %s] both list thread counts; one role can be swept at a time\n",
					sc->path, r->name, sc->roles[i].name);
				return -1;
			}
			r = &sc->roles[i];
			list = t;
		}
		if (!r)
			return 0;
	}
	sw->role = (size_t)(r - sc->roles);
	snprintf(sw->param, sizeof(sw->param), "%s.threads", r->name);
	sw->n = pt_sweep_parse_values(list, max, sw->values, PT_SWEEP_MAX, err, sizeof(err));
	if (sw->n < 0) {
		fprintf(stderr, "%s: [worker %s]: threads = %s: %s\n", from_arg ? "--sweep" : sc->path, r->name,
			list, err);
		return -1;
	}
	/* "threads = 1,max" on one PU is one count, not a sweep: sw holds it */
	return sw->n == 1 && !from_arg ? 0 : 1;
}

char *pt_sweep_point_path(const char *out, int value)
{
	size_t len = strlen(out);
	char *p = pt_xmalloc(len + 32);

	if (len > 5 && !strcmp(out + len - 5, ".json"))
		snprintf(p, len + 32, "%.*s.threads-%d.json", (int)(len - 5), out, value);
	else
		snprintf(p, len + 32, "%s.threads-%d", out, value);
	return p;
}

struct json_object *pt_sweep_json(const struct pt_sweep *sw, int i)
{
	struct json_object *o = json_object_new_object(), *vals = json_object_new_array();

	json_object_object_add(o, "param", json_object_new_string(sw->param));
	json_object_object_add(o, "value", json_object_new_int(sw->values[i]));
	json_object_object_add(o, "index", json_object_new_int(i));
	json_object_object_add(o, "of", json_object_new_int(sw->n));
	for (int k = 0; k < sw->n; k++)
		json_object_array_add(vals, json_object_new_int(sw->values[k]));
	json_object_object_add(o, "values", vals);
	return o;
}

/* Median over repeats of repeats[k].workers.ROLE.ops.OP.ns.METRIC; -1 if
 * absent. stats.c's median, as compare and plot use: for an even number
 * of repeats the mean of the middle two. */
static long long median_metric(struct json_object *doc, const char *role, const char *op, const char *metric)
{
	struct json_object *reps = json_object_object_get(doc, "repeats");
	size_t n = json_object_is_type(reps, json_type_array) ? json_object_array_length(reps) : 0, k = 0;
	double *v = pt_xcalloc(n ? n : 1, sizeof(double));
	long long m = -1;

	for (size_t i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(reps, i), *y;

		if (json_object_object_get_ex(x, "workers", &x) && json_object_object_get_ex(x, role, &x) &&
		    json_object_object_get_ex(x, "ops", &x) && json_object_object_get_ex(x, op, &x) &&
		    json_object_object_get_ex(x, "ns", &x) && json_object_object_get_ex(x, metric, &y))
			v[k++] = (double)json_object_get_int64(y);
	}
	if (k)
		m = llround(pt_median(v, k));
	free(v);
	return m;
}

void pt_sweep_print_table(const struct pt_sweep *sw, struct json_object **docs, int n, FILE *out)
{
	char ops[8][2][64];
	int nops = 0;
	struct json_object *doc0 = NULL, *hl;

	for (int i = 0; i < n && !doc0; i++)
		doc0 = docs[i];
	if (!doc0)
		return;
	/* the headline's distinct ROLE.OP pairs */
	if (json_object_object_get_ex(json_object_object_get(doc0, "scenario"), "headline", &hl)) {
		char *copy = pt_xstrdup(json_object_get_string(hl)), *save = NULL;

		for (char *tok = strtok_r(copy, ", ", &save); tok && nops < 8; tok = strtok_r(NULL, ", ", &save)) {
			char role[64], op[64];
			bool dup = false;

			if (sscanf(tok, "%63[^.].%63[^.]", role, op) != 2)
				continue;
			for (int k = 0; k < nops; k++)
				dup |= !strcmp(ops[k][0], role) && !strcmp(ops[k][1], op);
			if (dup)
				continue;
			snprintf(ops[nops][0], 64, "%s", role);
			snprintf(ops[nops][1], 64, "%s", op);
			nops++;
		}
		free(copy);
	}
	fprintf(out, "sweep %s (medians over repeats)\n  %-8s", sw->param, "threads");
	for (int k = 0; k < nops; k++) {
		char h[160];

		snprintf(h, sizeof(h), "%.63s.%.63s p50/p99", ops[k][0], ops[k][1]);
		fprintf(out, " %22s", h);
	}
	fprintf(out, "\n");
	for (int i = 0; i < n; i++) {
		struct json_object *c;

		if (!docs[i])
			continue;
		fprintf(out, "  %-8d", sw->values[i]);
		for (int k = 0; k < nops; k++) {
			long long p50 = median_metric(docs[i], ops[k][0], ops[k][1], "p50");
			long long p99 = median_metric(docs[i], ops[k][0], ops[k][1], "p99");
			char a[32], b[32], cell[80];

			if (p50 < 0)
				snprintf(cell, sizeof(cell), "-");
			else
				snprintf(cell, sizeof(cell), "%s/%s", pt_fmt_ns((double)p50, a, sizeof(a)),
					 pt_fmt_ns((double)p99, b, sizeof(b)));
			fprintf(out, " %22s", cell);
		}
		if (json_object_object_get_ex(docs[i], "complete", &c) && !json_object_get_boolean(c))
			fprintf(out, "  (incomplete)");
		fprintf(out, "\n");
	}
}
