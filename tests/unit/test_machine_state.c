/* The state file against stand-in "sysfs" files in a private directory (so
 * the test never touches the machine's THP settings, whatever else runs):
 * a run killed with SIGKILL leaves its pushes recorded, the next holder puts
 * back what still holds the pushed value and leaves what someone changed,
 * `restore` refuses while a live run holds the lock, and a second run waits
 * for the first instead of saving its values as originals.
 *
 * Then the state file as an attacker's input, every case
 * in its own state directory under the private one, every "victim" a file
 * in it: records naming files other than the THP/khugepaged ones, relative
 * paths, "..", symbolic links, a foreign tracefs mount point; a state
 * directory owned by someone else or writable by others; symbolic links as
 * lock, state or state.tmp; a FIFO or /dev/zero as state (each attack runs
 * in a child with an alarm, so a hang fails the test instead of blocking
 * it); a truncated file and one of too many records. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptbench/exitcodes.h"
#include "ptbench/machine_state.h"
#include "ptbench/sysfs_settings.h"
#include "ptbench/util.h"
#include "tap.h"

static char dir[64], root[128], fa[192], fb[192], statefile[128];

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

/* ---- the state file as an attacker's input ------------------------------ */

static int ncase;
static char cdir[192], victim[256];

/* A fresh state directory (mode 0700, ours) with a victim file holding
 * "hello", and PTBENCH_STATE_DIR pointing at it. */
static void new_case(void)
{
	snprintf(cdir, sizeof(cdir), "%s/case%d", dir, ++ncase);
	mkdir(cdir, 0700);
	snprintf(victim, sizeof(victim), "%s/victim", cdir);
	put(victim, "hello\n");
	setenv("PTBENCH_STATE_DIR", cdir, 1);
}

static void put_in(const char *name, const char *text)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", cdir, name);
	put(p, text);
}

static void state_naming(const char *path, const char *orig, const char *pushed)
{
	char text[512];

	snprintf(text, sizeof(text), "ptbench-state 1\npid 999999\nsysfs\t%s\t%s\t%s\n", path, orig, pushed);
	put_in("state", text);
}

/* what = 'r': pt_state_restore_now; 'a': pt_state_acquire then release.
 * In a child under an alarm: a hang is SIGALRM, not a stuck test. Returns
 * the exit status, or 128 + the signal. */
static int in_child(int what)
{
	int status;
	pid_t pid = fork();

	if (!pid) {
		int rc;

		alarm(5);
		if (what == 'r') {
			rc = pt_state_restore_now(false);
		} else {
			rc = pt_state_acquire();
			pt_state_release();
		}
		_exit(rc);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static bool victim_intact(void)
{
	return !strcmp(get(victim), "hello");
}

static bool exists_in(const char *name)
{
	char p[256];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", cdir, name);
	return !lstat(p, &st);
}

static void attacks(void)
{
	char why[512], p[512], text[64 * 100 + 64];
	int rc, n;

	/* the allow-list itself */
	tap_ok(pt_state_sysfs_allowed(fa, why, sizeof(why)), "allowed: THP enabled (%s)", fa);
	tap_ok(pt_state_sysfs_allowed(fb, why, sizeof(why)), "allowed: khugepaged/scan_sleep_millisecs");
	new_case();
	tap_ok(!pt_state_sysfs_allowed(victim, why, sizeof(why)) && strstr(why, "not one of the THP"),
	       "refused: a file outside the THP directory (%s)", why);
	tap_ok(!pt_state_sysfs_allowed("enabled", why, sizeof(why)) && strstr(why, "not an absolute path"),
	       "refused: a relative path (%s)", why);
	snprintf(p, sizeof(p), "%s/khugepaged/../enabled", root);
	tap_ok(!pt_state_sysfs_allowed(p, why, sizeof(why)) && strstr(why, "'..'"),
	       "refused: a path through '..' even when it lands on an allowed file (%s)", why);
	snprintf(p, sizeof(p), "%s//enabled", root);
	tap_ok(!pt_state_sysfs_allowed(p, why, sizeof(why)), "refused: an empty component");
	snprintf(p, sizeof(p), "%s/khugepaged/max_ptes_none", root);
	if (symlink(victim, p))
		tap_diag("symlink: %m");
	tap_ok(!pt_state_sysfs_allowed(p, why, sizeof(why)) && strstr(why, "symbolic link"),
	       "refused: an allowed name that is a symbolic link to another file (%s)", why);
	unlink(p);
	snprintf(p, sizeof(p), "%s/hugepages-2048kB", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/hugepages-2048kB/enabled", root);
	put(p, "never\n");
	tap_ok(!pt_state_sysfs_allowed(p, why, sizeof(why)), "refused: a THP file ptbench does not push");

	/* the reproduction: a record naming any file */
	new_case();
	state_naming(victim, "PWNED", "hello");
	rc = in_child('r');
	tap_ok(rc == PT_EXIT_USAGE, "restore of a state file naming %s: exit 2 (got %d)", victim, rc);
	tap_ok(victim_intact(), "the file it names is not written");
	tap_ok(exists_in("state"), "the refused state file is kept for a human to read");
	rc = in_child('a');
	tap_ok(rc == PT_EXIT_USAGE && victim_intact(), "a run refuses it too: exit 2, file untouched (got %d)", rc);

	new_case();
	state_naming("enabled", "PWNED", "hello");
	tap_ok(in_child('r') == PT_EXIT_USAGE, "a relative path in a record: exit 2");
	new_case();
	snprintf(p, sizeof(p), "%s/khugepaged/../enabled", root);
	put(fa, "hello\n");
	state_naming(p, "PWNED", "hello");
	tap_ok(in_child('r') == PT_EXIT_USAGE && !strcmp(get(fa), "hello"),
	       "'..' in a THP path: exit 2, nothing written");
	put(fa, "orig\n");

	/* a tracefs mount ptbench never mounts there: refused before any umount */
	new_case();
	snprintf(text, sizeof(text), "ptbench-state 1\npid 999999\nmount\ttracefs\t%s\t1\n", cdir);
	put_in("state", text);
	tap_ok(in_child('r') == PT_EXIT_USAGE && exists_in("state"),
	       "a mount record for a directory ptbench never mounts on: exit 2, kept");
	new_case();
	put_in("state", "ptbench-state 1\npid 999999\nmount\ttracefs\t/sys/kernel/tracing\tx1\n");
	tap_ok(in_child('r') == PT_EXIT_USAGE, "a mount record with a bad mount id: exit 2");
	{
		/* mount id 0: recorded before mount(); a 5th field: the pid that mounted */
		static const struct {
			const char *rec;
			int want;
		} m[] = {
			{ "mount\ttracefs\t/sys/kernel/tracing\t0\n", 1 },
			{ "mount\ttracefs\t/sys/kernel/tracing\t0\t4242\n", 1 },
			{ "mount\ttracefs\t/sys/kernel/tracing\t65\t4242\n", 1 },
			{ "mount\ttracefs\t/sys/kernel/tracing\t-1\n", -1 },
			{ "mount\ttracefs\t/sys/kernel/tracing\t65\t0\n", -1 },
			{ "mount\ttracefs\t/sys/kernel/tracing\t65\t42x\n", -1 },
			{ "mount\ttracefs\t/sys/kernel/tracing\t65\t42\t1\n", -1 },
		};
		char pwhy[512];
		int pid;

		for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
			int got;

			snprintf(text, sizeof(text), "ptbench-state 1\npid 999999\n%s", m[i].rec);
			got = pt_state_parse(text, strlen(text), &pid, pwhy, sizeof(pwhy));
			tap_ok((got < 0 ? -1 : got) == m[i].want, "parse '%.*s': %s (%s)",
			       (int)strlen(m[i].rec) - 1, m[i].rec, m[i].want < 0 ? "refused" : "one record",
			       got < 0 ? pwhy : "ok");
		}
	}

	/* the state directory: whoever may write it may write the records */
	new_case();
	chmod(cdir, 0777);
	state_naming(fa, "orig", "push");
	rc = in_child('r');
	tap_ok(rc == PT_EXIT_USAGE, "a state directory writable by others (0777): restore exits 2 (got %d)", rc);
	rc = in_child('a');
	tap_ok(rc == PT_EXIT_USAGE, "and a run exits 2 (got %d)", rc);
	chmod(cdir, 0770);
	tap_ok(in_child('r') == PT_EXIT_USAGE, "a group-writable state directory (0770): exit 2");
	chmod(cdir, 0700);
	if (geteuid() == 0) {
		new_case();
		if (chown(cdir, 65534, 65534))
			tap_diag("chown: %m");
		rc = in_child('r');
		tap_ok(rc == PT_EXIT_USAGE, "a state directory owned by uid 65534, ptbench run by root: exit 2 (got %d)", rc);
		tap_ok(!exists_in("lock"), "nothing was created in it");
	} else {
		tap_ok(1, "# SKIP a directory owned by someone else needs root to chown");
		tap_ok(1, "# SKIP as above");
	}
	new_case();
	snprintf(p, sizeof(p), "%s/linkdir", dir);
	if (symlink(cdir, p))
		tap_diag("symlink: %m");
	setenv("PTBENCH_STATE_DIR", p, 1);
	tap_ok(in_child('r') == PT_EXIT_USAGE, "a symbolic link as the state directory: exit 2");

	/* symbolic links inside it are not followed */
	new_case();
	snprintf(p, sizeof(p), "%s/lock", cdir);
	if (symlink(victim, p))
		tap_diag("symlink: %m");
	rc = in_child('a');
	tap_ok(rc == PT_EXIT_USAGE && victim_intact(),
	       "a symbolic link as lock: exit 2, its target not truncated to a pid (got %d, '%s')", rc, get(victim));
	tap_ok(in_child('r') == PT_EXIT_USAGE && victim_intact(), "restore too");

	new_case();
	snprintf(p, sizeof(p), "%s/state.tmp", cdir);
	if (symlink(victim, p))
		tap_diag("symlink: %m");
	put(fa, "orig\n");
	pid_t pid = fork();
	if (!pid) {
		alarm(5);
		if (pt_state_acquire() || pt_sysfs_push(fa, "push", why, sizeof(why)))
			_exit(1);
		pt_sysfs_restore_all();
		_exit(0); /* atexit releases */
	}
	waitpid(pid, &rc, 0);
	tap_ok(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "a run with a symbolic link as state.tmp runs");
	tap_ok(victim_intact(), "the link's target is not overwritten with the state text ('%s')", get(victim));
	tap_ok(!strcmp(get(fa), "orig"), "and the pushed value went back");

	new_case();
	snprintf(p, sizeof(p), "%s/state", cdir);
	if (symlink(victim, p))
		tap_diag("symlink: %m");
	tap_ok(in_child('r') == PT_EXIT_USAGE && victim_intact(), "a symbolic link as state: exit 2");

	/* no hang, no endless read */
	new_case();
	snprintf(p, sizeof(p), "%s/state", cdir);
	if (mkfifo(p, 0600))
		tap_diag("mkfifo: %m");
	rc = in_child('r');
	tap_ok(rc == PT_EXIT_USAGE, "a FIFO as state: restore exits 2 at once (got %d; 142 is a hang)", rc);
	rc = in_child('a');
	tap_ok(rc == PT_EXIT_USAGE, "and a run too (got %d)", rc);
	new_case();
	snprintf(p, sizeof(p), "%s/state", cdir);
	if (symlink("/dev/zero", p))
		tap_diag("symlink: %m");
	rc = in_child('r');
	tap_ok(rc == PT_EXIT_USAGE, "/dev/zero linked as state: exit 2 (got %d)", rc);
	if (geteuid() == 0) {
		new_case();
		snprintf(p, sizeof(p), "%s/state", cdir);
		if (mknod(p, S_IFCHR | 0600, makedev(1, 5)))
			tap_diag("mknod: %m");
		rc = in_child('r');
		tap_ok(rc == PT_EXIT_USAGE, "a character device (1,5: zero) as state: exit 2 (got %d)", rc);
	} else {
		tap_ok(1, "# SKIP mknod of a device needs root");
	}
	new_case();
	snprintf(p, sizeof(p), "%s/state", cdir);
	put(p, "");
	if (truncate(p, 1 << 20))
		tap_diag("truncate: %m");
	tap_ok(in_child('r') == PT_EXIT_USAGE, "a 1 MiB state file: exit 2");

	/* a truncated file is not read as "nothing to restore" and deleted */
	new_case();
	snprintf(text, sizeof(text), "ptbench-state 1\npid 999999\nsysfs\t%s\torig\tpu", fa);
	put_in("state", text);
	put(fa, "pu\n");
	rc = in_child('r');
	tap_ok(rc == PT_EXIT_USAGE && exists_in("state"),
	       "a state file cut mid-line: exit 2 and kept, not deleted as empty (got %d)", rc);
	new_case();
	put_in("state", "ptbench-st");
	tap_ok(in_child('r') == PT_EXIT_USAGE && exists_in("state"), "a state file cut in its header: exit 2, kept");
	new_case();
	put_in("state", "");
	tap_ok(in_child('r') == PT_EXIT_USAGE && exists_in("state"), "an empty state file: exit 2, kept");
	new_case();
	n = snprintf(text, sizeof(text), "ptbench-state 1\npid 999999\n");
	for (int i = 0; i < 65; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "sysfs\t%s\torig\tpush\n", fa);
	put_in("state", text);
	tap_ok(in_child('r') == PT_EXIT_USAGE, "65 records (more than ptbench writes): exit 2, not the first 64 only");
	put(fa, "orig\n");

	/* a well-formed file still works through all of this */
	new_case();
	put(fa, "push\n");
	state_naming(fa, "orig", "push");
	rc = in_child('r');
	tap_ok(rc == 0 && !strcmp(get(fa), "orig") && !exists_in("state"),
	       "a good state file in a good directory: restored, exit 0, removed (got %d)", rc);

	/* a record ptbench would refuse is never written */
	new_case();
	tap_ok(pt_state_acquire() == 0, "a run takes the lock");
	if (pt_sysfs_push(victim, "PUSH", why, sizeof(why)))
		tap_diag("push: %s", why);
	tap_ok(!exists_in("state"), "a push of a file not on the allow-list is not recorded");
	pt_sysfs_restore_all();
	pt_state_release();
	tap_ok(victim_intact(), "(and the push itself went back)");
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
	/* stand-ins for /sys/kernel/mm/transparent_hugepage: the allow-list
	 * applies beneath this root */
	snprintf(root, sizeof(root), "%s/thp", dir);
	mkdir(root, 0755);
	snprintf(fa, sizeof(fa), "%s/enabled", root);
	snprintf(fb, sizeof(fb), "%s/khugepaged", root);
	mkdir(fb, 0755);
	snprintf(fb, sizeof(fb), "%s/khugepaged/scan_sleep_millisecs", root);
	pt_state_set_sysfs_root(root);
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

	attacks();

	{
		/* the private directory only (a case directory may be chown'ed) */
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
		if (system(cmd))
			tap_diag("could not remove %s", dir);
	}
	return tap_done();
}
