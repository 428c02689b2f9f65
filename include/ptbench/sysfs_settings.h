/* Push/pop of sysfs settings (THP, khugepaged). Every value pushed is written
 * back on every exit path: normal return, exit(), SIGINT/SIGTERM (through the
 * runner's orderly stop) and fatal signals (the restore is async-signal-safe). */
#ifndef PTBENCH_SYSFS_SETTINGS_H
#define PTBENCH_SYSFS_SETTINGS_H

#include <stddef.h>

/* Save the current value of path and write value. Returns 0, or -1 with err. */
int pt_sysfs_push(const char *path, const char *value, char *err, size_t errlen);
/* Restore everything pushed, newest first. Safe to call more than once and
 * from a signal handler. */
void pt_sysfs_restore_all(void);
/* Write value to a sysfs file (open, write, close: async-signal-safe).
 * Returns 0 or -1 with errno. */
int pt_sysfs_write(const char *path, const char *value);
/* Read a sysfs/proc file's first line (brackets of "[madvise]" style choices
 * resolved to the selected word when select != 0). Returns 0 or -1. */
int pt_read_line(const char *path, char *buf, size_t len, int select);

#endif
