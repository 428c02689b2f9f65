/* Reading result files (schema ptbench-result/1) back: the one validating
 * reader behind compare and plot.
 *
 * pt_result_read() refuses anything that is not a regular file of at most
 * PT_RESULT_MAX_BYTES, then parses strictly (no BOM, no NUL byte, nothing
 * after the document, valid UTF-8) and type-checks every value the readers
 * use. A wrong shape is reported as "FILE: JSON.PATH: expected X, got Y",
 * so after a successful read the getters below can trust the shape. */
#ifndef PTBENCH_RESULT_READ_H
#define PTBENCH_RESULT_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ptbench/sha256.h"

struct json_object;

/* The largest integer a result may hold: 2^53, the last that a double (what
 * compare, gate and plot compute in) holds exactly. */
#define PT_RESULT_INT_MAX (1ll << 53)

/* Larger result files are refused: a real one is a few MiB. */
#define PT_RESULT_MAX_BYTES (1ull << 30)

enum {
	/* read a "ptbench-result/N" of another N (compare --force) */
	PT_RESULT_READ_ANY_VERSION = 1u << 0,
	/* strict JSON that is no ptbench result (not an object, or no
	 * "schema": "ptbench-result/N") is passed over: pt_result_read returns
	 * 1 without a message (a directory of results also holds vm.json and
	 * the like); text that is not strict JSON (a truncated copy) and a
	 * ptbench result that is broken are still errors */
	PT_RESULT_READ_SKIP_FOREIGN = 1u << 1,
	/* take the SHA-256 of the bytes read (the gate, which refuses one run
	 * given twice); compare and the rest do not pay for it */
	PT_RESULT_READ_DIGEST = 1u << 2,
};

struct pt_result_file {
	const char *path;
	struct json_object *doc;
	const char *schema;   /* "ptbench-result/1" unless ANY_VERSION let another in */
	bool foreign_schema;  /* schema is not PT_RESULT_SCHEMA */
	bool complete;        /* the top-level "complete" */
	const char *kernel;   /* system.kernel.release, or "?" */
	const char *scenario; /* scenario.name */
	const char *headline; /* scenario.headline, or NULL */
	size_t repeats_total; /* entries of "repeats" */
	size_t repeats_used;  /* those not marked "complete": false */
	/* SHA-256 of the bytes read (the gate refuses one run given twice):
	 * with PT_RESULT_READ_DIGEST, set once the file was read, even when it
	 * is then refused */
	uint8_t sha256[PT_SHA256_LEN];
	bool have_sha256;
};

/* Read, parse and validate path: the file is read once, and its digest,
 * text and document all come from that one read. Returns 0, 1 for a file
 * passed over (PT_RESULT_READ_SKIP_FOREIGN), or -1 after printing one line
 * "PATH: why" to stderr (the caller exits 2: bad input). */
int pt_result_read(const char *path, unsigned flags, struct pt_result_file *out);
/* pt_result_read on a file's text already read (text[len] the terminating
 * NUL; path only names it in the message): everything after the read. */
int pt_result_read_buffer(const char *path, const char *text, size_t len, unsigned flags,
			  struct pt_result_file *out);
void pt_result_file_free(struct pt_result_file *f);

/* The steps of pt_result_read, for tests and other callers. Each returns 0
 * or -1 with the reason (without the file name) in err. */
/* A regular file, at most max bytes; NUL-terminated malloc'd text in *text. */
int pt_result_read_text(const char *path, size_t max, char **text, size_t *len, char *err,
			size_t errlen);
/* One JSON object document, strictly parsed, no key twice in one object
 * (*doc: a new reference); text[len] must be the terminating NUL. */
int pt_result_parse(const char *text, size_t len, struct json_object **doc, char *err,
		    size_t errlen);
/* The shape of a ptbench-result document: err names the JSON path. */
int pt_result_validate(struct json_object *doc, char *err, size_t errlen);
/* The checks of pt_result_read on a result's text already in memory (a
 * guest's, from the vm channel): strict parse, schema, shape. text[len]
 * must be the terminating NUL. Returns 0 with *doc (a new reference), 1
 * for a text passed over (PT_RESULT_READ_SKIP_FOREIGN), -1 with err. */
int pt_result_from_text(const char *text, size_t len, unsigned flags, struct json_object **doc,
			char *err, size_t errlen);

/* Getters over a validated document. */
size_t pt_result_nrepeats(const struct pt_result_file *f);
struct json_object *pt_result_repeat(const struct pt_result_file *f, size_t k);
/* A repeat counts unless it says "complete": false. */
bool pt_result_repeat_used(struct json_object *rep);
/* repeats[k].probes.NAME when its "available" is true, else NULL. */
struct json_object *pt_result_probe(struct json_object *rep, const char *name);
/* pt_result_probe(rep, "mmap_lock") */
struct json_object *pt_result_lock_probe(struct json_object *rep);
/* o.key when o is an object holding it, else NULL. */
struct json_object *pt_result_get(struct json_object *o, const char *key);
/* o.key as a number; false when absent or not a number. */
bool pt_result_num(struct json_object *o, const char *key, double *out);

#endif
