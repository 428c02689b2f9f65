#!/bin/bash
# khugepaged worker (root): khugepaged collapses the region (the worker's
# count agrees with /proc/vmstat), and every THP/khugepaged setting is the
# same after the run as before, also when SIGINT interrupts it.
. "$(dirname "$0")/lib.sh"

THP=/sys/kernel/mm/transparent_hugepage
K='d["repeats"][0]["workers"]["collapser"]["khugepaged"]'

# the settings (not the counters full_scans/pages_collapsed)
settings() {
	for f in "$THP"/enabled "$THP"/defrag "$THP"/shmem_enabled "$THP"/khugepaged/*; do
		case "$f" in */full_scans|*/pages_collapsed) continue ;; esac
		echo "$f=$(cat "$f")"
	done
}

if [ "$(id -u)" != 0 ] || [ ! -w "$THP/khugepaged/scan_sleep_millisecs" ]; then
	skip "needs root to write $THP/khugepaged"
	"$PTBENCH" run khugepaged-smaps --duration 1s --warmup 0 --repeat 1 --quiet -o "$TMP/k.json" 2>/dev/null
	is "$?" 4 "not root: the scenario skips with exit 4"
	done_testing
	exit
fi
if [ "$(sed 's/.*\[\(.*\)\].*/\1/' "$THP/enabled")" = never ]; then
	skip "transparent_hugepage/enabled is never"
	done_testing
	exit
fi

settings >"$TMP/before"
# 3 s: khugepaged is a kernel thread; on a loaded 2-CPU machine 1 s can pass
# without it being scheduled at all
"$PTBENCH" run khugepaged-smaps --duration 3s --warmup 0 --repeat 2 --quiet -o "$TMP/k.json"
is "$?" 0 "khugepaged-smaps runs (2 repeats)"
settings >"$TMP/after"
diff -u "$TMP/before" "$TMP/after" | sed 's/^/# /'
cmp -s "$TMP/before" "$TMP/after"
ok $? "settings after a complete run equal those before"
is "$(json "$TMP/k.json" "$K['pmds_collapsed'] > 0 and $K['started_huge'] == 0")" True \
	"khugepaged collapsed $(json "$TMP/k.json" "$K['pmds_collapsed']") PMDs, each iteration from small pages"
is "$(json "$TMP/k.json" "$K['vmstat_check']['agrees']")" True \
	"khugepaged pages_collapsed $(json "$TMP/k.json" "$K['vmstat_check']['pages_collapsed']") equals the worker's $(json "$TMP/k.json" "$K['vmstat_check']['worker_pmds']") PMDs, vmstat thp_collapse_alloc $(json "$TMP/k.json" "$K['vmstat_check']['vmstat']") not below"
is "$(json "$TMP/k.json" "$K['settings']['scan_sleep_millisecs']")" 10 "the pushed settings are in the result"
is "$(json "$TMP/k.json" "d['repeats'][0]['workers']['collapser']['ops']['collapse']['count'] == $K['pmds_collapsed'] + $K['timeouts']")" True \
	"op collapse has one sample per PMD"

# interrupted: a value unlike any default, seen in sysfs, then SIGINT, SIGTERM
# (orderly stop) or SIGSEGV (the fatal-signal handler)
for sig in INT TERM SEGV; do
	"$PTBENCH" run khugepaged-smaps --duration 60s --warmup 0 --repeat 3 --quiet \
		--set collapser.scan_sleep=17ms --set collapser.pages_to_scan=1234 \
		--set collapser.max_ptes_none=300 -o "$TMP/int.json" 2>"$TMP/int.err" &
	pid=$!
	seen=no
	for _ in $(seq 100); do
		if [ "$(cat "$THP/khugepaged/scan_sleep_millisecs")" = 17 ] &&
		   [ "$(cat "$THP/khugepaged/max_ptes_none")" = 300 ]; then seen=yes; break; fi
		sleep 0.05
	done
	is "$seen" yes "SIG$sig: the run pushed scan_sleep_millisecs=17, max_ptes_none=300"
	sleep 0.5
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	is "$rc" "$((128 + $(kill -l "$sig")))" "SIG$sig: exits 128+signal"
	settings >"$TMP/after"
	diff -u "$TMP/before" "$TMP/after" | sed 's/^/# /'
	cmp -s "$TMP/before" "$TMP/after"
	ok $? "SIG$sig: every THP/khugepaged setting is back to its value before the run"
	# a fatal signal restores from its handler and dies: no result then
	[ "$sig" = SEGV ] && continue
	is "$(json "$TMP/int.json" "d['complete']")" False "SIG$sig: the result is written, marked incomplete"
done

done_testing
