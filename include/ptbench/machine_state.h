/* What ptbench changed on the machine, recorded outside the process so that
 * a run killed with SIGKILL (or by the OOM killer) can still be undone: the
 * state file ($PTBENCH_STATE_DIR, default /run/ptbench, file "state") lists
 * every sysfs value pushed with its true original and every tracefs mount
 * ptbench made. One run at a time holds the lock (flock on "lock" in the
 * same directory) for as long as it may change anything; the next run, or
 * `ptbench restore`, undoes what a dead holder left. */
#ifndef PTBENCH_MACHINE_STATE_H
#define PTBENCH_MACHINE_STATE_H

#include <stdbool.h>
#include <stddef.h>

/* The state directory: $PTBENCH_STATE_DIR or /run/ptbench. */
const char *pt_state_dir(void);

/* The state directory must be owned by the effective user and writable by
 * nobody else, every file in it a regular file reached without following a
 * symbolic link; a record may name only the THP/khugepaged sysfs files
 * ptbench pushes and the tracefs mount point it mounts. What breaks this is
 * refused (said on stderr): acquire and restore return PT_EXIT_USAGE, and
 * a refused state file is neither acted on nor removed. */

/* Take the lock for this run. A live ptbench holding it is waited for (said
 * once on stderr; a stop signal ends the wait); what a dead one left is
 * restored first (and said). Returns 0, 128+N when a stop signal ended the
 * wait, or PT_EXIT_RUNTIME when the lock cannot be taken. A state directory
 * that cannot be created is warned about and the run goes on without it.
 * Without root (and no $PTBENCH_STATE_DIR) it returns 0 and holds nothing:
 * such a run cannot change sysfs or mount anything. */
int pt_state_acquire(void);
/* Give the lock back: records whose change is already undone are dropped,
 * the rest (a value that would not go back, a busy mount) stay for the next
 * run or `ptbench restore`. Called at the end of a run and from atexit. */
void pt_state_release(void);

/* Record a sysfs value about to be written (path, its original, the new
 * value); the first original of a path is kept. A no-op without the lock. */
void pt_state_note_sysfs(const char *path, const char *original, const char *pushed);
/* Record a tracefs mount this process is about to make at dir (before
 * mount(), with the source "ptbench-PID": pt_tracefs_instance_name()), then
 * its mount id once made, and forget it once unmounted (or when mount()
 * failed). A record whose mount never happened undoes nothing. */
void pt_state_note_mount_intent(const char *dir);
void pt_state_note_mount(const char *dir);
void pt_state_forget_mount(const char *dir);

/* For fatal-signal handlers (async-signal-safe): a sysfs file was written
 * back to value (NULL: the write failed), the tracefs at dir was unmounted;
 * then pt_state_fatal_commit() rewrites the state file with only the records
 * not undone, or removes it when none is left, so that a later run or
 * `ptbench restore` does not undo what someone sets afterwards. */
void pt_state_fatal_sysfs_undone(const char *path, const char *value);
void pt_state_fatal_mount_undone(const char *dir);
void pt_state_fatal_commit(void);

/* `ptbench restore`: undo what the state file records (the holder must be
 * gone) and remove stale tracefs instances. verbose: say what was done.
 * Returns an exit code: 0 done or nothing to do, 4 a live run holds the
 * lock (it restores when it ends) or not root, 5 something would not go
 * back (said why). */
int pt_state_restore_now(bool verbose);

/* Whether a sysfs record may name path: absolute, no empty, "." or ".."
 * component, no symbolic link on the way (realpath gives it back
 * unchanged), and one of the THP/khugepaged files ptbench pushes. why says
 * what is wrong. */
bool pt_state_sysfs_allowed(const char *path, char *why, size_t len);
/* Parse a state file's text into the module's records (load() and the
 * fuzzer): the number of records, or -1 with why ("line N: ..."). */
int pt_state_parse(const char *text, size_t len, int *pid, char *why, size_t whylen);
/* For the unit tests only (not reachable from the command line or the
 * environment): the directory that stands for
 * /sys/kernel/mm/transparent_hugepage; NULL puts the real one back. */
void pt_state_set_sysfs_root(const char *dir);

#endif
