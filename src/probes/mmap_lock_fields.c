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

static struct tep_format_field *need(struct tep_event *ev, const char *name, char *why, size_t len)
{
	struct tep_format_field *f = tep_find_any_field(ev, name);

	if (!f)
		snprintf(why, len, "event %s:%s has no field '%s'", PT_ML_SYSTEM, ev->name, name);
	return f;
}

int pt_ml_fields_init(struct pt_ml_fields *f, struct tep_handle *tep, char *why, size_t len)
{
	memset(f, 0, sizeof(*f));
	f->tep = tep;
	f->memcg = "none";
	for (int t = 0; t < 3; t++) {
		struct tep_event *ev = tep_find_event_by_name(tep, PT_ML_SYSTEM, pt_ml_event_names[t]);

		if (!ev) {
			snprintf(why, len, "this kernel has no %s:%s trace event", PT_ML_SYSTEM,
				 pt_ml_event_names[t]);
			return -1;
		}
		f->id[t] = ev->id;
		if (!(f->pid[t] = need(ev, "common_pid", why, len)) ||
		    !(f->mm[t] = need(ev, "mm", why, len)) || !(f->write[t] = need(ev, "write", why, len)))
			return -1;
		if (t == PT_ML_ACQUIRE && !(f->success = need(ev, "success", why, len)))
			return -1;
		/* recorded only to say which layout was decoded */
		if (tep_find_field(ev, "memcg_id"))
			f->memcg = "memcg_id";
		else if (tep_find_field(ev, "memcg_path"))
			f->memcg = "memcg_path";
	}
	return 0;
}

int pt_ml_fields_decode(const struct pt_ml_fields *f, void *data, int size, uint64_t ts,
			struct pt_ml_event *out)
{
	struct tep_record rec = { .ts = ts, .size = size, .data = data };
	unsigned long long v;
	int id = tep_data_type(f->tep, &rec), t;

	for (t = 0; t < 3 && f->id[t] != id; t++)
		;
	if (t == 3)
		return -1;
	out->ts = ts;
	out->type = (uint8_t)t;
	out->tid = tep_read_number_field(f->pid[t], data, &v) ? -1 : (int32_t)v;
	out->mm = tep_read_number_field(f->mm[t], data, &v) ? 0 : (uint64_t)v;
	out->write = !tep_read_number_field(f->write[t], data, &v) && v;
	out->success = t != PT_ML_ACQUIRE || (!tep_read_number_field(f->success, data, &v) && v);
	return 0;
}
