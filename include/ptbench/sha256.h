/* SHA-256 (FIPS 180-4) of a buffer: the gate tells identical result files
 * apart from independent runs by it (a copy under another name, the same
 * file given twice or on both sides). */
#ifndef PTBENCH_SHA256_H
#define PTBENCH_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define PT_SHA256_LEN 32

void pt_sha256(const void *data, size_t len, uint8_t out[PT_SHA256_LEN]);
/* lowercase hex of a digest: out holds 2 * PT_SHA256_LEN + 1 bytes */
void pt_sha256_hex(const uint8_t digest[PT_SHA256_LEN], char *out);

#endif
