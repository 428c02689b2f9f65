#!/bin/bash
# The mmap_lock probe on this kernel: a churn + smaps-reader run records write
# and read waits; the tracefs instance is gone after a normal run, after
# SIGINT/SIGTERM and after a fatal signal; stale instances of dead runs are
# removed; --no-trace and a non-root user leave the probe unavailable with a
# reason while the run itself succeeds. The tracefs backend is asked for by
# name (--lock-probe tracefs): the default is BPF (lock_bpf.t tests that one).
. "$(dirname "$0")/lib.sh"

RUN="run churn-smaps --duration 1s --warmup 200ms --repeat 1 --quiet"
ml() { json "$1" "d['repeats'][0]['probes']['mmap_lock']$2"; }

# --no-trace works for everyone
$PTBENCH $RUN --no-trace -o "$TMP/off.json"
ok $? "--no-trace: the run succeeds"
is "$(ml "$TMP/off.json" "['available']")" "False" "--no-trace: probe unavailable"
is "$(ml "$TMP/off.json" "['why']")" "turned off with --no-trace" "--no-trace: says why"

# as nobody, from a copy nobody can read, writing where nobody may
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	NB=$(mktemp -d /tmp/ptbench-nobody.XXXXXX)
	cp -r ptbench scenarios "$NB/"
	chmod -R a+rX "$NB"
	chmod a+rwx "$NB"
	(cd "$NB" && setpriv --reuid=nobody --regid=nogroup --clear-groups ./ptbench $RUN -o "$NB/nobody.json")
	ok $? "nobody: the run succeeds"
	is "$(ml "$NB/nobody.json" "['available']")" "False" "nobody: probe unavailable"
	why=$(ml "$NB/nobody.json" "['why']")
	case "$why" in *root*) ok 0 "nobody: says why ($why)" ;; *) ok 1 "nobody: says why (got '$why')" ;; esac
	rm -rf "$NB"
else
	skip "nobody: needs root, setpriv and a nobody user to drop to"
	skip "nobody: (as above)"
	skip "nobody: (as above)"
fi

if [ "$(id -u)" -ne 0 ]; then
	skip "tracing: needs root (tracefs)"
	done_testing
	exit
fi

# A tracefs view for the checks: the system's, or our own mount of the same
# tracefs (the probe unmounts what it mounts, so it may not be there between runs).
TFS=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
if [ -z "$TFS" ]; then
	mkdir -p "$TMP/tracefs"
	if mount -t tracefs nodev "$TMP/tracefs" 2>/dev/null; then
		TFS=$TMP/tracefs
		trap 'umount "$TMP/tracefs" 2>/dev/null; rm -rf "$TMP"' EXIT
	fi
fi
if [ -z "$TFS" ] || [ ! -d "$TFS/events/mmap_lock" ]; then
	$PTBENCH $RUN -o "$TMP/na.json"
	ok $? "no tracefs or no mmap_lock events: the run still succeeds"
	diag "why: $(ml "$TMP/na.json" "['why']")"
	skip "tracing: this kernel has no mmap_lock events or tracefs cannot be mounted"
	done_testing
	exit
fi
top_enable_before=$(cat "$TFS/events/mmap_lock/enable")

# a stale instance of a dead run
deadpid=$(sh -c 'echo $$')
while kill -0 "$deadpid" 2>/dev/null; do deadpid=$((deadpid + 100000)); done
mkdir "$TFS/instances/ptbench-$deadpid"

$PTBENCH run churn-smaps --lock-probe tracefs --duration 1s --warmup 200ms --repeat 1 -o "$TMP/on.json" >"$TMP/on.txt"
ok $? "tracing: the churn + smaps run succeeds"
is "$(ml "$TMP/on.json" "['available']")" "True" "tracing: probe available"
w=$(ml "$TMP/on.json" "['roles']['churn']['wait']['write']['count']")
r=$(ml "$TMP/on.json" "['roles']['reader']['wait']['read']['count']")
ok $([ "$w" -gt 0 ] && echo 0 || echo 1) "tracing: churn write waits recorded ($w)"
ok $([ "$r" -gt 0 ] && echo 0 || echo 1) "tracing: reader read waits recorded ($r)"
dg=$(ml "$TMP/on.json" "['downgrades']")
ok $([ "$dg" -gt 0 ] && echo 0 || echo 1) "tracing: munmap's downgrades seen ($dg)"
ok $([ "$(ml "$TMP/on.json" "['wait']['write']['count']")" -ge "$w" ] && echo 0 || echo 1) \
	"tracing: the totals include the roles"
is "$(ml "$TMP/on.json" "['wait']['read']['ns']['p99'] > 0 and 'p9999' in d['repeats'][0]['probes']['mmap_lock']['hold']['write']['ns']")" \
	"True" "tracing: percentiles under the ops' names"
is "$(ml "$TMP/on.json" "['lost_events'] >= 0 and 'unmatched' in d['repeats'][0]['probes']['mmap_lock'] and 'failed_trylocks' in d['repeats'][0]['probes']['mmap_lock']")" \
	"True" "tracing: lost/unmatched/failed counts present"
grep -q "mmap_lock role" "$TMP/on.txt"
ok $? "tracing: the summary has the mmap_lock table"
inst=$(ml "$TMP/on.json" "['instance']")
ok $([ ! -e "$TFS/instances/$inst" ] && echo 0 || echo 1) "cleanup: instance $inst gone after the run"
ok $([ ! -e "$TFS/instances/ptbench-$deadpid" ] && echo 0 || echo 1) "cleanup: stale ptbench-$deadpid removed at start"
ok $([ "$(ml "$TMP/on.json" "['stale_instances_removed']")" -ge 1 ] && echo 0 || echo 1) \
	"cleanup: the result says a stale instance was removed"

# the sanitized build through the whole probe path
$PTBENCH_ASAN run scenarios/churn-smaps.ini --lock-probe tracefs --duration 500ms --warmup 100ms --repeat 1 --quiet -o "$TMP/asan.json" 2>"$TMP/asan.err"
ok $? "asan: a traced run is clean"
grep -q "ERROR: AddressSanitizer\|runtime error" "$TMP/asan.err" && { ok 1 "asan: no reports"; cat "$TMP/asan.err" | head -20 | sed 's/^/# /'; } || ok 0 "asan: no reports"

# interrupted runs: the instance goes with them
for sig in INT TERM; do
	$PTBENCH run churn-smaps --lock-probe tracefs --duration 30s --warmup 0 --repeat 1 --quiet -o "$TMP/$sig.json" &
	pid=$!
	for _ in $(seq 100); do [ -d "$TFS/instances/ptbench-$pid" ] && break; sleep 0.05; done
	ok $([ -d "$TFS/instances/ptbench-$pid" ] && echo 0 || echo 1) "SIG$sig: instance ptbench-$pid exists while running"
	sleep 0.5
	kill -$sig $pid
	wait $pid
	rc=$?
	is "$rc" "$((128 + $(kill -l $sig)))" "SIG$sig: exit code 128+signal"
	ok $([ ! -e "$TFS/instances/ptbench-$pid" ] && echo 0 || echo 1) "SIG$sig: instance gone"
	is "$(json "$TMP/$sig.json" "d['complete']")" "False" "SIG$sig: result written, incomplete"
done

# a crash: the fatal-signal hook removes it too (no core file in the tree)
ulimit -c 0
$PTBENCH run churn-smaps --lock-probe tracefs --duration 30s --warmup 0 --repeat 1 --quiet -o "$TMP/segv.json" &
pid=$!
for _ in $(seq 100); do [ -d "$TFS/instances/ptbench-$pid" ] && break; sleep 0.05; done
sleep 0.3
kill -SEGV $pid
wait $pid
[ -e "$TFS/instances/ptbench-$pid" ] && diag "instances left: $(ls "$TFS/instances")"
ok $([ ! -e "$TFS/instances/ptbench-$pid" ] && echo 0 || echo 1) "SIGSEGV: instance gone"

is "$(cat "$TFS/events/mmap_lock/enable")" "$top_enable_before" "the top-level instance's events were not touched"
done_testing
