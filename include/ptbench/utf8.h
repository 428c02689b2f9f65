/* UTF-8 checks: result files are JSON, and JSON text is UTF-8. */
#ifndef PTBENCH_UTF8_H
#define PTBENCH_UTF8_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

/* Whether s[0..len) is well-formed UTF-8 (no overlongs, surrogates or code
 * points past U+10FFFF). *bad, when given, receives the offset of the first
 * byte that is not. */
bool pt_utf8_valid(const char *s, size_t len, size_t *bad);
/* A malloc'd copy of s with every ill-formed byte replaced by U+FFFD. */
char *pt_utf8_sanitize(const char *s, size_t len);
/* Replace every string value (and object key) of the tree that is not valid
 * UTF-8 with its sanitized copy. Returns how many were replaced. */
int pt_json_sanitize_utf8(struct json_object *o);

#endif
