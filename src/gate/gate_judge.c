/* ptbench gate: one scenario's verdict. The runs of each kernel are pooled
 * into one result file (DIR/pooled/SIDE/SCENARIO.json: the unit of evidence;
 * DIR/merged/SIDE/SCENARIO.json: every repeat, for the charts), then the
 * verdict is the comparison library (`ptbench compare --gate`) on the pooled
 * pair and the charts are the plot library (`ptbench plot`) on the merged
 * pair: the report lists those commands so a person can rerun them. */
#define _GNU_SOURCE /* CLOCK_REALTIME_COARSE */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ptbench/compare_run.h"
#include "ptbench/escape.h"
#include "ptbench/exitcodes.h"
#include "ptbench/gate.h"
#include "ptbench/plot_data.h"
#include "ptbench/result.h"
#include "ptbench/util.h"
#include "ptbench/vm_boot.h"

static const char *const side_name[2] = { "base", "cand" };

void pt_gate_command(struct pt_gate *g, char *const *argv)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	for (size_t i = 0; argv[i]; i++) {
		if (i)
			fputc(' ', f);
		pt_shell_word(f, argv[i]);
	}
	fclose(f);
	g->commands = pt_xrealloc(g->commands, (g->ncommands + 1) * sizeof(*g->commands));
	g->commands[g->ncommands++] = text;
}

void pt_gate_note(struct pt_gate *g, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* names in it came from inputs: no control byte reaches the terminal */
	fprintf(stderr, "ptbench gate: ");
	pt_esc_fputs(stderr, buf, PT_ESC_TERM);
	fputc('\n', stderr);
	g->notes = pt_xrealloc(g->notes, (g->nnotes + 1) * sizeof(*g->notes));
	g->notes[g->nnotes++] = pt_xstrdup(buf);
}

static void restore_std(int saved[2])
{
	fflush(NULL);
	for (int i = 0; i < 2; i++)
		if (saved[i] >= 0) {
			dup2(saved[i], i ? STDERR_FILENO : STDOUT_FILENO);
			close(saved[i]);
			saved[i] = -1;
		}
}

/* Point stdout and stderr at path (emptied: the log of an earlier gate in
 * DIR is overwritten in place, never unlinked, and a symbolic link there is
 * not followed) for a library call whose messages belong in a log, as a
 * child's would; saved[] gets them back with restore_std(). -1 when path
 * cannot be opened. */
static int redirect_std(const char *path, int saved[2])
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);

	fflush(NULL);
	saved[0] = saved[1] = -1;
	if (fd < 0)
		return -1;
	saved[0] = dup(STDOUT_FILENO);
	saved[1] = dup(STDERR_FILENO);
	if (saved[0] < 0 || saved[1] < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) {
		close(fd);
		restore_std(saved);
		return -1;
	}
	close(fd);
	return 0;
}

static char *path2(const char *dir, const char *a, const char *b, const char *ext)
{
	char buf[PATH_MAX * 2];

	snprintf(buf, sizeof(buf), "%s/%s%s%s%s", dir, a, b ? "/" : "", b ? b : "", ext);
	return pt_xstrdup(buf);
}

/* Pool the runs of side i into DIR/KIND/SIDE/SCENARIO.json */
static char *write_pool(struct pt_gate *g, struct pt_gate_scen *s, int side,
			struct json_object **docs, const char **paths, enum pt_gate_unit unit,
			const char *kind)
{
	char why[400];
	bool bad_input;
	struct json_object *doc = pt_gate_pool(docs, paths, s->nruns[side], unit, &bad_input, why,
					       sizeof(why));
	char *dir = path2(g->outdir, kind, side_name[side], ""), *path;

	if (!doc) {
		/* a result the pool cannot sum is bad input (exit 2), as a
		 * refused file is; no complete repeat is the run's failing */
		s->status = bad_input ? PT_EXIT_USAGE : PT_EXIT_RUNTIME;
		if (bad_input)
			snprintf(s->why, sizeof(s->why), "%s", why);
		else
			snprintf(s->why, sizeof(s->why), "no complete repeat from the %s kernel",
				 side ? "candidate" : "base");
		free(dir);
		return NULL;
	}
	path = path2(dir, s->name, NULL, ".json");
	if (pt_vm_mkdirs(dir) || pt_result_write(doc, path)) {
		snprintf(s->why, sizeof(s->why), "cannot write %s: %s", path, strerror(errno));
		free(path);
		path = NULL;
	}
	json_object_put(doc);
	free(dir);
	return path;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The charts plot wrote in this run: files modified since t0 (a coarse
 * clock reading, as file times are), so that a chart someone else left in
 * DIR/plots/SCENARIO/ is not listed as the gate's. */
static void list_plots(struct pt_gate *g, struct pt_gate_scen *s, const struct timespec *t0)
{
	DIR *d = opendir(s->plot_dir);
	struct dirent *e;
	size_t skip = strlen(g->outdir) + 1;

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		struct stat st;

		if (len < 5 || (strcmp(e->d_name + len - 4, ".png") && strcmp(e->d_name + len - 4, ".svg")))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode) ||
		    st.st_mtim.tv_sec < t0->tv_sec ||
		    (st.st_mtim.tv_sec == t0->tv_sec && st.st_mtim.tv_nsec < t0->tv_nsec))
			continue;
		s->plots = pt_xrealloc(s->plots, (s->nplots + 1) * sizeof(*s->plots));
		s->plots[s->nplots++] = path2(s->plot_dir + skip, e->d_name, NULL, "");
	}
	closedir(d);
	if (s->nplots)
		qsort(s->plots, s->nplots, sizeof(*s->plots), cmp_strp);
}

static void plot(struct pt_gate *g, struct pt_gate_scen *s)
{
	static const char *const png[] = { "png" };
	char labels[256], *log, *argv[12];
	const char *b = g->side[0].label, *c = g->side[1].label;
	int rc, i = 0, saved[2];
	struct timespec t0;

	/* plot's --label is a comma list */
	if (strchr(b, ',') || strchr(c, ','))
		b = "base", c = "cand";
	snprintf(labels, sizeof(labels), "base %s,cand %s", b, c);
	s->plot_dir = path2(g->outdir, "plots", s->name, "");
	if (pt_vm_mkdirs(s->plot_dir)) {
		s->plot_failed = true;
		return;
	}
	log = path2(s->plot_dir, "plot.log", NULL, "");
	argv[i++] = "ptbench";
	argv[i++] = "plot";
	argv[i++] = s->merged[0];
	argv[i++] = s->merged[1];
	argv[i++] = "-o";
	argv[i++] = s->plot_dir;
	argv[i++] = "--label";
	argv[i++] = labels;
	argv[i++] = "--format";
	argv[i++] = "png";
	argv[i] = NULL;
	/* the report lists the command that draws the same charts */
	pt_gate_command(g, argv);
	clock_gettime(CLOCK_REALTIME_COARSE, &t0);
	if (redirect_std(log, saved)) {
		rc = PT_EXIT_RUNTIME;
	} else {
		rc = pt_plot_files(s->merged, 2, s->plot_dir, labels, png, 1);
		restore_std(saved);
	}
	if (rc) {
		s->plot_failed = true;
		pt_gate_note(g, "%s: ptbench plot exited %d: no charts (%s)", s->name, rc, log);
	}
	free(log);
	list_plots(g, s, &t0);
}

/* The verdict: the comparison library (src/compare/compare_run.c) on the
 * pooled pair, built once and written three times: the text table on
 * out_fd, markdown and JSON into the scenario's compare files. The report
 * lists it as the `ptbench compare` command that gives the same JSON. Its
 * messages go to err, as a child's stderr would. Returns compare's exit
 * code (0, 1, 3; 2 bad input, 5 when err cannot be written). */
static int compare(struct pt_gate *g, struct pt_gate_scen *s, int out_fd, const char *err)
{
	char *argv[7 + PT_ARRAY_SIZE(g->cmp_args) + 1];
	struct pt_cmp_opts o = PT_CMP_OPTS_DEFAULT;
	struct pt_cmp_run run = { 0 };
	FILE *f;
	int i = 0, first, rc, saved[2], out_copy;

	argv[i++] = "ptbench";
	argv[i++] = "compare";
	argv[i++] = "--gate";
	argv[i++] = "--format";
	argv[i++] = "json";
	for (int k = 0; k < g->ncmp_args; k++)
		argv[i++] = (char *)g->cmp_args[k];
	/* the files after "--": a path is never taken for an option */
	argv[i++] = "--";
	argv[i++] = s->pooled[0];
	argv[i++] = s->pooled[1];
	argv[i] = NULL;
	pt_gate_command(g, argv);

	/* the table goes to out_fd, which may be stdout: keep a copy of it
	 * before stdout points at the log */
	fflush(NULL);
	out_copy = dup(out_fd);
	if (out_copy < 0 || redirect_std(err, saved)) {
		if (out_copy >= 0)
			close(out_copy);
		return PT_EXIT_RUNTIME;
	}
	/* compare's own option parser: the forwarded options are checked as
	 * `ptbench compare` would check them */
	rc = pt_cmp_args_parse(i - 1, argv + 1, &o, &first);
	if (rc == 1)
		rc = PT_EXIT_USAGE;
	if (!rc)
		rc = pt_cmp_run_build(&o, 2, s->pooled, &run);
	restore_std(saved);
	if (rc) {
		close(out_copy);
		pt_cmp_run_free(&run);
		return rc;
	}
	f = fdopen(out_copy, "w");
	if (f) {
		pt_cmp_run_write(&run, "text", f, false);
		fclose(f);
	} else {
		close(out_copy);
	}
	rc = PT_EXIT_RUNTIME;
	if ((f = fopen(s->cmp_md, "w"))) {
		pt_cmp_run_write(&run, "markdown", f, false);
		if (!fclose(f) && (f = fopen(s->cmp_json, "w"))) {
			/* the document the report reads is the one written, built
			 * once: not written, then read back */
			struct json_object *doc = pt_cmp_json(&run.r);

			pt_cmp_json_print(doc, f);
			if (!fclose(f)) {
				rc = run.r.exit_code;
				s->cmp = doc;
				doc = NULL;
			}
			json_object_put(doc);
		}
	}
	pt_cmp_run_free(&run);
	return rc;
}

void pt_gate_judge(struct pt_gate *g, struct pt_gate_scen *s)
{
	struct json_object **docs[2] = { NULL, NULL };
	const char **paths[2] = { NULL, NULL };
	char *cdir, *err, *text;
	int rc;

	for (int side = 0; side < 2; side++) {
		if (s->nruns[side])
			continue;
		if (s->skipped[side] && !s->failed[side]) {
			s->status = PT_EXIT_SKIP;
			snprintf(s->why, sizeof(s->why), "skipped on the %s kernel (%s): it cannot run this scenario",
				 side ? "candidate" : "base", g->side[side].label);
		} else {
			s->status = PT_EXIT_RUNTIME;
			snprintf(s->why, sizeof(s->why), "no result from the %s kernel (%s)%s",
				 side ? "candidate" : "base", g->side[side].label,
				 g->vm ? ": see console.log in its boot directories" : "");
		}
		return;
	}
	/* the documents read once when the runs were taken (gate_inputs.c) */
	for (int side = 0; side < 2; side++) {
		docs[side] = pt_xcalloc(s->nruns[side], sizeof(*docs[side]));
		paths[side] = pt_xcalloc(s->nruns[side], sizeof(*paths[side]));
		for (size_t i = 0; i < s->nruns[side]; i++) {
			docs[side][i] = s->runs[side][i].doc;
			paths[side][i] = s->runs[side][i].path;
			if (!docs[side][i]) {
				s->status = PT_EXIT_USAGE;
				snprintf(s->why, sizeof(s->why), "%s: not a usable result file (message above)",
					 s->runs[side][i].path);
				goto out;
			}
		}
	}
	for (int side = 0; side < 2; side++) {
		s->pooled[side] = write_pool(g, s, side, docs[side], paths[side], s->unit, "pooled");
		s->merged[side] = write_pool(g, s, side, docs[side], paths[side], PT_GATE_UNIT_REPEAT,
					     "merged");
		if (!s->pooled[side] || !s->merged[side]) {
			if (!s->status)
				s->status = PT_EXIT_RUNTIME;
			goto out;
		}
	}
	cdir = path2(g->outdir, "compare", NULL, "");
	if (pt_vm_mkdirs(cdir)) {
		s->status = PT_EXIT_RUNTIME;
		snprintf(s->why, sizeof(s->why), "cannot create %s: %s", cdir, strerror(errno));
		free(cdir);
		goto out;
	}
	s->cmp_json = path2(cdir, s->name, NULL, ".json");
	s->cmp_md = path2(cdir, s->name, NULL, ".md");
	err = path2(cdir, s->name, NULL, ".log");
	/* the human table on the terminal (stderr when stdout carries KTAP) */
	rc = compare(g, s, g->ktap ? STDERR_FILENO : STDOUT_FILENO, err);
	if (rc == PT_EXIT_OK || rc == PT_EXIT_REGRESSION || rc == PT_EXIT_INCONCLUSIVE) {
		s->status = rc;
	} else {
		s->status = rc == PT_EXIT_USAGE ? PT_EXIT_USAGE : PT_EXIT_RUNTIME;
		text = pt_read_file(err, NULL);
		snprintf(s->why, sizeof(s->why), "the comparison exited %d: %s", rc,
			 text ? text : "(no message)");
		s->why[strcspn(s->why, "\n")] = '\0';
		free(text);
	}
	if (s->status == PT_EXIT_USAGE || !s->cmp) {
		fprintf(stderr, "ptbench gate: ");
		pt_esc_fputs(stderr, s->name, PT_ESC_TERM);
		fprintf(stderr, ": ");
		pt_esc_fputs(stderr, *s->why ? s->why : "compare wrote no JSON", PT_ESC_TERM);
		fprintf(stderr, " (%s)\n", err);
	}
	free(err);
	free(cdir);
	if (g->plots)
		plot(g, s);
out:
	/* judged: its documents are not needed again */
	for (int side = 0; side < 2; side++) {
		for (size_t i = 0; i < s->nruns[side]; i++) {
			json_object_put(s->runs[side][i].doc);
			s->runs[side][i].doc = NULL;
		}
		free(docs[side]);
		free(paths[side]);
	}
}
