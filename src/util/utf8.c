/* Well-formed UTF-8 (RFC 3629): a result must stay valid JSON whatever bytes
 * a scenario file, an argument or a path brought in. */
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/utf8.h"
#include "ptbench/util.h"

/* Length of the well-formed sequence at s (at most n bytes), 0 if none. */
static size_t seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t need;
	uint32_t cp, min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
		cp = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		cp = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

bool pt_utf8_valid(const char *s, size_t len, size_t *bad)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		size_t k = seq_len(u + i, len - i);

		if (!k) {
			if (bad)
				*bad = i;
			return false;
		}
		i += k;
	}
	return true;
}

char *pt_utf8_sanitize(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	char *out = pt_xmalloc(len * 3 + 1), *p = out;

	for (size_t i = 0; i < len;) {
		size_t k = seq_len(u + i, len - i);

		if (k) {
			memcpy(p, s + i, k);
			p += k;
			i += k;
		} else {
			memcpy(p, "\xef\xbf\xbd", 3); /* U+FFFD */
			p += 3;
			i++;
		}
	}
	*p = '\0';
	return out;
}

int pt_json_sanitize_utf8(struct json_object *o)
{
	int n = 0;

	switch (json_object_get_type(o)) {
	case json_type_string: {
		const char *s = json_object_get_string(o);
		size_t len = (size_t)json_object_get_string_len(o);

		if (!pt_utf8_valid(s, len, NULL)) {
			char *fixed = pt_utf8_sanitize(s, len);

			json_object_set_string(o, fixed);
			free(fixed);
			n++;
		}
		break;
	}
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(o); i++)
			n += pt_json_sanitize_utf8(json_object_array_get_idx(o, i));
		break;
	case json_type_object: {
		/* keys: collect the bad ones first, the table must not change under the walk */
		char **bad = NULL;
		size_t nbad = 0;

		json_object_object_foreach(o, key, val) {
			n += pt_json_sanitize_utf8(val);
			if (!pt_utf8_valid(key, strlen(key), NULL)) {
				bad = pt_xrealloc(bad, (nbad + 1) * sizeof(*bad));
				bad[nbad++] = pt_xstrdup(key);
			}
		}
		for (size_t i = 0; i < nbad; i++) {
			struct json_object *v = json_object_get(json_object_object_get(o, bad[i]));
			char *fixed = pt_utf8_sanitize(bad[i], strlen(bad[i]));

			json_object_object_del(o, bad[i]);
			json_object_object_add(o, fixed, v);
			free(fixed);
			free(bad[i]);
			n++;
		}
		free(bad);
		break;
	}
	default:
		break;
	}
	return n;
}
