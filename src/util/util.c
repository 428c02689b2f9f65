/* Allocation that cannot fail quietly, file slurping, formatting. */
#define _GNU_SOURCE /* vasprintf */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ptbench/exitcodes.h"
#include "ptbench/util.h"

#ifndef PTBENCH_VERSION
#define PTBENCH_VERSION "0.1.0"
#endif
const char pt_version[] = PTBENCH_VERSION;

/* set by main(); here so the library objects link without main.o (tests) */
int pt_argc;
char **pt_argv;

/* The one out-of-memory policy: say so and exit 5 (the pt_x* allocators) */
void pt_oom(void)
{
	fprintf(stderr, "ptbench: out of memory\n");
	exit(PT_EXIT_RUNTIME);
}

char *pt_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		pt_oom();
	return s;
}

void *pt_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		pt_oom();
	return q;
}

void *pt_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		pt_oom();
	return p;
}

void *pt_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		pt_oom();
	return p;
}

char *pt_xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		pt_oom();
	return p;
}

char *pt_read_file(const char *path, size_t *lenp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, len = 0;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = pt_xmalloc(cap);
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				pt_oom();
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;

			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

const char *pt_exe_dir(void)
{
	static char dir[PATH_MAX];
	ssize_t n;
	char *slash;

	if (dir[0])
		return dir;
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n <= 0) {
		strcpy(dir, ".");
		return dir;
	}
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	return dir;
}

const char *pt_fmt_ns(double ns, char *buf, size_t len)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.0fns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.2fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
	return buf;
}

const char *pt_fmt_bytes(uint64_t bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1024 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
	return buf;
}

char *pt_read_regular_file(const char *path, size_t max, size_t *lenp)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	char *buf;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st)) {
		int e = errno;

		close(fd);
		errno = e;
		return NULL;
	}
	close(fd);
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return NULL;
	}
	if ((unsigned long long)st.st_size > max) {
		errno = EFBIG;
		return NULL;
	}
	/* a regular file: the ordinary read, still capped should it grow */
	buf = pt_read_file(path, lenp);
	if (buf && lenp && *lenp > max) {
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	return buf;
}

const char *pt_read_error(int err)
{
	if (err == EINVAL)
		return "not a regular file (a FIFO, a device or a socket)";
	if (err == EFBIG)
		return "too large";
	return strerror(err);
}

void pt_shell_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

void pt_shell_word(FILE *f, const char *s)
{
	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
			    "-_./:=,+%@") == strlen(s))
		fputs(s, f);
	else
		pt_shell_quote(f, s);
}

void pt_catch_signals(const int *sigs, size_t n, void (*handler)(int), int flags,
		      struct sigaction *saved)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	for (size_t i = 0; i < n; i++)
		sigaction(sigs[i], &sa, saved ? &saved[i] : NULL);
}

void pt_test_pause(const char *env)
{
	const char *ms = getenv(env);
	struct timespec ts;

	if (!ms || atoi(ms) <= 0)
		return;
	ts.tv_sec = atoi(ms) / 1000;
	ts.tv_nsec = (long)(atoi(ms) % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}
