/* ptbench's tracefs instances, named and cleaned (see tracefs_instance.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "ptbench/tracefs_instance.h"

void pt_tracefs_instance_name(char *buf, size_t len, pid_t pid)
{
	snprintf(buf, len, "ptbench-%d", (int)pid);
}

int pt_tracefs_clean_stale_at(int root_fd)
{
	int dfd = openat(root_fd, "instances", O_RDONLY | O_DIRECTORY | O_CLOEXEC), removed = 0;
	DIR *d;
	struct dirent *de;

	if (dfd < 0)
		return -1;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -1;
	}
	while ((de = readdir(d))) {
		char tail;
		int pid;

		/* the name pt_tracefs_instance_name gives, nothing else */
		if (sscanf(de->d_name, "ptbench-%d%c", &pid, &tail) != 1 || pid <= 0)
			continue;
		/* only a dead run's: a live one (another ptbench) is using it */
		if (pid != getpid() && (kill(pid, 0) == 0 || errno != ESRCH))
			continue;
		if (!unlinkat(dfd, de->d_name, AT_REMOVEDIR))
			removed++;
	}
	closedir(d);
	return removed;
}

int pt_tracefs_clean_stale(const char *tracing_dir)
{
	int fd = open(tracing_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), n;

	if (fd < 0)
		return -1;
	n = pt_tracefs_clean_stale_at(fd);
	close(fd);
	return n;
}
