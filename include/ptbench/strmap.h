/* A string -> int map (open addressing), for duplicate checks that must stay
 * linear however many sections or keys a file has. */
#ifndef PTBENCH_STRMAP_H
#define PTBENCH_STRMAP_H

#include <stddef.h>

struct pt_strmap {
	char **keys;
	int *vals;
	size_t cap, n;
};

/* The value stored under key (len bytes, may hold NULs), or -1. */
int pt_strmap_get(const struct pt_strmap *m, const char *key, size_t len);
/* Store key -> val (val >= 0) unless key is there; returns the value already
 * stored, or -1 when it was added. */
int pt_strmap_add(struct pt_strmap *m, const char *key, size_t len, int val);
void pt_strmap_free(struct pt_strmap *m);

#endif
