#!/bin/bash
# What ptbench changes on the machine, and how it puts it back (issue 13,
# rows 2-4): a run killed with SIGKILL leaves its khugepaged push and its
# tracefs mount recorded in the state file; the next run or `ptbench
# restore` undoes them and says so; overlapping runs wait for each other
# instead of saving each other's values. Issue 23 row 1: a state directory
# others may write, records naming other files or mounts, links, FIFOs and
# devices in it are refused with exit 2. The tracefs cases run in a private
# mount namespace so nothing else on the machine sees the unmount.
. "$(dirname "$0")/lib.sh"

export PTBENCH_STATE_DIR="$TMP/state"
K=/sys/kernel/mm/transparent_hugepage/khugepaged
THP=/sys/kernel/mm/transparent_hugepage

$PTBENCH restore --bogus >/dev/null 2>&1; is $? 2 "restore: a bad flag exits 2"
$PTBENCH help | grep -q "^  restore "; ok $? "help lists restore"

# ---- issue 23 row 1: the state directory and file as an attacker's input ---
# Every case in its own directory under $TMP; every victim a file in $TMP.
# `timeout` turns a hang (a FIFO read) into exit 124 instead of a stuck test.
VICTIM="$TMP/victim"
sd() { # sd NAME MODE: a fresh state directory
	rm -rf "$TMP/$1"; mkdir -m "$2" "$TMP/$1"; echo "$TMP/$1"
}
echo hello >"$VICTIM"
d=$(sd ws 777)
printf 'ptbench-state 1\npid 999999\nsysfs\t%s\tPWNED\thello\n' "$VICTIM" >"$d/state"
PTBENCH_STATE_DIR=$d timeout 20 $PTBENCH restore >"$TMP/out" 2>"$TMP/err"
is $? 2 "restore with a world-writable state directory: exit 2"
grep -q "refusing the state directory $d: it is writable by other users" "$TMP/err"; ok $? "it says why ($(head -c 150 "$TMP/err"))"
is "$(cat "$VICTIM")" hello "the file a record names is not written (the issue's reproduction)"
PTBENCH_STATE_DIR=$d timeout 60 $PTBENCH run default --duration 0.2s --warmup 0 --repeat 1 --no-trace --quiet \
	-o "$TMP/ws.json" >/dev/null 2>"$TMP/err"
is $? 2 "a run with that state directory: exit 2"
[ ! -e "$TMP/ws.json" ] && [ "$(cat "$VICTIM")" = hello ]; ok $? "nothing measured, nothing written"
d=$(sd ws2 700)
printf 'ptbench-state 1\npid 999999\nsysfs\t%s\tPWNED\thello\n' "$VICTIM" >"$d/state"
PTBENCH_STATE_DIR=$d timeout 20 $PTBENCH restore >"$TMP/out" 2>"$TMP/err"
is $? 2 "a private state directory whose record names a file outside the THP directory: exit 2"
grep -q "is not one of the THP or khugepaged files" "$TMP/err"; ok $? "it names the record ($(head -c 150 "$TMP/err"))"
is "$(cat "$VICTIM")" hello "the file is not written"
[ -f "$d/state" ]; ok $? "the refused state file is kept, not deleted"
for rec in "sysfs	enabled	PWNED	hello" \
	"sysfs	/sys/kernel/mm/transparent_hugepage/khugepaged/../../../../$VICTIM	PWNED	hello" \
	"mount	tracefs	$TMP	1"; do
	d=$(sd ws3 700)
	printf 'ptbench-state 1\npid 999999\n%s\n' "$rec" >"$d/state"
	PTBENCH_STATE_DIR=$d timeout 20 $PTBENCH restore >/dev/null 2>"$TMP/err"
	is $? 2 "record '$(printf %s "$rec" | tr '\t' ' ')': exit 2"
done
is "$(cat "$VICTIM")" hello "none of them wrote the victim"
d=$(sd ws3e 700)
printf 'ptbench-state 1\npid 999999\nsysfs\t/tmp/\033[31mred\a\tPWNED\thello\n' >"$d/state"
PTBENCH_STATE_DIR=$d timeout 20 $PTBENCH restore >/dev/null 2>"$TMP/err"
is $? 2 "a record holding an ANSI escape and BEL: exit 2"
! grep -q "$(printf '[\033\a]')" "$TMP/err"; ok $? "and its control bytes do not reach the terminal"
d=$(sd ws4 700); ln -s "$VICTIM" "$d/lock"
PTBENCH_STATE_DIR=$d timeout 20 $PTBENCH restore >/dev/null 2>"$TMP/err"
is $? 2 "a symbolic link as lock: exit 2"
is "$(cat "$VICTIM")" hello "its target is not truncated to a pid"
d=$(sd ws5 700); mkfifo "$d/state"
PTBENCH_STATE_DIR=$d timeout 20 $PTBENCH restore >/dev/null 2>"$TMP/err"
is $? 2 "a FIFO as state: exit 2, no hang (124 is a hang)"
grep -q "refusing $d/state: a FIFO" "$TMP/err"; ok $? "it says it is a FIFO"
d=$(sd ws6 700); ln -s /dev/zero "$d/state"
PTBENCH_STATE_DIR=$d timeout 20 $PTBENCH restore >/dev/null 2>"$TMP/err"
is $? 2 "/dev/zero linked as state: exit 2, no endless read"
d=$(sd ws7 700); printf 'ptbench-state 1\npid 99' >"$d/state"
PTBENCH_STATE_DIR=$d timeout 20 $PTBENCH restore >"$TMP/out" 2>"$TMP/err"
is $? 2 "a truncated state file: exit 2"
! grep -q "records nothing to restore" "$TMP/out" && [ -f "$d/state" ]
ok $? "not called 'nothing to restore', and kept"
if [ "$(id -u)" != 0 ]; then
	PTBENCH_STATE_DIR= $PTBENCH restore >/dev/null 2>&1; is $? 4 "restore without root: exit 4"
	skip "the rest needs root (sysfs, tracefs)"
	done_testing; exit
fi
if [ ! -w $K/scan_sleep_millisecs ]; then skip "no khugepaged sysfs"; done_testing; exit; fi

orig_sleep=$(cat $K/scan_sleep_millisecs)
KHP=(--duration 8s --warmup 0 --repeat 1 --no-trace --quiet)

# ---- row 2: SIGKILL leaves the push; the next run restores it --------------
$PTBENCH run khugepaged-smaps "${KHP[@]}" -o "$TMP/k.json" 2>/dev/null & pid=$!
for _ in $(seq 600); do grep -q scan_sleep "$PTBENCH_STATE_DIR/state" 2>/dev/null && break; sleep 0.1; done
sleep 0.3
kill -KILL $pid; wait $pid 2>/dev/null
grep -q "^sysfs	$K/scan_sleep_millisecs	$orig_sleep	" "$PTBENCH_STATE_DIR/state"
ok $? "the state file records scan_sleep_millisecs with its true original ($orig_sleep)"
grep -q "^pid $pid$" "$PTBENCH_STATE_DIR/state"; ok $? "and the pid of the run"
left=$(cat $K/scan_sleep_millisecs)
[ "$left" != "$orig_sleep" ]; ok $? "SIGKILL left scan_sleep_millisecs pushed ($left)"
$PTBENCH run default --duration 0.2s --warmup 0 --repeat 1 --no-trace --quiet -o "$TMP/d.json" 2>"$TMP/err"
is $? 0 "the next run succeeds"
grep -q "ptbench pid $pid ended without putting the machine back; restoring first" "$TMP/err"; ok $? "it says a dead run's settings are restored"
grep -q "restored $K/scan_sleep_millisecs to '$orig_sleep'" "$TMP/err"; ok $? "it names the value and the original"
is "$(cat $K/scan_sleep_millisecs)" "$orig_sleep" "scan_sleep_millisecs is back to $orig_sleep"
[ ! -e "$PTBENCH_STATE_DIR/state" ]; ok $? "nothing left in the state file"

# ---- row 2: `ptbench restore` does the same on demand ------------------------
$PTBENCH run khugepaged-smaps "${KHP[@]}" -o "$TMP/k.json" 2>/dev/null & pid=$!
for _ in $(seq 600); do grep -q scan_sleep "$PTBENCH_STATE_DIR/state" 2>/dev/null && break; sleep 0.1; done
$PTBENCH restore >"$TMP/out" 2>"$TMP/err"; is $? 4 "restore while the run lives: exit 4"
grep -q "ptbench pid $pid is running" "$TMP/err"; ok $? "restore names the live run"
kill -KILL $pid; wait $pid 2>/dev/null
$PTBENCH restore >"$TMP/out" 2>"$TMP/err"; is $? 0 "restore after SIGKILL: exit 0"
grep -q "restored $K/scan_sleep_millisecs to '$orig_sleep'" "$TMP/err"; ok $? "restore says what it put back"
is "$(cat $K/scan_sleep_millisecs)" "$orig_sleep" "scan_sleep_millisecs is back"
$PTBENCH restore >"$TMP/out" 2>&1; is $? 0 "restore with nothing to do: exit 0"
grep -q "records nothing to restore" "$TMP/out"; ok $? "and says so"

# ---- row 3: overlapping runs wait instead of saving each other's values -----
orig_enabled=$(sed 's/.*\[\(.*\)\].*/\1/' $THP/enabled)
$PTBENCH run khugepaged-smaps --duration 1.5s --warmup 0 --repeat 1 --no-trace --quiet -o "$TMP/a.json" 2>"$TMP/errA" & a=$!
for _ in $(seq 600); do grep -q scan_sleep "$PTBENCH_STATE_DIR/state" 2>/dev/null && break; sleep 0.1; done
$PTBENCH run khugepaged-smaps --duration 0.5s --warmup 0 --repeat 1 --no-trace --quiet -o "$TMP/b.json" \
	--set collapser.scan_sleep=20ms 2>"$TMP/errB"; rb=$?
wait $a; ra=$?
# (exit 5 is a run where khugepaged collapsed nothing in time, on a busy machine)
case "$ra $rb" in [05]" "[05]) ok 0 "both overlapping runs end normally (exit $ra, $rb)";;
	*) ok 1 "both overlapping runs end normally (exit $ra, $rb)"; diag "$(cat "$TMP/errA" "$TMP/errB")";; esac
grep -q "waiting for ptbench pid $a to finish" "$TMP/errB"; ok $? "the second run says it waits for the first"
is "$(json "$TMP/b.json" 'd["system"]["thp"]["before"]["khugepaged"]["scan_sleep_millisecs"]')" "$orig_sleep" \
	"the second run saw the true original, not the first run's push"
is "$(cat $K/scan_sleep_millisecs)" "$orig_sleep" "scan_sleep_millisecs is back after both"
is "$(sed 's/.*\[\(.*\)\].*/\1/' $THP/enabled)" "$orig_enabled" "THP enabled is back after both"

# ---- row 4: a tracefs mount ptbench made (private mount namespace) ---------
if command -v unshare >/dev/null && grep -q "mmap_lock" /sys/kernel/tracing/available_events 2>/dev/null; then
	unshare -m --propagation private bash -c '
		for m in /sys/kernel/debug/tracing /sys/kernel/tracing; do
			while grep -q " $m tracefs " /proc/self/mounts; do umount "$m" || exit 77; done
		done
		"$1" run default --duration 3s --warmup 0 --repeat 1 --quiet --lock-probe tracefs -o "$2/t.json" 2>/dev/null & pid=$!
		for _ in $(seq 100); do grep -q "^mount" "$PTBENCH_STATE_DIR/state" 2>/dev/null && break; sleep 0.1; done
		sleep 0.5; kill -KILL $pid; wait $pid 2>/dev/null
		grep -q " /sys/kernel/tracing tracefs " /proc/self/mounts && echo left-mounted
		grep -q "^mount	tracefs	/sys/kernel/tracing	" "$PTBENCH_STATE_DIR/state" && echo recorded
		"$1" restore 2>&1
		grep -q " /sys/kernel/tracing tracefs " /proc/self/mounts || echo unmounted
		"$1" run default --duration 0.3s --warmup 0 --repeat 1 --quiet --lock-probe tracefs -o "$2/t2.json" 2>/dev/null & p2=$!
		sleep 0.2
		"$1" run default --duration 0.3s --warmup 0 --repeat 1 --quiet --lock-probe tracefs -o "$2/t3.json" 2>/dev/null
		wait $p2
		grep -q " /sys/kernel/tracing tracefs " /proc/self/mounts || echo overlap-unmounted
		[ -e "$PTBENCH_STATE_DIR/state" ] || echo state-clean
	' _ "$PTBENCH" "$TMP" >"$TMP/ns" 2>&1
	rc=$?
	if [ $rc = 77 ]; then skip "cannot unmount tracefs in a private namespace"; else
		grep -q left-mounted "$TMP/ns"; ok $? "SIGKILL left the tracefs ptbench mounted"
		grep -q recorded "$TMP/ns"; ok $? "the state file records the mount"
		grep -q "unmounted the tracefs at /sys/kernel/tracing that ptbench pid" "$TMP/ns"; ok $? "restore says it unmounted it"
		grep -q "^unmounted" "$TMP/ns"; ok $? "restore unmounted it"
		grep -q overlap-unmounted "$TMP/ns"; ok $? "two overlapping runs leave tracefs unmounted"
		grep -q state-clean "$TMP/ns"; ok $? "and the state file empty"
		diag "$(cat "$TMP/ns")"
	fi
else
	skip "no unshare or no mmap_lock trace events"
fi

done_testing
