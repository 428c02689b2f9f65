/* The one check for names that become file names (ptbench/safe_name.h). */
#include <stdio.h>
#include <string.h>

#include "ptbench/exitcodes.h"
#include "ptbench/safe_name.h"

bool pt_name_is_safe(const char *name, char *why, size_t len)
{
	size_t n = strlen(name);

	if (!n) {
		snprintf(why, len, "empty");
		return false;
	}
	if (n > PT_NAME_MAX) {
		snprintf(why, len, "%zu bytes, more than %d", n, PT_NAME_MAX);
		return false;
	}
	if (strchr(name, '/')) {
		snprintf(why, len, "holds a '/' (it becomes a file name)");
		return false;
	}
	if (name[0] == '.') {
		snprintf(why, len, "starts with '.' (it becomes a file name)");
		return false;
	}
	if (strstr(name, "..")) {
		snprintf(why, len, "holds '..' (it becomes a file name)");
		return false;
	}
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(why, len, "holds the control byte 0x%02x", *p);
			return false;
		}
	}
	return true;
}

void pt_name_print(FILE *f, const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\')
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	if (s[i])
		fputs("...", f);
}

int pt_name_check(const char *prefix, const char *what, const char *name, const char *from)
{
	char why[96];

	if (pt_name_is_safe(name, why, sizeof(why)))
		return 0;
	fprintf(stderr, "%s: %s '", prefix, what);
	pt_name_print(stderr, name, 200);
	fprintf(stderr, "' (from %s): %s\n", from, why);
	return PT_EXIT_USAGE;
}
