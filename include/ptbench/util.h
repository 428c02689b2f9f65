/* Small helpers with no better home. */
#ifndef PTBENCH_UTIL_H
#define PTBENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *pt_xmalloc(size_t n);
void *pt_xcalloc(size_t n, size_t size);
/* One out-of-memory policy everywhere: the pt_x* allocators print
 * "out of memory" and exit 5 (PT_EXIT_RUNTIME). */
void *pt_xrealloc(void *p, size_t n);
char *pt_xstrdup(const char *s);
/* asprintf that cannot fail (out of memory: pt_oom) */
__attribute__((format(printf, 1, 2))) char *pt_xasprintf(const char *fmt, ...);
/* The out-of-memory policy of every pt_x* function: a message, exit 5. */
__attribute__((noreturn)) void pt_oom(void);
/* s for sh: inside single quotes (pt_shell_quote), or as it is when it
 * holds nothing sh would read (pt_shell_word: commands shown to a reader) */
void pt_shell_quote(FILE *f, const char *s);
/* handler for each of sigs[0..n) with flags and an empty mask; the old
 * actions into saved[] when it is not NULL */
struct sigaction;
void pt_catch_signals(const int *sigs, size_t n, void (*handler)(int), int flags,
		      struct sigaction *saved);
void pt_shell_word(FILE *f, const char *s);
/* Read a whole file into a NUL-terminated malloc'd buffer; NULL on error. */
char *pt_read_file(const char *path, size_t *len);
/* pt_read_file for input files: only a regular file of at most max bytes
 * (a FIFO is not waited for, /dev/zero not read until memory runs out);
 * errno EINVAL for not a regular file, EISDIR, EFBIG for too large. */
char *pt_read_regular_file(const char *path, size_t max, size_t *len);
/* Words for an errno from pt_read_regular_file. */
const char *pt_read_error(int err);
/* Largest scenario file read (result files: result_read.h). */
#define PT_SCENARIO_MAX_BYTES (16u << 20)
/* Directory of the running binary (for scenarios/ and plots/ next to it). */
const char *pt_exe_dir(void);
/* Format ns for humans: "812ns", "12.3us", "4.56ms", "1.20s". */
const char *pt_fmt_ns(double ns, char *buf, size_t len);
/* "1.5 GiB" */
const char *pt_fmt_bytes(uint64_t bytes, char *buf, size_t len);
/* A test hook: sleep the milliseconds the environment variable env says
 * (nothing when unset or not positive), the whole of them even when a stop
 * signal's handler interrupts the sleep, so that a test can send a signal
 * at that point. */
void pt_test_pause(const char *env);
/* The program's version string. */
extern const char pt_version[];

/* The whole command line (set by main), for tool.argv and re-exec. */
extern int pt_argc;
extern char **pt_argv;

#endif
