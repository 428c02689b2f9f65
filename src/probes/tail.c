/* The tail probe (src/bpf/tail.bpf.c): for each role and op, the kernel
 * stacks at which the op's thread went off CPU during ops slower than the
 * threshold, with the time off CPU at each, symbolised from /proc/kallsyms.
 * Off unless asked for (tail_probe = true, --tail-threshold, --folded): it
 * runs a program on every context switch of the machine. Needs BPF, the op
 * marker in a BPF map (src/run/op_marker.c), a BPF stack map and kernel
 * symbols; without one it says which and the run goes on. */
#define _GNU_SOURCE
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/json_get.h"
#include "ptbench/ksyms.h"
#include "ptbench/lock_bpf.h"
#include "ptbench/op_marker.h"
#include "ptbench/probe.h"
#include "ptbench/tail_abi.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"

_Static_assert(PT_TAIL_OPS == PT_MAX_OPS, "the tail probe keeps counters for every op id");

/* stacks per op in the result, the rest summed in other_ns */
#define TOP_STACKS 32

struct tail_stack {
	char *frames;   /* leaf first, ';' between: the JSON's and the summary's order */
	uint64_t ns, intervals;
	bool runnable;
};

struct tail_op {
	uint64_t tail_ops, off_ns;
	struct tail_stack *s;
	size_t n, cap;
};

struct tail_state {
	struct ptbench_tail *skel;
	struct pt_ksyms *ks;
	uint64_t threshold;
	size_t nroles;
	struct tail_op (*ops)[PT_TAIL_OPS];
	uint64_t pending_lost, stack_errors, agg_full, no_role;
	bool stopped;
	char read_error[256];
};

static int tail_off(const struct pt_run *run, char *why, size_t len)
{
	if (pt_probe_tail_on(run))
		return 0;
	snprintf(why, len, "off (tail_probe = true in [scenario], --tail-threshold or --folded turn it on)");
	return -1;
}

#ifdef PTBENCH_HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tail.skel.h"

static void free_ops(struct tail_state *s)
{
	if (!s->ops)
		return;
	for (size_t r = 0; r < s->nroles; r++)
		for (int o = 0; o < PT_TAIL_OPS; o++) {
			for (size_t i = 0; i < s->ops[r][o].n; i++)
				free(s->ops[r][o].s[i].frames);
			free(s->ops[r][o].s);
		}
	free(s->ops);
	s->ops = NULL;
}

static void tail_free(struct tail_state *s)
{
	if (!s)
		return;
	ptbench_tail__destroy(s->skel);
	pt_ksyms_free(s->ks);
	free_ops(s);
	free(s);
}

static int tail_start(struct pt_run *run, void **state, char *why, size_t len)
{
	struct tail_state *s;
	const char *mwhy, *kpath = getenv("PTBENCH_KALLSYMS"), *nostack = getenv("PTBENCH_TEST_NO_STACKMAP");
	int err;

	*state = NULL;
	if (tail_off(run, why, len) || pt_bpf_allowed(why, len))
		return -1;
	if (!pt_op_marks_in_bpf(&mwhy)) {
		snprintf(why, len, "the op marker is not in a BPF map: %s", mwhy);
		return -1;
	}
	if (pt_bpf_kernel_has_member("task_struct", "pid") < 0) {
		snprintf(why, len, "the kernel has no BTF (/sys/kernel/btf/vmlinux): tp_btf/sched_switch needs it");
		return -1;
	}
	s = pt_xcalloc(1, sizeof(*s));
	/* symbols first: stacks that cannot be named are not worth a program
	 * on every context switch (PTBENCH_KALLSYMS: another file, for tests) */
	s->ks = pt_ksyms_load(kpath && *kpath ? kpath : NULL, why, len);
	if (!s->ks) {
		size_t n = strlen(why);

		snprintf(why + n, len - n, ": no kernel symbols for the stacks");
		tail_free(s);
		return -1;
	}
	s->threshold = pt_probe_tail_threshold_ns(run);
	s->nroles = pt_probe_nroles(run);
	pt_bpf_quiet_libbpf();
	s->skel = ptbench_tail__open();
	if (!s->skel) {
		pt_bpf_why(why, len, "cannot open the BPF object", errno);
		tail_free(s);
		return -1;
	}
	s->skel->rodata->threshold_ns = s->threshold;
	err = pt_op_marks_reuse(s->skel->maps.ptbench_op_marks, s->skel->maps.ptbench_op_slots);
	/* a test switch: a kernel that refuses stack maps (max_entries 0 is
	 * refused at map creation, as BPF_MAP_TYPE_STACK_TRACE is without
	 * CONFIG_BPF_EVENTS or perf callchains) */
	if (!err && nostack && *nostack && strcmp(nostack, "0"))
		err = bpf_map__set_max_entries(s->skel->maps.ptbench_tail_stacks, 0);
	if (err) {
		pt_bpf_why(why, len, "cannot share the op marker maps", err);
		tail_free(s);
		return -1;
	}
	err = ptbench_tail__load(s->skel);
	if (err) {
		int fd = bpf_map__fd(s->skel->maps.ptbench_tail_stacks);

		pt_bpf_why(why, len,
			   fd < 0 ? "cannot create the BPF stack map (BPF_MAP_TYPE_STACK_TRACE)"
				  : "cannot load the tail probe's program (tp_btf/sched_switch)",
			   err);
		tail_free(s);
		return -1;
	}
	err = ptbench_tail__attach(s->skel);
	if (err) {
		pt_bpf_why(why, len, "cannot attach to sched_switch (tp_btf)", err);
		tail_free(s);
		return -1;
	}
	*state = s;
	return 0;
}

static void tail_measure_begin(void *state, struct pt_run *run)
{
	struct tail_state *s = state;

	pt_bpf_open_window(&s->skel->data->win_lo, &s->skel->data->win_hi, run);
}

static void tail_measure_end(void *state, struct pt_run *run)
{
	struct tail_state *s = state;

	pt_bpf_close_window(&s->skel->data->win_hi, run);
}

/* frames leaf first, from __schedule on (the program's own frames and the
 * tracepoint's before it say nothing); NULL when the stack is gone */
static char *stack_text(struct tail_state *s, int fd, int32_t id)
{
	uint64_t ips[PT_TAIL_DEPTH];
	char *out;
	size_t len = 0, cap = 256;
	int from = 0, n = 0;

	if (id < 0)
		return pt_xstrdup("[unknown: the stack map was full]");
	memset(ips, 0, sizeof(ips));
	if (bpf_map_lookup_elem(fd, &id, ips))
		return NULL;
	while (n < PT_TAIL_DEPTH && ips[n])
		n++;
	for (int i = 0; i < n; i++) {
		const char *name = pt_ksyms_name(s->ks, ips[i]);

		if (name && !strcmp(name, "__schedule")) {
			from = i;
			break;
		}
	}
	out = pt_xmalloc(cap);
	out[0] = '\0';
	for (int i = from; i < n; i++) {
		const char *name = pt_ksyms_name(s->ks, ips[i]);
		char hex[32];
		size_t l;

		if (!name) {
			snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)ips[i]);
			name = hex;
		}
		l = strlen(name);
		while (len + l + 2 > cap) {
			cap *= 2;
			out = pt_xrealloc(out, cap);
		}
		if (len)
			out[len++] = ';';
		memcpy(out + len, name, l + 1);
		len += l;
	}
	return out;
}

static void add_stack(struct tail_op *op, char *frames, bool runnable, uint64_t ns, uint64_t intervals)
{
	for (size_t i = 0; i < op->n; i++)
		if (op->s[i].runnable == runnable && !strcmp(op->s[i].frames, frames)) {
			op->s[i].ns += ns;
			op->s[i].intervals += intervals;
			free(frames);
			return;
		}
	if (op->n == op->cap) {
		op->cap = op->cap ? op->cap * 2 : 16;
		op->s = pt_xrealloc(op->s, op->cap * sizeof(*op->s));
	}
	op->s[op->n++] = (struct tail_stack){ frames, ns, intervals, runnable };
}

static int by_ns(const void *a, const void *b)
{
	const struct tail_stack *x = a, *y = b;

	return x->ns > y->ns ? -1 : x->ns < y->ns;
}

static int read_maps(struct tail_state *s, struct pt_run *run)
{
	int slot_fd = bpf_map__fd(s->skel->maps.ptbench_tail_slot);
	int agg_fd = bpf_map__fd(s->skel->maps.ptbench_tail_agg);
	int stack_fd = bpf_map__fd(s->skel->maps.ptbench_tail_stacks);
	int *role_of = pt_xmalloc(PT_OP_MARK_SLOTS * sizeof(*role_of));
	struct pt_tail_key key, next;
	bool first = true;

	s->ops = pt_xcalloc(s->nroles ? s->nroles : 1, sizeof(*s->ops));
	for (size_t i = 0; i < PT_OP_MARK_SLOTS; i++)
		role_of[i] = -1;
	for (size_t r = 0; r < s->nroles; r++)
		for (int i = 0; i < pt_probe_role_nthreads(run, r); i++) {
			size_t slot = pt_op_slot_of(run, r, i);
			struct pt_tail_slot st;
			__u32 k = (__u32)slot;

			if (slot >= PT_OP_MARK_SLOTS)
				continue;
			role_of[slot] = (int)r;
			if (bpf_map_lookup_elem(slot_fd, &k, &st))
				goto fail;
			for (int o = 0; o < PT_TAIL_OPS; o++) {
				s->ops[r][o].tail_ops += st.tail_ops[o];
				s->ops[r][o].off_ns += st.tail_off_ns[o];
			}
			s->pending_lost += st.pending_lost;
			s->stack_errors += st.stack_errors;
		}
	while (!bpf_map_get_next_key(agg_fd, first ? NULL : &key, &next)) {
		struct pt_tail_val v;
		char *frames;

		first = false;
		key = next;
		if (bpf_map_lookup_elem(agg_fd, &key, &v))
			continue;
		if (key.slot >= PT_OP_MARK_SLOTS || role_of[key.slot] < 0 || key.op >= PT_TAIL_OPS) {
			s->no_role++;
			continue;
		}
		frames = stack_text(s, stack_fd, key.stackid);
		if (!frames)
			frames = pt_xstrdup("[unknown: the stack was not found]");
		add_stack(&s->ops[role_of[key.slot]][key.op], frames, key.runnable, v.ns, v.intervals);
	}
	for (size_t r = 0; r < s->nroles; r++)
		for (int o = 0; o < PT_TAIL_OPS; o++)
			if (s->ops[r][o].n > 1)
				qsort(s->ops[r][o].s, s->ops[r][o].n, sizeof(struct tail_stack), by_ns);
	s->agg_full = s->skel->bss->agg_full;
	free(role_of);
	return 0;
fail:
	free(role_of);
	return -1;
}

static void tail_stop(void *state, struct pt_run *run)
{
	struct tail_state *s = state;

	ptbench_tail__detach(s->skel);
	if (read_maps(s, run))
		snprintf(s->read_error, sizeof(s->read_error), "cannot read the BPF maps: %s", strerror(errno));
	ptbench_tail__destroy(s->skel);
	s->skel = NULL;
	s->stopped = true;
}

static struct json_object *stack_json(const struct tail_stack *st, uint64_t total)
{
	struct json_object *o = json_object_new_object(), *frames = json_object_new_array();
	char *copy = pt_xstrdup(st->frames), *save = NULL;

	for (char *f = strtok_r(copy, ";", &save); f; f = strtok_r(NULL, ";", &save))
		json_object_array_add(frames, json_object_new_string(f));
	free(copy);
	json_object_object_add(o, "stack", frames);
	json_object_object_add(o, "off_cpu_ns", json_object_new_int64((int64_t)st->ns));
	json_object_object_add(o, "intervals", json_object_new_int64((int64_t)st->intervals));
	json_object_object_add(o, "share", json_object_new_double(total ? (double)st->ns / (double)total : 0));
	json_object_object_add(o, "runnable", json_object_new_boolean(st->runnable));
	return o;
}

static struct json_object *tail_result(void *state, struct pt_run *run)
{
	struct tail_state *s = state;
	struct json_object *o = json_object_new_object(), *roles;

	if (!s->stopped || s->read_error[0]) {
		json_object_object_add(o, "available", json_object_new_boolean(0));
		json_object_object_add(o, "why", json_object_new_string(s->read_error[0] ? s->read_error
											: "the probe was not stopped"));
		return o;
	}
	json_object_object_add(o, "available", json_object_new_boolean(1));
	json_object_object_add(o, "method", json_object_new_string("tp_btf/sched_switch"));
	json_object_object_add(o, "threshold_ns", json_object_new_int64((int64_t)s->threshold));
	json_object_object_add(o, "pending_lost", json_object_new_int64((int64_t)s->pending_lost));
	json_object_object_add(o, "stack_errors", json_object_new_int64((int64_t)s->stack_errors));
	json_object_object_add(o, "agg_full", json_object_new_int64((int64_t)s->agg_full));
	roles = json_object_new_object();
	for (size_t r = 0; r < s->nroles; r++) {
		struct json_object *rj, *ops;

		if (!pt_probe_role_nthreads(run, r))
			continue;
		rj = json_object_new_object();
		ops = json_object_new_object();
		for (int op = 0; op < PT_TAIL_OPS && op < pt_probe_role_nops(run, r); op++) {
			const struct tail_op *t = &s->ops[r][op];
			struct json_object *oj = json_object_new_object(), *stacks = json_object_new_array();
			uint64_t kept = 0, other = 0;

			for (size_t i = 0; i < t->n; i++)
				kept += t->s[i].ns;
			for (size_t i = 0; i < t->n; i++) {
				if (i < TOP_STACKS)
					json_object_array_add(stacks, stack_json(&t->s[i], kept));
				else
					other += t->s[i].ns;
			}
			json_object_object_add(oj, "tail_ops", json_object_new_int64((int64_t)t->tail_ops));
			json_object_object_add(oj, "off_cpu_ns", json_object_new_int64((int64_t)kept));
			json_object_object_add(oj, "stacks", stacks);
			json_object_object_add(oj, "more_stacks",
					       json_object_new_int64((int64_t)(t->n > TOP_STACKS ? t->n - TOP_STACKS : 0)));
			json_object_object_add(oj, "other_ns", json_object_new_int64((int64_t)other));
			json_object_object_add(ops, pt_probe_role_op(run, r, op), oj);
		}
		json_object_object_add(rj, "ops", ops);
		json_object_object_add(roles, pt_probe_role_name(run, r), rj);
	}
	json_object_object_add(o, "roles", roles);
	return o;
}

static void tail_destroy(void *state)
{
	tail_free(state);
}
#else
static int tail_start(struct pt_run *run, void **state, char *why, size_t len)
{
	*state = NULL;
	if (!tail_off(run, why, len))
		pt_bpf_allowed(why, len);
	return -1;
}
#endif

/* the frames that say where: past the scheduler's own */
static bool sched_frame(const char *f)
{
	return !strcmp(f, "__schedule") || !strncmp(f, "schedule", 8) || !strncmp(f, "preempt_schedule", 16) ||
	       !strncmp(f, "__cond_resched", 14) || !strncmp(f, "io_schedule", 11);
}

static void tail_summary(struct json_object *res, FILE *out)
{
	struct json_object *roles;
	char b1[32], b2[32];

	if (!json_object_object_get_ex(res, "roles", &roles))
		return;
	json_object_object_foreach(roles, role, rj)
	{
		struct json_object *ops;

		if (!json_object_object_get_ex(rj, "ops", &ops))
			continue;
		json_object_object_foreach(ops, op, oj)
		{
			struct json_object *stacks, *top, *frames, *share;
			int shown = 0;

			if (!pt_json_int(oj, "tail_ops", 0))
				continue;
			fprintf(out, "  tail %s.%s: %lld ops past %s, %s off CPU", role, op, pt_json_int(oj, "tail_ops", 0),
				pt_fmt_ns((double)pt_json_int(res, "threshold_ns", 0), b1, sizeof(b1)),
				pt_fmt_ns((double)pt_json_int(oj, "off_cpu_ns", 0), b2, sizeof(b2)));
			if (json_object_object_get_ex(oj, "stacks", &stacks) && json_object_array_length(stacks) &&
			    (top = json_object_array_get_idx(stacks, 0)) &&
			    json_object_object_get_ex(top, "stack", &frames)) {
				fprintf(out, "; top:");
				for (size_t i = 0; i < json_object_array_length(frames) && shown < 4; i++) {
					const char *f = json_object_get_string(json_object_array_get_idx(frames, i));

					if (sched_frame(f))
						continue;
					fprintf(out, "%s%s", shown++ ? " < " : " ", f);
				}
				if (json_object_object_get_ex(top, "share", &share))
					fprintf(out, " (%.0f%%)", 100 * json_object_get_double(share));
			}
			fputc('\n', out);
		}
	}
}

const struct pt_probe pt_probe_tail = {
	.name = "tail",
	.summary = "kernel stacks where ops slower than a threshold went off CPU, by role and op (BPF; off by default)",
	.is_trace = true,
#ifdef PTBENCH_HAVE_BPF
	.measure_begin = tail_measure_begin,
	.measure_end = tail_measure_end,
	.stop = tail_stop,
	.result = tail_result,
	.destroy = tail_destroy,
#endif
	.start = tail_start,
	.print_summary = tail_summary,
};
