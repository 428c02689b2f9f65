#!/bin/bash
# Collapse workers: collapses really happen (>= 99% succeed, each checked
# PMD-mapped, /proc/vmstat agrees with the worker's count), the unsupported
# path skips with exit 4, sharer processes die with the run.
. "$(dirname "$0")/lib.sh"

C='d["repeats"][0]["workers"]["collapser"]["collapse"]'
short=(--duration 1s --warmup 0 --repeat 1 --quiet)

# collapse_ok LABEL FILE: the proof block of one run
collapse_ok() {
	local label=$1 f=$2
	is "$(json "$f" "$C['attempts'] > 0 and $C['succeeded'] >= 0.99 * $C['attempts']")" True \
		"$label: >= 99% of collapses succeed ($(json "$f" "str($C['succeeded']) + '/' + str($C['attempts']) + ' ' + str($C['errors'])"))"
	is "$(json "$f" "$C['confirmed_pmd_mapped'] == $C['checked_pmd_mapped'] == $C['succeeded'] and $C['unconfirmed'] == 0")" True \
		"$label: every successful collapse checked and found PMD-mapped (verify_every=1)"
	is "$(json "$f" "$C['started_huge'] == 0 and $C['checked_small_before'] == $C['attempts']")" True \
		"$label: every iteration started from small pages"
	is "$(json "$f" "$C['vmstat_check']['agrees']")" True \
		"$label: vmstat thp_collapse_alloc $(json "$f" "$C['vmstat_check']['vmstat']") agrees with the worker's $(json "$f" "$C['pmds_collapsed']") PMDs (+ $(json "$f" "$C['failed_pmds']") failed)"
	is "$(json "$f" "$C['measured']['attempts'] == d['repeats'][0]['workers']['collapser']['ops']['collapse']['count']")" True \
		"$label: measured attempts match ops.collapse.count"
}

# One-PMD regions for 2s: MADV_COLLAPSE answers EAGAIN now and then (a
# transient extra page reference, the kernel's "not_suitable_page_count";
# about one PMD in a thousand here), so the 99% bar is checked over hundreds
# of small collapses rather than ~100 of 16M, where one or two unlucky PMDs
# would fail it.
for s in shmem-collapse-smaps anon-collapse-faults; do
	"$PTBENCH" run "$s" "${short[@]}" --duration 2s --set collapser.size=2M -o "$TMP/$s.json"
	is "$?" 0 "$s runs"
	collapse_ok "$s" "$TMP/$s.json"
done
is "$(json "$TMP/shmem-collapse-smaps.json" "$C['vmstat_delta']['thp_file_mapped'] >= $C['pmds_collapsed']")" True \
	"shmem: thp_file_mapped counts the PMD mappings MADV_COLLAPSE installed"

# the smaps way of proving it, and the sanitizer build on a shmem run
"$PTBENCH_ASAN" run scenarios/shmem-collapse-faults.ini "${short[@]}" --set collapser.verify=smaps \
	--set collapser.touch=100 --set collapser.size=4M -o "$TMP/asan.json"
is "$?" 0 "shmem-collapse-faults under ASan/UBSan, verify=smaps, touch=100 (sparse)"
is "$(json "$TMP/asan.json" "$C['verify']")" smaps "verify=smaps used"
collapse_ok "asan sparse smaps" "$TMP/asan.json"

# the file shared by other processes: the sharers exist during the run and
# are gone after it, and again after the parent is SIGKILLed (PDEATHSIG).
# --no-trace: a SIGKILLed run cannot remove its tracefs instance or unmount
# tracefs, and tracing is not what this checks; leave the machine as found
for how in normal kill; do
	"$PTBENCH" run shmem-collapse-shared --duration 2s --warmup 0 --repeat 1 --quiet --no-trace \
		-o "$TMP/shared.json" 2>"$TMP/shared.err" &
	pid=$!
	kids=""
	for _ in $(seq 300); do # up to 30 s: a loaded machine plans slowly
		kids=$(ps --ppid "$pid" -o pid= | tr -d ' ' | sort)
		[ "$(echo "$kids" | grep -c .)" -ge 3 ] && break
		sleep 0.1
	done
	is "$(echo "$kids" | grep -c .)" 3 "shared ($how): 3 sharer processes running"
	if [ "$how" = kill ]; then
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null
	else
		wait "$pid"
		is "$?" 0 "shared ($how): run exits 0"
		is "$(json "$TMP/shared.json" "$C['sharers'] == 3 and $C['mappings'] == 2 and $C['succeeded'] > 0 and $C['vmstat_check']['agrees']")" True \
			"shared: 3 sharers, 2 extra VMAs, collapses succeed ($(json "$TMP/shared.json" "str($C['succeeded']) + '/' + str($C['attempts'])")), vmstat agrees"
	fi
	left=""
	for _ in $(seq 20); do
		left=""
		for k in $kids; do kill -0 "$k" 2>/dev/null && left="$left $k"; done
		[ -z "$left" ] && break
		sleep 0.1
	done
	is "$left" "" "shared ($how): no sharer outlives the run"
done

# unsupported kernel (forced): skip, exit 4, the reason on stderr
for s in shmem-collapse-smaps anon-collapse-faults; do
	PTBENCH_TEST_FORCE_COLLAPSE_EINVAL=1 "$PTBENCH" run "$s" "${short[@]}" -o "$TMP/skip.json" \
		2>"$TMP/skip.err"
	is "$?" 4 "$s: MADV_COLLAPSE answering EINVAL skips with exit 4"
	grep -q "skipped: .*MADV_COLLAPSE answered EINVAL" "$TMP/skip.err"
	ok $? "$s: the reason is printed ($(head -c 120 "$TMP/skip.err"))"
	[ ! -e "$TMP/skip.json" ]
	ok $? "$s: a skipped run writes no result"
done

# bad input: a size that is not whole PMDs is a usage error
"$PTBENCH" run shmem-collapse-smaps "${short[@]}" --set collapser.size=3M -o "$TMP/bad.json" 2>"$TMP/bad.err"
is "$?" 2 "size = 3M is rejected with exit 2"
grep -q "multiple of 2M" "$TMP/bad.err"
ok $? "and says why"

# THP enabled = always makes every anon refault map a THP: a "collapse" of
# huge memory measures nothing, so the run fails (exit 5) and says why; the
# scenario pushes madvise for that reason (restored after the run)
if [ "$(id -u)" = 0 ] && [ -w /sys/kernel/mm/transparent_hugepage/enabled ]; then
	before=$(cat /sys/kernel/mm/transparent_hugepage/enabled)
	$PTBENCH run anon-collapse-faults "${short[@]}" --set scenario.thp_enabled=always -o "$TMP/always.json" 2>"$TMP/always.err" >/dev/null
	is "$?" 5 "anon collapse under THP enabled=always: every iteration started huge: exit 5"
	grep -q "every one of its [0-9]* checked iterations started from huge pages" "$TMP/always.err"
	ok $? "anon collapse under THP enabled=always: the message says why and what to set"
	is "$(cat /sys/kernel/mm/transparent_hugepage/enabled)" "$before" "THP enabled is restored after the failed run"
else
	skip "THP enabled=always case: needs root and a writable transparent_hugepage/enabled"
fi

done_testing
