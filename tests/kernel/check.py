#!/usr/bin/env python3
"""Calibration against the kernel: hold one guest's results (tests/kernel/*.ini
and scenarios/vma-lock-fallback.ini, run by `ptbench vm` under calibrate.t) to
the mmap_lock and VMA-lock counts the kernel source predicts, and
(tests/kernel/ptlife.ini) the ptlife probe's page-table retractions and
frees.

usage: check.py RESULT_DIR LABEL [CONFIG]
Prints one line per check: "ok|DESC", "not ok|DESC" or "skip|REASON"
(calibrate.t turns them into TAP). Counts are a role's holds over the
measured window; each role does one op type (or its other ops take a known
number of locks), so by the counting rule (doc/design.md) ops and their
locks are counted over the same window and the counts are exact.

Every prediction names the kernel function that takes the lock, read in the
Debian source packages linux-source-6.1 (6.1.176), linux-source-6.12
(6.12.117) and linux-source-7.2 (7.2.12), and the change that moved it,
with the release the suite measured it in (doc/kernel-notes.md)."""
import json
import os
import re
import sys

rdir, label = sys.argv[1], sys.argv[2]
config = sys.argv[3] if len(sys.argv) > 3 else ''
out = []


def emit(status, desc):
    print('%s|%s: %s' % (status, label, desc))


def check(cond, desc):
    emit('ok' if cond else 'not ok', desc)


def load(name):
    try:
        return json.load(open(os.path.join(rdir, name + '.json')))
    except (OSError, ValueError):
        return None


def version(d):
    m = re.match(r'(\d+)\.(\d+)', d['system']['kernel']['release'])
    return (int(m.group(1)), int(m.group(2)))


def role(d, name):
    """(ops counts, write holds, read holds, downgrades, vma_lock role or None)"""
    rep = d['repeats'][0]
    w = rep['workers'][name]
    ops = {k: v['count'] for k, v in w['ops'].items()}
    ml = rep['probes']['mmap_lock']
    r = ml.get('roles', {}).get(name, {})  # absent: the probe saw nothing of it
    hold = r.get('hold', {})
    W = hold.get('write', {}).get('count', 0)
    R = hold.get('read', {}).get('count', 0)
    vl = rep['probes'].get('vma_lock', {})
    v = vl.get('roles', {}).get(name, {'attempts': 0, 'locked': 0, 'fallbacks': 0}) if vl.get('available') else None
    return ops, W, R, r.get('downgrades', 0), v


def fb_of(v):
    """read holds that are page faults of the role's thread outside its ops
    (a first touch of a fresh anon VMA, its stack) falling back from the
    VMA lock: the VMA-lock probe counts them (0 where it does not run)"""
    return v['fallbacks'] if v else 0


def usable(name):
    d = load(name)
    if d is None:
        emit('not ok', '%s: no result (the guest did not answer for it; see console.log)' % name)
        return None
    ml = d['repeats'][0]['probes'].get('mmap_lock', {})
    if not ml.get('available'):
        emit('not ok', '%s: the mmap_lock probe did not run: %s' % (name, ml.get('why')))
        return None
    return d


# --- writers: exact on every kernel -------------------------------------------
d = usable('writers')
if d:
    ops, W, R, dg, _ = role(d, 'churn')
    n = ops['mmap']
    # vm_mmap_pgoff() (mm/util.c): mmap_write_lock_killable() around do_mmap();
    # munmap: __vm_munmap() takes it for write, then do_mas_align_munmap()
    # (6.1, mm/mmap.c) / vms_complete_munmap_vmas() (6.12+, mm/vma.c) calls
    # mmap_write_downgrade() once the VMAs are detached; the zap runs under read
    check(n > 0 and ops['munmap'] == n and W == 2 * n and dg == n and R == n,
          'mmap+munmap = 2 write holds + 1 downgrade (its read hold) per pair: %d pairs, W %d, downgrades %d, R %d'
          % (n, W, dg, R))
    ops, W, R, _, _ = role(d, 'mprotect')
    n = ops['mprotect']
    # do_mprotect_pkey() (mm/mprotect.c): mmap_write_lock_killable(), one per call
    check(n > 0 and W == n and R == 0, 'splitting mprotect = 1 write hold per call: %d calls, W %d, R %d' % (n, W, R))
    ops, W, R, _, _ = role(d, 'clear')
    n = ops['clear']
    # clear_refs_write() (fs/proc/task_mmu.c): mmap_write_lock_killable() for the walk
    check(n > 0 and W == n and R == 0, 'clear_refs = 1 write hold per write: %d writes, W %d, R %d' % (n, W, R))

ver = None
for name in ('writers', 'readers', 'shmem-fault', 'ptlife'):
    dd = load(name)
    if dd:
        ver = version(dd)
        break
if ver is None:
    emit('not ok', 'no result to read the kernel release from')
    sys.exit(0)
vs = '%d.%d' % ver

# --- /proc readers ------------------------------------------------------------
d = usable('readers')
if d:
    # up to 6.16 m_start() (fs/proc/task_mmu.c) takes mmap_read_lock_killable()
    # for every read() chunk (seq_file calls start/stop per chunk); from 6.17
    # lock_vma_range() reads maps under RCU with lock_next_vma() per VMA, and
    # takes mmap_lock only in fallback_to_mmap_lock() (a VMA being changed:
    # none here) -- "fs/proc/task_mmu: read proc/pid/maps under per-vma lock"
    for who, f, since in (('maps', 'maps', (6, 17)), ('smaps', 'smaps', (7, 2)), ('numa', 'numa_maps', (7, 2))):
        ops, W, R, _, v = role(d, who)
        n = ops['read']
        R -= fb_of(v)
        if ver >= since:
            # smaps and numa_maps joined in 7.2 ("use vma locks for
            # proc/pid/{smaps|numa_maps} reads": drop_rcu()/reacquire_rcu()
            # around each VMA's page-table walk). Not a count but a bound:
            # lock_next_vma() (mm/mmap_lock.c) falls back to
            # lock_next_vma_under_mmap_lock() when the VMA it meets is
            # write-locked or changed under it, and other threads of the process
            # (malloc's arenas, the probes' buffers) do map now and then
            # (6.19.14: 2 in 100 maps reads); before, it is >= 1 per chunk
            check(n > 0 and R <= n / 10 and W == 0, '%s read under per-VMA locks from %d.%d: at most 0.1 mmap_lock '
                  'holds per read (a fallback when a VMA changes under it): %d reads, R %d' % (f, since[0], since[1], n, R))
        else:
            check(n > 0 and R >= n and W == 0, '%s read takes mmap_lock for read per read() chunk before %d.%d: '
                  '>= 1 per read: %d reads, R %d (%.1f per read)' % (f, since[0], since[1], n, R, R / max(n, 1)))

# --- PROCMAP_QUERY --------------------------------------------------------------
if ver < (6, 11):
    emit('skip', 'PROCMAP_QUERY: no such ioctl before 6.11 (%s answers ENOTTY; the scenario skips)' % vs)
else:
    d = usable('procmap-query')
    if d:
        ops, W, R, _, v = role(d, 'query')
        n = ops['query']
        # less the thread's own faults that fell back (6.17.13 once: 1)
        R -= fb_of(v)
        if ver >= (6, 18):
            # query_vma_find_by_addr() (fs/proc/task_mmu.c) takes the VMA's
            # lock with lock_next_vma() under RCU; mmap_read_lock only on
            # -EAGAIN (the VMA's refcount overflowing)
            # (lock_next_vma() itself retries under mmap_read_lock when
            # the VMA changes meanwhile: the same bound as the readers)
            check(n > 0 and R <= n / 10 and W == 0, 'PROCMAP_QUERY under a per-VMA lock from 6.18: at most 0.1 '
                  'mmap_lock holds per query: %d queries, R %d' % (n, R))
        else:
            # query_vma_setup(): mmap_read_lock_killable(), once per ioctl
            check(n > 0 and R == n and W == 0, 'PROCMAP_QUERY = 1 read hold per query up to 6.17: %d queries, R %d' % (n, R))

# --- shmem fault ----------------------------------------------------------------
d = usable('shmem-fault')
if d:
    ops, W, R, _, v = role(d, 'faulter')
    n = ops['fault']
    if v is None:
        # 6.1: no CONFIG_PER_VMA_LOCK; do_user_addr_fault() (arch/x86/mm/fault.c)
        # -> lock_mm_and_find_vma(): mmap_read_lock for every fault. The
        # reset is fallocate(PUNCH_HOLE): no mmap_lock.
        check(n > 0 and R == n and W == 0, 'shmem fault = 1 read hold before per-VMA locks: %d faults, R %d' % (n, R))
    else:
        # lock_vma_under_rcu() serves shared/file VMAs from 6.7 (6.4-6.6 only
        # anonymous ones); nothing writes to this VMA, so none of the
        # shmem faults falls back: every read hold is a fallback, and there
        # are no more fallbacks than the thread's faults outside its ops
        # (attempts - faults: 6.12.117 once had 1 such, a fresh anon VMA's
        # first touch, and it fell back)
        fb = v['fallbacks']
        check(n > 0 and R == fb and W == 0 and fb <= v['attempts'] - n,
              'shmem fault under the VMA lock from 6.7, none falls back: %d faults, R %d, VMA-lock fallbacks %d '
              '(of %d attempts: %d outside the op)' % (n, R, fb, v['attempts'], v['attempts'] - n))

# --- MADV_DONTNEED and PT_RECLAIM ---------------------------------------------------
d = usable('pte-reclaim')
if d:
    ops, W, R, _, v = role(d, 'reclaim')
    z, t = ops['zap'], ops['touch']
    # the touch faults' share of the role's read holds: every one before
    # per-VMA locks (6.1), else exactly those that fell back
    faults_r = t if v is None else v['fallbacks']
    zr = R - faults_r
    if ver >= (6, 17):
        # madvise_lock(): MADV_DONTNEED is MADVISE_VMA_READ_LOCK, the VMA
        # taken by try_vma_read_lock() -> lock_vma_under_rcu() (mm/madvise.c)
        # ("mm: use per_vma lock for MADV_DONTNEED"); mmap_read_lock only on
        # its fallback, counted in the fallbacks above
        check(z > 0 and zr == 0 and W == 0, 'MADV_DONTNEED under the VMA lock from 6.17: %d zaps, R %d of which faults %d: '
              '%d for the zaps' % (z, R, faults_r, zr))
    else:
        # madvise_need_mmap_write() is 0 for MADV_DONTNEED: mmap_read_lock per call
        check(z > 0 and zr == z and W == 0, 'MADV_DONTNEED = 1 read hold per call up to 6.16: %d zaps, R %d, '
              'of which faults %d: %d for the zaps' % (z, R, faults_r, zr))
    p = d['repeats'][0]['workers']['reclaim']['pte_reclaim']
    cfg = None
    if config and os.path.exists(config):
        cfg = 'n'
        for line in open(config):
            if line.strip() == 'CONFIG_PT_RECLAIM=y':
                cfg = 'y'
    freed, exp = p['pte_tables_freed'], p['pte_tables_expected']
    if cfg == 'y':
        # 7.2: zap_pte_range() -> zap_empty_pte_table() when
        # pte_table_reclaim_possible() (mm/memory.c); MADV_DONTNEED sets
        # details.reclaim_pt (mm/madvise.c)
        check(exp > 0 and freed == exp, 'CONFIG_PT_RECLAIM=y: MADV_DONTNEED freed every PTE table it emptied (%d of %d)'
              % (freed, exp))
    elif cfg == 'n':
        check(exp > 0 and freed == 0, 'no CONFIG_PT_RECLAIM: the emptied PTE tables stay until munmap (%d of %d freed)'
              % (freed, exp))
    else:
        # 6.19-7.1 backports come without config (no linux-base package in
        # the archive): the bound is all or none
        check(exp > 0 and freed in (0, exp), 'config unknown (no config-RELEASE beside the image): PTE tables freed '
              'all or none: %d of %d (%s)' % (freed, exp, 'all: reclaim on' if freed == exp and exp else 'none'))

# --- collapse -------------------------------------------------------------------------
def collapses(d):
    """(collapses that succeeded in the window, a note on those that failed)"""
    m = d['repeats'][0]['workers']['collapser'].get('collapse', {})
    meas = m.get('measured', {})
    n, ok_n = meas.get('attempts', 0), meas.get('succeeded', 0)
    if n == ok_n:
        return ok_n, ''
    return ok_n, '; %d failed (%s): each took 0 to 8' % (
        n - ok_n, ', '.join('%s %d' % kv for kv in sorted(m.get('errors', {}).items())) or '?')


def per_pmd_writes(W, n, ok_n):
    """8 write holds per collapse that succeeded; a failed one (EAGAIN now
    and then, a page off the LRU or with an extra reference) took one per
    PMD that got as far as collapse_huge_page()'s mmap_write_lock() (a
    failure in __collapse_huge_page_isolate(), under it) and none for a PMD
    whose scan failed first (hpage_collapse_scan_pmd(), under the read
    lock) or that was not tried (madvise_collapse() stops at a hard
    failure): exact when every collapse succeeded, else bounded"""
    if n == ok_n:
        return W == 8 * n
    return 8 * ok_n <= W <= 8 * n
d = usable('anon-collapse')
if d:
    ops, W, R, _, _ = role(d, 'collapser')
    n = ops['collapse']
    ok_n, failed = collapses(d)
    if n == 0:
        emit('not ok', 'anon MADV_COLLAPSE: no collapse began in the window')
    else:
        # collapse_huge_page() (mm/khugepaged.c): mmap_write_lock() once per
        # PMD, for the copy and the PMD install; 16 MiB = 8 PMDs
        check(per_pmd_writes(W, n, ok_n),
              'anon MADV_COLLAPSE of 8 PMDs = 8 write holds: %d collapses, W %d (%.2f per collapse)%s'
              % (n, W, W / n, failed))
d = usable('shmem-collapse')
if d:
    ops, W, R, _, _ = role(d, 'collapser')
    n = ops['collapse']
    ok_n, failed = collapses(d)
    if n == 0:
        emit('not ok', 'shmem MADV_COLLAPSE: no collapse began in the window')
    elif ver < (6, 6):
        # 6.1: madvise_collapse() drops mmap_lock per PMD for
        # hpage_collapse_scan_file() -> collapse_file() -> retract_page_tables(),
        # which takes mmap_write_trylock() of the target mm (is_target) to
        # collapse_and_free_pmd() + set_huge_pmd(): one per PMD. (6.1's
        # mmap_write_trylock() emits start_locking too, so the probe counts a
        # blocking acquisition.) Only if that trylock failed would
        # madvise_collapse() take mmap_write_lock() for collapse_pte_mapped_thp()
        # instead: still one per PMD.
        check(per_pmd_writes(W, n, ok_n),
              '6.1 shmem MADV_COLLAPSE of 8 PMDs = 8 write holds (one retract_page_tables() trylock per PMD): '
              '%d collapses, W %d (%.2f per collapse)%s' % (n, W, W / n, failed))
    else:
        # 6.6: "mm/khugepaged: retract_page_tables() without mmap or vma lock"
        # (i_mmap read lock and the page-table locks; table freed by RCU)
        check(W == 0, 'shmem MADV_COLLAPSE retracts page tables without mmap_lock from 6.6: %d collapses, W %d' % (n, W))

# --- VMA-lock fallbacks (scenarios/vma-lock-fallback.ini) ---------------------------
d = usable('vma-lock-fallback')
if d:
    ops, W, R, _, v = role(d, 'faulter')
    f, z = ops['fault'], ops.get('zap', 0)
    if v is None:
        # no per-VMA locks: every fault and every zap is an mmap_lock reader
        check(f > 0 and R == f + z, 'no per-VMA locks on %s: every fault and zap takes mmap_lock for read (%d + %d, R %d)'
              % (vs, f, z, R))
    else:
        # the flipper's vma_start_write() (in __split_vma() and the merge) marks
        # the faulter's VMA until mmap_write_unlock(); a fault meanwhile fails
        # lock_vma_under_rcu() (mm/memory.c, 6.4+) and retries under
        # mmap_read_lock. A race, not a count: the stated range is
        # 0 < fallbacks <= attempts, and each fallback is a read hold.
        fb = v['fallbacks']
        check(0 < fb <= v['attempts'] and R >= fb,
              'faults racing mprotect on their own VMA fall back: %d of %d VMA-lock attempts (%.2f%%), R %d >= fallbacks'
              % (fb, v['attempts'], 100.0 * fb / max(v['attempts'], 1), R))

# --- page-table lifetime (tests/kernel/ptlife.ini, the ptlife probe) -----------------
d = load('ptlife')
pl = d['repeats'][0]['probes'].get('ptlife', {}) if d else {}
if d is None:
    emit('not ok', 'ptlife: no result (the guest did not answer for it; see console.log)')
elif not pl.get('available'):
    emit('not ok', 'ptlife: the ptlife probe did not run: %s' % pl.get('why'))
else:
    hooks = pl.get('hooks', {})

    def hooked(h):
        return hooks.get(h, {}).get('available', False)

    def cnt(who, h, f='calls'):
        return pl.get('roles', {}).get(who, {}).get(h, {}).get(f, 0)

    # the counter walker-retract's failures come from: __pte_offset_map() is
    # out of line from 6.5 (Hugh Dickins, "mm/pgtable: allow
    # pte_offset_map[_lock]() to fail"); before, pte_offset_map() is an
    # inline that cannot fail and the probe says so
    h = hooks.get('pte_offset_map', {})
    if ver < (6, 5):
        check(not h.get('available') and 'no __pte_offset_map()' in h.get('why', ''),
              'pte_offset_map failures unavailable before 6.5 (no __pte_offset_map()): %s'
              % (h.get('why') or h.get('hook')))
    else:
        check(bool(h.get('available')), 'pte_offset_map failures counted from 6.5: %s' % (h.get('hook') or h.get('why')))

    cw = d['repeats'][0]['workers']['collapser']
    cs = cw.get('collapse', {}).get('measured', {})
    n, att = cs.get('succeeded', 0), cs.get('attempts', 0)
    npmd = cw.get('collapse', {}).get('pmds_per_region', 4)
    vmas = 1 + cw.get('collapse', {}).get('mappings', 2)
    if n == 0:
        emit('not ok', 'ptlife: no shmem collapse succeeded in the window (%d attempts)' % att)
    elif ver >= (6, 6):
        # collapse_file() (mm/khugepaged.c) calls retract_page_tables() once
        # per PMD it collapsed; that clears the PMD of every VMA of the file
        # with a PTE table there (the collapser's own and its extra mappings,
        # which it read-touched) under i_mmap and the page-table locks, no
        # mmap lock, and hands each table to pte_free_defer() (6.6, "mm/khugepaged:
        # retract_page_tables() without mmap or vma lock", "free retracted page
        # table by RCU"); then MADV_COLLAPSE's madvise_collapse() sees
        # SCAN_PTE_MAPPED_HUGEPAGE and calls collapse_pte_mapped_thp() (7.x:
        # try_collapse_pte_mapped_thp()) for its own PMD, which finds it
        # already cleared and frees nothing. A failed attempt may have
        # collapsed some PMDs: then a bound.
        lo, hi = npmd * n, npmd * att
        r, c, fd = cnt('collapser', 'retract_page_tables'), cnt('collapser', 'collapse_pte_mapped_thp'), \
            cnt('collapser', 'pte_free_defer')
        if not hooked('retract_page_tables'):
            emit('skip', 'retract_page_tables: %s' % hooks.get('retract_page_tables', {}).get('why'))
            r = c
        exact = 'exact' if lo == hi else 'between %d and %d' % (lo, hi)
        check(lo <= r <= hi and r == c and hooked('collapse_pte_mapped_thp'),
              'shmem collapse of %d PMDs: retract_page_tables = collapse_pte_mapped_thp = %d per collapse (%s): '
              '%d collapses (%d attempts), %d and %d' % (npmd, npmd, exact, n, att, r, c))
        check(hooked('pte_free_defer') and fd == vmas * r,
              'retracted tables freed by RCU from 6.6: pte_free_defer = %d x retract_page_tables (%d VMAs of the '
              'file): %d for %d' % (vmas, vmas, fd, r))
    else:
        # 6.1: retract_page_tables() (inlined into collapse_file()) takes
        # mmap_write_trylock() only of the target mm (is_target: MADV_COLLAPSE
        # leaves the other mappings to khugepaged) and frees its table at once,
        # collapse_and_free_pmd(); had the trylock failed, madvise_collapse()
        # would take mmap_write_lock() for collapse_pte_mapped_thp(), which
        # calls collapse_and_free_pmd() instead: one per PMD either way.
        # No RCU freeing of retracted tables (no pte_free_defer()).
        cf = cnt('collapser', 'collapse_and_free_pmd')
        check(hooked('collapse_and_free_pmd') and npmd * n <= cf <= npmd * att,
              'shmem collapse of %d PMDs before 6.6 frees only its own tables, directly: collapse_and_free_pmd = %d per '
              'collapse: %d collapses (%d attempts), %d' % (npmd, npmd, n, att, cf))
        check(not hooked('pte_free_defer'), 'no pte_free_defer() before 6.6: %s'
              % hooks.get('pte_free_defer', {}).get('why', hooks.get('pte_free_defer', {}).get('hook')))

    # the zapper of ptlife.ini is reclaim-race's and gup-fast-zap's: with
    # CONFIG_PT_RECLAIM zap_pte_range() frees the PTE table it emptied
    # (try_to_free_pte(), 6.14; inlined into the zap in 7.x) with
    # pte_free_tlb() -> ___pte_free_tlb() -> tlb_remove_table(): through
    # native_tlb_remove_table() in 6.14, directly since "x86/mm: make
    # MMU_GATHER_RCU_TABLE_FREE unconditional" (arch/x86/mm/pgtable.c).
    # Without the option MADV_DONTNEED frees no table.
    z = d['repeats'][0]['workers']['zapper']['ops']['zap']['count']
    ft, tr = cnt('zapper', 'pte_free_tlb'), cnt('zapper', 'tlb_remove_table')
    cfg = None
    if config and os.path.exists(config):
        cfg = 'y' if any(line.strip() == 'CONFIG_PT_RECLAIM=y' for line in open(config)) else 'n'
    if not (hooked('pte_free_tlb') and hooked('tlb_remove_table')):
        emit('not ok', 'ptlife: pte_free_tlb or tlb_remove_table not hooked: %s / %s'
             % (hooks.get('pte_free_tlb'), hooks.get('tlb_remove_table')))
    elif cfg == 'y':
        check(z > 0 and 0 < ft <= z and ft == tr, 'CONFIG_PT_RECLAIM=y: the zapper frees the tables it empties by '
              'RCU: pte_free_tlb = tlb_remove_table, 0 < frees <= zaps: %d zaps, %d and %d' % (z, ft, tr))
    elif cfg == 'n':
        check(z > 0 and ft == 0 and tr == 0, 'no CONFIG_PT_RECLAIM: MADV_DONTNEED frees no table: %d zaps, '
              'pte_free_tlb %d, tlb_remove_table %d' % (z, ft, tr))
    else:
        check(z > 0 and ft == tr, 'config unknown (no config-RELEASE beside the image): pte_free_tlb = '
              'tlb_remove_table in the zapper: %d zaps, %d and %d' % (z, ft, tr))
    race = [d['repeats'][0]['workers'][w].get('race', {}).get('corruptions', 0) for w in ('zapper', 'gup')]
    check(sum(race) == 0, 'ptlife: GUP-fast read back every lane as written or 0 (race.corruptions %d)' % sum(race))
