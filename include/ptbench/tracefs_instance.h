/* ptbench's tracefs instances: their name (ptbench-PID) and the removal of
 * those a dead run left. The mmap_lock probe makes one per run
 * (mmap_lock_tracefs.c); the machine-state undo (machine_state.c) and
 * `ptbench restore` clear what a killed run left before they unmount. Both
 * use this file, so the state file needs nothing from the probe. */
#ifndef PTBENCH_TRACEFS_INSTANCE_H
#define PTBENCH_TRACEFS_INSTANCE_H

#include <stddef.h>
#include <sys/types.h>

/* The instance name of process pid: "ptbench-PID". */
void pt_tracefs_instance_name(char *buf, size_t len, pid_t pid);
/* Remove the instances ptbench-PID of dead PIDs (and this process's own)
 * under the tracefs whose root directory is open as root_fd; a live
 * ptbench's is left alone. Returns how many were removed, -1 when there
 * is no instances directory. */
int pt_tracefs_clean_stale_at(int root_fd);
/* The same for the tracefs mounted at tracing_dir; -1 when it cannot be
 * opened. */
int pt_tracefs_clean_stale(const char *tracing_dir);

#endif
