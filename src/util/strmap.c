/* Open-addressing string map: FNV-1a, linear probing, grown at half full.
 * Keys are length-prefixed copies, so binary keys ("section\0key") work. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/strmap.h"
#include "ptbench/util.h"

static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static size_t find(char **keys, size_t cap, const char *key, size_t len)
{
	size_t i = (size_t)hash(key, len) & (cap - 1);

	while (keys[i]) {
		size_t klen;

		memcpy(&klen, keys[i], sizeof(klen));
		if (klen == len && !memcmp(keys[i] + sizeof(klen), key, len))
			return i;
		i = (i + 1) & (cap - 1);
	}
	return i;
}

int pt_strmap_get(const struct pt_strmap *m, const char *key, size_t len)
{
	size_t i;

	if (!m->cap)
		return -1;
	i = find(m->keys, m->cap, key, len);
	return m->keys[i] ? m->vals[i] : -1;
}

static void grow(struct pt_strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	char **keys = pt_xcalloc(cap, sizeof(*keys));
	int *vals = pt_xcalloc(cap, sizeof(*vals));

	for (size_t j = 0; j < m->cap; j++) {
		size_t klen, i;

		if (!m->keys[j])
			continue;
		memcpy(&klen, m->keys[j], sizeof(klen));
		i = find(keys, cap, m->keys[j] + sizeof(klen), klen);
		keys[i] = m->keys[j];
		vals[i] = m->vals[j];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
}

int pt_strmap_add(struct pt_strmap *m, const char *key, size_t len, int val)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap)
		grow(m);
	i = find(m->keys, m->cap, key, len);
	if (m->keys[i])
		return m->vals[i];
	m->keys[i] = pt_xmalloc(sizeof(len) + len);
	memcpy(m->keys[i], &len, sizeof(len));
	memcpy(m->keys[i] + sizeof(len), key, len);
	m->vals[i] = val;
	m->n++;
	return -1;
}

void pt_strmap_free(struct pt_strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}
