/* /proc/vmstat and khugepaged counter deltas over the measured window. The
 * collapse workers' claims are checked against these (thp_collapse_alloc,
 * thp_file_*), so they are recorded for every run. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/probe.h"
#include "ptbench/sysfs_io.h"
#include "ptbench/util.h"
#include "ptbench/vmstat.h"

#define KHUGEPAGED_DIR "/sys/kernel/mm/transparent_hugepage/khugepaged/"

/* counters kept; "thp_" prefix keeps every THP counter the kernel has */
static const char *const kept[] = {
	"pgfault", "pgmajfault", "pgfree", "nr_page_table_pages", "nr_anon_transparent_hugepages",
	"nr_shmem_hugepages", "nr_file_hugepages", "pgalloc_normal", "numa_hint_faults",
	"compact_stall", "compact_success", "compact_fail",
};

struct vmstat_state {
	struct pt_vmstat before, after;
	long long khp_collapsed_before, khp_scans_before;
	long long khp_collapsed_after, khp_scans_after;
	int have_before;
	bool have_after;
};

static bool wanted(const char *name)
{
	if (!strncmp(name, "thp_", 4))
		return true;
	for (size_t i = 0; i < PT_ARRAY_SIZE(kept); i++)
		if (!strcmp(name, kept[i]))
			return true;
	return false;
}

int pt_vmstat_read(struct pt_vmstat *v)
{
	FILE *f = fopen("/proc/vmstat", "re");
	char name[64];
	long long val;

	v->n = 0;
	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", name, &val) == 2) {
		if (!wanted(name) || v->n >= PT_VMSTAT_MAX)
			continue;
		snprintf(v->name[v->n], sizeof(v->name[0]), "%s", name);
		v->val[v->n++] = val;
	}
	fclose(f);
	return 0;
}

long long pt_vmstat_get(const struct pt_vmstat *v, const char *name)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->name[i], name))
			return v->val[i];
	return 0;
}

static long long read_ll(const char *path)
{
	char buf[64];

	return pt_read_line(path, buf, sizeof(buf), 0) ? -1 : atoll(buf);
}

static int vm_start(struct pt_run *run, void **state, char *why, size_t len)
{
	struct vmstat_state *s = pt_xcalloc(1, sizeof(*s));

	(void)run;
	*state = s;
	if (pt_vmstat_read(&s->before)) {
		snprintf(why, len, "cannot read /proc/vmstat");
		return -1;
	}
	return 0;
}

static void vm_measure_begin(void *state, struct pt_run *run)
{
	struct vmstat_state *s = state;

	(void)run;
	pt_vmstat_read(&s->before);
	s->khp_collapsed_before = read_ll(KHUGEPAGED_DIR "pages_collapsed");
	s->khp_scans_before = read_ll(KHUGEPAGED_DIR "full_scans");
}

/* when the window closes, before the workers' clean-up, like the lock
 * probes; stop() reads it if the repeat never got there */
static void vm_measure_end(void *state, struct pt_run *run)
{
	struct vmstat_state *s = state;

	(void)run;
	s->have_after = true;
	pt_vmstat_read(&s->after);
	s->khp_collapsed_after = read_ll(KHUGEPAGED_DIR "pages_collapsed");
	s->khp_scans_after = read_ll(KHUGEPAGED_DIR "full_scans");
}

static void vm_stop(void *state, struct pt_run *run)
{
	struct vmstat_state *s = state;

	if (!s->have_after)
		vm_measure_end(state, run);
}

static struct json_object *vm_result(void *state, struct pt_run *run)
{
	struct vmstat_state *s = state;
	struct json_object *o = json_object_new_object(), *d = json_object_new_object();

	(void)run;
	/* deltas; nr_* are gauges, reported as the value after */
	for (size_t i = 0; i < s->after.n; i++) {
		const char *name = s->after.name[i];
		long long v = s->after.val[i];

		if (strncmp(name, "nr_", 3))
			v -= pt_vmstat_get(&s->before, name);
		json_object_object_add(d, name, json_object_new_int64(v));
	}
	json_object_object_add(o, "delta", d);
	if (s->khp_collapsed_before >= 0 && s->khp_collapsed_after >= 0) {
		struct json_object *k = json_object_new_object();

		json_object_object_add(k, "pages_collapsed",
				       json_object_new_int64(s->khp_collapsed_after - s->khp_collapsed_before));
		json_object_object_add(k, "full_scans",
				       json_object_new_int64(s->khp_scans_after - s->khp_scans_before));
		json_object_object_add(o, "khugepaged", k);
	}
	return o;
}

static void vm_summary(struct json_object *res, FILE *out)
{
	struct json_object *d;
	int shown = 0;

	if (!json_object_object_get_ex(res, "delta", &d))
		return;
	json_object_object_foreach(d, name, val)
	{
		long long v = json_object_get_int64(val);

		/* only the THP events that happened: the rest is in the result */
		if (strncmp(name, "thp_", 4) || !v)
			continue;
		fprintf(out, "%s%s=%lld", shown ? " " : "  vmstat: ", name, v);
		shown++;
	}
	if (shown)
		fputc('\n', out);
}

static void vm_destroy(void *state)
{
	free(state);
}

const struct pt_probe pt_probe_vmstat = {
	.name = "vmstat",
	.summary = "deltas of /proc/vmstat THP and fault counters and khugepaged counters",
	.is_trace = false,
	.start = vm_start,
	.measure_begin = vm_measure_begin,
	.measure_end = vm_measure_end,
	.stop = vm_stop,
	.result = vm_result,
	.print_summary = vm_summary,
	.destroy = vm_destroy,
};
