/* The state file against stand-in "sysfs" files in a private directory (so
 * the test never touches the machine's THP settings, whatever else runs):
 * a run killed with SIGKILL leaves its pushes recorded, the next holder puts
 * back what still holds the pushed value and leaves what someone changed,
 * `restore` refuses while a live run holds the lock, and a second run waits
 * for the first instead of saving its values as originals. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptbench/exitcodes.h"
#include "ptbench/machine_state.h"
#include "ptbench/sysfs_settings.h"
#include "ptbench/util.h"
#include "tap.h"

static char dir[64], fa[128], fb[128], statefile[128];

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static const char *get(const char *path)
{
	static char buf[128];

	if (pt_read_line(path, buf, sizeof(buf), 0))
		return "(unreadable)";
	return buf;
}

int main(void)
{
	char err[256], *text;
	int pfd[2], status;
	pid_t pid;

	snprintf(dir, sizeof(dir), "/tmp/ptbench-state-test.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	setenv("PTBENCH_STATE_DIR", dir, 1);
	snprintf(fa, sizeof(fa), "%s/enabled", dir);
	snprintf(fb, sizeof(fb), "%s/scan_sleep", dir);
	snprintf(statefile, sizeof(statefile), "%s/state", dir);
	put(fa, "orig\n");
	put(fb, "1000\n");

	/* a run that pushes two values and is killed without any handler */
	pid = fork();
	if (!pid) {
		if (pt_state_acquire() || pt_sysfs_push(fa, "push", err, sizeof(err)) ||
		    pt_sysfs_push(fb, "0010", err, sizeof(err)))
			_exit(1);
		raise(SIGKILL);
		_exit(2);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the pushing run died of SIGKILL");
	tap_ok(!strcmp(get(fa), "push") && !strcmp(get(fb), "0010"), "its values are left pushed");
	text = pt_read_file(statefile, NULL);
	tap_ok(text && strstr(text, "sysfs\t") && strstr(text, "\torig\tpush\n") &&
		       strstr(text, "\t1000\t0010\n"),
	       "the state file records path, true original and pushed value");
	free(text);

	/* someone changes one of them meanwhile: that one is theirs */
	put(fb, "2222\n");
	tap_ok(pt_state_acquire() == 0, "the next run takes the lock");
	tap_ok(!strcmp(get(fa), "orig"), "it restored the value still at what the dead run pushed");
	tap_ok(!strcmp(get(fb), "2222"), "it left the value someone changed since");
	pt_state_release();
	tap_ok(access(statefile, F_OK) != 0, "a release with nothing left removes the state file");

	/* a live holder: restore refuses, a second run waits */
	if (pipe(pfd))
		return 1;
	pid = fork();
	if (!pid) {
		char c = 'x';

		close(pfd[0]);
		if (pt_state_acquire() || pt_sysfs_push(fa, "live", err, sizeof(err)))
			_exit(1);
		if (write(pfd[1], &c, 1) != 1)
			_exit(1);
		usleep(300000);
		/* an orderly end: restore, then release */
		pt_sysfs_restore_all();
		pt_state_release();
		_exit(0);
	}
	close(pfd[1]);
	{
		char c;

		if (read(pfd[0], &c, 1) != 1)
			return 1;
	}
	tap_ok(!strcmp(get(fa), "live"), "the live run pushed its value");
	tap_ok(pt_state_restore_now(false) == PT_EXIT_SKIP, "restore refuses (exit 4) while a live run holds the lock");
	tap_ok(!strcmp(get(fa), "live"), "and did not touch the live run's value");
	tap_ok(pt_state_acquire() == 0, "a second run waits for the lock, then takes it");
	tap_ok(!strcmp(get(fa), "orig"), "by then the first run had put its value back: the original the second sees is true");
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the first run ended normally");
	pt_state_release();
	tap_ok(pt_state_restore_now(false) == PT_EXIT_OK, "restore with nothing recorded: exit 0");

	unlink(fa);
	unlink(fb);
	unlink(statefile);
	{
		char lock[160];

		snprintf(lock, sizeof(lock), "%s/lock", dir);
		unlink(lock);
	}
	rmdir(dir);
	return tap_done();
}
