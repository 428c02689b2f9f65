/* Pairing of the kernel's mmap_lock trace events into waits and holds, per
 * task and mm, with no tracefs in sight (the probe feeds it, so do the unit
 * tests). The events, as the kernel emits them (doc/kernel-notes.md):
 *
 *   blocking lock:  start_locking(w) -> acquire_returned(w, success) -> released(w)
 *   trylock:        acquire_returned(w, success)          (no start)
 *   downgrade:      acquire_returned(write=false, true)   while holding it for write
 *                   (no start, no released(write=true)); then released(write=false)
 *   killable lock interrupted: start_locking(w) -> acquire_returned(w, false)
 *
 * wait = acquire - start; hold = release - acquire. A downgrade ends the write
 * hold and starts a read hold at the same instant. Whatever does not fit the
 * pattern (an event lost in the ring buffer, a lock taken before tracing began)
 * is counted as unmatched and never turned into a sample.
 *
 * Only samples whose completing event lies in the measured window [lo, hi] are
 * kept; pairing itself runs on every event so that a lock taken during warm-up
 * and released in the window still pairs. lo may become known only after
 * events near it were paired: samples at or above lo_bound wait in a pending
 * list until then. */
#ifndef PTBENCH_MMAP_LOCK_PAIR_H
#define PTBENCH_MMAP_LOCK_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pt_hist;

enum pt_ml_type { PT_ML_START, PT_ML_ACQUIRE, PT_ML_RELEASE };
enum pt_ml_mode { PT_ML_READ, PT_ML_WRITE, PT_ML_NMODES };

/* One decoded trace event. */
struct pt_ml_event {
	uint64_t ts;      /* CLOCK_MONOTONIC ns (trace_clock mono) */
	uint64_t mm;      /* the mm_struct pointer, as an identity */
	int32_t tid;
	uint8_t type;     /* enum pt_ml_type */
	uint8_t write;
	uint8_t success;  /* acquire_returned only */
};

/* What one group of threads (a role, "other", or everyone) saw. */
struct pt_ml_stats {
	struct pt_hist *wait[PT_ML_NMODES];
	struct pt_hist *hold[PT_ML_NMODES];
	uint64_t events;           /* events in the window */
	uint64_t downgrades;       /* acquire(read) without start while holding for write */
	uint64_t trylocks;         /* successful acquires without a start (trylocks) */
	uint64_t failed_trylocks;  /* acquire(success=false) without a start */
	uint64_t failed_locks;     /* acquire(success=false) after a start: killable lock interrupted */
	uint64_t unmatched;        /* events that fit no pairing (lost or pre-trace partners) */
};

struct pt_ml_pair;

/* nroles groups for the roles (0..nroles-1); tids not mapped go to group
 * nroles ("other"). */
struct pt_ml_pair *pt_ml_pair_new(size_t nroles);
void pt_ml_pair_free(struct pt_ml_pair *p);
/* tid -> role group: applies to samples made after the call. */
void pt_ml_pair_map_tid(struct pt_ml_pair *p, int tid, size_t role);

/* The window. Until set_lo, samples before lo_bound are dropped and the rest
 * wait; set_lo keeps those at or after lo. hi defaults to "no end". */
void pt_ml_pair_set_lo_bound(struct pt_ml_pair *p, uint64_t lo_bound);
void pt_ml_pair_set_lo(struct pt_ml_pair *p, uint64_t lo);
void pt_ml_pair_set_hi(struct pt_ml_pair *p, uint64_t hi);
bool pt_ml_pair_lo_known(const struct pt_ml_pair *p);

/* Feed events in timestamp order (per task order is what matters). */
void pt_ml_pair_feed(struct pt_ml_pair *p, const struct pt_ml_event *e);

/* Results: group 0..nroles-1 the roles, nroles "other"; total over all. */
const struct pt_ml_stats *pt_ml_pair_role(const struct pt_ml_pair *p, size_t group);
const struct pt_ml_stats *pt_ml_pair_total(const struct pt_ml_pair *p);
/* Locks still held or waited for at the end (not counted as unmatched: the
 * run simply stopped while they were open). */
uint64_t pt_ml_pair_open(const struct pt_ml_pair *p);

#endif
