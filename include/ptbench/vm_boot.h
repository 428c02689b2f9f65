/* Booting kernel images under qemu and running scenarios there: the
 * machinery behind `ptbench vm`, shared with `ptbench gate` (which boots
 * two kernels in turn). src/vm/vm_args.c holds the options, src/vm/vm_boot.c
 * the boots. */
#ifndef PTBENCH_VM_BOOT_H
#define PTBENCH_VM_BOOT_H

#include "ptbench/vm.h"
#include "ptbench/vm_topology.h"

#define PT_VM_MAX_KERNELS 64

struct pt_vm_args {
	const char *cmd;	/* "vm" or "gate": the word in messages */
	const char *kernel_flag;	/* the flag a kernel came from, in messages ("--kernel") */
	char *image[PT_VM_MAX_KERNELS], *label[PT_VM_MAX_KERNELS];
	int nkernels;
	int cpus;
	bool cpus_given;	/* --cpus was given: it must agree with --topology */
	const char *topology;	/* --topology SPEC, or NULL */
	struct pt_vm_topology topo;	/* parsed from it */
	const char *mem;
	const char *outdir;
	const char *accel;
	const char *preempt;
	const char *append;
	const char *initramfs;
	int timeout_s;
	const char *scen_path[PT_VM_MAX_SCENARIOS];	/* resolved on the host */
	char *scen_name[PT_VM_MAX_SCENARIOS];		/* result file name */
	int nscen;
	char **run_args;
	int nrun_args;
};

/* Defaults of the guest options (cpus 2, mem 2G, accel tcg, preempt full,
 * timeout 600 s). */
void pt_vm_args_init(struct pt_vm_args *a, const char *cmd);
/* One guest option of getopt_long's longopts below (by its val): 0, or
 * PT_EXIT_USAGE after a message. Options: c cpus, m mem, t timeout,
 * A accel, P preempt, a append, I initramfs, T topology. */
int pt_vm_option(struct pt_vm_args *a, int opt, const char *arg);
/* After the last guest option: what holds between them (--topology against
 * --cpus and --mem), in whatever order they came. 0 or PT_EXIT_USAGE. */
int pt_vm_options_done(struct pt_vm_args *a);
/* A kernel IMAGE[:LABEL]: appended to a; 0 or PT_EXIT_USAGE after a message. */
int pt_vm_add_kernel(struct pt_vm_args *a, const char *spec);
/* SCENARIO... [RUN-ARGS] from argv[i]: the scenarios (up to the first word
 * starting with '-') are resolved on the host, the rest become the guest's
 * `ptbench run` arguments (-o and --sweep refused). 0 or PT_EXIT_USAGE. */
int pt_vm_take_scenarios(struct pt_vm_args *a, int argc, char **argv, int i);
void pt_vm_args_free(struct pt_vm_args *a);
/* "ptbench CMD: MESSAGE" on stderr; returns PT_EXIT_USAGE. */
__attribute__((format(printf, 2, 3))) int pt_vm_usage_err(const char *cmd, const char *fmt, ...);

/* Before any boot: qemu present (else 4, the reason printed), /dev/kvm for
 * --accel kvm, the initramfs built or taken from --initramfs (*base, to
 * free). 0 or an exit code. */
int pt_vm_prepare(const struct pt_vm_args *a, char **base);
/* Boot kernel k once, with its files in dir (created): console.log,
 * qemu.log, vm.json and one SCENARIO.json per result. rcs[i] (when not
 * NULL) gets scenario i's exit code. Returns the worst of them. */
int pt_vm_boot(const struct pt_vm_args *a, int k, const char *base, const char *dir, int *rcs);
/* Severity order of `ptbench vm`'s exit codes: the worse of a and b. */
int pt_vm_worse(int a, int b);
/* mkdir -p */
int pt_vm_mkdirs(const char *path);

#endif
