/* Duplicate keys in a parsed JSON text (include/ptbench/json_dupkeys.h).
 *
 * The text, already parsed strictly, is scanned once for each object's
 * member count (its colons, in the order its braces open); the tree, walked
 * in the same pre-order, holds one member per distinct key. The first
 * object whose counts differ is the first with a key given twice: its keys
 * are read again, decoded, to name it. */
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/json_dupkeys.h"
#include "ptbench/util.h"

struct dupscan {
	size_t *count, *start; /* per object, in the order of its '{' */
	size_t nobj, next;
	struct {
		const char *key;
		size_t idx;
	} seg[64];
	size_t depth;
};

/* the end of the string literal that begins at text[i] (its closing quote) */
static size_t string_end(const char *text, size_t len, size_t i)
{
	for (i++; i < len && text[i] != '"'; i++)
		if (text[i] == '\\')
			i++;
	return i;
}

/* Member counts of every object of the (strictly valid) text; false when
 * the text does not scan as expected, and then nothing is claimed. */
static bool scan_counts(struct dupscan *d, const char *text, size_t len)
{
	ssize_t stack[64]; /* json-c parses at most 32 levels deep */
	size_t cap = 0;
	int depth = 0;

	for (size_t i = 0; i < len; i++) {
		switch (text[i]) {
		case '"':
			i = string_end(text, len, i);
			break;
		case '{':
			if (depth == (int)PT_ARRAY_SIZE(stack))
				return false;
			if (d->nobj == cap) {
				cap = cap ? cap * 2 : 64;
				d->count = pt_xrealloc(d->count, cap * sizeof(*d->count));
				d->start = pt_xrealloc(d->start, cap * sizeof(*d->start));
			}
			d->count[d->nobj] = 0;
			d->start[d->nobj] = i;
			stack[depth++] = (ssize_t)d->nobj++;
			break;
		case '[':
			if (depth == (int)PT_ARRAY_SIZE(stack))
				return false;
			stack[depth++] = -1;
			break;
		case '}':
		case ']':
			if (!depth)
				return false;
			depth--;
			break;
		case ':':
			if (!depth || stack[depth - 1] < 0)
				return false;
			d->count[stack[depth - 1]]++;
			break;
		}
	}
	return depth == 0;
}

/* the first key of the object at text[at] given twice, decoded (malloc'd),
 * and in *where the byte its second occurrence begins at */
static char *twice_key(const char *text, size_t len, size_t at, size_t *where)
{
	char **keys = NULL, *found = NULL;
	size_t n = 0, i = at + 1;
	int depth = 0;
	bool key_next = true;

	for (; i < len && !found; i++) {
		char c = text[i];

		if (c == '"') {
			size_t end = string_end(text, len, i);

			if (!depth && key_next && end < len) {
				char *lit = pt_xmalloc(end - i + 2);
				struct json_object *s;

				memcpy(lit, text + i, end - i + 1);
				lit[end - i + 1] = '\0';
				s = json_tokener_parse(lit);
				free(lit);
				if (json_object_is_type(s, json_type_string)) {
					const char *k = json_object_get_string(s);

					for (size_t j = 0; j < n && !found; j++)
						if (!strcmp(keys[j], k)) {
							found = pt_xstrdup(k);
							*where = i;
						}
					keys = pt_xrealloc(keys, (n + 1) * sizeof(*keys));
					keys[n++] = pt_xstrdup(k);
				}
				json_object_put(s);
				key_next = false;
			}
			i = end;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (!depth--)
				break;
		} else if (c == ',' && !depth) {
			key_next = true;
		}
	}
	for (size_t j = 0; j < n; j++)
		free(keys[j]);
	free(keys);
	return found;
}

/* Pre-order over the tree beside the counts; true at the first object that
 * has fewer members than its text. d->seg[0..d->depth) is then the way to
 * it: a key, or NULL and an index. */
static bool walk_counts(struct dupscan *d, struct json_object *o)
{
	if (d->depth == PT_ARRAY_SIZE(d->seg))
		return false;
	if (json_object_is_type(o, json_type_object)) {
		if (d->next >= d->nobj)
			return false;
		if ((size_t)json_object_object_length(o) < d->count[d->next])
			return true;
		d->next++;
		json_object_object_foreach(o, key, v)
		{
			d->seg[d->depth].key = key;
			d->depth++;
			if (walk_counts(d, v))
				return true;
			d->depth--;
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t k = 0; k < json_object_array_length(o); k++) {
			d->seg[d->depth].key = NULL;
			d->seg[d->depth].idx = k;
			d->depth++;
			if (walk_counts(d, json_object_array_get_idx(o, k)))
				return true;
			d->depth--;
		}
	}
	return false;
}

int pt_json_duplicate_keys(const char *text, size_t len, struct json_object *doc, char *err,
			   size_t errlen)
{
	struct dupscan d = { 0 };
	int rc = 0;

	if (scan_counts(&d, text, len) && walk_counts(&d, doc)) {
		size_t pl = 0, where = d.start[d.next];
		char path[768], *key = twice_key(text, len, d.start[d.next], &where);


		path[0] = '\0';
		for (size_t k = 0; k <= d.depth; k++) {
			const char *name = k < d.depth ? d.seg[k].key : key;
			int n;

			if (k == d.depth && !key)
				break;
			n = name ? snprintf(path + pl, sizeof(path) - pl, "%s%s", pl ? "." : "", name)
				 : snprintf(path + pl, sizeof(path) - pl, "[%zu]", d.seg[k].idx);
			if (n < 0 || pl + (size_t)n >= sizeof(path))
				break;
			pl += (size_t)n;
		}
		snprintf(err, errlen, "%s: given twice in one object (again at byte %zu), which ptbench never "
				      "writes (a reader would see only the last)",
			 pl ? path : "the document", where);
		free(key);
		rc = -1;
	}
	free(d.count);
	free(d.start);
	return rc;
}

