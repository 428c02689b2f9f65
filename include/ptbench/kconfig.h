/* The kernel config lines that decide how page tables are walked and freed:
 * from /proc/config.gz, else /boot/config-$(uname -r). */
#ifndef PTBENCH_KCONFIG_H
#define PTBENCH_KCONFIG_H

#include <stddef.h>

struct json_object;

/* {"source": PATH, "options": {"CONFIG_PER_VMA_LOCK": "y", ..., "CONFIG_HIGHPTE":
 * "n" (is not set) or "absent" (not in the file)}, "preempt_model": "none|voluntary|full|lazy|rt",
 * "preempt_dynamic": bool} or {"available": false, "why": ...}. */
struct json_object *pt_kconfig_json(void);
/* The same from one file (gzip or plain text); NULL if it cannot be read. */
struct json_object *pt_kconfig_from_file(const char *path);

/* The running kernel's config: /proc/config.gz, else /boot/config-RELEASE
 * (into buf); NULL when neither is readable. */
const char *pt_kconfig_running_path(char *buf, size_t len);
/* Each setting of a config file (gzip or plain text): each(name, value,
 * arg) with value "n" for "# NAME is not set". -1 if it cannot be opened. */
int pt_kconfig_each(const char *path, void (*each)(const char *name, const char *val, void *arg), void *arg);

/* Whether NAME (one of the options pt_kconfig_json keeps, e.g.
 * "CONFIG_PT_RECLAIM") is y or m: 1, 0 (not set or absent), -1 (no config). */
int pt_kconfig_enabled(const char *name);

#endif
