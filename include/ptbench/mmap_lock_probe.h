/* The mmap_lock probe's backends. `pt_probe_mmap_lock` (mmap_lock_select.c)
 * is the probe the runner sees: it picks one of these per repeat and adds
 * which one ran and why the others did not (probes.mmap_lock.backend, why).
 * Both write the same result keys, so compare and plot read either. */
#ifndef PTBENCH_MMAP_LOCK_PROBE_H
#define PTBENCH_MMAP_LOCK_PROBE_H

#include <stdbool.h>

#include "ptbench/mmap_lock_pair.h"
#include "ptbench/probe.h"

struct json_object;

/* tracefs: a private instance, events streamed and paired in user space */
extern const struct pt_probe pt_probe_mmap_lock_tracefs;
/* BPF: paired in the kernel, histograms read once per repeat */
extern const struct pt_probe pt_probe_mmap_lock_bpf;

/* The counters (when asked) and the wait/hold histograms by mode of one
 * group, under the result's names. */
void pt_ml_stats_json(struct json_object *o, const struct pt_ml_stats *st, double seconds, bool counters);

#endif
