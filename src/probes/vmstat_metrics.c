/* The registry's lines (include/ptbench/metric.h) for the vmstat probe's
 * deltas that the gate sums over a boot's repeats (vmstat.c writes them);
 * its other numbers are medianed. */
#include "ptbench/metric.h"

#define DELTA(k) { .scope = PT_MS_VMSTAT, .key = "delta." k, .value = PT_MV_INT, .pool = PT_POOL_SUM }

const struct pt_metric_def pt_vmstat_metrics[] = {
	DELTA("thp_collapse_alloc"), DELTA("thp_collapse_alloc_failed"), DELTA("thp_file_alloc"),
	DELTA("thp_file_fallback"),  DELTA("thp_file_mapped"),	       DELTA("thp_split_pmd"),
	{ 0 },
};
