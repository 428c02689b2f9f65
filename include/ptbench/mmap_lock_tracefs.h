/* The tracefs side of the mmap_lock probe: a private instance
 * (instances/ptbench-PID) with trace_clock mono, the three mmap_lock events
 * limited to the run's tasks (set_event_pid + event-fork), and its per-CPU
 * trace_pipe_raw readers.
 *
 * Nothing may be left behind: close() removes the instance (and unmounts
 * tracefs if this process mounted it); an atexit hook and the fatal-signal
 * handlers do the same with async-signal-safe calls only, through a directory
 * fd on the tracefs root (held open so that nobody can unmount tracefs under
 * us); open() removes ptbench-PID instances whose process is dead. */
#ifndef PTBENCH_MMAP_LOCK_TRACEFS_H
#define PTBENCH_MMAP_LOCK_TRACEFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tracefs_instance;
struct tracefs_cpu;
struct tep_handle;
struct kbuffer;

struct pt_ml_cpu {
	int cpu;
	int fd; /* per_cpu/cpuN/trace_pipe_raw, O_NONBLOCK */
	struct tracefs_cpu *tcpu;
};

struct pt_ml_session {
	char name[32];                 /* ptbench-PID */
	char tracing_dir[256];
	int root_fd;                   /* the tracefs root, held open */
	int tracing_on_fd;             /* instances/NAME/tracing_on */
	bool mounted_by_us;
	struct tracefs_instance *inst;
	struct tep_handle *tep;        /* the mmap_lock event formats */
	struct kbuffer *kbuf;
	void *page;                    /* one sub-buffer */
	int subbuf_size;
	struct pt_ml_cpu *cpus;
	int ncpus;
	size_t buffer_kb;              /* per CPU, as the kernel took it */
	int stale_removed;             /* dead runs' instances cleaned up at open */
	uint64_t missed_events;        /* what the sub-buffer headers said was lost */
	uint64_t missed_unknown;       /* sub-buffers that lost an unknown number */
};

/* Mount tracefs if needed, clean stale instances, create ours with the
 * clock and buffer size set, load the event formats. Tracing stays off.
 * Returns 0, or -1 with why (everything undone). */
int pt_ml_session_open(struct pt_ml_session *s, size_t buffer_kb, char *why, size_t len);
/* Limit the events to these tasks (and, with event-fork, their future
 * threads and children), enable the three events and turn tracing on. */
int pt_ml_session_start(struct pt_ml_session *s, const int *pids, size_t npids, char *why, size_t len);
/* Read what CPU slot i has now, at most max_pages sub-buffers, calling
 * fn(data, size, ts, ctx) per event. Returns the events read or -1. */
long pt_ml_session_read_cpu(struct pt_ml_session *s, int i, size_t max_pages,
			    void (*fn)(void *data, int size, uint64_t ts, void *ctx), void *ctx);
/* Tracing off, events disabled (the buffers can still be read). */
void pt_ml_session_stop(struct pt_ml_session *s);
/* Events the ring buffer lost so far: per-CPU overrun + commit overrun +
 * dropped events. */
uint64_t pt_ml_session_lost(struct pt_ml_session *s);
/* Remove the instance, unmount what we mounted, free everything. */
void pt_ml_session_close(struct pt_ml_session *s);

#endif
