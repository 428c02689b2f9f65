/* Push/pop of sysfs settings (THP, khugepaged). Every value pushed is written
 * back on every exit path: normal return, exit(), SIGINT/SIGTERM (through the
 * runner's orderly stop) and fatal signals (the restore is async-signal-safe). */
#ifndef PTBENCH_SYSFS_SETTINGS_H
#define PTBENCH_SYSFS_SETTINGS_H

#include <stddef.h>

/* every caller of a push also reads the file first: the primitives come along */
#include "ptbench/sysfs_io.h"

/* Save the current value of path and write value. Returns 0, or -1 with err. */
int pt_sysfs_push(const char *path, const char *value, char *err, size_t errlen);
/* Restore everything pushed, newest first. Safe to call more than once and
 * from a signal handler. */
void pt_sysfs_restore_all(void);

#endif
