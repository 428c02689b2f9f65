/* /proc/kallsyms, sorted by address (see ksyms.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/ksyms.h"
#include "ptbench/util.h"

struct ksym {
	uint64_t addr;
	char *name;
};

struct pt_ksyms {
	struct ksym *s;
	size_t n;
};

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

void pt_ksyms_free(struct pt_ksyms *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n; i++)
		free(k->s[i].name);
	free(k->s);
	free(k);
}

struct pt_ksyms *pt_ksyms_load(const char *path, char *why, size_t len)
{
	FILE *f;
	char line[512];
	size_t cap = 0, zero = 0;
	struct pt_ksyms *k;

	if (!path)
		path = "/proc/kallsyms";
	f = fopen(path, "re");
	if (!f) {
		snprintf(why, len, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	k = pt_xcalloc(1, sizeof(*k));
	/* "ffffffff81000000 T _stext" or "... t name\t[module]" */
	while (fgets(line, sizeof(line), f)) {
		char type, name[256], mod[128] = "";
		unsigned long long addr;
		int n = sscanf(line, "%llx %c %255s %127s", &addr, &type, name, mod);

		if (n < 3 || (type != 't' && type != 'T' && type != 'w' && type != 'W'))
			continue;
		if (!addr) {
			zero++;
			continue;
		}
		if (k->n == cap) {
			cap = cap ? cap * 2 : 65536;
			k->s = pt_xrealloc(k->s, cap * sizeof(*k->s));
		}
		k->s[k->n].addr = addr;
		if (mod[0]) {
			size_t l = strlen(name) + strlen(mod) + 2;

			k->s[k->n].name = pt_xmalloc(l);
			snprintf(k->s[k->n].name, l, "%s %s", name, mod);
		} else {
			k->s[k->n].name = pt_xstrdup(name);
		}
		k->n++;
	}
	fclose(f);
	if (!k->n) {
		if (zero)
			snprintf(why, len, "%s shows every address as 0 (kernel.kptr_restrict, or no CAP_SYSLOG)", path);
		else
			snprintf(why, len, "%s has no kernel text symbols", path);
		pt_ksyms_free(k);
		return NULL;
	}
	qsort(k->s, k->n, sizeof(*k->s), by_addr);
	return k;
}

const char *pt_ksyms_name(const struct pt_ksyms *k, uint64_t addr)
{
	size_t lo = 0, hi = k->n;

	/* the last symbol at or below addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->s[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? k->s[lo - 1].name : NULL;
}
