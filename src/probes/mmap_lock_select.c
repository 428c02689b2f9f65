/* The mmap_lock probe as the runner sees it: picks a backend per repeat
 * (--lock-probe / lock_probe; by default BPF where it loads, else tracefs,
 * else none) and says in the result which one ran and why the others did not
 * (probes.mmap_lock.backend and why). The backend's own keys are unchanged. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/lock_probe.h"
#include "ptbench/mmap_lock_probe.h"
#include "ptbench/probe.h"
#include "ptbench/util.h"

struct sel_state {
	const struct pt_probe *be;     /* NULL: no backend runs */
	void *be_state;
	const char *backend;           /* "bpf", "tracefs", "off" */
	char why[768];
};

static const char *choice_origin(const struct pt_run *run)
{
	return pt_probe_lock_backend_from(run) ? pt_probe_lock_backend_from(run) : "the default";
}

/* Try one backend; on refusal append "NAME: why" to s->why. */
static bool try_backend(struct sel_state *s, struct pt_run *run, const struct pt_probe *be, const char *name)
{
	char why[512] = "";
	size_t n = strlen(s->why);

	if (!be->start(run, &s->be_state, why, sizeof(why))) {
		s->be = be;
		s->backend = name;
		return true;
	}
	snprintf(s->why + n, sizeof(s->why) - n, "%s%s: %s", n ? "; " : "", name, why);
	return false;
}

static int sel_start(struct pt_run *run, void **state, char *why, size_t len)
{
	struct sel_state *s = pt_xcalloc(1, sizeof(*s));
	enum pt_lock_probe choice = (enum pt_lock_probe)pt_probe_lock_backend(run);

	(void)why;
	(void)len;
	*state = s;
	s->backend = "off";
	if (!pt_probe_trace(run)) {
		snprintf(s->why, sizeof(s->why), "turned off with --no-trace");
		return 0;
	}
	switch (choice) {
	case PT_LOCK_PROBE_OFF:
		snprintf(s->why, sizeof(s->why), "turned off with %s", choice_origin(run));
		return 0;
	case PT_LOCK_PROBE_BPF:
		try_backend(s, run, &pt_probe_mmap_lock_bpf, "bpf");
		break;
	case PT_LOCK_PROBE_TRACEFS:
		try_backend(s, run, &pt_probe_mmap_lock_tracefs, "tracefs");
		break;
	case PT_LOCK_PROBE_AUTO:
		if (!try_backend(s, run, &pt_probe_mmap_lock_bpf, "bpf"))
			try_backend(s, run, &pt_probe_mmap_lock_tracefs, "tracefs");
		break;
	}
	if (s->be) {
		size_t n = strlen(s->why);

		/* why this one: asked for, or the first of the default order that loaded */
		if (choice == PT_LOCK_PROBE_AUTO && !n)
			snprintf(s->why, sizeof(s->why), "bpf loaded (the default: bpf, else tracefs)");
		else if (choice == PT_LOCK_PROBE_AUTO)
			snprintf(s->why + n, sizeof(s->why) - n, "; so %s ran (the default: bpf, else tracefs)",
				 s->backend);
		else
			snprintf(s->why, sizeof(s->why), "asked for with %s", choice_origin(run));
	}
	return 0;
}

static void sel_threads_ready(void *state, struct pt_run *run)
{
	struct sel_state *s = state;

	if (s->be && s->be->threads_ready)
		s->be->threads_ready(s->be_state, run);
}

static void sel_measure_begin(void *state, struct pt_run *run)
{
	struct sel_state *s = state;

	if (s->be && s->be->measure_begin)
		s->be->measure_begin(s->be_state, run);
}

static void sel_measure_end(void *state, struct pt_run *run)
{
	struct sel_state *s = state;

	if (s->be && s->be->measure_end)
		s->be->measure_end(s->be_state, run);
}

static void sel_stop(void *state, struct pt_run *run)
{
	struct sel_state *s = state;

	if (s->be && s->be->stop)
		s->be->stop(s->be_state, run);
}

static struct json_object *sel_result(void *state, struct pt_run *run)
{
	struct sel_state *s = state;
	struct json_object *o = NULL, *av;

	if (s->be && s->be->result)
		o = s->be->result(s->be_state, run);
	if (!o) {
		o = json_object_new_object();
		json_object_object_add(o, "available", json_object_new_boolean(0));
	}
	json_object_object_add(o, "backend", json_object_new_string(s->backend));
	/* a backend that ran but could not deliver keeps its own why */
	if (!json_object_object_get_ex(o, "why", NULL) || (json_object_object_get_ex(o, "available", &av) &&
							     json_object_get_boolean(av)))
		json_object_object_add(o, "why", json_object_new_string(s->why));
	return o;
}

static void sel_summary(struct json_object *res, FILE *out)
{
	struct json_object *b;

	if (json_object_object_get_ex(res, "backend", &b))
		fprintf(out, "  mmap_lock probe: %s\n", json_object_get_string(b));
	pt_probe_mmap_lock_tracefs.print_summary(res, out);
}

static void sel_destroy(void *state)
{
	struct sel_state *s = state;

	if (!s)
		return;
	if (s->be && s->be->destroy)
		s->be->destroy(s->be_state);
	free(s);
}

const struct pt_probe pt_probe_mmap_lock = {
	.name = "mmap_lock",
	.summary = "mmap_lock wait and hold times by mode and role (backend: bpf, else tracefs; --lock-probe)",
	.is_trace = false, /* --no-trace is handled here, so the result still names the backend */
	.start = sel_start,
	.threads_ready = sel_threads_ready,
	.measure_begin = sel_measure_begin,
	.measure_end = sel_measure_end,
	.stop = sel_stop,
	.result = sel_result,
	.print_summary = sel_summary,
	.destroy = sel_destroy,
};
