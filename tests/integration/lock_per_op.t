#!/bin/bash
# Lock events attributed to the op they happened in (BPF backend): on
# sequences whose locks this kernel makes exact, each op's numbers are its
# own ops' locks, the ops add up to no more than their role, and the
# tracefs backend says it has no per-op numbers.
#   mmap-churn (mmap + munmap of 64K, one thread): each mmap takes mmap_lock
#   for write once, each munmap for write once and downgrades it to read
#   (vm_mmap_pgoff(); do_vmi_align_munmap() with unlock: mmap_write_downgrade()).
#   fault (one thread, 64K: 16 faults, then one MADV_DONTNEED): each fault is
#   one VMA-lock attempt, a zap none; a zap takes mmap_lock for read up to
#   6.16 and not from 6.17 (per-VMA MADV_DONTNEED; measured: 1.0
#   per zap on 6.12, ~0 on 6.17 to 7.3) and a fault none where its VMA lock
#   holds.
. "$(dirname "$0")/lib.sh"

QUICK="--duration 1s --warmup 200ms --repeat 1 --quiet"

if [ "$(id -u)" -ne 0 ]; then
	skip "per-op lock numbers: BPF needs root"
	done_testing
	exit
fi
$PTBENCH run tests/perf/churn-only.ini $QUICK --lock-probe bpf -o "$TMP/churn.json" 2>"$TMP/err"
if [ "$(json "$TMP/churn.json" "d['repeats'][0]['probes']['mmap_lock'].get('backend')" 2>/dev/null)" != bpf ]; then
	why=$(json "$TMP/churn.json" "d['repeats'][0]['probes']['mmap_lock'].get('why')" 2>/dev/null)
	if [ -n "$PTBENCH_REQUIRE_BPF" ]; then
		ok 1 "BPF backend runs (PTBENCH_REQUIRE_BPF is set): ${why:-$(head -1 "$TMP/err")}"
	else
		skip "BPF backend cannot run here: ${why:-$(head -1 "$TMP/err")}"
	fi
	done_testing
	exit
fi

# check FILE PROBE ROLE PYTHON_EXPR: r is the role's probe object, o its ops,
# w the role's worker ops (counts by op name); prints the expression
check() {
	python3 - "$@" <<'PY'
import json, sys
f, probe, role, expr = sys.argv[1:5]
rep = json.load(open(f))['repeats'][0]
r = rep['probes'][probe]['roles'][role]
o = r.get('ops', {})
w = {k: v['count'] for k, v in rep['workers'][role]['ops'].items()}
def cnt(x, path):
    for k in path.split('.'):
        x = x[k]
    return x
def sums_ok(keys):
    return all(sum(cnt(v, k) for v in o.values()) <= cnt(r, k) for k in keys)
print(eval(expr))
PY
}
ML_KEYS="['events','downgrades','trylocks','failed_trylocks','failed_locks','unmatched','wait.read.count','wait.write.count','hold.read.count','hold.write.count']"

is "$(json "$TMP/churn.json" "d['repeats'][0]['probes']['mmap_lock']['per_op']")" True "churn: the probe had the op markers (per_op)"
is "$(check "$TMP/churn.json" mmap_lock churn "sorted(o) == sorted(w)")" True "churn: ops are the worker's ops (mmap, munmap)"
diag "churn: mmap $(check "$TMP/churn.json" mmap_lock churn "(w['mmap'], o['mmap']['hold']['write']['count'], o['mmap']['downgrades'])") munmap $(check "$TMP/churn.json" mmap_lock churn "(w['munmap'], o['munmap']['hold']['write']['count'], o['munmap']['downgrades'], o['munmap']['hold']['read']['count'])")"
is "$(check "$TMP/churn.json" mmap_lock churn "w['mmap'] > 0 and o['mmap']['hold']['write']['count'] == w['mmap'] and o['mmap']['hold']['read']['count'] == 0 and o['mmap']['downgrades'] == 0")" True \
	"churn: mmap's write holds = its ops, no read hold, no downgrade"
is "$(check "$TMP/churn.json" mmap_lock churn "o['munmap']['hold']['write']['count'] == w['munmap'] and o['munmap']['downgrades'] == w['munmap'] and o['munmap']['hold']['read']['count'] == w['munmap']")" True \
	"churn: munmap's write holds, downgrades and read holds = its ops"
is "$(check "$TMP/churn.json" mmap_lock churn "sums_ok($ML_KEYS)")" True "churn: every counter of the ops adds up to no more than the role's"

# N faults + M zaps in one thread
cat >"$TMP/fz.ini" <<'INI'
[scenario]
description = one thread: 16 faults then a zap, over and over
duration = 1s
warmup = 200ms
repeat = 1

[worker faulter]
type = fault
threads = 1
size = 64K
INI
$PTBENCH run "$TMP/fz.ini" $QUICK --lock-probe bpf -o "$TMP/fz.json"
ok $? "fault + zap: the run succeeds"
rel=$(uname -r)
old=$(python3 -c "import sys; v=tuple(int(x) for x in sys.argv[1].split('-')[0].split('.')[:2]); print(int(v < (6, 17)))" "$rel")
diag "kernel $rel; faults/zaps $(check "$TMP/fz.json" mmap_lock faulter "(w['fault'], w['zap'])"); zap read holds $(check "$TMP/fz.json" mmap_lock faulter "o['zap']['hold']['read']['count']"); fault events $(check "$TMP/fz.json" mmap_lock faulter "o['fault']['events']")"
is "$(check "$TMP/fz.json" mmap_lock faulter "w['zap'] > 0 and o['zap']['hold']['read']['count'] == ($old and w['zap'] or 0) and o['zap']['hold']['write']['count'] == 0")" True \
	"fault + zap: zap's mmap_lock read holds = $([ "$old" = 1 ] && echo "its zaps (up to 6.16)" || echo "0 (6.17+: per-VMA MADV_DONTNEED)")"
is "$(check "$TMP/fz.json" mmap_lock faulter "sums_ok($ML_KEYS)")" True "fault + zap: the ops add up to no more than the role"
vma=$(json "$TMP/fz.json" "d['repeats'][0]['probes']['vma_lock']['available']")
if [ "$vma" = True ]; then
	diag "vma_lock: method $(json "$TMP/fz.json" "d['repeats'][0]['probes']['vma_lock']['method']"), shares the mmap_lock programs: $(json "$TMP/fz.json" "d['repeats'][0]['probes']['vma_lock'].get('shares_mmap_lock_programs')")"
	is "$(json "$TMP/fz.json" "d['repeats'][0]['probes']['vma_lock']['shares_mmap_lock_programs']")" True \
		"fault + zap: vma_lock and mmap_lock share one program per tracepoint"
	is "$(check "$TMP/fz.json" vma_lock faulter "o['fault']['attempts'] == w['fault'] and o['zap']['attempts'] == 0 and o['zap']['fallbacks'] == 0")" True \
		"fault + zap: each fault is one VMA-lock attempt of op fault, a zap none ($(check "$TMP/fz.json" vma_lock faulter "(w['fault'], o['fault']['attempts'], o['fault']['fallbacks'])"))"
	is "$(check "$TMP/fz.json" vma_lock faulter "sums_ok(['attempts','locked','fallbacks'])")" True "fault + zap: vma_lock's ops add up to no more than the role"
	if [ "$old" = 0 ]; then
		# a fault whose VMA lock held took no mmap_lock: the fault op's
		# events are its fallbacks' (a read acquire each)
		is "$(check "$TMP/fz.json" mmap_lock faulter "o['fault']['hold']['read']['count']") " \
			"$(check "$TMP/fz.json" vma_lock faulter "o['fault']['fallbacks']") " \
			"fault + zap: the fault op's mmap_lock read holds are its VMA-lock fallbacks"
	fi
else
	skip "vma_lock: $(json "$TMP/fz.json" "d['repeats'][0]['probes']['vma_lock'].get('why')")"
fi

# tracefs: no per-op numbers, and it says why
$PTBENCH run tests/perf/churn-only.ini $QUICK --lock-probe tracefs -o "$TMP/tfs.json"
is "$(json "$TMP/tfs.json" "(lambda p: (p['backend'], p['per_op'], 'BPF only' in p['per_op_why'], any('ops' in r for r in p['roles'].values())))(d['repeats'][0]['probes']['mmap_lock'])")" \
	"('tracefs', False, True, False)" "tracefs: per_op false with the reason, no ops objects"
# the reader accepts what the run wrote (compare reads through it)
$PTBENCH compare "$TMP/churn.json" "$TMP/churn.json" >/dev/null 2>"$TMP/cerr"
ok $? "the result reader accepts the per-op result ($(grep -v warning "$TMP/cerr" | head -1))"
done_testing
