/* User-space helpers of the BPF probes (see lock_bpf.h). Built without BPF
 * (no clang, bpftool or libbpf on the build machine), only pt_bpf_allowed()
 * is meaningful: it says so. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptbench/hist.h"
#include "ptbench/lock_bpf.h"
#include "ptbench/probe.h"
#include "ptbench/util.h"

_Static_assert(PT_BPF_HIST_BUCKETS == PT_HIST_BUCKETS, "the BPF histograms must use src/run/hist.c's buckets");
_Static_assert(PT_BPF_HIST_SUB_BITS == PT_HIST_SUB_BITS, "the BPF histograms must use src/run/hist.c's buckets");

#ifdef PTBENCH_HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

const bool pt_bpf_built = true;
#else
const bool pt_bpf_built = false;
#endif

int pt_bpf_allowed(char *why, size_t len)
{
	const char *t = getenv("PTBENCH_TEST_NO_BPF");

	if (!pt_bpf_built) {
		snprintf(why, len, "this ptbench was built without BPF (clang, bpftool or libbpf-dev "
				   "missing on the build machine: scripts/install-deps.sh installs them)");
		return -1;
	}
	if (t && *t && strcmp(t, "0")) {
		snprintf(why, len, "refused by the test switch PTBENCH_TEST_NO_BPF=%s", t);
		return -1;
	}
	return 0;
}

void pt_bpf_hstat_add(struct pt_bpf_hstat *dst, const struct pt_bpf_hstat *src)
{
	if (!src->count)
		return;
	if (!dst->count || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
}

void pt_bpf_hist_set(struct pt_hist *h, const uint64_t *buckets, const struct pt_bpf_hstat *st)
{
	pt_hist_init(h);
	memcpy(h->buckets, buckets, sizeof(h->buckets));
	h->count = st->count;
	h->sum = st->sum;
	h->max = st->max;
	h->min = st->count ? st->min : UINT64_MAX;
}

void pt_bpf_sum_cpu_buckets(uint64_t *sum, const uint64_t *cpu_array, int ncpus, size_t per_cpu, size_t first)
{
	memset(sum, 0, PT_BPF_HIST_BUCKETS * sizeof(*sum));
	for (int cpu = 0; cpu < ncpus; cpu++) {
		const uint64_t *part = cpu_array + (size_t)cpu * per_cpu + first;

		for (size_t b = 0; b < PT_BPF_HIST_BUCKETS; b++)
			sum[b] += part[b];
	}
}

#ifdef PTBENCH_HAVE_BPF
static char last_msg[512];

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static bool debug_checked, debug;
	char buf[512];
	size_t n;

	if (!debug_checked) {
		const char *d = getenv("PTBENCH_BPF_DEBUG");

		debug = d && *d && strcmp(d, "0");
		debug_checked = true;
	}
	if (debug) {
		va_list aq;

		va_copy(aq, ap);
		vfprintf(stderr, fmt, aq);
		va_end(aq);
	}
	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	/* the first warning after a reset is the cause, the later ones its echoes */
	if (n && !last_msg[0])
		snprintf(last_msg, sizeof(last_msg), "%s", strncmp(buf, "libbpf: ", 8) ? buf : buf + 8);
	return 0;
}

void pt_bpf_quiet_libbpf(void)
{
	last_msg[0] = '\0';
	libbpf_set_print(libbpf_print);
}

const char *pt_bpf_last_msg(void)
{
	return last_msg;
}
#else
void pt_bpf_quiet_libbpf(void)
{
}

const char *pt_bpf_last_msg(void)
{
	return "";
}
#endif

size_t pt_bpf_cells(const struct pt_run *run, __u32 *base, __u32 *nops)
{
	size_t n = 0, nroles = pt_probe_nroles(run);

	for (size_t g = 0; g < PT_BPF_MAX_GROUPS; g++) {
		int k = g < nroles ? pt_probe_role_nops(run, g) : 0;

		if (g > nroles) {
			base[g] = nops[g] = 0;
			continue;
		}
		base[g] = (__u32)n;
		nops[g] = (__u32)k;
		n += 1 + (size_t)k;
	}
	return n;
}

static int share_tasks = -1, share_vma = -1;

void pt_bpf_share(int tasks_fd, int vma_grp_fd)
{
	share_tasks = tasks_fd;
	share_vma = vma_grp_fd;
}

bool pt_bpf_shared(int *tasks_fd, int *vma_grp_fd)
{
	*tasks_fd = share_tasks;
	*vma_grp_fd = share_vma;
	return share_tasks >= 0 && share_vma >= 0;
}

void pt_bpf_why(char *why, size_t len, const char *what, int err)
{
	const char *m = pt_bpf_last_msg();

	if (err < 0)
		err = -err;
	if (*m)
		snprintf(why, len, "%s: %s (libbpf: %s)", what, strerror(err), m);
	else
		snprintf(why, len, "%s: %s", what, strerror(err));
}

#ifdef PTBENCH_HAVE_BPF
static int add_proc(int fd, int pid, uint32_t group)
{
	uint32_t key = (uint32_t)pid;

	return bpf_map_update_elem(fd, &key, &group, BPF_ANY) ? 0 : 1;
}

/* pid and, depth first, the processes its threads forked */
static int add_tree(int fd, int pid, uint32_t group, int depth)
{
	char path[64];
	DIR *d;
	struct dirent *de;
	int n = add_proc(fd, pid, group);

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = depth < 8 ? opendir(path) : NULL;
	while (d && (de = readdir(d))) {
		char cpath[96], *text, *p;
		int tid = atoi(de->d_name);

		if (tid <= 0)
			continue;
		snprintf(cpath, sizeof(cpath), "/proc/%d/task/%d/children", pid, tid);
		text = pt_read_file(cpath, NULL);
		for (p = text; p && *p;) {
			char *end;
			long child = strtol(p, &end, 10);

			if (end == p)
				break;
			n += add_tree(fd, (int)child, group, depth + 1);
			p = end;
		}
		free(text);
	}
	if (d)
		closedir(d);
	return n;
}

int pt_bpf_fill_procs(int procs_fd, const struct pt_run *run)
{
	return add_tree(procs_fd, getpid(), (uint32_t)pt_probe_nroles(run), 0);
}

int pt_bpf_fill_tids(int tids_fd, volatile __u32 *roles_gen, const struct pt_run *run)
{
	int n = 0;

	for (size_t r = 0; r < pt_probe_nroles(run); r++)
		for (int i = 0; i < pt_probe_role_nthreads(run, r); i++) {
			uint32_t tid = (uint32_t)pt_probe_thread_tid(run, r, i), g = (uint32_t)r;

			n += !bpf_map_update_elem(tids_fd, &tid, &g, BPF_ANY);
		}
	/* tasks that cached "other" before their tid was known look again */
	__atomic_add_fetch(roles_gen, 1, __ATOMIC_SEQ_CST);
	return n;
}

/* Keys [0, nkeys) of an array map into buf, row bytes a key (the kernel's
 * value: one, or one per possible CPU); 0, or -1 with errno. */
static int read_keys(int fd, uint32_t nkeys, size_t row, char *buf)
{
	uint32_t *keys, out_batch = 0;
	bool batch_ok = true;
	uint32_t done = 0;

	keys = pt_xcalloc(nkeys ? nkeys : 1, sizeof(*keys));
	/* one system call for many keys where the kernel has batch lookups */
	while (done < nkeys && batch_ok) {
		__u32 count = nkeys - done;
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		int err = bpf_map_lookup_batch(fd, done ? &out_batch : NULL, &out_batch, keys + done,
					       buf + (size_t)done * row, &count, &opts);

		if (err && errno != ENOENT) {
			batch_ok = false;
			break;
		}
		done += count;
		if (err) /* ENOENT: that was the last batch */
			break;
	}
	if (!batch_ok || done != nkeys) {
		for (uint32_t k = 0; k < nkeys; k++)
			if (bpf_map_lookup_elem(fd, &k, buf + (size_t)k * row)) {
				free(keys);
				return -1;
			}
	} else {
		/* a batch answers in key order for arrays; put rows where the key says */
		for (uint32_t i = 0; i < nkeys; i++)
			if (keys[i] != i) {
				free(keys);
				errno = EPROTO;
				return -1;
			}
	}
	free(keys);
	return 0;
}

int pt_bpf_read_percpu(int fd, uint32_t nkeys, size_t value_size, void **out)
{
	int ncpus = libbpf_num_possible_cpus();
	size_t stride = (value_size + 7) / 8 * 8; /* the kernel rounds per-CPU values up to 8 */
	char *buf;

	if (ncpus <= 0) {
		errno = -ncpus;
		return -1;
	}
	buf = pt_xcalloc((size_t)nkeys * (size_t)ncpus, stride);
	if (read_keys(fd, nkeys, (size_t)ncpus * stride, buf)) {
		free(buf);
		return -1;
	}
	if (stride != value_size) { /* pack the rows to value_size */
		for (size_t i = 0; i < (size_t)nkeys * (size_t)ncpus; i++)
			memmove(buf + i * value_size, buf + i * stride, value_size);
	}
	*out = buf;
	return ncpus;
}

/* Older kernels refuse an array map of U32_MAX - PAGE_SIZE bytes or more
 * (kernel/bpf/arraymap.c, array_map_alloc(): "make sure there is no u32
 * overflow later in round_up()"); keep under that everywhere. */
#define CPU_ARRAY_MAX_BYTES (UINT32_MAX - (1u << 16))

int pt_bpf_size_cpu_array(struct bpf_map *map, size_t per_cpu, size_t value_size, char *why, size_t len)
{
	int ncpus = libbpf_num_possible_cpus(), err;
	uint64_t n;

	if (ncpus <= 0) {
		pt_bpf_why(why, len, "cannot count the possible CPUs", ncpus);
		return -1;
	}
	n = (uint64_t)ncpus * per_cpu;
	if (n * value_size >= CPU_ARRAY_MAX_BYTES) {
		snprintf(why, len, "%s: %d possible CPUs x %zu values of %zu bytes, %.1f GiB, more than a BPF array holds",
			 bpf_map__name(map), ncpus, per_cpu, value_size, (double)(n * value_size) / (1 << 30));
		return -1;
	}
	err = bpf_map__set_max_entries(map, (uint32_t)n);
	if (err) {
		pt_bpf_why(why, len, "cannot size the counter maps", err);
		return -1;
	}
	return 0;
}

int pt_bpf_read_cpu_array(int fd, size_t per_cpu, size_t value_size, void **out)
{
	int ncpus = libbpf_num_possible_cpus();
	uint32_t nkeys;
	char *buf;

	if (ncpus <= 0) {
		errno = -ncpus;
		return -1;
	}
	nkeys = (uint32_t)((size_t)ncpus * per_cpu); /* pt_bpf_size_cpu_array made it fit */
	buf = pt_xcalloc(nkeys ? nkeys : 1, value_size);
	if (read_keys(fd, nkeys, value_size, buf)) {
		free(buf);
		return -1;
	}
	*out = buf;
	return ncpus;
}

static struct btf *kernel_btf(void)
{
	static struct btf *btf;
	static bool tried;

	if (!tried) {
		btf = btf__load_vmlinux_btf();
		if (libbpf_get_error(btf))
			btf = NULL;
		tried = true;
	}
	return btf;
}

int pt_bpf_kernel_has_func(const char *name)
{
	struct btf *btf = kernel_btf();

	if (!btf)
		return -1;
	return btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
}

int pt_bpf_kernel_has_member(const char *type, const char *member)
{
	struct btf *btf = kernel_btf();
	const struct btf_type *t;
	const struct btf_member *m;
	int id;

	if (!btf)
		return -1;
	id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);
	if (id <= 0)
		return 0;
	t = btf__type_by_id(btf, (__u32)id);
	m = btf_members(t);
	for (unsigned i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), member))
			return 1;
	return 0;
}
#endif

void pt_bpf_open_window(volatile __u64 *lo, volatile __u64 *hi, const struct pt_run *run)
{
	/* hi goes first so that no instant sees lo set and hi stale */
	__atomic_store_n(hi, ~0ull, __ATOMIC_SEQ_CST);
	__atomic_store_n(lo, pt_probe_t_measure(run), __ATOMIC_SEQ_CST);
}

void pt_bpf_close_window(volatile __u64 *hi, const struct pt_run *run)
{
	/* The workers wait between t_stop and this store, so none of their
	 * events falls in between; another task's (a kernel thread's) may,
	 * and counts: microseconds, outside any op. */
	__atomic_store_n(hi, pt_probe_t_stop(run), __ATOMIC_SEQ_CST);
}
