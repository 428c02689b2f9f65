/* The one getter for an integer of a result's JSON, used by the summaries
 * that workers and probes print and by the placement check. */
#ifndef PTBENCH_JSON_GET_H
#define PTBENCH_JSON_GET_H

struct json_object;

/* o.key as an integer; absent when o is NULL or has no key (the summaries
 * choose 0 or -1 to tell "none" from "not measured"). */
long long pt_json_int(struct json_object *o, const char *key, long long absent);

#endif
