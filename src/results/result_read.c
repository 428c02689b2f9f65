/* The validating reader of result files (include/ptbench/result_read.h).
 *
 * Every reader used to walk the json-c tree with its own getters, and a
 * hand-edited file could crash them (json_object_object_foreach on a value
 * that is not an object) or lie (a percentile of "garbage" read as 0). Here
 * the shape is checked once, value by value, and the first wrong one is
 * named by its JSON path. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ptbench/json_dupkeys.h"
#include "ptbench/metric.h"
#include "ptbench/result.h"
#include "ptbench/result_read.h"
#include "ptbench/util.h"

static void errf(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void errf(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* ---- the bytes --------------------------------------------------------- */

int pt_result_read_text(const char *path, size_t max, char **text, size_t *lenp, char *err,
			size_t errlen)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	size_t len = 0, cap;
	char *buf;

	*text = NULL;
	if (fd < 0) {
		errf(err, errlen, "cannot read: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		errf(err, errlen, "cannot read: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		errf(err, errlen, "not a regular file (%s): a result is a file written by `ptbench run -o`",
		     S_ISDIR(st.st_mode)	? "a directory"
		     : S_ISFIFO(st.st_mode) ? "a FIFO"
		     : S_ISCHR(st.st_mode)  ? "a character device"
		     : S_ISBLK(st.st_mode)  ? "a block device"
		     : S_ISSOCK(st.st_mode) ? "a socket"
					    : "not a plain file");
		close(fd);
		return -1;
	}
	if ((unsigned long long)st.st_size > max) {
		errf(err, errlen, "%lld bytes, more than the %zu a result file may have",
		     (long long)st.st_size, max);
		close(fd);
		return -1;
	}
	/* the size may change while we read: read to EOF, never beyond max */
	cap = (size_t)st.st_size + 1;
	buf = pt_xmalloc(cap + 1);
	for (;;) {
		ssize_t n;

		if (len == cap) {
			if (cap > max) {
				errf(err, errlen, "grew past the %zu bytes a result file may have", max);
				free(buf);
				close(fd);
				return -1;
			}
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			buf = realloc(buf, cap + 1);
			if (!buf) {
				errf(err, errlen, "out of memory reading it");
				close(fd);
				return -1;
			}
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			errf(err, errlen, "cannot read: %s", strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*text = buf;
	*lenp = len;
	return 0;
}

/* ---- the document ------------------------------------------------------ */

/* The text as one strictly valid JSON document of any type (*doc: a new
 * reference). Returns -1 with err when it is no such text. */
static int parse_json(const char *text, size_t len, struct json_object **doc, char *err, size_t errlen)
{
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	struct json_object *o;
	const char *nul;
	size_t end, off = 0;

	*doc = NULL;
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
		errf(err, errlen, "starts with a UTF-8 byte order mark, which ptbench never writes "
				  "(an editor added it?): remove the first 3 bytes");
		return -1;
	}
	if ((nul = memchr(text, '\0', len))) {
		errf(err, errlen, "a NUL byte at offset %zu: not a JSON text", (size_t)(nul - text));
		return -1;
	}
	while (off < len && strchr(" \t\r\n", text[off]))
		off++;
	if (off == len) {
		errf(err, errlen, "empty: not a ptbench result");
		return -1;
	}
	tok = json_tokener_new();
	if (!tok) {
		errf(err, errlen, "out of memory parsing it");
		return -1;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	/* the terminating NUL too: it ends a bare literal such as `null` */
	o = json_tokener_parse_ex(tok, text, (int)(len >= INT32_MAX ? INT32_MAX : len + 1));
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_continue || jerr == json_tokener_error_parse_eof ||
	    (jerr != json_tokener_success && end >= len)) {
		errf(err, errlen, "invalid JSON at byte %zu, the end: the text ends inside a value (truncated?)", len);
		json_object_put(o);
		return -1;
	}
	if (jerr != json_tokener_success) {
		errf(err, errlen, "invalid JSON at byte %zu: %s", end, json_tokener_error_desc(jerr));
		json_object_put(o);
		return -1;
	}
	for (; end < len; end++)
		if (!strchr(" \t\r\n", text[end])) {
			errf(err, errlen, "invalid JSON: more text after the document at byte %zu", end);
			json_object_put(o);
			return -1;
		}
	if (pt_json_duplicate_keys(text, len, o, err, errlen)) {
		json_object_put(o);
		return -1;
	}
	*doc = o;
	return 0;
}

/* not an object: err says what it is */
static bool not_object(struct json_object *o, char *err, size_t errlen)
{
	if (json_object_is_type(o, json_type_object))
		return false;
	errf(err, errlen, "not a ptbench result: the document is %s, not an object",
	     o ? json_type_to_name(json_object_get_type(o)) : "null");
	return true;
}

int pt_result_parse(const char *text, size_t len, struct json_object **doc, char *err,
		    size_t errlen)
{
	struct json_object *o;

	*doc = NULL;
	if (parse_json(text, len, &o, err, errlen))
		return -1;
	if (not_object(o, err, errlen)) {
		json_object_put(o);
		return -1;
	}
	*doc = o;
	return 0;
}

/* ---- the shape --------------------------------------------------------- */

enum kind {
	K_OBJECT,
	K_ARRAY,
	K_STRING,
	K_BOOL,
	K_UINT,   /* a non-negative integer */
	K_INT,    /* an integer (vmstat deltas may be negative) */
	K_NUMBER, /* a finite non-negative number */
	K_RATE,   /* a number in [0, 1] */
};

static const char *const kind_words[] = {
	[K_OBJECT] = "an object",
	[K_ARRAY] = "an array",
	[K_STRING] = "a string",
	[K_BOOL] = "true or false",
	[K_UINT] = "a non-negative integer (at most 2^53)",
	[K_INT] = "an integer (at most 2^53 either way)",
	[K_NUMBER] = "a non-negative number",
	[K_RATE] = "a number from 0 to 1",
};

struct vc {
	char path[768];
	size_t len;
	char *err;
	size_t errlen;
	bool failed;
};

static size_t push(struct vc *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t push(struct vc *c, const char *fmt, ...)
{
	size_t old = c->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->path + old, sizeof(c->path) - old, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->len = old + (size_t)n < sizeof(c->path) ? old + (size_t)n : sizeof(c->path) - 1;
	return old;
}

static void pop(struct vc *c, size_t old)
{
	c->len = old;
	c->path[old] = '\0';
}

/* push(c, "%s%s", c->len ? "." : "", key) without vsnprintf: the path is
 * built for every member checked (fuzz_gate_inputs: 7% of an execution) */
static size_t push_key(struct vc *c, const char *key)
{
	size_t old = c->len, room = sizeof(c->path) - 1 - old, n = strlen(key);

	if (old && room) {
		c->path[c->len++] = '.';
		room--;
	}
	if (n > room)
		n = room;
	memcpy(c->path + c->len, key, n);
	c->len += n;
	c->path[c->len] = '\0';
	return old;
}

static void fail(struct vc *c, const char *expected, struct json_object *got, bool missing)
{
	char shown[64];
	const char *text;

	if (c->failed)
		return;
	c->failed = true;
	if (missing) {
		errf(c->err, c->errlen, "%s: missing (expected %s)", c->path, expected);
		return;
	}
	text = got ? json_object_to_json_string_ext(got, JSON_C_TO_STRING_PLAIN |
								 JSON_C_TO_STRING_NOSLASHESCAPE)
		   : "null";
	if (strlen(text) >= sizeof(shown)) {
		snprintf(shown, sizeof(shown), "%.*s...", (int)sizeof(shown) - 4, text);
		text = shown;
	}
	errf(c->err, c->errlen, "%s: expected %s, got %s", c->path, expected, text);
}

static bool is_kind(struct json_object *v, enum kind k)
{
	double d;

	switch (k) {
	case K_OBJECT:
		return json_object_is_type(v, json_type_object);
	case K_ARRAY:
		return json_object_is_type(v, json_type_array);
	case K_STRING:
		return json_object_is_type(v, json_type_string);
	case K_BOOL:
		return json_object_is_type(v, json_type_boolean);
	/* every reader computes in doubles, exact up to 2^53; json-c gives
	 * INT64_MAX for anything larger, which would be no number written */
	case K_UINT:
		return json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0 &&
		       json_object_get_int64(v) <= PT_RESULT_INT_MAX;
	case K_INT:
		return json_object_is_type(v, json_type_int) &&
		       json_object_get_int64(v) >= -PT_RESULT_INT_MAX &&
		       json_object_get_int64(v) <= PT_RESULT_INT_MAX;
	case K_NUMBER:
	case K_RATE:
		if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
			return false;
		d = json_object_get_double(v);
		return isfinite(d) && d >= 0 && (k == K_NUMBER || d <= 1);
	}
	return false;
}

/* o.key checked to be of kind k (o is a checked object). Returns the value,
 * or NULL when absent (an error when required) or wrong. */
static struct json_object *field(struct vc *c, struct json_object *o, const char *key, enum kind k,
				 bool required)
{
	struct json_object *v = NULL;
	bool present = json_object_object_get_ex(o, key, &v);
	size_t old;

	if (c->failed || (!present && !required))
		return NULL;
	if (present && is_kind(v, k))
		return v;
	/* the path is only needed to name what is wrong */
	old = push_key(c, key);
	fail(c, kind_words[k], v, !present);
	pop(c, old);
	return NULL;
}

/* Every member of an object o.key is of kind k. */
static void members(struct vc *c, struct json_object *o, const char *key, enum kind k)
{
	struct json_object *m = field(c, o, key, K_OBJECT, false);
	size_t old;

	if (!m)
		return;
	old = push_key(c, key);
	json_object_object_foreach(m, name, v)
	{
		size_t o2 = push_key(c, name);

		if (!is_kind(v, k))
			fail(c, kind_words[k], v, false);
		pop(c, o2);
		if (c->failed)
			break;
	}
	pop(c, old);
}

static const enum kind value_kind[] = {
	[PT_MV_UINT] = K_UINT,
	[PT_MV_INT] = K_INT,
	[PT_MV_NUMBER] = K_NUMBER,
	[PT_MV_RATE] = K_RATE,
};

/* The registry's line d in o (key dotted when nested): of its kind when
 * present, present when required. Returns the value, or NULL. */
static struct json_object *check_def(struct vc *c, struct json_object *o, const struct pt_metric_def *d)
{
	const char *key = d->key, *dot = NULL;
	size_t old = c->len;
	struct json_object *v = NULL;
	char seg[128];

	while (!c->failed && (dot = strchr(key, '.'))) {
		size_t n = (size_t)(dot - key);

		if (n >= sizeof(seg))
			break;
		memcpy(seg, key, n);
		seg[n] = '\0';
		if (!(o = field(c, o, seg, K_OBJECT, false)))
			break;
		push_key(c, seg);
		key = dot + 1;
	}
	if (!c->failed && o && !dot)
		v = field(c, o, key, value_kind[d->value], (d->flags & PT_MF_REQUIRED) != 0);
	pop(c, old);
	return v;
}

/* Every registry line of scope in o; a key with a dot only when nested is
 * true (the lock scopes' "hold.read.count" lives in a statistics object,
 * checked as such). */
static void check_scope(struct vc *c, struct json_object *o, enum pt_mscope scope, bool nested)
{
	const struct pt_metric_def *d;
	size_t i = 0;

	while (!c->failed && (d = pt_metric_next_in(scope, &i)))
		if (nested || !strchr(d->key, '.'))
			check_def(c, o, d);
}

/* One op's statistics (pt_hist_to_json's shape), at the current path: the
 * registry's PT_MS_HIST lines, the percentiles in order (a p50 above the p99
 * is no histogram's), and the buckets. */
static void check_opstats(struct vc *c, struct json_object *o)
{
	const struct pt_metric_def *d, *prev = NULL;
	struct json_object *b, *v;
	double last = 0;
	size_t old, i = 0;

	field(c, o, "ns", K_OBJECT, false);
	check_scope(c, o, PT_MS_HIST, true);
	while (!c->failed && (d = pt_metric_next_in(PT_MS_HIST, &i))) {
		double x;

		if (!(d->flags & PT_MF_ORDERED) || !pt_metric_get(o, d->key, &x))
			continue;
		if (prev && x < last) {
			char want[160];

			old = push_key(c, d->key);
			snprintf(want, sizeof(want), "at least %s (%.0f): percentiles do not decrease", prev->key, last);
			/* the value as the file has it: percentiles are integers */
			v = fabs(x) < 9e15 && x == floor(x) ? json_object_new_int64((int64_t)x) : json_object_new_double(x);
			fail(c, want, v, false);
			json_object_put(v);
			pop(c, old);
		}
		prev = d;
		last = x;
	}
	members(c, o, "errors", K_UINT);
	if ((b = field(c, o, "buckets", K_ARRAY, false))) {
		for (size_t k = 0; !c->failed && k < json_object_array_length(b); k++) {
			struct json_object *e = json_object_array_get_idx(b, k);

			old = push(c, ".buckets[%zu]", k);
			if (!json_object_is_type(e, json_type_array) || json_object_array_length(e) != 2 ||
			    !is_kind(json_object_array_get_idx(e, 0), K_UINT) ||
			    !is_kind(json_object_array_get_idx(e, 1), K_UINT))
				fail(c, "[upper_ns, count], two non-negative integers", e, false);
			pop(c, old);
		}
	}
}

/* Every member of m (already under its key in the path) is an object of op
 * statistics: a role's ops, the probe's wait/hold by mode. */
static void check_opstats_members(struct vc *c, struct json_object *m)
{
	json_object_object_foreach(m, name, v)
	{
		size_t o2 = push_key(c, name);

		if (!json_object_is_type(v, json_type_object))
			fail(c, kind_words[K_OBJECT], v, false);
		else
			check_opstats(c, v);
		pop(c, o2);
		if (c->failed)
			break;
	}
}

/* o.key, when present, is an object of op statistics per name (roles' ops). */
static void check_opstats_map(struct vc *c, struct json_object *o, const char *key, bool required)
{
	struct json_object *m = field(c, o, key, K_OBJECT, required);
	size_t old;

	if (!m)
		return;
	old = push_key(c, key);
	check_opstats_members(c, m);
	pop(c, old);
}

/* wait/hold by mode, and the counters: the probe's overall and per-role shape. */
static void check_lockstats(struct vc *c, struct json_object *o)
{
	static const char *const kinds[] = { "wait", "hold" };

	check_scope(c, o, PT_MS_MMAP_LOCK, false);
	for (size_t k = 0; k < PT_ARRAY_SIZE(kinds) && !c->failed; k++) {
		struct json_object *w = field(c, o, kinds[k], K_OBJECT, false);
		size_t old;

		if (!w)
			continue;
		old = push_key(c, kinds[k]);
		check_opstats_members(c, w);
		pop(c, old);
	}
}

/* A counter by its dotted path under o ("wait.read.count"), or -1. */
static long long path_count(struct json_object *o, const char *path)
{
	char key[64];

	while (o && *path) {
		size_t n = strcspn(path, ".");

		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		if (!json_object_object_get_ex(o, key, &o))
			return -1;
		path += n + (path[n] == '.');
	}
	return o && json_object_is_type(o, json_type_int) ? (long long)json_object_get_int64(o) : -1;
}

/* roles.ROLE.ops of a lock probe (BPF): each op's object has the role's own
 * shape (check), names an op of the role's worker (workers.ROLE.ops: a role
 * with no worker, "other", has no ops), and no counter of the role is less
 * than its ops' sum (the role's numbers are its ops' plus those of its
 * threads in no op). */
static void check_role_ops(struct vc *c, struct json_object *r, struct json_object *worker,
			   void (*check)(struct vc *c, struct json_object *o), const char *const *sums, size_t nsums)
{
	struct json_object *ops = field(c, r, "ops", K_OBJECT, false), *wops = NULL;
	size_t old;

	if (!ops)
		return;
	old = push_key(c, "ops");
	if (worker)
		json_object_object_get_ex(worker, "ops", &wops);
	if (!worker) {
		fail(c, "no ops (the role is no worker role of the repeat: ops are a worker's)", ops, false);
		pop(c, old);
		return;
	}
	json_object_object_foreach(ops, name, v)
	{
		size_t o2 = push_key(c, name);

		if (wops && !json_object_object_get_ex(wops, name, NULL))
			fail(c, "an op of the role's worker (a key of workers.ROLE.ops)", v, false);
		else if (!json_object_is_type(v, json_type_object))
			fail(c, kind_words[K_OBJECT], v, false);
		else
			check(c, v);
		pop(c, o2);
		if (c->failed)
			break;
	}
	for (size_t i = 0; i < nsums && !c->failed; i++) {
		long long role_n = path_count(r, sums[i]), sum = 0;

		json_object_object_foreach(ops, name2, v2)
		{
			long long n = path_count(v2, sums[i]);

			(void)name2;
			sum += n > 0 ? n : 0;
		}
		if (role_n >= 0 && sum > role_n) {
			char what[160];
			size_t o2 = push(c, "[*].%s", sums[i]);

			struct json_object *got = json_object_new_int64(sum);

			snprintf(what, sizeof(what), "a sum over ops of at most the role's %lld", role_n);
			fail(c, what, got, false);
			json_object_put(got);
			pop(c, o2);
		}
	}
	pop(c, old);
}

/* A probe's roles object, when present: each role's object checked by
 * check (the probe's per-role shape), and its ops (check_role_ops) against
 * the repeat's workers. */
static void check_probe_roles(struct vc *c, struct json_object *probe, struct json_object *workers,
			      void (*check)(struct vc *c, struct json_object *o), const char *const *sums,
			      size_t nsums)
{
	struct json_object *roles;
	size_t old;

	if (c->failed || !(roles = field(c, probe, "roles", K_OBJECT, false)))
		return;
	old = push_key(c, "roles");
	json_object_object_foreach(roles, role, r)
	{
		size_t o2 = push_key(c, role);
		struct json_object *w = NULL;

		if (!json_object_is_type(r, json_type_object)) {
			fail(c, kind_words[K_OBJECT], r, false);
		} else {
			check(c, r);
			if (workers)
				json_object_object_get_ex(workers, role, &w);
			if (!c->failed)
				check_role_ops(c, r, w, check, sums, nsums);
		}
		pop(c, o2);
		if (c->failed)
			break;
	}
	pop(c, old);
}

/* available (required) and why; true when the probe ran */
static bool check_probe_available(struct vc *c, struct json_object *probe)
{
	struct json_object *avail = field(c, probe, "available", K_BOOL, true);

	field(c, probe, "why", K_STRING, false);
	return avail && json_object_get_boolean(avail);
}

static void check_mmap_lock(struct vc *c, struct json_object *ml, struct json_object *workers)
{
	static const char *const sums[] = { "events",		"downgrades",	   "trylocks",
					    "failed_trylocks", "failed_locks",	   "unmatched",
					    "wait.read.count", "wait.write.count", "hold.read.count",
					    "hold.write.count" };

	if (!check_probe_available(c, ml))
		return;
	field(c, ml, "lost_events", K_UINT, false);
	field(c, ml, "per_op", K_BOOL, false);
	field(c, ml, "per_op_why", K_STRING, false);
	check_lockstats(c, ml);
	check_probe_roles(c, ml, workers, check_lockstats, sums, PT_ARRAY_SIZE(sums));
}

/* The vma_lock probe's counts (overall and per role) and its write waits. */
static void check_vma_counts(struct vc *c, struct json_object *o)
{
	struct json_object *w;

	check_scope(c, o, PT_MS_VMA_LOCK, false);
	if (!c->failed && (w = field(c, o, "write_wait", K_OBJECT, false))) {
		size_t old = push_key(c, "write_wait");

		check_opstats(c, w);
		pop(c, old);
	}
}

static void check_vma_lock(struct vc *c, struct json_object *vl, struct json_object *workers)
{
	static const char *const sums[] = { "attempts", "locked", "fallbacks", "write_locks", "write_wait.count" };

	if (!check_probe_available(c, vl))
		return;
	field(c, vl, "per_op", K_BOOL, false);
	field(c, vl, "per_op_why", K_STRING, false);
	field(c, vl, "shares_mmap_lock_programs", K_BOOL, false);
	field(c, vl, "method", K_STRING, false);
	field(c, vl, "write_wait_available", K_BOOL, false);
	field(c, vl, "write_wait_why", K_STRING, false);
	field(c, vl, "no_task_storage", K_UINT, false);
	check_vma_counts(c, vl);
	check_probe_roles(c, vl, workers, check_vma_counts, sums, PT_ARRAY_SIZE(sums));
}

/* The collapse proof of shmem-/anon-collapse and khugepaged's. */
static void check_collapse(struct vc *c, struct json_object *w, const char *key, enum pt_mscope scope)
{
	struct json_object *o = field(c, w, key, K_OBJECT, false), *a, *s;
	size_t old;

	if (!o)
		return;
	old = push_key(c, key);
	check_scope(c, o, scope, true);
	members(c, o, "vmstat_delta", K_INT);
	a = field(c, o, "attempts", K_UINT, false);
	s = field(c, o, "succeeded", K_UINT, false);
	if (a && s && json_object_get_int64(s) > json_object_get_int64(a)) {
		size_t o2 = push_key(c, "succeeded");

		fail(c, "at most \"attempts\"", s, false);
		pop(c, o2);
	} else if (s && !a) {
		/* successes with no attempts beside them: the gate's pooling sums
		 * each over the repeats that have it, and gave more successes than
		 * attempts (found by tests/fuzz/fuzz_gate_inputs) */
		size_t o2 = push_key(c, "succeeded");

		fail(c, "a count with \"attempts\" beside it", s, false);
		pop(c, o2);
	}
	pop(c, old);
}

/* The role's unit op (workers.ROLE.unit_op, declared by its worker type):
 * optional, since results written before the key existed lack it, but when
 * present a string naming one of the role's own ops, since compare and plot
 * divide the role's lock counts by that op's count. */
static void check_unit_op(struct vc *c, struct json_object *w)
{
	struct json_object *u = field(c, w, "unit_op", K_STRING, false), *ops = NULL;
	size_t old;

	if (!u)
		return;
	json_object_object_get_ex(w, "ops", &ops);
	if (json_object_is_type(ops, json_type_object) &&
	    json_object_object_get_ex(ops, json_object_get_string(u), NULL))
		return;
	old = push_key(c, "unit_op");
	fail(c, "one of the role's ops (a key of its \"ops\")", u, false);
	pop(c, old);
}

/* The ops of a repeat against its window: ops in a window of 0 s, or a
 * throughput above what the op's count gives over measured_s, are no
 * measurement. measured_s is the window of the run's own roles; a role
 * process measures its own, a little different, and a boot the gate pooled
 * sums the counts of its repeats: so only a throughput more than twice
 * count / measured_s is refused (1.8e308 ops/s from 1000 ops is). */
static void check_rates(struct vc *c, struct json_object *rep, struct json_object *workers)
{
	const struct pt_metric_def *d, *rate = NULL, *count = NULL;
	double secs, n, r;
	size_t i = 0;

	if (c->failed || !pt_metric_get(rep, "measured_s", &secs))
		return;
	while ((d = pt_metric_next_in(PT_MS_HIST, &i)))
		if (d->kind == PT_MK_RATE && !rate)
			rate = d;
		else if ((d->flags & PT_MF_REQUIRED) && d->pool == PT_POOL_SUM && !count)
			count = d;
	json_object_object_foreach(workers, role, w)
	{
		json_object_object_foreach(pt_result_get(w, "ops"), op, o)
		{
			size_t old;

			if (!count || !pt_metric_get(o, count->key, &n))
				continue;
			if (!(secs > 0) && n > 0) {
				char want[256];

				old = push_key(c, "measured_s");
				snprintf(want, sizeof(want), "more than 0 s: workers.%s.ops.%s counted %.0f ops in it",
					 role, op, n);
				fail(c, want, pt_result_get(rep, "measured_s"), false);
				pop(c, old);
				return;
			}
			if (!rate || !pt_metric_get(o, rate->key, &r) || r <= (secs > 0 ? 2 * n / secs : 0) * (1 + 1e-9))
				continue;
			old = push(c, ".workers.%s.ops.%s.%s", role, op, rate->key);
			{
				char want[256];

				snprintf(want, sizeof(want), "at most about count / measured_s (%.0f ops in %g s)", n, secs);
				fail(c, want, pt_result_get(o, rate->key), false);
			}
			pop(c, old);
			return;
		}
	}
}

static void check_repeat(struct vc *c, struct json_object *rep)
{
	struct json_object *workers, *probes, *ml, *vl;
	size_t old;

	if (!json_object_is_type(rep, json_type_object)) {
		fail(c, kind_words[K_OBJECT], rep, false);
		return;
	}
	field(c, rep, "complete", K_BOOL, false);
	field(c, rep, "measured_s", K_NUMBER, false);
	field(c, rep, "error", K_STRING, false);
	field(c, rep, "timeline", K_OBJECT, false);
	if ((workers = field(c, rep, "workers", K_OBJECT, true))) {
		old = push_key(c, "workers");
		json_object_object_foreach(workers, role, w)
		{
			size_t o2 = push_key(c, role);

			if (!json_object_is_type(w, json_type_object)) {
				fail(c, kind_words[K_OBJECT], w, false);
			} else {
				field(c, w, "type", K_STRING, false);
				field(c, w, "threads", K_UINT, false);
				check_opstats_map(c, w, "ops", true);
				check_unit_op(c, w);
				check_collapse(c, w, "collapse", PT_MS_COLLAPSE);
				check_collapse(c, w, "khugepaged", PT_MS_KHUGEPAGED);
			}
			pop(c, o2);
			if (c->failed)
				break;
		}
		pop(c, old);
		check_rates(c, rep, workers);
	}
	if ((probes = field(c, rep, "probes", K_OBJECT, false))) {
		old = push_key(c, "probes");
		field(c, probes, "vmstat", K_OBJECT, false);
		if ((ml = field(c, probes, "mmap_lock", K_OBJECT, false))) {
			size_t o2 = push_key(c, "mmap_lock");

			check_mmap_lock(c, ml, workers);
			pop(c, o2);
		}
		if (!c->failed && (vl = field(c, probes, "vma_lock", K_OBJECT, false))) {
			size_t o2 = push_key(c, "vma_lock");

			check_vma_lock(c, vl, workers);
			pop(c, o2);
		}
		pop(c, old);
	}
}

/* A result that says "complete": true says nothing against it: ptbench
 * writes an interrupted run as "complete": false with "interrupted_by",
 * and a run with a repeat that did not complete as not complete either
 * (cmd_run.c, run_output.c). A file that says both would be judged on
 * what one of its fields says (compare --gate passed an interrupted run;
 * a repeat marked incomplete was dropped without a word). */
static void check_complete(struct vc *c, struct json_object *intr, struct json_object *reps)
{
	size_t n = reps ? json_object_array_length(reps) : 0;

	if (intr) {
		size_t old = push_key(c, "interrupted_by");

		fail(c, "no \"interrupted_by\" beside \"complete\": true (an interrupted run is incomplete)",
		     intr, false);
		pop(c, old);
		return;
	}
	if (reps && !n) {
		size_t old = push_key(c, "repeats");

		fail(c, "at least one repeat beside \"complete\": true", reps, false);
		pop(c, old);
		return;
	}
	for (size_t k = 0; k < n; k++) {
		struct json_object *rep = json_object_array_get_idx(reps, k);

		if (!pt_result_repeat_used(rep)) {
			size_t old = push(c, "repeats[%zu].complete", k);

			fail(c, "true or absent beside the top-level \"complete\": true", pt_result_get(rep, "complete"),
			     false);
			pop(c, old);
			return;
		}
	}
}

int pt_result_validate(struct json_object *doc, char *err, size_t errlen)
{
	struct vc c = { .err = err, .errlen = errlen };
	struct json_object *sys, *kern, *sc, *reps, *complete, *intr;

	c.path[0] = '\0';
	if (!json_object_is_type(doc, json_type_object)) {
		errf(err, errlen, "the document is not an object");
		return -1;
	}
	field(&c, doc, "schema", K_STRING, true);
	complete = field(&c, doc, "complete", K_BOOL, true);
	intr = field(&c, doc, "interrupted_by", K_STRING, false);
	field(&c, doc, "tool", K_OBJECT, false);
	field(&c, doc, "sweep", K_OBJECT, false);
	if ((sys = field(&c, doc, "system", K_OBJECT, false)) &&
	    (kern = field(&c, sys, "kernel", K_OBJECT, false))) {
		size_t old = push_key(&c, "system.kernel");

		field(&c, kern, "release", K_STRING, false);
		pop(&c, old);
	}
	if ((sc = field(&c, doc, "scenario", K_OBJECT, true))) {
		size_t old = push_key(&c, "scenario");

		field(&c, sc, "name", K_STRING, true);
		field(&c, sc, "headline", K_STRING, false);
		field(&c, sc, "description", K_STRING, false);
		field(&c, sc, "workers", K_OBJECT, false);
		pop(&c, old);
	}
	if ((reps = field(&c, doc, "repeats", K_ARRAY, true)))
		for (size_t k = 0; !c.failed && k < json_object_array_length(reps); k++) {
			size_t old = push(&c, "repeats[%zu]", k);

			check_repeat(&c, json_object_array_get_idx(reps, k));
			pop(&c, old);
		}
	if (!c.failed && complete && json_object_get_boolean(complete))
		check_complete(&c, intr, reps);
	return c.failed ? -1 : 0;
}

/* ---- the whole read ---------------------------------------------------- */

struct json_object *pt_result_get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o && json_object_is_type(o, json_type_object))
		json_object_object_get_ex(o, key, &v);
	return v;
}

bool pt_result_num(struct json_object *o, const char *key, double *out)
{
	struct json_object *v = pt_result_get(o, key);

	if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
		return false;
	*out = json_object_get_double(v);
	return true;
}

bool pt_result_repeat_used(struct json_object *rep)
{
	struct json_object *c = pt_result_get(rep, "complete");

	/* a repeat that says nothing is taken: only an explicit false drops it */
	return json_object_is_type(rep, json_type_object) &&
	       (!c || (json_object_is_type(c, json_type_boolean) && json_object_get_boolean(c)));
}

size_t pt_result_nrepeats(const struct pt_result_file *f)
{
	struct json_object *reps = pt_result_get(f->doc, "repeats");

	return json_object_is_type(reps, json_type_array) ? json_object_array_length(reps) : 0;
}

struct json_object *pt_result_repeat(const struct pt_result_file *f, size_t k)
{
	return k < pt_result_nrepeats(f) ? json_object_array_get_idx(pt_result_get(f->doc, "repeats"), k)
					 : NULL;
}

struct json_object *pt_result_probe(struct json_object *rep, const char *name)
{
	struct json_object *pr = pt_result_get(pt_result_get(rep, "probes"), name);
	struct json_object *av = pt_result_get(pr, "available");

	return json_object_is_type(av, json_type_boolean) && json_object_get_boolean(av) ? pr : NULL;
}

struct json_object *pt_result_lock_probe(struct json_object *rep)
{
	return pt_result_probe(rep, "mmap_lock");
}

int pt_result_from_text(const char *text, size_t len, unsigned flags, struct json_object **docp,
			char *err, size_t errlen)
{
	struct json_object *doc = NULL, *sv;
	const char *schema;

	*docp = NULL;
	/* text that is no strictly valid JSON is refused even in a results
	 * directory: a truncated or cut-off result must not drop out of the
	 * pool unnoticed. JSON that is not a ptbench result is passed over
	 * there (vm.json, compare's output). */
	if (parse_json(text, len, &doc, err, errlen))
		return -1;
	if (!json_object_is_type(doc, json_type_object) && (flags & PT_RESULT_READ_SKIP_FOREIGN)) {
		json_object_put(doc);
		return 1;
	}
	if (not_object(doc, err, errlen)) {
		json_object_put(doc);
		return -1;
	}
	sv = pt_result_get(doc, "schema");
	schema = json_object_get_string(sv);
	if (!json_object_is_type(sv, json_type_string) || strncmp(schema, "ptbench-result/", 15)) {
		json_object_put(doc);
		if (flags & PT_RESULT_READ_SKIP_FOREIGN)
			return 1;
		errf(err, errlen, "not a ptbench result: no \"schema\": \"%s\"", PT_RESULT_SCHEMA);
		return -1;
	}
	if (strcmp(schema, PT_RESULT_SCHEMA) && !(flags & PT_RESULT_READ_ANY_VERSION)) {
		errf(err, errlen, "schema %s, this ptbench reads %s", schema, PT_RESULT_SCHEMA);
		json_object_put(doc);
		return -1;
	}
	if (pt_result_validate(doc, err, errlen)) {
		json_object_put(doc);
		return -1;
	}
	*docp = doc;
	return 0;
}

int pt_result_read(const char *path, unsigned flags, struct pt_result_file *out)
{
	char err[1024];
	char *text = NULL;
	size_t len = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (pt_result_read_text(path, PT_RESULT_MAX_BYTES, &text, &len, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", path, err);
		return -1;
	}
	rc = pt_result_read_buffer(path, text, len, flags, out);
	free(text);
	return rc;
}

int pt_result_read_buffer(const char *path, const char *text, size_t len, unsigned flags,
			  struct pt_result_file *out)
{
	char err[1024];
	struct json_object *doc = NULL, *hl;
	const char *schema;
	int rc;

	memset(out, 0, sizeof(*out));
	/* the bytes that are parsed are the bytes hashed */
	if (flags & PT_RESULT_READ_DIGEST) {
		pt_sha256(text, len, out->sha256);
		out->have_sha256 = true;
	}
	rc = pt_result_from_text(text, len, flags, &doc, err, sizeof(err));
	if (rc) {
		if (rc < 0)
			fprintf(stderr, "%s: %s\n", path, err);
		return rc;
	}
	schema = json_object_get_string(pt_result_get(doc, "schema"));
	out->path = path;
	out->doc = doc;
	out->schema = schema;
	out->foreign_schema = strcmp(schema, PT_RESULT_SCHEMA) != 0;
	out->complete = json_object_get_boolean(pt_result_get(doc, "complete"));
	out->kernel = json_object_get_string(
		pt_result_get(pt_result_get(pt_result_get(doc, "system"), "kernel"), "release"));
	if (!out->kernel)
		out->kernel = "?";
	out->scenario = json_object_get_string(pt_result_get(pt_result_get(doc, "scenario"), "name"));
	hl = pt_result_get(pt_result_get(doc, "scenario"), "headline");
	out->headline = hl ? json_object_get_string(hl) : NULL;
	out->repeats_total = pt_result_nrepeats(out);
	for (size_t k = 0; k < out->repeats_total; k++)
		out->repeats_used += pt_result_repeat_used(pt_result_repeat(out, k));
	return 0;
}

void pt_result_file_free(struct pt_result_file *f)
{
	json_object_put(f->doc);
	memset(f, 0, sizeof(*f));
}
