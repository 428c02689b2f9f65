/* Decoding the mmap_lock trace events with libtraceevent, every field looked
 * up by name: the layout changed around 6.14 (a `memcg_path` string before,
 * `memcg_id` after), so no offset is assumed. */
#ifndef PTBENCH_MMAP_LOCK_FIELDS_H
#define PTBENCH_MMAP_LOCK_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "ptbench/mmap_lock_pair.h"

struct tep_handle;
struct tep_format_field;

#define PT_ML_SYSTEM "mmap_lock"

/* The three events, indexed by enum pt_ml_type. */
extern const char *const pt_ml_event_names[3];

/* Where a field lies in one event's record, from its format. */
struct pt_ml_loc {
	int offset, size;
};

struct pt_ml_fields {
	struct tep_handle *tep;
	int id[3];
	struct pt_ml_loc type;            /* common_type */
	struct pt_ml_loc pid[3], mm[3], write[3];
	struct pt_ml_loc success;         /* acquire_returned only */
	int min_size[3];                  /* a record shorter than this is refused */
	const char *memcg;                /* "memcg_id", "memcg_path" or "none": the layout seen */
};

/* Find the events and their fields in tep. Returns 0, or -1 with why. */
int pt_ml_fields_init(struct pt_ml_fields *f, struct tep_handle *tep, char *why, size_t len);
/* Decode one raw event (data as read from the ring buffer). Returns 0, or -1
 * when it is not one of the three events. */
int pt_ml_fields_decode(const struct pt_ml_fields *f, void *data, int size, uint64_t ts,
			struct pt_ml_event *out);

#endif
