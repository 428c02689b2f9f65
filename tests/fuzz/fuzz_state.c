/* libFuzzer target: the state file parser (src/system/machine_state.c), the text
 * a root ptbench acts on at its next start. Whatever the
 * input, it must not crash, and what it accepts must hold what the undo
 * relies on: a header, a pid, at most 64 records, each naming an allowed
 * file (checked again here through the public allow-list). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/machine_state.h"

#include "entry.h"

int pt_fuzz_one(const uint8_t *data, size_t size)
{
	char why[4096 + 256];
	int pid = -1, n;

	n = pt_state_parse((const char *)data, size, &pid, why, sizeof(why));
	if (n < 0)
		return 0;
	if (n > 64 || pid <= 0 || size < 16 || memcmp(data, "ptbench-state 1\n", 16))
		abort();
	/* every sysfs line of an accepted file names an allowed path */
	for (const char *p = (const char *)data, *end = p + size; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char line[1024], *t;

		if (!nl)
			abort(); /* accepted files end with a newline */
		if ((size_t)(nl - p) < sizeof(line) && !strncmp(p, "sysfs\t", 6)) {
			memcpy(line, p + 6, (size_t)(nl - p) - 6);
			line[nl - p - 6] = '\0';
			t = strchr(line, '\t');
			if (t)
				*t = '\0';
			if (!pt_state_sysfs_allowed(line, why, sizeof(why)))
				abort();
		}
		p = nl + 1;
	}
	return 0;
}
