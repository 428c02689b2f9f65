/* The page-table lifetime probe (src/bpf/ptlife.bpf.c): per role group and
 * repeat, PTE-table mappings that found no table (__pte_offset_map() and
 * __pte_offset_map_lock() returning NULL), tables retracted by collapse,
 * tables freed by RCU, through the mmu_gather and by PT_RECLAIM, and TLB
 * flushes by reason. Off unless the scenario says `ptlife = true`: its
 * program on every PTE-table mapping costs (make bench). Each counter says
 * which hook fed it, or why it has none on this kernel. */
#define _GNU_SOURCE
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptbench/lock_bpf.h"
#include "ptbench/probe.h"
#include "ptbench/ptlife_bpf_abi.h"
#include "ptbench/util.h"

/* what the probe hooks: one function (the first of names the kernel has), or the tlb_flush tracepoint */
enum { H_MAP, H_MAPLOCK, H_NOLOCK, H_RONOLOCK, H_RETRACT, H_COLLAPSE, H_COLLAPSE_FREE, H_FREE_DEFER, H_FREE_NOW, H_PTE_FREE_TLB,
       H_TLB_REMOVE_TABLE, H_RECLAIM, H_TLBF, NHOOKS };

struct hook_def {
	const char *names[2]; /* the kernel's function, newest name first; NULL: the tracepoint */
	bool ret;             /* fexit/kretprobe (the return value), else fentry/kprobe */
	const char *missing;  /* why a kernel lacks it */
};

static const struct hook_def hook_defs[NHOOKS] = {
	[H_MAP] = { { "___pte_offset_map", "__pte_offset_map" }, true,
		    "before 6.5 pte_offset_map() is an inline that cannot fail" },
	/* 7.x names the out-of-line function pte_offset_map_lock() itself */
	[H_MAPLOCK] = { { "pte_offset_map_lock", "__pte_offset_map_lock" }, true,
			"before 6.5 pte_offset_map_lock() is an inline that cannot fail" },
	[H_NOLOCK] = { { "pte_offset_map_rw_nolock", "pte_offset_map_nolock" }, true,
		       "before 6.5 there is no pte_offset_map_nolock() that can fail" },
	[H_RONOLOCK] = { { "pte_offset_map_ro_nolock", NULL }, true, "pte_offset_map_ro_nolock() came in 6.13" },
	[H_RETRACT] = { { "retract_page_tables", NULL }, false, "inlined into its caller on this kernel" },
	/* 7.x: try_collapse_pte_mapped_thp() does the work, collapse_pte_mapped_thp() wraps it */
	[H_COLLAPSE] = { { "try_collapse_pte_mapped_thp", "collapse_pte_mapped_thp" }, false,
			 "no file THP collapse on this kernel" },
	[H_COLLAPSE_FREE] = { { "collapse_and_free_pmd", NULL }, false,
			      "retracted tables go to pte_free_defer() instead (6.6 on)" },
	[H_FREE_DEFER] = { { "pte_free_defer", NULL }, false,
			   "retracted tables are freed directly after an IPI (before 6.6)" },
	[H_FREE_NOW] = { { "pte_free_now", NULL }, false, "no pte_free_defer() RCU callback (before 6.6)" },
	[H_PTE_FREE_TLB] = { { "___pte_free_tlb", NULL }, false, "not an x86 kernel, or inlined" },
	[H_TLB_REMOVE_TABLE] = { { "tlb_remove_table", NULL }, false, "no MMU_GATHER_TABLE_FREE" },
	[H_RECLAIM] = { { "try_to_free_pte", NULL }, false,
			"no PT_RECLAIM before 6.14 (CONFIG_PT_RECLAIM), and 7.x inlines it into the zap: there the "
			"zapping role's pte_free_tlb counts the tables MADV_DONTNEED freed" },
	[H_TLBF] = { { NULL, NULL }, false, "" },
};

/* the result's counters: "COUNTER.FIELD" from slot, fed by hook */
static const struct {
	const char *counter, *field;
	int slot, hook;
} counters[] = {
	{ "pte_offset_map", "calls", PT_PTL_MAP_CALLS, H_MAP },
	{ "pte_offset_map", "failures", PT_PTL_MAP_FAILS, H_MAP },
	{ "pte_offset_map_lock", "calls", PT_PTL_MAPLOCK_CALLS, H_MAPLOCK },
	{ "pte_offset_map_lock", "failures", PT_PTL_MAPLOCK_FAILS, H_MAPLOCK },
	{ "pte_offset_map_nolock", "calls", PT_PTL_NOLOCK_CALLS, H_NOLOCK },
	{ "pte_offset_map_nolock", "failures", PT_PTL_NOLOCK_FAILS, H_NOLOCK },
	{ "pte_offset_map_ro_nolock", "calls", PT_PTL_RONOLOCK_CALLS, H_RONOLOCK },
	{ "pte_offset_map_ro_nolock", "failures", PT_PTL_RONOLOCK_FAILS, H_RONOLOCK },
	{ "retract_page_tables", "calls", PT_PTL_RETRACT, H_RETRACT },
	{ "collapse_pte_mapped_thp", "calls", PT_PTL_COLLAPSE_THP, H_COLLAPSE },
	{ "collapse_and_free_pmd", "calls", PT_PTL_COLLAPSE_FREE, H_COLLAPSE_FREE },
	{ "pte_free_defer", "calls", PT_PTL_FREE_DEFER, H_FREE_DEFER },
	{ "pte_free_now", "calls", PT_PTL_FREE_NOW, H_FREE_NOW },
	{ "pte_free_tlb", "calls", PT_PTL_PTE_FREE_TLB, H_PTE_FREE_TLB },
	{ "tlb_remove_table", "calls", PT_PTL_TLB_REMOVE_TABLE, H_TLB_REMOVE_TABLE },
	{ "pt_reclaim", "calls", PT_PTL_RECLAIM_CALLS, H_RECLAIM },
	{ "pt_reclaim", "freed", PT_PTL_RECLAIM_FREED, H_RECLAIM },
	{ "tlb_flush", "task_switch", PT_PTL_TLBF0 + 0, H_TLBF },
	{ "tlb_flush", "remote_shootdown", PT_PTL_TLBF0 + 1, H_TLBF },
	{ "tlb_flush", "local_shootdown", PT_PTL_TLBF0 + 2, H_TLBF },
	{ "tlb_flush", "local_mm_shootdown", PT_PTL_TLBF0 + 3, H_TLBF },
	{ "tlb_flush", "remote_send_ipi", PT_PTL_TLBF0 + 4, H_TLBF },
};
#define NCOUNTERS (sizeof(counters) / sizeof(counters[0]))

static const char *hook_key(int h)
{
	for (size_t i = 0; i < NCOUNTERS; i++)
		if (counters[i].hook == h)
			return counters[i].counter;
	return "?";
}

#ifdef PTBENCH_HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ptlife.skel.h"

enum { M_FENTRY, M_KPROBE, M_TRACEPOINT, NMETHODS };
static const char *const method_names[NMETHODS] = { "fentry", "kprobe", "tracepoint" };

struct ptl_state {
	struct ptbench_ptlife *skel;
	struct bpf_link *links[2 * NHOOKS];
	size_t nlinks;
	size_t ngroups;                /* nroles + other + system */
	int method;
	const char *func[NHOOKS];      /* the kernel's name; NULL: it has none */
	char hook[NHOOKS][80];         /* "fexit ___pte_offset_map"; "" when unavailable */
	char why[NHOOKS][1200];
	char method_why[NMETHODS][1300];
	uint64_t (*counts)[PT_PTL_NCOUNTERS]; /* per group, summed over CPUs */
	bool stopped;
	char read_error[256];
};

/* the programs of hook h for a method: [0] entry or return program, [1] the
 * return program that pairs with [0] (try_to_free_pte only) */
static void progs_of(struct ptbench_ptlife *k, int h, int m, struct bpf_program *p[2], bool ret[2])
{
	bool f = m == M_FENTRY;

	p[0] = p[1] = NULL;
	ret[0] = hook_defs[h].ret;
	ret[1] = true;
	switch (h) {
	case H_MAP: p[0] = f ? k->progs.ptbench_ptl_map_x : k->progs.ptbench_ptl_map_r; break;
	case H_MAPLOCK: p[0] = f ? k->progs.ptbench_ptl_mlk_x : k->progs.ptbench_ptl_mlk_r; break;
	case H_NOLOCK: p[0] = f ? k->progs.ptbench_ptl_nlk_x : k->progs.ptbench_ptl_nlk_r; break;
	case H_RONOLOCK: p[0] = f ? k->progs.ptbench_ptl_rnl_x : k->progs.ptbench_ptl_rnl_r; break;
	case H_RETRACT:
		p[0] = f ? k->progs.ptbench_ptl_retract_page_tables_f : k->progs.ptbench_ptl_retract_page_tables_k;
		break;
	case H_COLLAPSE:
		p[0] = f ? k->progs.ptbench_ptl_collapse_pte_mapped_thp_f
			 : k->progs.ptbench_ptl_collapse_pte_mapped_thp_k;
		break;
	case H_COLLAPSE_FREE:
		p[0] = f ? k->progs.ptbench_ptl_collapse_and_free_pmd_f : k->progs.ptbench_ptl_collapse_and_free_pmd_k;
		break;
	case H_FREE_DEFER: p[0] = f ? k->progs.ptbench_ptl_pte_free_defer_f : k->progs.ptbench_ptl_pte_free_defer_k; break;
	case H_FREE_NOW: p[0] = f ? k->progs.ptbench_ptl_pte_free_now_f : k->progs.ptbench_ptl_pte_free_now_k; break;
	case H_PTE_FREE_TLB: p[0] = f ? k->progs.ptbench_ptl_pft_f : k->progs.ptbench_ptl_pft_k; break;
	case H_TLB_REMOVE_TABLE:
		p[0] = f ? k->progs.ptbench_ptl_tlb_remove_table_f : k->progs.ptbench_ptl_tlb_remove_table_k;
		break;
	case H_RECLAIM:
		p[0] = f ? k->progs.ptbench_ptl_rcl_f : k->progs.ptbench_ptl_rcl_k;
		p[1] = f ? k->progs.ptbench_ptl_rcl_x : k->progs.ptbench_ptl_rcl_r;
		break;
	case H_TLBF: p[0] = k->progs.ptbench_ptl_tlbf; break;
	}
}

static void drop(struct ptl_state *s)
{
	for (size_t i = 0; i < s->nlinks; i++)
		bpf_link__destroy(s->links[i]);
	s->nlinks = 0;
	ptbench_ptlife__destroy(s->skel);
	s->skel = NULL;
}

static const char *hook_word(int m, bool ret)
{
	if (m == M_FENTRY)
		return ret ? "fexit" : "fentry";
	return ret ? "kretprobe" : "kprobe";
}

/* Load method m with every hook the kernel has, attach what attaches.
 * Returns the number of hooks attached (the tracepoint included), or -1
 * with the method's why. */
static int try_method(struct ptl_state *s, struct pt_run *run, int m)
{
	struct bpf_program *p[2], *pg;
	bool ret[2];
	int err, n = 0, nfunc = 0;
	char *why = s->method_why[m];
	size_t wl = sizeof(s->method_why[m]);

	drop(s);
	s->skel = ptbench_ptlife__open();
	if (!s->skel) {
		pt_bpf_why(why, wl, "cannot open the BPF object", errno);
		return -1;
	}
	s->skel->rodata->other_group = (uint32_t)pt_probe_nroles(run);
	s->skel->rodata->system_group = (uint32_t)pt_probe_nroles(run) + 1;
	bpf_object__for_each_program(pg, s->skel->obj)
		bpf_program__set_autoload(pg, false);
	bpf_program__set_autoload(s->skel->progs.ptbench_fork, true);
	for (int h = 0; h < NHOOKS; h++) {
		progs_of(s->skel, h, m, p, ret);
		if (h != H_TLBF && (!s->func[h] || m == M_TRACEPOINT))
			continue;
		for (int i = 0; i < 2 && p[i]; i++) {
			bpf_program__set_autoload(p[i], true);
			if (m == M_FENTRY && h != H_TLBF)
				bpf_program__set_attach_target(p[i], 0, s->func[h]);
		}
	}
	pt_bpf_quiet_libbpf();
	err = ptbench_ptlife__load(s->skel);
	if (err) {
		pt_bpf_why(why, wl, m == M_FENTRY ? "cannot load the fentry/fexit programs"
				   : m == M_KPROBE ? "cannot load the kprobe programs" : "cannot load the tracepoint program",
			   err);
		return -1;
	}
	pt_bpf_fill_procs(bpf_map__fd(s->skel->maps.ptbench_procs), run);
	s->links[s->nlinks] = bpf_program__attach(s->skel->progs.ptbench_fork);
	if (!s->links[s->nlinks]) {
		pt_bpf_why(why, wl, "cannot attach to sched_process_fork", errno);
		return -1;
	}
	s->nlinks++;
	for (int h = 0; h < NHOOKS; h++) {
		struct bpf_link *l[2] = { NULL, NULL };
		char hw[300];

		progs_of(s->skel, h, m, p, ret);
		if (!bpf_program__autoload(p[0]))
			continue;
		pt_bpf_quiet_libbpf();
		for (int i = 0; i < 2 && p[i]; i++) {
			if (m == M_KPROBE && h != H_TLBF)
				l[i] = bpf_program__attach_kprobe(p[i], ret[i], s->func[h]);
			else
				l[i] = bpf_program__attach(p[i]);
			if (!l[i]) {
				snprintf(hw, sizeof(hw), "cannot attach %s to %s", h == H_TLBF ? "tp_btf" : hook_word(m, ret[i]),
					 h == H_TLBF ? "tlb:tlb_flush" : s->func[h]);
				pt_bpf_why(s->why[h], sizeof(s->why[h]), hw, errno);
				break;
			}
		}
		if (!l[0] || (p[1] && !l[1])) {
			bpf_link__destroy(l[0]);
			continue;
		}
		for (int i = 0; i < 2 && l[i]; i++)
			s->links[s->nlinks++] = l[i];
		s->why[h][0] = '\0';
		if (h == H_TLBF)
			snprintf(s->hook[h], sizeof(s->hook[h]), "tp_btf tlb:tlb_flush");
		else
			snprintf(s->hook[h], sizeof(s->hook[h]), "%s%s%s %s", hook_word(m, ret[0]), p[1] ? "+" : "",
				 p[1] ? hook_word(m, true) : "", s->func[h]);
		n++;
		nfunc += h != H_TLBF;
	}
	if (m != M_TRACEPOINT && !nfunc) {
		/* the kprobe PMU is there with CONFIG_KPROBES (libbpf then falls
		 * back to tracefs' kprobe_events, which needs it too) */
		bool no_kprobes = m == M_KPROBE && access("/sys/bus/event_source/devices/kprobe", F_OK);

		snprintf(why, wl, "%sno function hook attached (%s: %.900s)",
			 no_kprobes ? "this kernel has no kprobes (no /sys/bus/event_source/devices/kprobe: "
				      "CONFIG_KPROBES off): " : "",
			 hook_key(H_MAP), s->why[H_MAP][0] ? s->why[H_MAP] : "not in this kernel");
		return -1;
	}
	return n;
}

static int ptl_start(struct pt_run *run, void **state, char *why, size_t len)
{
	struct ptl_state *s;
	int has;

	*state = NULL;
	if (!pt_probe_ptlife_wanted(run)) {
		snprintf(why, len, "off (the default: `ptlife = true` in [scenario] or --set scenario.ptlife=true "
				   "turns it on)");
		return -1;
	}
	if (pt_bpf_allowed(why, len))
		return -1;
	if (pt_probe_nroles(run) + 2 > PT_BPF_MAX_GROUPS) {
		snprintf(why, len, "%zu roles: at most %d", pt_probe_nroles(run), PT_BPF_MAX_GROUPS - 2);
		return -1;
	}
	has = pt_bpf_kernel_has_func("__pte_offset_map_lock");
	if (has < 0) {
		snprintf(why, len, "the kernel has no BTF (/sys/kernel/btf/vmlinux): the programs need it");
		return -1;
	}
	s = pt_xcalloc(1, sizeof(*s));
	s->ngroups = pt_probe_nroles(run) + 2;
	for (int h = 0; h < H_TLBF; h++) {
		for (int i = 0; i < 2 && hook_defs[h].names[i]; i++)
			if (pt_bpf_kernel_has_func(hook_defs[h].names[i]) == 1) {
				s->func[h] = hook_defs[h].names[i];
				break;
			}
		if (!s->func[h])
			snprintf(s->why[h], sizeof(s->why[h]), "this kernel has no %s() in its BTF: %s",
				 hook_defs[h].names[hook_defs[h].names[1] ? 1 : 0], hook_defs[h].missing);
	}
	/* a test switch: one method only (tests/integration/ptlife.t, the guest checks) */
	const char *forced = getenv("PTBENCH_PTLIFE_METHOD");

	for (int m = 0; m < NMETHODS; m++) {
		if (forced && *forced && strcmp(forced, method_names[m])) {
			snprintf(s->method_why[m], sizeof(s->method_why[m]), "not tried (PTBENCH_PTLIFE_METHOD=%s)", forced);
			continue;
		}
#if !defined(__x86_64__)
		if (m == M_KPROBE) { /* the return value is read from x86's ax */
			snprintf(s->method_why[m], sizeof(s->method_why[m]), "the kprobe method is x86 only");
			continue;
		}
#endif
		for (int h = 0; h < NHOOKS; h++)
			if (s->func[h] || h == H_TLBF)
				s->why[h][0] = '\0';
		if (try_method(s, run, m) > 0) {
			s->method = m;
			/* hooks the kernel has but this method could not use say why */
			for (int h = 0; h < NHOOKS; h++) {
				char buf[sizeof(s->why[h])];
				size_t n = 0;

				if (s->hook[h][0] || s->why[h][0])
					continue;
				for (int k = 0; k < m; k++)
					n += (size_t)snprintf(buf + n, n < sizeof(buf) ? sizeof(buf) - n : 0, "%s%s: %s",
							      k ? "; " : "", method_names[k], s->method_why[k]);
				snprintf(s->why[h], sizeof(s->why[h]), "%s", n ? buf : "not attached");
			}
			*state = s;
			return 0;
		}
	}
	{
		size_t n = 0;

		for (int m = 0; m < NMETHODS && n < len; m++)
			n += (size_t)snprintf(why + n, len - n, "%s%s: %s", m ? "; " : "", method_names[m], s->method_why[m]);
	}
	drop(s);
	free(s);
	return -1;
}

static void ptl_threads_ready(void *state, struct pt_run *run)
{
	struct ptl_state *s = state;

	pt_bpf_fill_tids(bpf_map__fd(s->skel->maps.ptbench_tids), &s->skel->data->roles_gen, run);
}

static void ptl_measure_begin(void *state, struct pt_run *run)
{
	struct ptl_state *s = state;

	pt_bpf_open_window(&s->skel->data->win_lo, &s->skel->data->win_hi, run);
}

static void ptl_measure_end(void *state, struct pt_run *run)
{
	struct ptl_state *s = state;

	pt_bpf_close_window(&s->skel->data->win_hi, run);
}

static void ptl_stop(void *state, struct pt_run *run)
{
	struct ptl_state *s = state;
	struct pt_bpf_ptlife_group *grp = NULL;
	int ncpus;

	(void)run;
	for (size_t i = 0; i < s->nlinks; i++)
		bpf_link__destroy(s->links[i]);
	s->nlinks = 0;
	ncpus = pt_bpf_read_percpu(bpf_map__fd(s->skel->maps.ptbench_ptl_grp), (uint32_t)s->ngroups, sizeof(*grp),
				   (void **)&grp);
	if (ncpus < 0) {
		snprintf(s->read_error, sizeof(s->read_error), "cannot read the BPF map: %s", strerror(errno));
	} else {
		s->counts = pt_xcalloc(s->ngroups, sizeof(*s->counts));
		for (size_t g = 0; g < s->ngroups; g++)
			for (int c = 0; c < ncpus; c++)
				for (int k = 0; k < PT_PTL_NCOUNTERS; k++)
					s->counts[g][k] += grp[g * (size_t)ncpus + (size_t)c].c[k];
	}
	free(grp);
	drop(s);
	s->stopped = true;
}

/* the available counters of one group as {COUNTER: {FIELD: n}} */
static struct json_object *group_json(const struct ptl_state *s, const uint64_t *c)
{
	struct json_object *o = json_object_new_object();

	for (size_t i = 0; i < NCOUNTERS; i++) {
		struct json_object *sub;

		if (!s->hook[counters[i].hook][0])
			continue;
		if (!json_object_object_get_ex(o, counters[i].counter, &sub)) {
			sub = json_object_new_object();
			json_object_object_add(o, counters[i].counter, sub);
		}
		json_object_object_add(sub, counters[i].field, json_object_new_int64((int64_t)c[counters[i].slot]));
	}
	return o;
}

static struct json_object *ptl_result(void *state, struct pt_run *run)
{
	struct ptl_state *s = state;
	struct json_object *o = json_object_new_object(), *roles, *hooks, *tot;
	uint64_t total[PT_PTL_NCOUNTERS] = { 0 };

	if (!s->stopped || s->read_error[0]) {
		json_object_object_add(o, "available", json_object_new_boolean(0));
		json_object_object_add(o, "why", json_object_new_string(s->read_error[0] ? s->read_error
											: "the probe was not stopped"));
		return o;
	}
	roles = json_object_new_object();
	for (size_t g = 0; g < s->ngroups; g++) {
		const char *name = g < pt_probe_nroles(run) ? pt_probe_role_name(run, g)
			: g == pt_probe_nroles(run) ? "other" : "system";

		for (int k = 0; k < PT_PTL_NCOUNTERS; k++)
			total[k] += s->counts[g][k];
		if (g < pt_probe_nroles(run) && !pt_probe_role_nthreads(run, g))
			continue;
		json_object_object_add(roles, name, group_json(s, s->counts[g]));
	}
	json_object_object_add(o, "available", json_object_new_boolean(1));
	json_object_object_add(o, "backend", json_object_new_string("bpf"));
	json_object_object_add(o, "method", json_object_new_string(method_names[s->method]));
	for (int m = 0; m < s->method; m++) {
		char key[32];

		snprintf(key, sizeof(key), "%s_why", method_names[m]);
		json_object_object_add(o, key, json_object_new_string(s->method_why[m]));
	}
	tot = group_json(s, total);
	json_object_object_foreach(tot, k, v) json_object_object_add(o, k, json_object_get(v));
	json_object_put(tot);
	json_object_object_add(o, "roles", roles);
	hooks = json_object_new_object();
	for (int h = 0; h < NHOOKS; h++) {
		struct json_object *hj = json_object_new_object();

		json_object_object_add(hj, "available", json_object_new_boolean(s->hook[h][0] != '\0'));
		if (s->hook[h][0])
			json_object_object_add(hj, "hook", json_object_new_string(s->hook[h]));
		else
			json_object_object_add(hj, "why", json_object_new_string(s->why[h]));
		json_object_object_add(hooks, hook_key(h), hj);
	}
	json_object_object_add(o, "hooks", hooks);
	return o;
}

static void ptl_destroy(void *state)
{
	struct ptl_state *s = state;

	if (!s)
		return;
	drop(s);
	free(s->counts);
	free(s);
}
#else
static int ptl_start(struct pt_run *run, void **state, char *why, size_t len)
{
	*state = NULL;
	if (!pt_probe_ptlife_wanted(run))
		snprintf(why, len, "off (the default: `ptlife = true` in [scenario] turns it on)");
	else
		pt_bpf_allowed(why, len);
	(void)hook_defs;
	(void)hook_key;
	return -1;
}
#endif

static long long sub_ll(struct json_object *o, const char *k, const char *f)
{
	struct json_object *a, *v;

	if (!json_object_object_get_ex(o, k, &a) || !json_object_object_get_ex(a, f, &v))
		return -1;
	return json_object_get_int64(v);
}

/* "name N (F NULL)" or "name N" for the counters the result has */
static void put_count(FILE *out, const char *label, long long n, long long f)
{
	if (n < 0)
		return;
	if (f >= 0)
		fprintf(out, " %s %lld (%lld NULL)", label, n, f);
	else
		fprintf(out, " %s %lld", label, n);
}

static void ptl_summary(struct json_object *res, FILE *out)
{
	struct json_object *roles;

	if (!json_object_object_get_ex(res, "roles", &roles))
		return;
	json_object_object_foreach(roles, role, rj)
	{
		long long m = sub_ll(rj, "pte_offset_map", "calls"), ml = sub_ll(rj, "pte_offset_map_lock", "calls");
		long long fd = sub_ll(rj, "pte_free_defer", "calls"), ft = sub_ll(rj, "pte_free_tlb", "calls");
		long long cf = sub_ll(rj, "collapse_and_free_pmd", "calls"), rc = sub_ll(rj, "pt_reclaim", "freed");

		if (m <= 0 && ml <= 0 && fd <= 0 && ft <= 0 && rc <= 0 && cf <= 0)
			continue;
		fprintf(out, "  ptlife %-12s", role);
		put_count(out, "pte_offset_map", m, sub_ll(rj, "pte_offset_map", "failures"));
		put_count(out, "_lock", ml, sub_ll(rj, "pte_offset_map_lock", "failures"));
		put_count(out, "pte_free_defer", fd, -1);
		put_count(out, "collapse_and_free_pmd", cf, -1);
		put_count(out, "pte_free_tlb", ft, -1);
		put_count(out, "pt_reclaim freed", rc, -1);
		fputc('\n', out);
	}
}

const struct pt_probe pt_probe_ptlife = {
	.name = "ptlife",
	.summary = "page-table lifetime: PTE-table mappings that failed, tables retracted and freed (BPF; "
		   "ptlife = true)",
	.is_trace = true,
#ifdef PTBENCH_HAVE_BPF
	.threads_ready = ptl_threads_ready,
	.measure_begin = ptl_measure_begin,
	.measure_end = ptl_measure_end,
	.stop = ptl_stop,
	.result = ptl_result,
	.destroy = ptl_destroy,
#endif
	.start = ptl_start,
	.print_summary = ptl_summary,
};
