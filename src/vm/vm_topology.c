/* ptbench vm --topology: the spec parser and the qemu arguments it makes
 * (include/ptbench/vm_topology.h has the grammar). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/util.h"
#include "ptbench/vm_topology.h"

/* qemu's remote distance where -numa dist names none (hw/core/numa.c) */
#define QEMU_DEFAULT_REMOTE 20
#define LOCAL_DISTANCE 10

__attribute__((format(printf, 4, 5))) static int fail(char *err, size_t errlen, const char *spec,
						       const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "--topology '%s': ", spec);

	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Digits at *p (no sign, no spaces: strtol would take both) into *v;
 * values past 99999 are clamped, so "too big" reads as out of range. */
static bool take_number(const char **p, long *v)
{
	const char *s = *p;

	if (!isdigit((unsigned char)*s))
		return false;
	*v = 0;
	for (; isdigit((unsigned char)*s); s++)
		*v = *v > 99999 ? *v : *v * 10 + (*s - '0');
	*p = s;
	return true;
}

/* The whole of s is a number in lo..hi. */
static bool number_in(const char *s, long lo, long hi, long *v)
{
	return take_number(&s, v) && !*s && *v >= lo && *v <= hi;
}

/* "2s2c2t"; any of the three may be left out (1), but they come in that
 * order: "2s2t" is 2 sockets of 1 core with 2 threads. */
static int parse_shape(const char *part, const char *spec, struct pt_vm_topology *t, char *err,
		       size_t errlen)
{
	static const struct {
		char letter;
		const char *name;
		int max;
	} field[] = {
		{ 's', "sockets", PT_VM_TOPO_MAX_SOCKETS },
		{ 'c', "cores", PT_VM_TOPO_MAX_CORES },
		{ 't', "threads", PT_VM_TOPO_MAX_THREADS },
	};
	int *out[] = { &t->sockets, &t->cores, &t->threads };
	const char *p = part;
	size_t f = 0;

	t->sockets = t->cores = t->threads = 1;
	if (!*p)
		return fail(err, errlen, spec, "want SOCKETSsCOREScTHREADSt first, such as 2s2c2t");
	while (*p) {
		long v;

		if (!take_number(&p, &v))
			return fail(err, errlen, spec, "'%s': want SOCKETSsCOREScTHREADSt, such as 2s2c2t", part);
		while (f < PT_ARRAY_SIZE(field) && field[f].letter != *p)
			f++;
		if (f == PT_ARRAY_SIZE(field))
			return fail(err, errlen, spec, "'%s': want SOCKETSsCOREScTHREADSt, such as 2s2c2t (in that order)",
				    part);
		if (v < 1 || v > field[f].max)
			return fail(err, errlen, spec, "%s must be 1..%d", field[f].name, field[f].max);
		*out[f++] = (int)v;
		p++;
	}
	if (pt_vm_topology_cpus(t) > PT_VM_TOPO_MAX_CPUS)
		return fail(err, errlen, spec, "%d CPUs: at most %d", pt_vm_topology_cpus(t), PT_VM_TOPO_MAX_CPUS);
	return 0;
}

/* One "A-B:D" of dist=; into given[a][b] (checked against nodes later). */
static int parse_pair(const char *item, const char *spec, int pair[3], char *err, size_t errlen)
{
	const char *p = item;
	long a, b, d;

	if (!take_number(&p, &a) || *p++ != '-' || !take_number(&p, &b) || *p++ != ':' ||
	    !take_number(&p, &d) || *p)
		return fail(err, errlen, spec, "dist '%s': want D, or A-B:D per node pair", item);
	pair[0] = (int)(a > 99 ? 99 : a);
	pair[1] = (int)(b > 99 ? 99 : b);
	pair[2] = (int)(d > 999 ? 999 : d);
	return 0;
}

int pt_vm_topology_cpus(const struct pt_vm_topology *t)
{
	return t->sockets * t->cores * t->threads;
}

int pt_vm_topology_parse(const char *spec, struct pt_vm_topology *t, char *err, size_t errlen)
{
	char *copy = pt_xstrdup(spec), *save = NULL, *part;
	int pairs[PT_VM_TOPO_MAX_NODES * PT_VM_TOPO_MAX_NODES][3], npairs = 0;
	long all = 0, nodes = 0;
	bool in_dist = false, have_dist = false;
	int rc = -1, cpus;

	memset(t, 0, sizeof(*t));
	/* strtok_r would pass over an empty part: ",,", a leading or a
	 * trailing comma are mistakes worth naming */
	if (!*spec || *spec == ',' || spec[strlen(spec) - 1] == ',' || strstr(spec, ",,")) {
		fail(err, errlen, spec, "an empty part");
		goto out;
	}
	part = strtok_r(copy, ",", &save);
	if (parse_shape(part, spec, t, err, errlen))
		goto out;
	while ((part = strtok_r(NULL, ",", &save))) {
		if (!strncmp(part, "nodes=", 6)) {
			if (nodes) {
				fail(err, errlen, spec, "nodes= given twice");
				goto out;
			}
			if (!number_in(part + 6, 1, PT_VM_TOPO_MAX_NODES, &nodes)) {
				fail(err, errlen, spec, "'%s': nodes must be 1..%d", part, PT_VM_TOPO_MAX_NODES);
				goto out;
			}
			in_dist = false;
		} else if (!strncmp(part, "dist=", 5) || (in_dist && !strchr(part, '='))) {
			const char *item = strncmp(part, "dist=", 5) ? part : part + 5;

			if (have_dist && !in_dist) {
				fail(err, errlen, spec, "dist= given twice");
				goto out;
			}
			have_dist = in_dist = true;
			if (!strchr(item, '-') && !strchr(item, ':')) {
				if (all || npairs) {
					fail(err, errlen, spec, "dist '%s': one D for every pair, or A-B:D per pair, not both", item);
					goto out;
				}
				if (!number_in(item, 11, 254, &all)) {
					fail(err, errlen, spec, "dist '%s': a remote distance must be 11..254 (local is 10)", item);
					goto out;
				}
				continue;
			}
			if (all) {
				fail(err, errlen, spec, "dist '%s': one D for every pair, or A-B:D per pair, not both", item);
				goto out;
			}
			if (npairs == (int)PT_ARRAY_SIZE(pairs)) {
				fail(err, errlen, spec, "too many dist pairs");
				goto out;
			}
			if (parse_pair(item, spec, pairs[npairs], err, errlen))
				goto out;
			if (pairs[npairs][2] < 11 || pairs[npairs][2] > 254) {
				fail(err, errlen, spec, "dist '%s': a remote distance must be 11..254 (local is 10)", item);
				goto out;
			}
			npairs++;
		} else {
			fail(err, errlen, spec, "'%s': want nodes=N or dist=...", part);
			goto out;
		}
	}
	t->nodes = (int)nodes;
	cpus = pt_vm_topology_cpus(t);
	if (have_dist && nodes < 2) {
		fail(err, errlen, spec, "dist= needs nodes=2 or more");
		goto out;
	}
	if (nodes && cpus % nodes) {
		fail(err, errlen, spec, "nodes=%ld: %d CPUs do not split evenly into %ld nodes", nodes, cpus, nodes);
		goto out;
	}
	/* a core whose threads sit on two nodes is no machine's layout, and
	 * hwloc in the guest would show it as nonsense */
	if (nodes && (cpus / nodes) % t->threads) {
		fail(err, errlen, spec, "nodes=%ld: %ld CPU(s) per node would split a core of %d threads", nodes,
		     cpus / nodes, t->threads);
		goto out;
	}
	for (int i = 0; i < npairs; i++) {
		int a = pairs[i][0], b = pairs[i][1];

		if (a >= nodes || b >= nodes) {
			fail(err, errlen, spec, "dist %d-%d: nodes are 0..%ld", a, b, nodes - 1);
			goto out;
		}
		if (a == b) {
			fail(err, errlen, spec, "dist %d-%d: a node's distance to itself is %d", a, b, LOCAL_DISTANCE);
			goto out;
		}
		if (t->dist[a][b]) {
			fail(err, errlen, spec, "dist %d-%d given twice", a, b);
			goto out;
		}
		t->dist[a][b] = (unsigned char)pairs[i][2];
	}
	/* B-A as A-B where only A-B was given (what qemu does itself); a plain
	 * dist=D for every pair */
	for (int a = 0; a < nodes; a++)
		for (int b = 0; b < nodes; b++)
			if (a != b && !t->dist[a][b])
				t->dist[a][b] = all ? (unsigned char)all : t->dist[b][a];
	rc = 0;
out:
	free(copy);
	return rc;
}

void pt_vm_topology_node_cpus(const struct pt_vm_topology *t, int n, int *first, int *last)
{
	int per = pt_vm_topology_cpus(t) / (t->nodes ? t->nodes : 1);

	*first = n * per;
	*last = (n + 1) * per - 1;
}

unsigned long long pt_vm_mem_mib(const char *mem)
{
	unsigned long long v;
	char *end;

	/* strtoull takes "-1" and " 1": digits only */
	if (!isdigit((unsigned char)*mem))
		return 0;
	errno = 0;
	v = strtoull(mem, &end, 10);
	if (errno || v >= (1ULL << 40))
		return 0;
	if (!*end || ((*end == 'M' || *end == 'm') && !end[1]))
		return v;
	if ((*end == 'G' || *end == 'g') && !end[1])
		return v * 1024;
	return 0;
}

int pt_vm_topology_check_mem(const struct pt_vm_topology *t, const char *spec, const char *mem,
			     char *err, size_t errlen)
{
	unsigned long long mib = pt_vm_mem_mib(mem);

	if (!t->nodes)
		return 0;
	if (!mib)
		return fail(err, errlen, spec, "--mem %s: want MiB or GiB (1536M, 2G) to split over nodes", mem);
	if (mib % (unsigned)t->nodes)
		return fail(err, errlen, spec, "nodes=%d: --mem %s (%llu MiB) does not split into %d nodes of whole MiB",
			    t->nodes, mem, mib, t->nodes);
	return 0;
}

void pt_vm_topology_smp(const struct pt_vm_topology *t, char *buf, size_t len)
{
	snprintf(buf, len, "cpus=%d,sockets=%d,cores=%d,threads=%d", pt_vm_topology_cpus(t), t->sockets,
		 t->cores, t->threads);
}

char **pt_vm_topology_numa_argv(const struct pt_vm_topology *t, unsigned long long mem_mib)
{
	/* per node 4 words, per ordered pair 2 */
	size_t max = (size_t)t->nodes * 4 + (size_t)t->nodes * (size_t)t->nodes * 2 + 1, n = 0;
	char **argv = pt_xmalloc(max * sizeof(*argv));

	for (int i = 0; i < t->nodes; i++) {
		int first, last;

		pt_vm_topology_node_cpus(t, i, &first, &last);
		argv[n++] = pt_xstrdup("-object");
		argv[n++] = pt_xasprintf("memory-backend-ram,id=m%d,size=%lluM", i, mem_mib / (unsigned)t->nodes);
		argv[n++] = pt_xstrdup("-numa");
		argv[n++] = first == last ? pt_xasprintf("node,nodeid=%d,cpus=%d,memdev=m%d", i, first, i)
					  : pt_xasprintf("node,nodeid=%d,cpus=%d-%d,memdev=m%d", i, first, last, i);
	}
	/* only what the spec set: the rest keeps qemu's default */
	for (int a = 0; a < t->nodes; a++)
		for (int b = 0; b < t->nodes; b++)
			if (a != b && t->dist[a][b]) {
				argv[n++] = pt_xstrdup("-numa");
				argv[n++] = pt_xasprintf("dist,src=%d,dst=%d,val=%d", a, b, t->dist[a][b]);
			}
	argv[n] = NULL;
	return argv;
}

void pt_vm_topology_argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

json_object *pt_vm_topology_json(const struct pt_vm_topology *t, const char *spec,
				 unsigned long long mem_mib)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "spec", json_object_new_string(spec));
	json_object_object_add(o, "sockets", json_object_new_int(t->sockets));
	json_object_object_add(o, "cores_per_socket", json_object_new_int(t->cores));
	json_object_object_add(o, "threads_per_core", json_object_new_int(t->threads));
	json_object_object_add(o, "cpus", json_object_new_int(pt_vm_topology_cpus(t)));
	json_object_object_add(o, "nodes", json_object_new_int(t->nodes));
	if (!t->nodes)
		return o;
	json_object *cpus = json_object_new_array(), *dist = json_object_new_array();

	for (int i = 0; i < t->nodes; i++) {
		json_object *row = json_object_new_array();
		int first, last;
		char buf[32];

		pt_vm_topology_node_cpus(t, i, &first, &last);
		if (first == last)
			snprintf(buf, sizeof(buf), "%d", first);
		else
			snprintf(buf, sizeof(buf), "%d-%d", first, last);
		json_object_array_add(cpus, json_object_new_string(buf));
		for (int j = 0; j < t->nodes; j++)
			json_object_array_add(row, json_object_new_int(i == j ? LOCAL_DISTANCE
								   : t->dist[i][j] ? t->dist[i][j]
								   : QEMU_DEFAULT_REMOTE));
		json_object_array_add(dist, row);
	}
	json_object_object_add(o, "node_cpus", cpus);
	json_object_object_add(o, "node_mem_mib", json_object_new_int64((int64_t)(mem_mib / (unsigned)t->nodes)));
	json_object_object_add(o, "distances", dist);
	return o;
}
