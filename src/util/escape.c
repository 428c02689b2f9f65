/* One escaping helper for every writer of text that came from an input:
 * see include/ptbench/escape.h. */
#include <stdbool.h>
#include <string.h>

#include "ptbench/escape.h"

struct sink {
	FILE *f;
	char *buf;
	size_t len, off;
	bool full;
};

static void put(struct sink *k, const char *s)
{
	size_t n = strlen(s);

	if (k->f) {
		fputs(s, k->f);
		return;
	}
	/* an escape is never cut in half: the text ends before the first
	 * one that does not fit */
	if (k->full || k->off + n >= k->len) {
		k->full = true;
		return;
	}
	memcpy(k->buf + k->off, s, n + 1);
	k->off += n;
}

static void escape(struct sink *k, const char *s, enum pt_esc how)
{
	char tmp[16];

	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		unsigned c = *p;

		tmp[0] = (char)c;
		tmp[1] = '\0';
		/* C1 controls in UTF-8 (U+0080..U+009F: some terminals take
		 * U+009B as CSI) */
		if (how == PT_ESC_URL_PATH) {
			if (c < 0x20 || c >= 0x7f)
				snprintf(tmp, sizeof(tmp), "%%%02X", c);
			else if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') &&
				 !strchr("-._~/", (int)c))
				snprintf(tmp, sizeof(tmp), "%%%02X", c);
		} else if (c == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			snprintf(tmp, sizeof(tmp), "\\u00%02x", p[1]);
			p++;
		} else if (c < 0x20 || c == 0x7f) {
			if (how == PT_ESC_XML && (c == '\n' || c == '\t'))
				snprintf(tmp, sizeof(tmp), "&#%u;", c);
			else if (c == '\n')
				snprintf(tmp, sizeof(tmp), "\\n");
			else if (c == '\t')
				snprintf(tmp, sizeof(tmp), "\\t");
			else if (c == '\r')
				snprintf(tmp, sizeof(tmp), "\\r");
			else
				snprintf(tmp, sizeof(tmp), "\\x%02x", c);
		} else {
			switch (how) {
			case PT_ESC_TERM:
				break;
			case PT_ESC_KTAP:
				if (c == '#')
					snprintf(tmp, sizeof(tmp), "\\x23");
				else if (c == '\\')
					snprintf(tmp, sizeof(tmp), "\\\\");
				break;
			case PT_ESC_MD:
				if (c == '&')
					snprintf(tmp, sizeof(tmp), "&amp;");
				else if (strchr("\\`*_[]<>|#!~", (int)c))
					snprintf(tmp, sizeof(tmp), "\\%c", c);
				break;
			case PT_ESC_MD_CODE:
				if (c == '`')
					snprintf(tmp, sizeof(tmp), "\\x60");
				else if (c == '|')
					snprintf(tmp, sizeof(tmp), "\\|");
				break;
			case PT_ESC_URL_PATH:
				break;
			case PT_ESC_XML:
				if (c == '<')
					snprintf(tmp, sizeof(tmp), "&lt;");
				else if (c == '>')
					snprintf(tmp, sizeof(tmp), "&gt;");
				else if (c == '&')
					snprintf(tmp, sizeof(tmp), "&amp;");
				else if (c == '"')
					snprintf(tmp, sizeof(tmp), "&quot;");
				else if (c == '\'')
					snprintf(tmp, sizeof(tmp), "&apos;");
				break;
			}
		}
		put(k, tmp);
	}
}

void pt_esc_fputs(FILE *out, const char *s, enum pt_esc how)
{
	struct sink k = { .f = out };

	escape(&k, s, how);
}

const char *pt_esc(const char *s, enum pt_esc how, char *buf, size_t len)
{
	struct sink k = { .buf = buf, .len = len };

	if (!len)
		return buf;
	buf[0] = '\0';
	escape(&k, s, how);
	return buf;
}
