/* Charts of result files: one data file per chart (src/plot/plot_*.c),
 * each rendered with its gnuplot script from plots/. The data files and a
 * render.sh with the exact gnuplot commands stay in the directory, so a
 * chart can be restyled and redrawn without ptbench. `plot` and `gate` both
 * draw through pt_plot_files().
 *
 * Nothing is written in DIR itself until the whole set is: the data files,
 * render.sh and gnuplot's charts go into DIR/.ptbench-plot.PID (made here,
 * mode 0700, files created O_EXCL|O_NOFOLLOW), and only when every one was
 * written and drawn are they renamed into DIR, one rename each (a symbolic
 * link at a chart's name is replaced, never followed). A plot that fails
 * removes its directory and leaves DIR's earlier files as they were. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptbench/exitcodes.h"
#include "ptbench/output_file.h"
#include "ptbench/plot_data.h"
#include "ptbench/result.h"
#include "ptbench/util.h"

#ifndef PTBENCH_DATADIR
#define PTBENCH_DATADIR "/usr/local/share/ptbench"
#endif

/* one chart takes well under a second; a script stuck in a loop must not hang plot */
#define GNUPLOT_TIMEOUT_S 60

/* mkdir -p */
static int make_dir(const char *dir)
{
	char *d = pt_xstrdup(dir);

	for (char *s = d + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(d, 0755) && errno != EEXIST) {
			free(d);
			return -1;
		}
		*s = '/';
	}
	free(d);
	return mkdir(dir, 0755) && errno != EEXIST ? -1 : 0;
}

/* ---- the staging directory ---- */

#define STAGE_PREFIX ".ptbench-plot."

/* Remove a staging directory of ours and the plain files in it; a name that
 * is not a directory owned by this user (a planted link) is left alone. */
static void remove_stage(int parent, const char *name)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *e;
	struct stat st;
	DIR *d;

	if (fd < 0)
		return;
	if (fstat(fd, &st) || st.st_uid != geteuid() || !(d = fdopendir(fd))) {
		close(fd);
		return;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	unlinkat(parent, name, AT_REMOVEDIR);
}

/* DIR/.ptbench-plot.PID of plots that died (killed while drawing) */
static void remove_stale_stages(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char tail;
		int pid;

		if (strncmp(e->d_name, STAGE_PREFIX, strlen(STAGE_PREFIX)) ||
		    sscanf(e->d_name + strlen(STAGE_PREFIX), "%d%c", &pid, &tail) != 1 || pid <= 0 ||
		    pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		remove_stage(dirfd(d), e->d_name);
	}
	closedir(d);
}

/* DIR/.ptbench-plot.PID, new and empty; NULL with a message */
static char *make_stage(const char *dir)
{
	char *stage = pt_xasprintf("%s/" STAGE_PREFIX "%d", dir, (int)getpid());

	remove_stale_stages(dir);
	if (!mkdir(stage, 0700))
		return stage;
	if (errno == EEXIST) {
		/* left by an earlier process with this pid */
		remove_stage(AT_FDCWD, stage);
		if (!mkdir(stage, 0700))
			return stage;
	}
	fprintf(stderr, "ptbench plot: cannot create %s: %s\n", stage, strerror(errno));
	free(stage);
	return NULL;
}

/* Rename every file of the stage into dir; render.sh last, so that a
 * render.sh beside charts always matches them. Returns how many failed. */
static int commit_stage(const char *stage, const char *dir)
{
	int sfd = open(stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int failed = 0, have_sh = 0;
	struct dirent *e;
	DIR *d;

	if (sfd < 0 || dfd < 0 || !(d = fdopendir(sfd))) {
		fprintf(stderr, "ptbench plot: cannot open %s: %s\n", sfd < 0 ? stage : dir, strerror(errno));
		if (sfd >= 0)
			close(sfd);
		if (dfd >= 0)
			close(dfd);
		return 1;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!strcmp(e->d_name, "render.sh")) {
			have_sh = 1;
			continue;
		}
		if (renameat(sfd, e->d_name, dfd, e->d_name)) {
			fprintf(stderr, "ptbench plot: cannot move %s/%s to %s: %s\n", stage, e->d_name, dir,
				strerror(errno));
			failed++;
		}
	}
	if (have_sh && !failed && renameat(sfd, "render.sh", dfd, "render.sh")) {
		fprintf(stderr, "ptbench plot: cannot move %s/render.sh to %s: %s\n", stage, dir, strerror(errno));
		failed++;
	}
	closedir(d);
	close(dfd);
	return failed;
}

/* s with every "/.ptbench-plot.PID/" made "/": the commands of render.sh
 * name the files where they end up, in DIR */
static char *unstage(const char *s)
{
	char *mark = pt_xasprintf("/" STAGE_PREFIX "%d/", (int)getpid());
	size_t mlen = strlen(mark);
	char *out = pt_xmalloc(strlen(s) + 1), *o = out;

	while (*s) {
		if (!strncmp(s, mark, mlen)) {
			*o++ = '/';
			s += mlen;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	free(mark);
	return out;
}

/* gnuplot on PATH, as execvp would find it */
static int have_gnuplot(void)
{
	const char *path = getenv("PATH");
	char *copy, *save = NULL;
	int found = 0;

	if (!path)
		path = "/usr/bin:/bin";
	copy = pt_xstrdup(path);
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char exe[PATH_MAX];

		snprintf(exe, sizeof(exe), "%s/gnuplot", *d ? d : ".");
		found = access(exe, X_OK) == 0;
	}
	free(copy);
	return found;
}

/* plots/ next to the binary (a build tree), PREFIX/share/ptbench/plots
 * relative to the binary (an install under another PREFIX than the build's),
 * one level up (build/ptbench-asan), else the compiled-in PREFIX; as
 * pt_scenario_dir(). $PTBENCH_PLOTS overrides them all */
static const char *plots_dir(void)
{
	static const char *const rel[] = { "plots", "../share/ptbench/plots", "../plots" };
	static char dir[PATH_MAX];
	const char *env = getenv("PTBENCH_PLOTS");
	char probe[PATH_MAX + 16];

	if (env && *env)
		return env;
	for (size_t i = 0; i < PT_ARRAY_SIZE(rel); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", pt_exe_dir(), rel[i]);
		snprintf(probe, sizeof(probe), "%s/common.gp", dir);
		if (access(probe, R_OK) == 0)
			return dir;
	}
	snprintf(dir, sizeof(dir), "%s/plots", PTBENCH_DATADIR);
	return dir;
}

/* the -e text for one chart in one format */
static char *gnuplot_vars(const char *plots, const struct pt_plot_chart *c, const char *dir, const char *fmt)
{
	char *qp = pt_plot_gp_quote(plots), *qd = pt_plot_gp_quote(dir), *qn = pt_plot_gp_quote(c->name);
	char *s;

	s = pt_xasprintf("plotdir='%s'; %sterm='%s'; out='%s/%s.%s'", qp, c->vars, fmt, qd, qn, fmt);
	free(qp);
	free(qd);
	free(qn);
	return s;
}

/* run gnuplot -e VARS SCRIPT; 0 when it exited 0 */
static int run_gnuplot(const char *vars, const char *script)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* a pending alarm survives exec: a gnuplot that hangs is killed */
		alarm(GNUPLOT_TIMEOUT_S);
		execlp("gnuplot", "gnuplot", "-e", vars, script, (char *)NULL);
		fprintf(stderr, "ptbench plot: cannot run gnuplot: %s\n", strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long)st.st_size;
}

/* Render every queued chart into p->dir (the stage); render.sh and the
 * lines printed name them in final. Returns the number that failed. */
static int render(const struct pt_plot *p, const char *final, const char *plots, const char *const *fmts,
		  size_t nfmts)
{
	char *shpath;
	FILE *sh;
	int failed = 0, drawn = 0, fd;

	shpath = pt_xasprintf("%s/render.sh", p->dir);
	fd = open(shpath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0755);
	sh = fd < 0 ? NULL : fdopen(fd, "w");
	if (!sh || fchmod(fd, 0755)) {
		fprintf(stderr, "ptbench plot: cannot write %s/render.sh: %s\n", final, strerror(errno));
		if (sh)
			fclose(sh);
		else if (fd >= 0)
			close(fd);
		free(shpath);
		return 1;
	}
	fprintf(sh, "#!/bin/sh\n# The gnuplot commands `ptbench plot` ran; edit the scripts or the"
		    " variables and rerun.\nset -e\n");
	for (size_t i = 0; i < p->ncharts; i++) {
		const struct pt_plot_chart *c = &p->charts[i];
		char *script;

		script = pt_xasprintf("%s/%s.gp", plots, c->script);
		for (size_t k = 0; k < nfmts; k++) {
			char *vars = gnuplot_vars(plots, c, p->dir, fmts[k]), *shown = unstage(vars), *out, *name;

			fputs("gnuplot -e ", sh);
			pt_shell_quote(sh, shown);
			fputc(' ', sh);
			pt_shell_quote(sh, script);
			fputc('\n', sh);
			out = pt_xasprintf("%s/%s.%s", p->dir, c->name, fmts[k]);
			name = pt_xasprintf("%s/%s.%s", final, c->name, fmts[k]);
			fflush(stdout); /* our lines before gnuplot's complaints */
			if (run_gnuplot(vars, script) || file_size(out) <= 0) {
				fprintf(stderr, "ptbench plot: gnuplot failed on %s (script %s)\n", name, script);
				failed++;
			} else {
				printf("  %s\n", name);
				drawn++;
			}
			free(name);
			free(out);
			free(shown);
			free(vars);
		}
		free(script);
	}
	if (ferror(sh) | fclose(sh)) {
		fprintf(stderr, "ptbench plot: cannot write %s/render.sh: %s\n", final, strerror(errno));
		failed++;
	}
	free(shpath);
	if (!failed)
		printf("ptbench plot: %d chart file%s in %s\n", drawn, drawn == 1 ? "" : "s", final);
	return failed;
}

int pt_plot_files(char *const *paths, size_t n, const char *dir, const char *labels,
		  const char *const *fmts, size_t nfmts)
{
	const char *plots;
	char script[PATH_MAX + 32], why[PATH_MAX + 128], *stage = NULL;
	struct pt_plot p = { 0 };
	int bad = 0, ret = PT_EXIT_OK;
	int (*const kinds[])(struct pt_plot *) = { pt_plot_percentiles,	 pt_plot_bars,	pt_plot_timeline,
						    pt_plot_mmap_lock,	 pt_plot_sweep, pt_plot_locks_per_op,
						    pt_plot_ptmem,	 pt_plot_tail,  pt_plot_ptlife };

	p.nres = n;
	p.res = pt_xcalloc(p.nres, sizeof(*p.res));
	for (size_t i = 0; i < p.nres; i++) {
		struct json_object *complete;

		p.res[i].path = paths[i];
		p.res[i].doc = pt_result_load(p.res[i].path);
		if (!p.res[i].doc) {
			bad = 1;
			continue;
		}
		complete = json_object_object_get_ex(p.res[i].doc, "complete", &complete) ? complete : NULL;
		if (complete && !json_object_get_boolean(complete))
			fprintf(stderr, "note: %s: the run was interrupted (\"complete\": false); plotting what it holds\n",
				p.res[i].path);
	}
	if (bad) {
		ret = PT_EXIT_USAGE;
		goto out;
	}
	if (pt_plot_set_labels(p.res, p.nres, labels)) {
		ret = PT_EXIT_USAGE;
		goto out;
	}
	/* a -o that cannot take the files is a usage error, found before any
	 * file is written (as run's -o) */
	if (pt_output_dir_check(dir, why, sizeof(why))) {
		fprintf(stderr, "ptbench plot: -o %s: %s\n", dir, why);
		ret = PT_EXIT_USAGE;
		goto out;
	}
	if (make_dir(dir)) {
		fprintf(stderr, "ptbench plot: cannot create %s: %s\n", dir, strerror(errno));
		ret = PT_EXIT_RUNTIME;
		goto out;
	}
	if (!(stage = make_stage(dir))) {
		ret = PT_EXIT_RUNTIME;
		goto out;
	}
	/* every file goes to the stage first */
	p.dir = stage;
	for (size_t k = 0; k < PT_ARRAY_SIZE(kinds); k++)
		if (kinds[k](&p) < 0) {
			ret = PT_EXIT_RUNTIME;
			goto out;
		}
	if (!p.ncharts) {
		fprintf(stderr, "ptbench plot: nothing to draw from these results\n");
		goto out;
	}
	if (!have_gnuplot()) {
		fprintf(stderr, "ptbench plot: gnuplot is not installed (not on PATH): install gnuplot-nox "
				"(scripts/install-deps.sh); the data files are in %s\n",
			dir);
		ret = PT_EXIT_USAGE;
		goto out;
	}
	plots = plots_dir();
	snprintf(script, sizeof(script), "%s/common.gp", plots);
	if (access(script, R_OK)) {
		fprintf(stderr, "ptbench plot: the gnuplot scripts are missing: no %s (set PTBENCH_PLOTS to the plots/ "
				"directory); the data files are in %s\n",
			script, dir);
		ret = PT_EXIT_USAGE;
		goto out;
	}
	if (render(&p, dir, plots, fmts, nfmts))
		ret = PT_EXIT_RUNTIME;
out:
	if (stage) {
		/* the data files stay when only gnuplot or its scripts are
		 * missing (exit 2): they are complete, and say how to draw */
		if ((ret == PT_EXIT_OK || ret == PT_EXIT_USAGE) && commit_stage(stage, dir))
			ret = PT_EXIT_RUNTIME;
		else if (ret == PT_EXIT_RUNTIME)
			fprintf(stderr, "ptbench plot: nothing in %s was replaced\n", dir);
		remove_stage(AT_FDCWD, stage);
		free(stage);
	}
	for (size_t i = 0; i < p.nres; i++)
		if (p.res[i].doc)
			json_object_put(p.res[i].doc);
	pt_plot_free(&p);
	free(p.res);
	return ret;
}
