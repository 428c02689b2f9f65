#!/bin/bash
# compare and gate on metrics of the registry
# with synthetic results (gen_result.py):
# per-op lock numbers compared and gated where both sides have them, a p99
# of one op per repeat not comparable, --alpha out of range refused, and a
# role without lock events without "too few repeats" rows.
. "$(dirname "$0")/lib.sh"
GEN=tests/integration/gen_result.py
export PTBENCH_PLOTS="$PWD/plots"
gen() { python3 $GEN "$TMP/$1.json" "$2"; }
metric() { # metric FILE NAME FIELD: FIELD of metric NAME in the JSON output ("absent")
	json "$1" "([m['$3'] for m in d['comparisons'][0]['metrics'] if m['metric'] == '$2'] + ['absent'])[0]"
}
cmp_json() { # cmp_json OUT ARGS...: JSON output to OUT, exit status echoed
	local out=$1
	shift
	$PTBENCH compare --format json "$@" >"$out" 2>"$out.err"
	echo $?
}

# faulter: 100000 faults and 100000 zaps a repeat; the zaps take the read
# lock ZAP_READS times in all (per-op attribution), the role as a whole 4
# per fault (a role's count is at least the sum over its ops)
perop() { # perop NAME ZAP_READS [EXTRA_SPEC]
	gen "$1" "{\"headline\": \"\", \"scale\": [1.0, 1.01, 0.99, 1.02, 0.98],
		\"ops\": {\"faulter.fault\": [1.0, 1.01, 0.99, 1.02, 0.98], \"faulter.zap\": [1.0, 1.01, 0.99, 1.02, 0.98]},
		\"unit_ops\": {\"faulter\": \"fault\"}, \"locks\": {\"faulter\": {\"read\": 400000}},
		\"perop\": {\"faulter\": {\"zap\": {\"read\": $2}}} $3}"
}
perop base 100000
perop cand 200000
perop same 100000
gen noperop '{"headline": "", "scale": [1.0, 1.01, 0.99, 1.02, 0.98],
	"ops": {"faulter.fault": [1.0, 1.01, 0.99, 1.02, 0.98], "faulter.zap": [1.0, 1.01, 0.99, 1.02, 0.98]},
	"unit_ops": {"faulter": "fault"}, "locks": {"faulter": {"read": 400000}}}'

Z=mmap_lock.roles.faulter.ops.zap.acquisitions.read.per_zap
rc=$(cmp_json "$TMP/o.json" "$TMP/base.json" "$TMP/cand.json" --gate)
is "$rc" 1 "per-op: zaps taking the read lock twice instead of once: --gate exits 1"
is "$(metric "$TMP/o.json" $Z verdict)" regressed "per-op: $Z 1 -> 2: regressed"
is "$(metric "$TMP/o.json" $Z gated)" True "per-op: gated by default, like the role's acquisitions"
is "$(metric "$TMP/o.json" mmap_lock.roles.faulter.ops.fault.acquisitions.read.per_fault verdict)" unchanged \
	"per-op: faults (no events of their own in the probe's per-op numbers) count 0, unchanged"
is "$(metric "$TMP/o.json" mmap_lock.roles.faulter.acquisitions.read.per_fault verdict)" unchanged \
	"per-op: the role's acquisitions per unit op stay"
rc=$(cmp_json "$TMP/o.json" "$TMP/base.json" "$TMP/same.json" --gate)
is "$rc" 0 "per-op: the same numbers pass"
rc=$(cmp_json "$TMP/o.json" "$TMP/base.json" "$TMP/noperop.json" --gate --all-metrics)
is "$rc" 0 "per-op: a candidate without per-op numbers: the role's metrics decide (exit 0)"
is "$(metric "$TMP/o.json" $Z verdict)" absent "per-op: left out where one side has none"
$PTBENCH compare "$TMP/base.json" "$TMP/cand.json" --format markdown >"$TMP/o.md" 2>/dev/null
grep -q "ops.zap.acquisitions.read.per_zap" "$TMP/o.md"
ok $? "per-op: in the markdown report too"

# the probe's per_op flag: a repeat with per-op attribution where no op took
# the lock still counts 0 per op
perop nozap 0 ', "perop": {}'
rc=$(cmp_json "$TMP/o.json" "$TMP/base.json" "$TMP/nozap.json" --gate)
is "$(metric "$TMP/o.json" $Z verdict)" improved "per_op true, no op with events: zaps took 0 read locks each (improved)"

# vma_lock per op: fallbacks gated per fault only
vma='"vma": {"roles": {"faulter": {"attempts": 200000, "fallbacks": 100000}},
	"ops": {"faulter": {"fault": {"attempts": 100000, "fallbacks": FB}, "zap": {"fallbacks": 0}}}}'
perop vbase 100000 ", ${vma/FB/0}"
perop vcand 100000 ", ${vma/FB/100000}"
rc=$(cmp_json "$TMP/o.json" "$TMP/vbase.json" "$TMP/vcand.json" --gate)
is "$rc" 1 "per-op vma_lock: every fault falling back: exit 1"
is "$(metric "$TMP/o.json" vma_lock.roles.faulter.ops.fault.fallbacks.per_fault verdict)" regressed \
	"per-op vma_lock: fallbacks per fault 0 -> 1: regressed"
is "$(metric "$TMP/o.json" vma_lock.roles.faulter.ops.zap.fallbacks.per_zap gated)" False \
	"per-op vma_lock: fallbacks per zap listed, not gated"

# the gate pools them (sums of counts per boot) and judges them
for i in 1 2 3 4; do
	perop "gb$i" 10000$i
	perop "gc$i" 20000$i
done
timeout 300 $PTBENCH gate --no-plots -o "$TMP/g" --base-results "$TMP/gb1.json" --base-results "$TMP/gb2.json" \
	--base-results "$TMP/gb3.json" --base-results "$TMP/gb4.json" --cand-results "$TMP/gc1.json" \
	--cand-results "$TMP/gc2.json" --cand-results "$TMP/gc3.json" --cand-results "$TMP/gc4.json" \
	>"$TMP/g.out" 2>&1
is "$?" 1 "gate: per-op read locks per zap doubled in every boot: exit 1"
grep -rq "ops.zap.acquisitions.read.per_zap" "$TMP/g/" 2>/dev/null
ok $? "gate: the per-op metric is in the gate's reports"

# --- a p99 of one op per repeat is no p99
gen one_a '{"headline": "faulter.fault.p99", "counts": {"faulter.fault": 1}}'
gen one_b '{"headline": "faulter.fault.p99", "counts": {"faulter.fault": 1}, "scale": [1.0, 1.0, 1.01, 1.0, 0.99]}'
rc=$(cmp_json "$TMP/o.json" "$TMP/one_a.json" "$TMP/one_b.json" --gate)
is "$rc" 3 "one op per repeat, p99 gated: undecided (exit 3), not a pass"
is "$(metric "$TMP/o.json" faulter.fault.p99 verdict)" "not comparable" "one op's p99: not comparable"
case $(metric "$TMP/o.json" faulter.fault.p99 why) in
*"too few ops for a p99"*) ok 0 "the reason: too few ops for a p99" ;;
*) ok 1 "the reason: too few ops for a p99 (got: $(metric "$TMP/o.json" faulter.fault.p99 why))" ;;
esac
is "$(metric "$TMP/o.json" faulter.fault.max verdict)" unchanged "one op's max is still compared"
$PTBENCH compare --gate --format junit "$TMP/one_a.json" "$TMP/one_b.json" >"$TMP/one.xml" 2>/dev/null
grep -q '<skipped type="not comparable"' "$TMP/one.xml"
ok $? "junit: the one-op p99 is skipped, not passed"

# pooled by the gate (counts summed over a boot's repeats), still one op a repeat
args=()
for i in 1 2 3 4; do
	gen "ob$i" "{\"headline\": \"faulter.fault.p99\", \"counts\": {\"faulter.fault\": 1}, \"scale\": [1.0$i, 1.0, 0.99]}"
	gen "oc$i" "{\"headline\": \"faulter.fault.p99\", \"counts\": {\"faulter.fault\": 1}, \"scale\": [1.0, 1.0$i, 0.98]}"
	args+=(--base-results "$TMP/ob$i.json" --cand-results "$TMP/oc$i.json")
done
timeout 300 $PTBENCH gate --no-plots -o "$TMP/og" "${args[@]}" >"$TMP/og.out" 2>&1
is "$?" 3 "gate: a p99 of one op per repeat, 3 repeats a boot: undecided (exit 3), not a pass"

# --- --alpha out of range
for a in 0.999999 0.5 0 -0.05 1 x; do
	$PTBENCH compare --alpha "$a" "$TMP/base.json" "$TMP/same.json" >/dev/null 2>"$TMP/a.err"
	is "$?" 2 "--alpha $a refused (exit 2)"
done
grep -q "at most 0.2" "$TMP/a.err"
ok $? "the refusal says the range"
$PTBENCH compare --alpha 0.2 "$TMP/base.json" "$TMP/same.json" >/dev/null 2>&1
is "$?" 0 "--alpha 0.2 accepted"

# --- a role with no lock events
gen quiet_a '{"headline": "", "locks": {"faulter": {"read": 100000}}, "unit_ops": {"faulter": "fault", "reader": "read"}}'
gen quiet_b '{"headline": "", "locks": {"faulter": {"read": 100000}}, "unit_ops": {"faulter": "fault", "reader": "read"},
	"scale": [1.0, 1.01, 0.99, 1.0, 1.0]}'
$PTBENCH compare --all-metrics "$TMP/quiet_a.json" "$TMP/quiet_b.json" >"$TMP/q.txt" 2>&1
cmp_json "$TMP/q.json" --all-metrics "$TMP/quiet_a.json" "$TMP/quiet_b.json" >/dev/null
is "$(json "$TMP/q.json" "[(m['baseline']['median'], m['candidate']['median'], m['verdict']) for m in d['comparisons'][0]['metrics'] if m['metric'] == 'mmap_lock.roles.reader.acquisitions.read.per_read'][0]")" \
	"(0.0, 0.0, 'unchanged')" "a role the probe saw nothing of: zero acquisitions per op on both sides, unchanged"
grep -q "mmap_lock.roles.reader.acquisitions.read.per_read" "$TMP/q.txt"
ok $? "a role the probe saw nothing of: its acquisitions per op are listed (zero)"
n=$(grep -c "too few repeats" "$TMP/q.txt")
is "$n" 0 "no row claims too few repeats for a role or mode without events"
grep -E 'mmap_lock.roles.reader.(wait|hold)\.' "$TMP/q.txt" && ok 1 "no wait/hold percentile rows for the role without events" ||
	ok 0 "no wait/hold percentile rows for the role without events"

done_testing
