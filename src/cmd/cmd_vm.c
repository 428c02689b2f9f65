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
#include "ptbench/output_file.h"
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
		"--duration 300ms --repeat 1 --set role.key=value; --sweep ROLE.threads=LIST runs\n"
		"every point in the one boot: DIR/LABEL/SCENARIO.threads-N.json).\n"
		"  -k, --kernel IMAGE[:LABEL]  a bzImage; repeat for a matrix (label: file name\n"
		"                              without vmlinuz-)\n"
		"  -c, --cpus N                guest CPUs (default 2)\n"
		"      --topology SPEC         sockets, cores, threads and NUMA nodes, e.g.\n"
		"                              2s2c2t,nodes=2[,dist=30 | ,dist=0-1:30,...]:\n"
		"                              sets the CPUs; --mem split evenly over the nodes\n"
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
		"returned no result (DIR/LABEL/console.log says why), 2 if a guest's result is\n"
		"not a valid ptbench result (not stored; the message says why)\n");
}

static int parse_args(int argc, char **argv, struct pt_vm_args *a)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' }, { "cpus", required_argument, NULL, 'c' },
		{ "mem", required_argument, NULL, 'm' },    { "output", required_argument, NULL, 'o' },
		{ "timeout", required_argument, NULL, 't' }, { "accel", required_argument, NULL, 'A' },
		{ "preempt", required_argument, NULL, 'P' }, { "append", required_argument, NULL, 'a' },
		{ "initramfs", required_argument, NULL, 'I' }, { "topology", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
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
					return pt_vm_usage_err(a->cmd, "two kernels share the label '%s': name them IMAGE:LABEL",
							 a->label[i]);
			break;
		case 'o':
			if (pt_cli_output_arg("vm", "-o", optarg))
				return PT_EXIT_USAGE;
			a->outdir = optarg;
			break;
		case 'h': vm_usage(stdout); exit(PT_EXIT_OK);
		case 'c': case 'm': case 't': case 'A': case 'P': case 'a': case 'I': case 'T':
			if ((rc = pt_vm_option(a, c, optarg)))
				return rc;
			break;
		default:
			pt_cli_bad_option("vm", argv, longopts);
			return pt_vm_usage_err(a->cmd, "%s", "bad option");
		}
	}
	if ((rc = pt_vm_options_done(a)))
		return rc;
	if (!a->nkernels)
		return pt_vm_usage_err(a->cmd, "%s", "no --kernel IMAGE given");
	if (optind >= argc || strcmp(argv[optind], "run"))
		return pt_vm_usage_err(a->cmd, "%s", "want `run SCENARIO...` after the options");
	return pt_vm_take_scenarios(a, argc, argv, optind + 1);
}

static int vm_main(struct pt_vm_args *a)
{
	char *base, dir[PATH_MAX], why[PATH_MAX + 128];
	int worst = PT_EXIT_OK, rc;

	/* an -o that cannot take the results is a usage error, as run's -o,
	 * found before the initramfs is built or a kernel booted */
	if (pt_output_dir_check(a->outdir, why, sizeof(why))) {
		fprintf(stderr, "ptbench vm: -o %s: %s\n", a->outdir, why);
		return PT_EXIT_USAGE;
	}
	if ((rc = pt_vm_prepare(a, &base)))
		return rc;
	for (int k = 0; k < a->nkernels; k++) {
		if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", a->outdir, a->label[k]) >= sizeof(dir)) {
			fprintf(stderr, "ptbench vm: %s: path too long\n", a->outdir);
			worst = pt_vm_worse(worst, PT_EXIT_USAGE);
			continue;
		}
		rc = pt_vm_boot(a, k, base, dir, NULL);
		if (rc > PT_EXIT_RUNTIME) {
			/* a signal: qemu is gone, no further kernel is booted */
			free(base);
			return rc;
		}
		worst = pt_vm_worse(worst, rc);
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
