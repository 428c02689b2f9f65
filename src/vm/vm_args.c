/* The options of a kernel matrix (`vm`, `gate`): kernels and labels, guest
 * size, timeout, accelerator, the scenarios and the guest's `ptbench run`
 * arguments (checked on the host with the run's own argument checker). */
#include <errno.h>
#include <fcntl.h>
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
#include "ptbench/exitcodes.h"
#include "ptbench/result.h"
#include "ptbench/safe_name.h"
#include "ptbench/scenario.h"
#include "ptbench/util.h"
#include "ptbench/vm.h"
#include "ptbench/vm_boot.h"
#include "ptbench/run_args.h"

/* Severity order for "the worst of the runs". */
int pt_vm_worse(int a, int b)
{
	static const int rank[] = { [0] = 0, [4] = 1, [3] = 2, [1] = 3, [2] = 4, [5] = 5 };
	int ra = a >= 0 && a <= 5 ? rank[a] : 5, rb = b >= 0 && b <= 5 ? rank[b] : 5;

	return ra >= rb ? a : b;
}

int pt_vm_usage_err(const char *cmd, const char *fmt, ...)
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
		return pt_vm_usage_err(cmd, "%s: cannot read %s: %s", flag, path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return pt_vm_usage_err(cmd, "%s: %s is not a regular file", flag, path);
	if (access(path, R_OK))
		return pt_vm_usage_err(cmd, "%s: cannot read %s: %s", flag, path, strerror(errno));
	return 0;
}

/* An image qemu -kernel boots as x86 Linux: the boot protocol's header
 * signature "HdrS" at 0x202 (Documentation/arch/x86/boot.rst), which every
 * bzImage carries. A file without it would make qemu fail after the
 * initramfs is built and DIR/LABEL is written. */
static int check_kernel_image(const char *cmd, const char *flag, const char *path)
{
	char magic[4];
	ssize_t n = -1;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0) {
		n = pread(fd, magic, sizeof(magic), 0x202);
		close(fd);
	}
	if (n != (ssize_t)sizeof(magic) || memcmp(magic, "HdrS", sizeof(magic)))
		return pt_vm_usage_err(cmd, "%s: %s is not an x86 kernel image (no \"HdrS\" boot header at 0x202): "
				       "give a bzImage (arch/x86/boot/bzImage, /boot/vmlinuz-RELEASE)", flag, path);
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
	const char *flag;
	char err[512];
	int rc;

	if (a->nkernels == PT_VM_MAX_KERNELS)
		return pt_vm_usage_err(a->cmd, "at most %d kernels", PT_VM_MAX_KERNELS);
	if (pt_vm_kernel_spec(spec, &a->image[a->nkernels], &a->label[a->nkernels], err,
			      sizeof(err)))
		return pt_vm_usage_err(a->cmd, "%s", err);
	a->nkernels++;	/* from here on freed with the others */
	flag = a->kernel_flag ? a->kernel_flag : "--kernel";
	if ((rc = check_input_file(a->cmd, flag, a->image[a->nkernels - 1])))
		return rc;
	return check_kernel_image(a->cmd, flag, a->image[a->nkernels - 1]);
}

int pt_vm_option(struct pt_vm_args *a, int opt, const char *arg)
{
	char *end;
	long v;

	switch (opt) {
	case 'c':
		v = strtol(arg, &end, 10);
		if (*end || end == arg || v < 1 || v > 256)
			return pt_vm_usage_err(a->cmd, "--cpus '%s': want a number from 1 to 256", arg);
		a->cpus = (int)v;
		a->cpus_given = true;
		return 0;
	case 'm':
		if (!valid_mem(arg))
			return pt_vm_usage_err(a->cmd, "--mem '%s': want a size such as 2G or 1536M", arg);
		a->mem = arg;
		return 0;
	case 't':
		v = strtol(arg, &end, 10);
		if (*end || end == arg || v < 1 || v > 86400)
			return pt_vm_usage_err(a->cmd, "--timeout '%s': want seconds from 1 to 86400", arg);
		a->timeout_s = (int)v;
		return 0;
	case 'A':
		if (strcmp(arg, "tcg") && strcmp(arg, "tcg-single") && strcmp(arg, "kvm"))
			return pt_vm_usage_err(a->cmd, "--accel '%s': want tcg, tcg-single or kvm", arg);
		a->accel = arg;
		return 0;
	case 'P':
		if (strcmp(arg, "none") && strcmp(arg, "voluntary") && strcmp(arg, "full") &&
		    strcmp(arg, "lazy"))
			return pt_vm_usage_err(a->cmd, "--preempt '%s': want none, voluntary, full or lazy", arg);
		a->preempt = arg;
		return 0;
	case 'a':
		a->append = arg;
		return 0;
	case 'T': {
		char err[256];

		if (pt_vm_topology_parse(arg, &a->topo, err, sizeof(err)))
			return pt_vm_usage_err(a->cmd, "%s", err);
		a->topology = arg;
		return 0;
	}
	case 'I':
		if (check_input_file(a->cmd, "--initramfs", arg))
			return PT_EXIT_USAGE;
		a->initramfs = arg;
		return 0;
	}
	return pt_vm_usage_err(a->cmd, "%s", "bad option");
}

int pt_vm_options_done(struct pt_vm_args *a)
{
	char err[256];
	int cpus;

	if (!a->topology)
		return 0;
	cpus = pt_vm_topology_cpus(&a->topo);
	if (a->cpus_given && a->cpus != cpus)
		return pt_vm_usage_err(a->cmd, "--cpus %d and --topology '%s' (%d CPUs) disagree: drop --cpus",
				       a->cpus, a->topology, cpus);
	if (pt_vm_topology_check_mem(&a->topo, a->topology, a->mem, err, sizeof(err)))
		return pt_vm_usage_err(a->cmd, "%s", err);
	a->cpus = cpus;
	return 0;
}

int pt_vm_take_scenarios(struct pt_vm_args *a, int argc, char **argv, int i)
{
	for (; i < argc && argv[i][0] != '-'; i++) {
		const char *s = argv[i];
		char *path = pt_scenario_resolve(s), *base, *dot;

		if (!path)
			return pt_vm_usage_err(a->cmd, "scenario '%s' not found (ptbench list)", s);
		if (a->nscen == PT_VM_MAX_SCENARIOS) {
			free(path);
			return pt_vm_usage_err(a->cmd, "at most %d scenarios per boot", PT_VM_MAX_SCENARIOS);
		}
		base = strrchr(path, '/');
		base = pt_xstrdup(base ? base + 1 : path);
		dot = strrchr(base, '.');
		if (dot && !strcmp(dot, ".ini"))
			*dot = '\0';
		/* the name becomes DIR/LABEL/NAME.json here and in the guest */
		char prefix[32];

		snprintf(prefix, sizeof(prefix), "ptbench %s", a->cmd);
		if (pt_name_check(prefix, "scenario name", base, s)) {
			free(path);
			free(base);
			return PT_EXIT_USAGE;
		}
		for (int j = 0; j < a->nscen; j++) {
			if (!strcmp(a->scen_name[j], base)) {
				pt_vm_usage_err(a->cmd, "scenario '%s' given twice", base);
				free(path);
				free(base);
				return PT_EXIT_USAGE;
			}
		}
		a->scen_path[a->nscen] = path;
		a->scen_name[a->nscen++] = base;
	}
	if (!a->nscen)
		return pt_vm_usage_err(a->cmd, "%s", "no scenario given");
	a->run_args = argv + i;
	a->nrun_args = argc - i;
	for (int j = 0; j < a->nrun_args; j++) {
		const char *r = a->run_args[j];

		if (strchr(r, '\n'))
			return pt_vm_usage_err(a->cmd, "run argument '%s' holds a newline", r);
		if (!strcmp(r, "-o") || !strncmp(r, "--output", 8))
			return pt_vm_usage_err(a->cmd, "`ptbench %s` names the result files itself: drop %s",
					 a->cmd, r);
		/* vm stores a sweep's points as SCENARIO.threads-N.json; the
		 * gate compares one result per scenario and kernel */
		if (!strncmp(r, "--sweep", 7) && strcmp(a->cmd, "vm"))
			return pt_vm_usage_err(a->cmd, "`ptbench %s` compares one result per scenario: drop %s",
					 a->cmd, r);
		/* the guest's files stay in the guest: the result carries the stacks */
		if (!strncmp(r, "--folded", 8))
			return pt_vm_usage_err(a->cmd,
					       "the guest's --folded file would stay in the guest: drop it (--tail-threshold "
					       "turns the tail probe on; the result holds its stacks)");
	}
	/* a bad run argument is found here, not after booting a kernel */
	for (int k = 0; k < a->nscen; k++)
		if (pt_run_check_args(a->scen_path[k], a->nrun_args, a->run_args))
			/* the message above says which: the scenario file or an argument */
			return pt_vm_usage_err(a->cmd, "scenario %s with the arguments after `run`: refused (above)",
					 a->scen_name[k]);
	return 0;
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

