/* pte-reclaim: page-table memory that MADV_DONTNEED gives back. A large anon
 * region (small pages only) is cut in 2 MiB slots; one cycle writes one byte
 * at the start of every slot (op `touch`: the fault allocates a PTE table that
 * then maps a single page) and zaps every slot with MADV_DONTNEED (op `zap`).
 * Kernels with CONFIG_PT_RECLAIM (6.14+, Qi Zheng's series) free a PTE table
 * the zap of a whole PMD range left empty; earlier ones keep it until munmap.
 * Each cycle reads VmPTE (/proc/self/status) and nr_page_table_pages
 * (/proc/vmstat) just before and after its zaps: the drop is the number of
 * PTE tables freed, reported per repeat with the number a reclaiming kernel
 * frees (one per zapped slot) alongside. Cycles of the role's threads are
 * serialised so the process-wide VmPTE brackets one thread's zaps; another
 * role faulting in this process meanwhile would blur it (give it its own
 * process). */
#define _GNU_SOURCE
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "collapse_util.h"
#include "ptbench/clock.h"
#include "ptbench/kconfig.h"
#include "ptbench/util.h"
#include "ptbench/vmstat.h"
#include "ptbench/worker.h"

enum { OP_TOUCH, OP_ZAP };

static const char *const pte_reclaim_ops[] = { "touch", "zap", NULL };

struct pte_reclaim_opts {
	long long size;
};

static const struct pt_opt_def pte_reclaim_opt_defs[] = {
	PT_OPT_SIZE_MULT_F("size", struct pte_reclaim_opts, size, "512M", 2LL << 20, 1LL << 40, 2LL << 20,
			   "region per thread, a multiple of 2M: one PTE table per 2M slot"),
	PT_OPT_END,
};

struct pte_reclaim_shared {
	const struct pte_reclaim_opts *o;
	pthread_mutex_t cycle;      /* one thread's zaps between two VmPTE reads */
	int pt_reclaim;             /* CONFIG_PT_RECLAIM: 1, 0, -1 unknown */
	/* measured cycles only */
	uint64_t cycles, expected, freed_vmpte, freed_system, failed_reads;
	long long vmpte_kb_min, vmpte_kb_max;
};

struct pte_reclaim_thread {
	struct pt_aligned_map m;
	size_t slots;
};

static int vmpte_kb(long long *kb)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[128];
	int rc = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPTE: %lld kB", kb) == 1) {
			rc = 0;
			break;
		}
	fclose(f);
	return rc;
}

static long long system_pt_pages(void)
{
	struct pt_vmstat v;

	return pt_vmstat_read(&v) ? -1 : pt_vmstat_get(&v, "nr_page_table_pages");
}

static enum pt_check pte_reclaim_check(const struct pt_worker_type *type, const void *opts,
				       const char **bad_key, char *why, size_t len)
{
	long long kb;

	(void)type;
	(void)opts; /* size: a multiple of 2M, checked by the option table */
	(void)bad_key;
	if (vmpte_kb(&kb)) {
		snprintf(why, len, "no VmPTE in /proc/self/status: cannot count PTE tables");
		return PT_CHECK_SKIP;
	}
	return PT_CHECK_OK;
}

static uint64_t pte_reclaim_mem_bytes(const void *opts, int threads)
{
	/* a page per 2M slot and a PTE table for it */
	return (uint64_t)((const struct pte_reclaim_opts *)opts)->size / PT_PMD_SIZE * 8192 * (uint64_t)threads;
}

static int pte_reclaim_setup(struct pt_role_run *rr, char *err, size_t len)
{
	struct pte_reclaim_shared *s = pt_xcalloc(1, sizeof(*s));

	(void)err;
	(void)len;
	pt_role_set_shared(rr, s);
	s->o = pt_role_opts(rr);
	pthread_mutex_init(&s->cycle, NULL);
	s->pt_reclaim = pt_kconfig_enabled("CONFIG_PT_RECLAIM");
	s->vmpte_kb_min = -1;
	return 0;
}

static int pte_reclaim_thread_init(struct pt_thread *t, char *err, size_t len)
{
	struct pte_reclaim_shared *s = pt_thread_shared(t);
	struct pte_reclaim_thread *pt = pt_xcalloc(1, sizeof(*pt));

	t->priv = pt;
	if (pt_aligned_map(&pt->m, (size_t)s->o->size, -1, err, len))
		return -1;
	/* a THP would map the slot with no PTE table at all */
	if (madvise(pt->m.base, pt->m.len, MADV_NOHUGEPAGE)) {
		snprintf(err, len, "MADV_NOHUGEPAGE: %s", strerror(errno));
		return -1;
	}
	pt->slots = pt->m.len / PT_PMD_SIZE;
	t->mem_addr = pt->m.base;
	t->mem_len = pt->m.len;
	return 0;
}

static int pte_reclaim_run_once(struct pt_thread *t)
{
	struct pte_reclaim_shared *s = pt_thread_shared(t);
	struct pte_reclaim_thread *pt = t->priv;
	bool measured = pt_measuring(t);
	long long kb_before, kb_after, sys_before, sys_after;
	uint64_t t0, t1, zapped = 0;
	int rb, ra;

	pthread_mutex_lock(&s->cycle);
	t0 = pt_now_ns();
	for (size_t i = 0; i < pt->slots; i++) {
		pt_op_begin_at(t, OP_TOUCH, t0);
		pt->m.base[i * PT_PMD_SIZE] = 1;
		t1 = pt_now_ns();
		pt_record(t, OP_TOUCH, t0, t1);
		t0 = t1;
	}
	rb = vmpte_kb(&kb_before);
	sys_before = system_pt_pages();
	t0 = pt_now_ns();
	for (size_t i = 0; i < pt->slots; i++) {
		int rc;

		pt_op_begin_at(t, OP_ZAP, t0);
		rc = madvise(pt->m.base + i * PT_PMD_SIZE, PT_PMD_SIZE, MADV_DONTNEED);
		t1 = pt_now_ns();
		pt_record(t, OP_ZAP, t0, t1);
		if (rc)
			pt_record_error(t, OP_ZAP, errno);
		else
			zapped++;
		t0 = t1;
	}
	ra = vmpte_kb(&kb_after);
	sys_after = system_pt_pages();
	if (measured) {
		s->cycles++;
		s->expected += zapped;
		if (rb || ra || sys_before < 0 || sys_after < 0) {
			s->failed_reads++;
		} else {
			/* VmPTE counts bytes of page tables: 4 kB per PTE table */
			s->freed_vmpte += (uint64_t)(kb_before > kb_after ? (kb_before - kb_after) / 4 : 0);
			s->freed_system += (uint64_t)(sys_before > sys_after ? sys_before - sys_after : 0);
			if (s->vmpte_kb_min < 0 || kb_after < s->vmpte_kb_min)
				s->vmpte_kb_min = kb_after;
			if (kb_before > s->vmpte_kb_max)
				s->vmpte_kb_max = kb_before;
		}
	}
	pthread_mutex_unlock(&s->cycle);
	return 0;
}

static void pte_reclaim_thread_fini(struct pt_thread *t)
{
	struct pte_reclaim_thread *pt = t->priv;

	if (!pt)
		return;
	pt_aligned_unmap(&pt->m);
	free(pt);
	t->priv = NULL;
}

static void pte_reclaim_teardown(struct pt_role_run *rr)
{
	struct pte_reclaim_shared *s = pt_role_shared(rr);

	if (!s)
		return;
	pthread_mutex_destroy(&s->cycle);
	free(s);
	pt_role_set_shared(rr, NULL);
}

static void pte_reclaim_report(struct pt_role_run *rr, struct json_object *o)
{
	struct pte_reclaim_shared *s = pt_role_shared(rr);
	struct json_object *p = json_object_new_object();

	json_object_object_add(p, "cycles", json_object_new_int64((int64_t)s->cycles));
	json_object_object_add(p, "pte_tables_freed", json_object_new_int64((int64_t)s->freed_vmpte));
	json_object_object_add(p, "pte_tables_expected", json_object_new_int64((int64_t)s->expected));
	json_object_object_add(p, "system_pt_pages_freed", json_object_new_int64((int64_t)s->freed_system));
	json_object_object_add(p, "freed_per_zap",
			       json_object_new_double(s->expected ? (double)s->freed_vmpte / (double)s->expected : 0));
	json_object_object_add(p, "vmpte_kb_before_zaps_max", json_object_new_int64(s->vmpte_kb_max));
	json_object_object_add(p, "vmpte_kb_after_zaps_min", json_object_new_int64(s->vmpte_kb_min));
	json_object_object_add(p, "failed_reads", json_object_new_int64((int64_t)s->failed_reads));
	json_object_object_add(p, "config_pt_reclaim",
			       json_object_new_string(s->pt_reclaim > 0 ? "y" : s->pt_reclaim == 0 ? "n" : "unknown"));
	json_object_object_add(o, "pte_reclaim", p);
}

static void pte_reclaim_summary(const char *role, struct json_object *role_json, FILE *out)
{
	struct json_object *p, *v;
	long long n[3] = { -1, -1, -1 };
	static const char *const keys[] = { "pte_tables_freed", "pte_tables_expected", "cycles" };

	if (!json_object_object_get_ex(role_json, "pte_reclaim", &p))
		return;
	for (int i = 0; i < 3; i++)
		if (json_object_object_get_ex(p, keys[i], &v))
			n[i] = json_object_get_int64(v);
	fprintf(out, "  %s: MADV_DONTNEED freed %lld of %lld one-page PTE tables in %lld cycles (CONFIG_PT_RECLAIM=%s)\n",
		role, n[0], n[1], n[2],
		json_object_object_get_ex(p, "config_pt_reclaim", &v) ? json_object_get_string(v) : "?");
}

const struct pt_worker_type pt_worker_pte_reclaim = {
	.name = "pte-reclaim",
	.summary = "one page per 2M slot touched, then MADV_DONTNEED: PTE tables freed (CONFIG_PT_RECLAIM)",
	.opts = pte_reclaim_opt_defs,
	.opts_size = sizeof(struct pte_reclaim_opts),
	.mem_bytes = pte_reclaim_mem_bytes,
	.ops = pte_reclaim_ops,
	/* the unit of work lock counts are divided by: one MADV_DONTNEED of a slot, the op that frees (or not) its PTE table */
	.unit_op = "zap",
	.check = pte_reclaim_check,
	.setup = pte_reclaim_setup,
	.thread_init = pte_reclaim_thread_init,
	.run_once = pte_reclaim_run_once,
	.thread_fini = pte_reclaim_thread_fini,
	.teardown = pte_reclaim_teardown,
	.report = pte_reclaim_report,
	.print_summary = pte_reclaim_summary,
};
