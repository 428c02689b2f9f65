/* Typed option values: parsing with suffixes, bounds, enums, and the
 * "did you mean" hint. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ptbench/options.h"
#include "ptbench/util.h"

int pt_parse_int(const char *s, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (end == s || *end)
		return -1;
	if (errno == ERANGE)
		return PT_PARSE_RANGE;
	if (errno)
		return -1;
	*out = v;
	return 0;
}

/* Largest value a long long holds that a double can say exactly enough */
#define SCALED_MAX 9.2e18

/* number followed by an optional suffix from the table; mult[] in units.
 * Plain decimal only: strtod's "inf", "nan" and hex floats are no sizes. */
static int parse_scaled(const char *s, const char *const *suffix, const long long *mult,
			long long bare_mult, long long *out)
{
	char *end;
	double v, r = -1;

	if (!isdigit((unsigned char)*s) && !(*s == '.' && isdigit((unsigned char)s[1])))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	for (const char *p = s; p < end; p++)
		if (!isdigit((unsigned char)*p) && *p != '.' && *p != 'e' && *p != 'E' && *p != '+' &&
		    *p != '-')
			return -1;
	if (!*end) {
		r = v * (double)bare_mult;
	} else {
		for (size_t i = 0; suffix[i]; i++)
			if (!strcasecmp(end, suffix[i]))
				r = v * (double)mult[i];
		if (r < 0)
			return -1;
	}
	/* a well-formed number too big (or too small) for its unit */
	if (errno == ERANGE || !(r <= SCALED_MAX))
		return PT_PARSE_RANGE;
	*out = (long long)(r + 0.5);
	return 0;
}

int pt_parse_size(const char *s, long long *out)
{
	static const char *const sfx[] = { "b", "k", "kb", "kib", "m", "mb", "mib",
					   "g", "gb", "gib", "t", "tib", NULL };
	static const long long mul[] = { 1, 1LL << 10, 1LL << 10, 1LL << 10, 1LL << 20, 1LL << 20,
					 1LL << 20, 1LL << 30, 1LL << 30, 1LL << 30, 1LL << 40,
					 1LL << 40 };

	return parse_scaled(s, sfx, mul, 1, out);
}

int pt_parse_duration_ns(const char *s, long long *out)
{
	static const char *const sfx[] = { "ns", "us", "ms", "s", "m", "min", "h", NULL };
	static const long long mul[] = { 1, 1000, 1000000, 1000000000LL, 60000000000LL,
					 60000000000LL, 3600000000000LL };

	return parse_scaled(s, sfx, mul, 1000000000LL, out);
}

int pt_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };

	for (size_t i = 0; i < PT_ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

int pt_opts_init(struct pt_opts *o, const struct pt_opt_def *defs)
{
	char err[256];

	o->defs = defs;
	o->n = 0;
	while (defs && defs[o->n].key)
		o->n++;
	o->vals = pt_xcalloc(o->n, sizeof(*o->vals));
	for (size_t i = 0; i < o->n; i++) {
		if (!defs[i].defval)
			continue;
		if (pt_opts_set(o, (int)i, defs[i].defval, 0, err, sizeof(err))) {
			/* a bad default is a programming error: say so loudly */
			fprintf(stderr, "ptbench: internal: default of %s: %s\n", defs[i].key, err);
			abort();
		}
		o->vals[i].set = false;
	}
	return 0;
}

void pt_opts_free(struct pt_opts *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->vals[i].str);
	free(o->vals);
	o->vals = NULL;
	o->n = 0;
}

int pt_opts_find(const struct pt_opts *o, const char *key)
{
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->defs[i].key, key))
			return (int)i;
	return -1;
}

static const char *type_word(enum pt_opt_type t)
{
	switch (t) {
	case PT_OPT_INT: return "an integer";
	case PT_OPT_SIZE: return "a size (e.g. 4K, 2M, 1G)";
	case PT_OPT_DURATION: return "a duration (e.g. 500ms, 2s, 1m)";
	case PT_OPT_BOOL: return "true or false";
	case PT_OPT_ENUM: return "one of the listed words";
	case PT_OPT_STRING: return "text";
	}
	return "a value";
}

static void choices_text(const char *const *c, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; c && c[i] && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "", c[i]);
}

int pt_opts_set(struct pt_opts *o, int idx, const char *text, int line, char *err, size_t errlen)
{
	const struct pt_opt_def *d = &o->defs[idx];
	struct pt_opt_val *v = &o->vals[idx];
	long long num = 0;
	bool b = false;
	int rc = 0;

	switch (d->type) {
	case PT_OPT_INT:
		rc = pt_parse_int(text, &num);
		break;
	case PT_OPT_SIZE:
		rc = pt_parse_size(text, &num);
		break;
	case PT_OPT_DURATION:
		rc = pt_parse_duration_ns(text, &num);
		break;
	case PT_OPT_BOOL:
		rc = pt_parse_bool(text, &b);
		num = b;
		break;
	case PT_OPT_ENUM:
		rc = -1;
		for (int i = 0; d->choices[i]; i++) {
			if (!strcmp(text, d->choices[i])) {
				num = i;
				rc = 0;
			}
		}
		if (rc) {
			char list[256];
			const char *hint;
			size_t n = 0;

			while (d->choices[n])
				n++;
			hint = pt_suggest(text, d->choices, n);
			choices_text(d->choices, list, sizeof(list));
			if (hint)
				snprintf(err, errlen, "%s = %s: not one of %s (did you mean '%s'?)",
					 d->key, text, list, hint);
			else
				snprintf(err, errlen, "%s = %s: not one of %s", d->key, text, list);
			return -1;
		}
		break;
	case PT_OPT_STRING:
		if (!*text && d->min > 0) {
			snprintf(err, errlen, "%s: needs a value", d->key);
			return -1;
		}
		break;
	}
	if (rc == PT_PARSE_RANGE) {
		snprintf(err, errlen, "%s = %s: out of range (too large for %s)", d->key, text,
			 type_word(d->type));
		return -1;
	}
	if (rc) {
		snprintf(err, errlen, "%s = %s: expected %s", d->key, text, type_word(d->type));
		return -1;
	}
	if ((d->type == PT_OPT_INT || d->type == PT_OPT_SIZE || d->type == PT_OPT_DURATION) &&
	    (d->min || d->max) && (num < d->min || num > d->max)) {
		snprintf(err, errlen, "%s = %s: out of range [%lld, %lld]%s", d->key, text, d->min,
			 d->max,
			 d->type == PT_OPT_SIZE ? " bytes" : d->type == PT_OPT_DURATION ? " ns" : "");
		return -1;
	}
	if (d->multiple > 0 && num % d->multiple) {
		char m[32];

		if (d->type == PT_OPT_SIZE && d->multiple % (1LL << 20) == 0)
			snprintf(m, sizeof(m), "%lldM", d->multiple >> 20);
		else if (d->type == PT_OPT_SIZE && d->multiple % 1024 == 0)
			snprintf(m, sizeof(m), "%lldK", d->multiple >> 10);
		else
			snprintf(m, sizeof(m), "%lld%s", d->multiple, d->type == PT_OPT_DURATION ? "ns" : "");
		snprintf(err, errlen, "%s = %s: must be a multiple of %s", d->key, text, m);
		return -1;
	}
	free(v->str);
	v->str = pt_xstrdup(text);
	v->num = num;
	v->set = true;
	v->line = line;
	return 0;
}

static const struct pt_opt_val *val_of(const struct pt_opts *o, const char *key)
{
	int i = pt_opts_find(o, key);

	if (i < 0) {
		fprintf(stderr, "ptbench: internal: no option '%s'\n", key);
		abort();
	}
	return &o->vals[i];
}

void pt_opts_fill(const struct pt_opts *o, void *dst)
{
	for (size_t i = 0; i < o->n; i++) {
		const struct pt_opt_def *d = &o->defs[i];
		char *f = (char *)dst + d->offset;

		switch (d->field) {
		case PT_FIELD_NONE:
			break;
		case PT_FIELD_LL:
			*(long long *)(void *)f = o->vals[i].num;
			break;
		case PT_FIELD_BOOL:
			*(bool *)(void *)f = o->vals[i].num != 0;
			break;
		case PT_FIELD_INT:
			*(int *)(void *)f = (int)o->vals[i].num;
			break;
		case PT_FIELD_STR:
			*(const char **)(void *)f = o->vals[i].str ? o->vals[i].str : "";
			break;
		}
	}
}

int pt_opts_field(const struct pt_opts *o, size_t offset)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->defs[i].field != PT_FIELD_NONE && o->defs[i].offset == offset)
			return (int)i;
	return -1;
}

int pt_opt_line(const struct pt_opts *o, const char *key)
{
	int i = pt_opts_find(o, key);

	return i < 0 ? 0 : o->vals[i].line;
}

long long pt_opt_num(const struct pt_opts *o, const char *key)
{
	return val_of(o, key)->num;
}

const char *pt_opt_str(const struct pt_opts *o, const char *key)
{
	const char *s = val_of(o, key)->str;

	return s ? s : "";
}

bool pt_opt_is_set(const struct pt_opts *o, const char *key)
{
	return val_of(o, key)->set;
}

/* Levenshtein distance, bounded by the short strings we compare. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (tolower((unsigned char)a[i - 1]) !=
						    tolower((unsigned char)b[j - 1]));
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof(size_t) * (lb + 1));
	}
	return prev[lb];
}

const char *pt_suggest(const char *word, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, limit = strlen(word) / 3 + 1;

	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, candidates[i]);

		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	if (limit < 2)
		limit = 2;
	return best_d <= limit ? best : NULL;
}

const char *pt_suggest_key(const char *word, const struct pt_opt_def *defs)
{
	const char *keys[64];
	size_t n = 0;

	for (; defs && defs->key && n < PT_ARRAY_SIZE(keys); defs++)
		keys[n++] = defs->key;
	return pt_suggest(word, keys, n);
}

void pt_opts_print_help(const struct pt_opt_def *defs, const char *indent)
{
	for (; defs && defs->key; defs++) {
		char extra[256] = "";

		if (defs->type == PT_OPT_ENUM)
			choices_text(defs->choices, extra, sizeof(extra));
		printf("%s%-18s %s%s%s%s [default: %s]\n", indent, defs->key, defs->help,
		       extra[0] ? " (" : "", extra, extra[0] ? ")" : "",
		       defs->defval ? defs->defval : "none");
	}
}
