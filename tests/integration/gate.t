#!/bin/bash
# ptbench gate: bad invocations, the verdict and report files from result
# files (--base-results/--cand-results, synthetic results from gen_result.py),
# JUnit checked as XML, KTAP checked line by line, --bisect's exit mapping,
# ABBA boot order and -j against the stand-in qemu (fake_qemu.py), the ci/
# files (every ptbench command and flag they use exists), and one real
# two-kernel gate where two kernel images are at hand.
. "$(dirname "$0")/lib.sh"
GEN=tests/integration/gen_result.py
FAKE="$PWD/tests/integration/fake_qemu.py"
export PTBENCH_SCENARIOS="$PWD/scenarios"
export PTBENCH_PLOTS="$PWD/plots"
gen() { python3 $GEN "$TMP/$1.json" "$2"; }

gen base '{"scale": [1.00, 1.01, 0.99, 1.02, 0.98]}'
gen same '{"scale": [0.99, 1.00, 1.02, 0.98, 1.01]}'
gen worse '{"scale": [1.19, 1.22, 1.20, 1.18, 1.21], "kernel": "6.19-rc1"}'
gen two '{"scale": [1.20, 1.21]}'
gen other '{"scale": [1.00, 1.01, 0.99, 1.02, 0.98], "scenario": "other"}'

# --- bad invocations: exit 2 with a message, nothing written ----------------
bad() { # bad DESCRIPTION WANT_IN_MESSAGE ARGS...
	local d=$1 want=$2
	shift 2
	for BIN in "$PTBENCH" "$PTBENCH_ASAN"; do
		PTBENCH_QEMU=/bin/false "$BIN" gate -o "$TMP/bad" "$@" >"$TMP/out-${BIN##*/}" 2>&1
		is "$?" 2 "${BIN##*/}: bad: $d"
	done
	grep -q -- "$want" "$TMP/out-${PTBENCH##*/}"; ok $? "bad: $d: the message says '$want'"
	[ ! -e "$TMP/bad/report.json" ]; ok $? "bad: $d: no report written"
	[ ! -e "$TMP/bad" ]; ok $? "bad: $d: nothing left behind, not even -o DIR/.gate.lock"
}
K="$TMP/vmlinuz-fake"
fake_kernel "$K"
bad "no kernels" "no kernels"
bad "--base without --cand" "no --cand" --base "$K" default
bad "--cand without --base" "no --base" --cand "$K" default
bad "both modes" "not both" --base "$K" --cand "$K" --base-results "$TMP/base.json" default
bad "no scenario" "no scenario" --base "$K" --cand "$K"
bad "unknown scenario" "no-such" --base "$K" --cand "$K" no-such
bad "unreadable image" "cannot read" --base "$TMP/missing" --cand "$K" default
echo junk >"$TMP/junk-image"
bad "not a kernel image" "is not an x86 kernel image" --base "$K" --cand "$TMP/junk-image" default
bad "--base names itself" "gate: --base: cannot read $TMP/missing" --base "$TMP/missing" --cand "$K" default
bad "--cand names itself" "gate: --cand: $TMP is not a regular file" --base "$K" --cand "$TMP" default
bad "--rounds 0" "--rounds" --rounds 0 --base "$K" --cand "$K" default
bad "-j x" "--jobs" -j x --base "$K" --cand "$K" default
bad "--unit junk" "--unit" --unit boots --base "$K" --cand "$K" default
bad "--gate-on junk" "want all, structural or auto" --gate-on latency --base "$K" --cand "$K" default
bad "--gross-factor 1" "want a factor above 1" --gross-factor 1 --base "$K" --cand "$K" default
bad "--gross-min-repeats 3" "want a count from 4" --gross-min-repeats 3 --base "$K" --cand "$K" default
bad "misspelt flag" "did you mean --rounds" --roundz 3 --base "$K" --cand "$K" default
bad "-o in run args" "names the result files" --base "$K" --cand "$K" default -o x.json
bad "--cpus 0" "--cpus" --cpus 0 --base "$K" --cand "$K" default
bad "--topology with no cores" "--topology '2s0c1t': cores must be 1..64" --topology 2s0c1t --base "$K" --cand "$K" default
bad "--topology against --cpus" "--cpus 4 and --topology '2s2c2t' (8 CPUs) disagree" \
	--cpus 4 --topology 2s2c2t --base "$K" --cand "$K" default
bad "--topology without booting" "for booting" --topology 2s --base-results "$TMP/base.json" --cand-results "$TMP/same.json"
bad "no --cand-results" "no --cand-results" --base-results "$TMP/base.json"
bad "missing result file" "missing.json" --base-results "$TMP/missing.json" --cand-results "$TMP/same.json"
bad "not a result" "invalid JSON" --base-results "$TMP/junk-image" --cand-results "$TMP/same.json"
mkdir -p "$TMP/empty"
bad "a directory without results" "no ptbench result" --base-results "$TMP/empty" --cand-results "$TMP/same.json"
bad "run args without booting" "no run arguments" --base-results "$TMP/base.json" --cand-results "$TMP/same.json" synthetic --duration 1s
bad "--rounds without booting" "for booting" --rounds 2 --base-results "$TMP/base.json" --cand-results "$TMP/same.json"
bad "a scenario with no results" "no result for it" --base-results "$TMP/base.json" --cand-results "$TMP/same.json" default
bad "the same file on both sides" "same file" --base-results "$TMP/base.json" --cand-results "$TMP/base.json"
# an -o DIR that cannot take the reports: exit 2 before anything runs, as run -o
echo x >"$TMP/plainfile"
for o in /proc/ptbench-gate "$TMP/plainfile" "$TMP/plainfile/sub"; do
	$PTBENCH gate -o "$o" --base-results "$TMP/base.json" --cand-results "$TMP/same.json" --no-plots \
		>/dev/null 2>"$TMP/err"
	is "$?" 2 "gate -o $o: exit 2"
	grep -q -- "-o $o: " "$TMP/err"; ok $? "gate -o $o: the message names it ($(head -1 "$TMP/err"))"
done
[ ! -e /proc/ptbench-gate ] && [ "$(cat "$TMP/plainfile")" = x ]; ok $? "gate -o: the file is as it was"
bad "no scenario on both sides" "no scenario has results on both sides" --base-results "$TMP/base.json" --cand-results "$TMP/other.json"
PTBENCH_QEMU=/bin/false "$PTBENCH" gate --bisect --rounds 0 --base "$K" --cand "$K" default >/dev/null 2>&1
is "$?" 128 "--bisect: bad input exits 128 (git bisect run stops)"

# --- from result files -------------------------------------------------------
# gate_res OUT ARGS...: run, keep the exit in rc
gate_res() {
	local out=$1
	shift
	"$PTBENCH" gate -o "$TMP/$out" "$@" >"$TMP/$out.stdout" 2>"$TMP/$out.stderr"
	rc=$?
}
gate_res same --base-results "$TMP/base.json" --cand-results "$TMP/same.json"
is "$rc" 0 "same distribution: exit 0"
compare_rc() { "$PTBENCH" compare --gate "$@" >/dev/null 2>&1; echo $?; }
is "$rc" "$(compare_rc "$TMP/base.json" "$TMP/same.json")" "one run a side: the same exit as compare --gate"
gate_res worse --base-results "$TMP/base.json" --cand-results "$TMP/worse.json"
is "$rc" 1 "20% worse: exit 1"
is "$rc" "$(compare_rc "$TMP/base.json" "$TMP/worse.json")" "20% worse: the same exit as compare --gate"
gate_res two --base-results "$TMP/base.json" --cand-results "$TMP/two.json"
is "$rc" 3 "2 repeats: exit 3 (undecided)"
gate_res bisect-worse --bisect --base-results "$TMP/base.json" --cand-results "$TMP/worse.json"
is "$rc" 1 "--bisect, regression: 1 (bad)"
gate_res bisect-same --bisect --base-results "$TMP/base.json" --cand-results "$TMP/same.json"
is "$rc" 0 "--bisect, pass: 0 (good)"
gate_res bisect-two --bisect --base-results "$TMP/base.json" --cand-results "$TMP/two.json"
is "$rc" 125 "--bisect, undecided: 125 (skip), never read as bad"

# the report files of the regression
W="$TMP/worse"
for f in report.md report.json junit.xml; do
	[ -s "$W/$f" ]; ok $? "report: $f written"
done
is "$(json "$W/report.json" 'd["schema"]')" "ptbench-gate/1" "report.json: schema"
is "$(json "$W/report.json" '(d["exit"], d["verdict"])')" "(1, 'FAIL')" "report.json: exit 1, FAIL"
is "$(json "$W/report.json" '[m["metric"] for m in d["scenarios"][0]["compare"]["comparisons"][0]["metrics"] if m["gated"] and m["verdict"] == "regressed"]')" \
	"['faulter.fault.p99', 'reader.read.p99']" "report.json: the regressed gated metrics, from compare"
is "$(json "$W/report.json" 'd["scenarios"][0]["unit"]')" repeat "one run a side: judged on repeats"
grep -q '^| synthetic | FAIL | 2 | 2 | 0 | 0 | 0 |' "$W/report.md"; ok $? "report.md: the verdict table"
grep -q '^ptbench compare --gate --format json ' "$W/report.md"; ok $? "report.md: the exact compare command"
if command -v gnuplot >/dev/null; then
	grep -q '^!\[plots/synthetic/pct-faulter.fault.png\](plots/synthetic/pct-faulter.fault.png)' "$W/report.md"
	ok $? "report.md: links the percentile chart"
	[ -s "$W/plots/synthetic/pct-faulter.fault.png" ]; ok $? "the linked chart exists"
else
	skip "gnuplot not installed: no charts"
	skip "gnuplot not installed: no charts"
fi
xmllint --noout "$W/junit.xml"; ok $? "junit.xml is well-formed XML (xmllint)"
is "$(python3 - "$W/junit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
cases = r.findall("./testsuite/testcase")
print(r.tag, r.get("tests"), r.get("failures"), len(cases), sum(1 for c in cases if c.find("failure") is not None))
PY
)" "testsuites 2 2 2 2" "junit.xml: 2 gated metrics, 2 failures"

# KTAP: a checker for the subset ptbench writes (version line, plan, results
# numbered 1..N, indented subtests with their own plan)
cat >"$TMP/ktap.py" <<'PY'
import re, sys
lines = sys.stdin.read().splitlines()
res = re.compile(r"^(ok|not ok) (\d+) (\S+)( # (SKIP|ERROR)( .*)?)?$")
def block(i, ind):
    assert lines[i] == ind + "KTAP version 1", "line %d: want KTAP version 1: %r" % (i + 1, lines[i])
    i += 1
    if ind and lines[i].startswith(ind + "# Subtest: "):
        i += 1
    m = re.match("^" + ind + r"1\.\.(\d+)$", lines[i])
    assert m, "line %d: want a plan: %r" % (i + 1, lines[i])
    n, i, seen, out = int(m.group(1)), i + 1, 0, []
    while i < len(lines) and lines[i].startswith(ind) and seen < n:
        body = lines[i][len(ind):]
        if body.startswith("    KTAP version 1"):
            i, sub = block(i, ind + "    ")
            continue
        if body.startswith("#"):
            i += 1
            continue
        m = res.match(body)
        assert m, "line %d: not a result line: %r" % (i + 1, lines[i])
        seen += 1
        assert int(m.group(2)) == seen, "line %d: result %s, want %d" % (i + 1, m.group(2), seen)
        out.append((m.group(1), m.group(3), m.group(5)))
        i += 1
    assert seen == n, "%d results, plan says %d" % (seen, n)
    return i, out
i, top = block(0, "")
assert i == len(lines), "trailing lines from %d" % (i + 1)
print(" ".join("%s:%s:%s" % t for t in top))
PY
"$PTBENCH" gate --ktap -o "$TMP/k1" --base-results "$TMP/base.json" --cand-results "$TMP/worse.json" \
	>"$TMP/k1.tap" 2>/dev/null
is "$?" 1 "--ktap: exit 1"
is "$(python3 "$TMP/ktap.py" <"$TMP/k1.tap" 2>&1)" "not ok:synthetic:None" "--ktap: valid KTAP, the scenario not ok"
grep -q "^    not ok 1 faulter.fault.p99$" "$TMP/k1.tap"; ok $? "--ktap: the regressed metric is a failed subtest case"
"$PTBENCH" gate --ktap -o "$TMP/k2" --base-results "$TMP/base.json" --cand-results "$TMP/two.json" \
	>"$TMP/k2.tap" 2>/dev/null
is "$(python3 "$TMP/ktap.py" <"$TMP/k2.tap" 2>&1)" "ok:synthetic:SKIP" "--ktap: undecided is SKIP, not a pass"
if command -v prove >/dev/null; then
	# prove reads TAP13; KTAP's top level is the same grammar
	prove -e cat "$TMP/k1.tap" >/dev/null 2>&1
	is "$?" 1 "prove reads the KTAP and counts the failure"
fi

# the Jenkins xUnit junit-10 rules (tests/junit-ptbench.xsd) and a real reader
JP=$(for p in /usr/bin/python3 python3; do $p -c 'import junitparser' 2>/dev/null && echo $p && break; done)
junit_ok() { # junit_ok FILE WANT(pass,fail,skip,error) WHAT
	xmllint --noout --schema tests/junit-ptbench.xsd "$1" 2>"$TMP/xsd.err"
	ok $? "$3: junit.xml valid against the junit-10 rules (xmllint --schema)"
	grep -v validates "$TMP/xsd.err" | sed 's/^/#   /'
	if [ -n "$JP" ]; then
		$JP tests/integration/junit_check.py "$1" "$2" | sed 's/^/#   /'
		ok "${PIPESTATUS[0]}" "$3: junitparser reads $2 (pass,fail,skip,error), the counts as written"
	else
		skip "python3-junitparser not installed (scripts/install-deps.sh installs it)"
	fi
}
junit_ok "$W/junit.xml" 0,2,0,0 "regression"
is "$(python3 -c 'import sys, xml.etree.ElementTree as ET; f = list(ET.parse(sys.argv[1]).getroot().iter("failure"))[0]; print(f.text == f.get("message"), f.text.split(":")[0])' "$W/junit.xml")" \
	"True faulter.fault.p99" "junit.xml: the failure's text is in its body (GitLab shows the body), not only the message"

# a gated metric that could not be compared (the candidate ran without the
# lock probe) is "not comparable" everywhere: never a pass
LS='"types": {"faulter": "fault", "reader": "smaps-read"}'
LW=mmap_lock.roles.faulter.acquisitions.write.per_fault
gen lockb "{\"scale\": [1.00, 1.01, 0.99, 1.02, 0.98], $LS, \"locks\": {\"faulter\": {\"write\": 0}, \"reader\": {\"read\": 80000000}}}"
gen notrace "{\"scale\": [0.99, 1.00, 1.02, 0.98, 1.01], $LS, \"probe_unavailable\": \"--no-trace\"}"
"$PTBENCH" gate --ktap -o "$TMP/nc" --gate-metrics "faulter.fault.p99,$LW" --base-results "$TMP/lockb.json" \
	--cand-results "$TMP/notrace.json" >"$TMP/nc.tap" 2>"$TMP/nc.err"
is "$?" 3 "a gated metric not comparable: exit 3 (undecided)"
grep -q "^    ok 2 $LW # SKIP not comparable: the mmap_lock probe did not run in .*: --no-trace$" "$TMP/nc.tap"
ok $? "KTAP: the not comparable metric is '# SKIP not comparable: REASON', not ok"
grep -q "^ok 1 synthetic # SKIP undecided: 1 of 2 gated metrics not comparable$" "$TMP/nc.tap"
ok $? "KTAP: the scenario is SKIP, saying what left it undecided"
is "$(python3 "$TMP/ktap.py" <"$TMP/nc.tap" 2>&1)" "ok:synthetic:SKIP" "KTAP (not comparable): valid"
is "$(python3 -c 'import sys, xml.etree.ElementTree as ET; c = [c for c in ET.parse(sys.argv[1]).getroot().iter("testcase") if c.get("name") == sys.argv[2]][0]; print([(e.tag, e.get("type")) for e in c])' "$TMP/nc/junit.xml" "$LW")" \
	"[('skipped', 'not comparable')]" "junit.xml: the not comparable metric is a skipped case"
junit_ok "$TMP/nc/junit.xml" 1,0,1,0 "not comparable"
grep -q "^| synthetic | UNDECIDED | 2 | 0 | 0 | 0 | 1 | 1 | 1 of 2 gated metrics not comparable |$" "$TMP/nc/report.md"
ok $? "report.md: a 'not comparable' column and the reason"
is "$(python3 ci/lava/lava_cases.py "$TMP/nc/report.json" | grep "$LW")" "synthetic.$LW skip - /fault" \
	"lava_cases.py: the not comparable metric is skip (not pass), unit /fault (not ratio)"
"$PTBENCH" gate --ktap -o "$TMP/nc2" --base-results "$TMP/lockb.json" --cand-results "$TMP/notrace.json" \
	>"$TMP/nc2.tap" 2>/dev/null
grep -q "^    # not comparable, not gated: $LW: not comparable: " "$TMP/nc2.tap" && ! grep -q "ok [0-9]* mmap_lock" "$TMP/nc2.tap"
ok $? "KTAP: a not comparable metric that is not gated is a comment, never a case"

# scenario names from inputs are escaped (src/util/escape.c): '#' cannot make a
# directive, a newline a result line, control bytes reach no output
gen hashb '{"scale": [1.00, 1.01, 0.99, 1.02, 0.98], "scenario": "foo # SKIP"}'
gen hashc '{"scale": [1.19, 1.22, 1.20, 1.18, 1.21], "scenario": "foo # SKIP"}'
"$PTBENCH" gate --ktap -o "$TMP/hash" --base-results "$TMP/hashb.json" --cand-results "$TMP/hashc.json" \
	>"$TMP/hash.tap" 2>/dev/null
is "$?" 1 "a regressed scenario named 'foo # SKIP': exit 1"
grep -qx 'not ok 1 foo \\x23 SKIP' "$TMP/hash.tap"; ok $? "KTAP: 'not ok 1 foo \\x23 SKIP'"
# the kernel's own parser on the same KTAP (a failed case, not a skip):
# tests/integration/ktap_kunit.t
grep -q '^| foo \\# SKIP | FAIL |' "$TMP/hash/report.md"; ok $? "report.md: '#' escaped in the table"
# a name with a newline or control bytes never reaches an output: it is
# refused where results are taken (it would become a file name: src/util/
# safe_name.c), with the value escaped in the message
gen nlb '{"scale": [1.00, 1.01, 0.99, 1.02, 0.98], "scenario": "evil\nok 2 x\u001b[31m\u0007|y"}'
gen nlc '{"scale": [1.19, 1.22, 1.20, 1.18, 1.21], "scenario": "evil\nok 2 x\u001b[31m\u0007|y"}'
"$PTBENCH" gate --ktap -o "$TMP/nl" --base-results "$TMP/nlb.json" --cand-results "$TMP/nlc.json" \
	>"$TMP/nl.tap" 2>"$TMP/nl.err"
is "$?" 2 "a scenario named with a newline, ESC and BEL: refused (exit 2)"
is "$(grep -c '^\(not \)\?ok ' "$TMP/nl.tap")" 0 "KTAP: no result line for a refused input"
! grep -q "$(printf '[\033\007]')" "$TMP/nl.tap" "$TMP/nl.err"
ok $? "no ESC or BEL in KTAP or on the terminal (stderr)"
[ ! -e "$TMP/nl/report.md" ]; ok $? "nothing judged, no report.md"
# '[' and '|' are fine in a name but not in a markdown table
gen pipeb '{"scale": [1.00, 1.01, 0.99, 1.02, 0.98], "scenario": "evil[31m|y"}'
gen pipec '{"scale": [1.19, 1.22, 1.20, 1.18, 1.21], "scenario": "evil[31m|y"}'
"$PTBENCH" gate --ktap -o "$TMP/pipe" --base-results "$TMP/pipeb.json" --cand-results "$TMP/pipec.json" \
	>"$TMP/pipe.tap" 2>/dev/null
is "$?" 1 "a regressed scenario named with '[' and '|': exit 1"
is "$(grep -c '^| evil' "$TMP/pipe/report.md")" 1 "report.md: the name stays in one table row"
grep -q '^| evil\\\[31m\\|y | FAIL |' "$TMP/pipe/report.md"; ok $? "report.md: '[' and '|' escaped"
junit_ok "$TMP/pipe/junit.xml" 0,2,0,0 "a name with '[' and '|'"

# directories of results (as ptbench vm -o DIR writes), several runs a side
for i in 1 2 3 4; do
	mkdir -p "$TMP/b$i" "$TMP/c$i"
	python3 $GEN "$TMP/b$i/one.json" "{\"scale\": [1.0$i, 1.00, 0.99], \"scenario\": \"one\"}"
	python3 $GEN "$TMP/b$i/two.json" "{\"scale\": [1.0$i, 1.00, 0.99], \"scenario\": \"two\"}"
	python3 $GEN "$TMP/c$i/one.json" "{\"scale\": [1.3$i, 1.30, 1.29], \"scenario\": \"one\"}"
	python3 $GEN "$TMP/c$i/two.json" "{\"scale\": [0.99, 1.0$i, 1.00], \"scenario\": \"two\"}"
	echo '{"label": "not a result"}' >"$TMP/b$i/vm.json"
	B="$B --base-results $TMP/b$i"
	C="$C --cand-results $TMP/c$i"
done
gate_res dirs $B $C
is "$rc" 1 "4 runs a side, scenario one 30% worse: exit 1"
is "$(json "$TMP/dirs/report.json" '[(s["name"], s["verdict"], s["unit"]) for s in d["scenarios"]]')" \
	"[('one', 'FAIL', 'boot'), ('two', 'PASS', 'boot')]" "each scenario judged on one value per run"
is "$(json "$TMP/dirs/pooled/base/one.json" '(len(d["repeats"]), d["pooled"]["unit"])')" "(4, 'boot')" \
	"pooled: one repeat per run"
is "$(json "$TMP/dirs/pooled/base/one.json" 'd["repeats"][3]["workers"]["faulter"]["ops"]["fault"]["ns"]["p99"]')" \
	5000 "pooled: a run's value is the median of its repeats"
is "$(json "$TMP/dirs/merged/base/one.json" 'len(d["repeats"])')" 12 "merged: every repeat, for the charts"
gate_res dirs-two $B $C two
is "$rc" 0 "SCENARIO chooses: two alone passes"
is "$(json "$TMP/dirs-two/report.json" '[s["name"] for s in d["scenarios"]]')" "['two']" "only the chosen scenario is judged"
is "$(json "$TMP/dirs-two/report.json" 'd["gate_on"]')" all "result files: --gate-on auto gates latency too (all)"
gate_res dirs-rep --unit repeat $B $C two
is "$(json "$TMP/dirs-rep/pooled/base/two.json" '(len(d["repeats"]), d["pooled"]["unit"])')" "(12, 'repeat')" \
	"--unit repeat: every repeat is a value"

# a scenario with results from one kernel only is ERROR (exit 5), as when a
# kernel gave no result under booting: never dropped while the others pass,
# named or not
mkdir -p "$TMP/half"
cp "$TMP/c1/two.json" "$TMP/half/"
"$PTBENCH" gate --ktap -o "$TMP/half-g" --base-results "$TMP/b1" --cand-results "$TMP/half" >"$TMP/half.tap" 2>/dev/null
is "$?" 5 "results mode, scenario one only on the base side: exit 5 (ERROR), not a pass of scenario two alone"
grep -qx "not ok 1 one # ERROR no result from the candidate kernel (6.18.0-synthetic)" "$TMP/half.tap"
ok $? "KTAP: the one-sided scenario is 'not ok # ERROR' with the reason"
is "$(json "$TMP/half-g/report.json" '[(s["name"], s["verdict"]) for s in d["scenarios"]]')" \
	"[('one', 'ERROR'), ('two', 'PASS')]" "report.json: one ERROR, two judged"
"$PTBENCH" gate --ktap -o "$TMP/half-n" --base-results "$TMP/b1" --cand-results "$TMP/half" one >"$TMP/half-n.tap" 2>/dev/null
is "$?" 5 "the same scenario named: exit 5 with KTAP (was exit 2 without)"
grep -qx "not ok 1 one # ERROR no result from the candidate kernel (6.18.0-synthetic)" "$TMP/half-n.tap"
ok $? "named: KTAP says which kernel gave no result"

# --- booting, against the stand-in qemu --------------------------------------
mkdir -p "$TMP/specs"
KA="$TMP/vmlinuz-a" KB="$TMP/vmlinuz-b"
fake_kernel "$KA" a
fake_kernel "$KB" b
: >"$TMP/base.cpio"
echo '{"scale": [1.00, 1.01, 0.99]}' >"$TMP/specs/vmlinuz-a.json"
echo '{"scale": [1.50, 1.51, 1.49], "kernel": "9.9-cand"}' >"$TMP/specs/vmlinuz-b.json"
fake_gate() { # fake_gate OUT ARGS...
	local out=$1
	shift
	FAKE_QEMU_SPECS="$TMP/specs" FAKE_QEMU_LOG="$TMP/$out.order" PTBENCH_QEMU="$FAKE" \
		"$BIN" gate -o "$TMP/$out" --initramfs "$TMP/base.cpio" "$@" >"$TMP/$out.stdout" 2>"$TMP/$out.stderr"
	rc=$?
}
for BIN in "$PTBENCH" "$PTBENCH_ASAN"; do
	n=${BIN##*/}
	fake_gate "abba-$n" --rounds 3 -j 1 --gate-on all --base "$KA:a" --cand "$KB:b" default --duration 300ms
	# 3 values a side cannot reach p < 0.05, but the separation rule decides:
	# every candidate boot 50% above every base boot, the gap wider than both
	# sides' spread (1%)
	is "$rc" 1 "$n: fake boots, 3 a side, 50% worse, completely separated: exit 1"
	is "$(tr '\n' ' ' <"$TMP/abba-$n.order")" "vmlinuz-a vmlinuz-b vmlinuz-b vmlinuz-a vmlinuz-a vmlinuz-b " \
		"$n: --rounds 3 boots A B, B A, A B"
	is "$(json "$TMP/abba-$n/report.json" '(d["order"], [b["dir"][-7:] for b in d["boots"]])')" \
		"('ABBAAB', ['01-base', '02-cand', '03-cand', '04-base', '05-base', '06-cand'])" "$n: report.json: the order and boot dirs"
	is "$(json "$TMP/abba-$n/pooled/cand/default.json" 'len(d["repeats"])')" 3 "$n: 3 boots pooled, one value each"
done
BIN=$PTBENCH
fake_gate default-rounds -j 1 --gate-on all --base "$KA:a" --cand "$KB:b" default
is "$(tr '\n' ' ' <"$TMP/default-rounds.order" | sed 's/vmlinuz-//g')" "a b b a a b b a " "default: 4 rounds, ABBAABBA"
is "$rc" 1 "4 boots a side, 50% worse: exit 1"
# the defaults under TCG: lock structure gated, latency reported; two guests
# at once where the host has two CPUs
fake_gate defaults --base "$KA:a" --cand "$KB:b" default
is "$(json "$TMP/defaults/report.json" '(d["gate_on"], d["jobs"])')" \
	"('structural', $([ "$(nproc)" -ge 2 ] && echo 2 || echo 1))" \
	"defaults under tcg-single: --gate-on structural, -j 2 on a host with 2 CPUs (else 1)"
is "$rc" 3 "--gate-on structural: results without lock counts gate nothing: undecided (exit 3)"
is "$(json "$TMP/defaults/compare/default.json" '[(m["gated"], m["reported"], m["verdict"]) for m in d["comparisons"][0]["metrics"] if m["metric"] == "faulter.fault.p99"][0]')" \
	"(False, True, 'regressed')" "--gate-on structural: the 50% worse p99 is reported with its verdict, not gated"
grep -q "reported with their verdicts but not gated, because the guests ran under TCG" "$TMP/defaults/report.md"
ok $? "report.md says what was gated and why"
is "$(python3 -c 'import sys, xml.etree.ElementTree as ET; r = ET.parse(sys.argv[1]).getroot(); print(r.get("tests"), [(c.get("name"), [e.tag for e in c]) for c in r.iter("testcase")])' "$TMP/defaults/junit.xml")" \
	"1 [('default', ['skipped'])]" "junit.xml, nothing gated: the scenario is one skipped case, not an empty green suite"
junit_ok "$TMP/defaults/junit.xml" 0,0,1,0 "nothing gated"
fake_gate defaults-ktap --ktap --base "$KA:a" --cand "$KB:b" default
grep -q "^    # reported, not gated: faulter.fault.p99" "$TMP/defaults-ktap.stdout" &&
	! grep -q "^    not ok .*faulter.fault.p99" "$TMP/defaults-ktap.stdout"
ok $? "--ktap: a reported latency metric is a comment line, not a test case"
S='"types": {"faulter": "fault", "reader": "smaps-read"}'
echo "{\"scale\": [1.00, 1.01, 0.99], $S, \"locks\": {\"faulter\": {\"write\": 0}, \"reader\": {\"read\": 80000000}}}" >"$TMP/specs/vmlinuz-a.json"
echo "{\"scale\": [1.00, 1.01, 0.99], $S, \"locks\": {\"faulter\": {\"write\": 0}, \"reader\": {\"read\": 80000000}}}" >"$TMP/specs/vmlinuz-b.json"
fake_gate struct-same --base "$KA:a" --cand "$KB:b" default
is "$rc" 0 "defaults: the same lock counts per op on both kernels: pass (exit 0)"
echo "{\"scale\": [3.00, 3.03, 2.97], $S, \"locks\": {\"faulter\": {\"write\": 0}, \"reader\": {\"read\": 80000000}}}" >"$TMP/specs/vmlinuz-b.json"
fake_gate struct-slow --ktap --base "$KA:a" --cand "$KB:b" default
# latency is reported, not gated, under TCG, except for a gross
# change: tripled (>= 2x) in every one of 4 boots a side, apart, fails
is "$rc" 1 "defaults under TCG: tripled latency in every boot, 4 v 4 apart: the gross rule fails it (exit 1)"
grep -q "^    not ok [0-9]* faulter.fault.p99$" "$TMP/struct-slow.stdout" &&
	grep -q "^    # faulter.fault.p99: regressed by gross: .*gross rule: 3x worse (>= 2x), every repeat apart (4 vs 4)" "$TMP/struct-slow.stdout"
ok $? "--ktap: the gross regression is a failed test case naming the metric and the rule"
is "$(json "$TMP/struct-slow/compare/default.json" '[(m["gated"], m["decided_by"]) for m in d["comparisons"][0]["metrics"] if m["metric"] == "faulter.fault.p99"][0]')" \
	"(True, 'gross')" "report: compare's JSON says the gross rule decided the p99"
grep -q 'name="faulter.fault.p99"' "$TMP/struct-slow/junit.xml" && grep -q "regressed by gross" "$TMP/struct-slow/junit.xml"
ok $? "junit.xml fails the p99 and names the gross rule"
fake_gate struct-slow-f4 --gross-factor 4 --base "$KA:a" --cand "$KB:b" default
is "$rc" 0 "--gross-factor 4 (forwarded): tripled latency with the same lock counts passes (latency reported)"
fake_gate struct-slow-all --gate-on all --base "$KA:a" --cand "$KB:b" default
is "$rc" 1 "--gate-on all: the same boots fail on the tripled latency"
echo "{\"scale\": [1.00, 1.01, 0.99], $S, \"locks\": {\"faulter\": {\"write\": 100000}, \"reader\": {\"read\": 80000000}}}" >"$TMP/specs/vmlinuz-b.json"
fake_gate struct-lock --base "$KA:a" --cand "$KB:b" default
is "$rc" 1 "defaults: faults that take mmap_lock for write (0 -> 1 per fault): regressed (exit 1)"
grep -q "mmap_lock.roles.faulter.acquisitions.write.per_fault" "$TMP/struct-lock/junit.xml"
ok $? "junit.xml names the lock metric"
echo '{"scale": [1.00, 1.01, 0.99]}' >"$TMP/specs/vmlinuz-a.json"
echo '{"scale": [1.50, 1.51, 1.49], "kernel": "9.9-cand"}' >"$TMP/specs/vmlinuz-b.json"
# a candidate that cannot run the scenario: skipped, never failed
echo skip >"$TMP/specs/vmlinuz-b.mode"
fake_gate skip --rounds 2 --base "$KA:a" --cand "$KB:b" default
is "$rc" 4 "candidate skips every boot: exit 4"
fake_gate skip-b --bisect --rounds 2 --base "$KA:a" --cand "$KB:b" default
is "$rc" 125 "--bisect: skipped is 125"
echo crash >"$TMP/specs/vmlinuz-b.mode"
fake_gate crash --rounds 2 --base "$KA:a" --cand "$KB:b" default
is "$rc" 5 "candidate never boots: exit 5"
grep -q "no result from the candidate kernel" "$TMP/crash/report.md"; ok $? "report.md says which kernel gave nothing"
rm "$TMP/specs/vmlinuz-b.mode"
# -j 2: the fake holds each boot until two have started, so only boots run
# at once get through (with -j 1 the first boot gives up and fails)
mkdir -p "$TMP/run2" "$TMP/run1"
FAKE_QEMU_BARRIER=2 FAKE_QEMU_RUNDIR="$TMP/run2" fake_gate j2 -j 2 --gate-on all --base "$KA:a" --cand "$KB:b" default
is "$rc" 1 "-j 2: two guests at once, verdict as before"
FAKE_QEMU_BARRIER=2 FAKE_QEMU_BARRIER_TIMEOUT=2 FAKE_QEMU_RUNDIR="$TMP/run1" fake_gate j1 -j 1 --rounds 1 \
	--base "$KA:a" --cand "$KB:b" default
is "$rc" 5 "-j 1: one guest at a time (the barrier of two is never met)"

# SIGTERM while a guest runs: the guest is stopped too, exit 128+15, no report
FAKE_QEMU_MODE=hang PTBENCH_QEMU="$FAKE" "$PTBENCH" gate -o "$TMP/int" --initramfs "$TMP/base.cpio" \
	--base "$KA:a" --cand "$KB:b" default >"$TMP/int.out" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$TMP/int/boots/01-base/console.log" ] && break; sleep 0.1; done
kill -TERM "$pid"
wait "$pid"
is "$?" 143 "SIGTERM: exit 143"
sleep 0.5
left=$(ps -eo args | grep -c "[f]ake_qemu.py.*$TMP/int/" )
is "$left" 0 "SIGTERM: no stand-in qemu left running"
[ ! -e "$TMP/int/report.json" ]; ok $? "SIGTERM: no report"

# --- ci/: every ptbench command and flag the CI files use exists --------------
for f in ci/lava/ptbench-gate.yaml ci/github/ptbench-gate.yml ci/gitlab/ptbench-gate.gitlab-ci.yml; do
	python3 -c 'import sys, yaml; yaml.safe_load(open(sys.argv[1]))' "$f"
	ok $? "$f parses as YAML"
done
python3 tests/integration/ci_commands.py "$PTBENCH" ci/lava/ptbench-gate.yaml ci/github/ptbench-gate.yml \
	ci/gitlab/ptbench-gate.gitlab-ci.yml README.md doc/gate.md doc/compare.md doc/vm.md >"$TMP/ci.out" 2>&1
ok $? "ci/ and the recipes in README.md and doc/ call only ptbench commands and flags that exist"
grep -v '^checked' "$TMP/ci.out" | sed 's/^/#   /'
printf '```\n./ptbench gate --rounds 2 --bogus x\n./ptbench gat\n```\n' >"$TMP/neg.md"
python3 tests/integration/ci_commands.py "$PTBENCH" "$TMP/neg.md" >"$TMP/neg.out" 2>&1
is "$?" 1 "the checker refuses an unknown flag and command"
is "$(grep -c ERROR "$TMP/neg.out")" 2 "the checker names both"
# the LAVA step's test cases: one per gated metric, with its measurement
python3 ci/lava/lava_cases.py "$W/report.json" >"$TMP/lava.out"
is "$(tr '\n' ';' <"$TMP/lava.out")" "synthetic.faulter.fault.p99 fail 6000 ns;synthetic.reader.read.p99 fail 6000 ns;" \
	"lava_cases.py: the gate's regressed metrics are failed cases with the candidate's median"
python3 ci/lava/lava_cases.py "$TMP/two/report.json" | cut -d' ' -f2 | sort -u >"$TMP/lava2.out"
is "$(cat "$TMP/lava2.out")" "skip" "lava_cases.py: inconclusive metrics are skipped cases"
python3 ci/lava/lava_cases.py "$TMP/base.json" >"$TMP/lava3.out"
is "$(tr '\n' ';' <"$TMP/lava3.out")" "synthetic.faulter.fault.p99 pass 5000 ns;synthetic.reader.read.p99 pass 5000 ns;" \
	"lava_cases.py: without a base, each headline metric is measured"
sh -n ci/lava/ptbench-lava.sh; ok $? "ci/lava/ptbench-lava.sh: valid sh"
# the GitHub workflow's gate step as GitHub runs it (bash -e), against a
# stand-in ./ptbench: a gate that exits 2 without a report is exit 2, not a
# failed `cat`; the summary has no chart links it cannot resolve
python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); print([s for j in d["jobs"].values() for s in j["steps"] if s.get("name") == "gate"][0]["run"])' \
	ci/github/ptbench-gate.yml >"$TMP/gh-step.sh"
mkdir -p "$TMP/gh"
printf '#!/bin/sh\nexit 2\n' >"$TMP/gh/ptbench"
chmod +x "$TMP/gh/ptbench"
(cd "$TMP/gh" && GITHUB_STEP_SUMMARY="$TMP/gh/summary" bash -e "$TMP/gh-step.sh" >"$TMP/gh/out" 2>&1)
is "$?" 2 "GitHub gate step, gate exit 2 with no report: the step exits 2 (the gate's code)"
grep -q "exited 2 without a report" "$TMP/gh/summary"; ok $? "GitHub gate step: the summary says there is no report"
printf '#!/bin/sh\nmkdir -p gate; printf "# r\\n![plots/a.png](plots/a.png)\\n" >gate/report.md; exit 3\n' >"$TMP/gh/ptbench"
rm -f "$TMP/gh/summary"
(cd "$TMP/gh" && GITHUB_STEP_SUMMARY="$TMP/gh/summary" bash -e "$TMP/gh-step.sh" >"$TMP/gh/out" 2>&1)
is "$?,$(grep -c '^!\[' "$TMP/gh/summary")" "0,0" "GitHub gate step, undecided: exit 0 (a warning), no chart links in the summary"

# --- a real two-kernel gate --------------------------------------------------
kernels=()
for f in build/kernels/vmlinuz-*; do
	[ -f "$f" ] && [ -r "$f" ] && kernels+=("$f")
done
if ! command -v qemu-system-x86_64 >/dev/null; then
	skip "real gate: qemu-system-x86_64 not installed"
elif [ "${#kernels[@]}" -lt 2 ]; then
	skip "real gate: fewer than two kernel images in build/kernels (scripts/fetch-kernels.sh)"
elif ! command -v busybox >/dev/null; then
	skip "real gate: busybox-static not installed"
else
	"$PTBENCH" gate --base "${kernels[0]}" --cand "${kernels[1]}" --rounds 1 --accel tcg-single \
		--timeout 300 -o "$TMP/real" default --duration 300ms --repeat 3 >"$TMP/real.out" 2>&1
	rc=$?
	case $rc in 0 | 1 | 3) ok 0 "real gate ${kernels[0]##*/} -> ${kernels[1]##*/}: a verdict (exit $rc)" ;;
	*) ok 1 "real gate: exit $rc"; tail -20 "$TMP/real.out" | sed 's/^/#   /' ;; esac
	is "$(json "$TMP/real/report.json" '(len(d["boots"]), d["scenarios"][0]["name"])')" "(2, 'default')" \
		"real gate: two boots, one scenario judged"
fi

# --gate-metrics under --gate-on structural: the named
# latency is gated by the gross rule only, the named structure by its rule,
# and the report says so
G4S='"types": {"faulter": "fault", "reader": "smaps-read"}, "locks": {"faulter": {"write": 0}, "reader": {"read": 80000000}}'
gen g4b "{\"scale\": [1.00, 1.10, 0.90, 1.05], $G4S}"
gen g4x3 "{\"scale\": [3.00, 3.30, 2.70, 3.15], $G4S}"
gen g4x15 "{\"scale\": [1.50, 1.65, 1.35, 1.58], $G4S}"
for c in g4x3:1 g4x15:0; do
	"$PTBENCH" gate -o "$TMP/named-${c%%:*}" --gate-on structural --gate-metrics "faulter.fault.p99,$LW" \
		--base-results "$TMP/g4b.json" --cand-results "$TMP/${c%%:*}.json" >/dev/null 2>&1
	is "$?" "${c##*:}" "--gate-on structural --gate-metrics, ${c%%:*}: exit ${c##*:} (gross rule on the named p99)"
	grep -q "Gated: the metrics named with \`--gate-metrics\`; their latency and ops/s only by the gross rule" \
		"$TMP/named-${c%%:*}/report.md"
	ok $? "--gate-on structural --gate-metrics, ${c%%:*}: report.md says the named latency is gated by the gross rule only"
done
done_testing
