/* Result documents: built as one json-c tree, written atomically, read back
 * with their schema checked. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptbench/hist.h"
#include "ptbench/options.h"
#include "ptbench/output_file.h"
#include "ptbench/result.h"
#include "ptbench/result_read.h"
#include "ptbench/scenario.h"
#include "ptbench/sysinfo.h"
#include "ptbench/utf8.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"

struct json_object *pt_hist_to_json(const struct pt_hist *h, double seconds)
{
	static const struct {
		const char *key;
		double p;
	} pct[] = { { "p50", 50 }, { "p90", 90 }, { "p99", 99 }, { "p999", 99.9 }, { "p9999", 99.99 } };
	struct json_object *o = json_object_new_object(), *ns = json_object_new_object();
	struct json_object *buckets = json_object_new_array();

	json_object_object_add(o, "count", json_object_new_int64((int64_t)h->count));
	json_object_object_add(o, "ops_per_sec",
			       json_object_new_double(seconds > 0 ? (double)h->count / seconds : 0.0));
	for (size_t i = 0; i < PT_ARRAY_SIZE(pct); i++)
		json_object_object_add(ns, pct[i].key,
				       json_object_new_int64((int64_t)pt_hist_percentile(h, pct[i].p)));
	json_object_object_add(ns, "max", json_object_new_int64((int64_t)h->max));
	json_object_object_add(ns, "min", json_object_new_int64(h->count ? (int64_t)h->min : 0));
	json_object_object_add(ns, "mean", json_object_new_double(pt_hist_mean(h)));
	json_object_object_add(o, "ns", ns);
	/* non-zero buckets only, as [upper bound in ns, count] */
	for (unsigned i = 0; i < PT_HIST_BUCKETS; i++) {
		struct json_object *b;
		uint64_t up;

		if (!h->buckets[i])
			continue;
		up = pt_hist_bucket_upper(i);
		if (up > h->max)
			up = h->max;
		b = json_object_new_array();
		json_object_array_add(b, json_object_new_int64((int64_t)up));
		json_object_array_add(b, json_object_new_int64((int64_t)h->buckets[i]));
		json_object_array_add(buckets, b);
	}
	json_object_object_add(o, "buckets", buckets);
	return o;
}

static struct json_object *opts_json(const struct pt_opts *o)
{
	struct json_object *j = json_object_new_object();

	for (size_t i = 0; i < o->n; i++) {
		const struct pt_opt_def *d = &o->defs[i];
		const struct pt_opt_val *v = &o->vals[i];

		if (!v->str)
			continue;
		switch (d->type) {
		case PT_OPT_INT:
		case PT_OPT_SIZE:
		case PT_OPT_DURATION:
			/* numbers in base units (bytes, ns) so scripts need no parser */
			json_object_object_add(j, d->key, json_object_new_int64(v->num));
			break;
		case PT_OPT_BOOL:
			json_object_object_add(j, d->key, json_object_new_boolean((int)v->num));
			break;
		default:
			json_object_object_add(j, d->key, json_object_new_string(v->str));
		}
	}
	return j;
}

struct json_object *pt_scenario_to_json(const struct pt_scenario *sc)
{
	struct json_object *o = opts_json(&sc->opts), *workers = json_object_new_object();

	json_object_object_add(o, "file", json_object_new_string(sc->path));
	for (size_t r = 0; r < sc->nroles; r++) {
		const struct pt_role *role = &sc->roles[r];
		struct json_object *w = opts_json(&role->common), *own = opts_json(&role->opts);

		json_object_object_foreach(own, key, val)
			json_object_object_add(w, key, json_object_get(val));
		json_object_put(own);
		json_object_object_add(workers, role->name, w);
	}
	json_object_object_add(o, "workers", workers);
	return o;
}

struct json_object *pt_result_new(int argc, char **argv, const struct pt_scenario *sc)
{
	struct json_object *doc = json_object_new_object(), *tool = json_object_new_object();
	struct json_object *av = json_object_new_array();

	json_object_object_add(doc, "schema", json_object_new_string(PT_RESULT_SCHEMA));
	json_object_object_add(doc, "complete", json_object_new_boolean(0));
	json_object_object_add(tool, "name", json_object_new_string("ptbench"));
	json_object_object_add(tool, "version", json_object_new_string(pt_version));
	for (int i = 0; i < argc; i++)
		json_object_array_add(av, json_object_new_string(argv[i]));
	json_object_object_add(tool, "argv", av);
	json_object_object_add(doc, "tool", tool);
	json_object_object_add(doc, "system", pt_sysinfo_collect());
	json_object_object_add(doc, "scenario", pt_scenario_to_json(sc));
	json_object_object_add(doc, "repeats", json_object_new_array());
	return doc;
}

const char *pt_result_text(struct json_object *doc)
{
	/* JSON is UTF-8: a stray byte from a scenario, an argument or a path
	 * becomes U+FFFD rather than an unreadable result */
	pt_json_sanitize_utf8(doc);
	return json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
						   JSON_C_TO_STRING_NOSLASHESCAPE);
}

int pt_result_write(struct json_object *doc, const char *path)
{
	const char *text = pt_result_text(doc);
	char why[512];

	return pt_output_write(path, text, strlen(text), why, sizeof(why));
}

struct json_object *pt_result_load(const char *path)
{
	struct pt_result_file f;
	struct json_object *doc;

	/* the one validating reader: it prints why and the JSON path */
	if (pt_result_read(path, 0, &f))
		return NULL;
	doc = json_object_get(f.doc);
	pt_result_file_free(&f);
	return doc;
}
