/* ptbench.config, the kernel config fragment of the options ptbench needs
 * or uses, held against a kernel's config: what is missing and what that
 * loses (`ptbench sysinfo --check-config`, and `vm`/`gate` on an image's
 * config-RELEASE). */
#ifndef PTBENCH_KCONFIG_CHECK_H
#define PTBENCH_KCONFIG_CHECK_H

#include <stddef.h>
#include <stdio.h>

struct json_object;

/* Where ptbench.config is: $PTBENCH_CONFIG_FRAGMENT, else next to the binary
 * (a build tree), PREFIX/share/ptbench relative to the binary, one level up
 * (build/ptbench-asan), else the compiled-in PREFIX's share/ptbench. */
const char *pt_kconfig_fragment_path(void);

/* The fragment's options against config (a .config, gzip or plain; NULL:
 * the running kernel's, /proc/config.gz else /boot/config-RELEASE):
 * {"fragment": PATH, "config": PATH, "checked": N, "missing": [{"option",
 * "want", "have" ("n", "absent" or the value), "lost"}]}. NULL with err
 * when either file cannot be read or the fragment is malformed (err names
 * FILE:LINE and why). */
struct json_object *pt_kconfig_check(const char *fragment, const char *config, char *err, size_t len);

/* One line per missing option ("CONFIG_X=y: have n: lost: ..."), each
 * prefixed with indent; "all N options set" when nothing is. */
void pt_kconfig_check_print(struct json_object *check, const char *indent, FILE *out);

#endif
