/* Summary tables on stdout. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "ptbench/probe.h"
#include "ptbench/summary.h"
#include "ptbench/util.h"

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

/* A collapse worker's proof, one line: a reader must see that it collapsed. */
static void print_collapse_proof(const char *role, struct json_object *w, FILE *out)
{
	struct json_object *c, *agrees;

	if (!json_object_object_get_ex(w, "collapse", &c))
		return;
	fprintf(out, "  %s: collapsed %lld/%lld (%lld PMDs), confirmed PMD-mapped %lld/%lld, vmstat %s\n",
		role, get_ll(c, "succeeded"), get_ll(c, "attempts"), get_ll(c, "pmds_collapsed"),
		get_ll(c, "confirmed_pmd_mapped"), get_ll(c, "checked_pmd_mapped"),
		!json_object_object_get_ex(c, "vmstat_agrees", &agrees) ? "not checked"
		: json_object_get_boolean(agrees)		       ? "agrees"
								       : "DISAGREES");
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
		json_object_object_foreach(workers, role, w)
			print_collapse_proof(role, w, out);
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
