/* libFuzzer target: the gate's intake of --base-results/--cand-results
 * directories, by the library functions cmd_gate.c calls for each file of a
 * directory: pt_gate_take_result (the one read through the validating
 * reader, a file that is no ptbench result passed over, scenario.name
 * checked before it becomes a path, the run added to its scenario's side),
 * then the sides checked together (pt_gate_check_inputs: duplicates by
 * SHA-256, mixed kernels or CPUs) and each side of each scenario pooled
 * (pt_gate_pool). What pooling makes is what compare reads next: it must
 * pass the same reader.
 *
 * Input: up to MAX_FILES files separated by SEP; the first byte's bits say
 * which side each file is on (bit i: file i is a candidate), the length's
 * parity whether --allow-mixed is given, bit 1 of the length whether boots
 * or repeats are pooled. Only the directory scan (readdir, sorting by
 * name) is cmd_gate.c's own. */
#define _GNU_SOURCE
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ptbench/gate.h"
#include "ptbench/result.h"
#include "ptbench/result_read.h"
#include "ptbench/safe_name.h"

#define MAX_FILES 4
#define SEP "\n%%\n"
/* as fuzz_result: room for every shape, and the rate stays up */
#define MAX_FILE 16384

#include "entry.h"

static int fds[MAX_FILES];
static char paths[MAX_FILES][64];

static void setup(void)
{
	for (int i = 0; i < MAX_FILES; i++) {
		fds[i] = memfd_create("fuzz-gate-input", MFD_CLOEXEC);
		if (fds[i] < 0)
			abort();
		snprintf(paths[i], sizeof(paths[i]), "/proc/self/fd/%d", fds[i]);
	}
	if (!getenv("FUZZ_VERBOSE"))
		/* the FILE only: libFuzzer and the sanitizers write to fd 2 */
		stderr = fopen("/dev/null", "w");
}

/* A pooled side goes to DIR/pooled/SIDE/NAME.json and compare reads it with
 * the validating reader: pooling valid results must give a valid one. */
static void pool_side(struct pt_gate_scen *s, int side, enum pt_gate_unit unit)
{
	struct json_object *docs[PT_GATE_MAX_RUNS], *pooled;
	const char *p[PT_GATE_MAX_RUNS];
	size_t n = 0;

	for (size_t k = 0; k < s->nruns[side] && n < PT_GATE_MAX_RUNS; k++)
		if (s->runs[side][k].doc) {
			docs[n] = s->runs[side][k].doc;
			p[n++] = s->runs[side][k].path;
		}
	if (!n)
		return;
	char why[512];
	bool bad_input;

	pooled = pt_gate_pool(docs, p, n, unit, &bad_input, why, sizeof(why));
	if (pooled) {
		const char *text = json_object_to_json_string_ext(pooled, JSON_C_TO_STRING_PLAIN);
		struct json_object *back;
		char err[1024];

		if (pt_result_parse(text, strlen(text), &back, err, sizeof(err)))
			abort();
		if (pt_result_validate(back, err, sizeof(err))) {
			if (getenv("FUZZ_VERBOSE"))
				dprintf(STDOUT_FILENO, "pooled result refused: %s\n%s\n", err, text);
			abort();
		}
		json_object_put(back);
		json_object_put(pooled);
	}
}

static void gate_free(struct pt_gate *g)
{
	for (size_t i = 0; i < g->nscen; i++) {
		pt_gate_scen_free_runs(&g->scen[i]);
		free(g->scen[i].name);
	}
	pt_gate_free_notes_sides(g);
}

int pt_fuzz_one(const uint8_t *data, size_t size)
{
	static bool ready;
	static struct pt_gate g;
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	unsigned sides;
	int nfiles = 0;

	if (!ready) {
		setup();
		ready = true;
	}
	if (size < 1)
		return 0;
	sides = data[0];
	memset(&g, 0, sizeof(g));
	g.unit = size & 2 ? PT_GATE_UNIT_REPEAT : PT_GATE_UNIT_BOOT;
	while (p <= end && nfiles < MAX_FILES) {
		const char *sep = memmem(p, (size_t)(end - p), SEP, strlen(SEP));
		size_t len = (size_t)((sep ? sep : end) - p);

		if (len > MAX_FILE)
			return 0;
		if (pwrite(fds[nfiles], p, len, 0) != (ssize_t)len || ftruncate(fds[nfiles], (off_t)len))
			abort();
		nfiles++;
		if (!sep)
			break;
		p = sep + strlen(SEP);
	}
	for (int i = 0; i < nfiles; i++)
		if (pt_gate_take_result(&g, (sides >> i) & 1, paths[i], true))
			goto out;
	if (pt_gate_check_inputs(&g, size & 1))
		goto out;
	/* what check_inputs let through: no file twice, one kernel and CPU a
	 * side unless mixing was allowed */
	for (size_t i = 0; i < g.nscen; i++)
		for (int side = 0; side < 2; side++)
			pool_side(&g.scen[i], side, g.unit);
	if (!(size & 1) && (g.side[0].nkernels > 1 || g.side[1].nkernels > 1 ||
			    g.side[0].nmachines > 1 || g.side[1].nmachines > 1))
		abort();
out:
	gate_free(&g);
	return 0;
}
