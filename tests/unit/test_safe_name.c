/* pt_name_is_safe: the one check for names that become file names:
 * what it lets through and what it refuses, and that
 * pt_name_check's message shows a hostile name escaped. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/exitcodes.h"
#include "ptbench/safe_name.h"
#include "tap.h"

static void good(const char *name)
{
	char why[96] = "";

	tap_ok(pt_name_is_safe(name, why, sizeof(why)), "safe: '%s' %s", name, why);
}

static void bad(const char *name, const char *show, const char *want)
{
	char why[96] = "";

	tap_ok(!pt_name_is_safe(name, why, sizeof(why)) && strstr(why, want), "refused: %s (%s)", show, why);
}

int main(void)
{
	char longname[PT_NAME_MAX + 2], *msg = NULL;
	size_t mlen = 0;
	FILE *f;

	good("default");
	good("khugepaged-smaps");
	good("shmem-collapse-faults.v2");
	good("a b+c_d@e,f=g");
	good("\xe5\x90\x8d\xe5\x89\x8d"); /* UTF-8 */
	memset(longname, 'x', PT_NAME_MAX);
	longname[PT_NAME_MAX] = '\0';
	good(longname);
	longname[PT_NAME_MAX] = 'x';
	longname[PT_NAME_MAX + 1] = '\0';
	bad(longname, "PT_NAME_MAX + 1 bytes", "more than");
	bad("", "the empty name", "empty");
	bad("../../escaped", "../../escaped", "'/'");
	bad("a/b", "a/b", "'/'");
	bad("/abs", "/abs", "'/'");
	bad(".", ".", "starts with '.'");
	bad("..", "..", "starts with '.'");
	bad(".hidden", ".hidden", "starts with '.'");
	bad("a..b", "a..b", "'..'");
	bad("a\nok 2", "a newline", "0x0a");
	bad("a\tb", "a tab", "0x09");
	bad("\x1b[31mred", "an ANSI escape", "0x1b");
	bad("bel\x07", "BEL", "0x07");
	bad("del\x7f", "DEL", "0x7f");

	/* the message names the value, escaped, and where it came from */
	f = open_memstream(&msg, &mlen);
	if (!f)
		return 1;
	{
		/* pt_name_check writes to stderr, a FILE * we may point elsewhere */
		FILE *old = stderr;
		int rc;

		stderr = f;
		rc = pt_name_check("ptbench gate", "scenario.name", "../x\n\x1b", "r.json");
		stderr = old;
		fclose(f);
		tap_ok(rc == PT_EXIT_USAGE, "pt_name_check: exit code 2");
	}
	tap_ok(msg && strstr(msg, "ptbench gate: scenario.name '../x\\x0a\\x1b' (from r.json): holds a '/'"),
	       "the message names the value escaped and its source: %s", msg ? msg : "(none)");
	tap_ok(pt_name_check("p", "w", "fine", "here") == 0, "a safe name: 0, nothing said");
	free(msg);
	return tap_done();
}
