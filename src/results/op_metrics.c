/* The registry's lines (include/ptbench/metric.h) for what pt_hist_to_json
 * (result.c) writes: an op's statistics, and a lock's, which have the same
 * shape. An op gives ROLE.OP.NAME; a lock probe's statistics PREFIX.NAME,
 * listed as lock_show says and never gated by default. */
#include "ptbench/metric.h"

/* percentiles: a repeat with one op has none (that op is no distribution) */
#define PCT(k, n, tl, sh, lsh)                                                                      \
	{ .scope = PT_MS_HIST, .key = k, .value = PT_MV_UINT, .pool = PT_POOL_MEDIAN, .name = n,    \
	  .kind = PT_MK_LATENCY, .tail = tl, .show = sh, .lock_show = lsh, .flags = PT_MF_ORDERED, \
	  .min_count = 2 }

const struct pt_metric_def pt_op_metrics[] = {
	{ .scope = PT_MS_HIST, .key = "count", .value = PT_MV_UINT, .pool = PT_POOL_SUM, .flags = PT_MF_REQUIRED },
	{ .scope = PT_MS_HIST, .key = "ops_per_sec", .value = PT_MV_NUMBER, .pool = PT_POOL_MEDIAN,
	  .name = "ops_per_sec", .kind = PT_MK_RATE, .higher_better = true, .show = PT_SHOW_GATED,
	  .flags = PT_MF_OPS_ONLY, .min_count = 0 /* a repeat with no op did 0 ops/s */ },
	{ .scope = PT_MS_HIST, .key = "ns.min", .value = PT_MV_UINT, .pool = PT_POOL_MEDIAN,
	  .flags = PT_MF_ORDERED },
	PCT("ns.p50", "p50", false, PT_SHOW_DEFAULT, PT_SHOW_ALL),
	PCT("ns.p90", "p90", false, PT_SHOW_ALL, PT_SHOW_ALL),
	PCT("ns.p99", "p99", true, PT_SHOW_GATED, PT_SHOW_DEFAULT),
	PCT("ns.p999", "p999", true, PT_SHOW_DEFAULT, PT_SHOW_ALL),
	PCT("ns.p9999", "p9999", true, PT_SHOW_ALL, PT_SHOW_ALL),
	/* the slowest op: one op has one */
	{ .scope = PT_MS_HIST, .key = "ns.max", .value = PT_MV_UINT, .pool = PT_POOL_MEDIAN, .name = "max",
	  .kind = PT_MK_LATENCY, .tail = true, .show = PT_SHOW_DEFAULT, .lock_show = PT_SHOW_DEFAULT,
	  .flags = PT_MF_ORDERED, .min_count = 1 },
	{ .scope = PT_MS_HIST, .key = "ns.mean", .value = PT_MV_NUMBER, .pool = PT_POOL_MEDIAN },
	{ 0 },
};
