/* Summary tables on stdout. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "ptbench/probe.h"
#include "ptbench/summary.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"

static long long get_ll(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static void errors_text(struct json_object *errs, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	json_object_object_foreach(errs, name, val)
	{
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s=%lld", off ? "," : "", name,
						(long long)json_object_get_int64(val));
	}
	if (!off)
		snprintf(buf, len, "-");
}

void pt_summary_print_repeat(struct json_object *rep, int index, FILE *out)
{
	struct json_object *workers, *probes, *complete;
	char b[4][32];

	json_object_object_get_ex(rep, "complete", &complete);
	fprintf(out, "repeat %d%s (%.2fs measured)\n", index + 1,
		json_object_get_boolean(complete) ? "" : " INCOMPLETE",
		json_object_get_double(json_object_object_get(rep, "measured_s")));
	fprintf(out, "  %-14s %-10s %10s %11s %9s %9s %9s %9s  %s\n", "role", "op", "count", "ops/s",
		"p50", "p99", "p99.9", "max", "errors");
	if (json_object_object_get_ex(rep, "workers", &workers)) {
		json_object_object_foreach(workers, role, w)
		{
			struct json_object *ops;

			if (!json_object_object_get_ex(w, "ops", &ops))
				continue;
			json_object_object_foreach(ops, op, o)
			{
				struct json_object *ns = json_object_object_get(o, "ns");
				char errs[160];

				errors_text(json_object_object_get(o, "errors"), errs, sizeof(errs));
				fprintf(out, "  %-14s %-10s %10lld %11.1f %9s %9s %9s %9s  %s\n", role, op,
					get_ll(o, "count"),
					json_object_get_double(json_object_object_get(o, "ops_per_sec")),
					pt_fmt_ns((double)get_ll(ns, "p50"), b[0], 32),
					pt_fmt_ns((double)get_ll(ns, "p99"), b[1], 32),
					pt_fmt_ns((double)get_ll(ns, "p999"), b[2], 32),
					pt_fmt_ns((double)get_ll(ns, "max"), b[3], 32), errs);
			}
		}
	}
	if (json_object_object_get_ex(rep, "workers", &workers)) {
		/* each worker type prints its own evidence (collapse proof ...) */
		json_object_object_foreach(workers, role, w)
		{
			struct json_object *type;
			const struct pt_worker_type *wt;

			if (json_object_object_get_ex(w, "type", &type) &&
			    (wt = pt_worker_find(json_object_get_string(type))) && wt->print_summary)
				wt->print_summary(role, w, out);
		}
	}
	if (!json_object_object_get_ex(rep, "probes", &probes))
		return;
	for (size_t i = 0; pt_probes[i]; i++) {
		struct json_object *pj, *avail, *why;

		if (!json_object_object_get_ex(probes, pt_probes[i]->name, &pj))
			continue;
		if (json_object_object_get_ex(pj, "available", &avail) && !json_object_get_boolean(avail)) {
			json_object_object_get_ex(pj, "why", &why);
			fprintf(out, "  probe %s: unavailable: %s\n", pt_probes[i]->name,
				why ? json_object_get_string(why) : "no reason given");
			continue;
		}
		if (pt_probes[i]->print_summary)
			pt_probes[i]->print_summary(pj, out);
	}
}
