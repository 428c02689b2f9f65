/* pt_record: samples that complete before the measured window are warm-up
 * and dropped by the recording thread itself; the first measured sample opens
 * timeline slot 0 at the window's start, so an iteration that straddles the
 * start of measuring keeps exactly its measured ops. */
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

	pt_record(&t, 0, 10, 20); /* warm-up: measuring has not begun */
	from = 1000;              /* the main thread starts measuring */
	pt_record(&t, 0, 900, 999);   /* completed in warm-up: dropped */
	pt_record(&t, 0, 990, 1050);  /* straddles the start: counts, slot 0 */
	pt_record(&t, 0, 1060, 1150); /* ends in slot 1 */
	pt_record(&t, 0, 1300, 1310); /* slot 3 */
	pt_record(&t, 0, 1400, 9999); /* beyond the last slot: absorbed by it */
	for (size_t i = 0; i < t.tl_slots; i++)
		count += t.timeline[0][i].count;
	tap_ok(t.hist[0]->count == 4, "4 of 6 samples recorded (2 completed before measuring): %llu",
	       (unsigned long long)t.hist[0]->count);
	tap_ok(count == 4, "the timeline holds the same 4");
	tap_ok(t.timeline[0][0].count == 1 && t.timeline[0][1].count == 1 && t.timeline[0][2].count == 0 &&
		       t.timeline[0][3].count == 1 && t.timeline[0][4].count == 1,
	       "each in the slot of its end, counted from the window's start");
	tap_ok(t.timeline[0][0].max == 60 && t.timeline[0][1].max == 90, "slot maxima are the samples' latencies");
	free(t.timeline[0]);
	free(t.hist[0]);
	return tap_done();
}
