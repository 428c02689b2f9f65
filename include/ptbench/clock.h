/* The one clock every measurement uses: CLOCK_MONOTONIC through the vDSO, so
 * worker samples and tracefs events (trace_clock mono) share a time base. */
#ifndef PTBENCH_CLOCK_H
#define PTBENCH_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t pt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
