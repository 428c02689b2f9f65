/* Result files on disk: the up-front check that the target can be written
 * (before minutes of measuring), the atomic write that only ever replaces a
 * regular file, and the fallback when the disk fills up at the end. */
#ifndef PTBENCH_OUTPUT_FILE_H
#define PTBENCH_OUTPUT_FILE_H

#include <stddef.h>

/* Prove that path can receive a result: it is a regular file or a new name,
 * its directory exists, is not on proc/sysfs/tracefs-like filesystems, and a
 * temporary file can be created, written and removed there. Stale temporary
 * files of dead ptbench runs for the same target are removed. Returns 0, or
 * -1 with why (no errno needed). */
int pt_output_check(const char *path, char *why, size_t len);

/* The same for a directory that commands fill (plot, gate, vm -o DIR): an
 * existing directory passes pt_output_check() for a name in it; a new one
 * must have a directory as its nearest existing ancestor, writable and not
 * on a kernel filesystem (a read-only filesystem fails access()). Creates
 * nothing. Returns 0, or -1 with why. */
int pt_output_dir_check(const char *dir, char *why, size_t len);

/* Write text (plus a newline) to PATH.tmp.PID in path's directory, fsync and
 * rename it over path; path must be a regular file or not exist. A fatal
 * signal (QUIT, SEGV, ...) during the write removes the temporary file.
 * Returns 0, or -1 with errno set (EEXIST-like refusals use EPERM and fill
 * why). */
int pt_output_write(const char *path, const char *text, size_t len, char *why, size_t whylen);

/* pt_output_write, and when that fails for lack of space or an I/O error,
 * the same text into $TMPDIR (or /tmp) under path's base name, then to
 * stdout as a last resort. *where receives the file written (malloc'd;
 * "-" for stdout). Returns 0 when written where asked, 1 when written
 * elsewhere (said on stderr), -1 when nothing could be written. */
int pt_output_save(const char *path, const char *text, size_t len, char **where);

#endif
