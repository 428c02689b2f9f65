/* The op marker array and its slots (include/ptbench/op_marker.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ptbench/lock_bpf.h"
#include "ptbench/op_marker.h"
#include "ptbench/probe.h"
#include "ptbench/util.h"

#ifdef PTBENCH_HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#endif

static struct pt_op_mark *marks;     /* PT_OP_MARK_SLOTS slots */
static int marks_fd = -1;            /* the array map; -1: plain memory */
#ifdef PTBENCH_HAVE_BPF
static int slots_fd = -1;            /* tid -> slot */
#endif
static char not_bpf_why[256];

/* The BPF map, mmapped; -1 with why when it cannot be had. */
static int make_bpf_array(char *why, size_t len)
{
#ifdef PTBENCH_HAVE_BPF
	LIBBPF_OPTS(bpf_map_create_opts, mopts, .map_flags = BPF_F_MMAPABLE);
	size_t size = PT_OP_MARK_SLOTS * sizeof(struct pt_op_mark);
	void *p;

	if (pt_bpf_allowed(why, len))
		return -1;
	marks_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ptbench_op_mark", sizeof(__u32), sizeof(struct pt_op_mark),
				  PT_OP_MARK_SLOTS, &mopts);
	if (marks_fd < 0) {
		snprintf(why, len, "cannot create the op marker map: %s", strerror(errno));
		return -1;
	}
	slots_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "ptbench_op_slot", sizeof(__u32), sizeof(__u32),
				  PT_OP_MARK_SLOTS, NULL);
	p = slots_fd < 0 ? MAP_FAILED : mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, marks_fd, 0);
	if (p == MAP_FAILED) {
		snprintf(why, len, "cannot %s the op marker map: %s", slots_fd < 0 ? "create the tid map of" : "mmap",
			 strerror(errno));
		close(marks_fd);
		if (slots_fd >= 0)
			close(slots_fd);
		marks_fd = slots_fd = -1;
		return -1;
	}
	marks = p;
	return 0;
#else
	return pt_bpf_allowed(why, len);
#endif
}

static void init(void)
{
	if (marks)
		return;
	if (make_bpf_array(not_bpf_why, sizeof(not_bpf_why)))
		marks = pt_xcalloc(PT_OP_MARK_SLOTS, sizeof(*marks));
}

size_t pt_op_slot_of(const struct pt_run *run, size_t r, int i)
{
	size_t slot = (size_t)i;

	for (size_t k = 0; k < r; k++)
		slot += (size_t)pt_probe_role_nthreads(run, k);
	return slot;
}

struct pt_op_mark *pt_op_mark_slot(size_t slot)
{
	init();
	if (slot >= PT_OP_MARK_SLOTS)
		return NULL;
	memset(&marks[slot], 0, sizeof(marks[slot]));
	return &marks[slot];
}

bool pt_op_marks_in_bpf(const char **why)
{
	init();
	if (why)
		*why = marks_fd >= 0 ? "" : not_bpf_why;
	return marks_fd >= 0;
}

int pt_op_marks_fill_tids(const struct pt_run *run)
{
	int n = 0;
#ifdef PTBENCH_HAVE_BPF
	__u32 next;

	init();
	if (slots_fd < 0)
		return 0;
	/* the previous repeat's threads are gone: their tids may be reused */
	while (!bpf_map_get_next_key(slots_fd, NULL, &next))
		if (bpf_map_delete_elem(slots_fd, &next))
			break;
	for (size_t r = 0; r < pt_probe_nroles(run); r++)
		for (int i = 0; i < pt_probe_role_nthreads(run, r); i++) {
			size_t slot = pt_op_slot_of(run, r, i);
			__u32 tid = (__u32)pt_probe_thread_tid(run, r, i), s = (__u32)slot;

			if (slot < PT_OP_MARK_SLOTS && tid && !bpf_map_update_elem(slots_fd, &tid, &s, BPF_ANY))
				n++;
		}
#else
	(void)run;
#endif
	return n;
}

int pt_op_marks_reuse(struct bpf_map *m, struct bpf_map *s)
{
#ifdef PTBENCH_HAVE_BPF
	int err;

	init();
	if (marks_fd < 0)
		return -ENODEV;
	err = bpf_map__reuse_fd(m, marks_fd);
	if (!err)
		err = bpf_map__reuse_fd(s, slots_fd);
	return err;
#else
	(void)m;
	(void)s;
	return -ENODEV;
#endif
}
