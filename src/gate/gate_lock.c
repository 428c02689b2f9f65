/* ptbench gate: one gate at a time on an output directory. Two gates on one
 * -o DIR would pool, judge and report each other's files; the second is
 * refused while the first holds DIR/.gate.lock (flock, released by the
 * kernel when the gate and its boot children are gone, so a crash leaves
 * no stale lock). The lock file stays: removing it would let a third gate
 * lock a new file while the second still holds the old one. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ptbench/exitcodes.h"
#include "ptbench/gate.h"

int pt_gate_lock(const char *dir, int *fdp)
{
	char path[PATH_MAX], pid[32] = "";
	struct stat st;
	ssize_t n;
	int fd;

	*fdp = -1;
	if ((size_t)snprintf(path, sizeof(path), "%s/.gate.lock", dir) >= sizeof(path)) {
		fprintf(stderr, "ptbench gate: %s: path too long\n", dir);
		return PT_EXIT_USAGE;
	}
	/* no symbolic link followed, no FIFO waited on */
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "ptbench gate: -o %s: cannot lock %s: %s\n", dir, path,
			fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return errno == ENOTDIR || fd >= 0 ? PT_EXIT_USAGE : PT_EXIT_RUNTIME;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int busy = errno == EWOULDBLOCK;

		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		if (busy)
			fprintf(stderr, "ptbench gate: -o %s is in use by another gate%s%s%s: give another -o DIR "
					"or wait for it\n", dir, *pid ? " (pid " : "", pid, *pid ? ")" : "");
		else
			fprintf(stderr, "ptbench gate: %s: flock: %s\n", path, strerror(errno));
		close(fd);
		return busy ? PT_EXIT_BUSY : PT_EXIT_RUNTIME;
	}
	/* who holds it, for the message of the next one */
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	/* a failure here costs only the pid in the next gate's message */
	if (!ftruncate(fd, 0))
		(void)!pwrite(fd, pid, strlen(pid), 0);
	*fdp = fd;
	return 0;
}
