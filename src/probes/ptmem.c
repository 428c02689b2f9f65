/* Page-table memory: VmPTE of this process and of its child processes (role
 * processes, collapse sharers) from /proc/PID/status, and the system's
 * nr_page_table_pages from /proc/vmstat. Read when the probe starts (after
 * the roles' setup, before their threads run), at both edges of the
 * measured window (workers paused before it opens, drained after it
 * closed), every timeline_interval (at least 10 ms) by a sampler thread
 * while the repeat runs, and when the threads have stopped: the result
 * holds start, end and the peak over those samples. A peak shorter than the
 * interval between two samples is missed; start and end are exact.
 *
 * The sampler must cost the workers nothing it can avoid. It
 * used to wake every 10 ms, the one thread of the run that woke at a rate
 * under --no-trace (~107 context switches a second); nothing in the result
 * has a finer time resolution than the timeline's slot, so it now wakes once
 * per slot (10 times a second at the default 100 ms), and the window's edges
 * are sampled where the run is already between iterations, so a window
 * shorter than the period still has its own values in the peak. Each
 * wake-up used to fopen + fscanf /proc/self/status and /proc/vmstat
 * and rescan /proc/self/task/ * /children (one open per worker thread).
 * Now /proc/self/status and /proc/vmstat stay open and are pread() into one
 * buffer, the children are looked for every CHILD_SCAN_EVERY samples (their
 * VmPTE is still read every sample), and once the worker threads exist the
 * sampler is moved to the CPUs no worker is bound to, when there are any, so
 * that its wake-ups do not preempt a worker on its own CPU.
 *
 * On a machine with several NUMA nodes the same counter is read per node
 * (/sys/devices/system/node/nodeN/vmstat, kept open like the others): where
 * a role's page tables were allocated (the faulting thread's mempolicy) is
 * then in the result, not assumed. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ptbench/probe.h"
#include "ptbench/util.h"

/* the shortest period: timeline_interval may be 1 ms, the sampler's cost
 * (~40-150 us a wake-up on a small VM) is not */
#define MIN_SAMPLE_NS 10000000ull
#define MAX_CHILDREN 64
/* a child process that lives less than this (100 ms, or one period when
 * that is longer) may be missed; role processes and sharers live for the
 * whole repeat */
#define CHILD_SCAN_NS 100000000ull
/* nodes whose page-table pages are sampled (node numbers 0 .. this - 1) */
#define PTMEM_MAX_NODES 8

struct gauge {
	long long start, end, peak;
	bool seen;
};

struct child {
	int pid;
	char comm[32];
	struct gauge vmpte_kb;
};

struct ptmem_state {
	pthread_t sampler;
	bool sampler_running;
	_Atomic bool quit;
	pthread_mutex_t lock; /* the gauges: sampler thread vs start/stop */
	struct gauge self_kb, system_pages;
	struct child children[MAX_CHILDREN];
	int nchildren;
	unsigned long samples;
	uint64_t period_ns;           /* the sampler's: max(timeline_interval, 10 ms) */
	unsigned long child_scan_every; /* samples between two looks for children */
	int status_fd, vmstat_fd; /* /proc/self/status, /proc/vmstat: kept open */
	int node_fd[PTMEM_MAX_NODES]; /* nodeN/vmstat, -1 where there is no node N */
	int nnodes;                   /* how many of node_fd are open */
	struct gauge node_pages[PTMEM_MAX_NODES];
	char buf[16384];          /* what one of them read (under lock) */
	const char *sampler_cpus; /* "spare" once moved off the workers' CPUs */
};

static void gauge_add(struct gauge *g, long long v)
{
	if (v < 0)
		return;
	if (!g->seen) {
		g->start = g->peak = v;
		g->seen = true;
	}
	if (v > g->peak)
		g->peak = v;
	g->end = v;
}

/* VmPTE in kB of a process, -1 when gone or a kernel thread */
static long long vmpte_kb(int pid, char *comm, size_t comm_len)
{
	char path[64], line[128];
	long long kb = -1;
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (comm && !strncmp(line, "Name:", 5)) {
			char *p = line + 5;

			p += strspn(p, " \t");
			p[strcspn(p, "\n")] = '\0';
			snprintf(comm, comm_len, "%s", p);
		}
		if (sscanf(line, "VmPTE: %lld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/* pread a kept-open /proc file into s->buf, NUL-terminated; -1 on failure */
static ssize_t pread_all(struct ptmem_state *s, int fd)
{
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, s->buf, sizeof(s->buf) - 1, 0);
	if (n < 0)
		return -1;
	s->buf[n] = '\0';
	return n;
}

/* the number after "KEY" at the start of a line of s->buf, -1 if none */
static long long field(const struct ptmem_state *s, const char *key)
{
	size_t klen = strlen(key);
	const char *p = s->buf;

	while (p && *p) {
		if (!strncmp(p, key, klen))
			return strtoll(p + klen, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

static struct child *child_slot(struct ptmem_state *s, int pid)
{
	for (int i = 0; i < s->nchildren; i++)
		if (s->children[i].pid == pid)
			return &s->children[i];
	if (s->nchildren == MAX_CHILDREN)
		return NULL;
	s->children[s->nchildren].pid = pid;
	return &s->children[s->nchildren++];
}

/* children of every thread of this process (/proc/self/task/TID/children) */
static void scan_children(struct ptmem_state *s)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[300], buf[1024];
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fscanf(f, "%1023s", buf) == 1) {
			int pid = atoi(buf);
			struct child *c;
			char comm[32] = "";
			long long kb;

			if (pid <= 0)
				continue;
			kb = vmpte_kb(pid, comm, sizeof(comm));
			if (kb < 0 || !(c = child_slot(s, pid)))
				continue;
			if (comm[0])
				snprintf(c->comm, sizeof(c->comm), "%s", comm);
			gauge_add(&c->vmpte_kb, kb);
		}
		fclose(f);
	}
	closedir(d);
}

static void sample(struct ptmem_state *s)
{
	pthread_mutex_lock(&s->lock);
	gauge_add(&s->self_kb, pread_all(s, s->status_fd) < 0 ? -1 : field(s, "VmPTE:"));
	gauge_add(&s->system_pages, pread_all(s, s->vmstat_fd) < 0 ? -1 : field(s, "nr_page_table_pages "));
	for (int n = 0; s->nnodes > 1 && n < PTMEM_MAX_NODES; n++)
		if (s->node_fd[n] >= 0)
			gauge_add(&s->node_pages[n],
				  pread_all(s, s->node_fd[n]) < 0 ? -1 : field(s, "nr_page_table_pages "));
	if (s->samples % s->child_scan_every == 0) {
		scan_children(s); /* finds new children and reads every child's VmPTE */
	} else {
		for (int i = 0; i < s->nchildren; i++) {
			long long kb = vmpte_kb(s->children[i].pid, NULL, 0);

			if (kb >= 0)
				gauge_add(&s->children[i].vmpte_kb, kb);
		}
	}
	s->samples++;
	pthread_mutex_unlock(&s->lock);
}

/* Move the sampler to the CPUs this process may use that no worker thread
 * is bound to. Nothing when a worker is unbound (it may be anywhere) or when
 * the workers have every CPU: then the sampler shares, as before. */
static void ptmem_threads_ready(void *state, struct pt_run *run)
{
	struct ptmem_state *s = state;
	cpu_set_t spare;

	if (!s->sampler_running || sched_getaffinity(0, sizeof(spare), &spare))
		return;
	for (size_t r = 0; r < pt_probe_nroles(run); r++)
		for (int i = 0; i < pt_probe_role_nthreads(run, r); i++) {
			int cpu = pt_probe_thread_cpu(run, r, i);

			if (cpu < 0)
				return;
			if (cpu < CPU_SETSIZE)
				CPU_CLR(cpu, &spare);
		}
	if (CPU_COUNT(&spare) && !pthread_setaffinity_np(s->sampler, sizeof(spare), &spare))
		s->sampler_cpus = "spare";
}

static void *sampler_main(void *arg)
{
	struct ptmem_state *s = arg;
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!atomic_load(&s->quit)) {
		uint64_t ns = (uint64_t)next.tv_nsec + s->period_ns;

		next.tv_sec += (time_t)(ns / 1000000000ull);
		next.tv_nsec = (long)(ns % 1000000000ull);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		if (!atomic_load(&s->quit))
			sample(s);
	}
	return NULL;
}

static int ptmem_start(struct pt_run *run, void **state, char *why, size_t len)
{
	struct ptmem_state *s = pt_xcalloc(1, sizeof(*s));
	sigset_t all, old;
	int e;

	*state = s;
	pthread_mutex_init(&s->lock, NULL);
	s->sampler_cpus = "shared";
	s->period_ns = pt_probe_timeline_interval_ns(run);
	if (s->period_ns < MIN_SAMPLE_NS)
		s->period_ns = MIN_SAMPLE_NS;
	s->child_scan_every = (unsigned long)(CHILD_SCAN_NS / s->period_ns);
	if (!s->child_scan_every)
		s->child_scan_every = 1;
	s->status_fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	s->vmstat_fd = open("/proc/vmstat", O_RDONLY | O_CLOEXEC);
	for (int n = 0; n < PTMEM_MAX_NODES; n++) {
		char path[64];

		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/vmstat", n);
		s->node_fd[n] = open(path, O_RDONLY | O_CLOEXEC);
		s->nnodes += s->node_fd[n] >= 0;
	}
	if (vmpte_kb(0, NULL, 0) < 0) {
		snprintf(why, len, "no VmPTE in /proc/self/status");
		return -1;
	}
	sample(s);
	/* the sampler must not take the run's SIGINT/SIGTERM: the main thread does */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	e = pthread_create(&s->sampler, NULL, sampler_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		/* start and end still make a result; say the peak is not sampled */
		snprintf(why, len, "sampler thread: %s", strerror(e));
		return 0;
	}
	s->sampler_running = true;
	/* its name tells it from the workers in /proc/PID/task (tests count its wake-ups) */
	pthread_setname_np(s->sampler, "pt-ptmem");
	return 0;
}

/* The window's edges: every worker is between iterations (paused before the
 * window opens, t_measure not yet taken; drained after it closed), so the
 * read costs the window nothing. */
static void ptmem_edge(void *state, struct pt_run *run)
{
	(void)run;
	sample(state);
}

static void ptmem_stop(void *state, struct pt_run *run)
{
	struct ptmem_state *s = state;

	(void)run;
	if (s->sampler_running) {
		atomic_store(&s->quit, true);
		pthread_join(s->sampler, NULL);
		s->sampler_running = false;
	}
	sample(s);
}

static struct json_object *gauge_json(const struct gauge *g)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "start", json_object_new_int64(g->start));
	json_object_object_add(o, "end", json_object_new_int64(g->end));
	json_object_object_add(o, "peak", json_object_new_int64(g->peak));
	return o;
}

static struct json_object *ptmem_result(void *state, struct pt_run *run)
{
	struct ptmem_state *s = state;
	struct json_object *o = json_object_new_object(), *self = json_object_new_object(),
			   *sys = json_object_new_object(), *kids = json_object_new_array();
	char method[320];

	(void)run;
	snprintf(method, sizeof(method),
		 "read at probe start (after setup), at the window's edges, every %llu ms (interval_ms: the "
		 "timeline's, at least 10) by a sampler thread (children looked for every %llu ms) %s, and after "
		 "the threads stopped",
		 (unsigned long long)(s->period_ns / 1000000),
		 (unsigned long long)(s->period_ns * s->child_scan_every / 1000000),
		 strcmp(s->sampler_cpus, "spare") ? "sharing the workers' CPUs" : "on CPUs no worker is bound to");
	json_object_object_add(o, "method", json_object_new_string(method));
	json_object_object_add(o, "interval_ms", json_object_new_int((int)(s->period_ns / 1000000)));
	json_object_object_add(o, "samples", json_object_new_int64((int64_t)s->samples));
	json_object_object_add(self, "vmpte_kb", gauge_json(&s->self_kb));
	json_object_object_add(o, "self", self);
	for (int i = 0; i < s->nchildren; i++) {
		struct json_object *c = json_object_new_object();

		json_object_object_add(c, "pid", json_object_new_int(s->children[i].pid));
		json_object_object_add(c, "comm", json_object_new_string(s->children[i].comm));
		json_object_object_add(c, "vmpte_kb", gauge_json(&s->children[i].vmpte_kb));
		json_object_array_add(kids, c);
	}
	json_object_object_add(o, "children", kids);
	json_object_object_add(sys, "nr_page_table_pages", gauge_json(&s->system_pages));
	if (s->nnodes > 1) {
		/* one node says nothing the system counter does not */
		struct json_object *by = json_object_new_object();

		for (int n = 0; n < PTMEM_MAX_NODES; n++) {
			char key[16];

			if (s->node_fd[n] < 0)
				continue;
			snprintf(key, sizeof(key), "%d", n);
			json_object_object_add(by, key, gauge_json(&s->node_pages[n]));
		}
		json_object_object_add(sys, "nr_page_table_pages_by_node", by);
	}
	json_object_object_add(o, "system", sys);
	return o;
}

static long long get3(struct json_object *o, const char *a, const char *b, const char *c)
{
	struct json_object *x;

	if (!json_object_object_get_ex(o, a, &x) || !json_object_object_get_ex(x, b, &x) ||
	    !json_object_object_get_ex(x, c, &x))
		return -1;
	return json_object_get_int64(x);
}

static void ptmem_summary(struct json_object *res, FILE *out)
{
	struct json_object *kids;
	long long kids_peak = 0;

	if (get3(res, "self", "vmpte_kb", "start") < 0)
		return;
	if (json_object_object_get_ex(res, "children", &kids))
		for (size_t i = 0; i < json_object_array_length(kids); i++) {
			struct json_object *v, *p;

			if (json_object_object_get_ex(json_object_array_get_idx(kids, i), "vmpte_kb", &v) &&
			    json_object_object_get_ex(v, "peak", &p))
				kids_peak += json_object_get_int64(p);
		}
	fprintf(out, "  ptmem: VmPTE start/peak/end %lld/%lld/%lld kB", get3(res, "self", "vmpte_kb", "start"),
		get3(res, "self", "vmpte_kb", "peak"), get3(res, "self", "vmpte_kb", "end"));
	if (kids && json_object_array_length(kids))
		fprintf(out, " (children: %zu, peaks summed %lld kB)", json_object_array_length(kids), kids_peak);
	fprintf(out, "; nr_page_table_pages start/peak/end %lld/%lld/%lld\n",
		get3(res, "system", "nr_page_table_pages", "start"),
		get3(res, "system", "nr_page_table_pages", "peak"),
		get3(res, "system", "nr_page_table_pages", "end"));
}

static void ptmem_destroy(void *state)
{
	struct ptmem_state *s = state;

	if (!s)
		return;
	if (s->sampler_running) {
		atomic_store(&s->quit, true);
		pthread_join(s->sampler, NULL);
	}
	pthread_mutex_destroy(&s->lock);
	if (s->status_fd >= 0)
		close(s->status_fd);
	if (s->vmstat_fd >= 0)
		close(s->vmstat_fd);
	for (int n = 0; n < PTMEM_MAX_NODES; n++)
		if (s->node_fd[n] >= 0)
			close(s->node_fd[n]);
	free(s);
}

const struct pt_probe pt_probe_ptmem = {
	.name = "ptmem",
	.summary = "page-table memory: VmPTE (this process and its children) and nr_page_table_pages, start/end/peak (sampled every timeline_interval, at least 10 ms)",
	.is_trace = false,
	.start = ptmem_start,
	.threads_ready = ptmem_threads_ready,
	.paused = ptmem_edge,
	.measure_end = ptmem_edge,
	.stop = ptmem_stop,
	.result = ptmem_result,
	.print_summary = ptmem_summary,
	.destroy = ptmem_destroy,
};
