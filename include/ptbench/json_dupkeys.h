/* Duplicate keys in a JSON text that json-c parsed (src/util/json_dupkeys.c).
 * json-c keeps the last of {"complete": false, "complete": true} and says
 * nothing (0.16 has no flag to refuse them), so a file would say two things
 * and its reader believe one. */
#ifndef PTBENCH_JSON_DUPKEYS_H
#define PTBENCH_JSON_DUPKEYS_H

#include <stddef.h>

struct json_object;

/* text (len bytes, strictly valid JSON) and doc, json-c's tree of it: 0, or
 * -1 with err naming the first key given twice in one object (its JSON
 * path) and the byte where it is given again. */
int pt_json_duplicate_keys(const char *text, size_t len, struct json_object *doc, char *err,
			   size_t errlen);

#endif
