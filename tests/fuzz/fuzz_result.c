/* libFuzzer target: reading a result the way `compare` does once the file
 * is in memory (pt_cmp_load_buffer: json-c parse, schema and shape checks),
 * the scenario mismatch check, the lock-probe lookup and the metric
 * extraction and verdicts (the result compared with itself) on the loaded
 * result. The file read itself (pt_result_read_text: regular files only,
 * bounded) is fuzz_gate_inputs' first step, through a memfd: here its
 * syscalls were a fifth of an execution for no new path. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/compare.h"

#include "entry.h"

static void ignore(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

int pt_fuzz_one(const uint8_t *data, size_t size)
{
	static bool quiet;
	struct pt_cmp_input a;
	char buf[4096], *text;
	int rc;

	if (!quiet && !getenv("FUZZ_VERBOSE"))
		/* the FILE only: libFuzzer and the sanitizers write to fd 2 */
		stderr = fopen("/dev/null", "w");
	quiet = true;
	/* results are big, their shapes small: 16 KiB is room for every shape
	 * and keeps the rate up */
	if (size > 16384)
		return 0;
	/* NUL-terminated in a block of its own size, as pt_result_read_text
	 * gives it: ASan sees a read past the end */
	text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	/* --force or not by the length's parity: one load per input, both
	 * paths covered */
	rc = pt_cmp_load_buffer("fuzz-result", text, size, size & 1, &a, ignore, NULL);
	free(text);
	if (rc)
		return 0;
	pt_cmp_mismatches(&a, &a, buf, sizeof(buf));
	pt_cmp_has_lock_probe(&a);
	{
		struct pt_cmp_rule rule = PT_CMP_RULE_DEFAULT;
		struct pt_comparison cmp = { 0 };

		pt_cmp_build(&a, &a, &rule, &cmp);
		pt_comparison_free(&cmp);
	}
	pt_cmp_input_free(&a);
	return 0;
}
