/* What every fuzz target shares: its one execution (entry.c). */
#ifndef PTBENCH_FUZZ_ENTRY_H
#define PTBENCH_FUZZ_ENTRY_H

#include <stddef.h>
#include <stdint.h>

/* One execution of a target: each tests/fuzz/fuzz_T.c defines it, and
 * entry.c's LLVMFuzzerTestOneInput calls it, then resets json-c's
 * arena, so that no target can leave the reset (and its leak check) out. */
int pt_fuzz_one(const uint8_t *data, size_t size);

#endif
