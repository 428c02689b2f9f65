#!/bin/bash
# `run all -o FILE`: an existing file as -o made
# every scenario fail to open its log and result, yet the catalogue printed
# "15 ran" and a "see X.log" line per scenario for logs that do not exist.
# Now: exit 2 before anything runs, the file untouched.
. "$(dirname "$0")/lib.sh"
export PTBENCH_STATE_DIR="$TMP/state"
mkdir -m 700 "$PTBENCH_STATE_DIR"
echo keep >"$TMP/afile"
timeout 120 "$PTBENCH" run all -o "$TMP/afile" --duration 100ms --warmup 0 --repeat 1 >"$TMP/out" 2>&1
is "$?" 2 "run all -o FILE: exit 2"
grep -q "not a directory" "$TMP/out"; ok $? "it says why ($(head -1 "$TMP/out"))"
grep -q " ran, " "$TMP/out"; is "$?" 1 "no catalogue ran"
is "$(cat "$TMP/afile")" keep "the file is untouched"

# a flag value every scenario gets is checked once, before anything is made
P=$(realpath "$PTBENCH")
(cd "$TMP" && timeout 120 "$P" run all --duration abc >"$TMP/out" 2>&1)
is "$?" 2 "run all --duration abc: exit 2"
grep -q "run arguments were refused" "$TMP/out"; ok $? "said once ($(tail -1 "$TMP/out"))"
grep -c "FAILED" "$TMP/out" | grep -qx 0; ok $? "no FAILED line per scenario"
[ ! -e "$TMP/results" ]; ok $? "no results/ directory made"

# --dry-run checks every scenario and makes nothing
timeout 300 "$PTBENCH" run all -o "$TMP/dry" --dry-run --duration 100ms >"$TMP/out" 2>&1
is "$?" 0 "run all --dry-run: exit 0"
[ ! -e "$TMP/dry" ]; ok $? "run all --dry-run: -o DIR not made"
grep -q "would write $TMP/dry/default.json" "$TMP/out"; ok $? "each scenario's line says what it would write"
grep -q " checked, " "$TMP/out"; ok $? "the summary says checked, not ran"
done_testing
