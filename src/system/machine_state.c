/* The state file: what this run (or a dead one) changed on the machine,
 * under a lock that one run holds at a time. Text, one record a line:
 *   ptbench-state 1
 *   pid PID
 *   sysfs<TAB>PATH<TAB>ORIGINAL<TAB>PUSHED
 *   mount<TAB>tracefs<TAB>DIR<TAB>MOUNT_ID<TAB>PID
 * (PID: the run that mounted it; a file without it means the pid line's.)
 * Each record is written before its change is made (a SIGKILL anywhere
 * leaves a record of every change). A mount is recorded with MOUNT_ID 0
 * before mount(), and with its id once made. ptbench mounts tracefs with
 * the source "ptbench-PID" (PID: the 5th field), so a mount is recognised
 * as ours by that source: a record of a mount that never happened, or whose
 * mount id was reused by someone else's tracefs, undoes nothing.
 * A value goes back only while it still holds what ptbench pushed, and a
 * mount is undone only while ours (its source, and its id when recorded)
 * is there: whatever someone changed since is theirs, and left alone.
 *
 * The file is replaced atomically (state.tmp, fsync, rename). A state.tmp
 * left by a run that died before the rename is read too: records it holds
 * that state lacks are acted on like the others (whatever it records was
 * at most about to be made; the undo checks what is there).
 *
 * A fatal signal's handlers undo what they can and then settle the file
 * (pt_state_fatal_commit): records undone go, the rest stay.
 *
 * ptbench runs as root and the next run acts on what this file says, so
 * the file is input to be distrusted: the directory must
 * be owned by the user running ptbench and writable by nobody else (else
 * anyone could write a record and have root write any file), every file in
 * it is opened without following a symbolic link and without waiting (a
 * FIFO), and must be a regular file of bounded size with one link; a record
 * may name only the THP and khugepaged files ptbench pushes and the tracefs
 * mount point it mounts. A file that breaks any of this is refused whole:
 * nothing in it is undone, it is kept for a human to read, exit 2. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ptbench/exitcodes.h"
#include "ptbench/machine_state.h"
#include "ptbench/stop_signal.h"
#include "ptbench/sysfs_io.h"
#include "ptbench/tracefs_instance.h"
#include "ptbench/util.h"

/* ptbench writes at most the 8 sysfs files below and one mount: a file with
 * more records than this was not written by ptbench */
#define MAX_RECORDS 64
/* the largest state file read: MAX_RECORDS lines of at most LINE_MAX_LEN */
#define LINE_MAX_LEN 1024
#define STATE_MAX_BYTES (MAX_RECORDS * LINE_MAX_LEN + 64)
/* the lock file holds a pid */
#define LOCK_MAX_BYTES 64

struct record {
	bool mount;         /* a tracefs mount, else a sysfs value */
	char path[200];
	char original[120]; /* sysfs: the true original */
	char pushed[120];   /* sysfs: what ptbench wrote */
	int mount_id;       /* mount: its id in /proc/self/mountinfo, 0 before mount() */
	int pid;            /* the run that wrote the record (mount: its source ptbench-PID) */
	/* set by a fatal-signal handler once the change is undone */
	volatile sig_atomic_t settled;
};

/* The only sysfs files ptbench pushes, relative to the THP directory:
 * the plan (src/run/plan.c: thp_enabled, thp_defrag, thp_shmem_enabled) and
 * bench/khugepaged.c (its scan settings). A new push must be added here, or
 * its record is refused. */
static const char *const sysfs_allowed[] = {
	"enabled",
	"defrag",
	"shmem_enabled",
	"khugepaged/scan_sleep_millisecs",
	"khugepaged/pages_to_scan",
	"khugepaged/defrag",
	"khugepaged/alloc_sleep_millisecs",
	"khugepaged/max_ptes_none",
};
#define THP_ROOT "/sys/kernel/mm/transparent_hugepage"
static const char *sysfs_root = THP_ROOT;
/* The only mount point ptbench mounts tracefs on (mmap_lock_tracefs.c). */
static const char *const mounts_allowed[] = { "/sys/kernel/tracing" };

static struct record recs[MAX_RECORDS];
/* set while recs[] is being changed: a fatal handler then leaves the state
 * file as it is on disk (it may hold more than is left, never less) */
static volatile sig_atomic_t recs_changing;
/* said once, before the first thing actually undone (a run whose fatal
 * handler already put everything back leaves records that need nothing) */
static char header[256];

static void say_header(void)
{
	if (header[0])
		fprintf(stderr, "%s\n", header);
	header[0] = '\0';
}
static int nrecs;
static int lock_fd = -1;
/* the state directory, opened once and checked (owner, mode): every file
 * in it is reached through this descriptor, so a directory swapped in
 * after the check is not used */
static int dir_fd = -1;
static bool atexit_done;

const char *pt_state_dir(void)
{
	const char *env = getenv("PTBENCH_STATE_DIR");

	return env && *env ? env : "/run/ptbench";
}

void pt_state_set_sysfs_root(const char *dir)
{
	sysfs_root = dir ? dir : THP_ROOT;
}

/* ---- what a record may name -------------------------------------------- */

bool pt_state_sysfs_allowed(const char *path, char *why, size_t len)
{
	char canon[PATH_MAX], root[PATH_MAX];
	const char *rest;
	size_t rl;

	if (path[0] != '/') {
		snprintf(why, len, "'%s' is not an absolute path", path);
		return false;
	}
	/* no "." or ".." component, no empty one: the path must already be in
	 * the one spelling that realpath gives */
	for (const char *p = path; *p; p++) {
		if (p[0] == '/' && (p[1] == '/' || p[1] == '\0' ||
				    (p[1] == '.' && (p[2] == '/' || p[2] == '\0' ||
						     (p[2] == '.' && (p[3] == '/' || p[3] == '\0')))))) {
			snprintf(why, len, "'%s' holds an empty, '.' or '..' component", path);
			return false;
		}
	}
	if (!realpath(sysfs_root, root)) {
		snprintf(why, len, "'%s': no %s on this machine (%s)", path, sysfs_root, strerror(errno));
		return false;
	}
	if (!realpath(path, canon)) {
		snprintf(why, len, "'%s': %s", path, strerror(errno));
		return false;
	}
	if (strcmp(canon, path)) {
		snprintf(why, len, "'%s' leads through a symbolic link to '%s'", path, canon);
		return false;
	}
	rl = strlen(root);
	if (strncmp(canon, root, rl) || canon[rl] != '/')
		goto not_ours;
	rest = canon + rl + 1;
	for (size_t i = 0; i < PT_ARRAY_SIZE(sysfs_allowed); i++)
		if (!strcmp(rest, sysfs_allowed[i]))
			return true;
not_ours:
	snprintf(why, len, "'%s' is not one of the THP or khugepaged files under %s that ptbench pushes",
		 path, root);
	return false;
}

static bool mount_allowed(const char *dir)
{
	for (size_t i = 0; i < PT_ARRAY_SIZE(mounts_allowed); i++)
		if (!strcmp(dir, mounts_allowed[i]))
			return true;
	return false;
}

/* ---- the state directory and its files ------------------------------- */

static const char *kind_of(mode_t m)
{
	return S_ISDIR(m)  ? "a directory"
	       : S_ISFIFO(m) ? "a FIFO"
	       : S_ISCHR(m)  ? "a character device"
	       : S_ISBLK(m)  ? "a block device"
	       : S_ISSOCK(m) ? "a socket"
	       : S_ISLNK(m)  ? "a symbolic link"
			     : "not a plain file";
}

/* Open the state directory (creating it, and its parent: a bare initramfs
 * under `ptbench vm` may have no /run) and check who may write it. Returns
 * the descriptor; -1 when it cannot be created or opened (errno; the caller
 * may go on without a state file); -2 when it is refused (said). */
static int open_dir(const char *who)
{
	const char *dir = pt_state_dir();
	char parent[PATH_MAX], *slash;
	struct stat st;
	int fd, e;

	if (dir[0] != '/') {
		/* a relative one would be another directory from another cwd:
		 * a run and a later restore would not see the same state */
		fprintf(stderr, "%s: refusing the state directory %s: not an absolute path; PTBENCH_STATE_DIR must be absolute, else the state depends on the working directory\n",
			who, dir);
		return -2;
	}
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		(void)mkdir(parent, 0755); /* the mkdir below says why */
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -1;
	/* O_NOFOLLOW: a symbolic link as the directory could point anywhere */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		if (e == ELOOP || e == ENOTDIR) {
			/* O_DIRECTORY reports a symbolic link as ENOTDIR */
			bool link = e == ELOOP || (!lstat(dir, &st) && S_ISLNK(st.st_mode));

			fprintf(stderr, "%s: refusing the state directory %s: %s; it must be a directory owned by uid %d and writable only by it (PTBENCH_STATE_DIR)\n",
				who, dir, link ? "it is a symbolic link" : "not a directory", (int)geteuid());
			return -2;
		}
		errno = e;
		return -1;
	}
	if (fstat(fd, &st)) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		char what[96];

		if (st.st_uid != geteuid())
			snprintf(what, sizeof(what), "it is owned by uid %d, not by uid %d who runs ptbench",
				 (int)st.st_uid, (int)geteuid());
		else
			snprintf(what, sizeof(what), "it is writable by %s (mode %04o)",
				 st.st_mode & S_IWOTH ? "other users" : "its group",
				 (unsigned)(st.st_mode & 07777));
		fprintf(stderr, "%s: refusing the state directory %s: %s; whoever may write it could make ptbench write or unmount what the state file names. Use a directory owned by uid %d and writable only by it (chmod go-w), or another PTBENCH_STATE_DIR\n",
			who, dir, what, (int)geteuid());
		close(fd);
		return -2;
	}
	return fd;
}

/* Open NAME in the state directory: never through a symbolic link, never
 * waiting (a FIFO), and only a regular file with one link of at most max
 * bytes. Returns the descriptor, -1 with errno ENOENT when absent, -2 when
 * refused (said). */
static int open_in_dir(const char *who, const char *name, int flags, size_t max)
{
	struct stat st;
	int fd = openat(dir_fd, name, flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644);
	const char *why = NULL;
	char buf[64];

	if (fd < 0) {
		if (errno == ENOENT)
			return -1;
		if (errno == ELOOP)
			why = "a symbolic link";
		else
			why = strerror(errno);
	} else if (fstat(fd, &st)) {
		why = strerror(errno);
	} else if (!S_ISREG(st.st_mode)) {
		why = kind_of(st.st_mode);
	} else if (st.st_nlink != 1) {
		snprintf(buf, sizeof(buf), "a file with %lu hard links", (unsigned long)st.st_nlink);
		why = buf;
	} else if ((unsigned long long)st.st_size > max) {
		snprintf(buf, sizeof(buf), "%lld bytes, more than %zu", (long long)st.st_size, max);
		why = buf;
	}
	if (!why) {
		/* a regular file: blocking reads and writes from here on */
		if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK))
			why = strerror(errno);
		else
			return fd;
	}
	fprintf(stderr, "%s: refusing %s/%s: %s, not a file ptbench wrote. Look at it and remove it\n",
		who, pt_state_dir(), name, why);
	if (fd >= 0)
		close(fd);
	return -2;
}

/* The id of the tracefs mounted at dir, -1 if none; src (when not NULL)
 * gets its mount source. */
static int mount_id_at(const char *dir, char *src, size_t srclen)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	int id = -1;

	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		char mp[PATH_MAX], source[64], *dash;
		int mid;

		if (sscanf(line, "%d %*d %*s %*s %4095s", &mid, mp) != 2)
			continue;
		dash = strstr(line, " - ");
		if (!dash || strncmp(dash + 3, "tracefs ", 8) || strcmp(mp, dir))
			continue;
		id = mid; /* the last one is the one on top */
		if (src && sscanf(dash + 3, "tracefs %63s", source) == 1)
			snprintf(src, srclen, "%s", source);
		else if (src)
			src[0] = '\0';
	}
	free(line);
	fclose(f);
	return id;
}

/* Whether the tracefs on top at r->path is the one r records: mounted by
 * ptbench pid r->pid (its source), and the same mount when its id is known. */
static bool mount_is_ours(const struct record *r)
{
	char src[64] = "", want[64];
	int id = mount_id_at(r->path, src, sizeof(src));

	pt_tracefs_instance_name(want, sizeof(want), r->pid);
	return id > 0 && !strcmp(src, want) && (!r->mount_id || id == r->mount_id);
}

static int write_state(int pid)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m;
	int fd, e;
	ssize_t n;

	if (!nrecs) {
		/* a dead run's state.tmp too: load() has read it */
		if ((unlinkat(dir_fd, "state", 0) && errno != ENOENT) ||
		    (unlinkat(dir_fd, "state.tmp", 0) && errno != ENOENT))
			return -1;
		return 0;
	}
	m = open_memstream(&text, &len);
	if (!m)
		return -1;
	fprintf(m, "ptbench-state 1\npid %d\n", pid);
	for (int i = 0; i < nrecs; i++) {
		if (recs[i].mount)
			fprintf(m, "mount\ttracefs\t%s\t%d\t%d\n", recs[i].path, recs[i].mount_id,
				recs[i].pid);
		else
			fprintf(m, "sysfs\t%s\t%s\t%s\n", recs[i].path, recs[i].original, recs[i].pushed);
	}
	if (fclose(m)) {
		free(text);
		return -1;
	}
	/* a fresh state.tmp: whatever was there (a symbolic link to a victim
	 * included) is removed, not written through; O_EXCL fails rather than
	 * follow one made in between */
	if (unlinkat(dir_fd, "state.tmp", 0) && errno != ENOENT) {
		free(text);
		return -1;
	}
	fd = openat(dir_fd, "state.tmp", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		free(text);
		return -1;
	}
	n = write(fd, text, len);
	e = errno;
	free(text);
	if (n != (ssize_t)len || fsync(fd)) {
		if (n >= 0 && n != (ssize_t)len)
			e = ENOSPC;
		else if (n == (ssize_t)len)
			e = errno;
		close(fd);
		unlinkat(dir_fd, "state.tmp", 0);
		errno = e;
		return -1;
	}
	if (close(fd) || renameat(dir_fd, "state.tmp", dir_fd, "state")) {
		e = errno;
		unlinkat(dir_fd, "state.tmp", 0);
		errno = e;
		return -1;
	}
	return 0;
}

static void save(void)
{
	if (lock_fd >= 0 && write_state((int)getpid()))
		fprintf(stderr, "ptbench: warning: cannot write %s/state: %s\n", pt_state_dir(),
			strerror(errno));
}

/* ---- reading it back --------------------------------------------------- */

/* Copy a field, refusing one too long for its slot (a cut value would be
 * compared and written back wrong). */
static bool take(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (!n || n >= cap)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

static int parse(const char *text, size_t len, int *pid, char *why, size_t whylen)
{
	const char *p = text, *end = text + len;
	int lineno = 0;

	nrecs = 0;
	*pid = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char line[LINE_MAX_LEN], *f[5], *tail;
		struct record *r;
		size_t ll;
		int nf = 0;
		long v;

		lineno++;
		if (!nl) {
			snprintf(why, whylen, "line %d: no newline at its end (a truncated file)", lineno);
			return -1;
		}
		ll = (size_t)(nl - p);
		if (ll >= sizeof(line)) {
			snprintf(why, whylen, "line %d: longer than %d bytes", lineno, LINE_MAX_LEN - 1);
			return -1;
		}
		memcpy(line, p, ll);
		line[ll] = '\0';
		p = nl + 1;
		if (memchr(line, '\0', ll)) {
			snprintf(why, whylen, "line %d: holds a NUL byte", lineno);
			return -1;
		}
		if (lineno == 1) {
			if (strcmp(line, "ptbench-state 1")) {
				snprintf(why, whylen, "line 1: not 'ptbench-state 1'");
				return -1;
			}
			continue;
		}
		if (lineno == 2) {
			errno = 0;
			v = strncmp(line, "pid ", 4) ? 0 : strtol(line + 4, &tail, 10);
			if (v <= 0 || v > INT_MAX || errno || *tail || line[4] < '0' || line[4] > '9') {
				snprintf(why, whylen, "line 2: not 'pid N'");
				return -1;
			}
			*pid = (int)v;
			continue;
		}
		if (nrecs == MAX_RECORDS) {
			snprintf(why, whylen, "more than %d records: ptbench never writes that many", MAX_RECORDS);
			return -1;
		}
		/* fields are split on every tab: an empty field is an error, not
		 * skipped (strtok would join two tabs into one) */
		f[0] = line;
		for (char *s = line; (s = strchr(s, '\t')) && nf < 4;) {
			*s++ = '\0';
			f[++nf] = s;
		}
		nf++;
		r = &recs[nrecs];
		memset(r, 0, sizeof(*r));
		if (nf == 4 && !strcmp(f[0], "sysfs")) {
			char pwhy[PATH_MAX + 160];

			if (!take(r->path, sizeof(r->path), f[1]) ||
			    !take(r->original, sizeof(r->original), f[2]) ||
			    !take(r->pushed, sizeof(r->pushed), f[3])) {
				snprintf(why, whylen, "line %d: a sysfs record with an empty or too long field",
					 lineno);
				return -1;
			}
			if (!pt_state_sysfs_allowed(r->path, pwhy, sizeof(pwhy))) {
				snprintf(why, whylen, "line %d: %s", lineno, pwhy);
				return -1;
			}
		} else if ((nf == 4 || nf == 5) && !strcmp(f[0], "mount") && !strcmp(f[1], "tracefs")) {
			if (!mount_allowed(f[2])) {
				snprintf(why, whylen, "line %d: a tracefs mount at '%.200s': ptbench mounts tracefs only at %s",
					 lineno, f[2], mounts_allowed[0]);
				return -1;
			}
			errno = 0;
			v = strtol(f[3], &tail, 10);
			if (v < 0 || v > INT_MAX || errno || *tail || f[3][0] < '0' || f[3][0] > '9') {
				snprintf(why, whylen, "line %d: mount id '%.40s' is not a number >= 0",
					 lineno, f[3]);
				return -1;
			}
			r->mount = true;
			snprintf(r->path, sizeof(r->path), "%s", f[2]);
			r->mount_id = (int)v;
			r->pid = *pid;
			if (nf == 5) {
				errno = 0;
				v = strtol(f[4], &tail, 10);
				if (v <= 0 || v > INT_MAX || errno || *tail || f[4][0] < '0' || f[4][0] > '9') {
					snprintf(why, whylen, "line %d: mount pid '%.40s' is not a positive number",
						 lineno, f[4]);
					return -1;
				}
				r->pid = (int)v;
			}
			nrecs++;
			continue;
		} else {
			snprintf(why, whylen, "line %d: not a 'sysfs' record of 4 fields or a 'mount' record of 4 or 5",
				 lineno);
			return -1;
		}
		r->pid = *pid;
		nrecs++;
	}
	if (lineno < 2) {
		snprintf(why, whylen, "%s (a truncated file)", lineno ? "no 'pid N' line" : "empty");
		return -1;
	}
	return nrecs;
}

int pt_state_parse(const char *text, size_t len, int *pid, char *why, size_t whylen)
{
	int n = parse(text, len, pid, why, whylen);

	if (n < 0)
		nrecs = 0; /* all or nothing: a refused file's first lines are not acted on */
	return n;
}

/* The (first) record of a sysfs file or a mount point, NULL when there is
 * none. */
static struct record *record_of(bool mount, const char *path)
{
	for (struct record *r = recs; r < recs + nrecs; r++)
		if (r->mount == mount && !strcmp(r->path, path))
			return r;
	return NULL;
}

/* Read all of fd (at most STATE_MAX_BYTES + 1) into text; its length, or
 * -1 (errno). */
static ssize_t read_capped(int fd, char *text)
{
	size_t len = 0;
	ssize_t n;

	while (len <= STATE_MAX_BYTES && (n = read(fd, text + len, STATE_MAX_BYTES + 1 - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		len += (size_t)n;
	}
	return (ssize_t)len;
}

/* The records of a state.tmp a run left when it died between writing it
 * and renaming it over state (into tmp_recs; their count). Only a regular
 * file is read, never through a link or waiting; anything else, or a file
 * cut short, is not a record of a change made (a change is made only once
 * its record is renamed into state) and is left for the next save to
 * remove. */
static struct record tmp_recs[MAX_RECORDS];

static int load_tmp(const char *who)
{
	int fd = openat(dir_fd, "state.tmp", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	char *text, why[PATH_MAX + 256];
	struct stat st;
	ssize_t len;
	int n = -1, pid;

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_nlink != 1 || st.st_size > STATE_MAX_BYTES) {
		close(fd);
		return 0;
	}
	text = pt_xmalloc(STATE_MAX_BYTES + 1);
	len = read_capped(fd, text);
	close(fd);
	if (len >= 0 && len <= STATE_MAX_BYTES)
		n = pt_state_parse(text, (size_t)len, &pid, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "unreadable");
	free(text);
	if (n < 0) {
		for (char *c = why; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
		fprintf(stderr, "%s: ignoring %s/state.tmp (%s): a run died while writing it, before the change it records was made\n",
			who, pt_state_dir(), why);
		return 0;
	}
	memcpy(tmp_recs, recs, sizeof(recs[0]) * (size_t)n);
	nrecs = 0;
	return n;
}

/* Add the state.tmp records that state lacks (a mount's id, once known,
 * too). */
static void merge_tmp(const char *who, int ntmp)
{
	int added = 0;

	for (int t = 0; t < ntmp; t++) {
		const struct record *x = &tmp_recs[t];
		struct record *r = record_of(x->mount, x->path);

		if (r) {
			if (r->mount && !r->mount_id && r->pid == x->pid)
				r->mount_id = x->mount_id;
			continue;
		}
		if (nrecs == MAX_RECORDS)
			break;
		recs[nrecs++] = *x;
		added++;
	}
	if (added)
		fprintf(stderr, "%s: %s/state.tmp, left by a run that died while writing it, records %d change(s) that state lacks: acting on them too\n",
			who, pt_state_dir(), added);
}

/* Read the state file into recs[]; *pid gets the writer. Returns 0 (no
 * file is no records) or PT_EXIT_USAGE when the file is refused (said:
 * nothing in it is undone, and it is kept). */
static int load(const char *who, int *pid)
{
	char *text, why[PATH_MAX + 256];
	ssize_t len;
	int fd, ntmp;

	nrecs = 0;
	*pid = 0;
	ntmp = load_tmp(who);
	fd = open_in_dir(who, "state", O_RDONLY, STATE_MAX_BYTES);
	if (fd == -1) {
		merge_tmp(who, ntmp);
		return 0;
	}
	if (fd < 0)
		return PT_EXIT_USAGE;
	text = pt_xmalloc(STATE_MAX_BYTES + 1);
	/* read to EOF, never past the cap should it grow meanwhile */
	len = read_capped(fd, text);
	if (len < 0) {
		fprintf(stderr, "%s: cannot read %s/state: %s\n", who, pt_state_dir(), strerror(errno));
		free(text);
		close(fd);
		return PT_EXIT_RUNTIME;
	}
	close(fd);
	if (len > STATE_MAX_BYTES) {
		snprintf(why, sizeof(why), "grew past %d bytes", STATE_MAX_BYTES);
	} else if (pt_state_parse(text, (size_t)len, pid, why, sizeof(why)) >= 0) {
		free(text);
		merge_tmp(who, ntmp);
		return 0;
	}
	free(text);
	nrecs = 0;
	/* why quotes the file: its control bytes do not reach the terminal */
	for (char *c = why; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	fprintf(stderr, "%s: refusing %s/state: %s. Nothing in it was undone and it is kept: look at it, put back by hand what it names, and remove it\n",
		who, pt_state_dir(), why);
	return PT_EXIT_USAGE;
}

/* Undo one record if it still holds what ptbench left. Returns 1 when the
 * record is settled (undone, or no longer ours), 0 when it must stay. */
static int undo(const struct record *r, bool say)
{
	char cur[120];

	if (r->mount) {
		if (!mount_is_ours(r))
			return 1; /* gone, never made, or someone else's mount now */
		pt_tracefs_clean_stale(r->path);
		say_header();
		if (umount(r->path)) {
			fprintf(stderr, "ptbench: cannot unmount the tracefs at %s that ptbench pid %d mounted: %s%s\n",
				r->path, r->pid, strerror(errno),
				errno == EBUSY ? " (in use; `ptbench restore` later)" : "");
			return 0;
		}
		if (say)
			fprintf(stderr, "ptbench: unmounted the tracefs at %s that ptbench pid %d mounted\n",
				r->path, r->pid);
		return 1;
	}
	if (pt_read_line(r->path, cur, sizeof(cur), 1)) {
		say_header();
		fprintf(stderr, "ptbench: cannot read %s to restore it: %s\n", r->path, strerror(errno));
		return 0;
	}
	if (!strcmp(cur, r->original))
		return 1;
	if (strcmp(cur, r->pushed)) {
		if (say) {
			say_header();
			fprintf(stderr, "ptbench: left %s at '%s': ptbench pid %d pushed '%s' (original '%s'), someone changed it since\n",
				r->path, cur, r->pid, r->pushed, r->original);
		}
		return 1;
	}
	say_header();
	if (pt_sysfs_write(r->path, r->original)) {
		fprintf(stderr, "ptbench: cannot restore %s to '%s': %s\n", r->path, r->original,
			strerror(errno));
		return 0;
	}
	if (say)
		fprintf(stderr, "ptbench: restored %s to '%s' (ptbench pid %d left it at '%s')\n", r->path,
			r->original, r->pid, r->pushed);
	return 1;
}

/* Undo every record of a dead holder; keep the ones that would not go. */
static int undo_all(bool say)
{
	int kept = 0;

	recs_changing = 1;
	for (int i = 0; i < nrecs; i++)
		if (!undo(&recs[i], say))
			recs[kept++] = recs[i];
	nrecs = kept;
	recs_changing = 0;
	return kept;
}

/* Open the directory and its lock file. Returns the lock's descriptor;
 * -1 when there is no place for the state (said when need); -2 refused
 * (said). Sets dir_fd. */
static int open_lock(const char *who, bool need)
{
	int fd;

	dir_fd = open_dir(who);
	if (dir_fd == -2)
		return -2;
	if (dir_fd < 0) {
		if (need)
			fprintf(stderr, "%s: cannot create or open %s: %s\n", who, pt_state_dir(),
				strerror(errno));
		return -1;
	}
	/* a symbolic link as "lock" would have the pid written into its target */
	fd = open_in_dir(who, "lock", O_RDWR | O_CREAT, LOCK_MAX_BYTES);
	if (fd < 0) {
		if (fd == -1 && need)
			fprintf(stderr, "%s: cannot open %s/lock: %s\n", who, pt_state_dir(), strerror(errno));
		close(dir_fd);
		dir_fd = -1;
		return fd == -2 ? -2 : -1;
	}
	return fd;
}

static void close_dir(void)
{
	if (dir_fd >= 0)
		close(dir_fd);
	dir_fd = -1;
}

/* The lock file holds the holder's pid, for the message of whoever waits
 * (the state file may not be written yet). */
static void note_holder(int fd)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());

	if (ftruncate(fd, 0) || pwrite(fd, buf, (size_t)n, 0) != n)
		return;
}

static int holder(int fd)
{
	char buf[24] = "";

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		return 0;
	return atoi(buf);
}

static void release_at_exit(void)
{
	pt_state_release();
}

int pt_state_acquire(void)
{
	bool need = geteuid() == 0 || getenv("PTBENCH_STATE_DIR");
	int fd, pid, rc;

	if (lock_fd >= 0)
		return 0;
	if (!need)
		return 0;
	fd = open_lock("ptbench", true);
	if (fd == -2)
		return PT_EXIT_USAGE;
	if (fd < 0) {
		/* no place for the state (a read-only /run): run without it */
		fprintf(stderr, "ptbench: warning: no state file: what a killed run changes will not be put back by the next run\n");
		return 0;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK) {
			fprintf(stderr, "ptbench: cannot lock %s/lock: %s\n", pt_state_dir(), strerror(errno));
			close(fd);
			close_dir();
			return PT_EXIT_RUNTIME;
		}
		pid = holder(fd);
		fprintf(stderr, "ptbench: waiting for ptbench pid %d to finish: it holds the machine's THP, khugepaged and tracefs settings (%s/state)\n",
			pid, pt_state_dir());
		while (flock(fd, LOCK_EX)) {
			if (errno != EINTR || pt_stop_signal) {
				int sig = pt_stop_signal;

				close(fd);
				close_dir();
				return sig ? 128 + sig : PT_EXIT_RUNTIME;
			}
		}
	}
	/* we hold the lock: whoever wrote the state is gone */
	rc = load("ptbench", &pid);
	if (rc) {
		/* the refused file stays as it is: no release may rewrite it */
		close(fd);
		close_dir();
		return rc;
	}
	lock_fd = fd;
	note_holder(fd);
	if (!atexit_done) {
		atexit(release_at_exit);
		atexit_done = true;
	}
	if (nrecs) {
		snprintf(header, sizeof(header),
			 "ptbench: ptbench pid %d ended without putting the machine back; restoring first", pid);
		undo_all(true);
		header[0] = '\0';
	}
	save();
	return 0;
}

void pt_state_release(void)
{
	if (lock_fd < 0)
		return;
	/* what this run restored itself is settled; anything else stays */
	undo_all(false);
	save();
	close(lock_fd); /* drops the flock */
	lock_fd = -1;
	close_dir();
}

void pt_state_note_sysfs(const char *path, const char *original, const char *pushed)
{
	struct record *r;
	char why[PATH_MAX + 160];

	if (lock_fd < 0)
		return;
	/* a record the next run would refuse is not written: the state file
	 * must stay one that can be acted on */
	if (!pt_state_sysfs_allowed(path, why, sizeof(why))) {
		fprintf(stderr, "ptbench: warning: not recorded in the state file: %s\n", why);
		return;
	}
	recs_changing = 1;
	r = record_of(false, path);
	if (!r) {
		if (nrecs >= MAX_RECORDS) {
			recs_changing = 0;
			fprintf(stderr, "ptbench: warning: state file full; %s not recorded\n", path);
			return;
		}
		r = &recs[nrecs++];
		memset(r, 0, sizeof(*r));
		snprintf(r->path, sizeof(r->path), "%s", path);
		snprintf(r->original, sizeof(r->original), "%s", original);
	}
	snprintf(r->pushed, sizeof(r->pushed), "%s", pushed);
	r->pid = (int)getpid();
	r->settled = 0;
	recs_changing = 0;
	save();
}

void pt_state_note_mount_intent(const char *dir)
{
	struct record *r;

	if (lock_fd < 0)
		return;
	if (!mount_allowed(dir)) {
		fprintf(stderr, "ptbench: warning: the tracefs mount at %s is not recorded in the state file\n",
			dir);
		return;
	}
	recs_changing = 1;
	r = record_of(true, dir);
	if (!r) {
		if (nrecs >= MAX_RECORDS) {
			recs_changing = 0;
			fprintf(stderr, "ptbench: warning: state file full; the tracefs mount at %s is not recorded\n",
				dir);
			return;
		}
		r = &recs[nrecs++];
	}
	memset(r, 0, sizeof(*r));
	r->mount = true;
	snprintf(r->path, sizeof(r->path), "%s", dir);
	r->pid = (int)getpid();
	recs_changing = 0;
	save();
}

void pt_state_note_mount(const char *dir)
{
	struct record *r;
	int id;

	if (lock_fd < 0 || !(r = record_of(true, dir)))
		return;
	id = mount_id_at(dir, NULL, 0);
	if (id <= 0)
		return; /* the intent (id 0) stays: its source still names it */
	r->mount_id = id;
	save();
}

void pt_state_forget_mount(const char *dir)
{
	struct record *r;

	if (lock_fd < 0 || !(r = record_of(true, dir)))
		return;
	recs_changing = 1;
	*r = recs[--nrecs];
	recs_changing = 0;
	save();
}

/* ---- from a fatal-signal handler: async-signal-safe only -------------- */

void pt_state_fatal_sysfs_undone(const char *path, const char *value)
{
	if (lock_fd < 0 || recs_changing)
		return;
	/* every record of the path: a state file read back may hold one twice */
	for (int i = 0; i < nrecs; i++)
		if (!recs[i].mount && !strcmp(recs[i].path, path))
			recs[i].settled = value && !strcmp(value, recs[i].original);
}

void pt_state_fatal_mount_undone(const char *dir)
{
	if (lock_fd < 0 || recs_changing)
		return;
	for (int i = 0; i < nrecs; i++)
		if (recs[i].mount && !strcmp(recs[i].path, dir))
			recs[i].settled = 1;
}

/* the state text, built without stdio */
static char fatal_buf[STATE_MAX_BYTES];
static size_t fatal_len;

static void fatal_put(const char *str)
{
	size_t n = strlen(str);

	if (n > sizeof(fatal_buf) - fatal_len)
		n = sizeof(fatal_buf) - fatal_len;
	memcpy(fatal_buf + fatal_len, str, n);
	fatal_len += n;
}

static void fatal_put_int(int v)
{
	char d[16], *p = d + sizeof(d);

	*--p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) > 0 && p > d);
	fatal_put(p);
}

void pt_state_fatal_commit(void)
{
	int left = 0, fd;
	ssize_t n;

	/* records half-changed (or no state): what is on disk stays */
	if (lock_fd < 0 || dir_fd < 0 || recs_changing)
		return;
	fatal_len = 0;
	fatal_put("ptbench-state 1\npid ");
	fatal_put_int((int)getpid());
	fatal_put("\n");
	for (int i = 0; i < nrecs; i++) {
		const struct record *r = &recs[i];

		if (r->settled)
			continue;
		left++;
		if (r->mount) {
			fatal_put("mount\ttracefs\t");
			fatal_put(r->path);
			fatal_put("\t");
			fatal_put_int(r->mount_id);
			fatal_put("\t");
			fatal_put_int(r->pid);
		} else {
			fatal_put("sysfs\t");
			fatal_put(r->path);
			fatal_put("\t");
			fatal_put(r->original);
			fatal_put("\t");
			fatal_put(r->pushed);
		}
		fatal_put("\n");
	}
	/* a state.tmp another thread was writing records nothing made since */
	unlinkat(dir_fd, "state.tmp", 0);
	if (!left) {
		unlinkat(dir_fd, "state", 0);
		return;
	}
	if (fatal_len == sizeof(fatal_buf))
		return; /* cannot happen (MAX_RECORDS); the old file stays */
	/* as write_state: a fresh file, fsynced, renamed over; on any failure
	 * the old state (which holds more, never less) stays */
	fd = openat(dir_fd, "state.tmp", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	n = write(fd, fatal_buf, fatal_len);
	if (n != (ssize_t)fatal_len || fsync(fd)) {
		close(fd);
		unlinkat(dir_fd, "state.tmp", 0);
		return;
	}
	if (close(fd) || renameat(dir_fd, "state.tmp", dir_fd, "state"))
		unlinkat(dir_fd, "state.tmp", 0);
}

int pt_state_restore_now(bool verbose)
{
	int fd, pid, left, stale, rc;

	if (geteuid() != 0 && !getenv("PTBENCH_STATE_DIR")) {
		fprintf(stderr, "ptbench restore: skipped: needs root (it writes sysfs and unmounts)\n");
		return PT_EXIT_SKIP;
	}
	fd = open_lock("ptbench restore", true);
	if (fd == -2)
		return PT_EXIT_USAGE;
	if (fd < 0)
		return PT_EXIT_RUNTIME;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		pid = holder(fd);
		fprintf(stderr, "ptbench restore: skipped: ptbench pid %d is running and holds the settings; it puts them back when it ends\n",
			pid);
		close(fd);
		close_dir();
		nrecs = 0;
		return PT_EXIT_SKIP;
	}
	rc = load("ptbench restore", &pid);
	if (rc) {
		close(fd);
		close_dir();
		return rc;
	}
	lock_fd = fd;
	if (verbose && !nrecs)
		printf("ptbench restore: %s/state records nothing to restore\n", pt_state_dir());
	left = undo_all(verbose);
	save();
	close(lock_fd);
	lock_fd = -1;
	close_dir();
	stale = pt_tracefs_clean_stale("/sys/kernel/tracing");
	if (verbose && stale > 0)
		printf("ptbench restore: removed %d stale tracefs instance(s) ptbench-PID\n", stale);
	if (left) {
		fprintf(stderr, "ptbench restore: %d change(s) would not go back; they stay in %s/state\n",
			left, pt_state_dir());
		return PT_EXIT_RUNTIME;
	}
	return PT_EXIT_OK;
}
