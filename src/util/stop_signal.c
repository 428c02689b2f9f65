/* The stop request of a run (include/ptbench/stop_signal.h). */
#include <signal.h>

#include "ptbench/stop_signal.h"
#include "ptbench/util.h"

volatile sig_atomic_t pt_stop_signal;

static void on_stop(int sig)
{
	pt_stop_signal = sig;
}

void pt_stop_signal_catch(void)
{
	static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };

	pt_catch_signals(stop_sigs, PT_ARRAY_SIZE(stop_sigs), on_stop, 0, NULL);
}
