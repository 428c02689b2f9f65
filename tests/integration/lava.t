#!/bin/bash
# ci/lava/ptbench-lava.sh and ci/lava/lava_cases.py on every path, against a
# stand-in lava-test-case that checks each call the way LAVA parses it
# (NAME --result pass|fail|skip|unknown [--measurement X --units U]) and
# prints LAVA's signal on stdout as the real one does, and a stand-in
# ptbench whose `run` copies a synthetic result (gen_result.py) and whose
# `gate` is the real one. Every failure path must report at least one case
# that is not pass, and exit non-zero; no call may be malformed.
. "$(dirname "$0")/lib.sh"
GEN=tests/integration/gen_result.py
export FAKE_DIR="$TMP/fake" REAL_PTBENCH="$PWD/$PTBENCH"
mkdir -p "$FAKE_DIR/bin"
cat >"$FAKE_DIR/bin/lava-test-case" <<'SH'
#!/bin/sh
log=$FAKE_DIR/cases.log
name=${1:-}
shift
ok=1
printf '%s\n' "$name" | grep -Eq '^[A-Za-z0-9._-]+$' || ok=0
[ "${1:-}" = --result ] || ok=0
r=${2:-}
case $r in pass | fail | skip | unknown) ;; *) ok=0 ;; esac
[ $# -ge 2 ] && shift 2
if [ $# -gt 0 ]; then
	{ [ $# -eq 4 ] && [ "$1" = --measurement ] && [ "$3" = --units ]; } || ok=0
fi
if [ $ok = 0 ]; then
	echo "MALFORMED $name $r $*" >>"$log"
	exit 1
fi
echo "$name $r" >>"$log"
echo "<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=$name RESULT=$r>"
SH
cat >"$FAKE_DIR/bin/ptbench" <<'SH'
#!/bin/sh
cmd=$1
shift
case $cmd in
run)
	scen=$1
	out=
	while [ $# -gt 0 ]; do
		[ "$1" = -o ] && out=$2
		shift
	done
	mode=$(cat "$FAKE_DIR/run.mode" 2>/dev/null)
	[ "$mode" = fail ] && exit 5
	[ "$mode" = skip ] && exit 4
	cp "$FAKE_DIR/cand-$scen.json" "$out"
	;;
gate) exec "$REAL_PTBENCH" gate "$@" ;;
*) exit 2 ;;
esac
SH
chmod +x "$FAKE_DIR/bin/lava-test-case" "$FAKE_DIR/bin/ptbench"

S='"types": {"faulter": "fault", "reader": "smaps-read"}, "locks": {"faulter": {"write": 0}, "reader": {"read": 80000000}}'
mkdir -p "$TMP/base" "$TMP/nested/inner"
# the headline names a lock count: gated, whatever the candidate could measure
H='"headline": "faulter.fault.p99, reader.read.p99, mmap_lock.roles.faulter.acquisitions.write.per_fault"'
python3 $GEN "$TMP/base/synthetic.json" "{\"scale\": [1.00, 1.01, 0.99, 1.02, 0.98], $S, $H}"
cp "$TMP/base/synthetic.json" "$TMP/nested/inner/"
python3 $GEN "$FAKE_DIR/same.json" "{\"scale\": [0.99, 1.00, 1.02, 0.98, 1.01], $S, $H}"
python3 $GEN "$FAKE_DIR/worse.json" "{\"scale\": [1.49, 1.52, 1.50, 1.48, 1.51], $S, $H}"
python3 $GEN "$FAKE_DIR/notrace.json" "{\"scale\": [0.99, 1.00, 1.02, 0.98, 1.01], \"types\": {\"faulter\": \"fault\", \"reader\": \"smaps-read\"}, \"probe_unavailable\": \"--no-trace\", $H}"

# lava CAND MODE ARGS...: run the script with candidate result CAND, the
# run stand-in in MODE (ok, fail, skip); rc, the cases in $TMP/cases
lava() {
	cp "$FAKE_DIR/$1.json" "$FAKE_DIR/cand-synthetic.json"
	echo "$2" >"$FAKE_DIR/run.mode"
	shift 2
	: >"$FAKE_DIR/cases.log"
	rm -rf "$TMP/out"
	PATH="$FAKE_DIR/bin:$PATH" PTBENCH_BIN="$FAKE_DIR/bin/ptbench" PTBENCH_STATE_DIR="$TMP/state" \
		sh ci/lava/ptbench-lava.sh -s synthetic -o "$TMP/out" "$@" >"$TMP/lava.out" 2>"$TMP/lava.err"
	rc=$?
	cases=$(tr '\n' ';' <"$FAKE_DIR/cases.log")
}
no_malformed() { ! grep -q MALFORMED "$FAKE_DIR/cases.log"; ok $? "$1: every lava-test-case call well-formed"; }

lava same ok -b http://127.0.0.1:9/base.tar.gz
is "$cases" "ptbench-gate skip;" "base download fails: one case, ptbench-gate skip (not LAVA's signal read back)"
is "$rc" 5 "base download fails: exit 5"
no_malformed "base download fails"

lava same ok -b "$TMP/nested"
is "$cases" "ptbench-gate fail;" "gate exit 2 (results in a subfolder), no report.json: ptbench-gate fail"
is "$rc" 2 "gate exit 2: the script exits 2"
grep -q "ptbench gate exited 2" "$TMP/lava.err"; ok $? "gate exit 2: the log says so"
no_malformed "gate exit 2"

rm -f "$TMP/none.json"
python3 ci/lava/lava_cases.py --gate-exit 5 "$TMP/none.json" >"$TMP/lc.out" 2>"$TMP/lc.err"
is "$?,$(cat "$TMP/lc.out")" "1,ptbench-gate fail - -" "lava_cases.py: a missing report.json is a failed case and exit 1, no traceback"
! grep -q Traceback "$TMP/lc.err"; ok $? "lava_cases.py: no traceback on a missing report.json"

# a report.json from an earlier run in the same output directory is not read
# for a gate that wrote none
lava same ok -b "$TMP/base"
[ -s "$TMP/out/gate/report.json" ]; ok $? "a passing gate leaves DIR/gate/report.json"
: >"$FAKE_DIR/cases.log"
PATH="$FAKE_DIR/bin:$PATH" PTBENCH_BIN="$FAKE_DIR/bin/ptbench" PTBENCH_STATE_DIR="$TMP/state" \
	sh ci/lava/ptbench-lava.sh -s synthetic -o "$TMP/out" -b "$TMP/nested" >/dev/null 2>&1
is "$?,$(tr '\n' ';' <"$FAKE_DIR/cases.log")" "2,ptbench-gate fail;" \
	"gate exit 2 with an earlier run's report.json in DIR: still ptbench-gate fail, exit 2"

lava same ok -b "$TMP/base"
is "$rc" 0 "same distribution: exit 0"
is "$(grep -c ' pass$' "$FAKE_DIR/cases.log"),$(grep -vc ' pass$' "$FAKE_DIR/cases.log")" "8,0" \
	"same distribution: every gated metric a passed case (2 latency + 6 lock counts)"
grep -q "^synthetic.mmap_lock.roles.faulter.acquisitions.write.per_fault pass 0 /fault$" "$TMP/out/cases.txt"
ok $? "a count per fault is reported in /fault (not 'ratio'), latencies in ns"
grep -q "^synthetic.faulter.fault.p99 pass 5000 ns$" "$TMP/out/cases.txt"; ok $? "latency: ns, the candidate's median"
no_malformed "pass"

lava worse ok -b "$TMP/base"
is "$rc" 1 "50% worse: exit 1"
is "$(grep -c ' fail$' "$FAKE_DIR/cases.log")" 2 "50% worse: the two regressed p99s are failed cases"

lava notrace ok -b "$TMP/base"
is "$rc" 3 "candidate without the lock probe (--no-trace), a lock count gated: undecided, exit 3"
grep -q "^synthetic.mmap_lock.roles.faulter.acquisitions.write.per_fault skip - /fault$" "$TMP/out/cases.txt"
ok $? "--no-trace candidate: the gated lock count is skip (not comparable), never pass"
! grep -q "mmap_lock.* pass " "$TMP/out/cases.txt"; ok $? "--no-trace candidate: no lock metric passes"
no_malformed "not comparable"

lava same fail
is "$rc" 5 "measure only, the run fails: exit 5"
is "$(grep -c ' fail$' "$FAKE_DIR/cases.log")" 2 "the run fails: the scenario's case fails (and no result to measure: a failed case too)"
no_malformed "run fails"

lava same ok
is "$rc" 0 "measure only: exit 0"
is "$cases" "synthetic.faulter.fault.p99 pass;synthetic.reader.read.p99 pass;" "measure only: each headline metric measured"

sh -n ci/lava/ptbench-lava.sh; ok $? "ptbench-lava.sh: valid sh"
if command -v shellcheck >/dev/null; then
	shellcheck -s sh ci/lava/ptbench-lava.sh; ok $? "ptbench-lava.sh: shellcheck clean"
else
	skip "shellcheck not installed"
fi
done_testing
