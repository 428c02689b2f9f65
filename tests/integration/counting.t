#!/bin/bash
# The counting rule on the real kernel (doc/design.md, "The counting rule"):
# ops whose lock count the kernel fixes give it exactly per op in every
# repeat, with both backends of the mmap_lock probe, at a duration short
# enough that an op straddling an edge of the window would show.
#  - anon MADV_COLLAPSE of 16M from small pages: mmap_write_lock once per
#    PMD, 8 per collapse (collapse_huge_page());
#  - mmap-churn in a role process (agent-smaps): per mmap + munmap pair one
#    write lock each and munmap's downgrade, counted by the parent's window,
#    which the child's rates divide by too.
# Before the rule these came out 6.6-7.5 and 1.99-2.00.
. "$(dirname "$0")/lib.sh"

QUICK="--duration 1s --warmup 300ms --repeat 2 --quiet"

if [ "$(id -u)" -ne 0 ]; then
	skip "needs root (THP settings, the lock probes)"
	done_testing
	exit
fi

# per repeat: "W/C" for every repeat where W != 8 * C, else nothing; a
# repeat in which a collapse failed (EAGAIN, now and then: collapse.t) is
# left out, as a failed collapse may have taken fewer locks
collapse_off() {
	json "$1" "' '.join('%d/%d' % (w, c) for r in d['repeats']
	    for w, c, e in [(r['probes']['mmap_lock']['roles']['collapser']['wait']['write']['count']
	                     + r['probes']['mmap_lock']['roles']['collapser']['trylocks'],
	                     r['workers']['collapser']['ops']['collapse']['count'],
	                     sum(r['workers']['collapser']['ops']['collapse']['errors'].values()))]
	    if not e and (w != 8 * c or not c))"
}

for probe in bpf tracefs; do
	$PTBENCH run anon-collapse-faults $QUICK --lock-probe $probe -o "$TMP/collapse-$probe.json" 2>"$TMP/err"
	rc=$?
	if [ $rc -eq 4 ]; then
		skip "anon-collapse-faults cannot run here: $(tail -1 "$TMP/err")"
		continue
	fi
	is $rc 0 "anon-collapse-faults ($probe) runs"
	got=$(json "$TMP/collapse-$probe.json" "d['repeats'][0]['probes']['mmap_lock'].get('backend')")
	if [ "$got" != "$probe" ]; then
		skip "the $probe backend is not available here (got $got)"
		continue
	fi
	is "$(collapse_off "$TMP/collapse-$probe.json")" "" \
		"anon collapse ($probe): 8 write locks per 16M collapse in every repeat (offenders: writes/collapses)"
	# measured_s - drain_s = t_end - t_measure: the duration and the
	# runner's lateness in noticing it (a loaded machine: up to 0.5 s here)
	is "$(json "$TMP/collapse-$probe.json" "all(r['drain_s'] >= 0 and 1.0 <= r['measured_s'] - r['drain_s'] + 1e-9 < 1.5 for r in d['repeats'])")" True \
		"anon collapse ($probe): measured_s is the duration plus drain_s"
done

# mmap-churn in the child process "service": exactly 2 writes and 1
# downgrade per mmap, counted in the parent's window
$PTBENCH run agent-smaps $QUICK -o "$TMP/agent.json" 2>"$TMP/err"
rc=$?
if [ $rc -eq 4 ]; then
	skip "agent-smaps cannot run here: $(tail -1 "$TMP/err")"
else
	is $rc 0 "agent-smaps runs"
	is "$(json "$TMP/agent.json" "' '.join('%d/%d/%d' % (w, g, m) for r in d['repeats']
	    for w, g, m in [(r['probes']['mmap_lock']['roles']['churn']['wait']['write']['count'],
	                     r['probes']['mmap_lock']['roles']['churn']['downgrades'],
	                     r['workers']['churn']['ops']['mmap']['count'])] if w != 2 * m or g != m or not m)")" "" \
		"churn in a role process: 2 write locks and 1 downgrade per mmap in every repeat (offenders: writes/downgrades/mmaps)"
	is "$(json "$TMP/agent.json" "all(abs(o['ops_per_sec'] * r['measured_s'] - o['count']) < 0.5 for r in d['repeats']
	    for o in [r['workers']['churn']['ops']['mmap'], r['workers']['agent']['ops']['read']])")" True \
		"a role process's rates divide by the parent's window (measured_s), like the parent's own"
fi

# Without a warm-up the window opens before the first iteration: the probes'
# window too (it used to open after the gate, and the first 13-23 mmap +
# munmap pairs of a 300 ms run counted without their locks)
for probe in bpf tracefs; do
	$PTBENCH run tests/perf/churn-only.ini --duration 300ms --warmup 0 --repeat 2 --quiet --lock-probe $probe \
		-o "$TMP/cold-$probe.json" 2>"$TMP/err"
	rc=$?
	got=$(json "$TMP/cold-$probe.json" "d['repeats'][0]['probes']['mmap_lock'].get('backend')" 2>/dev/null)
	if [ $rc -eq 4 ] || [ "$got" != "$probe" ]; then
		skip "the $probe backend is not available here (exit $rc, got ${got:-nothing})"
		continue
	fi
	is "$(json "$TMP/cold-$probe.json" "' '.join('%d/%d/%d' % (w, g, m) for r in d['repeats']
	    for w, g, m in [(r['probes']['mmap_lock']['roles']['churn']['hold']['write']['count'],
	                     r['probes']['mmap_lock']['roles']['churn']['downgrades'],
	                     r['workers']['churn']['ops']['mmap']['count'])] if w != 2 * m or g != m or not m)")" "" \
		"--warmup 0 ($probe): 2 write holds and 1 downgrade per mmap from the first iteration, every repeat (offenders: writes/downgrades/mmaps)"
done
done_testing
