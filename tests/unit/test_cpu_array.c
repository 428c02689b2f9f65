/* The lock probes' CPU-first plain arrays (src/bpf/cpu_array.bpf.h,
 * pt_bpf_size_cpu_array and pt_bpf_read_cpu_array in src/probes/lock_bpf.c):
 * a map is sized to the possible CPUs times its part, one too large for an
 * array map is refused with its sizes and left as it was, and an array
 * filled key by key reads back CPU-major, every value where its key says,
 * through the batch lookup and for values larger than eight bytes. Sizing
 * needs only the BPF object (no privilege); reading makes maps, so it needs
 * root or CAP_BPF, and skips say why. Built without BPF, it says so. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptbench/lock_bpf.h"
#include "tap.h"

#ifdef PTBENCH_HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "mmap_lock.skel.h"

struct wide { /* a value larger than 8 bytes, as the group counters are */
	uint64_t a, b, c;
};

static void sizing(void)
{
	struct ptbench_mmap_lock *skel = ptbench_mmap_lock__open();
	int ncpus = libbpf_num_possible_cpus();
	char why[256] = "";
	__u32 before;

	if (!tap_ok(skel != NULL, "the mmap_lock BPF object opens")) {
		tap_ok(1, "# SKIP no BPF object: %s", strerror(errno));
		return;
	}
	tap_ok(pt_bpf_size_cpu_array(skel->maps.ptbench_ml_hist, 1000, sizeof(uint64_t), why, sizeof(why)) == 0,
	       "1000 values a CPU: sized (%s)", why);
	tap_ok(bpf_map__max_entries(skel->maps.ptbench_ml_hist) == (__u32)ncpus * 1000,
	       "max_entries is %d possible CPUs x 1000: %u", ncpus, bpf_map__max_entries(skel->maps.ptbench_ml_hist));
	before = bpf_map__max_entries(skel->maps.ptbench_ml_grp);
	why[0] = 0;
	tap_ok(pt_bpf_size_cpu_array(skel->maps.ptbench_ml_grp, (size_t)1 << 30, sizeof(struct pt_bpf_ml_group), why,
				     sizeof(why)) == -1,
	       "2^30 group counters a CPU: refused");
	tap_ok(strstr(why, "ptbench_ml_grp") && strstr(why, "more than a BPF array holds") && strstr(why, "GiB"),
	       "why names the map and the size: '%s'", why);
	tap_ok(bpf_map__max_entries(skel->maps.ptbench_ml_grp) == before, "a refused map keeps its size (%u)",
	       bpf_map__max_entries(skel->maps.ptbench_ml_grp));
	ptbench_mmap_lock__destroy(skel);
}

/* an array of ncpus * per_cpu values of size vsize, value k filled from k */
static int filled_array(size_t per_cpu, size_t vsize, int ncpus)
{
	__u32 n = (__u32)(per_cpu * (size_t)ncpus);
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "pt_test_cpuarr", sizeof(__u32), (__u32)vsize, n, NULL);

	if (fd < 0)
		return -1;
	for (__u32 k = 0; k < n; k++) {
		struct wide w = { k, ~(uint64_t)k, (uint64_t)k * 3 };

		if (bpf_map_update_elem(fd, &k, &w, BPF_ANY)) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

static void reading(void)
{
	int ncpus = libbpf_num_possible_cpus(), fd, got;
	size_t per_cpu = 5000, bad = 0;
	uint64_t *v = NULL;
	struct wide *w = NULL;

	fd = filled_array(per_cpu, sizeof(uint64_t), ncpus);
	if (fd < 0) {
		tap_ok(1, "# SKIP cannot make a BPF array (root or CAP_BPF needed): %s", strerror(errno));
		tap_ok(1, "# SKIP cannot make a BPF array");
		tap_ok(1, "# SKIP cannot make a BPF array");
		tap_ok(1, "# SKIP cannot make a BPF array");
		return;
	}
	got = pt_bpf_read_cpu_array(fd, per_cpu, sizeof(*v), (void **)&v);
	tap_ok(got == ncpus, "8-byte values: read, %d CPUs", got);
	for (int cpu = 0; got == ncpus && cpu < ncpus; cpu++)
		for (size_t i = 0; i < per_cpu; i++)
			bad += v[(size_t)cpu * per_cpu + i] != (uint64_t)cpu * per_cpu + i;
	tap_ok(got == ncpus && !bad, "every value of %zu is where its key says (%zu misplaced)", per_cpu * (size_t)ncpus,
	       bad);
	free(v);
	close(fd);
	fd = filled_array(per_cpu, sizeof(*w), ncpus);
	got = fd < 0 ? -1 : pt_bpf_read_cpu_array(fd, per_cpu, sizeof(*w), (void **)&w);
	bad = 0;
	for (size_t k = 0; got == ncpus && k < per_cpu * (size_t)ncpus; k++)
		bad += w[k].a != k || w[k].b != ~(uint64_t)k || w[k].c != k * 3;
	tap_ok(got == ncpus, "24-byte values: read");
	tap_ok(got == ncpus && !bad, "every 24-byte value whole and in place (%zu wrong)", bad);
	free(w);
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	sizing();
	reading();
	return tap_done();
}
#else
int main(void)
{
	tap_ok(1, "# SKIP built without BPF: no CPU-first arrays to size or read");
	return tap_done();
}
#endif
