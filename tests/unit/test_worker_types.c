/* The worker list (bench/workers.c) as the rest of ptbench relies on it:
 * names unique, and each type's unit op (struct pt_worker_type's unit_op,
 * written into every role's result and read by compare and plot) one of its
 * own ops, absent only for a type without ops. A worker whose unit_op names
 * no op would write results the reader refuses, so this is checked here, for
 * every type, rather than found by the first run of it. */
#include <stdio.h>
#include <string.h>

#include "ptbench/worker.h"
#include "tap.h"

/* NULL when the type's unit op is sound, else why not. */
static const char *unit_op_problem(const struct pt_worker_type *w)
{
	bool has_ops = w->ops && w->ops[0];

	if (!w->unit_op)
		return has_ops ? "no unit_op, but the type has ops" : NULL;
	if (!has_ops)
		return "a unit_op, but the type has no ops";
	for (size_t k = 0; w->ops[k]; k++)
		if (!strcmp(w->ops[k], w->unit_op))
			return NULL;
	return "unit_op is none of the type's ops";
}

int main(void)
{
	static const char *const ops[] = { "a", "b", NULL }, *const none[] = { NULL };
	const struct pt_worker_type good = { .name = "t", .ops = ops, .unit_op = "b" };
	const struct pt_worker_type stray = { .name = "t", .ops = ops, .unit_op = "c" };
	const struct pt_worker_type unset = { .name = "t", .ops = ops };
	const struct pt_worker_type setup = { .name = "t", .ops = none, .setup_only = true };
	size_t n = 0;

	/* the check itself can fail */
	tap_ok(!unit_op_problem(&good), "the check passes a unit_op that is one of the ops");
	tap_ok(unit_op_problem(&stray) != NULL, "the check refuses a unit_op that is no op");
	tap_ok(unit_op_problem(&unset) != NULL, "the check refuses a type with ops and no unit_op");
	tap_ok(!unit_op_problem(&setup), "the check passes a setup-only type without one");

	for (size_t i = 0; pt_worker_types[i]; i++, n++) {
		const struct pt_worker_type *w = pt_worker_types[i];
		const char *why = unit_op_problem(w);

		tap_ok(!why, "%s: unit op %s%s%s", w->name, w->unit_op ? w->unit_op : "(none)", why ? ": " : "",
		       why ? why : "");
		tap_ok(pt_worker_find(w->name) == w, "%s: found by its name, and no other type has it", w->name);
	}
	tap_ok(n >= 14, "the list has the worker types (%zu)", n);
	return tap_done();
}
