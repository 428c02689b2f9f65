/* Decoding the mmap_lock events by field name, on both layouts: 6.18's
 * (memcg_id, a u64) and 6.1's (memcg_path, a __data_loc string that shifts
 * write/success), from format texts as tracefs prints them. */
#include <event-parse.h>
#include <stdio.h>
#include <string.h>

#include "ptbench/mmap_lock_fields.h"
#include "tap.h"

#define COMMON                                                                  \
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"      \
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"      \
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n" \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"

/* 6.18: mm, memcg_id, write[, success] */
static const char *const fmt_new[3] = {
	"name: mmap_lock_start_locking\nID: 677\nformat:\n" COMMON
	"\tfield:struct mm_struct * mm;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:u64 memcg_id;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:bool write;\toffset:24;\tsize:1;\tsigned:0;\n\n"
	"print fmt: \"mm=%p memcg_id=%llu write=%s\", REC->mm, REC->memcg_id, REC->write ? \"true\" : \"false\"\n",
	"name: mmap_lock_acquire_returned\nID: 675\nformat:\n" COMMON
	"\tfield:struct mm_struct * mm;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:u64 memcg_id;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:bool write;\toffset:24;\tsize:1;\tsigned:0;\n"
	"\tfield:bool success;\toffset:25;\tsize:1;\tsigned:0;\n\n"
	"print fmt: \"mm=%p memcg_id=%llu write=%s success=%s\", REC->mm, REC->memcg_id, REC->write ? "
	"\"true\" : \"false\", REC->success ? \"true\" : \"false\"\n",
	"name: mmap_lock_released\nID: 676\nformat:\n" COMMON
	"\tfield:struct mm_struct * mm;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:u64 memcg_id;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:bool write;\toffset:24;\tsize:1;\tsigned:0;\n\n"
	"print fmt: \"mm=%p memcg_id=%llu write=%s\", REC->mm, REC->memcg_id, REC->write ? \"true\" : \"false\"\n",
};

/* 6.1: mm, memcg_path (a string), write[, success] */
static const char *const fmt_old[3] = {
	"name: mmap_lock_start_locking\nID: 301\nformat:\n" COMMON
	"\tfield:struct mm_struct * mm;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:__data_loc char[] memcg_path;\toffset:16;\tsize:4;\tsigned:0;\n"
	"\tfield:bool write;\toffset:20;\tsize:1;\tsigned:0;\n\n"
	"print fmt: \"mm=%p memcg_path=%s write=%s\", REC->mm, __get_str(memcg_path), REC->write ? \"true\" : \"false\"\n",
	"name: mmap_lock_acquire_returned\nID: 302\nformat:\n" COMMON
	"\tfield:struct mm_struct * mm;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:__data_loc char[] memcg_path;\toffset:16;\tsize:4;\tsigned:0;\n"
	"\tfield:bool write;\toffset:20;\tsize:1;\tsigned:0;\n"
	"\tfield:bool success;\toffset:21;\tsize:1;\tsigned:0;\n\n"
	"print fmt: \"mm=%p memcg_path=%s write=%s success=%s\", REC->mm, __get_str(memcg_path), REC->write ? "
	"\"true\" : \"false\", REC->success ? \"true\" : \"false\"\n",
	"name: mmap_lock_released\nID: 303\nformat:\n" COMMON
	"\tfield:struct mm_struct * mm;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:__data_loc char[] memcg_path;\toffset:16;\tsize:4;\tsigned:0;\n"
	"\tfield:bool write;\toffset:20;\tsize:1;\tsigned:0;\n\n"
	"print fmt: \"mm=%p memcg_path=%s write=%s\", REC->mm, __get_str(memcg_path), REC->write ? \"true\" : \"false\"\n",
};

static struct tep_handle *load(const char *const fmt[3])
{
	struct tep_handle *tep = tep_alloc();

	tep_set_long_size(tep, 8);
	tep_set_file_bigendian(tep, TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(tep, TEP_LITTLE_ENDIAN);
	for (int i = 0; i < 3; i++)
		if (tep_parse_event(tep, fmt[i], strlen(fmt[i]), "mmap_lock"))
			tap_diag("tep_parse_event failed on format %d", i);
	return tep;
}

/* A raw event as the ring buffer holds it (little-endian x86). */
static size_t raw(unsigned char *buf, int id, int pid, uint64_t mm, bool old, int write, int success)
{
	memset(buf, 0, 64);
	buf[0] = (unsigned char)id;
	buf[1] = (unsigned char)(id >> 8);
	memcpy(buf + 4, &pid, 4);
	memcpy(buf + 8, &mm, 8);
	if (old) {
		/* __data_loc: offset 24, length 10 ("/user.sl\0" + pad) */
		uint32_t loc = (10u << 16) | 24u;

		memcpy(buf + 16, &loc, 4);
		buf[20] = (unsigned char)write;
		buf[21] = (unsigned char)success;
		memcpy(buf + 24, "/user.sl", 9);
		return 34;
	}
	memset(buf + 16, 0x77, 8); /* a memcg id that must not leak into write/success */
	buf[24] = (unsigned char)write;
	buf[25] = (unsigned char)success;
	return 26;
}

static void check_layout(const char *name, const char *const fmt[3], bool old, const char *memcg)
{
	struct tep_handle *tep = load(fmt);
	struct pt_ml_fields f;
	struct pt_ml_event e;
	unsigned char buf[64];
	char why[256] = "";
	size_t n;

	tap_ok(pt_ml_fields_init(&f, tep, why, sizeof(why)) == 0, "%s: fields found by name %s", name, why);
	tap_ok(!strcmp(f.memcg, memcg), "%s: layout recognised as %s (got %s)", name, memcg, f.memcg);
	n = raw(buf, f.id[PT_ML_ACQUIRE], 4242, 0xffff888123456000ull, old, 1, 0);
	tap_ok(pt_ml_fields_decode(&f, buf, (int)n, 777, &e) == 0 && e.type == PT_ML_ACQUIRE && e.tid == 4242 &&
		       e.mm == 0xffff888123456000ull && e.write == 1 && e.success == 0 && e.ts == 777,
	       "%s: acquire_returned(write, failed) decoded", name);
	n = raw(buf, f.id[PT_ML_ACQUIRE], 7, 1, old, 0, 1);
	tap_ok(pt_ml_fields_decode(&f, buf, (int)n, 1, &e) == 0 && e.write == 0 && e.success == 1,
	       "%s: acquire_returned(read, success) decoded", name);
	n = raw(buf, f.id[PT_ML_START], 8, 2, old, 1, 0);
	tap_ok(pt_ml_fields_decode(&f, buf, (int)n, 1, &e) == 0 && e.type == PT_ML_START && e.write == 1 &&
		       e.success == 1,
	       "%s: start_locking(write) decoded (success is implied)", name);
	n = raw(buf, f.id[PT_ML_RELEASE], 9, 3, old, 0, 0);
	tap_ok(pt_ml_fields_decode(&f, buf, (int)n, 1, &e) == 0 && e.type == PT_ML_RELEASE && e.write == 0 &&
		       e.tid == 9,
	       "%s: released(read) decoded", name);
	n = raw(buf, 12345, 9, 3, old, 0, 0);
	tap_ok(pt_ml_fields_decode(&f, buf, (int)n, 1, &e) == -1, "%s: another event id is refused", name);
	tep_free(tep);
}

static void check_missing(void)
{
	struct tep_handle *tep = tep_alloc();
	struct pt_ml_fields f;
	char why[256] = "";

	tep_parse_event(tep, fmt_new[0], strlen(fmt_new[0]), "mmap_lock");
	tap_ok(pt_ml_fields_init(&f, tep, why, sizeof(why)) == -1 && strstr(why, "mmap_lock_acquire_returned"),
	       "missing event: refused, naming it (%s)", why);
	tep_free(tep);
}

int main(void)
{
	check_layout("6.18 layout", fmt_new, false, "memcg_id");
	check_layout("6.1 layout", fmt_old, true, "memcg_path");
	check_missing();
	return tap_done();
}
