/* ptbench gate: one scenario's verdict. The runs of each kernel are pooled
 * into one result file (DIR/pooled/SIDE/SCENARIO.json: the unit of evidence;
 * DIR/merged/SIDE/SCENARIO.json: every repeat, for the charts), then the
 * verdict is `ptbench compare --gate` on the pooled pair and the charts are
 * `ptbench plot` of the merged pair: the gate runs the very commands a
 * person would, and lists them in the report so they can be rerun. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptbench/exitcodes.h"
#include "ptbench/gate.h"
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
	g->commands = realloc(g->commands, (g->ncommands + 1) * sizeof(*g->commands));
	if (!g->commands)
		abort();
	g->commands[g->ncommands++] = text;
}

void pt_gate_note(struct pt_gate *g, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "ptbench gate: %s\n", buf);
	g->notes = realloc(g->notes, (g->nnotes + 1) * sizeof(*g->notes));
	if (!g->notes)
		abort();
	g->notes[g->nnotes++] = pt_xstrdup(buf);
}

/* Run this ptbench with args (argv[0] is shown as "ptbench"), stdout to
 * out_path (or to fd out_fd when out_path is NULL), stderr to err_path.
 * Returns the exit status, or -1 when it could not run. */
static int run_self(struct pt_gate *g, char **argv, const char *out_path, int out_fd,
		    const char *err_path)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int status;
	pid_t pid;

	if (n < 0)
		return -1;
	exe[n] = '\0';
	argv[0] = "ptbench";
	pt_gate_command(g, argv);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int o = out_path ? open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : out_fd;
		int e = open(err_path, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (o < 0 || e < 0)
			_exit(126);
		dup2(o, STDOUT_FILENO);
		dup2(e, STDERR_FILENO);
		execv(exe, argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static char *path2(const char *dir, const char *a, const char *b, const char *ext)
{
	char buf[PATH_MAX * 2];

	snprintf(buf, sizeof(buf), "%s/%s%s%s%s", dir, a, b ? "/" : "", b ? b : "", ext);
	return pt_xstrdup(buf);
}

/* Pool the runs of side i into DIR/KIND/SIDE/SCENARIO.json */
static char *write_pool(struct pt_gate *g, struct pt_gate_scen *s, int side,
			struct json_object **docs, enum pt_gate_unit unit, const char *kind)
{
	struct json_object *doc = pt_gate_pool(docs, (const char *const *)s->runs[side],
					       s->nruns[side], unit);
	char *dir = path2(g->outdir, kind, side_name[side], ""), *path;

	if (!doc) {
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

static void list_plots(struct pt_gate *g, struct pt_gate_scen *s)
{
	DIR *d = opendir(s->plot_dir);
	struct dirent *e;
	size_t skip = strlen(g->outdir) + 1;

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len < 5 || (strcmp(e->d_name + len - 4, ".png") && strcmp(e->d_name + len - 4, ".svg")))
			continue;
		s->plots = realloc(s->plots, (s->nplots + 1) * sizeof(*s->plots));
		if (!s->plots)
			abort();
		s->plots[s->nplots++] = path2(s->plot_dir + skip, e->d_name, NULL, "");
	}
	closedir(d);
	if (s->nplots)
		qsort(s->plots, s->nplots, sizeof(*s->plots), cmp_strp);
}

static void plot(struct pt_gate *g, struct pt_gate_scen *s)
{
	char labels[256], *log, *argv[12];
	const char *b = g->side[0].label, *c = g->side[1].label;
	int rc, i = 0;

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
	argv[i++] = NULL;
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
	unlink(log);
	rc = run_self(g, argv, log, -1, log);
	if (rc) {
		s->plot_failed = true;
		pt_gate_note(g, "%s: ptbench plot exited %d: no charts (%s)", s->name, rc, log);
	}
	free(log);
	list_plots(g, s);
}

/* `ptbench compare --gate --format FMT POOLED_BASE POOLED_CAND [args]` */
static int compare(struct pt_gate *g, struct pt_gate_scen *s, const char *fmt, const char *out,
		   int out_fd, const char *err)
{
	char *argv[8 + PT_ARRAY_SIZE(g->cmp_args) + 1];
	int i = 0;

	argv[i++] = NULL;
	argv[i++] = "compare";
	argv[i++] = "--gate";
	argv[i++] = "--format";
	argv[i++] = (char *)fmt;
	argv[i++] = s->pooled[0];
	argv[i++] = s->pooled[1];
	for (int k = 0; k < g->ncmp_args; k++)
		argv[i++] = (char *)g->cmp_args[k];
	argv[i] = NULL;
	return run_self(g, argv, out, out_fd, err);
}

void pt_gate_judge(struct pt_gate *g, struct pt_gate_scen *s)
{
	struct json_object **docs[2] = { NULL, NULL };
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
	for (int side = 0; side < 2; side++) {
		docs[side] = pt_xcalloc(s->nruns[side], sizeof(*docs[side]));
		for (size_t i = 0; i < s->nruns[side]; i++) {
			docs[side][i] = pt_result_load(s->runs[side][i]);
			if (!docs[side][i]) {
				s->status = PT_EXIT_USAGE;
				snprintf(s->why, sizeof(s->why), "%s: not a usable result file (message above)",
					 s->runs[side][i]);
				goto out;
			}
		}
	}
	for (int side = 0; side < 2; side++) {
		s->pooled[side] = write_pool(g, s, side, docs[side], s->unit, "pooled");
		s->merged[side] = write_pool(g, s, side, docs[side], PT_GATE_UNIT_REPEAT, "merged");
		if (!s->pooled[side] || !s->merged[side]) {
			s->status = PT_EXIT_RUNTIME;
			if (!*s->why)
				snprintf(s->why, sizeof(s->why), "no complete repeat from the %s kernel",
					 side ? "candidate" : "base");
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
	unlink(err);
	/* the human table on the terminal (stderr when stdout carries KTAP) */
	compare(g, s, "text", NULL, g->ktap ? STDERR_FILENO : STDOUT_FILENO, err);
	compare(g, s, "markdown", s->cmp_md, -1, err);
	rc = compare(g, s, "json", s->cmp_json, -1, err);
	text = pt_read_file(s->cmp_json, NULL);
	s->cmp = text ? json_tokener_parse(text) : NULL;
	free(text);
	if (rc == PT_EXIT_OK || rc == PT_EXIT_REGRESSION || rc == PT_EXIT_INCONCLUSIVE) {
		s->status = rc;
	} else {
		s->status = rc == PT_EXIT_USAGE ? PT_EXIT_USAGE : PT_EXIT_RUNTIME;
		text = pt_read_file(err, NULL);
		snprintf(s->why, sizeof(s->why), "ptbench compare exited %d: %s", rc,
			 text ? text : "(no message)");
		s->why[strcspn(s->why, "\n")] = '\0';
		free(text);
	}
	if (s->status == PT_EXIT_USAGE || !s->cmp)
		fprintf(stderr, "ptbench gate: %s: %s (%s)\n", s->name,
			*s->why ? s->why : "compare wrote no JSON", err);
	free(err);
	free(cdir);
	if (g->plots)
		plot(g, s);
out:
	for (int side = 0; side < 2; side++) {
		for (size_t i = 0; docs[side] && i < s->nruns[side]; i++)
			json_object_put(docs[side][i]);
		free(docs[side]);
	}
}
