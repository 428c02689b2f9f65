/* Targets and walk regions of the page-table walkers: target strings parse
 * (self, PID, process:NAME) and bad ones are refused with a reason; the
 * walker checks refuse what cannot work; region = vmas finds exactly the
 * VMAs whose maps line matches, and sees one of them go away. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../bench/walk_region.h"
#include "ptbench/target.h"
#include "tap.h"

static void parse_cases(void)
{
	char why[256] = "";
	const char *name;
	pid_t pid;

	tap_ok(pt_target_parse("self", &pid, &name, why, sizeof(why)) == 0 && pid == 0 && !name, "self");
	tap_ok(pt_target_parse("1234", &pid, &name, why, sizeof(why)) == 0 && pid == 1234 && !name, "a PID");
	tap_ok(pt_target_parse("process:svc", &pid, &name, why, sizeof(why)) == 0 && pid == 0 && name &&
		       !strcmp(name, "svc"),
	       "process:NAME gives NAME");
	why[0] = '\0';
	tap_ok(pt_target_parse("process:", &pid, &name, why, sizeof(why)) == -1 && strstr(why, "NAME"),
	       "process: without a name is refused (%s)", why);
	why[0] = '\0';
	tap_ok(pt_target_parse("0", &pid, &name, why, sizeof(why)) == -1 && why[0], "PID 0 is refused (%s)", why);
	tap_ok(pt_target_parse("-5", &pid, &name, why, sizeof(why)) == -1, "a negative PID is refused");
	tap_ok(pt_target_parse("selfish", &pid, &name, why, sizeof(why)) == -1, "a word that is not self is refused");
}

static void check_cases(void)
{
	struct pt_walk_opts o = { .target = "self", .region = PT_WALK_OWN, .vma_match = "", .size = 1 << 20 };
	const char *bad = NULL;
	char why[256] = "";

	tap_ok(pt_walk_check(&o, true, &bad, why, sizeof(why)) == PT_CHECK_OK, "self, own region: ok");
	o.target = "process:svc";
	o.region = PT_WALK_VMAS;
	tap_ok(pt_walk_check(&o, true, &bad, why, sizeof(why)) == PT_CHECK_ERROR && bad && !strcmp(bad, "target"),
	       "a self-only walker (mincore) refuses another target, naming the key (%s)", why);
	bad = NULL;
	o.region = PT_WALK_OWN;
	tap_ok(pt_walk_check(&o, false, &bad, why, sizeof(why)) == PT_CHECK_ERROR && bad && !strcmp(bad, "region"),
	       "another target with region = own is refused (%s)", why);
	o.region = PT_WALK_VMAS;
	tap_ok(pt_walk_check(&o, false, &bad, why, sizeof(why)) == PT_CHECK_OK, "process:NAME with region = vmas: ok");
	o.target = "999999999";
	bad = NULL;
	tap_ok(pt_walk_check(&o, false, &bad, why, sizeof(why)) == PT_CHECK_ERROR, "a PID that does not exist is refused (%s)",
	       why);
}

static void ranges_cases(void)
{
	struct pt_walk_opts o = { .target = "self", .region = PT_WALK_VMAS, .vma_match = "ptbench-unit-walk" };
	struct pt_walk_target wt = { 0 };
	struct pt_walk_ranges rs = { 0 };
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	int fd = memfd_create("ptbench-unit-walk", MFD_CLOEXEC);
	char *a, *b;
	int rc;

	tap_ok(fd >= 0 && ftruncate(fd, 64 * (off_t)page) == 0, "memfd");
	a = mmap(NULL, 16 * page, PROT_READ, MAP_SHARED, fd, 0);
	b = mmap(NULL, 32 * page, PROT_READ, MAP_SHARED, fd, 0);
	tap_ok(a != MAP_FAILED && b != MAP_FAILED, "two mappings of it");
	snprintf(wt.proc_dir, sizeof(wt.proc_dir), "/proc/self");
	rc = pt_walk_ranges_get(&rs, &wt, &o);
	tap_ok(rc == 0 && rs.n == 2 && rs.pages == 48, "region = vmas finds the 2 matching VMAs, 48 pages (got %zu, %llu)",
	       rs.n, (unsigned long long)rs.pages);
	munmap(b, 32 * page);
	/* what a walk does when it found fewer pages than the ranges hold */
	rs.stale = true;
	rc = pt_walk_ranges_get(&rs, &wt, &o);
	tap_ok(rc == 0 && rs.n == 1 && rs.pages == 16 && rs.r[0].start == (uint64_t)(uintptr_t)a,
	       "marked stale, they are re-read: the unmapped VMA is gone");
	tap_ok(atomic_load(&wt.stats.maps_reads) == 2, "two maps reads counted");
	pt_walk_ranges_free(&rs);
	munmap(a, 16 * page);
	close(fd);
}

int main(void)
{
	parse_cases();
	check_cases();
	ranges_cases();
	return tap_done();
}
