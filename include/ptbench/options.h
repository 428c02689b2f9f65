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

/* The C type of the field an option fills in a worker's typed options
 * struct: INT/SIZE/DURATION -> long long, BOOL -> bool, ENUM -> int (index
 * into choices), STRING -> const char * (owned by the plan). */
enum pt_opt_field { PT_FIELD_NONE = 0, PT_FIELD_LL, PT_FIELD_BOOL, PT_FIELD_INT, PT_FIELD_STR };

struct pt_opt_def {
	const char *key;
	enum pt_opt_type type;
	const char *defval;          /* in the same syntax as the file; NULL = no default */
	long long min, max;          /* INT/SIZE/DURATION bounds; min == max == 0: unbounded */
	const char *const *choices;  /* ENUM: NULL-terminated */
	const char *help;
	long long multiple;          /* INT/SIZE/DURATION: the value must be a multiple of this (0: any) */
	enum pt_opt_field field;     /* which C type the field at .offset has (NONE: no field) */
	size_t offset;               /* offsetof() the field in the worker's options struct */
};

/* Option table entries that fill a field of a typed options struct S. The
 * field's C type is checked at compile time: a table entry whose field has
 * the wrong type does not build. */
#define PT__FIELD_IS(S, m, T) \
	(sizeof(char[__builtin_types_compatible_p(__typeof__(((S *)0)->m), T) ? 1 : -1]) ? offsetof(S, m) : 0)
#define PT_OPT_INT_F(k, S, m, def, lo, hi, h) \
	{ .key = k, .type = PT_OPT_INT, .defval = def, .min = lo, .max = hi, .help = h, \
	  .field = PT_FIELD_LL, .offset = PT__FIELD_IS(S, m, long long) }
#define PT_OPT_SIZE_MULT_F(k, S, m, def, lo, hi, mult, h) \
	{ .key = k, .type = PT_OPT_SIZE, .defval = def, .min = lo, .max = hi, .help = h, \
	  .multiple = mult, .field = PT_FIELD_LL, .offset = PT__FIELD_IS(S, m, long long) }
#define PT_OPT_SIZE_F(k, S, m, def, lo, hi, h) PT_OPT_SIZE_MULT_F(k, S, m, def, lo, hi, 0, h)
#define PT_OPT_DURATION_F(k, S, m, def, lo, hi, h) \
	{ .key = k, .type = PT_OPT_DURATION, .defval = def, .min = lo, .max = hi, .help = h, \
	  .field = PT_FIELD_LL, .offset = PT__FIELD_IS(S, m, long long) }
#define PT_OPT_BOOL_F(k, S, m, def, h) \
	{ .key = k, .type = PT_OPT_BOOL, .defval = def, .help = h, \
	  .field = PT_FIELD_BOOL, .offset = PT__FIELD_IS(S, m, bool) }
#define PT_OPT_ENUM_F(k, S, m, def, ch, h) \
	{ .key = k, .type = PT_OPT_ENUM, .defval = def, .choices = ch, .help = h, \
	  .field = PT_FIELD_INT, .offset = PT__FIELD_IS(S, m, int) }
#define PT_OPT_STRING_F(k, S, m, def, h) \
	{ .key = k, .type = PT_OPT_STRING, .defval = def, .help = h, \
	  .field = PT_FIELD_STR, .offset = PT__FIELD_IS(S, m, const char *) }
#define PT_OPT_END { .key = NULL }

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

/* Fill the typed struct dst (its fields named by the table's .offset) from
 * the values; strings point into o, which must outlive dst. */
void pt_opts_fill(const struct pt_opts *o, void *dst);

/* The index of the entry that fills field m of the typed struct S: the
 * typed way to name a key (a misspelt field does not build). -1: none. */
int pt_opts_field(const struct pt_opts *o, size_t offset);
#define PT_OPTS_FIELD(o, S, m) pt_opts_field(o, offsetof(S, m))

/* The line a key was set on (0: default or --set), for messages. */
int pt_opt_line(const struct pt_opts *o, const char *key);

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
