#!/bin/bash
# What ptbench changes on the machine, and how it puts it back:
# a run killed with SIGKILL leaves its khugepaged push and its
# tracefs mount recorded in the state file; the next run or `ptbench
# restore` undoes them and says so; overlapping runs wait for each other
# instead of saving each other's values. Issue 23 row 1: a state directory
# others may write, records naming other files or mounts, links, FIFOs and
# devices in it are refused with exit 2. The tracefs cases run in a private
# mount namespace so nothing else on the machine sees the unmount.
# Review rv1 A1/A2/D1: a mount is recorded before mount() (SIGKILL right
# after it still leaves a record), a fatal signal's handler clears the
# records it undid (a later restore must not undo an admin's change or
# unmount an admin's tracefs that got the same mount id), a dead run's
# complete state.tmp is acted on, a relative PTBENCH_STATE_DIR is refused.
. "$(dirname "$0")/lib.sh"

export PTBENCH_STATE_DIR="$TMP/state"
K=/sys/kernel/mm/transparent_hugepage/khugepaged
THP=/sys/kernel/mm/transparent_hugepage

$PTBENCH restore --bogus >/dev/null 2>&1; is $? 2 "restore: a bad flag exits 2"
$PTBENCH help | grep -q "^  restore "; ok $? "help lists restore"

# ---- the state directory and file as an attacker's input ---
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
# rv1 D1: a relative state directory would differ with the working directory
P=$(realpath "$PTBENCH")
mkdir -p "$TMP/relcwd"
(cd "$TMP/relcwd" && PTBENCH_STATE_DIR=rel/st "$P" restore >/dev/null 2>"$TMP/err"); is $? 2 "restore with a relative PTBENCH_STATE_DIR: exit 2"
grep -q "refusing the state directory rel/st: not an absolute path" "$TMP/err"; ok $? "it says why ($(head -c 150 "$TMP/err"))"
(cd "$TMP/relcwd" && PTBENCH_STATE_DIR=rel/st "$P" run default --duration 0.2s --warmup 0 --repeat 1 --no-trace \
	--quiet -o "$TMP/rel.json" >/dev/null 2>&1); is $? 2 "a run with a relative PTBENCH_STATE_DIR: exit 2"
[ ! -e "$TMP/relcwd/rel" ] && [ ! -e "$TMP/rel.json" ]; ok $? "nothing created under the cwd, nothing measured"
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

# ---- rv1 A2: a fatal signal puts the push back and clears its record -------
$PTBENCH run khugepaged-smaps "${KHP[@]}" -o "$TMP/k.json" 2>/dev/null & pid=$!
for _ in $(seq 600); do grep -q scan_sleep "$PTBENCH_STATE_DIR/state" 2>/dev/null && break; sleep 0.1; done
sleep 0.3
pushed=$(awk -F'\t' '$2 ~ /scan_sleep_millisecs$/ {print $4}' "$PTBENCH_STATE_DIR/state")
kill -QUIT $pid; wait $pid 2>/dev/null; is $? 131 "QUIT during a run: exit 128+3"
is "$(cat $K/scan_sleep_millisecs)" "$orig_sleep" "the QUIT handler put scan_sleep_millisecs back"
[ ! -e "$PTBENCH_STATE_DIR/state" ] && [ ! -e "$PTBENCH_STATE_DIR/state.tmp" ]
ok $? "and removed the state file: nothing is left to undo"
if [ -n "$pushed" ] && [ "$pushed" != "$orig_sleep" ]; then
	echo "$pushed" >$K/scan_sleep_millisecs # an admin sets what the run had pushed
	$PTBENCH restore >/dev/null 2>&1
	is "$(cat $K/scan_sleep_millisecs)" "$pushed" "a later restore leaves an admin's value that equals the old push"
	echo "$orig_sleep" >$K/scan_sleep_millisecs
else
	skip "no pushed scan_sleep_millisecs read from the state file"
fi

# ---- rv1 A1: a dead run's complete state.tmp is acted on, a cut one is not --
if [ "$orig_sleep" != 12345 ]; then
	echo 12345 >$K/scan_sleep_millisecs
	printf 'ptbench-state 1\npid 999999\nsysfs\t%s\t%s\t12345\n' $K/scan_sleep_millisecs "$orig_sleep" \
		>"$PTBENCH_STATE_DIR/state.tmp"
	$PTBENCH restore >"$TMP/out" 2>"$TMP/err"; is $? 0 "restore with only an orphan state.tmp: exit 0"
	grep -q "state.tmp, left by a run that died while writing it, records 1 change" "$TMP/err"; ok $? "it says it reads state.tmp"
	is "$(cat $K/scan_sleep_millisecs)" "$orig_sleep" "the value state.tmp records goes back"
	[ ! -e "$PTBENCH_STATE_DIR/state.tmp" ]; ok $? "and state.tmp is gone"
	echo "$orig_sleep" >$K/scan_sleep_millisecs
fi
printf 'ptbench-state 1\npid 99' >"$PTBENCH_STATE_DIR/state.tmp"
$PTBENCH restore >/dev/null 2>"$TMP/err"; is $? 0 "a cut state.tmp (its change never made): exit 0"
grep -q "ignoring $PTBENCH_STATE_DIR/state.tmp" "$TMP/err" && [ ! -e "$PTBENCH_STATE_DIR/state.tmp" ]
ok $? "it says it ignores it, and removes it"

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

# ---- rv1 A1/A2: the tracefs mount's record, before mount() and after a crash
# In a private mount namespace, with tracefs mounted by this test only to
# see whether the kernel has the mmap_lock events.
if command -v unshare >/dev/null; then
	unshare -m --propagation private bash -c '
		P=$1; T=$2; S=$PTBENCH_STATE_DIR/state
		A=(run default --duration 3s --warmup 0 --repeat 1 --quiet --lock-probe tracefs -o "$T/tf.json")
		for m in /sys/kernel/debug/tracing /sys/kernel/tracing; do
			while grep -q " $m tracefs " /proc/self/mounts; do umount "$m" || exit 77; done
		done
		mount -t tracefs nodev /sys/kernel/tracing || exit 77
		grep -q mmap_lock /sys/kernel/tracing/available_events || exit 78
		umount /sys/kernel/tracing || exit 77
		mounted() { grep -q " /sys/kernel/tracing tracefs " /proc/self/mounts; }
		# SIGKILL right after mount(), before its mount id is recorded
		PTBENCH_TEST_SLOW_MOUNT_MS=3000 "$P" "${A[@]}" 2>/dev/null & pid=$!
		for _ in $(seq 200); do mounted && break; sleep 0.05; done
		kill -KILL $pid; wait $pid 2>/dev/null
		mounted && echo A-left-mounted
		grep -q "^mount	tracefs	/sys/kernel/tracing	0	$pid$" "$S" && echo A-intent-recorded
		"$P" restore 2>&1 | grep -q "unmounted the tracefs at /sys/kernel/tracing that ptbench pid $pid mounted" &&
			echo A-restore-said
		mounted || echo A-unmounted
		# SIGQUIT in the same window: the handler unmounts and clears the record
		PTBENCH_TEST_SLOW_MOUNT_MS=3000 "$P" "${A[@]}" 2>/dev/null & pid=$!
		for _ in $(seq 200); do mounted && break; sleep 0.05; done
		kill -QUIT $pid; wait $pid 2>/dev/null; echo B-rc=$?
		mounted || echo B-unmounted
		[ -e "$S" ] || echo B-state-clean
		# SIGQUIT mid-run; then an admin mounts tracefs (its mount id may be
		# the one the run had): a later restore leaves it
		"$P" "${A[@]}" 2>/dev/null & pid=$!
		for _ in $(seq 200); do grep -q "^mount	tracefs	/sys/kernel/tracing	[1-9]" "$S" 2>/dev/null && break; sleep 0.05; done
		sleep 0.5; kill -QUIT $pid; wait $pid 2>/dev/null; echo C-rc=$?
		mounted || echo C-unmounted
		[ -e "$S" ] || echo C-state-clean
		mount -t tracefs nodev /sys/kernel/tracing
		"$P" restore >/dev/null 2>&1
		mounted && echo C-admin-mount-kept
		# a dead run'"'"'s record with the admin mount'"'"'s id (a reused id): left alone
		id=$(awk "\$5 == \"/sys/kernel/tracing\" {print \$1}" /proc/self/mountinfo | tail -1)
		printf "ptbench-state 1\npid 999999\nmount\ttracefs\t/sys/kernel/tracing\t%s\n" "$id" >"$S"
		"$P" restore >/dev/null 2>&1; echo D-rc=$?
		mounted && echo D-admin-mount-kept
		umount /sys/kernel/tracing
	' _ "$PTBENCH" "$TMP" >"$TMP/ns2" 2>&1
	rc=$?
	if [ $rc = 77 ] || [ $rc = 78 ]; then skip "tracefs: cannot unmount or mount it in a private namespace, or no mmap_lock events"; else
		grep -q A-left-mounted "$TMP/ns2"; ok $? "SIGKILL right after mount(): the mount is there"
		grep -q A-intent-recorded "$TMP/ns2"; ok $? "and recorded before mount() (mount id 0, the run's pid)"
		grep -q A-restore-said "$TMP/ns2"; ok $? "restore unmounts it, and says so"
		grep -q A-unmounted "$TMP/ns2"; ok $? "it is unmounted"
		grep -q "B-rc=131" "$TMP/ns2"; ok $? "SIGQUIT right after mount(): exit 131"
		grep -q B-unmounted "$TMP/ns2"; ok $? "the QUIT handler unmounted it"
		grep -q B-state-clean "$TMP/ns2"; ok $? "and cleared its record"
		grep -q "C-rc=131" "$TMP/ns2" && grep -q C-unmounted "$TMP/ns2"; ok $? "SIGQUIT mid-run: exit 131, unmounted"
		grep -q C-state-clean "$TMP/ns2"; ok $? "and no state file left"
		grep -q C-admin-mount-kept "$TMP/ns2"; ok $? "a tracefs an admin mounts afterwards survives restore"
		grep -q "D-rc=0" "$TMP/ns2" && grep -q D-admin-mount-kept "$TMP/ns2"
		ok $? "a dead run's record naming the admin mount's id (not ours by its source) is left alone"
		diag "$(cat "$TMP/ns2")"
	fi
else
	skip "no unshare"
fi

done_testing
