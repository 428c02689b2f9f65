/* Result files: prove up front that the target can take a result, write it
 * atomically without ever replacing anything but a regular file, and keep
 * the result somewhere when the disk fails at the end. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "ptbench/output_file.h"
#include "ptbench/util.h"

/* Filesystems where a "file" is a kernel interface, never a place for a
 * result (linux/magic.h numbers, spelled out to keep the header optional). */
static const struct {
	unsigned long magic;
	const char *name;
} kernel_fs[] = {
	{ 0x9fa0, "proc" },          { 0x62656572, "sysfs" },      { 0x74726163, "tracefs" },
	{ 0x64626720, "debugfs" },   { 0x27e0eb, "cgroup" },       { 0x63677270, "cgroup2" },
	{ 0x73636673, "securityfs" }, { 0xcafe4a11, "bpf" },       { 0x1cd1, "devpts" },
	{ 0x62656570, "configfs" },  { 0x6165676c, "pstore" },     { 0xde5e81e4, "efivarfs" },
	{ 0x42494e4d, "binfmt_misc" },
};

static const char *file_kind(mode_t m)
{
	if (S_ISREG(m))
		return "a regular file";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISLNK(m))
		return "a symbolic link";
	return "not a regular file";
}

/* path's directory ("." for a bare name) into dir. */
static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The target itself: a regular file or a new name, nothing else. */
static int check_target(const char *path, char *why, size_t len)
{
	struct stat st;

	if (!lstat(path, &st)) {
		if (S_ISREG(st.st_mode))
			return 0;
		snprintf(why, len, "%s is %s; results are written only to regular files or new names%s",
			 path, file_kind(st.st_mode),
			 S_ISLNK(st.st_mode) ? " (give the path it points to)" : "");
		errno = EPERM;
		return -1;
	}
	if (errno == ENOENT)
		return 0;
	if (errno == ENOTDIR)
		snprintf(why, len, "%s: a part of the path before the file name is not a directory", path);
	else
		snprintf(why, len, "%s: %s", path, strerror(errno));
	return -1;
}

/* Temporary files PATH.tmp.PID whose PID is gone (a run killed while
 * writing) are ours to remove. */
static void remove_stale_temps(const char *dir, const char *base)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t blen = strlen(base);

	if (!d)
		return;
	while ((de = readdir(d))) {
		char tail;
		int pid;

		if (strncmp(de->d_name, base, blen) || strncmp(de->d_name + blen, ".tmp.", 5) ||
		    sscanf(de->d_name + blen + 5, "%d%c", &pid, &tail) != 1 || pid <= 0 ||
		    pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			fprintf(stderr, "ptbench: removed %s/%s, left by a run that died while writing\n",
				dir, de->d_name);
	}
	closedir(d);
}

static const char *kernel_fs_of(const char *dir)
{
	struct statfs fs;

	if (!statfs(dir, &fs))
		for (size_t i = 0; i < PT_ARRAY_SIZE(kernel_fs); i++)
			if ((unsigned long)fs.f_type == kernel_fs[i].magic)
				return kernel_fs[i].name;
	return NULL;
}

int pt_output_dir_check(const char *dir, char *why, size_t len)
{
	char up[PATH_MAX], probe[PATH_MAX + 32];
	const char *kfs;
	struct stat st;
	char *slash;

	if (!*dir) {
		snprintf(why, len, "empty directory name");
		return -1;
	}
	if (strlen(dir) >= PATH_MAX - 64) {
		snprintf(why, len, "%.64s...: path too long", dir);
		return -1;
	}
	if (!stat(dir, &st)) {
		if (!S_ISDIR(st.st_mode)) {
			snprintf(why, len, "%s is %s, not a directory", dir, file_kind(st.st_mode));
			return -1;
		}
		if ((kfs = kernel_fs_of(dir))) {
			snprintf(why, len, "%s is on %s, a kernel filesystem: not a place for results", dir, kfs);
			return -1;
		}
		/* the same proof as for a result file, with a name of our own */
		snprintf(probe, sizeof(probe), "%s/.ptbench-dir", dir);
		return pt_output_check(probe, why, len);
	}
	if (errno != ENOENT) {
		snprintf(why, len, "%s: %s", dir, errno == ENOTDIR ? "a part of the path is not a directory"
								   : strerror(errno));
		return -1;
	}
	/* a new directory: its nearest existing ancestor must take it */
	snprintf(up, sizeof(up), "%s", dir);
	for (;;) {
		while ((slash = strrchr(up, '/')) && slash > up && !slash[1])
			*slash = '\0'; /* trailing slashes */
		slash = strrchr(up, '/');
		if (!slash)
			snprintf(up, sizeof(up), ".");
		else
			slash[slash == up] = '\0';
		if (!stat(up, &st) || errno != ENOENT || !strcmp(up, ".") || !strcmp(up, "/"))
			break;
	}
	if (stat(up, &st)) {
		snprintf(why, len, "%s: %s: %s", dir, up, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, len, "%s: %s is %s, not a directory", dir, up, file_kind(st.st_mode));
		return -1;
	}
	if ((kfs = kernel_fs_of(up))) {
		snprintf(why, len, "%s is on %s, a kernel filesystem: not a place for results", dir, kfs);
		return -1;
	}
	if (access(up, W_OK | X_OK)) {
		snprintf(why, len, "cannot create %s in %s: %s", dir, up, strerror(errno));
		return -1;
	}
	return 0;
}

int pt_output_check(const char *path, char *why, size_t len)
{
	char dir[PATH_MAX], probe[PATH_MAX + 32];
	const char *kfs;
	struct stat st;
	int fd;

	if (!*path) {
		snprintf(why, len, "empty file name");
		return -1;
	}
	if (strlen(path) >= PATH_MAX - 32) {
		snprintf(why, len, "%.64s...: path too long", path);
		return -1;
	}
	if (check_target(path, why, len))
		return -1;
	dir_of(path, dir, sizeof(dir));
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(why, len, "%s: directory %s %s", path, dir,
			 errno == ENOENT ? "does not exist" : "is not usable");
		return -1;
	}
	if ((kfs = kernel_fs_of(dir))) {
		snprintf(why, len, "%s is on %s, a kernel filesystem: not a place for a result", path, kfs);
		return -1;
	}
	remove_stale_temps(dir, base_of(path));
	/* the only proof that counts: create, write and remove a file there */
	snprintf(probe, sizeof(probe), "%s.probe.%d", path, (int)getpid());
	unlink(probe);
	fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(why, len, "cannot create a file in %s: %s", dir, strerror(errno));
		return -1;
	}
	if (write(fd, "{", 1) != 1) {
		snprintf(why, len, "cannot write a file in %s: %s", dir, strerror(errno));
		close(fd);
		unlink(probe);
		return -1;
	}
	close(fd);
	if (unlink(probe)) {
		snprintf(why, len, "cannot remove %s: %s", probe, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- the write, with the temporary file removed on a fatal signal ------- */

static char active_tmp[PATH_MAX + 32];
static volatile sig_atomic_t tmp_active;
static const int fatal_sigs[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGQUIT };
static struct sigaction saved_fatal[PT_ARRAY_SIZE(fatal_sigs)];

static void on_fatal(int sig)
{
	size_t i;

	/* unlink() is async-signal-safe; the name was written before the flag */
	if (tmp_active)
		unlink(active_tmp);
	tmp_active = 0;
	for (i = 0; i < PT_ARRAY_SIZE(fatal_sigs) && fatal_sigs[i] != sig; i++)
		;
	if (i < PT_ARRAY_SIZE(fatal_sigs))
		sigaction(sig, &saved_fatal[i], NULL);
	raise(sig);
}

static void hooks(bool on)
{
	if (!on) {
		for (size_t i = 0; i < PT_ARRAY_SIZE(fatal_sigs); i++)
			sigaction(fatal_sigs[i], &saved_fatal[i], NULL);
		return;
	}
	pt_catch_signals(fatal_sigs, PT_ARRAY_SIZE(fatal_sigs), on_fatal, SA_RESETHAND, saved_fatal);
}

static int write_all(int fd, const char *text, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)n;
	}
	return 0;
}

int pt_output_write(const char *path, const char *text, size_t len, char *why, size_t whylen)
{
	int fd, e;

	why[0] = '\0';
	if (strlen(path) >= PATH_MAX - 32) {
		snprintf(why, whylen, "path too long");
		errno = ENAMETOOLONG;
		return -1;
	}
	if (check_target(path, why, whylen))
		return -1;
	snprintf(active_tmp, sizeof(active_tmp), "%s.tmp.%d", path, (int)getpid());
	hooks(true);
	unlink(active_tmp);
	fd = open(active_tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		e = errno;
		snprintf(why, whylen, "cannot create %s: %s", active_tmp, strerror(e));
		hooks(false);
		errno = e;
		return -1;
	}
	tmp_active = 1;
	if (write_all(fd, text, len) || write_all(fd, "\n", 1)) {
		e = errno;
		close(fd);
		goto fail;
	}
	/* the tests' stand-in for a slow disk, so that a signal can be
	 * sent while the temporary file exists */
	pt_test_pause("PTBENCH_TEST_SLOW_FSYNC_MS");
	if (fsync(fd)) {
		e = errno;
		close(fd);
		goto fail;
	}
	if (close(fd)) {
		e = errno;
		goto fail;
	}
	/* the target may have changed since the check: still never replace
	 * anything but a regular file */
	if (check_target(path, why, whylen)) {
		e = errno;
		goto fail_quiet;
	}
	if (rename(active_tmp, path)) {
		e = errno;
		goto fail;
	}
	tmp_active = 0;
	hooks(false);
	return 0;
fail:
	snprintf(why, whylen, "%s", strerror(e));
fail_quiet:
	tmp_active = 0;
	unlink(active_tmp);
	hooks(false);
	errno = e;
	return -1;
}

int pt_output_save(const char *path, const char *text, size_t len, char **where)
{
	char why[PATH_MAX + 128], why2[PATH_MAX + 128], alt[PATH_MAX];
	const char *tmpdir = getenv("TMPDIR");

	*where = NULL;
	if (!pt_output_write(path, text, len, why, sizeof(why))) {
		*where = pt_xstrdup(path);
		return 0;
	}
	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
	snprintf(alt, sizeof(alt), "%s/ptbench-rescued-%d-%s", tmpdir, (int)getpid(), base_of(path));
	if (!pt_output_write(alt, text, len, why2, sizeof(why2))) {
		fprintf(stderr, "ptbench: cannot write %s: %s; the result was saved to %s instead\n",
			path, why, alt);
		*where = pt_xstrdup(alt);
		return 1;
	}
	fprintf(stderr, "ptbench: cannot write %s (%s) nor %s (%s); the result follows on stdout\n",
		path, why, alt, why2);
	if (write_all(1, text, len) || write_all(1, "\n", 1))
		return -1;
	*where = pt_xstrdup("-");
	return 1;
}
