/* Result documents (schema ptbench-result/1; doc/design.md: the result contract). */
#ifndef PTBENCH_RESULT_H
#define PTBENCH_RESULT_H

#include <stdbool.h>

struct json_object;
struct pt_hist;
struct pt_scenario;

#define PT_RESULT_SCHEMA "ptbench-result/1"

/* The top of a result: schema, tool, system, scenario; "repeats" empty. */
struct json_object *pt_result_new(int argc, char **argv, const struct pt_scenario *sc);
/* The document as text: strings made valid UTF-8, pretty-printed. The text
 * belongs to doc. */
const char *pt_result_text(struct json_object *doc);
/* Write atomically (pt_output_write: FILE.tmp.PID, fsync, rename; only over a
 * regular file). Returns 0 or -1 (errno set). */
int pt_result_write(struct json_object *doc, const char *path);
/* Read and check a result file (pt_result_read: shape validated); prints
 * why to stderr and returns NULL. */
struct json_object *pt_result_load(const char *path);

/* One op's statistics: count, ops_per_sec, ns{...}, errors{}, buckets[]. */
struct json_object *pt_hist_to_json(const struct pt_hist *h, double seconds);
/* The scenario as parsed, defaults filled in. */
struct json_object *pt_scenario_to_json(const struct pt_scenario *sc);

#endif
