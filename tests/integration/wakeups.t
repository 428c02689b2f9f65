#!/bin/bash
# What wakes during a run besides the workers, counted, never
# timed: the ptmem sampler wakes once per timeline_interval (it woke every
# 10 ms: ~100 voluntary context switches a second), the runner's main thread
# sleeps through the window's edges until a worker gets there (it looked
# every 100 ms), and a role process and its parent wait for each other on
# eventfds and a pidfd (they looked every 1 ms). tests/perf/wakeups.py reads
# each thread's context switches from /proc while the run lasts. The bounds
# are several times what a run here shows and a fraction of what the polls
# made; the edge cases (a stop signal, a role process that dies, one whose
# setup fails) must end the run with the right exit code, never hang.
. "$(dirname "$0")/lib.sh"
export PTBENCH_STATE_DIR="$TMP/state"
mkdir -m 700 "$PTBENCH_STATE_DIR"
W=tests/perf/wakeups.py
# voluntary context switches of the threads of one kind, summed
vol() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sum(t['voluntary'] for t in d['threads'] if t['kind'] == sys.argv[2]))" "$1" "$2"; }

cat >"$TMP/fault.ini" <<'INI'
[scenario]
description = one fault worker
[worker w]
type = fault
size = 16M
backing = anon
INI
python3 "$W" "$PTBENCH" run "$TMP/fault.ini" --duration 3s --warmup 300ms --repeat 1 --no-trace \
	-o "$TMP/fault.json" >"$TMP/fault.w"
is "$(json "$TMP/fault.w" 'd["rc"]')" 0 "a 3 s fault run: exit 0"
is "$(json "$TMP/fault.json" 'd["repeats"][0]["probes"]["ptmem"]["interval_ms"]')" 100 \
	"ptmem samples every timeline_interval (100 ms by default)"
# start, two edges, the end, one per 100 ms of warm-up, window and drain, and
# of the setup and clean-up around them
n=$(json "$TMP/fault.json" 'd["repeats"][0]["probes"]["ptmem"]["samples"]')
max=$(json "$TMP/fault.json" 'int((0.3 + d["repeats"][0]["measured_s"]) / 0.1) + 20')
[ "$n" -le "$max" ]; ok $? "ptmem took $n samples (at most $max; every 10 ms it was ~330)"
# per second of its life: warm-up and window (drain included)
s=$(vol "$TMP/fault.w" sampler)
r=$(json "$TMP/fault.json" 'round(0.3 + d["repeats"][0]["measured_s"], 2)')
python3 -c "import sys; sys.exit(not $s / $r < 40)"
ok $? "the sampler switched $s times in ${r}s (< 40 a second; at 10 ms, ~90)"

"$PTBENCH" run "$TMP/fault.ini" --duration 300ms --warmup 0 --repeat 1 --no-trace --quiet \
	--set scenario.timeline_interval=250ms -o "$TMP/tl.json" >/dev/null 2>&1
is "$(json "$TMP/tl.json" 'd["repeats"][0]["probes"]["ptmem"]["interval_ms"]')" 250 \
	"timeline_interval = 250ms: ptmem samples every 250 ms"
"$PTBENCH" run "$TMP/fault.ini" --duration 300ms --warmup 0 --repeat 1 --no-trace --quiet \
	--set scenario.timeline_interval=2ms -o "$TMP/tl2.json" >/dev/null 2>&1
is "$(json "$TMP/tl2.json" 'd["repeats"][0]["probes"]["ptmem"]["interval_ms"]')" 10 \
	"timeline_interval = 2ms: ptmem samples no faster than every 10 ms"

# A role whose iterations take 1 s in ptbench, one in a role process: the
# edges wait up to a second for the slow one (the parent for its own worker,
# the child for the parent's `open` and `closed`).
cat >"$TMP/nap.ini" <<'INI'
[scenario]
description = slow iterations in ptbench, a role process waiting at the edges
[worker slow]
type = sleep
nap = 1s
[worker c]
type = fault
size = 16M
backing = anon
process = p
INI
python3 "$W" "$PTBENCH" run "$TMP/nap.ini" --duration 2s --warmup 300ms --repeat 1 --no-trace \
	-o "$TMP/nap.json" >"$TMP/nap.w"
is "$(json "$TMP/nap.w" 'd["rc"]')" 0 "slow role + role process: exit 0"
is "$(json "$TMP/nap.json" 'd["repeats"][0]["complete"]')" True "and the repeat is complete"
m=$(vol "$TMP/nap.w" main)
[ "$m" -lt 40 ]; ok $? "the main thread switched $m times (< 40; ~18 here, ~80 when it looked every 100 ms at the edges and 1 ms for the child)"
c=$(vol "$TMP/nap.w" child-main)
[ "$c" -lt 40 ]; ok $? "the role process's main thread switched $c times (< 40; ~10 here, ~500 when it looked every 1 ms)"

# A stop signal while the parent waits at an edge for the slow role.
"$PTBENCH" run "$TMP/nap.ini" --duration 3s --warmup 200ms --repeat 1 --no-trace --quiet \
	-o "$TMP/int.json" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 200); do pgrep -P "$pid" -x pt:p >/dev/null && break; sleep 0.05; done
sleep 0.6
kill -INT "$pid"
timeout 60 tail --pid="$pid" -f /dev/null
wait "$pid"
is "$?" 130 "SIGINT during the run with a role process: exit 130"
is "$(json "$TMP/int.json" 'd["complete"]')" False "and the result says incomplete"

# A role process killed in the window: the parent's waits see its pidfd.
"$PTBENCH" run "$TMP/nap.ini" --duration 3s --warmup 200ms --repeat 1 --no-trace --quiet \
	-o "$TMP/kill.json" >/dev/null 2>"$TMP/kill.err" &
pid=$!
child=
for _ in $(seq 200); do child=$(pgrep -P "$pid" -x pt:p | head -1); [ -n "$child" ] && break; sleep 0.05; done
for _ in $(seq 200); do [ "$(ls "/proc/$child/task" 2>/dev/null | wc -l)" -ge 2 ] && break; sleep 0.05; done
sleep 1.5
kill -KILL "$child"
timeout 60 tail --pid="$pid" -f /dev/null
wait "$pid"
is "$?" 5 "a role process killed mid-run: exit 5"
grep -q "process p ended without a result (signal 9)" "$TMP/kill.err"
ok $? "the error names the process and its signal ($(grep -m1 'process p' "$TMP/kill.err"))"

# A role process whose setup fails: the parent wakes when it exits.
cat >"$TMP/bad.ini" <<'INI'
[scenario]
description = a role process whose setup fails
[worker c]
type = fault
size = 16M
backing = file
dir = /nonexistent-ptbench-dir
process = p
INI
timeout 120 "$PTBENCH" run "$TMP/bad.ini" --duration 1s --warmup 0 --repeat 1 --no-trace --quiet \
	-o "$TMP/bad.json" >/dev/null 2>"$TMP/bad.err"
rc=$?
[ "$rc" != 124 ]; ok $? "a role process whose setup fails does not hang the run (exit $rc)"
grep -q "process p: .*cannot create the file backing" "$TMP/bad.err"; ok $? "its error is reported"
done_testing
