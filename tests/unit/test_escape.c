/* The one escaping helper every writer uses (include/ptbench/escape.h):
 * names with '#', newlines, control bytes and markup come out inert. */
#include <stdlib.h>
#include <string.h>

#include "ptbench/escape.h"
#include "tap.h"

static void esc(const char *in, enum pt_esc how, const char *want, const char *what)
{
	char buf[256];

	pt_esc(in, how, buf, sizeof(buf));
	tap_ok(!strcmp(buf, want), "%s: got \"%s\", want \"%s\"", what, buf, want);
}

int main(void)
{
	char small[8], *text = NULL;
	size_t len = 0;
	FILE *f;

	esc("default", PT_ESC_KTAP, "default", "ktap: a plain name is unchanged");
	esc("foo # SKIP", PT_ESC_KTAP, "foo \\x23 SKIP", "ktap: '#' cannot start a directive");
	esc("a\nok 2 b", PT_ESC_KTAP, "a\\nok 2 b", "ktap: a newline cannot start a result line");
	esc("a\\b", PT_ESC_KTAP, "a\\\\b", "ktap: a backslash is doubled (escapes stay unambiguous)");
	esc("\033[31mred\a", PT_ESC_KTAP, "\\x1b[31mred\\x07", "ktap: ESC and BEL are visible escapes");
	esc("\033[31mred\a\r\t", PT_ESC_TERM, "\\x1b[31mred\\x07\\r\\t", "term: ESC, BEL, CR, tab escaped");
	esc("a\xc2\x9b" "1m", PT_ESC_TERM, "a\\u009b1m", "term: a C1 control (CSI) in UTF-8 escaped");
	esc("caf\xc3\xa9 # 1", PT_ESC_TERM, "caf\xc3\xa9 # 1", "term: UTF-8 text and '#' kept");
	esc("a|b\nc", PT_ESC_MD, "a\\|b\\nc", "md: '|' cannot end a table cell, no line break");
	esc("<b>*x*</b> & `y`", PT_ESC_MD, "\\<b\\>\\*x\\*\\</b\\> &amp; \\`y\\`", "md: markup is inert");
	esc("a`b|c", PT_ESC_MD_CODE, "a\\x60b\\|c", "md code span: '`' cannot close it, '|' escaped");
	esc("<a & \"b\" 'c'>", PT_ESC_XML, "&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;", "xml: the five entities");
	esc("a\nb\tc\001", PT_ESC_XML, "a&#10;b&#9;c\\x01", "xml: newline, tab as references; \\x01 (not XML 1.0) as text");
	esc("plots/a b(1)/p\n.png", PT_ESC_URL_PATH, "plots/a%20b%281%29/p%0A.png", "url path: space, parentheses, newline percent-encoded");
	pt_esc("abc#def", PT_ESC_KTAP, small, 6);
	tap_ok(!strcmp(small, "abc"), "a short buffer ends before the escape that does not fit (got \"%s\")", small);
	pt_esc(NULL, PT_ESC_TERM, small, sizeof(small));
	tap_ok(!strcmp(small, ""), "NULL is the empty string");
	f = open_memstream(&text, &len);
	pt_esc_fputs(f, "x # y\n", PT_ESC_KTAP);
	fclose(f);
	tap_ok(text && !strcmp(text, "x \\x23 y\\n"), "pt_esc_fputs writes the same escapes (got \"%s\")", text);
	free(text);
	return tap_done();
}
