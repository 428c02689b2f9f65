/* Typed option tables. One table per worker type (and one for the keys every
 * role and the [scenario] section have) serves the scenario file and
 * `--set role.key=value` alike, so both accept and reject the same things. */
#ifndef PTBENCH_OPTIONS_H
#define PTBENCH_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pt_opt_type {
	PT_OPT_INT,      /* plain integer */
	PT_OPT_SIZE,     /* bytes, K/M/G suffixes (powers of 1024) */
	PT_OPT_DURATION, /* stored in ns; ns/us/ms/s/m suffixes, bare number = seconds */
	PT_OPT_BOOL,     /* true/false/yes/no/on/off/1/0 */
	PT_OPT_ENUM,     /* one of .choices */
	PT_OPT_STRING,   /* free text, validated by the worker if at all */
};

struct pt_opt_def {
	const char *key;
	enum pt_opt_type type;
	const char *defval;          /* in the same syntax as the file; NULL = no default */
	long long min, max;          /* INT/SIZE/DURATION bounds; min == max == 0: unbounded */
	const char *const *choices;  /* ENUM: NULL-terminated */
	const char *help;
};

struct pt_opt_val {
	bool set;         /* given in the file or with --set (not a default) */
	long long num;    /* INT/SIZE/DURATION(ns)/BOOL(0/1)/ENUM(index) */
	char *str;        /* the text as written (or the default) */
	int line;         /* where it was set; 0 for defaults and --set */
};

/* Values for one table: vals[i] belongs to defs[i]. */
struct pt_opts {
	const struct pt_opt_def *defs;
	struct pt_opt_val *vals;
	size_t n;
};

int pt_opts_init(struct pt_opts *o, const struct pt_opt_def *defs);
void pt_opts_free(struct pt_opts *o);
int pt_opts_find(const struct pt_opts *o, const char *key);
/* Parse text into vals[idx]; on error fills err (without location) and returns -1. */
int pt_opts_set(struct pt_opts *o, int idx, const char *text, int line, char *err, size_t errlen);

long long pt_opt_num(const struct pt_opts *o, const char *key);
const char *pt_opt_str(const struct pt_opts *o, const char *key);
bool pt_opt_is_set(const struct pt_opts *o, const char *key);

/* Value parsers, exposed for the command line (--duration) and the tests.
 * Each returns 0, -1 for text that is not a value of its kind, or
 * PT_PARSE_RANGE for a well-formed value too large to hold. */
#define PT_PARSE_RANGE (-2)
int pt_parse_size(const char *s, long long *out);
int pt_parse_duration_ns(const char *s, long long *out);
int pt_parse_int(const char *s, long long *out);
int pt_parse_bool(const char *s, bool *out);

/* "did you mean": the closest of the candidates within a small edit distance. */
const char *pt_suggest(const char *word, const char *const *candidates, size_t n);
const char *pt_suggest_key(const char *word, const struct pt_opt_def *defs);

/* Print a table's keys with types, defaults and help (for `ptbench list`). */
void pt_opts_print_help(const struct pt_opt_def *defs, const char *indent);

#endif
