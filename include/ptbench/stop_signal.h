/* The stop request of a run: SIGINT, SIGTERM or SIGHUP set pt_stop_signal
 * (src/util/stop_signal.c), and every loop of the run looks at it: the
 * runner's, its role processes', the workers' (pt_run_stopping), the
 * output's. A flag on the ground floor, so that none of them needs the
 * runner to read it. */
#ifndef PTBENCH_STOP_SIGNAL_H
#define PTBENCH_STOP_SIGNAL_H

#include <signal.h>

/* The signal that asked the run to stop, 0 while none did. */
extern volatile sig_atomic_t pt_stop_signal;

/* Catch SIGINT, SIGTERM and SIGHUP into pt_stop_signal, without SA_RESTART:
 * the main thread's sleeps wake up on them. */
void pt_stop_signal_catch(void);

/* A file descriptor (an eventfd) the handler also writes to, so that a
 * sleeper polling it wakes up whichever thread took the signal; -1: none.
 * The runner sets it for the time its main thread sleeps in a repeat. */
void pt_stop_signal_wake(int fd);

#endif
