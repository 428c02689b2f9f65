/* ptbench run all [-o DIR] [RUN-ARGS]: every scenario of the catalogue, each
 * in its own `ptbench run` child process (a crash or a leak in one cannot
 * spoil the next), into DIR/SCENARIO.json with the child's output in
 * DIR/SCENARIO.log, one status line per scenario.
 *
 * Exit code: a scenario this kernel cannot run (exit 4) is reported as
 * skipped with its reason and counts as ok; the whole exits 4 only when every
 * scenario skipped. Otherwise the most severe of the others, in the order
 * 0 < 3 (inconclusive) < 1 (regression) < 2 (bad input) < 5 (runtime
 * failure). An interrupt (SIGINT/SIGTERM) stops the catalogue after the
 * running scenario wrote its (incomplete) result: exit 128+N. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ptbench/clock.h"
#include "ptbench/commands.h"
#include "ptbench/exitcodes.h"
#include "ptbench/output_file.h"
#include "ptbench/run_args.h"
#include "ptbench/runner.h"
#include "ptbench/scenario.h"
#include "ptbench/util.h"

/* The catalogue's own defaults, so that it fits in a few minutes on 2 CPUs
 * (26 scenarios, 166 s there: README); a --duration/--warmup/--repeat in
 * RUN-ARGS wins. */
#define ALL_DURATION "2s"
#define ALL_WARMUP "300ms"
#define ALL_REPEAT "3"

static int severity(int rc)
{
	switch (rc) {
	case PT_EXIT_OK: return 0;
	case PT_EXIT_SKIP: return 1;
	case PT_EXIT_INCONCLUSIVE: return 2;
	case PT_EXIT_REGRESSION: return 3;
	case PT_EXIT_USAGE: return 4;
	default: return 5; /* runtime failure, or anything unexpected */
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* scenario names (file names without .ini), sorted; *n set */
static char **catalogue(size_t *n)
{
	const char *dir = pt_scenario_dir();
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		/* all.ini would run the catalogue inside itself */
		if (len <= 4 || strcmp(e->d_name + len - 4, ".ini") || !strcmp(e->d_name, "all.ini"))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			names = pt_xrealloc(names, cap * sizeof(*names));
		}
		names[*n] = pt_xstrdup(e->d_name);
		names[*n][len - 4] = '\0';
		(*n)++;
	}
	closedir(d);
	qsort(names, *n, sizeof(*names), by_name);
	return names;
}

static bool flag_given(int argc, char **argv, const char *longname, const char *shortname)
{
	size_t l = strlen(longname);

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], longname) || (shortname && !strcmp(argv[i], shortname)) ||
		    (!strncmp(argv[i], longname, l) && argv[i][l] == '='))
			return true;
	return false;
}

/* the reason a skipped child printed ("... skipped: WHY") */
static void skip_reason(const char *log, char *why, size_t len)
{
	char *text = pt_read_file(log, NULL), *p, *end;

	snprintf(why, len, "(see %s)", log);
	if (!text)
		return;
	p = strstr(text, "skipped: ");
	if (p) {
		p += strlen("skipped: ");
		end = strchr(p, '\n');
		snprintf(why, len, "%.*s", (int)(end ? end - p : (long)strlen(p)), p);
	}
	free(text);
}

/* log NULL (a dry run, which writes nothing): the child's messages go to
 * our stderr, its "ok" line nowhere (ours says it) */
static int run_child(char **args, const char *log)
{
	pid_t pid;
	int status, fd;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* a killed `run all` takes its scenario with it (SIGTERM: the
		 * child writes its result, marked incomplete) */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			if (log)
				dup2(fd, 2);
		}
		execv("/proc/self/exe", args);
		_exit(127);
	}
	for (;;) {
		if (waitpid(pid, &status, 0) == pid)
			break;
		if (errno != EINTR)
			return -1;
		if (pt_stop_signal)
			kill(pid, (int)pt_stop_signal); /* SIGTERM sent to us alone */
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* The flags every scenario gets (--duration, --warmup, --repeat,
 * --lock-probe, --tail-threshold) checked once, on the first scenario,
 * before anything is made: `--duration abc` is one refusal, not a FAILED
 * line per scenario. --set and --sweep name roles that some scenarios may
 * lack: each child checks them. 0, or exit 2 after saying why. */
static int check_common_args(const struct pt_run_args *a, char **names, size_t n)
{
	struct pt_run_args common = *a;
	struct pt_scenario *sc;
	char *path;

	common.nsets = 0;
	common.sweep = NULL;
	path = n ? pt_scenario_resolve(names[0]) : NULL;
	if (!path)
		return 0;
	sc = pt_run_load_with_args(path, &common);
	free(path);
	if (!sc) {
		fprintf(stderr, "ptbench run all: the run arguments were refused (above, on %s): nothing run\n",
			names[0]);
		return PT_EXIT_USAGE;
	}
	pt_scenario_free(sc);
	return 0;
}

int cmd_run_all(int argc, char **argv, const struct pt_run_args *a)
{
	const char *dir = NULL;
	char **names, **args, dirbuf[512];
	size_t n;
	int nargs = 0, worst = PT_EXIT_OK, ran = 0, skipped = 0, oi = -1, rc;
	uint64_t t_all = pt_now_ns();

	/* argv: "run" ... "all" ...; find -o DIR (the only flag run all reads itself) */
	for (int i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) {
			dir = argv[i + 1];
			oi = i;
			break;
		}
		if (!strncmp(argv[i], "--output=", 9)) {
			dir = argv[i] + 9;
			oi = i;
			break;
		}
	}
	names = catalogue(&n);
	if (!n) {
		fprintf(stderr, "ptbench run all: no scenarios in %s\n", pt_scenario_dir());
		free(names);
		return PT_EXIT_USAGE;
	}
	if ((rc = check_common_args(a, names, n)))
		goto out;
	if (!dir) {
		struct utsname u;
		char stamp[32];
		time_t now = time(NULL);

		uname(&u);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", localtime(&now));
		/* said as what it is, not as the missing parent of -o DIR */
		if (!a->dry_run && mkdir("results", 0755) && errno != EEXIST) {
			fprintf(stderr, "ptbench run all: cannot create results/: %s\n", strerror(errno));
			rc = PT_EXIT_USAGE;
			goto out;
		}
		snprintf(dirbuf, sizeof(dirbuf), "results/all-%s-%s", u.release, stamp);
		dir = dirbuf;
	}
	if (a->dry_run) {
		char why[PATH_MAX + 128];

		/* no directory is made: an existing DIR must take the files, a
		 * new one must be creatable */
		if (pt_output_dir_check(dir, why, sizeof(why))) {
			fprintf(stderr, "ptbench run all: -o %s: %s\n", dir, why);
			rc = PT_EXIT_USAGE;
			goto out;
		}
	} else if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "ptbench run all: -o %s: cannot create the directory: %s\n", dir, strerror(errno));
		rc = PT_EXIT_USAGE;
		goto out;
	}
	{
		/* an existing file is not a directory: every scenario's log and
		 * result would fail to open, and the catalogue would still count
		 * them as run */
		struct stat st;

		if (!a->dry_run && (stat(dir, &st) || !S_ISDIR(st.st_mode))) {
			fprintf(stderr, "ptbench run all: -o %s: not a directory\n", dir);
			rc = PT_EXIT_USAGE;
			goto out;
		}
	}
	args = pt_xcalloc((size_t)argc + 16, sizeof(char *));
	pt_install_stop_handlers();
	printf("catalogue: %zu scenarios -> %s/%s\n", n, dir, a->dry_run ? " (dry run: nothing made)" : "");
	for (size_t s = 0; s < n && !pt_stop_signal; s++) {
		char out[1024], log[1024], why[1200] = "";
		uint64_t t0 = pt_now_ns();

		snprintf(out, sizeof(out), "%s/%s.json", dir, names[s]);
		snprintf(log, sizeof(log), "%s/%s.log", dir, names[s]);
		nargs = 0;
		args[nargs++] = "ptbench";
		args[nargs++] = "run";
		args[nargs++] = names[s];
		/* a dry run checks each scenario and its plan, not DIR's files,
		 * which do not exist: checked above */
		if (!a->dry_run) {
			args[nargs++] = "-o";
			args[nargs++] = out;
		}
		if (!flag_given(argc, argv, "--duration", "-d")) {
			args[nargs++] = "--duration";
			args[nargs++] = ALL_DURATION;
		}
		if (!flag_given(argc, argv, "--warmup", NULL)) {
			args[nargs++] = "--warmup";
			args[nargs++] = ALL_WARMUP;
		}
		if (!flag_given(argc, argv, "--repeat", "-r")) {
			args[nargs++] = "--repeat";
			args[nargs++] = ALL_REPEAT;
		}
		for (int i = 1; i < argc; i++) {
			if (!strcmp(argv[i], "all") || i == oi || (i == oi + 1 && strncmp(argv[oi], "--output=", 9)))
				continue;
			args[nargs++] = argv[i];
		}
		args[nargs] = NULL;
		rc = run_child(args, a->dry_run ? NULL : log);
		if (rc == PT_EXIT_SKIP) {
			skip_reason(log, why, sizeof(why));
			skipped++;
		} else {
			ran++;
		}
		if (a->dry_run && rc == PT_EXIT_SKIP)
			snprintf(why, sizeof(why), "(said above)");
		printf("  %-24s %-12s %6.1fs  %s%s\n", names[s],
		       rc == 0 ? "ok" : rc == PT_EXIT_SKIP ? "skipped" : rc >= 128 ? "interrupted" : "FAILED",
		       (double)(pt_now_ns() - t0) / 1e9, rc == 0 && a->dry_run ? "would write " : "",
		       rc == PT_EXIT_SKIP ? why : out);
		if (rc != 0 && rc != PT_EXIT_SKIP && rc < 128)
			printf("  %-24s exit %d: see %s\n", "", rc, a->dry_run ? "the messages above" : log);
		if (rc >= 128 || rc < 0) {
			worst = rc < 0 ? PT_EXIT_RUNTIME : rc;
			break;
		}
		if (severity(rc) > severity(worst))
			worst = rc;
	}
	if (pt_stop_signal && worst < 128)
		worst = 128 + (int)pt_stop_signal;
	/* skips alone do not fail the catalogue; all of them skipped does say so */
	if (worst == PT_EXIT_SKIP)
		worst = ran ? PT_EXIT_OK : PT_EXIT_SKIP;
	printf("catalogue: %d %s, %d skipped, %.1fs, exit %d\n", ran, a->dry_run ? "checked" : "ran",
	       skipped, (double)(pt_now_ns() - t_all) / 1e9, worst);
	free(args);
	rc = worst;
out:
	for (size_t s = 0; s < n; s++)
		free(names[s]);
	free(names);
	return rc;
}
