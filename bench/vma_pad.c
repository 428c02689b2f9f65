/* vma-pad (setup only): split one mapping into many small VMAs by giving
 * every other page a different protection, so /proc walks and VMA lookups
 * are long, as in a big real process. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ptbench/sysfs_settings.h"
#include "ptbench/util.h"
#include "ptbench/worker.h"

static const char *const pad_ops[] = { NULL };

struct pad_opts {
	long long count;
	bool populate;
};

static const struct pt_opt_def pad_opts[] = {
	/* each count makes two VMAs; vm.max_map_count is 65530 by default */
	PT_OPT_INT_F("count", struct pad_opts, count, "2000", 1, 30000, "pairs of VMAs to add (2*count VMAs)"),
	PT_OPT_BOOL_F("populate", struct pad_opts, populate, "true",
		      "touch every page so the walks find page tables and pages"),
	PT_OPT_END,
};

struct pad {
	char *base;
	size_t len;
	long vmas;
};

static enum pt_check pad_check(const struct pt_worker_type *type, const void *opts, const char **bad_key,
				char *why, size_t len)
{
	char buf[32];
	long long want = 2 * ((const struct pad_opts *)opts)->count;

	(void)type;
	*bad_key = "count";
	if (!pt_read_line("/proc/sys/vm/max_map_count", buf, sizeof(buf), 0) &&
	    atoll(buf) < want + 1000) {
		snprintf(why, len, "count = %lld needs %lld VMAs; vm.max_map_count is %s",
			 want / 2, want, buf);
		return PT_CHECK_ERROR;
	}
	return PT_CHECK_OK;
}

static int pad_setup(struct pt_role_run *rr, char *err, size_t len)
{
	const struct pad_opts *o = pt_role_opts(rr);
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	long count = (long)o->count;
	struct pad *p = pt_xcalloc(1, sizeof(*p));

	pt_role_set_shared(rr, p);
	p->len = 2 * (size_t)count * page;
	p->base = mmap(NULL, p->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->base == MAP_FAILED) {
		p->base = NULL;
		snprintf(err, len, "mmap %zu bytes: %s", p->len, strerror(errno));
		return -1;
	}
	if (o->populate)
		for (size_t off = 0; off < p->len; off += page)
			p->base[off] = 1;
	for (long i = 0; i < count; i++) {
		if (mprotect(p->base + (2 * (size_t)i + 1) * page, page, PROT_READ)) {
			snprintf(err, len, "mprotect to split VMAs: %s%s", strerror(errno),
				 errno == ENOMEM ? " (more VMAs than vm.max_map_count allows, all roles together)" : "");
			return -1;
		}
		if (pt_run_stopping())
			break;
	}
	/* every other page changed protection: the mapping is now 2*count VMAs
	 * (counted, not read back from /proc/self/maps: a read per role made
	 * many roles quadratic) */
	p->vmas = 2 * count;
	return 0;
}

static void pad_teardown(struct pt_role_run *rr)
{
	struct pad *p = pt_role_shared(rr);

	if (p && p->base)
		munmap(p->base, p->len);
	free(p);
	pt_role_set_shared(rr, NULL);
}

static void pad_report(struct pt_role_run *rr, struct json_object *o)
{
	struct pad *p = pt_role_shared(rr);

	json_object_object_add(o, "vmas_added", json_object_new_int64(p ? p->vmas : 0));
}

const struct pt_worker_type pt_worker_vma_pad = {
	.name = "vma-pad",
	.summary = "setup only: thousands of small VMAs so that walks are long",
	.opts = pad_opts,
	.opts_size = sizeof(struct pad_opts),
	.ops = pad_ops,
	.setup_only = true,
	.check = pad_check,
	.setup = pad_setup,
	.teardown = pad_teardown,
	.report = pad_report,
};
