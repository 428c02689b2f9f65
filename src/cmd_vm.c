/* ptbench vm: run scenarios under several kernel images, one qemu boot per
 * kernel (doc/design.md: the kernel matrix). The host builds (or reuses) the cached
 * initramfs with scripts/mkinitramfs.sh, appends a small cpio holding this
 * run's scenario files and `ptbench run` arguments, boots the image with
 * console on ttyS0 and the result channel on ttyS1, and stores each result
 * under DIR/LABEL/SCENARIO.json with a "vm" object saying how it ran. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ptbench/clock.h"
#include "ptbench/cli.h"
#include "ptbench/commands.h"
#include "ptbench/exitcodes.h"
#include "ptbench/result.h"
#include "ptbench/scenario.h"
#include "ptbench/util.h"
#include "ptbench/vm.h"
#include "ptbench/vm_boot.h"

static void vm_usage(FILE *f)
{
	fprintf(f,
		"usage: ptbench vm --kernel IMAGE[:LABEL]... [options] run SCENARIO... [RUN-ARGS]\n"
		"Boot each kernel image under qemu, run the scenarios there, store the results\n"
		"as DIR/LABEL/SCENARIO.json (RUN-ARGS are `ptbench run` options, e.g.\n"
		"--duration 300ms --repeat 1 --set role.key=value).\n"
		"  -k, --kernel IMAGE[:LABEL]  a bzImage; repeat for a matrix (label: file name\n"
		"                              without vmlinuz-)\n"
		"  -c, --cpus N                guest CPUs (default 2)\n"
		"  -m, --mem SIZE              guest memory, qemu syntax: 2G, 1536M (default 2G)\n"
		"  -o, --output DIR            where results go (default results/vm)\n"
		"  -t, --timeout S             per boot, in seconds (default 600)\n"
		"      --accel tcg|tcg-single|kvm  default tcg (-accel tcg,thread=multi: one host\n"
		"                              thread per vCPU); tcg-single: one thread for all;\n"
		"                              kvm needs a /dev/kvm that can run the image\n"
		"      --preempt MODE          preempt= on every kernel's command line (default full)\n"
		"      --append ARGS           more kernel command line\n"
		"      --initramfs FILE        use this archive instead of scripts/mkinitramfs.sh's\n"
		"exit: the worst of the runs; 4 if a kernel skipped, 5 if a boot timed out or\n"
		"returned no result (DIR/LABEL/console.log says why)\n");
}

/* Severity order for "the worst of the runs". */
int pt_vm_worse(int a, int b)
{
	static const int rank[] = { [0] = 0, [4] = 1, [3] = 2, [1] = 3, [2] = 4, [5] = 5 };
	int ra = a >= 0 && a <= 5 ? rank[a] : 5, rb = b >= 0 && b <= 5 ? rank[b] : 5;

	return ra >= rb ? a : b;
}

__attribute__((format(printf, 2, 3))) static int usage_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ptbench %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (ptbench %s --help)\n", cmd);
	return PT_EXIT_USAGE;
}

static bool valid_mem(const char *s)
{
	char *end;
	unsigned long long v;

	/* strtoull takes "-1" as 2^64-1: digits only */
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	return !errno && end != s && v > 0 && v < (1ULL << 40) &&
	       (!*end || (strchr("MmGg", *end) && !end[1]));
}

/* A file qemu will read: it must be a readable regular file. */
static int check_input_file(const char *cmd, const char *flag, const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return usage_err(cmd, "%s: cannot read %s: %s", flag, path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return usage_err(cmd, "%s: %s is not a regular file", flag, path);
	if (access(path, R_OK))
		return usage_err(cmd, "%s: cannot read %s: %s", flag, path, strerror(errno));
	return 0;
}

void pt_vm_args_init(struct pt_vm_args *a, const char *cmd)
{
	a->cmd = cmd;
	a->cpus = 2;
	a->mem = "2G";
	a->outdir = "results/vm";
	a->accel = "tcg";
	a->preempt = "full";
	a->timeout_s = 600;
}

int pt_vm_add_kernel(struct pt_vm_args *a, const char *spec)
{
	char err[512];

	if (a->nkernels == PT_VM_MAX_KERNELS)
		return usage_err(a->cmd, "at most %d kernels", PT_VM_MAX_KERNELS);
	if (pt_vm_kernel_spec(spec, &a->image[a->nkernels], &a->label[a->nkernels], err,
			      sizeof(err)))
		return usage_err(a->cmd, "%s", err);
	a->nkernels++;	/* from here on freed with the others */
	return check_input_file(a->cmd, "--kernel", a->image[a->nkernels - 1]);
}

int pt_vm_option(struct pt_vm_args *a, int opt, const char *arg)
{
	char *end;
	long v;

	switch (opt) {
	case 'c':
		v = strtol(arg, &end, 10);
		if (*end || end == arg || v < 1 || v > 256)
			return usage_err(a->cmd, "--cpus '%s': want a number from 1 to 256", arg);
		a->cpus = (int)v;
		return 0;
	case 'm':
		if (!valid_mem(arg))
			return usage_err(a->cmd, "--mem '%s': want a size such as 2G or 1536M", arg);
		a->mem = arg;
		return 0;
	case 't':
		v = strtol(arg, &end, 10);
		if (*end || end == arg || v < 1 || v > 86400)
			return usage_err(a->cmd, "--timeout '%s': want seconds from 1 to 86400", arg);
		a->timeout_s = (int)v;
		return 0;
	case 'A':
		if (strcmp(arg, "tcg") && strcmp(arg, "tcg-single") && strcmp(arg, "kvm"))
			return usage_err(a->cmd, "--accel '%s': want tcg, tcg-single or kvm", arg);
		a->accel = arg;
		return 0;
	case 'P':
		if (strcmp(arg, "none") && strcmp(arg, "voluntary") && strcmp(arg, "full") &&
		    strcmp(arg, "lazy"))
			return usage_err(a->cmd, "--preempt '%s': want none, voluntary, full or lazy", arg);
		a->preempt = arg;
		return 0;
	case 'a':
		a->append = arg;
		return 0;
	case 'I':
		if (check_input_file(a->cmd, "--initramfs", arg))
			return PT_EXIT_USAGE;
		a->initramfs = arg;
		return 0;
	}
	return usage_err(a->cmd, "%s", "bad option");
}

int pt_vm_take_scenarios(struct pt_vm_args *a, int argc, char **argv, int i)
{
	for (; i < argc && argv[i][0] != '-'; i++) {
		const char *s = argv[i];
		char *path = pt_scenario_resolve(s), *base, *dot;

		if (!path)
			return usage_err(a->cmd, "scenario '%s' not found (ptbench list)", s);
		if (a->nscen == PT_VM_MAX_SCENARIOS) {
			free(path);
			return usage_err(a->cmd, "at most %d scenarios per boot", PT_VM_MAX_SCENARIOS);
		}
		base = strrchr(path, '/');
		base = pt_xstrdup(base ? base + 1 : path);
		dot = strrchr(base, '.');
		if (dot && !strcmp(dot, ".ini"))
			*dot = '\0';
		for (int j = 0; j < a->nscen; j++) {
			if (!strcmp(a->scen_name[j], base)) {
				usage_err(a->cmd, "scenario '%s' given twice", base);
				free(path);
				free(base);
				return PT_EXIT_USAGE;
			}
		}
		a->scen_path[a->nscen] = path;
		a->scen_name[a->nscen++] = base;
	}
	if (!a->nscen)
		return usage_err(a->cmd, "%s", "no scenario given");
	a->run_args = argv + i;
	a->nrun_args = argc - i;
	for (int j = 0; j < a->nrun_args; j++) {
		const char *r = a->run_args[j];

		if (strchr(r, '\n'))
			return usage_err(a->cmd, "run argument '%s' holds a newline", r);
		if (!strcmp(r, "-o") || !strncmp(r, "--output", 8) || !strncmp(r, "--sweep", 7))
			return usage_err(a->cmd, "`ptbench %s` names the result files itself: drop %s",
					 a->cmd, r);
	}
	/* a bad run argument is found here, not after booting a kernel */
	for (int k = 0; k < a->nscen; k++)
		if (pt_run_check_args(a->scen_path[k], a->nrun_args, a->run_args))
			return usage_err(a->cmd, "the arguments after `run` do not apply to %s", a->scen_name[k]);
	return 0;
}

static int parse_args(int argc, char **argv, struct pt_vm_args *a)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' }, { "cpus", required_argument, NULL, 'c' },
		{ "mem", required_argument, NULL, 'm' },    { "output", required_argument, NULL, 'o' },
		{ "timeout", required_argument, NULL, 't' }, { "accel", required_argument, NULL, 'A' },
		{ "preempt", required_argument, NULL, 'P' }, { "append", required_argument, NULL, 'a' },
		{ "initramfs", required_argument, NULL, 'I' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	pt_vm_args_init(a, "vm");
	opterr = 0;
	optind = 1;
	/* '+': stop at "run"; what follows belongs to the guest's ptbench run */
	while ((c = getopt_long(argc, argv, "+k:c:m:o:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if ((rc = pt_vm_add_kernel(a, optarg)))
				return rc;
			/* vm stores each kernel's results under DIR/LABEL (gate keeps
			 * base and candidate apart itself, the same image twice included) */
			for (int i = 0; i < a->nkernels - 1; i++)
				if (!strcmp(a->label[i], a->label[a->nkernels - 1]))
					return usage_err(a->cmd, "two kernels share the label '%s': name them IMAGE:LABEL",
							 a->label[i]);
			break;
		case 'o': a->outdir = optarg; break;
		case 'h': vm_usage(stdout); exit(PT_EXIT_OK);
		case 'c': case 'm': case 't': case 'A': case 'P': case 'a': case 'I':
			if ((rc = pt_vm_option(a, c, optarg)))
				return rc;
			break;
		default:
			pt_cli_bad_option("vm", argv, longopts);
			return usage_err(a->cmd, "%s", "bad option");
		}
	}
	if (!a->nkernels)
		return usage_err(a->cmd, "%s", "no --kernel IMAGE given");
	if (optind >= argc || strcmp(argv[optind], "run"))
		return usage_err(a->cmd, "%s", "want `run SCENARIO...` after the options");
	return pt_vm_take_scenarios(a, argc, argv, optind + 1);
}

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
static int add_kernel_config(FILE *f, const char *image)
{
	const char *base = strrchr(image, '/');
	char cfg[PATH_MAX], name[PATH_MAX];
	size_t dirlen, len;
	char *text;
	int ret;

	base = base ? base + 1 : image;
	if (strncmp(base, "vmlinuz-", 8) || !base[8])
		return 0;
	dirlen = (size_t)(base - image);
	snprintf(cfg, sizeof(cfg), "%.*sconfig-%s", (int)dirlen, image, base + 8);
	text = pt_read_file(cfg, &len);
	if (!text)
		return 0;
	snprintf(name, sizeof(name), "boot/config-%s", base + 8);
	ret = pt_vm_cpio_entry(f, "boot", 040755, NULL, 0) ||
	      pt_vm_cpio_entry(f, name, 0100644, text, len) ? -1 : 0;
	free(text);
	return ret;
}

/* The initrd of one boot: the cached archive, then this run's work. */
static int write_initrd(const char *path, const char *base, const struct pt_vm_args *a, int k)
{
	FILE *f = fopen(path, "wb");
	char name[PATH_MAX], *list = NULL, *args = NULL;
	size_t llen = 0, alen = 0;
	FILE *lf, *af;
	long off;
	int ret = -1;

	if (!f)
		return -1;
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

/* Boot; returns the wait status, or -1 when it ran past the timeout. */
static int boot(const struct pt_vm_args *a, const char *image, const char *initrd, const char *cmdline,
		const char *console, const char *channel, const char *qemu_log)
{
	char smp[16], con[PATH_MAX * 2 + 32], chn[PATH_MAX * 2 + 32];
	char *ec = qemu_escape(console), *eh = qemu_escape(channel);
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
	pid_t pid;

	snprintf(smp, sizeof(smp), "%d", a->cpus);
	snprintf(con, sizeof(con), "file,id=con,path=%s", ec);
	snprintf(chn, sizeof(chn), "file,id=chn,path=%s", eh);
	free(ec);
	free(eh);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -2;
	if (pid == 0) {
		int fd = open(qemu_log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int nul = open("/dev/null", O_RDONLY);

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
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -2;
		if (pt_now_ns() > deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
}

static json_object *vm_json(const struct pt_vm_args *a, int k, const char *cmdline, double wall_s,
			    const char *release)
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
	json_object_object_add(o, "preempt", json_object_new_string(a->preempt));
	json_object_object_add(o, "cmdline", json_object_new_string(cmdline));
	json_object_object_add(o, "boot_and_run_s", json_object_new_double(wall_s));
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

/* One kernel: boot, store its results; returns the worst exit code. */
int pt_vm_boot(const struct pt_vm_args *a, int k, const char *base, const char *dir, int *rcs)
{
	char initrd[PATH_MAX + 16], console[PATH_MAX + 16], channel[PATH_MAX + 16];
	char qlog[PATH_MAX + 16], path[PATH_MAX * 2], cmdline[4096];

	if (strlen(dir) + 64 > PATH_MAX) {
		fprintf(stderr, "ptbench %s: %s: path too long\n", a->cmd, dir);
		return PT_EXIT_USAGE;
	}
	int scen_rc[PT_VM_MAX_SCENARIOS];
	struct pt_vm_channel ch;
	uint64_t t0;
	double wall;
	char *text;
	int status, worst = PT_EXIT_OK;

	if (pt_vm_mkdirs(dir)) {
		fprintf(stderr, "ptbench %s: %s: %s\n", a->cmd, dir, strerror(errno));
		return PT_EXIT_RUNTIME;
	}
	snprintf(initrd, sizeof(initrd), "%s/.initrd", dir);
	snprintf(console, sizeof(console), "%s/console.log", dir);
	snprintf(channel, sizeof(channel), "%s/channel.log", dir);
	snprintf(qlog, sizeof(qlog), "%s/qemu.log", dir);
	snprintf(cmdline, sizeof(cmdline), "console=ttyS0 panic=-1 loglevel=4 preempt=%s%s%s",
		 a->preempt, a->append ? " " : "", a->append ? a->append : "");
	unlink(channel);
	if (write_initrd(initrd, base, a, k)) {
		fprintf(stderr, "ptbench %s: %s: %s\n", a->cmd, initrd, strerror(errno));
		unlink(initrd);
		return PT_EXIT_RUNTIME;
	}
	t0 = pt_now_ns();
	status = boot(a, a->image[k], initrd, cmdline, console, channel, qlog);
	wall = (double)(pt_now_ns() - t0) / 1e9;
	unlink(initrd);

	text = pt_read_file(channel, NULL);
	pt_vm_parse_channel(text ? text : (char[]){ "" }, &ch);
	if (status == -1)
		printf("%-20s timed out after %ds (%s)\n", a->label[k], a->timeout_s, console);
	else if (status == -2 || !WIFEXITED(status) || WEXITSTATUS(status))
		printf("%-20s qemu failed (%s, %s)\n", a->label[k], qlog, console);
	else if (!ch.release)
		printf("%-20s the guest never reached ptbench (%s)\n", a->label[k], console);
	for (int i = 0; i < a->nscen; i++) {
		int rc = PT_EXIT_RUNTIME;
		const char *what = "no result";

		for (int r = 0; r < ch.nresults; r++) {
			json_object *doc;

			if (ch.results[r].index != i)
				continue;
			rc = ch.results[r].rc;
			what = rc == PT_EXIT_SKIP ? "skipped" : "no result file";
			if (!ch.results[r].complete) {
				rc = PT_EXIT_RUNTIME;
				what = "result cut off";
				break;
			}
			if (!ch.results[r].json)
				break;
			doc = json_tokener_parse(ch.results[r].json);
			if (!doc) {
				rc = PT_EXIT_RUNTIME;
				what = "result is not JSON";
				break;
			}
			json_object_object_add(doc, "vm", vm_json(a, k, cmdline, wall, ch.release));
			snprintf(path, sizeof(path), "%s/%s.json", dir, a->scen_name[i]);
			if (pt_result_write(doc, path)) {
				fprintf(stderr, "ptbench %s: %s: %s\n", a->cmd, path, strerror(errno));
				rc = PT_EXIT_RUNTIME;
				what = "cannot write";
			} else {
				what = path;
			}
			json_object_put(doc);
			break;
		}
		printf("%-20s %-22s %-26s exit %d  %s  (boot+run %.1fs, %s)\n", a->label[k],
		       ch.release ? ch.release : "-", a->scen_name[i], rc, what, wall,
		       a->accel);
		worst = pt_vm_worse(worst, rc);
		scen_rc[i] = rc;
	}
	if (worst != PT_EXIT_RUNTIME)
		unlink(channel);	/* everything it held is in the result files */
	/* a sidecar that holds even when no result came back */
	{
		json_object *o = vm_json(a, k, cmdline, wall, ch.release);

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

void pt_vm_args_free(struct pt_vm_args *a)
{
	for (int i = 0; i < a->nkernels; i++) {
		free(a->image[i]);
		free(a->label[i]);
	}
	for (int i = 0; i < a->nscen; i++) {
		free((char *)a->scen_path[i]);
		free(a->scen_name[i]);
	}
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

static int vm_main(struct pt_vm_args *a)
{
	char *base, dir[PATH_MAX];
	int worst = PT_EXIT_OK, rc = pt_vm_prepare(a, &base);

	if (rc)
		return rc;
	for (int k = 0; k < a->nkernels; k++) {
		if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", a->outdir, a->label[k]) >= sizeof(dir)) {
			fprintf(stderr, "ptbench vm: %s: path too long\n", a->outdir);
			worst = pt_vm_worse(worst, PT_EXIT_USAGE);
			continue;
		}
		worst = pt_vm_worse(worst, pt_vm_boot(a, k, base, dir, NULL));
	}
	free(base);
	return worst;
}

int cmd_vm(int argc, char **argv)
{
	struct pt_vm_args a = { 0 };
	int rc;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		vm_usage(stdout);
		return PT_EXIT_OK;
	}
	rc = parse_args(argc, argv, &a);
	if (!rc)
		rc = vm_main(&a);
	pt_vm_args_free(&a);
	return rc;
}
