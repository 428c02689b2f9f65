/* The mmap_lock pairing state machine (see mmap_lock_pair.h for the event
 * patterns it expects). Open-addressed tables keyed by (tid, mm) and tid; the
 * feed path allocates nothing once the tables have grown to the run's size. */
#include <stdlib.h>
#include <string.h>

#include "ptbench/hist.h"
#include "ptbench/mmap_lock_pair.h"
#include "ptbench/util.h"

enum sample_kind { S_EVENT, S_WAIT, S_HOLD, S_DOWNGRADE, S_TRYLOCK, S_FAILED_TRY, S_FAILED_LOCK, S_UNMATCHED };

struct sample {
	uint64_t ts, value;
	uint32_t group;  /* role group of the task, resolved when the sample is made */
	uint8_t kind, mode;
};

/* One (task, mm) pair: what it waits for and what it holds. */
struct lock_state {
	uint64_t mm;
	uint64_t wait_ts, held_ts;
	int32_t tid;
	uint32_t group, group_gen; /* the task's role group, valid while group_gen == map_gen */
	bool used, waiting, held;
	uint8_t wait_mode, held_mode;
};

struct tid_role {
	int32_t tid;
	bool used;
	size_t role;
};

struct pt_ml_pair {
	size_t nroles;
	struct pt_ml_stats *groups; /* nroles + 1 ("other") */
	struct pt_ml_stats total;
	struct lock_state *locks;
	size_t nlocks, locks_cap;    /* cap is a power of two */
	struct tid_role *tids;
	size_t ntids, tids_cap;
	uint32_t map_gen;            /* bumped by every map_tid */
	uint64_t lo, lo_bound, hi;
	bool lo_known;
	struct sample *pending;
	size_t npending, pending_cap;
};

static uint64_t hash64(uint64_t x)
{
	/* splitmix64 finaliser: tids and mm pointers are far from random */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static void stats_init(struct pt_ml_stats *s)
{
	memset(s, 0, sizeof(*s));
	for (int m = 0; m < PT_ML_NMODES; m++) {
		s->wait[m] = pt_hist_new();
		s->hold[m] = pt_hist_new();
	}
}

static void stats_fini(struct pt_ml_stats *s)
{
	for (int m = 0; m < PT_ML_NMODES; m++) {
		free(s->wait[m]);
		free(s->hold[m]);
	}
}

struct pt_ml_pair *pt_ml_pair_new(size_t nroles)
{
	struct pt_ml_pair *p = pt_xcalloc(1, sizeof(*p));

	p->nroles = nroles;
	p->groups = pt_xcalloc(nroles + 1, sizeof(*p->groups));
	for (size_t i = 0; i <= nroles; i++)
		stats_init(&p->groups[i]);
	stats_init(&p->total);
	p->locks_cap = 64;
	p->locks = pt_xcalloc(p->locks_cap, sizeof(*p->locks));
	p->tids_cap = 64;
	p->tids = pt_xcalloc(p->tids_cap, sizeof(*p->tids));
	p->hi = UINT64_MAX;
	p->map_gen = 1;
	return p;
}

void pt_ml_pair_free(struct pt_ml_pair *p)
{
	if (!p)
		return;
	for (size_t i = 0; i <= p->nroles; i++)
		stats_fini(&p->groups[i]);
	stats_fini(&p->total);
	free(p->groups);
	free(p->locks);
	free(p->tids);
	free(p->pending);
	free(p);
}

static struct tid_role *tid_slot(struct tid_role *tab, size_t cap, int32_t tid)
{
	size_t i = hash64((uint64_t)(uint32_t)tid) & (cap - 1);

	while (tab[i].used && tab[i].tid != tid)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

void pt_ml_pair_map_tid(struct pt_ml_pair *p, int tid, size_t role)
{
	struct tid_role *s;

	if (role > p->nroles)
		role = p->nroles;
	if (2 * (p->ntids + 1) > p->tids_cap) {
		size_t cap = p->tids_cap * 2;
		struct tid_role *tab = pt_xcalloc(cap, sizeof(*tab));

		for (size_t i = 0; i < p->tids_cap; i++)
			if (p->tids[i].used)
				*tid_slot(tab, cap, p->tids[i].tid) = p->tids[i];
		free(p->tids);
		p->tids = tab;
		p->tids_cap = cap;
	}
	s = tid_slot(p->tids, p->tids_cap, tid);
	if (!s->used)
		p->ntids++;
	s->used = true;
	s->tid = tid;
	s->role = role;
	p->map_gen++;
}

static size_t role_of(const struct pt_ml_pair *p, int32_t tid)
{
	const struct tid_role *s = tid_slot(p->tids, p->tids_cap, tid);

	return s->used ? s->role : p->nroles;
}

static struct lock_state *lock_slot(struct lock_state *tab, size_t cap, int32_t tid, uint64_t mm)
{
	size_t i = (hash64(mm) ^ hash64((uint64_t)(uint32_t)tid)) & (cap - 1);

	while (tab[i].used && (tab[i].tid != tid || tab[i].mm != mm))
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static struct lock_state *lock_get(struct pt_ml_pair *p, int32_t tid, uint64_t mm)
{
	struct lock_state *s;

	if (2 * (p->nlocks + 1) > p->locks_cap) {
		size_t cap = p->locks_cap * 2;
		struct lock_state *tab = pt_xcalloc(cap, sizeof(*tab));

		for (size_t i = 0; i < p->locks_cap; i++)
			if (p->locks[i].used)
				*lock_slot(tab, cap, p->locks[i].tid, p->locks[i].mm) = p->locks[i];
		free(p->locks);
		p->locks = tab;
		p->locks_cap = cap;
	}
	s = lock_slot(p->locks, p->locks_cap, tid, mm);
	if (!s->used) {
		memset(s, 0, sizeof(*s));
		s->used = true;
		s->tid = tid;
		s->mm = mm;
		p->nlocks++;
	}
	return s;
}

static void apply(struct pt_ml_stats *s, const struct sample *x)
{
	switch (x->kind) {
	case S_EVENT: s->events++; break;
	case S_WAIT: pt_hist_record(s->wait[x->mode], x->value); break;
	case S_HOLD: pt_hist_record(s->hold[x->mode], x->value); break;
	case S_DOWNGRADE: s->downgrades++; break;
	case S_TRYLOCK: s->trylocks++; break;
	case S_FAILED_TRY: s->failed_trylocks++; break;
	case S_FAILED_LOCK: s->failed_locks++; break;
	case S_UNMATCHED: s->unmatched++; break;
	}
}

static void keep(struct pt_ml_pair *p, const struct sample *x)
{
	apply(&p->groups[x->group], x);
	apply(&p->total, x);
}

static void emit(struct pt_ml_pair *p, uint64_t ts, uint32_t group, enum sample_kind kind, int mode,
		 uint64_t value)
{
	struct sample x = { .ts = ts, .value = value, .group = group, .kind = (uint8_t)kind, .mode = (uint8_t)mode };

	if (ts > p->hi)
		return;
	if (p->lo_known) {
		if (ts >= p->lo)
			keep(p, &x);
		return;
	}
	/* before the window can be told apart from in it: keep for set_lo */
	if (ts < p->lo_bound)
		return;
	if (p->npending == p->pending_cap) {
		p->pending_cap = p->pending_cap ? 2 * p->pending_cap : 4096;
		p->pending = pt_xrealloc(p->pending, p->pending_cap * sizeof(*p->pending));
	}
	p->pending[p->npending++] = x;
}

void pt_ml_pair_set_lo_bound(struct pt_ml_pair *p, uint64_t lo_bound)
{
	p->lo_bound = lo_bound;
}

void pt_ml_pair_set_lo(struct pt_ml_pair *p, uint64_t lo)
{
	p->lo = lo;
	p->lo_known = true;
	for (size_t i = 0; i < p->npending; i++)
		if (p->pending[i].ts >= lo && p->pending[i].ts <= p->hi)
			keep(p, &p->pending[i]);
	free(p->pending);
	p->pending = NULL;
	p->npending = p->pending_cap = 0;
}

void pt_ml_pair_set_hi(struct pt_ml_pair *p, uint64_t hi)
{
	p->hi = hi;
}

bool pt_ml_pair_lo_known(const struct pt_ml_pair *p)
{
	return p->lo_known;
}

/* Taking the lock (a start before it or not): anything still held was never
 * released as far as we saw (its release event was lost). */
static void take(struct pt_ml_pair *p, struct lock_state *s, const struct pt_ml_event *e)
{
	if (s->held)
		emit(p, e->ts, s->group, S_UNMATCHED, 0, 0);
	s->held = true;
	s->held_mode = e->write ? PT_ML_WRITE : PT_ML_READ;
	s->held_ts = e->ts;
}

void pt_ml_pair_feed(struct pt_ml_pair *p, const struct pt_ml_event *e)
{
	struct lock_state *s = lock_get(p, e->tid, e->mm);
	int mode = e->write ? PT_ML_WRITE : PT_ML_READ;

	if (s->group_gen != p->map_gen) {
		s->group = (uint32_t)role_of(p, e->tid);
		s->group_gen = p->map_gen;
	}

	emit(p, e->ts, s->group, S_EVENT, 0, 0);
	switch (e->type) {
	case PT_ML_START:
		if (s->waiting) /* the acquire of the previous start is missing */
			emit(p, e->ts, s->group, S_UNMATCHED, 0, 0);
		s->waiting = true;
		s->wait_mode = (uint8_t)mode;
		s->wait_ts = e->ts;
		return;
	case PT_ML_ACQUIRE:
		if (s->waiting && s->wait_mode == mode) {
			s->waiting = false;
			if (!e->success) {
				emit(p, e->ts, s->group, S_FAILED_LOCK, mode, 0);
				return;
			}
			emit(p, e->ts, s->group, S_WAIT, mode, e->ts - s->wait_ts);
			take(p, s, e);
			return;
		}
		if (s->waiting) { /* a start in the other mode: something is missing */
			emit(p, e->ts, s->group, S_UNMATCHED, 0, 0);
			s->waiting = false;
		}
		if (!e->success) {
			emit(p, e->ts, s->group, S_FAILED_TRY, mode, 0);
			return;
		}
		if (mode == PT_ML_READ && s->held && s->held_mode == PT_ML_WRITE) {
			/* mmap_write_downgrade(): the write hold ends, a read hold begins */
			emit(p, e->ts, s->group, S_DOWNGRADE, mode, 0);
			emit(p, e->ts, s->group, S_HOLD, PT_ML_WRITE, e->ts - s->held_ts);
			s->held_mode = PT_ML_READ;
			s->held_ts = e->ts;
			return;
		}
		emit(p, e->ts, s->group, S_TRYLOCK, mode, 0);
		take(p, s, e);
		return;
	case PT_ML_RELEASE:
		if (s->held && s->held_mode == mode) {
			emit(p, e->ts, s->group, S_HOLD, mode, e->ts - s->held_ts);
			s->held = false;
		} else {
			/* taken before tracing began, or its acquire was lost */
			emit(p, e->ts, s->group, S_UNMATCHED, 0, 0);
		}
		return;
	}
}

const struct pt_ml_stats *pt_ml_pair_role(const struct pt_ml_pair *p, size_t group)
{
	return group <= p->nroles ? &p->groups[group] : NULL;
}

const struct pt_ml_stats *pt_ml_pair_total(const struct pt_ml_pair *p)
{
	return &p->total;
}

uint64_t pt_ml_pair_open(const struct pt_ml_pair *p)
{
	uint64_t n = 0;

	for (size_t i = 0; i < p->locks_cap; i++)
		n += p->locks[i].used && (p->locks[i].waiting || p->locks[i].held);
	return n;
}
