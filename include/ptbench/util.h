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
/* Read a whole file into a NUL-terminated malloc'd buffer; NULL on error. */
char *pt_read_file(const char *path, size_t *len);
/* Directory of the running binary (for scenarios/ and plots/ next to it). */
const char *pt_exe_dir(void);
/* Format ns for humans: "812ns", "12.3us", "4.56ms", "1.20s". */
const char *pt_fmt_ns(double ns, char *buf, size_t len);
/* "1.5 GiB" */
const char *pt_fmt_bytes(uint64_t bytes, char *buf, size_t len);
/* The program's version string. */
extern const char pt_version[];

#endif
