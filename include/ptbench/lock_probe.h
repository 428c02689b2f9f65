/* Which backend the mmap_lock probe uses: `--lock-probe bpf|tracefs|off` on
 * `ptbench run`, or `lock_probe` in [scenario]; auto (the default) takes BPF
 * where it loads, else tracefs, else runs without the probe. */
#ifndef PTBENCH_LOCK_PROBE_H
#define PTBENCH_LOCK_PROBE_H

#include <stdbool.h>

enum pt_lock_probe { PT_LOCK_PROBE_AUTO, PT_LOCK_PROBE_BPF, PT_LOCK_PROBE_TRACEFS, PT_LOCK_PROBE_OFF };

/* NULL-terminated, in enum order: the values of --lock-probe and lock_probe */
extern const char *const pt_lock_probe_names[];

/* Returns 0 and sets *out, or -1 for a name that is not one of them. */
int pt_lock_probe_parse(const char *s, enum pt_lock_probe *out);

/* `ptbench run`'s arguments: a bad --lock-probe, or --no-trace with a
 * backend, is a usage error (message printed, -1). */
int pt_lock_probe_check_args(const char *arg, bool no_trace);

#endif
