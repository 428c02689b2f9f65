/* The fuzz build's allocator for json-c: every malloc, calloc, realloc,
 * strdup and free inside json-c comes here (the Makefile links a copy of
 * libjson-c.a whose calls to them are renamed with objcopy), and one
 * execution's blocks are bump-allocated from one mapping that is reset when
 * the execution ends.
 *
 * Why: json-c allocates an object per JSON value, a hash table per object
 * and a copy of every key; under ASan each of those paid for the sanitizer's
 * allocator (a stack trace, a fill, the quarantine, fresh pages), most of
 * fuzz_result's time (doc/fuzzing.md). json-c's own loads and stores are not
 * instrumented (only its calls to memcpy, strlen and the like pass ASan's
 * interceptors); what ASan checks is ours into json-c's memory, and that
 * stays as it was: each block lies between poisoned bytes (a redzone after
 * it as large as ASan's own for its size), is filled with 0xbe as ASan
 * fills a new block (so that a read of bytes never written does not depend
 * on earlier executions), a freed block is poisoned until the reset, and
 * after the reset everything is poisoned until handed out again. A block
 * still live at the reset is a leaked json-c reference: it aborts, as
 * LeakSanitizer would at exit.
 *
 * A pointer that is not the arena's (glibc's vasprintf inside json-c's
 * sprintbuf, or a block taken when the arena was full) goes to the real
 * allocator. */
#define _GNU_SOURCE
#include <sanitizer/asan_interface.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "json_arena.h"

#define ARENA_BYTES (256u << 20) /* one 16 KiB input's tree is well under 1 MiB */
#define ALIGN 16u
#define HEADER 16u  /* the block's size, before it: poisoned */
#define FILL_MAX 4096u /* ASan's max_malloc_fill_size */

static unsigned char *base;
static size_t used;
static long live;

#define NO_ASAN __attribute__((no_sanitize("address")))

/* Memory above the high-water mark of every execution so far is poisoned
 * ahead of need, a step at a time (poisoning all of it up front cost 32
 * MiB of shadow pages): below the mark, headers and redzones were never
 * unpoisoned and every block was poisoned again when freed, so handing out
 * a block is one unpoison. */
static size_t poisoned;
#define POISON_STEP (64u << 10)

static void init(void)
{
	base = mmap(NULL, ARENA_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		    -1, 0);
	if (base == MAP_FAILED)
		abort();
}

static int ours(const void *p)
{
	return base && (const unsigned char *)p >= base && (const unsigned char *)p < base + ARENA_BYTES;
}

NO_ASAN static size_t size_of(const void *p)
{
	return *(const size_t *)((const unsigned char *)p - HEADER);
}

/* The redzone ASan's allocator gives a block of this size (its
 * ComputeRZLog: 16 bytes up to 48, doubling to 2 KiB past 64 KiB), so an
 * overflow runs as far into poison as it would have. */
static size_t redzone(size_t size)
{
	static const size_t limit[] = { 64 - 16, 128 - 32, 512 - 64, 4096 - 128, (1 << 14) - 256,
					(1 << 15) - 512, (1 << 16) - 1024 };
	size_t rz = 16;

	for (size_t i = 0; i < sizeof(limit) / sizeof(limit[0]) && size > limit[i]; i++)
		rz *= 2;
	return rz;
}

/* A block of size bytes; fill: write ASan's 0xbe over it (up to
 * FILL_MAX), as a new block's bytes are until written */
NO_ASAN static void *take(size_t size, int fill)
{
	size_t need, at;
	unsigned char *p;

	if (!base)
		init();
	/* one byte at least: free reads the first byte to catch a double free */
	if (!size)
		size = 1;
	if (size > ARENA_BYTES / 2)
		return NULL;
	need = HEADER + ((size + ALIGN - 1) & ~(size_t)(ALIGN - 1)) + redzone(size);
	if (need > ARENA_BYTES - used)
		return NULL;
	/* [header][the block, rounded up][redzone]: all poisoned but the
	 * block's own bytes */
	if (used + need > poisoned) {
		size_t to = used + need + POISON_STEP;

		to = to < ARENA_BYTES ? to : ARENA_BYTES;
		ASAN_POISON_MEMORY_REGION(base + poisoned, to - poisoned);
		poisoned = to;
	}
	at = used + HEADER;
	p = base + at;
	used += need;
	*(size_t *)(p - HEADER) = size;
	ASAN_UNPOISON_MEMORY_REGION(p, size);
	if (fill)
		memset(p, 0xbe, size < FILL_MAX ? size : FILL_MAX);
	live++;
	return p;
}

void *pt_fuzz_json_malloc(size_t size)
{
	void *p = take(size, 1);

	return p ? p : malloc(size);
}

void *pt_fuzz_json_calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = take(n * size, 0);
	if (!p)
		return calloc(n, size);
	/* reused arena memory is not zero: calloc's promise is kept here */
	memset(p, 0, n * size);
	return p;
}

void pt_fuzz_json_free(void *p)
{
	if (!p)
		return;
	if (!ours(p)) {
		free(p);
		return;
	}
	/* a second free of one block would count twice: ASan reports its
	 * read of the poisoned first byte instead */
	(void)*(volatile unsigned char *)p;
	ASAN_POISON_MEMORY_REGION(p, size_of(p));
	live--;
}

void *pt_fuzz_json_realloc(void *p, size_t size)
{
	void *q;
	size_t old;

	if (!p)
		return pt_fuzz_json_malloc(size);
	if (!ours(p))
		return realloc(p, size);
	old = size_of(p);
	q = pt_fuzz_json_malloc(size);
	if (!q)
		return NULL;
	memcpy(q, p, old < size ? old : size);
	pt_fuzz_json_free(p);
	return q;
}

char *pt_fuzz_json_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	/* no fill: every byte is written */
	char *p = take(n, 0);

	if (!p)
		return strdup(s);
	memcpy(p, s, n);
	return p;
}

void pt_fuzz_json_reset(void)
{
	if (live) {
		fprintf(stderr, "json arena: %ld json-c block(s) still live when the execution ended "
				"(a json_object reference leaked)\n", live);
		abort();
	}
	/* nothing to poison: every block was freed, and free poisoned it */
	used = 0;
}
