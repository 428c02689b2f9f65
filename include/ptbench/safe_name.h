/* Names that become file names: a scenario's name (results/NAME-...json,
 * the gate's DIR/pooled/SIDE/NAME.json and DIR/plots/NAME/), a kernel
 * label (DIR/LABEL/ of `vm` and `gate`). They come from scenario files,
 * --set, result files and the command line, any of which may be someone
 * else's; ptbench runs as root. One check, used wherever such a name is
 * joined to a directory. */
#ifndef PTBENCH_SAFE_NAME_H
#define PTBENCH_SAFE_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The longest name: room under NAME_MAX (255) for the suffixes ptbench
 * adds (-RELEASE-YYYYmmddTHHMMSS.json, .threads-N.json). */
#define PT_NAME_MAX 100

/* Whether name may become one path component: not empty, at most
 * PT_NAME_MAX bytes, no '/', no leading '.', no "..", no control byte
 * (0x01-0x1f, 0x7f). Else false and why says which rule it breaks. */
bool pt_name_is_safe(const char *name, char *why, size_t len);

/* pt_name_is_safe with the message: when name is not safe, print
 * "PREFIX: WHAT 'NAME' (from FROM): WHY" on stderr, the name with its
 * control bytes escaped, and return PT_EXIT_USAGE; else 0. */
int pt_name_check(const char *prefix, const char *what, const char *name, const char *from);

/* Write s to f with control bytes, quotes and backslashes as \xNN and at
 * most max bytes of it ("..." after): for quoting untrusted text in a
 * message. */
void pt_name_print(FILE *f, const char *s, size_t max);

#endif
