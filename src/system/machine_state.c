/* The state file: what this run (or a dead one) changed on the machine,
 * under a lock that one run holds at a time. Text, one record a line:
 *   ptbench-state 1
 *   pid PID
 *   sysfs<TAB>PATH<TAB>ORIGINAL<TAB>PUSHED
 *   mount<TAB>tracefs<TAB>DIR<TAB>MOUNT_ID
 * A value goes back only while it still holds what ptbench pushed, and a
 * mount is undone only while the same mount (by its id in mountinfo) is
 * there: whatever someone changed since is theirs, and left alone. */
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
#include "ptbench/mmap_lock_tracefs.h"
#include "ptbench/runner.h"
#include "ptbench/sysfs_settings.h"
#include "ptbench/util.h"

#define MAX_RECORDS 64

struct record {
	bool mount;         /* a tracefs mount, else a sysfs value */
	char path[200];
	char original[120]; /* sysfs: the true original */
	char pushed[120];   /* sysfs: what ptbench wrote */
	int mount_id;       /* mount: its id in /proc/self/mountinfo */
};

static struct record recs[MAX_RECORDS];
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
static bool atexit_done;

const char *pt_state_dir(void)
{
	const char *env = getenv("PTBENCH_STATE_DIR");

	return env && *env ? env : "/run/ptbench";
}

static void state_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", pt_state_dir(), name);
}

/* The id of the tracefs mounted at dir, -1 if none. */
static int mount_id_at(const char *dir)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	int id = -1;

	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		char mp[PATH_MAX], *dash;
		int mid;

		if (sscanf(line, "%d %*d %*s %*s %4095s", &mid, mp) != 2)
			continue;
		dash = strstr(line, " - ");
		if (!dash || strncmp(dash + 3, "tracefs ", 8) || strcmp(mp, dir))
			continue;
		id = mid; /* the last one is the one on top */
	}
	free(line);
	fclose(f);
	return id;
}

static int write_state(int pid)
{
	char path[PATH_MAX], tmp[PATH_MAX + 16];
	FILE *f;

	state_path(path, sizeof(path), "state");
	if (!nrecs) {
		if (unlink(path) && errno != ENOENT)
			return -1;
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -1;
	fprintf(f, "ptbench-state 1\npid %d\n", pid);
	for (int i = 0; i < nrecs; i++) {
		if (recs[i].mount)
			fprintf(f, "mount\ttracefs\t%s\t%d\n", recs[i].path, recs[i].mount_id);
		else
			fprintf(f, "sysfs\t%s\t%s\t%s\n", recs[i].path, recs[i].original, recs[i].pushed);
	}
	if (fflush(f) || fsync(fileno(f)) || fclose(f) || rename(tmp, path)) {
		unlink(tmp);
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

/* Read the state file into recs[]; *pid gets the writer. */
static void load(int *pid)
{
	char path[PATH_MAX], line[1024];
	FILE *f;

	nrecs = 0;
	*pid = 0;
	state_path(path, sizeof(path), "state");
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && nrecs < MAX_RECORDS) {
		struct record *r = &recs[nrecs];
		char *f1, *f2, *f3, *save_p = NULL;

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "pid %d", pid) == 1)
			continue;
		memset(r, 0, sizeof(*r));
		if (!strncmp(line, "sysfs\t", 6)) {
			f1 = strtok_r(line + 6, "\t", &save_p);
			f2 = strtok_r(NULL, "\t", &save_p);
			f3 = strtok_r(NULL, "\t", &save_p);
			if (!f1 || !f2 || !f3)
				continue;
			snprintf(r->path, sizeof(r->path), "%s", f1);
			snprintf(r->original, sizeof(r->original), "%s", f2);
			snprintf(r->pushed, sizeof(r->pushed), "%s", f3);
			nrecs++;
		} else if (!strncmp(line, "mount\ttracefs\t", 14)) {
			f1 = strtok_r(line + 14, "\t", &save_p);
			f2 = strtok_r(NULL, "\t", &save_p);
			if (!f1 || !f2)
				continue;
			r->mount = true;
			snprintf(r->path, sizeof(r->path), "%s", f1);
			r->mount_id = atoi(f2);
			nrecs++;
		}
	}
	fclose(f);
}

/* Undo one record if it still holds what ptbench left. Returns 1 when the
 * record is settled (undone, or no longer ours), 0 when it must stay. */
static int undo(const struct record *r, int pid, bool say)
{
	char cur[120];

	if (r->mount) {
		int id = mount_id_at(r->path);

		if (id < 0 || id != r->mount_id)
			return 1; /* gone, or someone else's mount now */
		pt_ml_session_clean_stale(r->path);
		say_header();
		if (umount(r->path)) {
			fprintf(stderr, "ptbench: cannot unmount the tracefs at %s that ptbench pid %d mounted: %s%s\n",
				r->path, pid, strerror(errno),
				errno == EBUSY ? " (in use; `ptbench restore` later)" : "");
			return 0;
		}
		if (say)
			fprintf(stderr, "ptbench: unmounted the tracefs at %s that ptbench pid %d mounted\n",
				r->path, pid);
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
				r->path, cur, pid, r->pushed, r->original);
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
			r->original, pid, r->pushed);
	return 1;
}

/* Undo every record of a dead holder; keep the ones that would not go. */
static int undo_all(int pid, bool say)
{
	int kept = 0;

	for (int i = 0; i < nrecs; i++)
		if (!undo(&recs[i], pid, say))
			recs[kept++] = recs[i];
	nrecs = kept;
	return kept;
}

static int open_lock(bool need)
{
	char path[PATH_MAX];
	int fd;

	/* its parent too: a bare initramfs (ptbench vm) may have no /run */
	char parent[PATH_MAX], *slash;

	snprintf(parent, sizeof(parent), "%s", pt_state_dir());
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		if (mkdir(parent, 0755) && errno != EEXIST)
			(void)0; /* the mkdir below says why */
	}
	if (mkdir(pt_state_dir(), 0755) && errno != EEXIST) {
		if (need)
			fprintf(stderr, "ptbench: cannot create %s: %s\n", pt_state_dir(), strerror(errno));
		return -1;
	}
	state_path(path, sizeof(path), "lock");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 && need)
		fprintf(stderr, "ptbench: cannot open %s: %s\n", path, strerror(errno));
	return fd;
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
	int fd, pid;

	if (lock_fd >= 0)
		return 0;
	if (!need)
		return 0;
	fd = open_lock(true);
	if (fd < 0) {
		/* no place for the state (a read-only /run): run without it */
		fprintf(stderr, "ptbench: warning: no state file: what a killed run changes will not be put back by the next run\n");
		return 0;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK) {
			fprintf(stderr, "ptbench: cannot lock %s/lock: %s\n", pt_state_dir(), strerror(errno));
			close(fd);
			return PT_EXIT_RUNTIME;
		}
		pid = holder(fd);
		fprintf(stderr, "ptbench: waiting for ptbench pid %d to finish: it holds the machine's THP, khugepaged and tracefs settings (%s/state)\n",
			pid, pt_state_dir());
		while (flock(fd, LOCK_EX)) {
			if (errno != EINTR || pt_stop_signal) {
				int sig = pt_stop_signal;

				close(fd);
				return sig ? 128 + sig : PT_EXIT_RUNTIME;
			}
		}
	}
	lock_fd = fd;
	note_holder(fd);
	if (!atexit_done) {
		atexit(release_at_exit);
		atexit_done = true;
	}
	/* we hold the lock: whoever wrote the state is gone */
	load(&pid);
	if (nrecs) {
		snprintf(header, sizeof(header),
			 "ptbench: ptbench pid %d ended without putting the machine back; restoring first", pid);
		undo_all(pid, true);
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
	undo_all((int)getpid(), false);
	save();
	close(lock_fd); /* drops the flock */
	lock_fd = -1;
}

void pt_state_note_sysfs(const char *path, const char *original, const char *pushed)
{
	struct record *r = NULL;

	if (lock_fd < 0)
		return;
	for (int i = 0; i < nrecs; i++)
		if (!recs[i].mount && !strcmp(recs[i].path, path))
			r = &recs[i];
	if (!r) {
		if (nrecs >= MAX_RECORDS) {
			fprintf(stderr, "ptbench: warning: state file full; %s not recorded\n", path);
			return;
		}
		r = &recs[nrecs++];
		memset(r, 0, sizeof(*r));
		snprintf(r->path, sizeof(r->path), "%s", path);
		snprintf(r->original, sizeof(r->original), "%s", original);
	}
	snprintf(r->pushed, sizeof(r->pushed), "%s", pushed);
	save();
}

void pt_state_note_mount(const char *dir)
{
	struct record *r;

	if (lock_fd < 0)
		return;
	for (r = recs; r < recs + nrecs; r++)
		if (r->mount && !strcmp(r->path, dir))
			break;
	if (r == recs + nrecs) {
		if (nrecs >= MAX_RECORDS)
			return;
		nrecs++;
	}
	memset(r, 0, sizeof(*r));
	r->mount = true;
	snprintf(r->path, sizeof(r->path), "%s", dir);
	r->mount_id = mount_id_at(dir);
	save();
}

int pt_state_restore_now(bool verbose)
{
	int fd, pid, left, stale;

	if (geteuid() != 0 && !getenv("PTBENCH_STATE_DIR")) {
		fprintf(stderr, "ptbench restore: skipped: needs root (it writes sysfs and unmounts)\n");
		return PT_EXIT_SKIP;
	}
	fd = open_lock(true);
	if (fd < 0)
		return PT_EXIT_RUNTIME;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		pid = holder(fd);
		fprintf(stderr, "ptbench restore: skipped: ptbench pid %d is running and holds the settings; it puts them back when it ends\n",
			pid);
		close(fd);
		nrecs = 0;
		return PT_EXIT_SKIP;
	}
	lock_fd = fd;
	load(&pid);
	if (verbose && !nrecs)
		printf("ptbench restore: %s/state records nothing to restore\n", pt_state_dir());
	left = undo_all(pid, verbose);
	save();
	close(lock_fd);
	lock_fd = -1;
	stale = pt_ml_session_clean_stale("/sys/kernel/tracing");
	if (verbose && stale > 0)
		printf("ptbench restore: removed %d stale tracefs instance(s) ptbench-PID\n", stale);
	if (left) {
		fprintf(stderr, "ptbench restore: %d change(s) would not go back; they stay in %s/state\n",
			left, pt_state_dir());
		return PT_EXIT_RUNTIME;
	}
	return PT_EXIT_OK;
}
