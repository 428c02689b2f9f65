/* Booting kernel images under qemu (the kernel matrix of doc/design.md):
 * the host builds (or reuses) the cached initramfs with scripts/mkinitramfs.sh,
 * appends a small cpio holding this run's scenario files and `ptbench run`
 * arguments, boots the image with console on ttyS0 and the result channel on
 * ttyS1, and stores each result under DIR/LABEL/SCENARIO.json with a "vm"
 * object saying how it ran. Used by `ptbench vm` and `ptbench gate`. */
#define _GNU_SOURCE /* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ptbench/clock.h"
#include "ptbench/escape.h"
#include "ptbench/exitcodes.h"
#include "ptbench/result.h"
#include "ptbench/result_read.h"
#include "ptbench/scenario.h"
#include "ptbench/kconfig_check.h"
#include "ptbench/util.h"
#include "ptbench/vm.h"
#include "ptbench/vm_boot.h"

/* Is PROG in $PATH (or a path that exists)? */
static bool have_program(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, prog);
		if (access(buf, X_OK) == 0)
			return true;
		p += n;
		if (*p)
			p++;
	}
	return false;
}

/* Where mkinitramfs.sh is: $PTBENCH_MKINITRAMFS, a build tree's scripts/
 * (next to ./ptbench, or above build/ptbench-asan), an install's
 * share/ptbench/. *installed says whether to keep the cache outside the tree. */
static bool find_mkinitramfs(char *script, size_t len, bool *installed)
{
	const char *env = getenv("PTBENCH_MKINITRAMFS");
	static const char *const tree[] = { "", "/.." };

	*installed = false;
	if (env && *env) {
		snprintf(script, len, "%s", env);
		return access(script, X_OK) == 0;
	}
	for (size_t i = 0; i < PT_ARRAY_SIZE(tree); i++) {
		snprintf(script, len, "%s%s/scripts/mkinitramfs.sh", pt_exe_dir(), tree[i]);
		if (access(script, X_OK) == 0)
			return true;
	}
	*installed = true;
	snprintf(script, len, "%s/../share/ptbench/mkinitramfs.sh", pt_exe_dir());
	return access(script, X_OK) == 0;
}

/* Run scripts/mkinitramfs.sh; its last stdout line is the archive. */
static char *build_initramfs(const char *cmd)
{
	char script[PATH_MAX], exe[PATH_MAX], line[PATH_MAX] = "", cache[PATH_MAX] = "";
	const char *home = getenv("XDG_CACHE_HOME");
	bool installed;
	int fd[2], status;
	ssize_t n;
	size_t len = 0;
	pid_t pid;

	if (!find_mkinitramfs(script, sizeof(script), &installed)) {
		fprintf(stderr, "ptbench %s: no mkinitramfs.sh (last tried %s; set PTBENCH_MKINITRAMFS or pass --initramfs)\n",
			cmd, script);
		return NULL;
	}
	/* an install keeps its cache in the user's cache directory */
	if (installed && home && *home)
		snprintf(cache, sizeof(cache), "%s/ptbench/initramfs", home);
	else if (installed && (home = getenv("HOME")))
		snprintf(cache, sizeof(cache), "%s/.cache/ptbench/initramfs", home);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0 || pipe(fd))
		return NULL;
	exe[n] = '\0';
	pid = fork();
	if (pid < 0)
		return NULL;
	if (pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		close(fd[1]);
		if (*cache)
			execl(script, script, "-b", exe, "-s", pt_scenario_dir(), "-o", cache, (char *)NULL);
		else
			execl(script, script, "-b", exe, "-s", pt_scenario_dir(), (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	while (len < sizeof(line) - 1 && (n = read(fd[0], line + len, sizeof(line) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd[0]);
	line[len] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "ptbench %s: %s failed\n", cmd, script);
		return NULL;
	}
	while (len && line[len - 1] == '\n')
		line[--len] = '\0';
	char *last = strrchr(line, '\n');

	return pt_xstrdup(last ? last + 1 : line);
}

static int copy_file(FILE *out, const char *path)
{
	char buf[1 << 16];
	FILE *in = fopen(path, "rb");
	size_t n;
	int ret = 0;

	if (!in)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n) {
			ret = -1;
			break;
		}
	if (ferror(in))
		ret = -1;
	fclose(in);
	return ret;
}

/* A kernel config beside the image (Debian's layout, in /boot and from
 * fetch-kernels.sh: vmlinuz-RELEASE next to config-RELEASE) goes into the
 * guest as /boot/config-RELEASE, where sysinfo looks for it. */
static const char *config_beside(const char *image, char *cfg, size_t len)
{
	const char *base = strrchr(image, '/');

	base = base ? base + 1 : image;
	if (strncmp(base, "vmlinuz-", 8) || !base[8])
		return NULL;
	snprintf(cfg, len, "%.*sconfig-%s", (int)(base - image), image, base + 8);
	return access(cfg, R_OK) == 0 ? base + 8 : NULL;
}

static int add_kernel_config(FILE *f, const char *image)
{
	char cfg[PATH_MAX], name[PATH_MAX];
	const char *release = config_beside(image, cfg, sizeof(cfg));
	size_t len;
	char *text;
	int ret;

	if (!release)
		return 0;
	text = pt_read_file(cfg, &len);
	if (!text)
		return 0;
	snprintf(name, sizeof(name), "boot/config-%s", release);
	ret = pt_vm_cpio_entry(f, "boot", 040755, NULL, 0) ||
	      pt_vm_cpio_entry(f, name, 0100644, text, len) ? -1 : 0;
	free(text);
	return ret;
}

/* The initrd of one boot into fd (kept open): the cached archive, then
 * this run's work. */
static int write_initrd(int fd, const char *base, const struct pt_vm_args *a, int k)
{
	int dfd = dup(fd);
	FILE *f = dfd >= 0 ? fdopen(dfd, "wb") : NULL;
	char name[PATH_MAX], *list = NULL, *args = NULL;
	size_t llen = 0, alen = 0;
	FILE *lf, *af;
	long off;
	int ret = -1;

	if (!f) {
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	if (copy_file(f, base))
		goto out;
	off = ftell(f);
	/* mkinitramfs.sh pads, but a foreign --initramfs may not */
	while (off % 4) {
		fputc(0, f);
		off++;
	}
	lf = open_memstream(&list, &llen);
	af = open_memstream(&args, &alen);
	for (int i = 0; i < a->nscen; i++)
		fprintf(lf, "/ptbench-run/s/%s.ini\n", a->scen_name[i]);
	for (int i = 0; i < a->nrun_args; i++)
		fprintf(af, "%s\n", a->run_args[i]);
	fclose(lf);
	fclose(af);
	if (pt_vm_cpio_entry(f, "ptbench-run", 040755, NULL, 0) ||
	    pt_vm_cpio_entry(f, "ptbench-run/s", 040755, NULL, 0) ||
	    pt_vm_cpio_entry(f, "ptbench-run/scenarios", 0100644, list, llen) ||
	    pt_vm_cpio_entry(f, "ptbench-run/args", 0100644, args, alen) ||
	    add_kernel_config(f, a->image[k]))
		goto out;
	for (int i = 0; i < a->nscen; i++) {
		size_t len;
		char *text = pt_read_regular_file(a->scen_path[i], PT_SCENARIO_MAX_BYTES, &len);

		if (!text)
			goto out;
		snprintf(name, sizeof(name), "ptbench-run/s/%s.ini", a->scen_name[i]);
		if (pt_vm_cpio_entry(f, name, 0100644, text, len)) {
			free(text);
			goto out;
		}
		free(text);
	}
	ret = pt_vm_cpio_trailer(f);
out:
	free(list);
	free(args);
	if (fclose(f))
		ret = -1;
	return ret;
}

/* qemu's -chardev path: a comma is written twice */
static char *qemu_escape(const char *s)
{
	char *out = pt_xmalloc(2 * strlen(s) + 1), *w = out;

	for (; *s; s++) {
		*w++ = *s;
		if (*s == ',')
			*w++ = ',';
	}
	*w = '\0';
	return out;
}

/* qemu's -accel argument for --accel */
static const char *accel_arg(const char *accel)
{
	if (!strcmp(accel, "kvm"))
		return "kvm";
	return !strcmp(accel, "tcg-single") ? "tcg,thread=single" : "tcg,thread=multi";
}

/* SIGINT, SIGTERM, SIGHUP while a boot runs: qemu is killed and the boot's
 * files are tidied before ptbench exits 128 + the signal. */
static volatile sig_atomic_t boot_signal;

static void on_boot_signal(int sig)
{
	boot_signal = sig;
}

/* Make this process die with its parent (expected_parent): PR_SET_PDEATHSIG
 * fires when the parent exits however it exits, SIGKILL included; a parent
 * that died before prctl() ran is caught by getppid(). */
static void die_with_parent(pid_t expected_parent, int sig)
{
	if (prctl(PR_SET_PDEATHSIG, sig) || getppid() != expected_parent)
		_exit(127);
}

/* The watchdog between ptbench and qemu: it dies with ptbench (and qemu,
 * whose own PDEATHSIG names the watchdog, with it) and kills qemu at
 * timeout_s + a grace (the parent's own deadline comes first when the
 * parent is alive; this one holds when the parent is stopped or hung).
 * Its exit status is qemu's (128 + signal when killed). */
static void watchdog(const char *qemu, const char *const *argv, const char *qemu_log, int timeout_s,
		     pid_t ptbench)
{
	pid_t me = getpid(), q;
	int status;

	die_with_parent(ptbench, SIGKILL);
	q = fork();
	if (q < 0)
		_exit(127);
	if (q == 0) {
		int fd = open(qemu_log, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
		int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);

		die_with_parent(me, SIGKILL);
		/* the caller's handlers are not qemu's */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		if (nul >= 0)
			dup2(nul, STDIN_FILENO);
		execvp(qemu, (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", qemu, strerror(errno));
		_exit(127);
	}
	/* SIGALRM's default action ends the watchdog, and PDEATHSIG qemu */
	signal(SIGALRM, SIG_DFL);
	alarm((unsigned)timeout_s + 10);
	while (waitpid(q, &status, 0) < 0)
		if (errno != EINTR)
			_exit(127);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/* Boot; returns the wait status, -1 when it ran past the timeout, -2 when
 * it could not start, -3 when a signal came (boot_signal). initrd_fd and
 * channel_fd are open in qemu as /dev/fd/N: files with no name, which no
 * exit path can leave behind. */
static int boot(const struct pt_vm_args *a, const char *image, int initrd_fd, const char *cmdline,
		const char *console, int channel_fd, const char *qemu_log)
{
	char smp[96], con[PATH_MAX * 2 + 32], chn[64], initrd[32];
	char *ec = qemu_escape(console);
	bool kvm = !strcmp(a->accel, "kvm");
	const char *qemu = getenv("PTBENCH_QEMU") ? getenv("PTBENCH_QEMU") : "qemu-system-x86_64";
	const char *argv[] = {
		qemu, "-nodefaults", "-display", "none", "-no-reboot", "-no-user-config",
		"-accel", accel_arg(a->accel), "-cpu", kvm ? "host" : "max",
		"-smp", smp, "-m", a->mem, "-kernel", image, "-initrd", initrd, "-append", cmdline,
		"-chardev", con, "-serial", "chardev:con", "-chardev", chn, "-serial", "chardev:chn",
		NULL,
	};
	uint64_t deadline = pt_now_ns() + (uint64_t)a->timeout_s * 1000000000ull;
	int status;
	pid_t pid, me = getpid();

	snprintf(initrd, sizeof(initrd), "/dev/fd/%d", initrd_fd);
	/* --topology: -smp with its shape, then -object/-numa after the rest
	 * (built here, before fork: the child only execs) */
	char **numa = a->topology ? pt_vm_topology_numa_argv(&a->topo, pt_vm_mem_mib(a->mem)) : NULL;
	size_t nbase = PT_ARRAY_SIZE(argv) - 1, nnuma = 0;
	const char **full;

	while (numa && numa[nnuma])
		nnuma++;
	full = pt_xmalloc((nbase + nnuma + 1) * sizeof(*full));
	memcpy(full, argv, nbase * sizeof(*full));
	memcpy(full + nbase, numa ? (const void *)numa : (const void *)(argv + nbase), (nnuma + 1) * sizeof(*full));
	if (a->topology)
		pt_vm_topology_smp(&a->topo, smp, sizeof(smp));
	else
		snprintf(smp, sizeof(smp), "%d", a->cpus);
	snprintf(con, sizeof(con), "file,id=con,path=%s", ec);
	snprintf(chn, sizeof(chn), "file,id=chn,path=/dev/fd/%d", channel_fd);
	free(ec);
	fflush(NULL);
	pid = fork();
	if (pid != 0) {
		free(full);
		pt_vm_topology_argv_free(numa);
	}
	if (pid < 0)
		return -2;
	if (pid == 0)
		watchdog(qemu, (const char *const *)full, qemu_log, a->timeout_s, me);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -2;
		if (boot_signal || pt_now_ns() > deadline) {
			/* the watchdog's death takes qemu (PDEATHSIG) */
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return boot_signal ? -3 : -1;
		}
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
}

/* An unnamed file in dir (O_TMPFILE; where the filesystem has none, a
 * named one unlinked at once): -1 on error. */
static int tmp_file(const char *dir)
{
	char path[PATH_MAX + 32];
	int fd = open(dir, O_TMPFILE | O_RDWR, 0600);

	if (fd >= 0)
		return fd;
	snprintf(path, sizeof(path), "%s/.ptbench-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	return fd;
}

/* All of fd's text from its start, NUL-terminated. */
/* The first line of the guest's console that says its kernel died: an
 * oops (oops=panic makes it a panic, and panic=-1 ends qemu at once rather
 * than leaving a hung guest to the timeout) or a BUG/panic line. Copied into
 * buf; false when there is none or the console cannot be read. */
static bool console_death(const char *console, char *buf, size_t len)
{
	static const char *const marks[] = { "Oops: ", "BUG: ", "Kernel panic - " };
	char line[512];
	bool found = false;
	FILE *f = fopen(console, "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
			const char *m = strstr(line, marks[i]);

			if (m) {
				line[strcspn(line, "\r\n")] = 0;
				snprintf(buf, len, "%s", m);
				found = true;
				break;
			}
		}
	fclose(f);
	return found;
}

static char *read_fd_text(int fd)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = pt_xmalloc(cap + 1);
	ssize_t n;

	while ((n = pread(fd, buf + len, cap - len, (off_t)len)) > 0 || (n < 0 && errno == EINTR)) {
		if (n < 0)
			continue;
		len += (size_t)n;
		if (len == cap) {
			cap *= 2;
			buf = pt_xrealloc(buf, cap + 1);
		}
	}
	buf[len] = '\0';
	return buf;
}

/* The image's config (beside it) against ptbench.config; NULL when no config
 * travels with the image or the check cannot run (err says why). */
static json_object *image_config_check(const char *image, char *err, size_t len)
{
	char cfg[PATH_MAX];

	err[0] = '\0';
	if (!config_beside(image, cfg, sizeof(cfg)))
		return NULL;
	return pt_kconfig_check(pt_kconfig_fragment_path(), cfg, err, len);
}

/* cfg_check: the boot's image_config_check(), kept (a reference taken) */
static json_object *vm_json(const struct pt_vm_args *a, int k, const char *cmdline, double wall_s,
			    const char *release, json_object *cfg_check)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "label", json_object_new_string(a->label[k]));
	json_object_object_add(o, "image", json_object_new_string(a->image[k]));
	if (release)
		json_object_object_add(o, "guest_release", json_object_new_string(release));
	json_object_object_add(o, "emulator", json_object_new_string("qemu-system-x86_64"));
	json_object_object_add(o, "accel",
			       json_object_new_string(accel_arg(a->accel)));
	json_object_object_add(o, "cpus", json_object_new_int(a->cpus));
	json_object_object_add(o, "mem", json_object_new_string(a->mem));
	if (a->topology)
		json_object_object_add(o, "topology",
				       pt_vm_topology_json(&a->topo, a->topology, pt_vm_mem_mib(a->mem)));
	json_object_object_add(o, "preempt", json_object_new_string(a->preempt));
	json_object_object_add(o, "cmdline", json_object_new_string(cmdline));
	json_object_object_add(o, "boot_and_run_s", json_object_new_double(wall_s));
	if (cfg_check)
		json_object_object_add(o, "config_check", json_object_get(cfg_check));
	return o;
}

static int write_text(const char *path, const char *text)
{
	char tmp[PATH_MAX * 2 + 32];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fputs(text, f);
	if (fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* A guest's result, as the host would read it back: through the validating
 * reader, before it is stored. Text that is not JSON at all came back
 * garbled (exit 5, as a result cut off); JSON that the reader refuses is a
 * result no ptbench command would read (exit 2, bad input: the message
 * names the scenario and the JSON path, nothing is stored, channel.log is
 * kept). 0 with *doc, or -1 with *rc and *what set. */
static int check_guest_result(const struct pt_vm_args *a, int k, int i, const char *text,
			      json_object **doc, int *rc, const char **what)
{
	char err[1024];
	json_object *any;

	if (!pt_result_from_text(text, strlen(text), 0, doc, err, sizeof(err)))
		return 0;
	any = json_tokener_parse(text);
	if (!any) {
		*rc = PT_EXIT_RUNTIME;
		*what = "result is not JSON";
		return -1;
	}
	json_object_put(any);
	/* err quotes the guest's keys: no control byte reaches the terminal */
	fprintf(stderr, "ptbench %s: %s: %s: the guest's result is not a valid ptbench result, not stored: ",
		a->cmd, a->label[k], a->scen_name[i]);
	pt_esc_fputs(stderr, err, PT_ESC_TERM);
	fputc('\n', stderr);
	*rc = PT_EXIT_USAGE;
	*what = "result refused";
	return -1;
}

/* Channel result r (of scenario i): checked, given its vm object and
 * stored as DIR/SCENARIO.json, or DIR/SCENARIO.threads-N.json for a sweep
 * point. Returns its exit code; *what says what became of it (path holds
 * the file's name). */
static int store_result(const struct pt_vm_args *a, int k, int i, const struct pt_vm_channel *ch, int r,
			const char *dir, const char *cmdline, double wall, json_object *cfg_check, char *path,
			size_t pathlen, const char **what)
{
	int rc = ch->results[r].rc;
	json_object *doc;

	*what = rc == PT_EXIT_SKIP ? "skipped" : "no result file";
	if (!ch->results[r].complete || ch->results[r].bad_point) {
		*what = ch->results[r].bad_point ? "result with a bad point name" : "result cut off";
		return PT_EXIT_RUNTIME;
	}
	if (!ch->results[r].json)
		return rc;
	if (check_guest_result(a, k, i, ch->results[r].json, &doc, &rc, what))
		return rc;
	json_object_object_add(doc, "vm", vm_json(a, k, cmdline, wall, ch->release, cfg_check));
	if (ch->results[r].point[0])
		snprintf(path, pathlen, "%s/%s.%s.json", dir, a->scen_name[i], ch->results[r].point);
	else
		snprintf(path, pathlen, "%s/%s.json", dir, a->scen_name[i]);
	if (pt_result_write(doc, path)) {
		fprintf(stderr, "ptbench %s: %s: %s\n", a->cmd, path, strerror(errno));
		rc = PT_EXIT_RUNTIME;
		*what = "cannot write";
	} else {
		*what = path;
	}
	json_object_put(doc);
	return rc;
}

/* One kernel: boot, store its results; returns the worst exit code, or
 * 128 + the signal when SIGINT, SIGTERM or SIGHUP came (qemu killed). */
int pt_vm_boot(const struct pt_vm_args *a, int k, const char *base, const char *dir, int *rcs)
{
	char console[PATH_MAX + 16], channel[PATH_MAX + 16];
	char qlog[PATH_MAX + 16], path[PATH_MAX * 2], cmdline[4096];

	if (strlen(dir) + 64 > PATH_MAX) {
		fprintf(stderr, "ptbench %s: %s: path too long\n", a->cmd, dir);
		return PT_EXIT_USAGE;
	}
	int scen_rc[PT_VM_MAX_SCENARIOS];
	struct pt_vm_channel ch;
	struct sigaction sa = { .sa_handler = on_boot_signal }, old[3];
	static const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
	uint64_t t0;
	double wall;
	char *text, *raw;
	int status, worst = PT_EXIT_OK, initrd_fd, channel_fd;
	bool refused = false;
	json_object *cfg_check;

	if (pt_vm_mkdirs(dir)) {
		fprintf(stderr, "ptbench %s: %s: %s\n", a->cmd, dir, strerror(errno));
		return PT_EXIT_RUNTIME;
	}
	{
		/* what this kernel's config takes from ptbench, said before it
		 * boots; the same check goes into every vm object of the boot */
		char err[512];
		json_object *m;

		cfg_check = image_config_check(a->image[k], err, sizeof(err));
		if (cfg_check && json_object_object_get_ex(cfg_check, "missing", &m) && json_object_array_length(m)) {
			fprintf(stderr, "ptbench %s: %s: the image's config lacks options of ptbench.config:\n",
				a->cmd, a->label[k]);
			pt_kconfig_check_print(cfg_check, "  ", stderr);
		} else if (!cfg_check && err[0]) {
			fprintf(stderr, "ptbench %s: %s: config check not run: %s\n", a->cmd, a->label[k], err);
		}
	}
	snprintf(console, sizeof(console), "%s/console.log", dir);
	snprintf(channel, sizeof(channel), "%s/channel.log", dir);
	snprintf(qlog, sizeof(qlog), "%s/qemu.log", dir);
	snprintf(cmdline, sizeof(cmdline), "console=ttyS0 panic=-1 oops=panic loglevel=4 preempt=%s%s%s",
		 a->preempt, a->append ? " " : "", a->append ? a->append : "");
	unlink(channel);	/* an earlier failed boot's, in this boot's directory */
	/* the initrd and the channel have no name while qemu runs: nothing to
	 * leave behind, whatever ends ptbench (SIGKILL included) */
	initrd_fd = tmp_file(dir);
	channel_fd = initrd_fd >= 0 ? tmp_file(dir) : -1;
	if (channel_fd < 0 || write_initrd(initrd_fd, base, a, k)) {
		fprintf(stderr, "ptbench %s: %s: the initrd: %s\n", a->cmd, dir, strerror(errno));
		if (initrd_fd >= 0)
			close(initrd_fd);
		if (channel_fd >= 0)
			close(channel_fd);
		json_object_put(cfg_check);
		return PT_EXIT_RUNTIME;
	}
	boot_signal = 0;
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	t0 = pt_now_ns();
	status = boot(a, a->image[k], initrd_fd, cmdline, console, channel_fd, qlog);
	wall = (double)(pt_now_ns() - t0) / 1e9;
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	close(initrd_fd);
	text = read_fd_text(channel_fd);
	close(channel_fd);
	raw = pt_xstrdup(text);	/* pt_vm_parse_channel cuts text up */
	if (status == -3) {
		int sig = boot_signal;

		fprintf(stderr, "ptbench %s: %s: interrupted by signal %d: qemu killed\n", a->cmd,
			a->label[k], sig);
		free(text);
		free(raw);
		json_object_put(cfg_check);
		return 128 + sig;
	}

	pt_vm_parse_channel(text, &ch);
	if (status == -1)
		printf("%-20s timed out after %ds (%s)\n", a->label[k], a->timeout_s, console);
	else if (status == -2 || !WIFEXITED(status) || WEXITSTATUS(status))
		printf("%-20s qemu failed (%s, %s)\n", a->label[k], qlog, console);
	else if (!ch.release)
		printf("%-20s the guest never reached ptbench (%s)\n", a->label[k], console);
	if (ch.nresults < a->nscen) {
		char death[256], shown[1024];

		/* the console is the guest's text: escaped for the terminal */
		if (console_death(console, death, sizeof(death)))
			printf("%-20s the guest kernel died: %s (%s)\n", a->label[k],
			       pt_esc(death, PT_ESC_TERM, shown, sizeof(shown)), console);
	}
	for (int i = 0; i < a->nscen; i++) {
		int found = 0;

		scen_rc[i] = PT_EXIT_OK;
		/* one result per scenario, or one per point of a --sweep (all
		 * with the scenario's index); none at all: the run never
		 * reported */
		for (int r = 0; r <= ch.nresults; r++) {
			int rc = PT_EXIT_RUNTIME;
			const char *what = "no result", *point = "";
			char shown[PATH_MAX];

			if (r < ch.nresults) {
				if (ch.results[r].index != i)
					continue;
				found++;
				point = ch.results[r].point;
				rc = store_result(a, k, i, &ch, r, dir, cmdline, wall, cfg_check, path,
						  sizeof(path), &what);
			} else if (found) {
				break;
			}
			refused |= rc == PT_EXIT_USAGE;
			snprintf(shown, sizeof(shown), "%s%s%s", a->scen_name[i], *point ? "." : "", point);
			printf("%-20s %-22s %-26s exit %d  %s  (boot+run %.1fs, %s)\n", a->label[k],
			       ch.release ? ch.release : "-", shown, rc, what, wall, a->accel);
			worst = pt_vm_worse(worst, rc);
			scen_rc[i] = pt_vm_worse(scen_rc[i], rc);
		}
	}
	if ((worst == PT_EXIT_RUNTIME || refused) && *raw) {
		/* kept for a failed boot or a refused result (everything else is
		 * in the result files) */
		int fd = open(channel, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);

		if (fd >= 0) {
			if (write(fd, raw, strlen(raw)) < 0)
				fprintf(stderr, "ptbench %s: %s: %s\n", a->cmd, channel, strerror(errno));
			close(fd);
		}
	}
	free(raw);
	/* a sidecar that holds even when no result came back */
	{
		json_object *o = vm_json(a, k, cmdline, wall, ch.release, cfg_check);

		json_object_object_add(o, "exit", json_object_new_int(worst));
		json_object_object_add(o, "timed_out", json_object_new_boolean(status == -1));
		json_object_object_add(o, "guest_finished", json_object_new_boolean(ch.done));
		{
			json_object *sc = json_object_new_object();

			for (int i = 0; i < a->nscen; i++)
				json_object_object_add(sc, a->scen_name[i], json_object_new_int(scen_rc[i]));
			json_object_object_add(o, "scenarios", sc);
		}
		snprintf(path, sizeof(path), "%s/vm.json", dir);
		write_text(path, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	}
	free(text);
	json_object_put(cfg_check);
	if (rcs)
		memcpy(rcs, scen_rc, (size_t)a->nscen * sizeof(*rcs));
	return worst;
}

int pt_vm_mkdirs(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

int pt_vm_prepare(const struct pt_vm_args *a, char **basep)
{
	const char *qemu = getenv("PTBENCH_QEMU") ? getenv("PTBENCH_QEMU") : "qemu-system-x86_64";
	char *base;

	*basep = NULL;
	if (!have_program(qemu)) {
		fprintf(stderr, "ptbench %s: skipped: %s not found (apt-get install qemu-system-x86)\n",
			a->cmd, qemu);
		return PT_EXIT_SKIP;
	}
	if (!strcmp(a->accel, "kvm") && access("/dev/kvm", R_OK | W_OK)) {
		fprintf(stderr, "ptbench %s: skipped: --accel kvm: /dev/kvm: %s\n", a->cmd, strerror(errno));
		return PT_EXIT_SKIP;
	}
	if (pt_vm_mkdirs(a->outdir)) {
		fprintf(stderr, "ptbench %s: %s: %s\n", a->cmd, a->outdir, strerror(errno));
		return PT_EXIT_RUNTIME;
	}
	base = a->initramfs ? pt_xstrdup(a->initramfs) : build_initramfs(a->cmd);
	if (!base || access(base, R_OK)) {
		fprintf(stderr, "ptbench %s: no initramfs%s%s\n", a->cmd, base ? ": " : "", base ? base : "");
		free(base);
		return PT_EXIT_RUNTIME;
	}
	*basep = base;
	return 0;
}

