#!/bin/bash
# ptbench compare on synthetic results with known shifts (gen_result.py),
# its refusals, its output formats, and one real pair of short runs.
. "$(dirname "$0")/lib.sh"
GEN=tests/integration/gen_result.py

gen() { python3 $GEN "$TMP/$1.json" "$2"; }
# verdict FILE METRIC [CANDIDATE INDEX]: the verdict in the JSON output
verdict() {
	json "$1" "[m['verdict'] for m in d['comparisons'][${3:-0}]['metrics'] if m['metric'] == '$2'][0]"
}
cmp_json() { # cmp_json OUT ARGS...: JSON output to OUT, exit status echoed
	local out=$1
	shift
	$PTBENCH compare --format json "$@" >"$out" 2>"$out.err"
	echo $?
}

gen base '{"scale": [1.00, 1.01, 0.99, 1.02, 0.98], "probe": true}'
gen worse '{"scale": [1.19, 1.22, 1.20, 1.18, 1.21], "probe": true, "kernel": "6.19-rc1"}'
gen better '{"scale": [0.81, 0.79, 0.80, 0.82, 0.78]}'
gen same '{"scale": [0.99, 1.00, 1.02, 0.98, 1.01]}'
gen two '{"scale": [1.20, 1.21]}'
gen three '{"scale": [1.20, 1.21, 1.19]}'
gen base3 '{"scale": [1.00, 1.01, 0.99]}'
gen noisy '{"scale": [0.6, 0.9, 1.2, 1.5, 2.0]}'
gen noisy_same '{"scale": [0.7, 0.9, 1.0, 1.1, 1.4]}'
gen other '{"scale": [1.00, 1.01, 0.99, 1.02, 0.98], "scenario": "other"}'
gen longer '{"scale": [1.00, 1.01, 0.99, 1.02, 0.98], "duration": 2000000000}'
gen incomplete '{"scale": [1.00, 1.01, 0.99, 1.02, 0.98], "complete": false}'
gen schema2 '{"scale": [1.00, 1.01, 0.99, 1.02, 0.98], "schema": "ptbench-result/2"}'
gen nohead '{"scale": [1.19, 1.22, 1.20, 1.18, 1.21], "headline": ""}'
gen nohead_base '{"scale": [1.00, 1.01, 0.99, 1.02, 0.98], "headline": ""}'

# --- verdicts, both directions, latency and throughput
rc=$(cmp_json "$TMP/o.json" "$TMP/base.json" "$TMP/worse.json" --gate)
is "$rc" 1 "20% worse, 5 repeats a side: --gate exits 1"
is "$(verdict "$TMP/o.json" faulter.fault.p99)" regressed "latency +20%: regressed"
is "$(verdict "$TMP/o.json" faulter.fault.ops_per_sec)" regressed "throughput -17%: regressed"
is "$(verdict "$TMP/o.json" mmap_lock.wait.read.p99)" regressed "probe: mmap_lock wait p99 +20%: regressed"
is "$(verdict "$TMP/o.json" mmap_lock.roles.faulter.hold.write.max)" regressed \
	"probe, per role: mmap_lock hold max +20%: regressed"
is "$(json "$TMP/o.json" "d['comparisons'][0]['gate']['verdict']")" FAIL "JSON gate verdict FAIL"

rc=$(cmp_json "$TMP/o.json" "$TMP/base.json" "$TMP/better.json" --gate)
is "$rc" 0 "20% better: --gate exits 0"
is "$(verdict "$TMP/o.json" reader.read.p99)" improved "latency -20%: improved"
is "$(verdict "$TMP/o.json" reader.read.ops_per_sec)" improved "throughput +25%: improved"

rc=$(cmp_json "$TMP/o.json" "$TMP/base.json" "$TMP/same.json" --gate)
is "$rc" 0 "identical distributions: --gate exits 0"
is "$(json "$TMP/o.json" "sorted(set(m['verdict'] for m in d['comparisons'][0]['metrics'] if m['verdict'] != 'not comparable'))")" \
	"['unchanged']" "identical distributions: every compared metric unchanged"
is "$(json "$TMP/o.json" "sorted(set(m['kind'] + ':' + m['metric'].split('.')[3] for m in d['comparisons'][0]['metrics'] if m['verdict'] == 'not comparable'))")" \
	"['structural:acquisitions', 'structural:failed_trylocks']" \
	"probe in the baseline only: its structural lock metrics are 'not comparable'"
json "$TMP/o.json" "[m['why'] for m in d['comparisons'][0]['metrics'] if m['verdict'] == 'not comparable'][0]" | grep -q "mmap_lock probe did not run in .*same.json"
ok $? "not comparable: says the probe did not run in the candidate"

rc=$(cmp_json "$TMP/o.json" "$TMP/base.json" "$TMP/two.json" --gate)
is "$rc" 3 "2 repeats: --gate exits 3 (undecided)"
is "$(verdict "$TMP/o.json" faulter.fault.p99)" inconclusive "2 repeats: inconclusive"

rc=$(cmp_json "$TMP/o.json" "$TMP/base3.json" "$TMP/three.json" --gate)
is "$rc" 1 "3 vs 3 repeats, +20%, ranges 2%: --gate exits 1 (complete separation, gap wider than both ranges)"
is "$(json "$TMP/o.json" "[m['decided_by'] for m in d['comparisons'][0]['metrics'] if m['metric'] == 'faulter.fault.p99'][0]")" \
	separation "3 vs 3: decided by separation, not by the rank test"
grep -q "smallest p-value they can give is 0.100" "$TMP/o.json.err"
ok $? "3 vs 3 repeats: warned that p cannot go below alpha"
rc=$(cmp_json "$TMP/o.json" "$TMP/base.json" "$TMP/three.json" --gate)
is "$rc" 1 "5 vs 3 repeats, +20%: --gate exits 1 (smallest p 2/56 = 0.036)"

rc=$(cmp_json "$TMP/o.json" "$TMP/base.json" "$TMP/noisy.json" --gate)
is "$rc" 3 "noisy candidate, median +20%: --gate exits 3"
is "$(verdict "$TMP/o.json" faulter.fault.p99)" inconclusive "noisy candidate: inconclusive"
rc=$(cmp_json "$TMP/o.json" "$TMP/base.json" "$TMP/noisy_same.json" --gate)
is "$rc" 0 "noisy candidate (IQR 20%), same median: --gate exits 0: a regression of 50% would have been caught"
json "$TMP/o.json" "all(m['min_detectable_change'] <= 0.5 for m in d['comparisons'][0]['metrics'] if m['gated'] and m['kind'] == 'distribution')" | grep -qx True
ok $? "noisy candidate: every gated metric's min_detectable_change is within the 50% tolerance"
rc=$(cmp_json "$TMP/o.json" "$TMP/base.json" "$TMP/noisy_same.json" --gate --tolerance 15)
is "$rc" 3 "the same with --tolerance 15: --gate exits 3, not a silent pass"
json "$TMP/o.json" "[m['why'] for m in d['comparisons'][0]['metrics'] if m['metric'] == 'faulter.fault.p99'][0]" | grep -q "smallest regression it could catch: .*tolerance 15%"
ok $? "--tolerance 15: inconclusive says what it could catch"

rc=$(cmp_json "$TMP/o.json" "$TMP/base.json" "$TMP/worse.json" --gate --threshold-tail 30%)
is "$rc" 0 "--threshold-tail 30%: a 20% p99 change is below it, gate passes"
is "$(verdict "$TMP/o.json" faulter.fault.p50)" regressed "--threshold-tail leaves p50 at 5%"
rc=$(cmp_json "$TMP/o.json" "$TMP/base.json" "$TMP/worse.json" --gate --threshold 30 --gate-metrics faulter.fault.p50)
is "$rc" 0 "--threshold 30 with --gate-metrics faulter.fault.p50: passes"
is "$(json "$TMP/o.json" "[m['metric'] for m in d['comparisons'][0]['metrics'] if m['gated']]")" \
	"['faulter.fault.p50']" "--gate-metrics chooses the gated metrics"

$PTBENCH compare "$TMP/base.json" "$TMP/worse.json" >"$TMP/o.txt"
is "$?" 0 "without --gate: exit 0 even on a regression"
grep -q '^!! faulter.fault.p99 \* .*REGRESSED' "$TMP/o.txt"
ok $? "text: regression marked '!!', upper case, gated metric starred"
grep -q $'\033' "$TMP/o.txt"
is "$?" 1 "text: no color codes when stdout is not a terminal"

# default gate without a headline: every op's p99 and ops_per_sec
rc=$(cmp_json "$TMP/o.json" "$TMP/nohead_base.json" "$TMP/nohead.json" --gate)
is "$rc" 1 "no headline: default gate finds the regression"
is "$(json "$TMP/o.json" "sorted(m['metric'] for m in d['comparisons'][0]['metrics'] if m['gated'])")" \
	"['faulter.fault.ops_per_sec', 'faulter.fault.p99', 'reader.read.ops_per_sec', 'reader.read.p99']" \
	"no headline: every op's p99 and ops_per_sec gated"

# several candidates: the gate fails when any of them regressed
rc=$(cmp_json "$TMP/o.json" "$TMP/base.json" "$TMP/same.json" "$TMP/worse.json" --gate)
is "$rc" 1 "two candidates, one regressed: --gate exits 1"
is "$(json "$TMP/o.json" "[c['gate']['verdict'] for c in d['comparisons']]")" "['PASS', 'FAIL']" \
	"two candidates: one verdict each"

$PTBENCH compare "$TMP/base.json" "$TMP/same.json" >"$TMP/o.txt" 2>"$TMP/err"
grep -q "mmap_lock probe ran only in .*base.json" "$TMP/err"
ok $? "probe on one side only: warned, not compared"
grep -v "not comparable" "$TMP/o.txt" | grep -q "mmap_lock"
is "$?" 1 "probe on one side only: no mmap_lock rows but the 'not comparable' ones"

# --- refusals
$PTBENCH compare "$TMP/base.json" "$TMP/other.json" --gate >/dev/null 2>"$TMP/err"
is "$?" 2 "different scenario: exit 2"
grep -q "other.json: scenario.name differs from .*base.json" "$TMP/err"
ok $? "different scenario: the message names the file and the difference"
$PTBENCH compare "$TMP/base.json" "$TMP/longer.json" >/dev/null 2>"$TMP/err"
is "$?" 2 "different scenario duration: exit 2"
grep -q "scenario.duration differs" "$TMP/err"
ok $? "different duration: named"
$PTBENCH compare "$TMP/base.json" "$TMP/other.json" --force >"$TMP/o.txt" 2>"$TMP/err"
is "$?" 0 "different scenario with --force: compared"
grep -q "warning: .*scenario.name" "$TMP/err"
ok $? "different scenario with --force: warns"
$PTBENCH compare "$TMP/base.json" "$TMP/incomplete.json" >/dev/null 2>"$TMP/err"
is "$?" 2 "incomplete run: exit 2"
grep -q "incomplete.json: incomplete run" "$TMP/err"
ok $? "incomplete run: the message names the file"
rc=$(cmp_json "$TMP/o.json" "$TMP/base.json" "$TMP/incomplete.json" --force --gate)
is "$rc" 0 "incomplete run with --force: compared (gate passes on the same values)"
is "$(json "$TMP/o.json" "len([w for w in d['warnings'] if 'incomplete run' in w])")" 1 \
	"incomplete run with --force: the warning is in the JSON"
$PTBENCH compare "$TMP/base.json" "$TMP/schema2.json" >/dev/null 2>"$TMP/err"
is "$?" 2 "another schema version: exit 2"
grep -q "schema2.json: schema ptbench-result/2" "$TMP/err"
ok $? "another schema version: named"
$PTBENCH compare "$TMP/base.json" "$TMP/schema2.json" --force >/dev/null 2>&1
is "$?" 0 "another schema version with --force: compared"
$PTBENCH compare "$TMP/base.json" "$TMP/worse.json" --gate-metrics faulter.fault.p98 >/dev/null 2>"$TMP/err"
is "$?" 2 "unknown --gate-metrics name: exit 2"
grep -q "faulter.fault.p98" "$TMP/err"
ok $? "unknown --gate-metrics name: named"
for gm in "" "faulter.fault.p99,,faulter.fault.p50" "faulter.fault.p99,"; do
	$PTBENCH compare "$TMP/base.json" "$TMP/worse.json" --gate-metrics "$gm" >/dev/null 2>"$TMP/err"
	is "$?" 2 "--gate-metrics '$gm' (an empty name): exit 2"
	grep -q "an empty name" "$TMP/err"
	ok $? "--gate-metrics '$gm': says an empty name"
done
$PTBENCH compare "$TMP/base.json" "$TMP/worse.json" --format json >/dev/null 2>&1
is "$?" 0 "compare --format json without --gate: exit 0"
$PTBENCH compare "$TMP/base.json" "$TMP/worse.json" --format json >/dev/full 2>"$TMP/err"
is "$?" 5 "the same onto a full disk: exit 5, not a pass"
$PTBENCH compare "$TMP/base.json" "$TMP/worse.json" --gate --format json >/dev/full 2>"$TMP/err"
is "$?" 1 "a regression onto a full disk: still exit 1"
$PTBENCH compare "$TMP/base.json" >/dev/null 2>&1
is "$?" 2 "one file: exit 2"
$PTBENCH compare "$TMP/base.json" "$TMP/worse.json" --format xml >/dev/null 2>&1
is "$?" 2 "--format xml: exit 2"
$PTBENCH compare "$TMP/base.json" "$TMP/worse.json" --threshold abc >/dev/null 2>&1
is "$?" 2 "--threshold abc: exit 2"
$PTBENCH compare "$TMP/base.json" "$TMP/missing.json" >/dev/null 2>&1
is "$?" 2 "missing file: exit 2"
$PTBENCH compare "$TMP/base.json" "$TMP/worse.json" --tolerance abc >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "2:ptbench compare: --tolerance 'abc': want a percent above 0, like 5 or 10%" "--tolerance abc: exit 2, named"
$PTBENCH compare "$TMP/base.json" "$TMP/worse.json" --threshold-struct 0 >/dev/null 2>&1
is "$?" 2 "--threshold-struct 0: exit 2"

# --- structural metrics: lock acquisitions per op of each role
S3='"scale": [1.00, 1.01, 0.99], "types": {"faulter": "fault", "reader": "smaps-read"}'
gen lock0 "{$S3, \"locks\": {\"faulter\": {\"write\": 0}, \"reader\": {\"read\": 80000000}}}"
gen lock1 "{$S3, \"locks\": {\"faulter\": {\"write\": 100000}, \"reader\": {\"read\": 80000000}}}"
gen lockgone "{$S3, \"locks\": {\"reader\": {\"read\": 80000000}}}"
gen readfree "{$S3, \"locks\": {\"faulter\": {\"write\": 0}}}"
gen lock_nm "{$S3, \"probe_unavailable\": \"tracefs is not mounted\"}"
W=mmap_lock.roles.faulter.acquisitions.write.per_fault
rc=$(cmp_json "$TMP/o.json" "$TMP/lock0.json" "$TMP/lock1.json" --gate)
is "$rc" 1 "structural: 0 -> 1 write acquisition per fault: --gate exits 1"
is "$(verdict "$TMP/o.json" $W)" regressed "structural: 0 -> 1 per op is regressed"
is "$(json "$TMP/o.json" "[(m['gated'], m['decided_by'], m['kind']) for m in d['comparisons'][0]['metrics'] if m['metric'] == '$W'][0]")" \
	"(True, 'zero-to-nonzero', 'structural')" "structural: gated by default, decided as 0 -> nonzero"
rc=$(cmp_json "$TMP/o.json" "$TMP/lock1.json" "$TMP/lockgone.json" --gate)
is "$rc" 0 "structural: a role missing from the probe's roles counts as zero (1 -> 0: improved, exit 0)"
is "$(verdict "$TMP/o.json" $W)" improved "structural: role absent on one side: 1 -> 0 per op, improved"
rc=$(cmp_json "$TMP/o.json" "$TMP/lockgone.json" "$TMP/lock1.json" --gate)
is "$(verdict "$TMP/o.json" $W)" regressed "structural: role absent in the baseline (zero) -> 1 per op: regressed"
rc=$(cmp_json "$TMP/o.json" "$TMP/lock0.json" "$TMP/readfree.json" --gate)
is "$(verdict "$TMP/o.json" mmap_lock.roles.reader.acquisitions.read.per_read)" improved \
	"structural: 800 read acquisitions per read -> none: improved"
rc=$(cmp_json "$TMP/o.json" "$TMP/lock0.json" "$TMP/lock0.json" --gate)
is "$rc" 0 "structural: the same counts on both sides: --gate exits 0"
rc=$(cmp_json "$TMP/o.json" "$TMP/lock0.json" "$TMP/lock_nm.json" --gate)
is "$(verdict "$TMP/o.json" $W)" "not comparable" "structural: probe unavailable in the candidate: not comparable"
json "$TMP/o.json" "[m['why'] for m in d['comparisons'][0]['metrics'] if m['metric'] == '$W'][0]" | grep -q "lock_nm.json: tracefs is not mounted"
ok $? "not comparable: names the file and the probe's reason"
is "$rc" 0 "not comparable metrics are not gated by default (the headline decides: exit 0)"
rc=$(cmp_json "$TMP/o.json" "$TMP/lock0.json" "$TMP/lock_nm.json" --gate --gate-metrics "faulter.fault.p99,$W")
is "$rc" 3 "a not comparable metric named in --gate-metrics leaves the gate undecided (exit 3)"
# a role that took a lock in some repeats only (a faulter's rare zap): its
# counts are per op over every repeat, and its wait/hold percentiles are not
# "too few repeats" but not comparable, saying the other repeats had no events
gen rare_b "{$S3, \"locks\": {\"faulter\": {\"read\": [0, 3, 0], \"write\": 0}, \"reader\": {\"read\": 80000000}}}"
gen rare_c "{$S3, \"locks\": {\"faulter\": {\"read\": [0, 0, 2], \"write\": 0}, \"reader\": {\"read\": 80000000}}}"
$PTBENCH compare --gate "$TMP/rare_b.json" "$TMP/rare_c.json" >"$TMP/rare.txt" 2>&1
is "$?" 0 "rare lock events in one role: the gate passes"
! grep -q "too few repeats" "$TMP/rare.txt"; ok $? "rare lock events: no row claims 'too few repeats'"
! grep -q "mmap_lock.roles.faulter.\(wait\|hold\)" "$TMP/rare.txt"; ok $? "rare lock events: no faulter wait/hold percentile rows by default"
rc=$(cmp_json "$TMP/o.json" "$TMP/rare_b.json" "$TMP/rare_c.json" --all-metrics)
is "$(verdict "$TMP/o.json" mmap_lock.roles.faulter.hold.read.p99)" "not comparable" \
	"rare lock events, --all-metrics: the percentile is not comparable"
json "$TMP/o.json" "[m['why'] for m in d['comparisons'][0]['metrics'] if m['metric'] == 'mmap_lock.roles.faulter.hold.read.p99'][0]" |
	grep -q "no such lock events in 2 of 3 repeats of .*rare_b.json; no such lock events in 2 of 3 repeats of .*rare_c.json"
ok $? "rare lock events: the why says how many repeats had none, on each side"
is "$(json "$TMP/o.json" "[m['metric'] for m in d['comparisons'][0]['metrics'] if m['metric'].startswith('mmap_lock.roles.faulter.') and '.write.' in m['metric'] and m['kind'] != 'structural']")" \
	"[]" "no write lock events on either side: no write percentile rows at all"
is "$(json "$TMP/o.json" "[m['baseline']['values'] for m in d['comparisons'][0]['metrics'] if m['metric'] == 'mmap_lock.roles.faulter.acquisitions.write.per_fault'][0]")" \
	"[0.0, 0.0, 0.0]" "a role with no write locks: zero counts per op"

# --- --chain: each result against the one before it ("which release
# changed it"): reader reads 800 per read on k1 and k2, none on k3; the
# faulter's write locks 0, 0, then 1 per fault on k3 only against k2
gen ch1 "{$S3, \"kernel\": \"k1\", \"locks\": {\"faulter\": {\"write\": 0}, \"reader\": {\"read\": 80000000}}}"
gen ch2 "{$S3, \"kernel\": \"k2\", \"locks\": {\"faulter\": {\"write\": 0}, \"reader\": {\"read\": 80000000}}}"
gen ch3 "{$S3, \"kernel\": \"k3\", \"locks\": {\"faulter\": {\"write\": 100000}}}"
R=mmap_lock.roles.reader.acquisitions.read.per_read
rc=$(cmp_json "$TMP/o.json" "$TMP/ch1.json" "$TMP/ch2.json" "$TMP/ch3.json" --chain --gate --gate-on structural)
is "$rc" 1 "--chain --gate: a step that regressed exits 1"
is "$(json "$TMP/o.json" "[(c['baseline']['kernel'], c['candidate']['kernel'], [m['verdict'] for m in c['metrics'] if m['metric'] == '$R'][0]) for c in d['comparisons']]")" \
	"[('k1', 'k2', 'unchanged'), ('k2', 'k3', 'improved')]" \
	"--chain: each step's baseline is the result before it (JSON comparisons[].baseline)"
is "$(json "$TMP/o.json" "d['chain']")" True "--chain: JSON says chain"
rc=$(cmp_json "$TMP/o.json" "$TMP/ch1.json" "$TMP/ch2.json" "$TMP/ch3.json" --gate --gate-on structural)
is "$(json "$TMP/o.json" "[c.get('baseline', {'kernel': 'first'})['kernel'] for c in d['comparisons']]")" "['first', 'first']" \
	"without --chain every candidate is against the first (no per-step baseline)"
$PTBENCH compare --chain --format markdown "$TMP/ch1.json" "$TMP/ch2.json" "$TMP/ch3.json" >"$TMP/chain.md" 2>/dev/null
is "$(grep -F "| \`$R\` |" "$TMP/chain.md")" "| \`$R\` | 800 | 800 | 0 | k2 -> k3 improved |" \
	"--chain markdown: one row per metric, a median per result, the step that changed it"
grep -q "| \`$W\` | 0 | 0 | 1 | k2 -> k3 REGRESSED |" "$TMP/chain.md"
ok $? "--chain markdown: 0 -> 1 write per fault named at its step, in upper case"
grep -q "^| metric | k1 | k2 | k3 | changed |$" "$TMP/chain.md"
ok $? "--chain markdown: a column per result, in the order given"
grep -q "structural metrics\? 0 in every result, not shown" "$TMP/chain.md"
ok $? "--chain markdown: metrics 0 everywhere are counted, not listed"
$PTBENCH compare --chain "$TMP/ch1.json" "$TMP/ch2.json" "$TMP/ch3.json" >"$TMP/chain.txt" 2>/dev/null
grep -Eq "^$R +800 +800 +0  k2 -> k3 improved$" "$TMP/chain.txt"
ok $? "--chain text: the same row, aligned"
grep -q "^k2 -> k3: " "$TMP/chain.txt"
ok $? "--chain text: one verdict line per step"
# a kernel whose lock probe could not run (as the VMA lock probe on a
# kernel without per-VMA locks): its cells are "-", the steps to and from
# it decide nothing, and the other kernels' values still fill their cells
gen ch0 "{$S3, \"kernel\": \"k0\", \"probe_unavailable\": \"no mmap_lock events on this kernel\"}"
$PTBENCH compare --chain --format markdown "$TMP/ch0.json" "$TMP/ch1.json" "$TMP/ch2.json" >"$TMP/chain0.md" 2>/dev/null
is "$(grep -F "| \`$R\` |" "$TMP/chain0.md")" "| \`$R\` | - | 800 | 800 | none |" \
	"--chain: a result without the probe shows '-', the next result its own value, and the row is 'none', not 'undecided'"
gen ch_other "{$S3, \"kernel\": \"k4\", \"scenario\": \"other\", \"locks\": {\"faulter\": {\"write\": 0}}}"
$PTBENCH compare --chain "$TMP/ch1.json" "$TMP/ch3.json" "$TMP/ch_other.json" >/dev/null 2>"$TMP/chain.err"
is "$?" 2 "--chain: a result of another scenario is refused (exit 2)"
grep -q "ch_other.json: not comparable with .*ch3.json" "$TMP/chain.err"
ok $? "--chain: the refusal names the pair, the step's own baseline"

# --- the unit op: declared by the worker type and recorded in each role as
# workers.ROLE.unit_op; the table in compare_extract.c only for results
# written before the key, then the role's most frequent op (ties: the first)
per_ops() { # per_ops FILE ROLE: the unit ops of ROLE's write acquisitions per op
	json "$1" "' '.join(sorted(m['metric'].rsplit('_', 1)[1] for m in d['comparisons'][0]['metrics'] if m['metric'].startswith('mmap_lock.roles.$2.acquisitions.write.per_')))"
}
U='"scale": [1.00, 1.01, 0.99], "headline": "", "locks": {"w": {"write": 100000}}'
gen u_legacy "{$U, \"ops\": {\"w.refault\": [1, 1, 1], \"w.punch\": [1, 1, 1]}, \"types\": {\"w\": \"shmem-punch\"}}"
cmp_json "$TMP/o.json" "$TMP/u_legacy.json" "$TMP/u_legacy.json" >/dev/null
is "$(per_ops "$TMP/o.json" w)" "punch" "unit op of an older shmem-punch result (no unit_op): punch, from the table (not refault, its first op)"
gen u_decl "{$U, \"ops\": {\"w.fault\": [1, 1, 1], \"w.zap\": [1, 1, 1]}, \"types\": {\"w\": \"fault\"}, \"unit_ops\": {\"w\": \"zap\"}}"
cmp_json "$TMP/o.json" "$TMP/u_decl.json" "$TMP/u_decl.json" >/dev/null
is "$(per_ops "$TMP/o.json" w)" "zap" "a recorded unit_op wins over the table (fault -> fault): per_zap"
gen u_new "{$U, \"ops\": {\"w.b\": [1, 1, 1], \"w.a\": [1, 1, 1]}, \"types\": {\"w\": \"a-new-worker\"}, \"unit_ops\": {\"w\": \"a\"}}"
cmp_json "$TMP/o.json" "$TMP/u_new.json" "$TMP/u_new.json" >/dev/null
is "$(per_ops "$TMP/o.json" w)" "a" "a worker type compare has never heard of: its recorded unit_op (a), no table entry needed"
gen u_none "{$U, \"ops\": {\"w.b\": [1, 1, 1], \"w.a\": [1, 1, 1]}, \"types\": {\"w\": \"a-new-worker\"}}"
cmp_json "$TMP/o.json" "$TMP/u_none.json" "$TMP/u_none.json" >/dev/null
is "$(per_ops "$TMP/o.json" w)" "b" "neither unit_op nor a table entry: the most frequent op, the first on a tie (b)"
# --- structural metrics from the per-VMA lock probe
# 100000 faults a repeat (gen_result's count); fallbacks per fault, write locks per op
V='"roles": {"faulter": {"attempts": 100000, "fallbacks": FB, "write_locks": 0}, "reader": {"attempts": 0, "write_locks": WL}}'
VL='"locks": {"faulter": {"write": 0}, "reader": {"read": 80000000}}'
vma() { echo "{$S3, $VL, \"vma\": {\"method\": \"$1\", \"write\": ${4:-true}, $(echo "$V" | sed "s/FB/$2/;s/WL/$3/")}}"; }
gen vma_base "$(vma fexit 20 160000000)"
gen vma_fb "$(vma fexit 100000 160000000)"
gen vma_wl "$(vma fexit 20 320000000)"
gen vma_tp "$(vma tracepoints 20 160000000)"
gen vma_nowrite "$(vma fexit 20 0 false)"
gen vma_none "{$S3, $VL, \"vma\": {\"unavailable\": \"this kernel has no lock_vma_under_rcu()\"}}"
VF=vma_lock.roles.faulter.fallbacks.per_fault
VW=vma_lock.roles.reader.write_locks.per_read
rc=$(cmp_json "$TMP/o.json" "$TMP/vma_base.json" "$TMP/vma_base.json" --gate --gate-on structural)
is "$rc,$(verdict "$TMP/o.json" $VF),$(verdict "$TMP/o.json" $VW)" "0,unchanged,unchanged" \
	"vma_lock: the same counts: fallbacks and write locks per op unchanged, exit 0"
rc=$(cmp_json "$TMP/o.json" "$TMP/vma_base.json" "$TMP/vma_fb.json" --gate --gate-on structural)
is "$rc,$(verdict "$TMP/o.json" $VF)" "1,regressed" "vma_lock: every fault falls back to mmap_lock (0.0002 -> 1 per fault): regressed, exit 1"
rc=$(cmp_json "$TMP/o.json" "$TMP/vma_base.json" "$TMP/vma_wl.json" --gate --gate-on structural --all-metrics)
is "$rc,$(verdict "$TMP/o.json" $VW)" "1,regressed" "vma_lock: twice the VMA write locks per op: regressed, exit 1"
is "$(json "$TMP/o.json" "[m['gated'] for m in d['comparisons'][0]['metrics'] if m['metric'] == 'vma_lock.roles.faulter.attempts.per_fault'][0]")" \
	False "vma_lock: attempts per op are listed, not gated by default (they repeat the faults)"
rc=$(cmp_json "$TMP/o.json" "$TMP/vma_base.json" "$TMP/vma_tp.json" --gate --gate-on structural)
is "$rc,$(verdict "$TMP/o.json" $VF)" "0,not comparable" "vma_lock: fexit vs tracepoints: not comparable, not gated (mmap_lock's counts decide: exit 0)"
json "$TMP/o.json" "[m['why'] for m in d['comparisons'][0]['metrics'] if m['metric'] == '$VF'][0]" | grep -q "counted by fexit in .*vma_base.json and by tracepoints in .*vma_tp.json"
ok $? "vma_lock: the why names both methods and files"
rc=$(cmp_json "$TMP/o.json" "$TMP/vma_base.json" "$TMP/vma_nowrite.json" --gate --gate-on structural)
is "$rc,$(verdict "$TMP/o.json" $VW),$(verdict "$TMP/o.json" $VF)" "0,not comparable,unchanged" \
	"vma_lock: no write locks on one side: those not comparable, fallbacks still compared"
json "$TMP/o.json" "[m['why'] for m in d['comparisons'][0]['metrics'] if m['metric'] == '$VW'][0]" | grep -q "no VMA write locks in .*vma_nowrite.json: this kernel has no __vma_start_write"
ok $? "vma_lock: the why says which side has no write locks and why"
rc=$(cmp_json "$TMP/o.json" "$TMP/vma_none.json" "$TMP/vma_base.json" --gate --gate-on structural)
is "$rc,$(verdict "$TMP/o.json" $VF)" "0,not comparable" "vma_lock: probe unavailable in the baseline: not comparable (exit 0 on mmap_lock's counts)"
json "$TMP/o.json" "[m['why'] for m in d['comparisons'][0]['metrics'] if m['metric'] == '$VF'][0]" | grep -q "vma_lock probe did not run in .*vma_none.json: this kernel has no lock_vma_under_rcu"
ok $? "vma_lock: the why names the file and the probe's reason"
rc=$(cmp_json "$TMP/o.json" "$TMP/vma_base.json" "$TMP/vma_none.json" --gate --gate-on structural)
is "$(verdict "$TMP/o.json" $VF)" "not comparable" "vma_lock: probe unavailable in the candidate: not comparable"
rc=$(cmp_json "$TMP/o.json" "$TMP/vma_nowrite.json" "$TMP/vma_base.json" --gate --gate-on structural)
json "$TMP/o.json" "[m['why'] for m in d['comparisons'][0]['metrics'] if m['metric'] == '$VW'][0]" | grep -q "no VMA write locks in .*vma_nowrite.json"
ok $? "vma_lock: no write locks in the baseline: not comparable, the why names the baseline"
gen vma_mixed "{$S3, $VL, \"vma\": {\"method\": [\"fexit\", \"tracepoints\", \"fexit\"], $(echo "$V" | sed "s/FB/20/;s/WL/160000000/")}}"
rc=$(cmp_json "$TMP/o.json" "$TMP/vma_base.json" "$TMP/vma_mixed.json" --gate --gate-on structural)
is "$rc,$(verdict "$TMP/o.json" $VF)" "0,not comparable" "vma_lock: methods mixed within one result: not comparable"
# no headline: the probes' percentiles are not gated by default, the ops' are
gen vma_nohl "{$S3, $VL, \"headline\": \"\", \"vma\": {\"method\": \"fexit\", $(echo "$V" | sed "s/FB/20/;s/WL/160000000/")}}"
rc=$(cmp_json "$TMP/o.json" "$TMP/vma_nohl.json" "$TMP/vma_nohl.json" --gate --all-metrics)
is "$(json "$TMP/o.json" "sorted(set(m['metric'].split('.')[0] for m in d['comparisons'][0]['metrics'] if m['gated'] and m['kind'] != 'structural'))")" \
	"['faulter', 'reader']" "no headline: the ops' p99 and rate are gated, not the probes' write-wait percentiles"
# a collapser's fallbacks are per collapse (thousands of faults): listed, not gated
gen vma_col "{\"headline\": \"\", \"ops\": {\"collapser.collapse\": [1, 1, 1]}, \"types\": {\"collapser\": \"shmem-collapse\"}, \"vma\": {\"method\": \"fexit\", \"roles\": {\"collapser\": {\"attempts\": 370000000, \"fallbacks\": 2}}}}"
rc=$(cmp_json "$TMP/o.json" "$TMP/vma_col.json" "$TMP/vma_col.json" --gate --all-metrics)
is "$(json "$TMP/o.json" "[(m['gated'], m['verdict']) for m in d['comparisons'][0]['metrics'] if m['metric'] == 'vma_lock.roles.collapser.fallbacks.per_collapse'][0]")" \
	"(False, 'unchanged')" "vma_lock: fallbacks per unit op of a collapser (thousands of faults) are listed, not gated"
# a malformed probe object is refused with where and why
python3 - "$TMP/vma_base.json" "$TMP/vma_bad.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["repeats"][1]["probes"]["vma_lock"]["roles"]["faulter"]["fallbacks"] = -5
json.dump(d, open(sys.argv[2], "w"))
PY
$PTBENCH compare "$TMP/vma_base.json" "$TMP/vma_bad.json" >"$TMP/o.txt" 2>&1
is "$?" 2 "vma_lock: a negative count in the result: exit 2"
grep -q "repeats\[1\].probes.vma_lock.roles.faulter.fallbacks" "$TMP/o.txt"
ok $? "vma_lock: the message names the key ($(head -c 200 "$TMP/o.txt"))"
gen col_ok '{"scale": [1, 1, 1], "collapse": {"faulter": [[8, 8, 64], [8, 8, 64], [8, 8, 64]]}}'
gen col_bad '{"scale": [1, 1, 1], "collapse": {"faulter": [[8, 4, 32], [8, 5, 40], [8, 4, 32]]}}'
rc=$(cmp_json "$TMP/o.json" "$TMP/col_ok.json" "$TMP/col_bad.json" --gate)
is "$rc" 1 "collapse proof: success rate 1 -> 0.5: --gate exits 1"
is "$(verdict "$TMP/o.json" faulter.collapse.success_rate),$(verdict "$TMP/o.json" faulter.collapse.pmds_per_collapse)" \
	"regressed,regressed" "collapse proof: success_rate and pmds_per_collapse regressed"

# --- latency with 3 repeats a side: tripled is a regression
gen t3base '{"scale": [1.00, 1.30, 0.85]}'
gen t3x3 '{"scale": [3.00, 3.90, 2.55]}'
rc=$(cmp_json "$TMP/o.json" "$TMP/t3base.json" "$TMP/t3x3.json" --gate)
is "$rc" 1 "3 vs 3, every latency tripled (spread 45%): --gate exits 1"
is "$(verdict "$TMP/o.json" faulter.fault.p99)" regressed "3 vs 3, tripled: p99 regressed"
$PTBENCH compare "$TMP/t3base.json" "$TMP/t3x3.json" >"$TMP/o.txt" 2>/dev/null
grep -q '^!! faulter.fault.p99 \* .* +200.0% .*REGRESSED' "$TMP/o.txt"
ok $? "text: 3 vs 3 tripled shows +200% REGRESSED"
grep -q '^   metric .* detectable  verdict$' "$TMP/o.txt"
ok $? "text: a 'detectable' column"

# --- --gate-on structural: latency reported, not gated; structure still gates
S3L='"scale": [1.00, 1.30, 0.85], "types": {"faulter": "fault", "reader": "smaps-read"}'
S3T='"scale": [3.00, 3.90, 2.55], "types": {"faulter": "fault", "reader": "smaps-read"}'
gen gs_base "{$S3L, \"locks\": {\"faulter\": {\"write\": 0}, \"reader\": {\"read\": 80000000}}}"
gen gs_slow "{$S3T, \"locks\": {\"faulter\": {\"write\": 0}, \"reader\": {\"read\": 80000000}}}"
gen gs_lock "{$S3L, \"locks\": {\"faulter\": {\"write\": 100000}, \"reader\": {\"read\": 80000000}}}"
rc=$(cmp_json "$TMP/o.json" "$TMP/gs_base.json" "$TMP/gs_slow.json" --gate)
is "$rc" 1 "--gate-on all (the default): tripled latency with the same locks fails the gate"
rc=$(cmp_json "$TMP/o.json" "$TMP/gs_base.json" "$TMP/gs_slow.json" --gate --gate-on structural)
is "$rc" 0 "--gate-on structural: tripled latency with the same locks passes (exit 0)"
is "$(json "$TMP/o.json" "[(m['gated'], m['reported'], m['verdict']) for m in d['comparisons'][0]['metrics'] if m['metric'] == 'faulter.fault.p99'][0]")" \
	"(False, True, 'regressed')" "--gate-on structural: the headline's p99 is listed as reported, not gated, verdict kept"
is "$(json "$TMP/o.json" "(d['gate']['on'], d['comparisons'][0]['gate']['reported_regressed'] > 0, d['comparisons'][0]['gate']['gated'] > 0)")" \
	"('structural', True, True)" "--gate-on structural: JSON says gate.on, counts reported regressions, still gates structure"
rc=$(cmp_json "$TMP/o.json" "$TMP/gs_base.json" "$TMP/gs_lock.json" --gate --gate-on structural)
is "$rc" 1 "--gate-on structural: 0 -> 1 write acquisition per fault still fails the gate"
rc=$(cmp_json "$TMP/o.json" "$TMP/gs_base.json" "$TMP/gs_slow.json" --gate --gate-on structural --gate-metrics faulter.fault.p99)
is "$rc" 3 "--gate-on structural: a latency metric named with --gate-metrics is not gated by the fine rule (3 v 3: too few for the gross rule: not comparable, undecided)"
is "$(json "$TMP/o.json" "[(m['gated'], m['verdict'], m['decided_by']) for m in d['comparisons'][0]['metrics'] if m['metric'] == 'faulter.fault.p99'][0]")" \
	"(True, 'not comparable', 'gross')" "--gate-on structural: the named p99 stays gated, by the gross rule, which cannot judge 3 v 3"
$PTBENCH compare "$TMP/gs_base.json" "$TMP/gs_slow.json" --gate --gate-on structural >"$TMP/o.txt" 2>/dev/null
grep -q '^!! faulter.fault.p99 ~ .*REGRESSED' "$TMP/o.txt" && grep -q 'latency reported, not gated (--gate-on structural): [0-9]*, [1-9][0-9]* regressed' "$TMP/o.txt"
ok $? "text: reported metrics marked ~ and counted on the gate line"
$PTBENCH compare "$TMP/gs_base.json" "$TMP/gs_slow.json" --gate --gate-on structural --format junit >"$TMP/o.xml" 2>/dev/null
python3 - "$TMP/o.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.argv[1]).getroot()
cases = {c.get("name"): c for c in t.iter("testcase")}
c = cases["faulter.fault.p99"]
assert c.find("failure") is None and "reported, not gated" in c.find("skipped").get("message"), c
assert not any(c.find("failure") is not None for c in cases.values())
PY
ok $? "junit: a reported regression is a skipped case, not a failure"
$PTBENCH compare "$TMP/gs_base.json" "$TMP/gs_slow.json" --gate-on latency >/dev/null 2>"$TMP/err"
is "$?" 2 "--gate-on latency: exit 2"
grep -q "want all or structural" "$TMP/err"
ok $? "--gate-on latency: says what it wants"

# --- the gross rule of --gate-on structural: a reported latency
# or ops/s metric fails the gate when its median got >= 2x worse with every
# repeat apart, 4 or more a side; 3 v 3 above (gs_slow) is too few for it
rc=$(cmp_json "$TMP/o.json" "$TMP/gs_base.json" "$TMP/gs_slow.json" --gate)
is "$(json "$TMP/o.json" "d['rule']['gross']")" "not applied (--gate-on all)" \
	"--gate-on all: the JSON rule says the gross rule was not applied"
rc=$(cmp_json "$TMP/o.json" "$TMP/gs_base.json" "$TMP/gs_slow.json" --gate --gate-on structural)
is "$(json "$TMP/o.json" "[m['gross']['why'] for m in d['comparisons'][0]['metrics'] if m['metric'] == 'faulter.fault.p99'][0]")" \
	"gross rule: 3 vs 3 repeats, needs 4 a side" "gross: tripled over 3 v 3 passes: too few repeats for the gross rule, and it says so"
G4='"types": {"faulter": "fault", "reader": "smaps-read"}, "locks": {"faulter": {"write": 0}, "reader": {"read": 80000000}}'
gen g4_base "{\"scale\": [1.00, 1.10, 0.90, 1.05], $G4}"
gen g4_x10 "{\"scale\": [10.0, 11.0, 9.00, 10.5], $G4}"
gen g4_x3 "{\"scale\": [3.00, 3.30, 2.70, 3.15], $G4}"
gen g4_x15 "{\"scale\": [1.50, 1.65, 1.35, 1.58], $G4}"
# 3x in the median, but one repeat (1.0) below the baseline's slowest (1.1)
gen g4_x3_overlap "{\"scale\": [3.00, 3.30, 1.00, 3.15], $G4}"
gen g4_better "{\"scale\": [0.10, 0.11, 0.09, 0.105], $G4}"
rc=$(cmp_json "$TMP/o.json" "$TMP/g4_base.json" "$TMP/g4_x10.json" --gate --gate-on structural)
is "$rc" 1 "gross: tenfold latency, 4 v 4 apart, --gate-on structural: exit 1"
is "$(json "$TMP/o.json" "[(m['gated'], m['reported'], m['verdict'], m['decided_by'], m['gross']['regressed'], round(m['gross']['worse_factor'], 3)) for m in d['comparisons'][0]['metrics'] if m['metric'] == 'faulter.fault.p99'][0]")" \
	"(True, False, 'regressed', 'gross', True, 10.0)" "gross: the p99 is gated, regressed, decided_by gross, 10x worse"
is "$(json "$TMP/o.json" "(d['rule']['gross_factor'], d['rule']['gross_min_repeats'], d['comparisons'][0]['gate']['gross_regressed'], d['comparisons'][0]['gate']['verdict'])")" \
	"(2.0, 4, 2, 'FAIL')" "gross: JSON rule has the factor and the repeats; the gate counts 2 gross regressions (both headline p99s)"
$PTBENCH compare "$TMP/g4_base.json" "$TMP/g4_x10.json" --gate --gate-on structural >"$TMP/o.txt" 2>/dev/null
grep -q '^!! faulter.fault.p99 \* .*REGRESSED \[gross rule: 10x worse (>= 2x), every repeat apart (4 vs 4)\]' "$TMP/o.txt" &&
	grep -q '^gate: FAIL: .* 2 regressed (2 by the gross rule)' "$TMP/o.txt" && grep -q 'gross rule (--gate-on structural' "$TMP/o.txt"
ok $? "gross: text names the metric, the rule and the factor, and the gate line counts it"
$PTBENCH compare "$TMP/g4_base.json" "$TMP/g4_x10.json" --gate --gate-on structural --format markdown >"$TMP/o.md" 2>/dev/null
grep -q '^| `faulter.fault.p99` (gate) .* \*\*REGRESSED\*\* (gross rule: 10x worse' "$TMP/o.md" && grep -q '^Gross rule (`--gate-on structural`' "$TMP/o.md" &&
	grep -q '^Regressed by the gross rule .*: 2\.$' "$TMP/o.md"
ok $? "gross: markdown names the rule in the verdict cell and explains it"
$PTBENCH compare "$TMP/g4_base.json" "$TMP/g4_x10.json" --gate --gate-on structural --format junit >"$TMP/o.xml" 2>/dev/null
python3 - "$TMP/o.xml" <<'EOF'
import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.argv[1]).getroot()
cases = {c.get("name"): c for c in t.iter("testcase")}
f = cases["faulter.fault.p99"].find("failure")
assert f is not None and f.get("message").startswith("regressed by gross: ") and "10x worse" in f.get("message"), f
EOF
ok $? "junit: a gross regression is a failure whose message names the rule"
rc=$(cmp_json "$TMP/o.json" "$TMP/g4_base.json" "$TMP/g4_x3.json" --gate --gate-on structural)
is "$rc" 1 "gross: tripled latency, 4 v 4 apart: exit 1"
rc=$(cmp_json "$TMP/o.json" "$TMP/g4_base.json" "$TMP/g4_x3.json" --gate --gate-on structural --gross-factor 4)
is "$rc" 0 "gross: tripled latency with --gross-factor 4: reported, passes (exit 0)"
is "$(json "$TMP/o.json" "[(m['reported'], m['gross']['min_detectable_factor']) for m in d['comparisons'][0]['metrics'] if m['metric'] == 'faulter.fault.p99'][0]")" \
	"(True, 4.0)" "gross: JSON gives the smallest factor the gross rule calls here (the factor, sides this tight)"
rc=$(cmp_json "$TMP/o.json" "$TMP/g4_base.json" "$TMP/g4_x15.json" --gate --gate-on structural)
is "$rc" 0 "gross: 1.5x worse, 4 v 4 apart: under the factor 2, reported, passes (exit 0)"
is "$(verdict "$TMP/o.json" faulter.fault.p99)" regressed "gross: 1.5x keeps the fine rule's verdict (regressed) as reported"
rc=$(cmp_json "$TMP/o.json" "$TMP/g4_base.json" "$TMP/g4_x3_overlap.json" --gate --gate-on structural)
is "$rc" 0 "gross: 3x median with one overlapping repeat: reported, passes (exit 0)"
json "$TMP/o.json" "[m['gross']['why'] for m in d['comparisons'][0]['metrics'] if m['metric'] == 'faulter.fault.p99'][0]" | grep -q "the sides overlap"
ok $? "gross: the overlap is named as why it was not called"
rc=$(cmp_json "$TMP/o.json" "$TMP/g4_base.json" "$TMP/g4_better.json" --gate --gate-on structural)
is "$rc" 0 "gross: a tenfold improvement passes"
rc=$(cmp_json "$TMP/o.json" "$TMP/g4_base.json" "$TMP/g4_base.json" --gate --gate-on structural)
is "$rc" 0 "gross: identical sides pass"
rc=$(cmp_json "$TMP/o.json" "$TMP/g4_base.json" "$TMP/g4_x10.json" --gate --gate-on structural --gross-min-repeats 5)
is "$rc" 0 "gross: --gross-min-repeats 5 with 4 a side: not called, passes"
for bad in "--gross-factor 1" "--gross-factor 0.5" "--gross-factor x" "--gross-factor 1001" \
	"--gross-tolerance 1" "--gross-tolerance x" "--gross-tolerance 1001" "--gross-tolerance 1.5" \
	"--gross-min-repeats 3" "--gross-min-repeats -1" "--gross-min-repeats 4x" "--gross-min-repeats 1001"; do
	# shellcheck disable=SC2086 # the flag and its value as two words
	$PTBENCH compare "$TMP/g4_base.json" "$TMP/g4_x10.json" --gate-on structural $bad >/dev/null 2>"$TMP/err"
	is "$?" 2 "gross: $bad: exit 2"
done
grep -q "want a count from 4 to 1000" "$TMP/err"
ok $? "gross: a bad --gross-min-repeats says what it wants"
rc=$(cmp_json "$TMP/o.json" "$TMP/g4_base.json" "$TMP/g4_x3.json" --gate --gross-factor 4)
is "$(json "$TMP/o.json" "[w for w in d['warnings'] if 'apply only under --gate-on structural' in w] != []")" True \
	"gross: --gross-factor with --gate-on all warns that it is not applied"
# --gate-metrics under --gate-on structural: the named
# latency and ops/s get the gross rule as the headline's do; named structural
# metrics are gated by their own rule
NAMED=--gate-metrics=faulter.fault.p99,mmap_lock.roles.faulter.acquisitions.write.per_fault
rc=$(cmp_json "$TMP/o.json" "$TMP/g4_base.json" "$TMP/g4_x3.json" --gate --gate-on structural "$NAMED")
is "$rc" 1 "gross, --gate-metrics: tripled latency, 4 v 4 apart: exit 1"
is "$(json "$TMP/o.json" "[(m['gated'], m['verdict'], m['decided_by']) for m in d['comparisons'][0]['metrics'] if m['metric'] == 'faulter.fault.p99'][0]")" \
	"(True, 'regressed', 'gross')" "gross, --gate-metrics: the named p99 is decided by the gross rule"
is "$(json "$TMP/o.json" "d['comparisons'][0]['gate']['gross_regressed']")" 1 \
	"gross, --gate-metrics: only the named latency metric, not the headline's other one"
rc=$(cmp_json "$TMP/o.json" "$TMP/g4_base.json" "$TMP/g4_x15.json" --gate --gate-on structural "$NAMED")
is "$rc" 0 "gross, --gate-metrics: 1.5x worse, 4 v 4 apart: reported, passes on the named structure (exit 0)"
rc=$(cmp_json "$TMP/o.json" "$TMP/g4_base.json" "$TMP/g4_x3_overlap.json" --gate --gate-on structural "$NAMED")
is "$rc" 0 "gross, --gate-metrics: 3x with one overlapping repeat: reported, passes"
rc=$(cmp_json "$TMP/o.json" "$TMP/g4_base.json" "$TMP/g4_base.json" --gate --gate-on structural "$NAMED")
is "$rc" 0 "gross, --gate-metrics: identical sides pass"
# a pass by the gross rule must mean a tenfold regression would have been
# called (--gross-tolerance, default 10): with one candidate boot 30 times
# faster than the rest, every boot would have to get 37x worse to clear the
# baseline's: no tenfold regression could have been called
gen g4_wide "{\"scale\": [1.00, 0.03, 0.90, 1.05], $G4}"
rc=$(cmp_json "$TMP/o.json" "$TMP/g4_base.json" "$TMP/g4_wide.json" --gate --gate-on structural "$NAMED")
is "$rc,$(json "$TMP/o.json" "[m['verdict'] for m in d['comparisons'][0]['metrics'] if m['metric'] == 'faulter.fault.p99'][0]")" \
	"3,inconclusive" "gross, --gate-metrics: one boot 30x off: no gross change found, but none under 10x could be: undecided (exit 3)"
json "$TMP/o.json" "[m['why'] for m in d['comparisons'][0]['metrics'] if m['metric'] == 'faulter.fault.p99'][0]" | grep -q "under 10x (--gross-tolerance)"
ok $? "gross, --gate-metrics: the why names --gross-tolerance"
rc=$(cmp_json "$TMP/o.json" "$TMP/g4_base.json" "$TMP/g4_wide.json" --gate --gate-on structural "$NAMED" --gross-tolerance 1000)
is "$rc" 0 "gross, --gate-metrics: the same with --gross-tolerance 1000: passes"
is "$(json "$TMP/o.json" "d['rule']['gross_tolerance']")" 1000.0 "gross: JSON rule.gross_tolerance"
rc=$(cmp_json "$TMP/o.json" "$TMP/g4_base.json" "$TMP/g4_x15.json" --gate --gate-on all "$NAMED")
is "$rc" 1 "--gate-on all, --gate-metrics: 1.5x worse is gated by the fine rule (exit 1)"

# --- hostile result files: exit 2 naming the file and the JSON path, never a crash
mutate() { # mutate NAME PYTHON-STATEMENTS (on d, from base.json)
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); exec(sys.argv[3]); open(sys.argv[2],'w').write(json.dumps(d))" \
		"$TMP/base.json" "$TMP/$1.json" "$2"
}
hostile() { # hostile NAME EXPECTED-MESSAGE-REGEX DESCRIPTION
	local rc
	timeout 20 $PTBENCH compare --gate "$TMP/base.json" "$TMP/$1.json" >/dev/null 2>"$TMP/h.err"
	rc=$?
	if [ $rc = 2 ] && grep -Eq "^$TMP/$1.json: $2" "$TMP/h.err"; then ok 0 "$3"; else
		ok 1 "$3"; diag "exit $rc: $(cat "$TMP/h.err")"; fi
}
P='d["repeats"][2]["workers"]["faulter"]["ops"]["fault"]["ns"]["p99"]'
mutate garbage "$P = 'garbage'"
hostile garbage 'repeats\[2\]\.workers\.faulter\.ops\.fault\.ns\.p99: expected a non-negative integer \(at most 2\^53\), got "garbage"$' \
	'a percentile "garbage": exit 2 naming the JSON path (was: exit 0, "improved")'
mutate pfalse "$P = False"
hostile pfalse 'repeats\[2\]\.workers\.faulter\.ops\.fault\.ns\.p99: expected a non-negative integer \(at most 2\^53\), got false$' 'a percentile false: exit 2'
mutate pneg "$P = -5"
hostile pneg 'repeats\[2\]\.workers\.faulter\.ops\.fault\.ns\.p99: expected a non-negative integer \(at most 2\^53\), got -5$' 'a percentile -5: exit 2'
mutate nowork 'del d["repeats"][1]["workers"]'
hostile nowork 'repeats\[1\]\.workers: missing \(expected an object\)$' 'a repeat without workers: exit 2 (was: SIGSEGV)'
mutate opsarr 'd["repeats"][0]["workers"]["reader"]["ops"] = [1, 2]'
hostile opsarr 'repeats\[0\]\.workers\.reader\.ops: expected an object, got \[1,2\]$' 'ops not an object: exit 2 (was: SIGSEGV)'
mutate repnum 'd["repeats"][3] = 7'
hostile repnum 'repeats\[3\]: expected an object, got 7$' 'a repeat that is not an object: exit 2 (was: SIGSEGV)'
mutate rolesstr 'd["repeats"][0]["probes"]["mmap_lock"]["roles"] = "x"'
hostile rolesstr 'repeats\[0\]\.probes\.mmap_lock\.roles: expected an object, got "x"$' 'mmap_lock.roles not an object: exit 2 (was: SIGSEGV)'
mutate scenarr 'd["scenario"] = [1]'
hostile scenarr 'scenario: expected an object, got \[1\]$' 'scenario as an array: exit 2 (was: abort, 134)'
mutate repnull 'd["repeats"] = None'
hostile repnull 'repeats: expected an array, got null$' 'repeats: null: exit 2'
mutate repobj 'd["repeats"] = {}'
hostile repobj 'repeats: expected an array, got \{\}$' 'repeats not an array: exit 2 naming the path'
mutate cstr 'd["complete"] = "false"'
hostile cstr 'complete: expected true or false, got "false"$' '"complete": "false" (a string): refused, not counted complete'
mutate rcstr 'd["repeats"][0]["complete"] = "no"'
hostile rcstr 'repeats\[0\]\.complete: expected true or false, got "no"$' 'a repeat with "complete": "no": refused'
mutate succ 'd["repeats"][0]["workers"]["faulter"]["collapse"] = {"attempts": 2, "succeeded": 3}'
hostile succ 'repeats\[0\]\.workers\.faulter\.collapse\.succeeded: expected at most "attempts", got 3$' 'more collapses succeeded than attempted: refused'
mutate unitop 'd["repeats"][1]["workers"]["faulter"]["unit_op"] = "nosuch"'
hostile unitop 'repeats\[1\]\.workers\.faulter\.unit_op: expected one of the role.s ops \(a key of its "ops"\), got "nosuch"$' 'a unit_op naming no op of the role: refused'
mutate bucket 'd["repeats"][4]["workers"]["faulter"]["ops"]["fault"]["buckets"][0] = [1]'
hostile bucket 'repeats\[4\]\.workers\.faulter\.ops\.fault\.buckets\[0\]: expected \[upper_ns, count\]' 'a malformed bucket: refused'
printf '\xef\xbb\xbf' >"$TMP/bom.json"; cat "$TMP/base.json" >>"$TMP/bom.json"
hostile bom 'starts with a UTF-8 byte order mark' 'a UTF-8 BOM: a clear message (was: "invalid JSON (success)")'
echo null >"$TMP/null.json"
hostile null 'not a ptbench result: the document is null, not an object$' 'a null document: a clear message (was: "invalid JSON (success)")'
head -c 300 "$TMP/base.json" >"$TMP/cut.json"
hostile cut 'invalid JSON at byte 300, the end: the text ends inside a value \(truncated\?\)$' 'a truncated file: says so, with the offset'
# contradictory completeness (review B2): refused, not judged on one field
mutate intr 'd["interrupted_by"] = "INT"'
hostile intr 'interrupted_by: expected no "interrupted_by" beside "complete": true' '"interrupted_by" with "complete": true: exit 2 (was PASS)'
mutate norep 'd["repeats"] = []'
hostile norep 'repeats: expected at least one repeat beside "complete": true, got \[\]$' '"complete": true with no repeat: exit 2 (was 3)'
$PTBENCH plot "$TMP/norep.json" -o "$TMP/norep-plot" >/dev/null 2>"$TMP/h.err"
is "$?" 2 'plot of "complete": true with no repeat: exit 2 (was 0, "nothing to draw")'
mutate repfalse 'd["repeats"][3]["complete"] = False'
hostile repfalse 'repeats\[3\]\.complete: expected true or absent beside the top-level "complete": true, got false$' 'a repeat "complete": false under "complete": true: exit 2 (was dropped without a word)'
python3 -c "import sys; t=open(sys.argv[1]).read(); open(sys.argv[2],'w').write(t.replace('\"complete\": true', '\"complete\": false, \"interrupted_by\": \"INT\", \"complete\": true', 1))" \
	"$TMP/base.json" "$TMP/dupkey.json"
hostile dupkey 'complete: given twice in one object \(again at byte [0-9]+\)' 'a key given twice ("complete": false, "complete": true): exit 2 (was PASS)'
mutate intr_ok 'd["complete"] = False; d["interrupted_by"] = "INT"; d["repeats"][4]["complete"] = False'
timeout 20 $PTBENCH compare --force "$TMP/base.json" "$TMP/intr_ok.json" >/dev/null 2>"$TMP/h.err"
is "$?" 0 'what ptbench writes when interrupted (complete false, interrupted_by, a repeat false): read (--force)'
{ cat "$TMP/base.json"; echo '{}'; } >"$TMP/twice.json"
hostile twice 'invalid JSON (at byte [0-9]+: unexpected character|: more text after the document)' 'text after the document: refused with the byte offset'
printf '{"schema": "ptbench-result/1"\0}' >"$TMP/nul.json"
hostile nul 'a NUL byte at offset 29' 'a NUL byte: refused, not silently truncated'
mkfifo "$TMP/fifo.json"
hostile fifo 'not a regular file \(a FIFO\)' 'a FIFO: refused at once, does not block'
mkdir "$TMP/dir.json"
hostile dir 'not a regular file \(a directory\)' 'a directory: refused'
$PTBENCH compare "$TMP/base.json" /dev/zero >/dev/null 2>"$TMP/h.err"
rc=$?
is "$rc:$(cat "$TMP/h.err")" "2:/dev/zero: not a regular file (a character device): a result is a file written by \`ptbench run -o\`" \
	"/dev/zero: refused at once (was: read until out of memory)"
truncate -s 1100M "$TMP/huge.json"
hostile huge '1153433600 bytes, more than the 1073741824 a result file may have' 'a file over 1 GiB: refused by size, not read'
rm -f "$TMP/huge.json"
# plot reads results through the same reader
$PTBENCH plot -o "$TMP/plots" "$TMP/repnull.json" >/dev/null 2>"$TMP/h.err"
rc=$?
is "$rc:$(head -1 "$TMP/h.err")" "2:$TMP/repnull.json: repeats: expected an array, got null" "plot: repeats: null refused with the JSON path"
# the sanitizer build over every hostile file: exit 2, no report
n_bad=0
for f in garbage pfalse pneg nowork opsarr repnum rolesstr scenarr repnull repobj cstr rcstr succ bucket bom null cut twice nul fifo dir; do
	timeout 60 $PTBENCH_ASAN compare "$TMP/base.json" "$TMP/$f.json" >/dev/null 2>"$TMP/asan.err"
	rc=$?
	if [ $rc != 2 ] || grep -q 'Sanitizer' "$TMP/asan.err"; then n_bad=$((n_bad + 1)); diag "$f: exit $rc"; fi
done
is "$n_bad" 0 "ASan/UBSan build: every hostile result file exits 2 cleanly"

# --- other formats
$PTBENCH compare --format junit "$TMP/base.json" "$TMP/worse.json" "$TMP/two.json" >"$TMP/o.xml" 2>/dev/null
python3 - "$TMP/o.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
s = r.findall("testsuite")
assert len(s) == 2, s
# worse: the headline's two p99 and six structural lock metrics (two roles)
assert [len(x.findall("testcase")) for x in s] == [8, 2], [len(x.findall("testcase")) for x in s]
assert [len(x.findall("testcase/failure")) for x in s] == [2, 0]
assert [len(x.findall("testcase/skipped")) for x in s] == [0, 2]
assert r.get("failures") == "2" and r.get("skipped") is None and r.get("errors") == "0", r.attrib
assert [x.get("skipped") for x in s] == ["0", "2"]
assert all(c.get("time") == "0" for c in r.iter("testcase"))
assert all((e.text or "").strip() == e.get("message") for e in r.iter("failure")), "failure text in the body"
PY
ok $? "junit: well-formed, a testcase per gated metric, failures for regressions, skipped for inconclusive"
# the Jenkins xUnit junit-10 rules (tests/junit-ptbench.xsd), and a real reader
xmllint --noout --schema tests/junit-ptbench.xsd "$TMP/o.xml" 2>"$TMP/xsd.err"
ok $? "junit: valid against the junit-10 rules (xmllint --schema tests/junit-ptbench.xsd)"
sed 's/^/#   /' "$TMP/xsd.err" | grep -v validates
JP=$(for p in /usr/bin/python3 python3; do $p -c 'import junitparser' 2>/dev/null && echo $p && break; done)
if [ -n "$JP" ]; then
	$JP tests/integration/junit_check.py "$TMP/o.xml" 6,2,2,0 | sed 's/^/#   /'
	ok "${PIPESTATUS[0]}" "junit: junitparser reads 6 passed, 2 failed, 2 skipped, each suite's counts as written"
else
	skip "python3-junitparser not installed (scripts/install-deps.sh installs it)"
fi
# a gated metric that is not comparable: a skipped case with the reason, in
# the body too
$PTBENCH compare --gate --format junit "$TMP/lock0.json" "$TMP/lock_nm.json" \
	--gate-metrics "faulter.fault.p99,$W" >"$TMP/nc.xml" 2>/dev/null
is "$?" 3 "junit, a gated metric not comparable: exit 3"
python3 - "$TMP/nc.xml" "$W" <<'PY'
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
c = [c for c in r.iter("testcase") if c.get("name") == sys.argv[2]][0]
k = c.find("skipped")
assert k is not None and k.get("type") == "not comparable", ET.tostring(c)
assert "tracefs is not mounted" in k.text and k.text == k.get("message"), k.text
PY
ok $? "junit: the not comparable metric is <skipped type=\"not comparable\"> with the probe's reason in its body"
for f in nc; do
	xmllint --noout --schema tests/junit-ptbench.xsd "$TMP/$f.xml" 2>/dev/null
	ok $? "junit ($f): valid against the junit-10 rules"
done
$PTBENCH compare --format markdown "$TMP/base.json" "$TMP/worse.json" >"$TMP/o.md" 2>/dev/null
grep -q '^| `faulter.fault.p99` (gate) | 5.0us | 6.0us | +20.0% | 0.008 | +10% | \*\*REGRESSED\*\* |$' "$TMP/o.md"
ok $? "markdown: a table row with the regression in bold"
# names from inputs are escaped by one helper (src/util/escape.c) in every writer
EVIL='a|b\nc\u001b[31m\u0007 # SKIP'
gen evil_b "{\"scale\": [1.00, 1.01, 0.99, 1.02, 0.98], \"scenario\": \"$EVIL\"}"
gen evil_c "{\"scale\": [1.19, 1.22, 1.20, 1.18, 1.21], \"scenario\": \"$EVIL\"}"
for f in text markdown junit; do
	$PTBENCH compare --gate --format $f "$TMP/evil_b.json" "$TMP/evil_c.json" >"$TMP/evil.$f" 2>/dev/null
done
! grep -q "$(printf '[\033\007]')" "$TMP/evil.text" "$TMP/evil.markdown" "$TMP/evil.junit"
ok $? "a scenario name with ESC and BEL: no control byte in text, markdown or junit"
grep -q '^scenario a|b\\nc\\x1b\[31m\\x07 # SKIP$' "$TMP/evil.text"
ok $? "text: the name on one line, control bytes as \\n \\x1b \\x07"
grep -q '^### ptbench compare: a\\|b\\nc\\x1b\\\[31m\\x07 \\# SKIP$' "$TMP/evil.markdown"
ok $? "markdown: '|' escaped, no line break in the heading"
xmllint --noout --schema tests/junit-ptbench.xsd "$TMP/evil.junit" 2>/dev/null
ok $? "junit with the name: valid against the junit-10 rules"

# the sanitizer build over the same paths (leaks, overflows)
$PTBENCH_ASAN compare --all-metrics --format json "$TMP/base.json" "$TMP/worse.json" "$TMP/two.json" \
	>/dev/null 2>"$TMP/asan.err"
is "$?" 0 "ASan/UBSan build: compare with every metric runs clean"
$PTBENCH_ASAN compare --force "$TMP/base.json" "$TMP/schema2.json" "$TMP/incomplete.json" \
	"$TMP/other.json" >/dev/null 2>"$TMP/asan.err"
is "$?" 0 "ASan/UBSan build: --force over every refusal runs clean"

# --- the CI example script, on an existing candidate
PTBENCH=$PTBENCH scripts/ci-gate.sh -b "$TMP/base.json" -c "$TMP/worse.json" -o "$TMP/ci" >"$TMP/ci.log" 2>&1
is "$?" 1 "scripts/ci-gate.sh: regression -> exit 1"
ls "$TMP/ci" | tr '\n' ' ' | grep -q "compare.json compare.md compare.txt junit.xml"
ok $? "scripts/ci-gate.sh: keeps text, markdown, JSON and JUnit reports"

# --- a real pair: the same scenario twice on this machine is no regression.
# The rule allows a false regression now and then by design (two-sided
# alpha 0.05 per metric: for 5 vs 5 repeats P(U <= 2 in the worse direction)
# = 4/252, before the minimum-effect and spread conditions cut it further),
# so one exit 1 gets a second pair and only two in a row fail the test.
real_pair() { # real_pair N: two runs, then compare --gate; echoes the exit code
	local r
	for r in a b; do
		if ! $PTBENCH run faults-maps --duration 200ms --warmup 100ms --repeat 5 --quiet \
			-o "$TMP/real$1$r.json" >>"$TMP/run.log" 2>&1; then
			echo "run:$?"
			return
		fi
	done
	$PTBENCH compare --gate "$TMP/real$1a.json" "$TMP/real$1b.json" >"$TMP/real$1.txt" 2>&1
	echo $?
}
rc=$(real_pair 1)
[ "$rc" = 1 ] && { sed 's/^/# /' "$TMP/real1.txt"; diag "exit 1 once: a second pair"; rc=$(real_pair 2); }
case $rc in
run:4) sed 's/^/# /' "$TMP/run.log"; skip "faults-maps cannot run here (exit 4, see above)" ;;
run:*) sed 's/^/# /' "$TMP/run.log"; ok 1 "faults-maps runs twice (${rc#run:})" ;;
*)
	sed 's/^/# /' "$(ls -t "$TMP"/real?.txt | head -1)"
	ok $((rc == 1)) "the same scenario run twice: --gate does not say regression (exit $rc; 3 tolerated)"
	;;
esac
done_testing
