/* Sharer processes for shmem-collapse: see collapse_sharers.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collapse_sharers.h"

/* The child of a multithreaded parent: only async-signal-safe calls here. */
static void __attribute__((noreturn)) sharer_main(pid_t parent, const volatile char *base, size_t len,
						  uint64_t interval_ns)
{
	struct timespec ts = { .tv_sec = (time_t)(interval_ns / 1000000000ull),
			       .tv_nsec = (long)(interval_ns % 1000000000ull) };
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned sum = 0;

	/* SIGKILL when the thread that forked us exits, however it exits */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(0);
	/* a Ctrl-C to the process group is the parent's to handle: it kills us */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	for (;;) {
		for (size_t off = 0; off < len; off += page)
			sum += (unsigned char)base[off];
		if (interval_ns)
			nanosleep(&ts, NULL);
	}
	(void)sum;
}

int pt_sharers_start(pid_t *pids, int n, const volatile char *base, size_t len, uint64_t interval_ns)
{
	pid_t self = getpid();
	int started = 0;

	for (; started < n; started++) {
		pid_t pid = fork();

		if (pid < 0)
			return started;
		if (pid == 0)
			sharer_main(self, base, len, interval_ns);
		pids[started] = pid;
	}
	return started;
}

void pt_sharers_stop(pid_t *pids, int n)
{
	for (int i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	for (int i = 0; i < n; i++) {
		if (pids[i] <= 0)
			continue;
		while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
			;
		pids[i] = 0;
	}
}
