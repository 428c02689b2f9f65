/* Reading and writing one sysfs or proc file: the two primitives that the
 * sysfs push/pop (sysfs_settings.c), the machine-state undo
 * (machine_state.c) and the readers of kernel settings all use. They live
 * beneath all of them so that the state file, which records what a push
 * changed, does not have to reach back up into the push to undo it. */
#ifndef PTBENCH_SYSFS_IO_H
#define PTBENCH_SYSFS_IO_H

#include <stddef.h>

/* Write value to a sysfs file (open, write, close: async-signal-safe).
 * Returns 0 or -1 with errno. */
int pt_sysfs_write(const char *path, const char *value);
/* Read a sysfs/proc file's first line (brackets of "[madvise]" style choices
 * resolved to the selected word when select != 0). Returns 0 or -1. */
int pt_read_line(const char *path, char *buf, size_t len, int select);

#endif
