#!/bin/bash
# The gate cannot be fooled by its inputs or its output directory:
# row 4, duplicate result files (a copy, one file given twice, one file on
# both sides) are refused, not counted as independent boots; row 5, a side
# whose results name several kernels or CPUs is refused unless
# --allow-mixed, and the reports say what each side ran on; row 3, a second
# gate on a -o DIR another gate holds is refused (exit 6), charts someone
# else left in DIR are not listed as the gate's, and -o FILE is refused
# before anything is judged.
. "$(dirname "$0")/lib.sh"
GEN=tests/integration/gen_result.py
export PTBENCH_PLOTS="$PWD/plots"
gen() { python3 $GEN "$TMP/$1.json" "$2"; }
# edit FILE PYTHON_STATEMENT (d is the document)
edit() {
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $2; json.dump(d, open(sys.argv[1], 'w'))" "$1"
}
g() { # g OUT ARGS...: rc, $TMP/OUT.err
	local out=$1
	shift
	timeout 300 "$PTBENCH" gate --no-plots -o "$TMP/$out" "$@" >"$TMP/$out.out" 2>"$TMP/$out.err"
	rc=$?
}

for i in 1 2 3 4; do
	# an odd number of repeats: a run's median is one of its values
	gen "b$i" "{\"scale\": [1.0$i, 1.00, 0.99]}"
	gen "c$i" "{\"scale\": [1.00, 1.0$i, 0.98]}"
done

# --- row 4: duplicates --------------------------------------------------------
g dup-twice --base-results "$TMP/b1.json" --base-results "$TMP/b1.json" --cand-results "$TMP/c1.json" \
	--cand-results "$TMP/c2.json"
is "$rc" 2 "one base file given twice: exit 2"
grep -q "$TMP/b1.json (base) and $TMP/b1.json (base) are the same file (SHA-256)" "$TMP/dup-twice.err"
ok $? "the message names both ($(head -1 "$TMP/dup-twice.err"))"
mkdir -p "$TMP/copies"
for x in a b c d; do cp "$TMP/b1.json" "$TMP/copies/$x.json"; done
g dup-copies --base-results "$TMP/copies" --cand-results "$TMP/c1.json" --cand-results "$TMP/c2.json"
is "$rc" 2 "one result copied as a..d.json in a directory: exit 2"
g dup-sides --base-results "$TMP/b1.json" --base-results "$TMP/b2.json" --cand-results "$TMP/b2.json" \
	--cand-results "$TMP/c1.json"
is "$rc" 2 "the same file on both sides: exit 2"
grep -q "nor be both kernels" "$TMP/dup-sides.err"; ok $? "it says the file cannot be both kernels"
mkdir -p "$TMP/bdir"
cp "$TMP/b1.json" "$TMP/b2.json" "$TMP/bdir/"
g dup-dir --base-results "$TMP/bdir" --cand-results "$TMP/bdir"
is "$rc" 2 "the same directory as both sides: exit 2"
g distinct --base-results "$TMP/b1.json" --base-results "$TMP/b2.json" --base-results "$TMP/b3.json" \
	--cand-results "$TMP/c1.json" --cand-results "$TMP/c2.json" --cand-results "$TMP/c3.json"
is "$rc" 0 "distinct runs a side are still gated (exit 0)"

# --- row 5: mixed kernels and machines -----------------------------------------
cp "$TMP/b2.json" "$TMP/b2k.json"
edit "$TMP/b2k.json" 'd["system"]["kernel"]["release"] = "6.1.0-other"'
g mixed-k --base-results "$TMP/b1.json" --base-results "$TMP/b2k.json" --base-results "$TMP/b3.json" \
	--cand-results "$TMP/c1.json" --cand-results "$TMP/c2.json" --cand-results "$TMP/c3.json"
is "$rc" 2 "a base side of two kernels: exit 2"
grep -q "the base results mix kernels: '6.18.0-synthetic', '6.1.0-other'" "$TMP/mixed-k.err"
ok $? "the message names both kernels ($(head -1 "$TMP/mixed-k.err"))"
g mixed-ok --allow-mixed --base-results "$TMP/b1.json" --base-results "$TMP/b2k.json" --base-results "$TMP/b3.json" \
	--cand-results "$TMP/c1.json" --cand-results "$TMP/c2.json" --cand-results "$TMP/c3.json"
is "$rc" 0 "--allow-mixed pools them (exit 0)"
is "$(json "$TMP/mixed-ok/report.json" 'd["base"]["kernels"]')" "['6.18.0-synthetic', '6.1.0-other']" \
	"report.json: base.kernels lists both"
grep -q "^Base ran on: kernels 6.18.0-synthetic, 6.1.0-other;" "$TMP/mixed-ok/report.md"
ok $? "report.md says what the base ran on"
cpu() { edit "$1" "d['system']['cpu'] = {'available': True, 'vendor': '$2', 'brand': '$3'}"; }
for f in b1 b2 b3 c1 c2 c3; do cp "$TMP/$f.json" "$TMP/$f-m.json"; cpu "$TMP/$f-m.json" GenuineIntel "Xeon X"; done
cpu "$TMP/b3-m.json" AuthenticAMD "EPYC Y"
g mixed-m --base-results "$TMP/b1-m.json" --base-results "$TMP/b2-m.json" --base-results "$TMP/b3-m.json" \
	--cand-results "$TMP/c1-m.json" --cand-results "$TMP/c2-m.json" --cand-results "$TMP/c3-m.json"
is "$rc" 2 "a base side of two CPU vendors: exit 2"
grep -q "the base results mix machines: 'GenuineIntel Xeon X', 'AuthenticAMD EPYC Y'" "$TMP/mixed-m.err"
ok $? "the message names both machines ($(head -1 "$TMP/mixed-m.err"))"
cpu "$TMP/b3-m.json" GenuineIntel "Xeon X"
for f in c1 c2 c3; do cpu "$TMP/$f-m.json" AuthenticAMD "EPYC Y"; done
g sides-m --base-results "$TMP/b1-m.json" --base-results "$TMP/b2-m.json" --base-results "$TMP/b3-m.json" \
	--cand-results "$TMP/c1-m.json" --cand-results "$TMP/c2-m.json" --cand-results "$TMP/c3-m.json"
is "$rc" 0 "one machine a side, different between sides: gated (exit 0)"
is "$(json "$TMP/sides-m/report.json" '(d["base"]["machines"], d["candidate"]["machines"])')" \
	"(['GenuineIntel Xeon X'], ['AuthenticAMD EPYC Y'])" "report.json: what each side ran on"
grep -q "base and candidate ran on different machines" "$TMP/sides-m/report.md"
ok $? "report.md notes the different machines"

# --- row 3: the output directory ------------------------------------------------
ARGS=(--base-results "$TMP/b1.json" --base-results "$TMP/b2.json" --base-results "$TMP/b3.json"
	--cand-results "$TMP/c1.json" --cand-results "$TMP/c2.json" --cand-results "$TMP/c3.json")
mkdir -p "$TMP/held"
# -o: only flock itself holds the lock, so killing it frees DIR
flock -o "$TMP/held/.gate.lock" sleep 60 &
holder=$!
sleep 0.5
g held "${ARGS[@]}"
is "$rc" 6 "-o DIR held by another gate: exit 6"
grep -q "is in use by another gate" "$TMP/held.err"; ok $? "it says so ($(head -1 "$TMP/held.err"))"
[ ! -e "$TMP/held/report.json" ]; ok $? "nothing written into the held DIR"
timeout 60 "$PTBENCH" gate --bisect -o "$TMP/held" "${ARGS[@]}" >/dev/null 2>&1
is "$?" 128 "--bisect: a held DIR stops the bisection (128)"
kill "$holder"
wait "$holder" 2>/dev/null
g held "${ARGS[@]}"
is "$rc" 0 "once the other gate is gone: exit 0"
# two gates at once on one DIR: one runs, the other is refused (or waits its turn)
timeout 300 "$PTBENCH" gate --no-plots -o "$TMP/two" "${ARGS[@]}" >/dev/null 2>&1 &
p1=$!
timeout 300 "$PTBENCH" gate --no-plots -o "$TMP/two" "${ARGS[@]}" >/dev/null 2>&1 &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
case "$r1 $r2" in "0 6" | "6 0" | "0 0") ok 0 "two gates on one DIR at once: exits $r1 $r2 (never both judging together)" ;;
*) ok 1 "two gates on one DIR at once: exits $r1 $r2" ;; esac
# charts someone else left in DIR/plots/SCENARIO are not the gate's
mkdir -p "$TMP/foreign/plots/synthetic"
echo "not the gate's" >"$TMP/foreign/plots/synthetic/foreign.png"
touch -d '1 hour ago' "$TMP/foreign/plots/synthetic/foreign.png"
timeout 300 "$PTBENCH" gate -o "$TMP/foreign" "${ARGS[@]}" >/dev/null 2>&1
is "$(json "$TMP/foreign/report.json" '[p for s in d["scenarios"] for p in s["plots"] if "foreign" in p]')" "[]" \
	"a foreign chart in DIR/plots/SCENARIO is not listed in report.json"
grep -q foreign.png "$TMP/foreign/report.md"; is "$?" 1 "nor in report.md"
is "$(cat "$TMP/foreign/plots/synthetic/foreign.png")" "not the gate's" "and it is left alone"
# -o FILE: refused before anything is judged
echo x >"$TMP/afile"
g ofile-x "${ARGS[@]}" -o "$TMP/afile"
is "$rc" 2 "-o FILE: exit 2 (bad input), before judging"
[ ! -e "$TMP/ofile-x/compare" ]; ok $? "-o FILE: nothing judged"

# --- a results directory: a *.json that is no JSON is refused (review B1) -----
# a cut-off copy must not drop out of the pool; JSON that is no result
# (vm.json) is still passed over
mkdir -p "$TMP/cutdir"
cp "$TMP/b1.json" "$TMP/b2.json" "$TMP/b3.json" "$TMP/cutdir/"
echo '{"boot_and_run_s": 1}' >"$TMP/cutdir/vm.json"
g cutdir-ok --base-results "$TMP/cutdir" --cand-results "$TMP/c1.json" --cand-results "$TMP/c2.json" \
	--cand-results "$TMP/c3.json"
is "$rc" 0 "a directory of results and vm.json: judged (exit 0)"
printf '{"schema":"ptbench-result/1","complete":tr' >"$TMP/cutdir/trunc.json"
g cutdir --base-results "$TMP/cutdir" --cand-results "$TMP/c1.json" --cand-results "$TMP/c2.json" \
	--cand-results "$TMP/c3.json"
is "$rc" 2 "a truncated trunc.json in --base-results DIR: exit 2 (was skipped, PASS)"
grep -q "^$TMP/cutdir/trunc.json: invalid JSON at byte 42, the end: the text ends inside a value (truncated?)" \
	"$TMP/cutdir.err"
ok $? "it names the file and the offset ($(head -1 "$TMP/cutdir.err"))"
head -c 100 "$TMP/b3.json" >"$TMP/cutdir/trunc.json"
echo 'not json' >"$TMP/cutdir/notes.json"
g cutdir2 --base-results "$TMP/cutdir" --cand-results "$TMP/c1.json" --cand-results "$TMP/c2.json" \
	--cand-results "$TMP/c3.json"
is "$rc" 2 "a *.json that is no JSON at all in DIR: exit 2"

# --- an interrupted run pools: its complete repeats, no interrupted_by --------
cp "$TMP/b3.json" "$TMP/b3i.json"
edit "$TMP/b3i.json" 'd.update(complete=False, interrupted_by="INT"); d["repeats"][2]["complete"] = False'
g intr --base-results "$TMP/b1.json" --base-results "$TMP/b2.json" --base-results "$TMP/b3i.json" \
	--cand-results "$TMP/c1.json" --cand-results "$TMP/c2.json" --cand-results "$TMP/c3.json"
is "$rc" 0 "an interrupted run (complete false, interrupted_by) pools its complete repeats: exit 0"
[ -e "$TMP/intr/pooled/base/synthetic.json" ] &&
	json "$TMP/intr/pooled/base/synthetic.json" 'd["complete"] is True and "interrupted_by" not in d' | grep -q True
ok $? "the pooled file is complete, without the run's interrupted_by"

# --- a boot whose count sums past 2^53 over its repeats (fuzz_gate_inputs) -----
# each repeat's count is within what the reader takes; their sum is not, and
# the pooled result would be refused: bad input, exit 2, the file named
cp "$TMP/b3.json" "$TMP/big.json"
edit "$TMP/big.json" '[r["workers"]["faulter"]["ops"]["fault"].update(count=2**52 + 1) for r in d["repeats"]]'
g big --unit boot --base-results "$TMP/b1.json" --base-results "$TMP/big.json" --base-results "$TMP/b2.json" \
	--cand-results "$TMP/c1.json" --cand-results "$TMP/c2.json" --cand-results "$TMP/c3.json"
is "$rc" 2 "a boot whose fault count sums past 2^53: exit 2 (bad input)"
grep -q "big.json: a count summed over the run's repeats exceeds 2^53" "$TMP/big.err" "$TMP/big.out" \
	"$TMP/big/report.md" 2>/dev/null
ok $? "the reason names the file ($(grep -h 2^53 "$TMP/big.err" "$TMP/big.out" 2>/dev/null | head -1))"
done_testing
