/* ptbench gate: are the inputs independent runs of one kernel on one
 * machine per side? A result file that is byte for byte another one (a
 * copy, the same file given twice, or the same file on both sides) would
 * count one boot as several and make noise look like significance: refused.
 * A side whose results name more than one kernel release or CPU would pool
 * unlike things: refused unless --allow-mixed; what each side ran on goes
 * into the report either way.
 *
 * Each file is read once (pt_gate_read_run): the bytes hashed here are the
 * bytes validated, and the document kept from that read is the one pooled
 * and judged, so a file rewritten between the check and the verdict cannot
 * slip past the check. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/exitcodes.h"
#include "ptbench/gate.h"
#include "ptbench/result_read.h"
#include "ptbench/safe_name.h"
#include "ptbench/sha256.h"
#include "ptbench/util.h"

_Static_assert(sizeof(((struct pt_gate_run *)0)->sha256) == PT_SHA256_LEN,
	       "a run's digest holds one SHA-256");

/* a run whose digest was seen, and its side */
struct seen {
	const struct pt_gate_run *run;
	int side;
};

static const char *str_at(struct json_object *doc, const char *a, const char *b)
{
	struct json_object *o = json_object_object_get(json_object_object_get(doc, a), b);

	return o && json_object_is_type(o, json_type_string) ? json_object_get_string(o) : NULL;
}

/* "GenuineIntel Intel(R) Xeon(R) ..." from system.cpu: vendor and brand
 * name the machine as far as a result tells it */
static char *machine_of(struct json_object *doc)
{
	struct json_object *cpu = json_object_object_get(json_object_object_get(doc, "system"), "cpu");
	struct json_object *v = json_object_object_get(cpu, "vendor"), *b = json_object_object_get(cpu, "brand");
	char buf[512];

	if (!v && !b)
		return pt_xstrdup("unknown CPU");
	snprintf(buf, sizeof(buf), "%s%s%s", v ? json_object_get_string(v) : "",
		 v && b ? " " : "", b ? json_object_get_string(b) : "");
	return pt_xstrdup(buf);
}

/* ---- one run, read once ------------------------------------------------- */

int pt_gate_read_run(const char *path, unsigned flags, struct pt_gate_run *run)
{
	struct pt_result_file f;
	const char *rel;
	int rc = pt_result_read(path, flags | PT_RESULT_READ_DIGEST, &f);

	memset(run, 0, sizeof(*run));
	if (rc == 1)
		return 1;
	run->path = pt_xstrdup(path);
	memcpy(run->sha256, f.sha256, sizeof(run->sha256));
	run->have_sha256 = f.have_sha256;
	if (rc)
		return -1;
	run->doc = json_object_get(f.doc);
	pt_result_file_free(&f);
	rel = str_at(json_object_object_get(run->doc, "system"), "kernel", "release");
	run->kernel = rel ? pt_xstrdup(rel) : NULL;
	run->machine = machine_of(run->doc);
	return 0;
}

int pt_gate_add_run(struct pt_gate_scen *s, int side, struct pt_gate_run *run)
{
	if (s->nruns[side] == PT_GATE_MAX_RUNS)
		return -1;
	s->runs[side] = pt_xrealloc(s->runs[side], (s->nruns[side] + 1) * sizeof(*s->runs[side]));
	s->runs[side][s->nruns[side]++] = *run;
	memset(run, 0, sizeof(*run));
	return 0;
}

void pt_gate_run_free(struct pt_gate_run *run)
{
	free(run->path);
	json_object_put(run->doc);
	free(run->kernel);
	free(run->machine);
	memset(run, 0, sizeof(*run));
}

void pt_gate_scen_free_runs(struct pt_gate_scen *s)
{
	for (int side = 0; side < 2; side++) {
		for (size_t k = 0; k < s->nruns[side]; k++)
			pt_gate_run_free(&s->runs[side][k]);
		free(s->runs[side]);
		s->runs[side] = NULL;
		s->nruns[side] = 0;
	}
}

/* ---- one input file, taken by its scenario's name ------------------------ */

struct pt_gate_scen *pt_gate_scen_get(struct pt_gate *g, const char *name, bool add)
{
	for (size_t i = 0; i < g->nscen; i++)
		if (!strcmp(g->scen[i].name, name))
			return &g->scen[i];
	if (!add || g->nscen == PT_GATE_MAX_SCEN)
		return NULL;
	g->scen[g->nscen].name = pt_xstrdup(name);
	return &g->scen[g->nscen++];
}

/* A result file of --base-results/--cand-results, by its scenario's name:
 * read once here, and that read serves the input checks and the verdict. */
int pt_gate_take_result(struct pt_gate *g, int side, const char *path, bool in_dir)
{
	struct pt_gate_run run;
	struct pt_gate_scen *s;
	const char *name;
	/* in a directory: skip what is not a result (vm.json, compare output);
	 * read with the checks of a result given as an argument (a FIFO is
	 * not waited for, /dev/zero not read until memory runs out) */
	int rc = pt_gate_read_run(path, in_dir ? PT_RESULT_READ_SKIP_FOREIGN : 0, &run);

	if (rc == 1)
		return 0;
	if (rc) {
		pt_gate_run_free(&run);
		return PT_EXIT_USAGE;
	}
	/* the validated document has a string scenario.name; it becomes
	 * DIR/pooled/SIDE/NAME.json and DIR/plots/NAME/ */
	name = json_object_get_string(
		json_object_object_get(json_object_object_get(run.doc, "scenario"), "name"));
	if (pt_name_check("ptbench gate", "scenario.name", name, path)) {
		pt_gate_run_free(&run);
		return PT_EXIT_USAGE;
	}
	if (!g->side[side].release && run.kernel)
		g->side[side].release = pt_xstrdup(run.kernel);
	s = pt_gate_scen_get(g, name, true);
	if (!s || pt_gate_add_run(s, side, &run)) {
		fprintf(stderr, "ptbench gate: %s: too many scenarios or runs\n", path);
		pt_gate_run_free(&run);
		return PT_EXIT_USAGE;
	}
	return 0;
}

void pt_gate_free_notes_sides(struct pt_gate *g)
{
	for (size_t i = 0; i < g->nnotes; i++)
		free(g->notes[i]);
	free(g->notes);
	g->notes = NULL;
	g->nnotes = 0;
	for (int side = 0; side < 2; side++) {
		free(g->side[side].release);
		for (size_t i = 0; i < g->side[side].nkernels; i++)
			free(g->side[side].kernels[i]);
		for (size_t i = 0; i < g->side[side].nmachines; i++)
			free(g->side[side].machines[i]);
		free(g->side[side].kernels);
		free(g->side[side].machines);
		g->side[side].release = NULL;
		g->side[side].kernels = g->side[side].machines = NULL;
		g->side[side].nkernels = g->side[side].nmachines = 0;
	}
}

/* ---- the inputs together ------------------------------------------------ */

static void add_once(char ***list, size_t *n, char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*list)[i], s)) {
			free(s);
			return;
		}
	*list = pt_xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = s;
}

static void print_list(FILE *f, char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s'%s'", i ? ", " : "", list[i]);
}

int pt_gate_check_inputs(struct pt_gate *g, bool allow_mixed)
{
	struct seen *seen = NULL;
	size_t nseen = 0;
	int rc = 0;

	for (size_t i = 0; i < g->nscen && !rc; i++) {
		struct pt_gate_scen *s = &g->scen[i];

		for (int side = 0; side < 2 && !rc; side++) {
			for (size_t k = 0; k < s->nruns[side] && !rc; k++) {
				const struct pt_gate_run *r = &s->runs[side][k];

				if (r->have_sha256) {
					for (size_t j = 0; j < nseen; j++) {
						if (memcmp(seen[j].run->sha256, r->sha256, PT_SHA256_LEN))
							continue;
						fprintf(stderr,
							"ptbench gate: %s (%s) and %s (%s) are the same file (SHA-256): "
							"one run cannot count as two%s\n",
							seen[j].run->path, seen[j].side ? "candidate" : "base",
							r->path, side ? "candidate" : "base",
							seen[j].side != side ? ", nor be both kernels" : "");
						rc = PT_EXIT_USAGE;
						break;
					}
					seen = pt_xrealloc(seen, (nseen + 1) * sizeof(*seen));
					seen[nseen].run = r;
					seen[nseen++].side = side;
				}
				/* a refused file names nothing: its scenario is ERROR */
				if (rc || !r->doc)
					continue;
				add_once(&g->side[side].kernels, &g->side[side].nkernels,
					 pt_xstrdup(r->kernel ? r->kernel : "unknown kernel"));
				add_once(&g->side[side].machines, &g->side[side].nmachines,
					 pt_xstrdup(r->machine));
			}
		}
	}
	free(seen);
	if (rc)
		return rc;
	for (int side = 0; side < 2; side++) {
		struct pt_gate_side *sd = &g->side[side];
		const char *who = side ? "candidate" : "base";

		if (sd->nkernels <= 1 && sd->nmachines <= 1)
			continue;
		if (!allow_mixed) {
			fprintf(stderr, "ptbench gate: the %s results mix %s: ", who,
				sd->nkernels > 1 ? "kernels" : "machines");
			if (sd->nkernels > 1)
				print_list(stderr, sd->kernels, sd->nkernels);
			else
				print_list(stderr, sd->machines, sd->nmachines);
			fprintf(stderr, "; pooled they would be judged as one kernel (--allow-mixed pools "
					"them all the same)\n");
			return PT_EXIT_USAGE;
		}
		pt_gate_note(g, "the %s results mix %zu kernel(s) and %zu machine(s) (--allow-mixed)", who,
			     sd->nkernels, sd->nmachines);
	}
	if (g->side[0].nmachines == 1 && g->side[1].nmachines == 1 &&
	    strcmp(g->side[0].machines[0], g->side[1].machines[0]))
		pt_gate_note(g, "base and candidate ran on different machines: %s, %s", g->side[0].machines[0],
			     g->side[1].machines[0]);
	return 0;
}
