/* /proc/vmstat snapshots (the counters that matter to page-table work). */
#ifndef PTBENCH_VMSTAT_H
#define PTBENCH_VMSTAT_H

#include <stddef.h>

#define PT_VMSTAT_MAX 96

struct pt_vmstat {
	char name[PT_VMSTAT_MAX][64];
	long long val[PT_VMSTAT_MAX];
	size_t n;
};

int pt_vmstat_read(struct pt_vmstat *v);
/* 0 when the counter is absent (older kernels lack some) */
long long pt_vmstat_get(const struct pt_vmstat *v, const char *name);

#endif
