/* sysfs push/pop. The saved values live in static storage and the restore
 * uses only open/write/close, so a fatal-signal handler may call it. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/machine_state.h"
#include "ptbench/sysfs_io.h"
#include "ptbench/sysfs_settings.h"

#define MAX_PUSHED 32

struct pushed {
	char path[200];
	char old[120];
};

static struct pushed stack[MAX_PUSHED];
static volatile sig_atomic_t depth;
static int atexit_done;

void pt_sysfs_restore_all(void)
{
	while (depth > 0) {
		struct pushed *p = &stack[depth - 1];

		/* errors cannot be reported from every context we run in; a value
		 * that will not go back is still the best we can do */
		int failed = pt_sysfs_write(p->path, p->old);

		/* for a fatal handler's pt_state_fatal_commit(): the last call
		 * for a path (its first push) says whether it is back */
		pt_state_fatal_sysfs_undone(p->path, failed ? NULL : p->old);
		depth--;
	}
}

static void restore_at_exit(void)
{
	pt_sysfs_restore_all();
}

int pt_sysfs_push(const char *path, const char *value, char *err, size_t errlen)
{
	char old[120];

	if (depth >= MAX_PUSHED) {
		snprintf(err, errlen, "too many sysfs settings pushed");
		return -1;
	}
	/* THP sysfs shows choices as "always [madvise] never": save the chosen word */
	if (pt_read_line(path, old, sizeof(old), 1)) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	if (!atexit_done) {
		atexit(restore_at_exit);
		atexit_done = 1;
	}
	/* save before writing, so a signal between the two still restores */
	snprintf(stack[depth].path, sizeof(stack[depth].path), "%s", path);
	snprintf(stack[depth].old, sizeof(stack[depth].old), "%s", old);
	depth++;
	/* and outside the process, for a run that dies without a handler */
	pt_state_note_sysfs(path, old, value);
	if (pt_sysfs_write(path, value)) {
		int e = errno;

		depth--;
		snprintf(err, errlen, "%s: cannot write '%s': %s%s", path, value, strerror(e),
			 e == EACCES || e == EPERM ? " (needs root)" : "");
		return -1;
	}
	return 0;
}
