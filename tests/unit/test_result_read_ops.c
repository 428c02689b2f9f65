/* The reader (src/results/result_read.c) on the lock probes' per-op numbers:
 * probes.mmap_lock.roles.ROLE.ops.OP and probes.vma_lock.roles.ROLE.ops.OP
 * have the role's own shape, name ops of the role's worker, sum to no more
 * than the role, and only worker roles have them. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "ptbench/result_read.h"
#include "tap.h"

static const char good[] =
	"{\"schema\": \"ptbench-result/1\", \"complete\": true,"
	" \"scenario\": {\"name\": \"s\", \"headline\": \"w.fault.p99\"},"
	" \"repeats\": [{\"complete\": true, \"workers\": {\"w\": {\"type\": \"fault\","
	" \"ops\": {\"fault\": {\"count\": 4}, \"zap\": {\"count\": 1}}}},"
	" \"probes\": {\"mmap_lock\": {\"available\": true, \"per_op\": true, \"roles\": {"
	"\"w\": {\"events\": 9, \"hold\": {\"read\": {\"count\": 3}},"
	" \"ops\": {\"fault\": {\"events\": 0, \"hold\": {\"read\": {\"count\": 0}}},"
	" \"zap\": {\"events\": 6, \"hold\": {\"read\": {\"count\": 2}}}}},"
	"\"other\": {\"events\": 0}}},"
	" \"vma_lock\": {\"available\": true, \"per_op\": true, \"roles\": {"
	"\"w\": {\"attempts\": 4, \"fallbacks\": 1,"
	" \"ops\": {\"fault\": {\"attempts\": 4, \"fallbacks\": 1}, \"zap\": {\"attempts\": 0}}}}}}}]}";

static const char *check(const char *text)
{
	static char err[512];
	struct json_object *doc;

	err[0] = '\0';
	if (!pt_result_parse(text, strlen(text), &doc, err, sizeof(err))) {
		pt_result_validate(doc, err, sizeof(err));
		json_object_put(doc);
	}
	return err;
}

/* good with the first occurrence of from replaced by to */
static const char *edited(const char *from, const char *to)
{
	static char buf[4096];
	const char *at = strstr(good, from);

	if (!at)
		return "(test error: from not in good)";
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
	return check(buf);
}

int main(void)
{
	const char *e;

	tap_plan(10);
	e = check(good);
	tap_ok(!strcmp(e, ""), "per-op lock numbers of both probes validate: %s", e);
	e = edited("\"zap\": {\"events\": 6,", "\"zap\": {\"events\": -6,");
	tap_ok(!strcmp(e, "repeats[0].probes.mmap_lock.roles.w.ops.zap.events: expected a non-negative integer (at most 2^53), "
			  "got -6"),
	       "an op's counter is checked as the role's: %s", e);
	e = edited("\"zap\": {\"events\": 6, \"hold\": {\"read\": {\"count\": 2}}}",
		   "\"zap\": {\"events\": 6, \"hold\": {\"read\": {\"count\": 2, \"ns\": 5}}}");
	tap_ok(strstr(e, "roles.w.ops.zap.hold.read.ns: expected an object") != NULL, "an op's hold too: %s", e);
	e = edited("\"zap\": {\"events\": 6,", "\"munmap\": {\"events\": 6,");
	tap_ok(strstr(e, "roles.w.ops.munmap: expected an op of the role's worker") != NULL,
	       "an op the role's worker does not have: %s", e);
	e = edited("\"zap\": {\"events\": 6,", "\"zap\": {\"events\": 10,");
	tap_ok(strstr(e, "roles.w.ops[*].events: expected a sum over ops of at most the role's 9, got 10") != NULL,
	       "ops that count more events than their role: %s", e);
	e = edited("{\"count\": 2}", "{\"count\": 4}");
	tap_ok(strstr(e, "ops[*].hold.read.count: expected a sum over ops of at most the role's 3, got 4") != NULL,
	       "ops that count more read holds than their role: %s", e);
	e = edited("\"other\": {\"events\": 0}", "\"other\": {\"events\": 0, \"ops\": {}}");
	tap_ok(strstr(e, "roles.other.ops: expected no ops") != NULL, "ops under a role that is no worker: %s", e);
	e = edited("\"fault\": {\"attempts\": 4, \"fallbacks\": 1}", "\"fault\": {\"attempts\": 4, \"fallbacks\": 2}");
	tap_ok(strstr(e, "vma_lock.roles.w.ops[*].fallbacks: expected a sum over ops of at most the role's 1") != NULL,
	       "vma_lock ops that count more fallbacks than their role: %s", e);
	/* a collapse proof's successes need their attempts (the gate sums both) */
	e = edited("\"type\": \"fault\",", "\"type\": \"fault\", \"collapse\": {\"succeeded\": 3},");
	tap_ok(strstr(e, "collapse.succeeded: expected a count with \"attempts\" beside it, got 3") != NULL,
	       "collapse successes without attempts: %s", e);
	e = edited("\"type\": \"fault\",", "\"type\": \"fault\", \"collapse\": {\"attempts\": 4, \"succeeded\": 3},");
	tap_ok(!*e, "collapse successes with their attempts: accepted (%s)", e);
	return tap_failed != 0;
}
