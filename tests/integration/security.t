#!/bin/bash
# Input from others: names that become paths and the
# gate's results directory. Everything happens under $TMP; a
# name that escaped would land in $TMP too (the cwd and -o are nested
# deep enough), where the test looks for it. `timeout` turns a hang into
# exit 124 instead of a stuck test.
. "$(dirname "$0")/lib.sh"

GEN=tests/integration/gen_result.py
export PTBENCH_SCENARIOS="$PWD/scenarios"
export PTBENCH_PLOTS="$PWD/plots"
export PTBENCH_STATE_DIR="$TMP/state"
BIN="$PWD/$PTBENCH"
[ "${PTBENCH#/}" != "$PTBENCH" ] && BIN=$PTBENCH
SHORT=(--duration 0.2s --warmup 0 --repeat 1 --no-trace --quiet)
gen() { python3 $GEN "$1" "$2"; }
# escaped NAME: lists files named NAME* anywhere under $TMP
escaped() { find "$TMP" -name "$1*" 2>/dev/null; }
# first FILE: its start on one line, for a test's description
first() { head -c 160 "$1" | tr '\n\t' '  '; }

# ---- row 2: run refuses a scenario name that is not one path component ---
mkdir -p "$TMP/a/b/c"
(cd "$TMP/a/b/c" && timeout 60 "$BIN" run default "${SHORT[@]}" --set 'scenario.name=../../escaped') \
	>"$TMP/out" 2>"$TMP/err"
is $? 2 "run --set scenario.name=../../escaped: exit 2"
grep -q "scenario.name '../../escaped' (from the command line): holds a '/'" "$TMP/err"
ok $? "the message names the value and where it came from ($(first "$TMP/err"))"
is "$(escaped escaped)" "" "nothing written outside results/ (nor anywhere)"
[ ! -e "$TMP/a/b/c/results" ]; ok $? "not even results/ was created"
timeout 60 $PTBENCH run default "${SHORT[@]}" --set 'scenario.name=../../escaped' -o "$TMP/named.json" \
	>/dev/null 2>&1
is $? 2 "refused with -o too: the name would become a path in the gate"
[ ! -e "$TMP/named.json" ]; ok $? "and nothing measured"
for name in .hidden 'a..b' "$(printf 'two\nlines')" "$(printf 'bell\a')" \
	"$(head -c 101 /dev/zero | tr '\0' x)"; do
	$PTBENCH run default --dry-run --set "scenario.name=$name" >/dev/null 2>"$TMP/err"
	is $? 2 "run --set scenario.name=$(printf %q "$name" | head -c 40): exit 2"
done
$PTBENCH run default --dry-run --set 'scenario.name=my-scenario.v2' -o "$TMP/ok.json" >/dev/null 2>&1
is $? 0 "an ordinary name with a dot is still accepted"
# from a scenario file: file and line named
sed 's/^name *=.*//; s/^\[scenario\]$/[scenario]\nname = ..\/..\/fromfile/' scenarios/default.ini >"$TMP/evil.ini"
grep -q '^name = ../../fromfile$' "$TMP/evil.ini"; ok $? "(the test scenario names itself ../../fromfile)"
(cd "$TMP/a/b/c" && timeout 60 "$BIN" run "$TMP/evil.ini" "${SHORT[@]}") >/dev/null 2>"$TMP/err"
is $? 2 "a scenario file whose name is ../../fromfile: exit 2"
grep -q "^$TMP/evil.ini:[0-9]*: \[scenario\] name '../../fromfile' (from the scenario file)" "$TMP/err"
ok $? "the message names the file and line ($(first "$TMP/err"))"
is "$(escaped fromfile)" "" "nothing written"

# ---- row 2: the gate refuses a result whose scenario.name is a path -------
gen "$TMP/base.json" '{"scale": [1.00, 1.01, 0.99, 1.02, 0.98]}'
gen "$TMP/same.json" '{"scale": [0.99, 1.00, 1.02, 0.98, 1.01]}'
gen "$TMP/evil-base.json" '{"scale": [1.00, 1.01, 0.99, 1.02, 0.98], "scenario": "../../victimdir/PWNED"}'
gen "$TMP/evil-cand.json" '{"scale": [1.19, 1.22, 1.20, 1.18, 1.21], "scenario": "../../victimdir/PWNED"}'
mkdir -p "$TMP/victimdir" "$TMP/g/h"
echo keep >"$TMP/victimdir/PWNED.log"
timeout 120 $PTBENCH gate -o "$TMP/g/h/out" --base-results "$TMP/evil-base.json" \
	--cand-results "$TMP/evil-cand.json" >"$TMP/out" 2>"$TMP/err"
is $? 2 "gate: a result named ../../victimdir/PWNED: exit 2"
grep -q "ptbench gate: scenario.name '../../victimdir/PWNED' (from $TMP/evil-base.json): holds a '/'" "$TMP/err"
ok $? "the message names the value and the file ($(first "$TMP/err"))"
is "$(escaped PWNED | grep -v "^$TMP/victimdir/PWNED.log$")" "" "no PWNED.json, PWNED.md or PWNED/ written"
is "$(cat "$TMP/victimdir/PWNED.log" 2>/dev/null)" keep "an existing PWNED.log is not unlinked"
mkdir -p "$TMP/evildir"
cp "$TMP/evil-cand.json" "$TMP/evildir/r.json"
timeout 120 $PTBENCH gate -o "$TMP/g/h/out2" --base-results "$TMP/base.json" \
	--cand-results "$TMP/evildir" >/dev/null 2>"$TMP/err"
is $? 2 "the same result inside a results directory: exit 2"
gen "$TMP/nl.json" "$(python3 -c 'import json; print(json.dumps({"scale": [1, 1, 1, 1, 1], "scenario": "x\nok 2 y"}))')"
timeout 120 $PTBENCH gate -o "$TMP/g/h/out3" --base-results "$TMP/nl.json" --cand-results "$TMP/nl.json" \
	>/dev/null 2>"$TMP/err"
is $? 2 "a scenario.name with a newline: exit 2"
grep -q "'x\\\\x0aok 2 y'" "$TMP/err"; ok $? "and the message shows it escaped ($(first "$TMP/err"))"

# vm and gate labels go through the same check
fake_kernel "$TMP/vmlinuz-fake"
PTBENCH_QEMU=/bin/false $PTBENCH vm -k "$TMP/vmlinuz-fake:.hidden" -o "$TMP/vmout" run default >/dev/null 2>"$TMP/err"
is $? 2 "vm --kernel IMAGE:.hidden: exit 2"
grep -q "bad label: starts with '.'" "$TMP/err"; ok $? "it says why ($(first "$TMP/err"))"

# ---- row 7: the results directory is read with a result file's checks ----
mkdir -p "$TMP/rd"
cp "$TMP/base.json" "$TMP/rd/base.json"
mkfifo "$TMP/rd/fifo.json"
timeout 20 $PTBENCH gate -o "$TMP/g/h/out4" --base-results "$TMP/rd" --cand-results "$TMP/same.json" \
	>/dev/null 2>"$TMP/err"
is $? 2 "a FIFO fifo.json in --base-results DIR: exit 2 (124 would be a hang)"
grep -q "$TMP/rd/fifo.json: not a regular file (a FIFO)" "$TMP/err"; ok $? "it names the file and says FIFO ($(first "$TMP/err"))"
$PTBENCH gate -o "$TMP/g/h/out5" --base-results "$TMP/rd/fifo.json" --cand-results "$TMP/same.json" \
	>/dev/null 2>&1 </dev/null &
pid=$!; sleep 0.5
kill -0 $pid 2>/dev/null && { kill $pid; wait $pid; rc=124; } || { wait $pid; rc=$?; }
is $rc 2 "the same FIFO as an argument: exit 2 (the check both share)"
rm "$TMP/rd/fifo.json"
ln -s /dev/zero "$TMP/rd/zero.json"
# a memory limit makes a read that runs away fail fast instead of eating the machine
(ulimit -v 1000000; timeout 20 $PTBENCH gate -o "$TMP/g/h/out6" --base-results "$TMP/rd" \
	--cand-results "$TMP/same.json") >/dev/null 2>"$TMP/err"
is $? 2 "zero.json -> /dev/zero in DIR: exit 2, not read until out of memory"
grep -q "$TMP/rd/zero.json: not a regular file (a character device)" "$TMP/err"; ok $? "it names the file ($(first "$TMP/err"))"
rm "$TMP/rd/zero.json"
truncate -s 1025M "$TMP/rd/big.json"
timeout 60 $PTBENCH gate -o "$TMP/g/h/out7" --base-results "$TMP/rd" --cand-results "$TMP/same.json" \
	>/dev/null 2>"$TMP/err"
is $? 2 "a (sparse) 1025 MiB big.json in DIR: exit 2 without reading it"
grep -q "big.json: 1074790400 bytes, more than" "$TMP/err"; ok $? "it says how big ($(first "$TMP/err"))"
rm "$TMP/rd/big.json"
echo '{"not": "a result"}' >"$TMP/rd/vm.json"
timeout 120 $PTBENCH gate -o "$TMP/g/h/out8" --base-results "$TMP/rd" --cand-results "$TMP/same.json" \
	>/dev/null 2>"$TMP/err"
is $? 0 "a directory of a result and other JSON still gates (exit 0)"

done_testing
