#!/bin/bash
# `ptbench gate --ktap` read by the kernel's own KTAP parser: `kunit.py parse`
# (tools/testing/kunit/kunit_parser.py of Debian's linux-source-6.1, fetched
# and extracted once into build/kunit/ by kunit_tool.sh). For a passing gate,
# a failing one (a regressed, an unchanged and an undecided scenario), a
# scenario named 'foo # SKIP' and a gate over stand-in qemu boots, the parser
# must report the passed, failed and skipped test cases the gate decided, no
# parse error, and exit 1 exactly when a case failed. gate.t checks the KTAP
# text itself.
. "$(dirname "$0")/lib.sh"
GEN=tests/integration/gen_result.py
FAKE="$PWD/tests/integration/fake_qemu.py"
export PTBENCH_SCENARIOS="$PWD/scenarios"
export PTBENCH_PLOTS="$PWD/plots"

if ! KUNIT=$(sh tests/integration/kunit_tool.sh 2>"$TMP/kunit.err"); then
	echo "1..0 # SKIP the kernel's kunit.py is not at hand: $(tail -1 "$TMP/kunit.err")"
	exit 0
fi
diag "kunit.py from $KUNIT"
gen() { python3 $GEN "$1" "$2"; }

# kunit NAME: kunit.py parse on $TMP/NAME.tap; sets krc, the summary line in
# ksum, and "passed failed skipped errors" counted over the JSON's test
# cases in kcounts
kunit() {
	local name=$1
	# KTAP on stdin, as a CI job pipes it; --json=FILE (a separate FILE
	# would be taken for the input file)
	python3 "$KUNIT/kunit.py" parse --json="$TMP/$name.kunit.json" <"$TMP/$name.tap" >"$TMP/$name.kunit" 2>&1
	krc=$?
	ksum=$(grep -o 'Testing complete\. .*' "$TMP/$name.kunit" | sed 's/\x1b\[[0-9;]*m//g')
	kcounts=$(python3 - "$TMP/$name.kunit.json" <<'PY'
import json, sys
n = {"PASS": 0, "FAIL": 0, "SKIP": 0, "ERROR": 0}
def walk(g):
    for c in g["test_cases"]:
        n[c["status"]] += 1
    for s in g["sub_groups"]:
        walk(s)
walk(json.load(open(sys.argv[1])))
print(n["PASS"], n["FAIL"], n["SKIP"], n["ERROR"])
PY
)
	grep -q '\[ERROR\]' "$TMP/$name.kunit" && diag "$(grep '\[ERROR\]' "$TMP/$name.kunit")"
}
gate_ktap() { # gate_ktap NAME ARGS...: results mode, KTAP into $TMP/NAME.tap
	local name=$1
	shift
	"$PTBENCH" gate --ktap --no-plots -o "$TMP/$name" "$@" >"$TMP/$name.tap" 2>"$TMP/$name.stderr"
	grc=$?
}

# --- a passing gate ------------------------------------------------------------
gen "$TMP/base.json" '{"scale": [1.00, 1.01, 0.99, 1.02, 0.98]}'
gen "$TMP/same.json" '{"scale": [0.99, 1.00, 1.02, 0.98, 1.01]}'
gate_ktap pass --base-results "$TMP/base.json" --cand-results "$TMP/same.json"
is "$grc" 0 "passing gate: exit 0"
kunit pass
is "$krc" 0 "passing gate: kunit.py parse exits 0"
is "$ksum" "Testing complete. Ran 2 tests: passed: 2" "passing gate: kunit_parser counts 2 passed"
is "$kcounts" "2 0 0 0" "passing gate: kunit's JSON: 2 PASS"
! grep -q '\[ERROR\]' "$TMP/pass.kunit"; ok $? "passing gate: no parse error"

# --- a failing gate: regressed, unchanged and undecided scenarios -------------
mkdir -p "$TMP/mb" "$TMP/mc"
gen "$TMP/mb/a.json" '{"scale": [1.00, 1.01, 0.99, 1.02, 0.98]}'
gen "$TMP/mc/a.json" '{"scale": [1.19, 1.22, 1.20, 1.18, 1.21]}'
gen "$TMP/mb/b.json" '{"scale": [1.00, 1.01, 0.99, 1.02, 0.98], "scenario": "other"}'
gen "$TMP/mc/b.json" '{"scale": [0.99, 1.00, 1.02, 0.98, 1.01], "scenario": "other"}'
gen "$TMP/mb/c.json" '{"scale": [1.00, 1.01, 0.99, 1.02, 0.98], "scenario": "few"}'
gen "$TMP/mc/c.json" '{"scale": [1.20, 1.21], "scenario": "few"}'
gate_ktap mixed --base-results "$TMP/mb" --cand-results "$TMP/mc"
is "$grc" 1 "failing gate: exit 1"
kunit mixed
is "$krc" 1 "failing gate: kunit.py parse exits 1"
is "$ksum" "Testing complete. Ran 6 tests: passed: 2, failed: 2, skipped: 2" \
	"failing gate: kunit_parser counts 2 passed, 2 failed (regressed), 2 skipped (inconclusive)"
is "$kcounts" "2 2 2 0" "failing gate: kunit's JSON: 2 PASS, 2 FAIL, 2 SKIP"
is "$(json "$TMP/mixed.kunit.json" '[(g["name"], sorted(set(c["status"] for c in g["test_cases"]))) for g in d["sub_groups"]]')" \
	"[('synthetic', ['FAIL']), ('other', ['PASS']), ('few', ['SKIP'])]" \
	"failing gate: each scenario is a group with its metrics' verdicts"
! grep -q '\[ERROR\]' "$TMP/mixed.kunit"; ok $? "failing gate: no parse error"

# --- '#' in a scenario name: a failed case, never read as a SKIP directive ----
gen "$TMP/hashb.json" '{"scale": [1.00, 1.01, 0.99, 1.02, 0.98], "scenario": "foo # SKIP"}'
gen "$TMP/hashc.json" '{"scale": [1.19, 1.22, 1.20, 1.18, 1.21], "scenario": "foo # SKIP"}'
gate_ktap hash --base-results "$TMP/hashb.json" --cand-results "$TMP/hashc.json"
is "$grc" 1 "'foo # SKIP' regressed: exit 1"
kunit hash
is "$ksum" "Testing complete. Ran 2 tests: failed: 2" "'foo # SKIP': kunit_parser counts 2 failed, none skipped"
is "$(json "$TMP/hash.kunit.json" '[g["name"] for g in d["sub_groups"]]')" "['foo \\\\x23 SKIP']" \
	"'foo # SKIP': the group keeps the escaped name"

# --- boots under the stand-in qemu --------------------------------------------
K="$TMP/vmlinuz"
mkdir -p "$TMP/specs"
fake_kernel "$K-a" a
fake_kernel "$K-b" b
: >"$TMP/base.cpio"
echo '{"scale": [1.00, 1.01, 0.99]}' >"$TMP/specs/vmlinuz-a.json"
echo '{"scale": [1.50, 1.51, 1.49], "kernel": "9.9-cand"}' >"$TMP/specs/vmlinuz-b.json"
FAKE_QEMU_SPECS="$TMP/specs" PTBENCH_QEMU="$FAKE" "$PTBENCH" gate --ktap --no-plots -o "$TMP/boots" \
	--initramfs "$TMP/base.cpio" --rounds 1 -j 1 --gate-on all --base "$K-a:a" --cand "$K-b:b" \
	default --duration 300ms >"$TMP/boots.tap" 2>"$TMP/boots.stderr"
is "$?" 1 "fake boots, 50% worse: exit 1"
kunit boots
is "$krc" 1 "fake boots: kunit.py parse exits 1"
is "$ksum" "Testing complete. Ran 2 tests: failed: 2" "fake boots: kunit_parser counts the 2 gated metrics failed"
! grep -q '\[ERROR\]' "$TMP/boots.kunit"; ok $? "fake boots: no parse error"

done_testing
