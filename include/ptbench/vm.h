/* ptbench vm: the pieces of booting a kernel image under qemu that can be
 * tested on their own (doc/design.md: the kernel matrix). The host hands the guest
 * its work as a small cpio appended to the cached initramfs; the guest hands
 * the result files back on its second serial port between marker lines. */
#ifndef PTBENCH_VM_H
#define PTBENCH_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define PT_VM_MAX_SCENARIOS 32
/* results on the channel: a sweep sends one per point (PT_SWEEP_MAX 64) */
#define PT_VM_MAX_RESULTS 256

/* IMAGE[:LABEL]: the label defaults to the image's file name without
 * "vmlinuz-"; labels name directories, so only [A-Za-z0-9._+-] are allowed.
 * Returns 0, or -1 with a message in err. */
int pt_vm_kernel_spec(const char *spec, char **image, char **label, char *err, size_t errlen);

/* One entry of an uncompressed newc cpio archive (mode as in st_mode, e.g.
 * S_IFREG | 0644 or S_IFDIR | 0755); pt_vm_cpio_trailer() ends it. The
 * archive must start at a 4-byte boundary of the initramfs. */
int pt_vm_cpio_entry(FILE *f, const char *name, unsigned mode, const void *data, size_t len);
int pt_vm_cpio_trailer(FILE *f);

/* What the guest said on its channel (ttyS1). */
struct pt_vm_channel {
	char *release;		/* the guest's uname -r, or NULL if it never spoke */
	int nresults;		/* results seen (begin marker present) */
	bool done;		/* the final marker arrived: the guest finished */
	struct {
		int index;	/* position in the scenario list */
		int rc;		/* exit status of the guest's ptbench run */
		bool complete;	/* the end marker arrived */
		char *json;	/* NUL-terminated, inside the parsed text; NULL if empty */
		/* a sweep point's suffix ("threads-4": stored as
		 * SCENARIO.threads-4.json), "" for a plain run */
		char point[24];
		bool bad_point;	/* the marker named a point that is not threads-N */
	} results[PT_VM_MAX_RESULTS];
};

/* Parse the channel text in place (it is modified: markers NUL-terminated,
 * carriage returns dropped). Never fails: what is missing stays missing. */
void pt_vm_parse_channel(char *text, struct pt_vm_channel *ch);

#endif
