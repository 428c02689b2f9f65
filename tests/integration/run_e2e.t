#!/bin/bash
# End to end: the default scenario writes a schema-valid result with non-zero
# counts for every op; SIGINT mid-run still leaves a valid result marked
# incomplete; the sanitized build runs the same scenario cleanly.
. "$(dirname "$0")/lib.sh"

F=$TMP/default.json
$PTBENCH run default --duration 1s --warmup 200ms --repeat 2 -o "$F" >"$TMP/out" 2>"$TMP/err"
is $? 0 "run default --duration 1s --repeat 2 exits 0"
[ -s "$F" ]; ok $? "result file written"
! ls "$F".tmp.* >/dev/null 2>&1; ok $? "no temporary file left behind"
python3 - "$F" >"$TMP/check" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
problems = []
def need(cond, what):
    if not cond: problems.append(what)
need(d["schema"] == "ptbench-result/1", "schema")
need(d["complete"] is True, "complete true")
need(d["tool"]["version"] and d["tool"]["argv"][1] == "run", "tool.version/argv")
k = d["system"]["kernel"]
need(k["release"] and "version" in k and "cmdline" in k, "system.kernel")
need("enabled" in d["system"]["thp"] and "before" in d["system"]["thp"], "system.thp")
for key in ("cpu", "topology", "numa"): need(key in d["system"], "system." + key)
need(d["system"].get("aslr") == "off", "aslr off")
need(d["scenario"]["name"] == "default" and d["scenario"]["duration"] == 10**9, "scenario as parsed with --duration")
need(len(d["repeats"]) == 2, "two repeats")
for i, rep in enumerate(d["repeats"]):
    need(rep["complete"] is True, f"repeat {i} complete")
    ops_seen = 0
    for role, w in rep["workers"].items():
        for key in ("type", "threads", "cpus", "ops"): need(key in w, f"{role}.{key}")
        for op, o in w["ops"].items():
            ops_seen += 1
            need(o["count"] > 0, f"repeat {i} {role}.{op} count > 0")
            need(o["ops_per_sec"] > 0, f"{role}.{op} ops_per_sec")
            ns = o["ns"]
            need(all(k in ns for k in ("p50", "p90", "p99", "p999", "p9999", "max")), f"{role}.{op} ns keys")
            need(ns["p50"] <= ns["p99"] <= ns["p999"] <= ns["max"], f"{role}.{op} percentiles ordered")
            need(isinstance(o["errors"], dict), f"{role}.{op} errors")
            need(sum(c for _, c in o["buckets"]) == o["count"], f"{role}.{op} buckets sum to count")
    need(ops_seen == 5, f"repeat {i}: 5 ops (churn mmap/munmap, reader read, faulter fault/zap), saw {ops_seen}")
    need(rep["workers"]["pad"]["vmas_added"] >= 4000, "vma-pad added 4000 VMAs")
    need(rep["workers"]["reader"]["bytes_per_read"] > 4000 * 200, "smaps reads cover the padding VMAs")
    need("vmstat" in rep["probes"], "vmstat probe present")
print("\n".join(problems) if problems else "all good")
sys.exit(1 if problems else 0)
PY
ok $? "result has the schema's names and non-zero counts for every op"
sed 's/^/# /' "$TMP/check"
grep -q "faulter .*fault" "$TMP/out"; ok $? "summary lists faulter fault"
grep -q "result: $F" "$TMP/out"; ok $? "summary names the result file"

# SIGINT in the middle: valid file, complete false, exit 128+2
F2=$TMP/interrupted.json
$PTBENCH run default --duration 10s --warmup 0 --repeat 3 -o "$F2" >"$TMP/out2" 2>&1 &
pid=$!
sleep 2.5
kill -INT $pid
wait $pid
is $? 130 "SIGINT: exit 130 (128 + SIGINT)"
json "$F2" 'd["complete"] is False and d["repeats"][0]["complete"] is False and d["interrupted_by"] == "INT"' >"$TMP/v" 2>&1
is "$(cat "$TMP/v")" True "SIGINT: the result is valid JSON marked complete=false"
json "$F2" 'd["repeats"][0]["workers"]["faulter"]["ops"]["fault"]["count"] > 0' >"$TMP/v" 2>&1
is "$(cat "$TMP/v")" True "SIGINT: what was measured is kept"

# SIGTERM is handled the same way
F3=$TMP/terminated.json
$PTBENCH run churn-smaps --duration 10s --warmup 0 --repeat 1 -o "$F3" >/dev/null 2>&1 &
pid=$!
sleep 1.5
kill -TERM $pid
wait $pid
is $? 143 "SIGTERM: exit 143"
json "$F3" 'd["complete"]' >"$TMP/v" 2>&1
is "$(cat "$TMP/v")" False "SIGTERM: result marked incomplete"

# the same program under ASan/UBSan
if [ -x "$PTBENCH_ASAN" ]; then
	PTBENCH_SCENARIOS=$PWD/scenarios ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$PTBENCH_ASAN" run default --duration 500ms --warmup 100ms --repeat 1 -o "$TMP/asan.json" --quiet 2>"$TMP/asan.err"
	rc=$?
	is $rc 0 "ASan/UBSan build runs default cleanly"
	[ $rc -eq 0 ] || sed 's/^/# /' "$TMP/asan.err" | head -40
else
	skip "no $PTBENCH_ASAN (make build/ptbench-asan)"
fi
done_testing
