/* The stop request of a run (include/ptbench/stop_signal.h). */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>

#include "ptbench/stop_signal.h"
#include "ptbench/util.h"

volatile sig_atomic_t pt_stop_signal;
static volatile sig_atomic_t wake_fd = -1;

static void on_stop(int sig)
{
	int fd = wake_fd, saved = errno;
	uint64_t one = 1;

	pt_stop_signal = sig;
	/* write() is async-signal-safe; the sleeper's poll sees the flag set */
	if (fd >= 0)
		(void)!write(fd, &one, sizeof(one));
	errno = saved;
}

void pt_stop_signal_wake(int fd)
{
	wake_fd = fd;
}

void pt_stop_signal_catch(void)
{
	static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };

	pt_catch_signals(stop_sigs, PT_ARRAY_SIZE(stop_sigs), on_stop, 0, NULL);
}
