/* The BPF backend of the mmap_lock probe: src/bpf/mmap_lock.bpf.c pairs the
 * events and keeps the histograms in the kernel; here we load it (CO-RE: the
 * object embedded in the skeleton is relocated against the running kernel's
 * BTF), tell it the run's tasks and roles and the measured window, and read
 * its per-CPU maps once, at stop, into the same struct pt_ml_stats the
 * tracefs backend fills, so the result has the same keys. The programs count
 * per cell (a role in no op, or in one of its ops: src/bpf/task_lock.bpf.h);
 * a role's numbers are its cells added up, and each op's cell is the role's
 * ops.OP object. */
#define _GNU_SOURCE
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/clock.h"
#include "ptbench/hist.h"
#include "ptbench/lock_bpf.h"
#include "ptbench/mmap_lock_probe.h"
#include "ptbench/op_marker.h"
#include "ptbench/probe.h"
#include "ptbench/util.h"

#ifdef PTBENCH_HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "mmap_lock.skel.h"

struct mlb_state {
	struct ptbench_mmap_lock *skel;
	size_t ngroups;                /* nroles + 1 ("other") */
	size_t ncells;                 /* per group: in no op, and each op */
	__u32 cell_base[PT_BPF_MAX_GROUPS], cell_nops[PT_BPF_MAX_GROUPS];
	struct pt_ml_stats *groups, *cells, total;
	bool per_op;                   /* the op markers are the programs' */
	char per_op_why[256];
	bool shared;                   /* offered its maps to the per-VMA lock probe */
	uint64_t no_state, no_storage, procs_full, open_unknown;
	int nprocs, ntids;
	double load_ms;
	const char *layout;
	bool stopped;
	char read_error[256];
};

static void stats_alloc(struct pt_ml_stats *s)
{
	memset(s, 0, sizeof(*s));
	for (int m = 0; m < PT_ML_NMODES; m++) {
		s->wait[m] = pt_hist_new();
		s->hold[m] = pt_hist_new();
	}
}

static void stats_free(struct pt_ml_stats *s)
{
	for (int m = 0; m < PT_ML_NMODES; m++) {
		free(s->wait[m]);
		free(s->hold[m]);
	}
}

static void stats_add(struct pt_ml_stats *dst, const struct pt_ml_stats *src)
{
	dst->events += src->events;
	dst->downgrades += src->downgrades;
	dst->trylocks += src->trylocks;
	dst->failed_trylocks += src->failed_trylocks;
	dst->failed_locks += src->failed_locks;
	dst->unmatched += src->unmatched;
	for (int m = 0; m < PT_ML_NMODES; m++) {
		pt_hist_merge(dst->wait[m], src->wait[m]);
		pt_hist_merge(dst->hold[m], src->hold[m]);
	}
}

static void unshare(struct mlb_state *s)
{
	if (s->shared)
		pt_bpf_share(-1, -1);
	s->shared = false;
}

static void mlb_free(struct mlb_state *s)
{
	if (!s)
		return;
	unshare(s);
	ptbench_mmap_lock__destroy(s->skel);
	if (s->groups)
		for (size_t g = 0; g < s->ngroups; g++)
			stats_free(&s->groups[g]);
	free(s->groups);
	if (s->cells)
		for (size_t c = 0; c < s->ncells; c++)
			stats_free(&s->cells[c]);
	free(s->cells);
	stats_free(&s->total);
	free(s);
}

static int mlb_start(struct pt_run *run, void **state, char *why, size_t len)
{
	struct mlb_state *s;
	uint64_t t0 = pt_now_ns();
	int err;

	*state = NULL;
	if (pt_bpf_allowed(why, len))
		return -1;
	if (pt_probe_nroles(run) + 1 > PT_BPF_MAX_GROUPS) {
		snprintf(why, len, "%zu roles: the BPF backend keeps at most %d", pt_probe_nroles(run),
			 PT_BPF_MAX_GROUPS - 1);
		return -1;
	}
	s = pt_xcalloc(1, sizeof(*s));
	stats_alloc(&s->total);
	s->ngroups = pt_probe_nroles(run) + 1;
	pt_bpf_quiet_libbpf();
	s->skel = ptbench_mmap_lock__open();
	if (!s->skel) {
		pt_bpf_why(why, len, "cannot open the BPF object", errno);
		goto fail;
	}
	s->skel->rodata->other_group = (uint32_t)pt_probe_nroles(run);
	s->ncells = pt_bpf_cells(run, s->cell_base, s->cell_nops);
	memcpy((void *)s->skel->rodata->cell_base, s->cell_base, sizeof(s->cell_base));
	memcpy((void *)s->skel->rodata->cell_nops, s->cell_nops, sizeof(s->cell_nops));
	s->skel->rodata->ncells = (uint32_t)s->ncells;
	s->skel->rodata->hist_per_cpu = (uint32_t)(s->ncells * PT_BPF_NHISTS * PT_BPF_HIST_BUCKETS);
	if (pt_bpf_size_cpu_array(s->skel->maps.ptbench_ml_hist, s->skel->rodata->hist_per_cpu, sizeof(uint64_t), why,
				  len) ||
	    pt_bpf_size_cpu_array(s->skel->maps.ptbench_ml_grp, s->ncells, sizeof(struct pt_bpf_ml_group), why, len) ||
	    pt_bpf_size_cpu_array(s->skel->maps.ptbench_vma_grp, s->ncells, sizeof(struct pt_bpf_vma_group), why, len))
		goto fail;
	/* the threads' op markers: without them the programs count per role only */
	err = pt_op_marks_reuse(s->skel->maps.ptbench_op_marks, s->skel->maps.ptbench_op_slots);
	s->per_op = !err;
	if (err) {
		const char *w = "";

		pt_op_marks_in_bpf(&w);
		snprintf(s->per_op_why, sizeof(s->per_op_why), "the op markers are not a BPF map: %s",
			 *w ? w : strerror(-err));
	}
	err = ptbench_mmap_lock__load(s->skel);
	if (err) {
		pt_bpf_why(why, len, "cannot load the BPF programs (root, or CAP_BPF and CAP_PERFMON, and a kernel with BTF are needed)",
			   err);
		goto fail;
	}
	/* the run's processes before the programs see anything */
	s->nprocs = pt_bpf_fill_procs(bpf_map__fd(s->skel->maps.ptbench_procs), run);
	err = ptbench_mmap_lock__attach(s->skel);
	if (err) {
		pt_bpf_why(why, len, "cannot attach to the mmap_lock tracepoints", err);
		goto fail;
	}
	switch (pt_bpf_kernel_has_member("trace_event_raw_mmap_lock", "__data_loc_memcg_path")) {
	case 1: s->layout = "memcg_path"; break;
	case 0: s->layout = pt_bpf_kernel_has_member("trace_event_raw_mmap_lock", "memcg_id") == 1 ? "memcg_id" : "none"; break;
	default: s->layout = "unknown"; break;
	}
	s->load_ms = (double)(pt_now_ns() - t0) / 1e6;
	/* the per-VMA lock probe, started next, shares the task storage, and
	 * this object's acquire program counts its fallbacks */
	pt_bpf_share(bpf_map__fd(s->skel->maps.ptbench_tasks), bpf_map__fd(s->skel->maps.ptbench_vma_grp));
	s->shared = true;
	*state = s;
	return 0;
fail:
	mlb_free(s);
	return -1;
}

static void mlb_threads_ready(void *state, struct pt_run *run)
{
	struct mlb_state *s = state;

	s->ntids = pt_bpf_fill_tids(bpf_map__fd(s->skel->maps.ptbench_tids), &s->skel->data->roles_gen, run);
}

static void mlb_measure_begin(void *state, struct pt_run *run)
{
	struct mlb_state *s = state;

	pt_bpf_open_window(&s->skel->data->win_lo, &s->skel->data->win_hi, run);
}

static void mlb_measure_end(void *state, struct pt_run *run)
{
	struct mlb_state *s = state;

	pt_bpf_close_window(&s->skel->data->win_hi, run);
}

static int read_maps(struct mlb_state *s)
{
	struct pt_bpf_ml_group *grp = NULL;
	uint64_t *hist = NULL, *sum;
	int ncpus;

	ncpus = pt_bpf_read_cpu_array(bpf_map__fd(s->skel->maps.ptbench_ml_grp), s->ncells, sizeof(*grp), (void **)&grp);
	if (ncpus < 0)
		return -1;
	if (pt_bpf_read_cpu_array(bpf_map__fd(s->skel->maps.ptbench_ml_hist), s->skel->rodata->hist_per_cpu,
				  sizeof(*hist), (void **)&hist) < 0) {
		free(grp);
		return -1;
	}
	sum = pt_xcalloc(PT_BPF_HIST_BUCKETS, sizeof(*sum));
	s->cells = pt_xcalloc(s->ncells, sizeof(*s->cells));
	for (size_t c = 0; c < s->ncells; c++) {
		struct pt_ml_stats *st = &s->cells[c];
		struct pt_bpf_ml_group acc;

		stats_alloc(st);
		memset(&acc, 0, sizeof(acc));
		for (int cpu = 0; cpu < ncpus; cpu++) {
			const struct pt_bpf_ml_group *v = &grp[(size_t)cpu * s->ncells + c];

			acc.events += v->events;
			acc.downgrades += v->downgrades;
			acc.trylocks += v->trylocks;
			acc.failed_trylocks += v->failed_trylocks;
			acc.failed_locks += v->failed_locks;
			acc.unmatched += v->unmatched;
			acc.no_state += v->no_state;
			for (int h = 0; h < PT_BPF_NHISTS; h++)
				pt_bpf_hstat_add(&acc.h[h], &v->h[h]);
		}
		st->events = acc.events;
		st->downgrades = acc.downgrades;
		st->trylocks = acc.trylocks;
		st->failed_trylocks = acc.failed_trylocks;
		st->failed_locks = acc.failed_locks;
		st->unmatched = acc.unmatched;
		s->no_state += acc.no_state;
		for (int h = 0; h < PT_BPF_NHISTS; h++) {
			struct pt_hist *dst = h < PT_BPF_HOLD_READ ? st->wait[h & 1] : st->hold[h & 1];

			pt_bpf_sum_cpu_buckets(sum, hist, acc.h[h].count ? ncpus : 0, s->skel->rodata->hist_per_cpu,
					       (c * PT_BPF_NHISTS + (size_t)h) * PT_BPF_HIST_BUCKETS);
			pt_bpf_hist_set(dst, sum, &acc.h[h]);
		}
	}
	/* a role's numbers: its cells added up (in no op, and each op) */
	s->groups = pt_xcalloc(s->ngroups, sizeof(*s->groups));
	for (size_t g = 0; g < s->ngroups; g++) {
		stats_alloc(&s->groups[g]);
		for (size_t k = 0; k <= s->cell_nops[g]; k++)
			stats_add(&s->groups[g], &s->cells[s->cell_base[g] + k]);
		stats_add(&s->total, &s->groups[g]);
	}
	free(sum);
	free(grp);
	free(hist);
	return 0;
}

static void mlb_stop(void *state, struct pt_run *run)
{
	struct mlb_state *s = state;

	(void)run;
	/* nothing more is counted: the programs go first */
	unshare(s);
	ptbench_mmap_lock__detach(s->skel);
	if (read_maps(s))
		snprintf(s->read_error, sizeof(s->read_error), "cannot read the BPF maps: %s", strerror(errno));
	s->no_storage = s->skel->bss->no_storage;
	s->procs_full = s->skel->bss->procs_full;
	/* maps and programs go as soon as they are read */
	ptbench_mmap_lock__destroy(s->skel);
	s->skel = NULL;
	s->stopped = true;
}

static struct json_object *mlb_result(void *state, struct pt_run *run)
{
	struct mlb_state *s = state;
	struct json_object *o = json_object_new_object(), *roles;
	double seconds = pt_probe_window_s(run);

	if (!s->stopped || s->read_error[0] || !s->groups) {
		json_object_object_add(o, "available", json_object_new_boolean(0));
		json_object_object_add(o, "why", json_object_new_string(s->read_error[0] ? s->read_error
											: "the probe was not stopped"));
		return o;
	}
	json_object_object_add(o, "available", json_object_new_boolean(1));
	pt_ml_stats_json(o, &s->total, seconds, true);
	/* nothing is streamed, so nothing can be lost on the way */
	json_object_object_add(o, "lost_events", json_object_new_int64(0));
	roles = json_object_new_object();
	for (size_t g = 0; g < s->ngroups; g++) {
		struct json_object *rj;

		if (g < pt_probe_nroles(run) && !pt_probe_role_nthreads(run, g))
			continue;
		rj = json_object_new_object();
		pt_ml_stats_json(rj, &s->groups[g], seconds, true);
		/* each op of the role's worker type: the events while its threads
		 * were in it (the rest, in no op, is in the role's numbers only) */
		if (s->per_op && g < pt_probe_nroles(run)) {
			struct json_object *ops = json_object_new_object();

			for (size_t k = 0; k < s->cell_nops[g]; k++) {
				struct json_object *oj = json_object_new_object();

				pt_ml_stats_json(oj, &s->cells[s->cell_base[g] + 1 + k], seconds, true);
				json_object_object_add(ops, pt_probe_role_op(run, g, (int)k), oj);
			}
			json_object_object_add(rj, "ops", ops);
		}
		json_object_object_add(roles, g < pt_probe_nroles(run) ? pt_probe_role_name(run, g) : "other", rj);
	}
	json_object_object_add(o, "roles", roles);
	json_object_object_add(o, "per_op", json_object_new_boolean(s->per_op));
	if (!s->per_op)
		json_object_object_add(o, "per_op_why", json_object_new_string(s->per_op_why));
	/* how it was measured */
	json_object_object_add(o, "field_layout", json_object_new_string(s->layout));
	/* events that could not pair for want of state: in unmatched too */
	json_object_object_add(o, "no_pairing_state", json_object_new_int64((int64_t)s->no_state));
	json_object_object_add(o, "no_task_storage", json_object_new_int64((int64_t)s->no_storage));
	json_object_object_add(o, "procs_not_followed", json_object_new_int64((int64_t)s->procs_full));
	json_object_object_add(o, "traced_processes_at_start", json_object_new_int(s->nprocs));
	json_object_object_add(o, "worker_tids", json_object_new_int(s->ntids));
	json_object_object_add(o, "load_ms", json_object_new_double(s->load_ms));
	return o;
}

static void mlb_destroy(void *state)
{
	mlb_free(state);
}

const struct pt_probe pt_probe_mmap_lock_bpf = {
	.name = "mmap_lock",
	.summary = "mmap_lock wait and hold times by mode and role, paired in the kernel by BPF programs",
	.is_trace = true,
	.start = mlb_start,
	.threads_ready = mlb_threads_ready,
	.measure_begin = mlb_measure_begin,
	.measure_end = mlb_measure_end,
	.stop = mlb_stop,
	.result = mlb_result,
	.destroy = mlb_destroy,
};

#else /* built without BPF */

static int mlb_start(struct pt_run *run, void **state, char *why, size_t len)
{
	(void)run;
	*state = NULL;
	pt_bpf_allowed(why, len);
	return -1;
}

const struct pt_probe pt_probe_mmap_lock_bpf = {
	.name = "mmap_lock",
	.summary = "mmap_lock probe, BPF backend (not in this build)",
	.is_trace = true,
	.start = mlb_start,
};
#endif
