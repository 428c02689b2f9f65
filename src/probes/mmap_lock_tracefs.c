/* A private tracefs instance for the mmap_lock probe, and its cleanup on every
 * exit path (see mmap_lock_tracefs.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <event-parse.h>
#include <fcntl.h>
#include <kbuffer.h>
#include <mntent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <tracefs.h>
#include <unistd.h>

#include "ptbench/mmap_lock_fields.h"
#include "ptbench/machine_state.h"
#include "ptbench/mmap_lock_tracefs.h"
#include "ptbench/tracefs_instance.h"
#include "ptbench/util.h"

#define DEFAULT_TRACEFS "/sys/kernel/tracing"

/* The session the exit hooks must clean up (one at a time: one per repeat). */
static struct pt_ml_session *volatile active;
static char active_rel[64];  /* instances/ptbench-PID, for unlinkat() */

static const int fatal_sigs[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGQUIT };
static struct sigaction saved_fatal[PT_ARRAY_SIZE(fatal_sigs)];
static bool hooks_installed;
/* set from the return of our mount() of DEFAULT_TRACEFS to its umount():
 * the hooks unmount it even before a session is active */
static volatile sig_atomic_t we_mounted;

/* Only close(), write(), unlinkat() and umount(): async-signal-safe. */
static void emergency_cleanup(void)
{
	struct pt_ml_session *s = active;

	if (s)
		active = NULL;
	else
		goto unmount;
	if (s->tracing_on_fd >= 0 && write(s->tracing_on_fd, "0", 1) < 0) {
		/* nothing to do about it here: removing the instance stops it too */
	}
	for (int i = 0; i < s->ncpus; i++)
		if (s->cpus[i].fd >= 0)
			close(s->cpus[i].fd);
	if (s->tracing_on_fd >= 0)
		close(s->tracing_on_fd);
	/* An open file in the instance makes this EBUSY: ours are closed above,
	 * but a read another thread is inside holds its file until it returns. */
	for (int tries = 0; unlinkat(s->root_fd, active_rel, AT_REMOVEDIR) && errno == EBUSY && tries < 50; tries++) {
		struct timespec ts = { 0, 10000000 };

		nanosleep(&ts, NULL);
	}
	close(s->root_fd);
unmount:
	if (we_mounted && !umount(DEFAULT_TRACEFS)) {
		we_mounted = 0;
		/* its record goes when the handler settles the state file */
		pt_state_fatal_mount_undone(DEFAULT_TRACEFS);
	}
}

static void on_fatal(int sig)
{
	size_t i;

	emergency_cleanup();
	/* hand over to whoever was there before (the runner restores sysfs) */
	for (i = 0; i < PT_ARRAY_SIZE(fatal_sigs) && fatal_sigs[i] != sig; i++)
		;
	if (i < PT_ARRAY_SIZE(fatal_sigs))
		sigaction(sig, &saved_fatal[i], NULL);
	raise(sig);
}

static void install_hooks(void)
{
	static bool atexit_done;

	if (!atexit_done) {
		atexit(emergency_cleanup);
		atexit_done = true;
	}
	if (hooks_installed)
		return;
	pt_catch_signals(fatal_sigs, PT_ARRAY_SIZE(fatal_sigs), on_fatal, SA_RESETHAND, saved_fatal);
	hooks_installed = true;
}

static void remove_hooks(void)
{
	if (!hooks_installed)
		return;
	for (size_t i = 0; i < PT_ARRAY_SIZE(fatal_sigs); i++)
		sigaction(fatal_sigs[i], &saved_fatal[i], NULL);
	hooks_installed = false;
}

/* tracefs at one of its usual places, or mounted by us at /sys/kernel/tracing.
 * A tracefs mounted anywhere else (a test's, another tool's) is not used: its
 * owner may unmount it while we run. */
static int find_tracefs(struct pt_ml_session *s, char *why, size_t len)
{
	static const char *const usual[] = { DEFAULT_TRACEFS, "/sys/kernel/debug/tracing" };
	FILE *f = setmntent("/proc/mounts", "re");
	char source[64];
	struct mntent *m;
	int found = -1;

	while (f && (m = getmntent(f))) {
		if (strcmp(m->mnt_type, "tracefs"))
			continue;
		for (int i = 0; i < (int)PT_ARRAY_SIZE(usual); i++)
			if (!strcmp(m->mnt_dir, usual[i]) && (found < 0 || i < found))
				found = i;
	}
	if (f)
		endmntent(f);
	if (found >= 0) {
		snprintf(s->tracing_dir, sizeof(s->tracing_dir), "%s", usual[found]);
		return 0;
	}
	/* recorded outside the process before it is made, so that a run
	 * killed at any point leaves a record the next run or `ptbench
	 * restore` acts on; the source ptbench-PID marks the mount as ours */
	pt_state_note_mount_intent(DEFAULT_TRACEFS);
	pt_tracefs_instance_name(source, sizeof(source), getpid());
	/* a fatal signal from here on unmounts it */
	install_hooks();
	if (mount(source, DEFAULT_TRACEFS, "tracefs", 0, NULL)) {
		int e = errno;

		remove_hooks();
		pt_state_forget_mount(DEFAULT_TRACEFS);
		snprintf(why, len, "tracefs is not mounted and mounting it on %s failed: %s",
			 DEFAULT_TRACEFS, strerror(e));
		return -1;
	}
	we_mounted = 1;
	s->mounted_by_us = true;
	/* the tests' stand-in for a run that dies right after mounting
	 * tracefs, before its mount id is in the state file */
	pt_test_pause("PTBENCH_TEST_SLOW_MOUNT_MS");
	pt_state_note_mount(DEFAULT_TRACEFS);
	snprintf(s->tracing_dir, sizeof(s->tracing_dir), "%s", DEFAULT_TRACEFS);
	return 0;
}

static int write_checked(struct pt_ml_session *s, const char *file, const char *val, char *why, size_t len)
{
	if (tracefs_instance_file_write(s->inst, file, val) < 0) {
		snprintf(why, len, "cannot write '%s' to %s/instances/%s/%s: %s", val, s->tracing_dir,
			 s->name, file, strerror(errno));
		return -1;
	}
	return 0;
}

static int open_cpus(struct pt_ml_session *s, char *why, size_t len)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);

	s->cpus = pt_xcalloc((size_t)(n > 0 ? n : 1), sizeof(*s->cpus));
	for (int cpu = 0; cpu < n; cpu++) {
		char rel[128];
		struct pt_ml_cpu *c = &s->cpus[s->ncpus];

		snprintf(rel, sizeof(rel), "%s/per_cpu/cpu%d/trace_pipe_raw", active_rel, cpu);
		c->fd = openat(s->root_fd, rel, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (c->fd < 0) {
			if (errno == ENOENT) /* not a possible CPU */
				continue;
			snprintf(why, len, "cannot open %s/%s: %s", s->tracing_dir, rel, strerror(errno));
			return -1;
		}
		c->cpu = cpu;
		c->tcpu = tracefs_cpu_alloc_fd(c->fd, s->subbuf_size, true);
		s->ncpus++;
		if (!c->tcpu) {
			snprintf(why, len, "tracefs_cpu_alloc_fd failed for CPU %d", cpu);
			return -1;
		}
	}
	if (!s->ncpus) {
		snprintf(why, len, "no per_cpu/cpuN/trace_pipe_raw in %s/%s", s->tracing_dir, active_rel);
		return -1;
	}
	return 0;
}

int pt_ml_session_open(struct pt_ml_session *s, size_t buffer_kb, char *why, size_t len)
{
	static const char *const systems[] = { PT_ML_SYSTEM, NULL };
	char val[64], rel[128], *clock;

	memset(s, 0, sizeof(*s));
	s->root_fd = s->tracing_on_fd = -1;
	if (geteuid() != 0) {
		snprintf(why, len, "not root (euid %d): tracefs instances need root", (int)geteuid());
		return -1;
	}
	if (find_tracefs(s, why, len))
		return -1;
	s->root_fd = open(s->tracing_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->root_fd < 0) {
		snprintf(why, len, "cannot open %s: %s", s->tracing_dir, strerror(errno));
		goto fail;
	}
	if (faccessat(s->root_fd, "events/" PT_ML_SYSTEM, F_OK, 0)) {
		snprintf(why, len, "this kernel has no mmap_lock trace events (%s/events/%s: %s)",
			 s->tracing_dir, PT_ML_SYSTEM, strerror(errno));
		goto fail;
	}
	tracefs_set_tracing_dir(s->tracing_dir);
	s->stale_removed = pt_tracefs_clean_stale_at(s->root_fd);
	pt_tracefs_instance_name(s->name, sizeof(s->name), getpid());
	snprintf(active_rel, sizeof(active_rel), "instances/%s", s->name);
	/* ours from an earlier repeat that could not be removed: start afresh */
	unlinkat(s->root_fd, active_rel, AT_REMOVEDIR);
	s->inst = tracefs_instance_create(s->name);
	if (!s->inst) {
		snprintf(why, len, "cannot create %s/%s: %s", s->tracing_dir, active_rel, strerror(errno));
		goto fail;
	}
	/* from here on every exit path removes the instance */
	active = s;
	install_hooks();
	snprintf(rel, sizeof(rel), "%s/tracing_on", active_rel);
	s->tracing_on_fd = openat(s->root_fd, rel, O_WRONLY | O_CLOEXEC);
	if (s->tracing_on_fd < 0 || write(s->tracing_on_fd, "0", 1) != 1) {
		snprintf(why, len, "cannot turn %s/%s off: %s", s->tracing_dir, rel, strerror(errno));
		goto fail;
	}
	/* mono: event timestamps are CLOCK_MONOTONIC, the workers' clock */
	if (write_checked(s, "trace_clock", "mono", why, len))
		goto fail;
	clock = tracefs_instance_file_read(s->inst, "trace_clock", NULL);
	if (!clock || !strstr(clock, "[mono]")) {
		snprintf(why, len, "trace_clock mono did not take (%s)", clock ? clock : "unreadable");
		free(clock);
		goto fail;
	}
	free(clock);
	snprintf(val, sizeof(val), "%zu", buffer_kb);
	if (write_checked(s, "buffer_size_kb", val, why, len))
		goto fail;
	{
		long long kb = 0;

		s->buffer_kb = tracefs_instance_file_read_number(s->inst, "buffer_size_kb", &kb) ? buffer_kb
											      : (size_t)kb;
	}
	s->tep = tracefs_local_events_system(s->tracing_dir, systems);
	if (!s->tep) {
		snprintf(why, len, "cannot read the %s event formats from %s", PT_ML_SYSTEM, s->tracing_dir);
		goto fail;
	}
	s->subbuf_size = tep_get_sub_buffer_size(s->tep);
	if (s->subbuf_size <= 0)
		s->subbuf_size = getpagesize();
	s->page = pt_xmalloc((size_t)s->subbuf_size);
	s->kbuf = tep_kbuffer(s->tep);
	if (!s->kbuf) {
		snprintf(why, len, "cannot set up a kbuffer for the ring-buffer pages");
		goto fail;
	}
	if (open_cpus(s, why, len))
		goto fail;
	return 0;
fail:
	pt_ml_session_close(s);
	return -1;
}

int pt_ml_session_start(struct pt_ml_session *s, const int *pids, size_t npids, char *why, size_t len)
{
	size_t cap = npids * 12 + 1, off = 0;
	char *list = pt_xmalloc(cap);
	int rc;

	list[0] = '\0';
	for (size_t i = 0; i < npids; i++)
		off += (size_t)snprintf(list + off, cap - off, "%s%d", i ? " " : "", pids[i]);
	/* event-fork first, so a thread created after the pid list is written is in it */
	if (tracefs_option_enable(s->inst, TRACEFS_OPTION_EVENT_FORK)) {
		snprintf(why, len, "cannot set options/event-fork: %s", strerror(errno));
		free(list);
		return -1;
	}
	rc = write_checked(s, "set_event_pid", list, why, len);
	free(list);
	if (rc)
		return -1;
	for (int t = 0; t < 3; t++) {
		if (tracefs_event_enable(s->inst, PT_ML_SYSTEM, pt_ml_event_names[t])) {
			snprintf(why, len, "cannot enable %s:%s: %s", PT_ML_SYSTEM, pt_ml_event_names[t],
				 strerror(errno));
			return -1;
		}
	}
	if (write(s->tracing_on_fd, "1", 1) != 1) {
		snprintf(why, len, "cannot turn tracing on in %s: %s", active_rel, strerror(errno));
		return -1;
	}
	return 0;
}

long pt_ml_session_read_cpu(struct pt_ml_session *s, int i, size_t max_pages,
			    void (*fn)(void *data, int size, uint64_t ts, void *ctx), void *ctx)
{
	long events = 0;

	for (size_t pages = 0; pages < max_pages; pages++) {
		unsigned long long ts;
		void *data;
		int missed, n = tracefs_cpu_read(s->cpus[i].tcpu, s->page, true);

		if (n < 0)
			return errno == EAGAIN ? events : -1;
		if (n == 0)
			break;
		if (kbuffer_load_subbuffer(s->kbuf, s->page) < 0)
			return -1;
		missed = kbuffer_missed_events(s->kbuf);
		if (missed > 0)
			s->missed_events += (uint64_t)missed;
		else if (missed < 0)
			s->missed_unknown++;
		for (data = kbuffer_read_event(s->kbuf, &ts); data; data = kbuffer_next_event(s->kbuf, &ts)) {
			fn(data, kbuffer_event_size(s->kbuf), ts, ctx);
			events++;
		}
	}
	return events;
}

void pt_ml_session_stop(struct pt_ml_session *s)
{
	if (s->tracing_on_fd >= 0 && write(s->tracing_on_fd, "0", 1) != 1)
		fprintf(stderr, "ptbench: warning: cannot turn tracing off in %s: %s\n", active_rel,
			strerror(errno));
	if (s->inst)
		tracefs_event_disable(s->inst, PT_ML_SYSTEM, NULL);
}

static uint64_t stat_field(const char *text, const char *key)
{
	const char *p = text;
	size_t klen = strlen(key);

	/* a key at the start of a line ("overrun:" is also inside "commit overrun:") */
	while ((p = strstr(p, key))) {
		if (p == text || p[-1] == '\n')
			return strtoull(p + klen, NULL, 10);
		p += klen;
	}
	return 0;
}

uint64_t pt_ml_session_lost(struct pt_ml_session *s)
{
	uint64_t lost = 0;

	for (int i = 0; i < s->ncpus; i++) {
		char rel[64], *text;

		snprintf(rel, sizeof(rel), "per_cpu/cpu%d/stats", s->cpus[i].cpu);
		text = tracefs_instance_file_read(s->inst, rel, NULL);
		if (!text)
			continue;
		lost += stat_field(text, "overrun:") + stat_field(text, "commit overrun:") +
			stat_field(text, "dropped events:");
		free(text);
	}
	return lost;
}

void pt_ml_session_close(struct pt_ml_session *s)
{
	active = NULL;
	remove_hooks();
	if (s->inst)
		pt_ml_session_stop(s);
	for (int i = 0; i < s->ncpus; i++) {
		if (s->cpus[i].tcpu)
			tracefs_cpu_free_fd(s->cpus[i].tcpu);
		close(s->cpus[i].fd);
	}
	free(s->cpus);
	s->cpus = NULL;
	s->ncpus = 0;
	if (s->tracing_on_fd >= 0)
		close(s->tracing_on_fd);
	s->tracing_on_fd = -1;
	if (s->inst) {
		int rc, tries = 0;

		/* libtracefs may still hold a file of it for a moment: retry EBUSY */
		while ((rc = unlinkat(s->root_fd, active_rel, AT_REMOVEDIR)) && errno == EBUSY && tries++ < 50)
			usleep(10000);
		if (rc && errno != ENOENT)
			fprintf(stderr, "ptbench: warning: could not remove %s/%s: %s\n", s->tracing_dir,
				active_rel, strerror(errno));
		tracefs_instance_free(s->inst);
		s->inst = NULL;
	}
	if (s->kbuf)
		kbuffer_free(s->kbuf);
	s->kbuf = NULL;
	if (s->tep)
		tep_free(s->tep);
	s->tep = NULL;
	free(s->page);
	s->page = NULL;
	if (s->root_fd >= 0)
		close(s->root_fd);
	s->root_fd = -1;
	/* only what we mounted; busy means someone else uses it now: leave it
	 * (and its record, for the end of the run or `ptbench restore`) */
	if (s->mounted_by_us && we_mounted) {
		if (!umount(DEFAULT_TRACEFS)) {
			we_mounted = 0;
			pt_state_forget_mount(DEFAULT_TRACEFS);
		} else if (errno != EBUSY) {
			fprintf(stderr, "ptbench: warning: cannot unmount %s: %s\n", s->tracing_dir,
				strerror(errno));
		}
	}
	s->mounted_by_us = false;
}
