/* libFuzzer's entry for every target, and the sanitizer defaults of the
 * fuzz build. */
#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "json_arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__asan_default_options(void);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int rc = pt_fuzz_one(data, size);

	pt_fuzz_json_reset();
	return rc;
}

/* ASan keeps freed blocks unreused in a quarantine of 256 MiB by default,
 * so that a later use of one is caught. Executions are independent (no
 * target keeps a pointer from one to the next), and one frees far less
 * than 16 MiB (doc/fuzzing.md), so 16 MiB still holds every block an
 * execution freed until it ends, and more than a hundred executions
 * before it; the default's 256 MiB only cost fresh pages (a page fault and
 * a fill per block). ASAN_OPTIONS given by the caller still win. */
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16";
}
