/* The mmap_lock pairing state machine on synthetic event streams: plain
 * waits and holds, munmap's downgrade, trylocks (failed and not), killable
 * locks interrupted, events that match nothing, roles, several mms per task,
 * and the measured window. */
#include <stdlib.h>

#include "ptbench/hist.h"
#include "ptbench/mmap_lock_pair.h"
#include "tap.h"

#define MM1 0xffff888100000000ull
#define MM2 0xffff888200000000ull

static void ev(struct pt_ml_pair *p, uint64_t ts, int tid, uint64_t mm, int type, int write, int success)
{
	struct pt_ml_event e = { .ts = ts, .mm = mm, .tid = tid, .type = (uint8_t)type,
				 .write = (uint8_t)write, .success = (uint8_t)success };

	pt_ml_pair_feed(p, &e);
}

/* blocking lock: start, acquire, release */
static void lock(struct pt_ml_pair *p, int tid, uint64_t mm, int write, uint64_t t_start, uint64_t t_acq,
		 uint64_t t_rel)
{
	ev(p, t_start, tid, mm, PT_ML_START, write, 0);
	ev(p, t_acq, tid, mm, PT_ML_ACQUIRE, write, 1);
	ev(p, t_rel, tid, mm, PT_ML_RELEASE, write, 0);
}

static void test_plain(void)
{
	struct pt_ml_pair *p = pt_ml_pair_new(1);
	const struct pt_ml_stats *t;

	pt_ml_pair_set_lo(p, 0);
	lock(p, 10, MM1, 1, 100, 150, 400);
	lock(p, 10, MM1, 0, 1000, 1001, 1100);
	t = pt_ml_pair_total(p);
	tap_ok(t->events == 6, "plain: 6 events counted (got %llu)", (unsigned long long)t->events);
	tap_ok(t->wait[PT_ML_WRITE]->count == 1 && t->wait[PT_ML_WRITE]->max == 50,
	       "plain: one write wait of 50 ns");
	tap_ok(t->hold[PT_ML_WRITE]->count == 1 && t->hold[PT_ML_WRITE]->max == 250,
	       "plain: one write hold of 250 ns");
	tap_ok(t->wait[PT_ML_READ]->count == 1 && t->wait[PT_ML_READ]->max == 1, "plain: one read wait of 1 ns");
	tap_ok(t->hold[PT_ML_READ]->count == 1 && t->hold[PT_ML_READ]->max == 99, "plain: one read hold of 99 ns");
	tap_ok(t->unmatched == 0 && t->downgrades == 0 && t->trylocks == 0, "plain: nothing else counted");
	tap_ok(pt_ml_pair_open(p) == 0, "plain: nothing left open");
	pt_ml_pair_free(p);
}

/* munmap: write lock, downgrade (acquire read without a start), release read */
static void test_downgrade(void)
{
	struct pt_ml_pair *p = pt_ml_pair_new(1);
	const struct pt_ml_stats *t;

	pt_ml_pair_set_lo(p, 0);
	ev(p, 1000, 10, MM1, PT_ML_START, 1, 0);
	ev(p, 1010, 10, MM1, PT_ML_ACQUIRE, 1, 1);
	ev(p, 1100, 10, MM1, PT_ML_ACQUIRE, 0, 1); /* mmap_write_downgrade() */
	ev(p, 1300, 10, MM1, PT_ML_RELEASE, 0, 0);
	t = pt_ml_pair_total(p);
	tap_ok(t->downgrades == 1, "downgrade: counted once");
	tap_ok(t->wait[PT_ML_WRITE]->count == 1 && t->wait[PT_ML_WRITE]->max == 10, "downgrade: the write wait");
	tap_ok(t->hold[PT_ML_WRITE]->count == 1 && t->hold[PT_ML_WRITE]->max == 90,
	       "downgrade: the write hold ends at the downgrade (90 ns)");
	tap_ok(t->hold[PT_ML_READ]->count == 1 && t->hold[PT_ML_READ]->max == 200,
	       "downgrade: the read hold runs from the downgrade to the release (200 ns)");
	tap_ok(t->wait[PT_ML_READ]->count == 0, "downgrade: no read wait invented");
	tap_ok(t->unmatched == 0 && t->trylocks == 0, "downgrade: not unmatched, not a trylock");
	pt_ml_pair_free(p);
}

static void test_trylocks(void)
{
	struct pt_ml_pair *p = pt_ml_pair_new(1);
	const struct pt_ml_stats *t;

	pt_ml_pair_set_lo(p, 0);
	ev(p, 100, 10, MM1, PT_ML_ACQUIRE, 1, 0); /* mmap_write_trylock() failed */
	ev(p, 200, 10, MM1, PT_ML_ACQUIRE, 0, 0); /* mmap_read_trylock() failed */
	ev(p, 300, 10, MM1, PT_ML_ACQUIRE, 0, 1); /* mmap_read_trylock() succeeded */
	ev(p, 350, 10, MM1, PT_ML_RELEASE, 0, 0);
	ev(p, 400, 11, MM1, PT_ML_START, 1, 0);   /* mmap_write_lock_killable() interrupted */
	ev(p, 900, 11, MM1, PT_ML_ACQUIRE, 1, 0);
	t = pt_ml_pair_total(p);
	tap_ok(t->failed_trylocks == 2, "trylock: two failed trylocks (got %llu)",
	       (unsigned long long)t->failed_trylocks);
	tap_ok(t->trylocks == 1, "trylock: one successful trylock");
	tap_ok(t->hold[PT_ML_READ]->count == 1 && t->hold[PT_ML_READ]->max == 50,
	       "trylock: the successful one's hold is recorded");
	tap_ok(t->failed_locks == 1, "killable: the interrupted lock counted apart");
	tap_ok(t->wait[PT_ML_WRITE]->count == 0 && t->wait[PT_ML_READ]->count == 0,
	       "trylock/killable: no wait recorded for failures");
	tap_ok(t->unmatched == 0, "trylock/killable: nothing unmatched");
	tap_ok(pt_ml_pair_open(p) == 0, "trylock/killable: nothing left open");
	pt_ml_pair_free(p);
}

static void test_unmatched(void)
{
	struct pt_ml_pair *p = pt_ml_pair_new(1);
	const struct pt_ml_stats *t;

	pt_ml_pair_set_lo(p, 0);
	ev(p, 100, 10, MM1, PT_ML_RELEASE, 1, 0); /* taken before tracing began */
	ev(p, 200, 10, MM1, PT_ML_START, 0, 0);
	ev(p, 300, 10, MM1, PT_ML_START, 0, 0);   /* the first start's acquire was lost */
	ev(p, 310, 10, MM1, PT_ML_ACQUIRE, 0, 1);
	ev(p, 400, 10, MM1, PT_ML_RELEASE, 1, 0); /* wrong mode: the read release was lost */
	ev(p, 500, 10, MM1, PT_ML_START, 1, 0);
	ev(p, 510, 10, MM1, PT_ML_ACQUIRE, 1, 1); /* still "holding" read: that hold is broken */
	ev(p, 600, 10, MM1, PT_ML_RELEASE, 1, 0);
	t = pt_ml_pair_total(p);
	tap_ok(t->unmatched == 4, "unmatched: 4 events fit no pairing (got %llu)", (unsigned long long)t->unmatched);
	tap_ok(t->wait[PT_ML_READ]->count == 1 && t->wait[PT_ML_READ]->max == 10,
	       "unmatched: the read wait pairs with the latest start");
	tap_ok(t->hold[PT_ML_READ]->count == 0, "unmatched: no read hold made up");
	tap_ok(t->hold[PT_ML_WRITE]->count == 1 && t->hold[PT_ML_WRITE]->max == 90,
	       "unmatched: pairing recovers on the next lock");
	ev(p, 700, 12, MM1, PT_ML_START, 1, 0);
	tap_ok(pt_ml_pair_open(p) == 1, "open: a wait in progress at the end is open, not unmatched");
	pt_ml_pair_free(p);
}

static void test_roles_and_mms(void)
{
	struct pt_ml_pair *p = pt_ml_pair_new(2);
	const struct pt_ml_stats *r0, *r1, *other;

	pt_ml_pair_set_lo(p, 0);
	pt_ml_pair_map_tid(p, 10, 0);
	pt_ml_pair_map_tid(p, 20, 1);
	/* two tasks interleaved on one mm: a writer holds, a reader waits */
	ev(p, 100, 10, MM1, PT_ML_START, 1, 0);
	ev(p, 105, 10, MM1, PT_ML_ACQUIRE, 1, 1);
	ev(p, 110, 20, MM1, PT_ML_START, 0, 0);
	ev(p, 500, 10, MM1, PT_ML_RELEASE, 1, 0);
	ev(p, 520, 20, MM1, PT_ML_ACQUIRE, 0, 1);
	ev(p, 600, 20, MM1, PT_ML_RELEASE, 0, 0);
	/* one task, two mms at once (fork's dup_mmap locks both) */
	ev(p, 1000, 30, MM1, PT_ML_START, 1, 0);
	ev(p, 1001, 30, MM1, PT_ML_ACQUIRE, 1, 1);
	ev(p, 1002, 30, MM2, PT_ML_START, 1, 0);
	ev(p, 1004, 30, MM2, PT_ML_ACQUIRE, 1, 1);
	ev(p, 1100, 30, MM2, PT_ML_RELEASE, 1, 0);
	ev(p, 1200, 30, MM1, PT_ML_RELEASE, 1, 0);
	r0 = pt_ml_pair_role(p, 0);
	r1 = pt_ml_pair_role(p, 1);
	other = pt_ml_pair_role(p, 2);
	tap_ok(r0->hold[PT_ML_WRITE]->count == 1 && r0->hold[PT_ML_WRITE]->max == 395, "roles: role 0's write hold");
	tap_ok(r1->wait[PT_ML_READ]->count == 1 && r1->wait[PT_ML_READ]->max == 410,
	       "roles: role 1's read wait behind it (410 ns)");
	tap_ok(r0->wait[PT_ML_READ]->count == 0 && r1->hold[PT_ML_WRITE]->count == 0, "roles: nothing crossed over");
	tap_ok(other->hold[PT_ML_WRITE]->count == 2 && other->hold[PT_ML_WRITE]->max == 199 &&
		       other->hold[PT_ML_WRITE]->min == 96,
	       "mms: an unmapped tid is 'other'; two mms of one task pair apart");
	tap_ok(pt_ml_pair_total(p)->unmatched == 0, "roles/mms: nothing unmatched");
	tap_ok(pt_ml_pair_role(p, 3) == NULL, "roles: no group past 'other'");
	pt_ml_pair_free(p);
}

static void test_window(void)
{
	struct pt_ml_pair *p = pt_ml_pair_new(1);
	const struct pt_ml_stats *t;

	pt_ml_pair_set_lo_bound(p, 50);
	lock(p, 10, MM1, 1, 10, 20, 30);     /* before lo_bound: dropped at once */
	ev(p, 60, 10, MM1, PT_ML_START, 1, 0);
	ev(p, 70, 10, MM1, PT_ML_ACQUIRE, 1, 1); /* wait completes at 70 < lo: dropped later */
	ev(p, 90, 10, MM1, PT_ML_RELEASE, 1, 0);
	ev(p, 95, 10, MM1, PT_ML_START, 0, 0);   /* starts before lo ... */
	ev(p, 120, 10, MM1, PT_ML_ACQUIRE, 0, 1); /* ... completes after: kept */
	pt_ml_pair_set_lo(p, 100);
	ev(p, 300, 10, MM1, PT_ML_RELEASE, 0, 0);
	pt_ml_pair_set_hi(p, 1000);
	lock(p, 10, MM1, 1, 900, 950, 1200); /* the hold ends after hi: not kept */
	t = pt_ml_pair_total(p);
	tap_ok(t->wait[PT_ML_READ]->count == 1 && t->wait[PT_ML_READ]->max == 25,
	       "window: a wait that straddles lo counts, with its full length");
	tap_ok(t->hold[PT_ML_READ]->count == 1 && t->hold[PT_ML_READ]->max == 180, "window: its hold too");
	tap_ok(t->wait[PT_ML_WRITE]->count == 1 && t->wait[PT_ML_WRITE]->max == 50,
	       "window: only the write wait inside [lo, hi]");
	tap_ok(t->hold[PT_ML_WRITE]->count == 0, "window: holds ending outside are dropped");
	tap_ok(t->events == 4, "window: events counted inside only (got %llu)", (unsigned long long)t->events);
	tap_ok(t->unmatched == 0, "window: pairing across lo is not unmatched");
	pt_ml_pair_free(p);
}

static void test_many_tasks(void)
{
	struct pt_ml_pair *p = pt_ml_pair_new(1);
	const struct pt_ml_stats *t;
	int n = 5000;

	pt_ml_pair_set_lo(p, 0);
	for (int i = 0; i < n; i++)
		pt_ml_pair_map_tid(p, 1000 + i, 0);
	for (int i = 0; i < n; i++)
		ev(p, 10 + (uint64_t)i, 1000 + i, MM1 + (uint64_t)(i % 7) * 4096, PT_ML_START, i & 1, 0);
	for (int i = 0; i < n; i++)
		ev(p, 100000 + (uint64_t)i, 1000 + i, MM1 + (uint64_t)(i % 7) * 4096, PT_ML_ACQUIRE, i & 1, 1);
	t = pt_ml_pair_role(p, 0);
	tap_ok(t->wait[PT_ML_READ]->count + t->wait[PT_ML_WRITE]->count == (uint64_t)n,
	       "growth: %d tasks all paired after the tables grew", n);
	tap_ok(pt_ml_pair_open(p) == (uint64_t)n, "growth: all %d still hold the lock", n);
	pt_ml_pair_free(p);
}

int main(void)
{
	test_plain();
	test_downgrade();
	test_trylocks();
	test_unmatched();
	test_roles_and_mms();
	test_window();
	test_many_tasks();
	return tap_done();
}
