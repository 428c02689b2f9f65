/* pt_json_int: see include/ptbench/json_get.h */
#include <json-c/json.h>

#include "ptbench/json_get.h"

long long pt_json_int(struct json_object *o, const char *key, long long absent)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : absent;
}
