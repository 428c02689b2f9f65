/* The per-VMA lock probe (src/bpf/vma_lock.bpf.c): per role, faults that
 * tried a VMA lock, got it, or fell back to mmap_lock, and the waits for VMA
 * write locks, on kernels that have the functions to hook (lock_vma_under_rcu
 * since 6.4; __vma_start_write on 6.18 and 7.x, not on 6.12). A kernel without them says so
 * (available: false, why) and the run goes on. BPF only: it runs when the
 * lock probe may use BPF (--lock-probe auto or bpf). */
#define _GNU_SOURCE
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/json_get.h"
#include "ptbench/hist.h"
#include "ptbench/lock_bpf.h"
#include "ptbench/lock_probe.h"
#include "ptbench/op_marker.h"
#include "ptbench/probe.h"
#include "ptbench/result.h"
#include "ptbench/util.h"

#define RCU_FN "lock_vma_under_rcu"
#define WRITE_FN "__vma_start_write"

static bool bpf_wanted(const struct pt_run *run, char *why, size_t len)
{
	if (pt_probe_lock_backend(run) == PT_LOCK_PROBE_AUTO || pt_probe_lock_backend(run) == PT_LOCK_PROBE_BPF)
		return true;
	snprintf(why, len, "BPF only, and the lock probe is %s (%s)", pt_lock_probe_names[pt_probe_lock_backend(run)],
		 pt_probe_lock_backend_from(run) ? pt_probe_lock_backend_from(run) : "the default");
	return false;
}

#ifdef PTBENCH_HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vma_lock.skel.h"

struct vl_state {
	struct ptbench_vma_lock *skel;
	size_t ngroups;
	size_t ncells;                   /* per group: in no op, and each op */
	__u32 cell_base[PT_BPF_MAX_GROUPS], cell_nops[PT_BPF_MAX_GROUPS];
	bool per_op;                     /* the op markers are the programs' */
	bool shared;                     /* one program per tracepoint with the mmap_lock probe */
	bool has_write;
	const char *method;              /* "fexit" or "tracepoints" */
	char fexit_why[256];             /* why not fexit, when tracepoints */
	char write_why[400];
	struct pt_bpf_vma_group *cells;  /* summed over CPUs */
	struct pt_hist **wait;           /* per cell */
	bool stopped;
	uint64_t no_storage;             /* events of run tasks without state */
	char read_error[256];
};

static void vl_free(struct vl_state *s)
{
	if (!s)
		return;
	ptbench_vma_lock__destroy(s->skel);
	if (s->wait)
		for (size_t c = 0; c < s->ncells; c++)
			free(s->wait[c]);
	free(s->wait);
	free(s->cells);
	free(s);
}

/* Load and attach one method's programs: fexit on the functions, or the
 * tracepoints (see vma_lock.bpf.c). Returns 0, or -1 with why. */
static int load(struct vl_state *s, struct pt_run *run, bool fexit, char *why, size_t len)
{
	struct bpf_program *fx[3];
	int err = 0, tasks_fd, vma_fd;

	ptbench_vma_lock__destroy(s->skel);
	s->skel = ptbench_vma_lock__open();
	if (!s->skel) {
		pt_bpf_why(why, len, "cannot open the BPF object", errno);
		return -1;
	}
	fx[0] = s->skel->progs.ptbench_vma_rcu;
	fx[1] = s->skel->progs.ptbench_vw_in;
	fx[2] = s->skel->progs.ptbench_vw_out;
	s->skel->rodata->other_group = (uint32_t)pt_probe_nroles(run);
	for (size_t i = 0; i < PT_ARRAY_SIZE(fx); i++)
		bpf_program__set_autoload(fx[i], fexit && (i == 0 || s->has_write));
	bpf_program__set_autoload(s->skel->progs.ptbench_pf, !fexit);
	bpf_program__set_autoload(s->skel->progs.ptbench_pfk, !fexit);
	s->ncells = pt_bpf_cells(run, s->cell_base, s->cell_nops);
	memcpy((void *)s->skel->rodata->cell_base, s->cell_base, sizeof(s->cell_base));
	memcpy((void *)s->skel->rodata->cell_nops, s->cell_nops, sizeof(s->cell_nops));
	s->skel->rodata->ncells = (uint32_t)s->ncells;
	s->skel->rodata->hist_per_cpu = (uint32_t)(s->ncells * PT_BPF_HIST_BUCKETS);
	if (pt_bpf_size_cpu_array(s->skel->maps.ptbench_vma_hist, s->skel->rodata->hist_per_cpu, sizeof(uint64_t), why,
				  len) ||
	    pt_bpf_size_cpu_array(s->skel->maps.ptbench_vma_grp, s->ncells, sizeof(struct pt_bpf_vma_group), why, len))
		return -1;
	/* The mmap_lock BPF probe runs: its task storage and counters are
	 * these, and its mmap_lock_acquire_returned program counts the
	 * fallbacks (one program on that tracepoint, not two). */
	s->shared = pt_bpf_shared(&tasks_fd, &vma_fd);
	if (s->shared) {
		err = bpf_map__reuse_fd(s->skel->maps.ptbench_tasks, tasks_fd);
		if (!err)
			err = bpf_map__reuse_fd(s->skel->maps.ptbench_vma_grp, vma_fd);
	}
	bpf_program__set_autoload(s->skel->progs.ptbench_vfb, !fexit && !s->shared);
	s->per_op = !err && !pt_op_marks_reuse(s->skel->maps.ptbench_op_marks, s->skel->maps.ptbench_op_slots);
	if (!err)
		err = ptbench_vma_lock__load(s->skel);
	if (err) {
		pt_bpf_why(why, len, fexit ? "cannot load fexit programs" : "cannot load the tracepoint programs", err);
		return -1;
	}
	pt_bpf_fill_procs(bpf_map__fd(s->skel->maps.ptbench_procs), run);
	err = ptbench_vma_lock__attach(s->skel);
	if (err) {
		pt_bpf_why(why, len, fexit ? "cannot attach to " RCU_FN "()/" WRITE_FN "()"
					   : "cannot attach to page_fault_user, page_fault_kernel, mmap_lock_acquire_returned", err);
		return -1;
	}
	s->method = fexit ? "fexit" : "tracepoints";
	return 0;
}

static int vl_start(struct pt_run *run, void **state, char *why, size_t len)
{
	struct vl_state *s;
	int has;
	char fexit_why[256];
	/* a test switch: one method only (tests/unit/test_vma_lock_probe.c) */
	const char *forced = getenv("PTBENCH_VMA_METHOD");
	bool try_fexit = !forced || !*forced || !strcmp(forced, "fexit");
	bool try_tracepoints = !forced || !*forced || !strcmp(forced, "tracepoints");

	*state = NULL;
	if (!try_fexit && !try_tracepoints) {
		snprintf(why, len, "PTBENCH_VMA_METHOD=%s: fexit or tracepoints", forced);
		return -1;
	}
	if (!bpf_wanted(run, why, len) || pt_bpf_allowed(why, len))
		return -1;
	if (pt_probe_nroles(run) + 1 > PT_BPF_MAX_GROUPS) {
		snprintf(why, len, "%zu roles: at most %d", pt_probe_nroles(run), PT_BPF_MAX_GROUPS - 1);
		return -1;
	}
	has = pt_bpf_kernel_has_func(RCU_FN);
	if (has < 0) {
		snprintf(why, len, "the kernel has no BTF (/sys/kernel/btf/vmlinux): the programs need it");
		return -1;
	}
	if (!has) {
		snprintf(why, len, "this kernel has no " RCU_FN "() (no per-VMA locks: they came in 6.4)");
		return -1;
	}
	s = pt_xcalloc(1, sizeof(*s));
	s->ngroups = pt_probe_nroles(run) + 1;
	s->has_write = pt_bpf_kernel_has_func(WRITE_FN) == 1;
	if (!s->has_write)
		snprintf(s->write_why, sizeof(s->write_why),
			 "this kernel has no " WRITE_FN "() to hook (its vma_start_write() is inline: 6.12 and older)");
	pt_bpf_quiet_libbpf();
	if (!try_fexit) {
		snprintf(fexit_why, sizeof(fexit_why), "not tried (PTBENCH_VMA_METHOD=%s)", forced);
	} else if (!load(s, run, true, fexit_why, sizeof(fexit_why))) {
		*state = s;
		return 0;
	} else if (!try_tracepoints) {
		snprintf(why, len, "%s (PTBENCH_VMA_METHOD=%s)", fexit_why, forced);
		vl_free(s);
		return -1;
	}
	/* fentry/fexit refused (or not wanted): count from tracepoints, without
	 * write waits */
	snprintf(s->fexit_why, sizeof(s->fexit_why), "%s", fexit_why);
	if (s->has_write)
		snprintf(s->write_why, sizeof(s->write_why), "needs fexit on " WRITE_FN "(), %s: %s",
			 try_fexit ? "refused here" : "not used", fexit_why);
	s->has_write = false;
#if !defined(__x86_64__) && !defined(__i386__)
	snprintf(why, len, "%s; and the tracepoint method is x86 only (page_fault_user)", fexit_why);
	vl_free(s);
	return -1;
#else
	pt_bpf_quiet_libbpf();
	if (load(s, run, false, why, len)) {
		size_t n = strlen(why);

		snprintf(why + n, len - n, "; and %s", fexit_why);
		vl_free(s);
		return -1;
	}
#endif
	*state = s;
	return 0;
}

static void vl_threads_ready(void *state, struct pt_run *run)
{
	struct vl_state *s = state;

	pt_bpf_fill_tids(bpf_map__fd(s->skel->maps.ptbench_tids), &s->skel->data->roles_gen, run);
}

static void vl_measure_begin(void *state, struct pt_run *run)
{
	struct vl_state *s = state;

	pt_bpf_open_window(&s->skel->data->win_lo, &s->skel->data->win_hi, run);
}

static void vl_measure_end(void *state, struct pt_run *run)
{
	struct vl_state *s = state;

	pt_bpf_close_window(&s->skel->data->win_hi, run);
}

static int read_maps(struct vl_state *s)
{
	struct pt_bpf_vma_group *grp = NULL;
	uint64_t *hist = NULL, *sum;
	int ncpus = pt_bpf_read_cpu_array(bpf_map__fd(s->skel->maps.ptbench_vma_grp), s->ncells, sizeof(*grp),
					  (void **)&grp);

	if (ncpus < 0)
		return -1;
	if (pt_bpf_read_cpu_array(bpf_map__fd(s->skel->maps.ptbench_vma_hist), s->skel->rodata->hist_per_cpu,
				  sizeof(*hist), (void **)&hist) < 0) {
		free(grp);
		return -1;
	}
	s->cells = pt_xcalloc(s->ncells, sizeof(*s->cells));
	s->wait = pt_xcalloc(s->ncells, sizeof(*s->wait));
	sum = pt_xcalloc(PT_BPF_HIST_BUCKETS, sizeof(*sum));
	for (size_t c = 0; c < s->ncells; c++) {
		struct pt_bpf_vma_group *a = &s->cells[c];

		for (int cpu = 0; cpu < ncpus; cpu++) {
			const struct pt_bpf_vma_group *v = &grp[(size_t)cpu * s->ncells + c];

			a->attempts += v->attempts;
			a->locked += v->locked;
			a->fallbacks += v->fallbacks;
			a->write_locks += v->write_locks;
			a->unmatched += v->unmatched;
			pt_bpf_hstat_add(&a->write_wait, &v->write_wait);
		}
		if (!strcmp(s->method, "tracepoints")) /* it counts attempts and fallbacks only */
			a->locked = a->attempts > a->fallbacks ? a->attempts - a->fallbacks : 0;
		pt_bpf_sum_cpu_buckets(sum, hist, a->write_wait.count ? ncpus : 0, s->skel->rodata->hist_per_cpu,
				       c * PT_BPF_HIST_BUCKETS);
		s->wait[c] = pt_hist_new();
		pt_bpf_hist_set(s->wait[c], sum, &a->write_wait);
	}
	free(sum);
	free(grp);
	free(hist);
	return 0;
}

static void vma_add(struct pt_bpf_vma_group *dst, const struct pt_bpf_vma_group *src)
{
	dst->attempts += src->attempts;
	dst->locked += src->locked;
	dst->fallbacks += src->fallbacks;
	dst->write_locks += src->write_locks;
	dst->unmatched += src->unmatched;
}

static void vl_stop(void *state, struct pt_run *run)
{
	struct vl_state *s = state;

	(void)run;
	ptbench_vma_lock__detach(s->skel);
	s->no_storage = s->skel->bss->no_task_storage;
	if (read_maps(s))
		snprintf(s->read_error, sizeof(s->read_error), "cannot read the BPF maps: %s", strerror(errno));
	ptbench_vma_lock__destroy(s->skel);
	s->skel = NULL;
	s->stopped = true;
}

static void counts_json(struct json_object *o, const struct pt_bpf_vma_group *a, const struct pt_hist *w,
			bool has_write, double seconds)
{
	json_object_object_add(o, "attempts", json_object_new_int64((int64_t)a->attempts));
	json_object_object_add(o, "locked", json_object_new_int64((int64_t)a->locked));
	json_object_object_add(o, "fallbacks", json_object_new_int64((int64_t)a->fallbacks));
	if (has_write) {
		json_object_object_add(o, "write_locks", json_object_new_int64((int64_t)a->write_locks));
		json_object_object_add(o, "write_wait", pt_hist_to_json(w, seconds));
	}
}

static struct json_object *vl_result(void *state, struct pt_run *run)
{
	struct vl_state *s = state;
	struct json_object *o = json_object_new_object(), *roles, *hooks;
	double seconds = pt_probe_window_s(run);
	struct pt_bpf_vma_group total;
	struct pt_hist *tw;

	if (!s->stopped || s->read_error[0]) {
		json_object_object_add(o, "available", json_object_new_boolean(0));
		json_object_object_add(o, "why", json_object_new_string(s->read_error[0] ? s->read_error
											: "the probe was not stopped"));
		return o;
	}
	memset(&total, 0, sizeof(total));
	tw = pt_hist_new();
	roles = json_object_new_object();
	for (size_t g = 0; g < s->ngroups; g++) {
		struct pt_bpf_vma_group a;
		struct pt_hist *w = pt_hist_new();
		struct json_object *rj;

		/* the role's numbers: its cells added up (in no op, and each op) */
		memset(&a, 0, sizeof(a));
		for (size_t k = 0; k <= s->cell_nops[g]; k++) {
			vma_add(&a, &s->cells[s->cell_base[g] + k]);
			pt_hist_merge(w, s->wait[s->cell_base[g] + k]);
		}
		vma_add(&total, &a);
		pt_hist_merge(tw, w);
		if (g < pt_probe_nroles(run) && !pt_probe_role_nthreads(run, g)) {
			free(w);
			continue;
		}
		rj = json_object_new_object();
		counts_json(rj, &a, w, s->has_write, seconds);
		if (s->per_op && g < pt_probe_nroles(run)) {
			struct json_object *ops = json_object_new_object();

			for (size_t k = 0; k < s->cell_nops[g]; k++) {
				struct json_object *oj = json_object_new_object();
				size_t c = s->cell_base[g] + 1 + k;

				counts_json(oj, &s->cells[c], s->wait[c], s->has_write, seconds);
				json_object_object_add(ops, pt_probe_role_op(run, g, (int)k), oj);
			}
			json_object_object_add(rj, "ops", ops);
		}
		json_object_object_add(roles, g < pt_probe_nroles(run) ? pt_probe_role_name(run, g) : "other", rj);
		free(w);
	}
	json_object_object_add(o, "available", json_object_new_boolean(1));
	json_object_object_add(o, "backend", json_object_new_string("bpf"));
	counts_json(o, &total, tw, s->has_write, seconds);
	json_object_object_add(o, "roles", roles);
	hooks = json_object_new_object();
	json_object_object_add(hooks, RCU_FN, json_object_new_boolean(!strcmp(s->method, "fexit")));
	json_object_object_add(hooks, WRITE_FN, json_object_new_boolean(s->has_write));
	json_object_object_add(o, "hooks", hooks);
	json_object_object_add(o, "method", json_object_new_string(s->method));
	json_object_object_add(o, "per_op", json_object_new_boolean(s->per_op));
	if (!s->per_op)
		json_object_object_add(o, "per_op_why", json_object_new_string("the op markers are not a BPF map"));
	/* the tracepoint method's fallbacks counted by the mmap_lock probe's
	 * program on mmap_lock_acquire_returned (one program per tracepoint) */
	json_object_object_add(o, "shares_mmap_lock_programs", json_object_new_boolean(s->shared));
	json_object_object_add(o, "no_task_storage", json_object_new_int64((int64_t)s->no_storage));
	if (s->fexit_why[0])
		json_object_object_add(o, "fexit_why", json_object_new_string(s->fexit_why));
	json_object_object_add(o, "write_wait_available", json_object_new_boolean(s->has_write));
	if (!s->has_write)
		json_object_object_add(o, "write_wait_why", json_object_new_string(s->write_why));
	else
		json_object_object_add(o, "write_unmatched", json_object_new_int64((int64_t)total.unmatched));
	free(tw);
	return o;
}

static void vl_destroy(void *state)
{
	vl_free(state);
}
#else
static int vl_start(struct pt_run *run, void **state, char *why, size_t len)
{
	*state = NULL;
	if (bpf_wanted(run, why, len))
		pt_bpf_allowed(why, len);
	return -1;
}
#endif

static void vl_summary(struct json_object *res, FILE *out)
{
	struct json_object *roles;

	if (!json_object_object_get_ex(res, "roles", &roles))
		return;
	json_object_object_foreach(roles, role, rj)
	{
		struct json_object *w;
		char b[32];

		if (!pt_json_int(rj, "attempts", 0) && !pt_json_int(rj, "write_locks", 0))
			continue;
		fprintf(out, "  vma_lock %-12s %9lld fault attempts, %lld locked, %lld fell back to mmap_lock",
			role, pt_json_int(rj, "attempts", 0), pt_json_int(rj, "locked", 0), pt_json_int(rj, "fallbacks", 0));
		if (json_object_object_get_ex(rj, "write_wait", &w)) {
			struct json_object *ns = json_object_object_get(w, "ns");

			fprintf(out, "; %lld write locks, wait p99 %s", pt_json_int(rj, "write_locks", 0),
				pt_fmt_ns((double)pt_json_int(ns, "p99", 0), b, sizeof(b)));
		}
		fputc('\n', out);
	}
}

const struct pt_probe pt_probe_vma_lock = {
	.name = "vma_lock",
	.summary = "per-VMA lock attempts, fallbacks to mmap_lock and write-lock waits by role (BPF, 6.4+)",
	.is_trace = true,
#ifdef PTBENCH_HAVE_BPF
	.threads_ready = vl_threads_ready,
	.measure_begin = vl_measure_begin,
	.measure_end = vl_measure_end,
	.stop = vl_stop,
	.result = vl_result,
	.destroy = vl_destroy,
#endif
	.start = vl_start,
	.print_summary = vl_summary,
};
