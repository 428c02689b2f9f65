/* ptbench vm: kernel specs, the run archive, the guest's channel. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/safe_name.h"
#include "ptbench/util.h"
#include "ptbench/vm.h"

int pt_vm_kernel_spec(const char *spec, char **image, char **label, char *err, size_t errlen)
{
	const char *colon = strrchr(spec, ':');
	const char *base, *l;
	size_t ilen;

	/* a colon inside the path (after the last '/') is the label separator */
	if (colon && strchr(colon, '/'))
		colon = NULL;
	ilen = colon ? (size_t)(colon - spec) : strlen(spec);
	if (!ilen) {
		snprintf(err, errlen, "--kernel '%s': no image path", spec);
		return -1;
	}
	*image = pt_xmalloc(ilen + 1);
	memcpy(*image, spec, ilen);
	(*image)[ilen] = '\0';
	if (colon) {
		l = colon + 1;
	} else {
		base = strrchr(*image, '/');
		base = base ? base + 1 : *image;
		l = strncmp(base, "vmlinuz-", 8) || !base[8] ? base : base + 8;
	}
	if (!*l) {
		snprintf(err, errlen, "--kernel '%s': empty label", spec);
		goto fail;
	}
	/* the label names the directory DIR/LABEL */
	char why[96];

	if (!pt_name_is_safe(l, why, sizeof(why))) {
		snprintf(err, errlen, "--kernel '%s': bad label: %s", spec, why);
		goto fail;
	}
	for (const char *p = l; *p; p++) {
		if (!isalnum((unsigned char)*p) && !strchr("._+-", *p)) {
			snprintf(err, errlen, "--kernel '%s': label '%s' may hold only letters, digits and ._+-",
				 spec, l);
			goto fail;
		}
	}
	*label = pt_xstrdup(l);
	return 0;
fail:
	free(*image);
	*image = NULL;
	return -1;
}

static int pad4(FILE *f, size_t n)
{
	static const char zero[4];
	size_t p = (4 - n % 4) % 4;

	return p && fwrite(zero, 1, p, f) != p ? -1 : 0;
}

int pt_vm_cpio_entry(FILE *f, const char *name, unsigned mode, const void *data, size_t len)
{
	static unsigned ino = 0x70000;	/* apart from the base archive's numbers */
	size_t namesize = strlen(name) + 1;
	int n;

	n = fprintf(f, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
		    ino++, mode, 0u, 0u, (mode & 0170000) == 0040000 ? 2u : 1u, 0u, len,
		    0u, 0u, 0u, 0u, namesize, 0u);
	if (n != 110 || fwrite(name, 1, namesize, f) != namesize || pad4(f, 110 + namesize))
		return -1;
	if (len && fwrite(data, 1, len, f) != len)
		return -1;
	return pad4(f, len);
}

int pt_vm_cpio_trailer(FILE *f)
{
	return pt_vm_cpio_entry(f, "TRAILER!!!", 0, NULL, 0);
}

/* The line starting at p (NUL-terminated in place); *next after it. */
static char *take_line(char *p, char **next)
{
	char *nl = strchr(p, '\n');

	if (nl) {
		*nl = '\0';
		*next = nl + 1;
	} else {
		*next = p + strlen(p);
	}
	return p;
}

void pt_vm_parse_channel(char *text, struct pt_vm_channel *ch)
{
	char *r = text, *w = text, *p, *next;

	memset(ch, 0, sizeof(*ch));
	/* a tty may turn \n into \r\n: drop every \r (JSON escapes its own) */
	for (; *r; r++)
		if (*r != '\r')
			*w++ = *r;
	*w = '\0';

	for (p = text; *p; p = next) {
		char *line = take_line(p, &next);
		int idx, rc, end, got;
		char point[64];

		if (!strncmp(line, "@@PTBENCH-GUEST ", 16)) {
			char *e = strstr(line + 16, "@@");

			if (e) {
				*e = '\0';
				ch->release = line + 16;
			}
		} else if (!strncmp(line, "@@PTBENCH-DONE ", 15)) {
			ch->done = true;
		} else if ((got = sscanf(line, "@@PTBENCH-RESULT-BEGIN %d %d %63[^@]@@", &idx, &rc, point)) >= 2 &&
			   ch->nresults < PT_VM_MAX_RESULTS) {
			int k = ch->nresults++;
			char *body = next, *q;

			ch->results[k].index = idx;
			ch->results[k].rc = rc;
			/* a sweep point (init's "BEGIN i rc threads-N"): the suffix
			 * names a file on the host, so only that shape is taken */
			if (got == 3) {
				unsigned n;
				int used = 0;

				if (sscanf(point, "threads-%u%n", &n, &used) == 1 && !point[used] &&
				    point[8] != '0' && n >= 1 && n <= 4096)
					snprintf(ch->results[k].point, sizeof(ch->results[k].point), "threads-%u", n);
				else
					ch->results[k].bad_point = true;
			}
			/* the body runs to the end marker, which starts a line */
			for (q = body; *q; q = next) {
				char *l2 = take_line(q, &next);

				if (sscanf(l2, "@@PTBENCH-RESULT-END %d@@", &end) == 1 && end == idx) {
					ch->results[k].complete = true;
					*l2 = '\0';
					break;
				}
				/* take_line cut the body: put the newline back */
				if (*next)
					next[-1] = '\n';
			}
			if (ch->results[k].complete) {
				for (q = body; isspace((unsigned char)*q); q++)
					;
				ch->results[k].json = *q ? body : NULL;
			}
		}
	}
}
