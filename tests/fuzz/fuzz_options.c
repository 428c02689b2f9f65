/* libFuzzer target: the option value parsers (size, duration, int, bool) and
 * the sweep list parser, each on the same NUL-terminated input; results are
 * checked for the invariants the callers rely on. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/options.h"
#include "ptbench/sweep.h"

#include "entry.h"

int pt_fuzz_one(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[256];
	long long v;
	bool b;
	int vals[PT_SWEEP_MAX];

	memcpy(text, data, size);
	text[size] = '\0';
	/* sizes and durations are never negative when accepted */
	if (pt_parse_size(text, &v) == 0 && v < 0)
		abort();
	if (pt_parse_duration_ns(text, &v) == 0 && v < 0)
		abort();
	(void)pt_parse_int(text, &v);
	(void)pt_parse_bool(text, &b);
	if (pt_sweep_is_list(text)) {
		int n = pt_sweep_parse_values(text, 4096, vals, PT_SWEEP_MAX, err, sizeof(err));

		for (int i = 0; i < n; i++)
			if (vals[i] < 0 || vals[i] > 4096)
				abort();
	}
	free(text);
	return 0;
}
