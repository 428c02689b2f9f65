/* The registry's lines (include/ptbench/metric.h) for the collapse proof of
 * shmem-/anon-collapse (collapse.c) and khugepaged's (khugepaged.c): the
 * counts the gate sums, and the ratios compare derives (ROLE.collapse.NAME,
 * ROLE.khugepaged.NAME: KEY per PER). */
#include "ptbench/metric.h"

#define C_RAW(s, k, v, p) { .scope = s, .key = k, .value = v, .pool = p }
#define RATIO(s, k, per_, n, hb, sh)                                                                \
	{ .scope = s, .key = k, .value = PT_MV_UINT, .pool = PT_POOL_SUM, .name = n, .per = per_,   \
	  .kind = PT_MK_RATIO, .higher_better = hb, .tol = PT_TOL_ABS, .show = sh }

const struct pt_metric_def pt_collapse_metrics[] = {
	C_RAW(PT_MS_COLLAPSE, "attempts", PT_MV_UINT, PT_POOL_SUM),
	{ .scope = PT_MS_COLLAPSE, .key = "succeeded", .value = PT_MV_UINT, .pool = PT_POOL_SUM,
	  .name = "success_rate", .per = "attempts", .kind = PT_MK_RATE, .higher_better = true,
	  .tol = PT_TOL_ABS, .show = PT_SHOW_GATED },
	RATIO(PT_MS_COLLAPSE, "pmds_collapsed", "attempts", "pmds_per_collapse", true, PT_SHOW_GATED),
	/* system-wide: another process's collapses count too; not gated */
	{ .scope = PT_MS_COLLAPSE, .key = "vmstat_delta.thp_collapse_alloc", .value = PT_MV_INT,
	  .pool = PT_POOL_SUM, .name = "thp_alloc_per_collapse", .per = "attempts", .kind = PT_MK_RATIO,
	  .higher_better = true, .tol = PT_TOL_ABS, .show = PT_SHOW_ALL },
	C_RAW(PT_MS_COLLAPSE, "success_rate", PT_MV_RATE, PT_POOL_MEDIAN),
	C_RAW(PT_MS_COLLAPSE, "failed_pmds", PT_MV_UINT, PT_POOL_SUM),
	C_RAW(PT_MS_COLLAPSE, "partial_pmds_after_failure", PT_MV_UINT, PT_POOL_SUM),
	C_RAW(PT_MS_COLLAPSE, "pmds_per_region", PT_MV_UINT, PT_POOL_MEDIAN),
	C_RAW(PT_MS_COLLAPSE, "measured.attempts", PT_MV_UINT, PT_POOL_SUM),
	C_RAW(PT_MS_COLLAPSE, "measured.succeeded", PT_MV_UINT, PT_POOL_SUM),
	C_RAW(PT_MS_COLLAPSE, "vmstat_delta.thp_collapse_alloc_failed", PT_MV_INT, PT_POOL_SUM),
	C_RAW(PT_MS_COLLAPSE, "vmstat_delta.thp_file_alloc", PT_MV_INT, PT_POOL_SUM),
	C_RAW(PT_MS_COLLAPSE, "vmstat_delta.thp_file_fallback", PT_MV_INT, PT_POOL_SUM),
	C_RAW(PT_MS_COLLAPSE, "vmstat_delta.thp_file_mapped", PT_MV_INT, PT_POOL_SUM),
	C_RAW(PT_MS_COLLAPSE, "vmstat_delta.thp_split_pmd", PT_MV_INT, PT_POOL_SUM),
	C_RAW(PT_MS_COLLAPSE, "vmstat_check.vmstat", PT_MV_INT, PT_POOL_SUM),
	C_RAW(PT_MS_COLLAPSE, "vmstat_check.worker_pmds", PT_MV_UINT, PT_POOL_SUM),
	C_RAW(PT_MS_COLLAPSE, "vmstat_check.failed_pmds", PT_MV_UINT, PT_POOL_SUM),
	RATIO(PT_MS_KHUGEPAGED, "pmds_collapsed", "iterations", "pmds_per_iteration", true, PT_SHOW_GATED),
	RATIO(PT_MS_KHUGEPAGED, "timeouts", "iterations", "timeouts_per_iteration", false, PT_SHOW_GATED),
	C_RAW(PT_MS_KHUGEPAGED, "iterations", PT_MV_UINT, PT_POOL_SUM),
	C_RAW(PT_MS_KHUGEPAGED, "pmds_per_region", PT_MV_UINT, PT_POOL_MEDIAN),
	C_RAW(PT_MS_KHUGEPAGED, "pmds_collapsed_after_stop", PT_MV_UINT, PT_POOL_SUM),
	C_RAW(PT_MS_KHUGEPAGED, "vmstat_check.vmstat", PT_MV_INT, PT_POOL_SUM),
	C_RAW(PT_MS_KHUGEPAGED, "vmstat_check.worker_pmds", PT_MV_UINT, PT_POOL_SUM),
	C_RAW(PT_MS_KHUGEPAGED, "vmstat_delta.thp_collapse_alloc", PT_MV_INT, PT_POOL_SUM),
	C_RAW(PT_MS_KHUGEPAGED, "vmstat_delta.thp_collapse_alloc_failed", PT_MV_INT, PT_POOL_SUM),
	C_RAW(PT_MS_KHUGEPAGED, "vmstat_delta.thp_file_alloc", PT_MV_INT, PT_POOL_SUM),
	C_RAW(PT_MS_KHUGEPAGED, "vmstat_delta.thp_file_fallback", PT_MV_INT, PT_POOL_SUM),
	C_RAW(PT_MS_KHUGEPAGED, "vmstat_delta.thp_file_mapped", PT_MV_INT, PT_POOL_SUM),
	C_RAW(PT_MS_KHUGEPAGED, "vmstat_delta.thp_split_pmd", PT_MV_INT, PT_POOL_SUM),
	{ 0 },
};
