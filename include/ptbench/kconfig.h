/* The kernel config lines that decide how page tables are walked and freed:
 * from /proc/config.gz, else /boot/config-$(uname -r). */
#ifndef PTBENCH_KCONFIG_H
#define PTBENCH_KCONFIG_H

struct json_object;

/* {"source": PATH, "options": {"CONFIG_PER_VMA_LOCK": "y", ..., "CONFIG_HIGHPTE":
 * "n" (is not set) or "absent" (not in the file)}, "preempt_model": "none|voluntary|full|lazy|rt",
 * "preempt_dynamic": bool} or {"available": false, "why": ...}. */
struct json_object *pt_kconfig_json(void);
/* The same from one file (gzip or plain text); NULL if it cannot be read. */
struct json_object *pt_kconfig_from_file(const char *path);

#endif
