/* The op marker (worker.h, op_marker.h): pt_op_begin marks the op and its
 * start, pt_record and pt_op_end clear it, counted or not; a thread without
 * a slot marks nothing; slots past the array's end are refused; without BPF
 * the array is plain memory and says why. The BPF side (a probe reading the
 * marks) is tests/integration/lock_bpf.t's. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/hist.h"
#include "ptbench/op_marker.h"
#include "ptbench/worker.h"
#include "tap.h"

int main(void)
{
	_Atomic uint64_t from = UINT64_MAX;
	struct pt_thread t;
	struct pt_op_mark *m;
	const char *why = NULL;
	uint64_t t0;
	bool in_bpf;

	tap_plan(8);
	/* the test switch: the array is plain memory (made on first use) */
	setenv("PTBENCH_TEST_NO_BPF", "1", 1);
	m = pt_op_mark_slot(3);
	tap_ok(m && !m->op && !m->since, "a slot starts in no op");
	in_bpf = pt_op_marks_in_bpf(&why);
	tap_ok(!in_bpf && why && strstr(why, "PTBENCH_TEST_NO_BPF"),
	       "without BPF the markers are plain memory, and it says why (%s)", why ? why : "(null)");
	tap_ok(pt_op_mark_slot(PT_OP_MARK_SLOTS) == NULL, "a slot past the array's end is refused");

	memset(&t, 0, sizeof(t));
	t.measure_from = &from;
	t.tl_interval = 100;
	t.tl_slots = 2;
	t.hist[1] = pt_hist_new();
	t.timeline[1] = calloc(t.tl_slots, sizeof(struct pt_tl_slot));
	t.op_mark = m;
	t0 = pt_op_begin(&t, 1);
	tap_ok(m->op == 2 && m->since == t0 && t0 > 0, "pt_op_begin marks op 1 (stored as 2) since its t0");
	pt_record(&t, 1, t0, t0 + 5); /* warm-up: not counted, the mark still ends */
	tap_ok(m->op == 0 && t.hist[1]->count == 0, "pt_record ends the mark of an op that does not count");
	tap_ok(pt_op_begin_at(&t, 0, 77) == 77 && m->op == 1 && m->since == 77, "pt_op_begin_at marks with a given start");
	pt_op_end(&t);
	tap_ok(m->op == 0, "pt_op_end ends the mark");
	t.op_mark = NULL;
	t.counting = true;
	from = 0;
	t0 = pt_op_begin(&t, 1);
	pt_record(&t, 1, t0, t0 + 5);
	tap_ok(t.hist[1]->count == 1, "a thread without a slot times its ops all the same");
	free(t.hist[1]);
	free(t.timeline[1]);
	return tap_failed != 0;
}
