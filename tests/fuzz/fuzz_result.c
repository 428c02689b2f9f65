/* libFuzzer target: reading a result file the way `compare` does
 * (pt_cmp_load: json-c parse, schema and shape checks), the scenario
 * mismatch check, the lock-probe lookup and the metric extraction and
 * verdicts (the result compared with itself) on the loaded result. The
 * input is handed over through a memfd so the real file-reading path runs. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ptbench/compare.h"

#include "entry.h"

static void ignore(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

int pt_fuzz_one(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct pt_cmp_input a;
	char buf[4096];

	if (fd < 0) {
		fd = memfd_create("fuzz-result", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (!getenv("FUZZ_VERBOSE"))
			/* the FILE only: libFuzzer and the sanitizers write to fd 2 */
			stderr = fopen("/dev/null", "w");
	}
	/* results are big, their shapes small: 16 KiB is room for every shape
	 * and keeps the rate up */
	if (size > 16384)
		return 0;
	/* written over, then cut to size: truncating to 0 first freed the
	 * memfd's pages only for the write to allocate them again */
	if (pwrite(fd, data, size, 0) != (ssize_t)size || ftruncate(fd, (off_t)size))
		abort();
	/* --force or not by the length's parity: one load per input, both
	 * paths covered */
	if (pt_cmp_load(path, size & 1, &a, ignore, NULL))
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
