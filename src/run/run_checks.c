/* "It ran" is not "it measured": a repeat whose ops all failed or that
 * counted nothing must not end as a complete result with exit 0. */
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ptbench/result_read.h"
#include "ptbench/run_checks.h"
#include "ptbench/scenario.h"
#include "ptbench/worker.h"

static int64_t num(struct json_object *o, const char *key)
{
	return json_object_get_int64(pt_result_get(o, key));
}

/* "EACCES 120, ENOENT 3" from an errors object. */
static void errors_text(struct json_object *errs, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	json_object_object_foreach(errs, name, n) {
		if (off >= len)
			break;
		off += (size_t)snprintf(buf + off, len - off, "%s%s %lld", off ? ", " : "", name,
					(long long)json_object_get_int64(n));
	}
}

static void warn_vmstat(const char *role, const char *what, struct json_object *o)
{
	struct json_object *v = pt_result_get(o, "vmstat_check");

	if (!v || json_object_get_boolean(pt_result_get(v, "agrees")))
		return;
	fprintf(stderr, "ptbench: warning: [worker %s] %s: the kernel's counters disagree with the worker's count (rule %s; worker %lld, pages_collapsed %lld, thp_collapse_alloc %lld): another process may have collapsed memory meanwhile\n",
		role, what, json_object_get_string(pt_result_get(v, "rule")), (long long)num(v, "worker_pmds"),
		(long long)num(v, "pages_collapsed"), (long long)num(v, "vmstat"));
}

int pt_check_measured(struct json_object *rep, char *why, size_t len)
{
	uint64_t total = 0;
	int bad = 0;

	json_object_object_foreach(pt_result_get(rep, "workers"), role, w) {
		struct json_object *c = pt_result_get(w, "collapse"), *k = pt_result_get(w, "khugepaged");

		json_object_object_foreach(pt_result_get(w, "ops"), op, o) {
			int64_t count = num(o, "count"), nerr = 0;
			char errs[256];

			json_object_object_foreach(pt_result_get(o, "errors"), ename, en) {
				(void)ename;
				nerr += json_object_get_int64(en);
			}
			total += (uint64_t)(count > 0 ? count : 0);
			if (!bad && nerr > 0 && nerr >= count) {
				errors_text(pt_result_get(o, "errors"), errs, sizeof(errs));
				snprintf(why, len, "[worker %s] op %s: every one of its %lld calls failed (%s)",
					 role, op, (long long)count, errs);
				bad = 1;
			}
		}
		/* data checks: a walker that the kernel answered for pages it was
		 * not asked about (or with undefined bits), a reclaim-race check
		 * that read back a value nobody wrote. A kernel bug, not noise. */
		if (!bad && num(pt_result_get(w, "walk"), "miscounts") > 0) {
			snprintf(why, len, "[worker %s] walk: %lld miscounts: the kernel answered for pages it was not "
					   "asked about (a data check failed)",
				 role, (long long)num(pt_result_get(w, "walk"), "miscounts"));
			bad = 1;
		}
		if (!bad && num(pt_result_get(w, "race"), "corruptions") > 0) {
			snprintf(why, len, "[worker %s] race: %lld corruptions: a page read back a value no thread wrote, "
					   "or a walk saw a page that was never touched (a data check failed)",
				 role, (long long)num(pt_result_get(w, "race"), "corruptions"));
			bad = 1;
		}
		if (c) {
			/* the collapse worker warns about its vmstat check itself */
			if (!bad && num(c, "attempts") > 0 && num(c, "succeeded") == 0) {
				snprintf(why, len, "[worker %s] none of its %lld collapses succeeded", role,
					 (long long)num(c, "attempts"));
				bad = 1;
			}
			/* a "collapse" of memory that was huge already measured nothing */
			if (!bad && num(c, "checked_small_before") > 0 &&
			    num(c, "started_huge") == num(c, "checked_small_before")) {
				snprintf(why, len,
					 "[worker %s] every one of its %lld checked iterations started from "
					 "huge pages: the refault mapped THPs (transparent_hugepage/enabled "
					 "= always?), so MADV_COLLAPSE had nothing to collapse; set "
					 "thp_enabled = madvise or never in [scenario]",
					 role, (long long)num(c, "checked_small_before"));
				bad = 1;
			}
		}
		if (k) {
			warn_vmstat(role, "khugepaged", k);
			if (!bad && num(k, "iterations") > 0 && num(k, "pmds_collapsed") == 0 &&
			    num(k, "pmds_collapsed_after_stop") == 0) {
				snprintf(why, len, "[worker %s] khugepaged collapsed none of its regions in %lld tries",
					 role, (long long)num(k, "iterations"));
				bad = 1;
			}
		}
	}
	if (!bad && !total) {
		snprintf(why, len, "nothing measured: no role completed a single op");
		bad = 1;
	}
	return bad ? -1 : 0;
}
