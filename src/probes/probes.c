/* The probe list: one line per probe in src/probes/. */
#include <stddef.h>

#include "ptbench/probe.h"

extern const struct pt_probe pt_probe_vmstat;
extern const struct pt_probe pt_probe_mmap_lock;
extern const struct pt_probe pt_probe_ptmem;
extern const struct pt_probe pt_probe_vma_lock;
extern const struct pt_probe pt_probe_ptlife;
extern const struct pt_probe pt_probe_tail;

const struct pt_probe *const pt_probes[] = {
	&pt_probe_vmstat,
	&pt_probe_mmap_lock,
	&pt_probe_ptmem,
	&pt_probe_vma_lock,
	&pt_probe_ptlife,
	&pt_probe_tail,
	NULL,
};
