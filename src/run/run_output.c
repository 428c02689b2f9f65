/* run's result file: checked before measuring, written after it. */
#define _GNU_SOURCE
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/output_file.h"
#include "ptbench/result.h"
#include "ptbench/run_output.h"
#include "ptbench/stop_signal.h"
#include "ptbench/sweep.h"
#include "ptbench/util.h"

/* The file a path names, whether or not it exists yet: its directory
 * resolved (symbolic links, "..", "./") and its last name; NULL when the
 * directory does not resolve (pt_output_check says why then). */
static char *canonical_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? pt_xasprintf("%.*s", slash == path ? 1 : (int)(slash - path), path) : pt_xstrdup(".");
	char *real = realpath(dir, NULL), *name = real ? pt_xasprintf("%s/%s", real, slash ? slash + 1 : path) : NULL;

	free(real);
	free(dir);
	return name;
}

/* Whether two paths name one file (NULL names none). */
static bool same_file(const char *a, const char *b)
{
	char *ca, *cb;
	bool same;

	if (!a || !b)
		return false;
	ca = canonical_name(a);
	cb = canonical_name(b);
	same = ca && cb && !strcmp(ca, cb);
	free(ca);
	free(cb);
	return same;
}

/* Find out now, not after minutes of measuring, that a result cannot be
 * written: every file the run will write (each sweep point's, the folded
 * stacks) is checked, and none may be the scenario file or another one of
 * them (the last write would win: a result overwritten by stacks, a
 * scenario by its result). */
int pt_run_check_outputs(const char *out, const struct pt_sweep *sw, const char *scenario,
			 const char *folded)
{
	char why[4200];

	if (folded && pt_output_check(folded, why, sizeof(why))) {
		fprintf(stderr, "ptbench run: --folded: %s\n", why);
		return -1;
	}
	if (same_file(folded, scenario)) {
		fprintf(stderr, "ptbench run: --folded %s is the scenario file\n", folded);
		return -1;
	}
	for (int i = 0; out && i < (sw ? sw->n : 1); i++) {
		char *p = sw ? pt_sweep_point_path(out, sw->values[i]) : pt_xstrdup(out);
		const char *clash = same_file(p, scenario) ? "the scenario file" :
				    same_file(p, folded) ? "the --folded file" : NULL;
		int bad = clash ? 0 : pt_output_check(p, why, sizeof(why));

		if (clash)
			fprintf(stderr, "ptbench run: -o: %s is %s: the result would overwrite it\n", p,
				clash);
		else if (bad)
			fprintf(stderr, "ptbench run: -o: %s\n", why);
		free(p);
		if (bad || clash)
			return -1;
	}
	return 0;
}

void pt_block_stop_signals(bool block)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

/* Write the result; a stop signal that lands while it is written turns a
 * complete result into an incomplete one, written again, so the file never
 * says complete when the exit code says interrupted. Returns 0 when the
 * result is where it was asked to be. */
int pt_run_write_result(struct json_object *doc, const char *out, bool complete, bool json,
			bool quiet)
{
	char *where = NULL;
	int saved;

	for (;;) {
		const char *text;

		json_object_object_add(doc, "complete", json_object_new_boolean(complete));
		if (pt_stop_signal)
			json_object_object_add(doc, "interrupted_by",
					       json_object_new_string(sigabbrev_np(pt_stop_signal)));
		text = pt_result_text(doc);
		free(where);
		saved = pt_output_save(out, text, strlen(text), &where);
		/* from this check on a stop signal waits (run_point unblocks it
		 * once the exit code is decided): file and exit code agree */
		pt_block_stop_signals(true);
		if (!(complete && pt_stop_signal))
			break;
		pt_block_stop_signals(false);
		complete = false;
	}
	if (saved < 0) {
		fprintf(stderr, "ptbench run: the result could not be written anywhere\n");
	} else if (json && saved == 0) {
		printf("%s\n", pt_result_text(doc));
	} else if (!quiet && saved == 0) {
		printf("result: %s%s\n", out, complete ? "" : " (incomplete)");
	}
	free(where);
	return saved;
}
