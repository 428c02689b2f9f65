/* json-c's allocator in the fuzz build (json_arena.c says why). */
#ifndef PTBENCH_FUZZ_JSON_ARENA_H
#define PTBENCH_FUZZ_JSON_ARENA_H

#include <stddef.h>

void *pt_fuzz_json_malloc(size_t size);
void *pt_fuzz_json_calloc(size_t n, size_t size);
void *pt_fuzz_json_realloc(void *p, size_t size);
void pt_fuzz_json_free(void *p);
char *pt_fuzz_json_strdup(const char *s);

/* End of one execution: every json-c block must have been freed (aborts
 * otherwise); the arena is handed out again from its start. */
void pt_fuzz_json_reset(void);

#endif
