#!/bin/bash
# A role process that is stopped in its repeat's window spoils the repeat:
# `run agent-smaps` with the service process (pt:service)
# stopped for 3 s inside the measured window ended with exit 0 and
# "complete": true while the service's ops spanned the stop. Now: exit 5,
# the repeat incomplete, its error naming the process. A run left alone still
# completes (no false alarm on this machine).
. "$(dirname "$0")/lib.sh"
export PTBENCH_STATE_DIR="$TMP/state"
mkdir -m 700 "$PTBENCH_STATE_DIR"

"$PTBENCH" run agent-smaps --duration 1s --repeat 1 --no-trace -o "$TMP/calm.json" >"$TMP/calm.out" 2>&1
rc=$?
if [ "$rc" = 4 ]; then
	skip "agent-smaps cannot run here: $(tail -1 "$TMP/calm.out")"
	done_testing
	exit
fi
is "$rc" 0 "agent-smaps left alone: exit 0"
is "$(json "$TMP/calm.json" 'd["repeats"][0]["complete"]')" True "and its repeat is complete"

"$PTBENCH" run agent-smaps --duration 4s --warmup 300ms --repeat 1 --no-trace -o "$TMP/stop.json" \
	>"$TMP/stop.out" 2>&1 &
pid=$!
child=
for _ in $(seq 300); do
	child=$(pgrep -P "$pid" -x pt:service | head -1)
	[ -n "$child" ] && break
	sleep 0.05
done
[ -n "$child" ]; ok $? "the service process started (pid ${child:-none})"
# its threads are created once its roles are set up; then the 300 ms
# warm-up, then 1 s into the window
for _ in $(seq 400); do
	[ "$(ls "/proc/$child/task" 2>/dev/null | wc -l)" -ge 2 ] && break
	sleep 0.05
done
sleep 1.3
kill -STOP "$child"
sleep 3
kill -CONT "$child"
wait "$pid"
is "$?" 5 "service stopped 3 s inside the window: exit 5"
is "$(json "$TMP/stop.json" 'd["repeats"][0]["complete"]')" False "the repeat is incomplete"
json "$TMP/stop.json" 'd["repeats"][0]["error"]' | grep -q "process service was stopped"
ok $? "its error names the process ($(json "$TMP/stop.json" 'd["repeats"][0].get("error")' 2>&1 | head -c 200))"
done_testing
