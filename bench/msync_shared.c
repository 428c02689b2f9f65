/* msync-shared: msync(MS_SYNC) of a file on a disk filesystem that
 * `writers` child processes map MAP_SHARED and write all the while.
 *
 * Writeback cleans each dirty folio with folio_mkclean(), which walks the
 * file's i_mmap (the rmap) and write-protects and cleans the PTE of every
 * mapping of the folio, in every process, under the page-table locks and
 * i_mmap's lock only: no mmap_lock of any mm (mm/rmap.c,
 * page_vma_mkclean_one()). msync() itself takes its caller's mmap_lock for
 * read around find_vma() and drops it before vfs_fsync_range() (mm/msync.c),
 * so its op holds that lock once per call, however many processes map the
 * file; the writers' next writes fault (page_mkwrite) in their own mms. The
 * msync latency grows with the number of mappings each folio has (one rmap
 * visit per mapping): sweep `writers`.
 *
 * Data check: writer k stores its pass number v into lane k (8 bytes at
 * offset 8k) of every page, then publishes v. After each msync the thread
 * reads the whole file back with O_DIRECT (the disk, not the page cache)
 * and every lane must hold at least the pass its writer had completed
 * before the msync began (a write folio_mkclean failed to write-protect
 * would stay clean and never reach the disk) and at most one more than the
 * pass completed after the read. Anything else is a race.corruption, which
 * fails the run (src/run/run_checks.c).
 *
 * tmpfs and ramfs have no writeback (msync is a no-op there): `path` on
 * one is refused; the default path on one (an initramfs root, as in a
 * `ptbench vm` guest) is a skip. The file is created unlinked (O_TMPFILE,
 * else unlinked at once), so nothing is left behind after any exit. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ptbench/clock.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"
#include "walk_region.h" /* pt_test_corrupt_check() */

enum { OP_MSYNC, OP_READBACK };

static const char *const ms_ops[] = { "msync", "readback", NULL };

#define MS_DEFAULT_PATH "/var/tmp"
#define MS_MAX_WRITERS 64
#define MS_PAGE 4096 /* x86: the lanes' page, and O_DIRECT's alignment */

struct ms_opts {
	const char *path;
	long long size, writers, interval, verify_every;
};

static const struct pt_opt_def ms_opt_defs[] = {
	PT_OPT_STRING_F("path", struct ms_opts, path, MS_DEFAULT_PATH,
			"directory on a disk filesystem for the (unlinked) file; tmpfs/ramfs refused: no writeback"),
	PT_OPT_SIZE_MULT_F("size", struct ms_opts, size, "1M", 4096, 1LL << 32, 4096, "file size"),
	PT_OPT_INT_F("writers", struct ms_opts, writers, "4", 0, MS_MAX_WRITERS,
		     "child processes mapping the file MAP_SHARED, each writing a lane of every page per pass"),
	PT_OPT_DURATION_F("interval", struct ms_opts, interval, "1ms", 0, 1000000000LL,
			  "a writer's pause between passes (0: none; writers then compete for CPUs)"),
	PT_OPT_INT_F("verify_every", struct ms_opts, verify_every, "1", 0, 1000000,
		     "O_DIRECT read-back check after every Nth msync (0: never)"),
	PT_OPT_END,
};

struct ms_shared {
	const struct ms_opts *o;
	int fd;
	int nkids;
	pid_t kids[MS_MAX_WRITERS];
	_Atomic uint64_t *done; /* writer k's last completed pass, in a shared page */
	bool corrupt;           /* the test switch PTBENCH_TEST_CORRUPT_CHECK */
	char fstype[32];
	bool tmpfile;           /* O_TMPFILE, else mkstemp + unlink */
	char direct_why[160];   /* why there is no O_DIRECT read-back; "" when there is */
	_Atomic uint64_t msyncs, readbacks, checks, stale, future, corruptions;
};

struct ms_thread {
	char *map;
	int dfd;
	uint64_t *buf; /* O_DIRECT buffer, page aligned */
	uint64_t *snap;
	uint64_t n;
};

static const char *fs_name(long type, char *buf, size_t len)
{
	switch (type) {
	case TMPFS_MAGIC: return "tmpfs";
	case RAMFS_MAGIC: return "ramfs";
	case EXT4_SUPER_MAGIC: return "ext2/ext3/ext4";
	case XFS_SUPER_MAGIC: return "xfs";
	case BTRFS_SUPER_MAGIC: return "btrfs";
	case OVERLAYFS_SUPER_MAGIC: return "overlayfs";
	default: snprintf(buf, len, "0x%lx", type); return buf;
	}
}

static enum pt_check ms_check(const struct pt_worker_type *type, const void *opts, const char **bad_key, char *why,
			      size_t len)
{
	const struct ms_opts *o = opts;
	bool dflt = !strcmp(o->path, MS_DEFAULT_PATH);
	struct statfs sf;
	struct stat st;
	char b[32];

	(void)type;
	*bad_key = "path";
	if (statfs(o->path, &sf) || stat(o->path, &st)) {
		int e = errno;

		/* an initramfs root (a ptbench vm guest) has no /var/tmp: say what matters */
		if (dflt && e == ENOENT && !statfs("/", &sf) && (sf.f_type == TMPFS_MAGIC || sf.f_type == RAMFS_MAGIC)) {
			snprintf(why, len,
				 "path = %s (the default) does not exist and / is %s, an initramfs root as in a "
				 "`ptbench vm` guest: no disk filesystem, no writeback for msync; set path = a "
				 "directory on a disk filesystem", o->path, fs_name((long)sf.f_type, b, sizeof(b)));
			return PT_CHECK_SKIP;
		}
		errno = e;
		snprintf(why, len, "path = %s: %s%s", o->path, strerror(errno),
			 dflt ? " (the default; set path = a directory on a disk filesystem)" : "");
		return dflt && errno == ENOENT ? PT_CHECK_SKIP : PT_CHECK_ERROR;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, len, "path = %s: not a directory", o->path);
		return PT_CHECK_ERROR;
	}
	if (sf.f_type == TMPFS_MAGIC || sf.f_type == RAMFS_MAGIC) {
		snprintf(why, len,
			 "path = %s is on %s, which has no writeback (msync does nothing there, folio_mkclean never "
			 "runs)%s: set path = a directory on a disk filesystem (ext4, xfs, btrfs)",
			 o->path, fs_name((long)sf.f_type, b, sizeof(b)),
			 dflt ? "; the default path on it is an initramfs root, as in a `ptbench vm` guest, which has "
				"no block device" : "");
		return dflt ? PT_CHECK_SKIP : PT_CHECK_ERROR;
	}
	*bad_key = NULL;
	return PT_CHECK_OK;
}

static uint64_t ms_mem_bytes(const void *opts, int threads)
{
	/* the page cache of the file, and each thread's read-back buffer */
	return (uint64_t)((const struct ms_opts *)opts)->size * (uint64_t)(1 + threads);
}

/* A writer, the child of a multithreaded parent: system calls only. */
static void __attribute__((noreturn)) writer_main(pid_t parent, int fd, size_t len, int k, _Atomic uint64_t *done,
						  uint64_t interval_ns)
{
	const size_t page = MS_PAGE;
	struct timespec ts = { .tv_sec = (time_t)(interval_ns / 1000000000ull),
			       .tv_nsec = (long)(interval_ns % 1000000000ull) };
	char *m;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(0);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		_exit(1);
	for (uint64_t v = 1;; v++) {
		for (size_t off = (size_t)k * 8; off < len; off += page)
			*(volatile uint64_t *)(m + off) = v;
		atomic_store_explicit(&done[k], v, memory_order_release);
		if (interval_ns)
			nanosleep(&ts, NULL);
	}
}

static int open_file(struct ms_shared *s, char *err, size_t len)
{
	char name[4096];
	struct statfs sf;
	char b[32];

	s->fd = open(s->o->path, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	s->tmpfile = s->fd >= 0;
	if (s->fd < 0) {
		/* a filesystem without O_TMPFILE: a named file, unlinked at once */
		snprintf(name, sizeof(name), "%s/ptbench-msync-XXXXXX", s->o->path); /* may truncate: mkostemp then fails */
		s->fd = mkostemp(name, O_CLOEXEC);
		if (s->fd < 0) {
			snprintf(err, len, "path = %s: cannot create a file: %s", s->o->path, strerror(errno));
			return -1;
		}
		unlink(name);
	}
	if (ftruncate(s->fd, (off_t)s->o->size)) {
		snprintf(err, len, "path = %s: ftruncate to %lld bytes: %s", s->o->path, s->o->size, strerror(errno));
		return -1;
	}
	if (!fstatfs(s->fd, &sf))
		snprintf(s->fstype, sizeof(s->fstype), "%s", fs_name((long)sf.f_type, b, sizeof(b)));
	return 0;
}

static int ms_setup(struct pt_role_run *rr, char *err, size_t len)
{
	struct ms_shared *s = pt_xcalloc(1, sizeof(*s));
	pid_t self = getpid();

	s->fd = -1;
	pt_role_set_shared(rr, s);
	s->o = pt_role_opts(rr);
	s->corrupt = pt_test_corrupt_check();
	if (open_file(s, err, len))
		return -1;
	s->done = mmap(NULL, MS_MAX_WRITERS * sizeof(*s->done), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);
	if (s->done == MAP_FAILED) {
		s->done = NULL;
		snprintf(err, len, "mmap: %s", strerror(errno));
		return -1;
	}
	for (; s->nkids < (int)s->o->writers; s->nkids++) {
		pid_t pid = fork();

		if (pid < 0) {
			snprintf(err, len, "fork of writer %d of %lld: %s", s->nkids + 1, s->o->writers, strerror(errno));
			return -1;
		}
		if (pid == 0)
			writer_main(self, s->fd, (size_t)s->o->size, s->nkids, s->done, (uint64_t)s->o->interval);
		s->kids[s->nkids] = pid;
	}
	return 0;
}

static int ms_thread_init(struct pt_thread *t, char *err, size_t len)
{
	struct ms_shared *s = pt_thread_shared(t);
	struct ms_thread *mt = pt_xcalloc(1, sizeof(*mt));
	size_t size = (size_t)s->o->size;
	char self[64];

	t->priv = mt;
	mt->dfd = -1;
	mt->map = mmap(NULL, size, PROT_READ, MAP_SHARED, s->fd, 0);
	if (mt->map == MAP_FAILED) {
		mt->map = NULL;
		snprintf(err, len, "mmap of the file: %s", strerror(errno));
		return -1;
	}
	t->mem_addr = mt->map;
	t->mem_len = size;
	mt->snap = pt_xcalloc(MS_MAX_WRITERS, sizeof(*mt->snap));
	if (!s->o->verify_every)
		return 0;
	/* a second open file description: O_DIRECT for the read-back only */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", s->fd);
	mt->dfd = open(self, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (mt->dfd < 0) {
		snprintf(s->direct_why, sizeof(s->direct_why), "O_DIRECT open refused on %s: %s", s->fstype,
			 strerror(errno));
		return 0;
	}
	if (posix_memalign((void **)&mt->buf, MS_PAGE, size)) {
		snprintf(err, len, "read-back buffer of %zu bytes: %s", size, strerror(ENOMEM));
		return -1;
	}
	memset(mt->buf, 0, size); /* faulted in now, not inside the read */
	return 0;
}

/* Every lane of every page against its writer's passes before the msync
 * (snap) and after the read (now): returns (stale, future). */
static void check_lanes(struct ms_shared *s, struct ms_thread *mt, uint64_t *stale, uint64_t *future)
{
	const size_t words = MS_PAGE / sizeof(uint64_t), pages = (size_t)s->o->size / MS_PAGE;
	uint64_t skew = s->corrupt ? 1ull << 40 : 0;

	*stale = *future = 0;
	for (int k = 0; k < s->nkids; k++) {
		uint64_t now = atomic_load_explicit(&s->done[k], memory_order_acquire);

		for (size_t p = 0; p < pages; p++) {
			uint64_t d = mt->buf[p * words + (size_t)k];

			if (d < mt->snap[k] + skew)
				(*stale)++;
			else if (d > now + 1 + skew)
				(*future)++;
		}
	}
}

static int ms_run_once(struct pt_thread *t)
{
	struct ms_shared *s = pt_thread_shared(t);
	struct ms_thread *mt = t->priv;
	size_t size = (size_t)s->o->size;
	bool verify = mt->buf && s->o->verify_every && mt->n % (uint64_t)s->o->verify_every == 0;
	uint64_t t0, t1, stale = 0, future = 0;
	ssize_t got = 0;
	int rc;

	mt->n++;
	for (int k = 0; k < s->nkids; k++)
		mt->snap[k] = atomic_load_explicit(&s->done[k], memory_order_acquire);
	t0 = pt_op_begin(t, OP_MSYNC);
	rc = msync(mt->map, size, MS_SYNC);
	t1 = pt_now_ns();
	pt_record(t, OP_MSYNC, t0, t1);
	if (rc)
		pt_record_error(t, OP_MSYNC, errno);
	if (verify) {
		t0 = pt_op_begin(t, OP_READBACK);
		got = pread(mt->dfd, mt->buf, size, 0);
		t1 = pt_now_ns();
		pt_record(t, OP_READBACK, t0, t1);
		if (got < 0)
			pt_record_error(t, OP_READBACK, errno);
		else if ((size_t)got == size)
			check_lanes(s, mt, &stale, &future);
	}
	if (pt_measuring(t)) {
		atomic_fetch_add_explicit(&s->msyncs, 1, memory_order_relaxed);
		if (verify && (size_t)got == size) {
			atomic_fetch_add_explicit(&s->readbacks, 1, memory_order_relaxed);
			atomic_fetch_add_explicit(&s->checks, (size / MS_PAGE) * (uint64_t)s->nkids, memory_order_relaxed);
			atomic_fetch_add_explicit(&s->stale, stale, memory_order_relaxed);
			atomic_fetch_add_explicit(&s->future, future, memory_order_relaxed);
			atomic_fetch_add_explicit(&s->corruptions, stale + future, memory_order_relaxed);
		}
	}
	return 0;
}

static void ms_thread_fini(struct pt_thread *t)
{
	struct ms_thread *mt = t->priv;

	if (!mt)
		return;
	if (mt->map)
		munmap(mt->map, t->mem_len);
	if (mt->dfd >= 0)
		close(mt->dfd);
	free(mt->buf);
	free(mt->snap);
	free(mt);
	t->priv = NULL;
}

static void ms_teardown(struct pt_role_run *rr)
{
	struct ms_shared *s = pt_role_shared(rr);

	if (!s)
		return;
	for (int i = 0; i < s->nkids; i++)
		kill(s->kids[i], SIGKILL);
	for (int i = 0; i < s->nkids; i++)
		while (waitpid(s->kids[i], NULL, 0) < 0 && errno == EINTR)
			;
	if (s->done)
		munmap(s->done, MS_MAX_WRITERS * sizeof(*s->done));
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	pt_role_set_shared(rr, NULL);
}

static void add_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_int64((int64_t)v));
}

static void ms_report(struct pt_role_run *rr, struct json_object *o)
{
	struct ms_shared *s = pt_role_shared(rr);
	struct json_object *r = json_object_new_object();
	uint64_t passes = 0;

	json_object_object_add(r, "mode", json_object_new_string("msync"));
	json_object_object_add(r, "path", json_object_new_string(s->o->path));
	json_object_object_add(r, "fstype", json_object_new_string(s->fstype));
	json_object_object_add(r, "file", json_object_new_string(s->tmpfile ? "O_TMPFILE" : "unlinked at creation"));
	add_u64(r, "writers", (uint64_t)s->nkids);
	add_u64(r, "pages", (uint64_t)s->o->size / MS_PAGE);
	add_u64(r, "msyncs", s->msyncs);
	add_u64(r, "readbacks", s->readbacks);
	add_u64(r, "checks", s->checks);
	add_u64(r, "stale", s->stale);
	add_u64(r, "future", s->future);
	add_u64(r, "corruptions", s->corruptions);
	/* the writers' whole life (warm-up included): they are not on the window's clock */
	for (int k = 0; k < s->nkids; k++)
		passes += atomic_load_explicit(&s->done[k], memory_order_relaxed);
	add_u64(r, "writer_passes", passes);
	if (!s->o->verify_every)
		json_object_object_add(r, "verify", json_object_new_string("off (verify_every = 0)"));
	else if (s->direct_why[0])
		json_object_object_add(r, "verify", json_object_new_string(s->direct_why));
	else
		json_object_object_add(r, "verify", json_object_new_string("O_DIRECT read-back"));
	json_object_object_add(o, "race", r);
}

static void ms_summary(const char *role, struct json_object *role_json, FILE *out)
{
	struct json_object *r, *fs;

	if (!json_object_object_get_ex(role_json, "race", &r))
		return;
	json_object_object_get_ex(r, "fstype", &fs);
	fprintf(out, "  %s: %lld msyncs of %lld pages mapped by %lld writers (%s), %lld O_DIRECT read-backs, "
		     "%lld lanes checked: stale %lld, future %lld, corruptions %lld%s\n",
		role, pt_json_int(r, "msyncs", -1), pt_json_int(r, "pages", -1), pt_json_int(r, "writers", -1), fs ? json_object_get_string(fs) : "?",
		pt_json_int(r, "readbacks", -1), pt_json_int(r, "checks", -1), pt_json_int(r, "stale", -1), pt_json_int(r, "future", -1), pt_json_int(r, "corruptions", -1),
		pt_json_int(r, "corruptions", -1) > 0 ? " (WRONG: a data check failed)" : "");
}

const struct pt_worker_type pt_worker_msync_shared = {
	.name = "msync-shared",
	.summary = "msync(MS_SYNC) of a disk file that child processes map shared and write (folio_mkclean's rmap "
		   "walk), read back O_DIRECT and checked",
	.opts = ms_opt_defs,
	.opts_size = sizeof(struct ms_opts),
	.mem_bytes = ms_mem_bytes,
	.ops = ms_ops,
	/* the unit of work lock counts are divided by: one msync of the whole file */
	.unit_op = "msync",
	.check = ms_check,
	.setup = ms_setup,
	.thread_init = ms_thread_init,
	.run_once = ms_run_once,
	.thread_fini = ms_thread_fini,
	.teardown = ms_teardown,
	.report = ms_report,
	.print_summary = ms_summary,
};
