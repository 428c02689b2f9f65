/* pt_record: an op counts when the iteration it is part of counts (the
 * runner sets t->counting before each iteration: it began inside the measured
 * window), whatever its own times; errors follow their op. The first measured
 * sample opens timeline slot 0 at the window's start. The runner's side of
 * the rule (the window's edges, with lock events) is test_window.c's. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/hist.h"
#include "ptbench/worker.h"
#include "tap.h"

int main(void)
{
	_Atomic uint64_t from = UINT64_MAX;
	struct pt_thread t;
	uint64_t count = 0;

	memset(&t, 0, sizeof(t));
	t.measure_from = &from;
	t.tl_interval = 100;
	t.tl_slots = 5;
	t.hist[0] = pt_hist_new();
	t.timeline[0] = calloc(t.tl_slots, sizeof(struct pt_tl_slot));

	pt_record(&t, 0, 10, 20); /* warm-up: the iteration does not count */
	pt_record_error(&t, 0, 5);
	from = 1000;              /* the main thread opens the window */
	pt_record(&t, 0, 900, 1010); /* an iteration begun in warm-up still does not */
	pt_record_error(&t, 0, 5);
	tap_ok(t.hist[0]->count == 0 && t.errors[0][5] == 0,
	       "an iteration that does not count records neither its ops nor their errors");
	t.counting = true;            /* the next iteration began in the window */
	pt_record(&t, 0, 1000, 1050); /* slot 0 */
	pt_record(&t, 0, 1060, 1150); /* ends in slot 1 */
	pt_record(&t, 0, 1300, 1310); /* slot 3 */
	pt_record_error(&t, 0, 5);
	pt_record(&t, 0, 1400, 9999); /* beyond the last slot (after the nominal end: still its iteration's) */
	pt_record_error(&t, 0, 1000); /* beyond the errno slots: the last one */
	for (size_t i = 0; i < t.tl_slots; i++)
		count += t.timeline[0][i].count;
	tap_ok(t.hist[0]->count == 4, "the 4 ops of counted iterations recorded: %llu",
	       (unsigned long long)t.hist[0]->count);
	tap_ok(t.errors[0][5] == 1 && t.errors[0][PT_ERRNO_SLOTS - 1] == 1, "with their errors");
	tap_ok(count == 4, "the timeline holds the same 4");
	tap_ok(t.timeline[0][0].count == 1 && t.timeline[0][1].count == 1 && t.timeline[0][2].count == 0 &&
		       t.timeline[0][3].count == 1 && t.timeline[0][4].count == 1,
	       "each in the slot of its end, counted from the window's start, the last absorbing the rest");
	tap_ok(t.timeline[0][0].max == 50 && t.timeline[0][1].max == 90, "slot maxima are the samples' latencies");
	t.counting = false;           /* the window closed */
	pt_record(&t, 0, 10000, 10001);
	tap_ok(t.hist[0]->count == 4, "an iteration begun after the window records nothing");
	free(t.timeline[0]);
	free(t.hist[0]);
	return tap_done();
}
