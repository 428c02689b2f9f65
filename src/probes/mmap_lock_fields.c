/* mmap_lock trace events -> struct pt_ml_event, fields found by name. */
#include <event-parse.h>
#include <stdio.h>
#include <string.h>

#include "ptbench/mmap_lock_fields.h"

const char *const pt_ml_event_names[3] = {
	[PT_ML_START] = "mmap_lock_start_locking",
	[PT_ML_ACQUIRE] = "mmap_lock_acquire_returned",
	[PT_ML_RELEASE] = "mmap_lock_released",
};

/* Offsets and sizes are taken from the format once, by name; decoding then
 * reads them directly (the records come from the running kernel, so no byte
 * swapping), which is what keeps the reader's cost per event low. */
static int need(struct tep_event *ev, const char *name, struct pt_ml_loc *loc, int *min_size, char *why,
		size_t len)
{
	struct tep_format_field *f = tep_find_any_field(ev, name);

	if (!f) {
		snprintf(why, len, "event %s:%s has no field '%s'", PT_ML_SYSTEM, ev->name, name);
		return -1;
	}
	if (f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8) {
		snprintf(why, len, "event %s:%s field '%s' has size %d, not a number", PT_ML_SYSTEM, ev->name,
			 name, f->size);
		return -1;
	}
	loc->offset = f->offset;
	loc->size = f->size;
	if (f->offset + f->size > *min_size)
		*min_size = f->offset + f->size;
	return 0;
}

int pt_ml_fields_init(struct pt_ml_fields *f, struct tep_handle *tep, char *why, size_t len)
{
	memset(f, 0, sizeof(*f));
	f->tep = tep;
	f->memcg = "none";
	for (int t = 0; t < 3; t++) {
		struct tep_event *ev = tep_find_event_by_name(tep, PT_ML_SYSTEM, pt_ml_event_names[t]);
		struct pt_ml_loc type;
		int *min = &f->min_size[t];

		if (!ev) {
			snprintf(why, len, "this kernel has no %s:%s trace event", PT_ML_SYSTEM,
				 pt_ml_event_names[t]);
			return -1;
		}
		f->id[t] = ev->id;
		if (need(ev, "common_type", &type, min, why, len) || need(ev, "common_pid", &f->pid[t], min, why, len) ||
		    need(ev, "mm", &f->mm[t], min, why, len) || need(ev, "write", &f->write[t], min, why, len))
			return -1;
		if (t == PT_ML_ACQUIRE && need(ev, "success", &f->success, min, why, len))
			return -1;
		if (t && (type.offset != f->type.offset || type.size != f->type.size)) {
			snprintf(why, len, "the %s events disagree on where common_type is", PT_ML_SYSTEM);
			return -1;
		}
		f->type = type;
		/* recorded only to say which layout was decoded */
		if (tep_find_field(ev, "memcg_id"))
			f->memcg = "memcg_id";
		else if (tep_find_field(ev, "memcg_path"))
			f->memcg = "memcg_path";
	}
	return 0;
}

static inline uint64_t rd(const unsigned char *d, struct pt_ml_loc l)
{
	uint8_t v1;
	uint16_t v2;
	uint32_t v4;
	uint64_t v8;

	switch (l.size) {
	case 1: memcpy(&v1, d + l.offset, 1); return v1;
	case 2: memcpy(&v2, d + l.offset, 2); return v2;
	case 4: memcpy(&v4, d + l.offset, 4); return v4;
	default: memcpy(&v8, d + l.offset, 8); return v8;
	}
}

int pt_ml_fields_decode(const struct pt_ml_fields *f, void *data, int size, uint64_t ts,
			struct pt_ml_event *out)
{
	const unsigned char *d = data;
	int t, id;

	if (size < f->type.offset + f->type.size)
		return -1;
	id = (int)rd(d, f->type);
	for (t = 0; t < 3 && f->id[t] != id; t++)
		;
	if (t == 3 || size < f->min_size[t])
		return -1;
	out->ts = ts;
	out->type = (uint8_t)t;
	out->tid = (int32_t)rd(d, f->pid[t]);
	out->mm = rd(d, f->mm[t]);
	out->write = rd(d, f->write[t]) != 0;
	out->success = t != PT_ML_ACQUIRE || rd(d, f->success) != 0;
	return 0;
}
