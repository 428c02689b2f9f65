/* The op marker's user-space side (src/run/op_marker.c): the array of slots
 * (include/ptbench/op_marker_abi.h) that worker threads write and the BPF
 * programs read, each thread's slot, and the tid -> slot map the programs
 * find a task's slot by (src/bpf/op_marker.bpf.h).
 *
 * One array per process, made on first use: a BPF_F_MMAPABLE array map,
 * mmapped MAP_SHARED (so role processes forked later write the same pages),
 * where BPF may be used; plain memory otherwise (the markers are then written
 * and nobody reads them). Maps are owned by this process's file descriptors
 * and nothing is pinned: they go when the process does. */
#ifndef PTBENCH_OP_MARKER_H
#define PTBENCH_OP_MARKER_H

#include <stdbool.h>
#include <stddef.h>

#include "ptbench/op_marker_abi.h"

struct pt_run;
struct bpf_map;

/* Thread i of role r's slot number: the threads of the roles before r, plus
 * i (the run's threads in plan order). */
size_t pt_op_slot_of(const struct pt_run *run, size_t r, int i);
/* That slot's marker, cleared; NULL for a slot past PT_OP_MARK_SLOTS (the
 * thread then marks nothing). Makes the array on first use. */
struct pt_op_mark *pt_op_mark_slot(size_t slot);
/* Whether the array is a BPF map the programs can read; when not, why. */
bool pt_op_marks_in_bpf(const char **why);
/* Map every worker thread's tid to its slot (after the threads registered
 * their tids), dropping the previous repeat's tids. Returns the count. */
int pt_op_marks_fill_tids(const struct pt_run *run);
/* Before a BPF object is loaded: make its ptbench_op_marks and
 * ptbench_op_slots maps (declared by src/bpf/op_marker.bpf.h) this process's
 * shared ones. Returns 0, or a negative errno (-ENODEV: the array is not a
 * BPF map; the object keeps maps of its own that nobody writes). */
int pt_op_marks_reuse(struct bpf_map *marks, struct bpf_map *slots);

#endif
