/* Text from inputs (scenario and role names, file paths, kernel releases,
 * probe reasons) made safe for the place it is written to: one helper for
 * every writer (README: "Names in outputs"). Nothing is dropped: a byte a
 * format cannot carry is written as a visible escape, so two different
 * names never come out the same. */
#ifndef PTBENCH_ESCAPE_H
#define PTBENCH_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

enum pt_esc {
	/* a terminal or a log: control bytes (ESC, BEL, CR, newline ...) and
	 * C1 controls as \n, \t, \xHH, \u00HH */
	PT_ESC_TERM,
	/* KTAP (and TAP): as TERM, and '#' as \x23 (a '#' would start a
	 * directive: "foo # SKIP" must not read as a skip) and '\' as \\ */
	PT_ESC_KTAP,
	/* markdown text or a table cell: as TERM, and markdown's punctuation
	 * backslashed ('|' cannot end a cell), '&' as &amp; */
	PT_ESC_MD,
	/* inside a markdown code span (`...`): as TERM, '`' as \x60, '|' as \| */
	PT_ESC_MD_CODE,
	/* XML text or an attribute value: the five entities, newline and tab
	 * as character references, other control bytes (not allowed in XML
	 * 1.0) as the text \xHH */
	PT_ESC_XML,
	/* a relative link's path in markdown: every byte but A-Z a-z 0-9
	 * - . _ ~ / percent-encoded */
	PT_ESC_URL_PATH,
};

/* Write s escaped for how. */
void pt_esc_fputs(FILE *out, const char *s, enum pt_esc how);
/* s escaped for how into buf (cut to fit, always terminated); returns buf. */
const char *pt_esc(const char *s, enum pt_esc how, char *buf, size_t len);

#endif
