/* One sysfs/proc file read or written whole (see sysfs_io.h). Only open,
 * read/write and close: a fatal-signal handler may call pt_sysfs_write. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "ptbench/sysfs_io.h"

int pt_read_line(const char *path, char *buf, size_t len, int select)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	char *nl, *lb, *rb;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	if (select && (lb = strchr(buf, '[')) && (rb = strchr(lb, ']'))) {
		*rb = '\0';
		memmove(buf, lb + 1, (size_t)(rb - lb));
	}
	return 0;
}

int pt_sysfs_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int e;

	if (fd < 0)
		return -1;
	n = write(fd, value, strlen(value));
	e = errno;
	close(fd);
	errno = e;
	return n < 0 ? -1 : 0;
}

