#!/bin/bash
# The BPF backend of the mmap_lock probe and the per-VMA lock probe on this
# kernel: the default run uses BPF and says so; both backends count the same
# acquisitions per op on a deterministic workload (parity); the backend
# choice (--lock-probe, lock_probe in [scenario], --no-trace) and the
# fallback chain (BPF refused by the test switch or for an unprivileged user
# -> tracefs -> off) are reported in probes.mmap_lock.backend/why; the
# programs and maps are gone after a normal run, SIGINT, SIGTERM and a fatal
# signal; the per-VMA lock counters move for a fault worker beside churn; the
# sanitized build runs the BPF path clean.
. "$(dirname "$0")/lib.sh"

ml() { json "$1" "d['repeats'][0]['probes']['mmap_lock']$2"; }
vl() { json "$1" "d['repeats'][0]['probes']['vma_lock']$2"; }
QUICK="--duration 1s --warmup 200ms --repeat 1 --quiet"

# usage errors come before anything runs, for everyone
$PTBENCH run churn-smaps --lock-probe ebpf -o "$TMP/x.json" 2>"$TMP/err"
is $? 2 "--lock-probe ebpf: usage error (exit 2)"
grep -q "not a backend" "$TMP/err"; ok $? "--lock-probe ebpf: says why ($(head -1 "$TMP/err"))"
$PTBENCH run churn-smaps --no-trace --lock-probe bpf -o "$TMP/x.json" 2>"$TMP/err"
is $? 2 "--no-trace with --lock-probe bpf: usage error (exit 2)"
$PTBENCH run churn-smaps $QUICK --lock-probe off -o "$TMP/off.json"
ok $? "--lock-probe off: the run succeeds"
is "$(ml "$TMP/off.json" "['backend']")" "off" "--lock-probe off: backend off"
is "$(ml "$TMP/off.json" "['why']")" "turned off with --lock-probe off" "--lock-probe off: says why"
$PTBENCH run churn-smaps $QUICK --no-trace -o "$TMP/nt.json"
is "$(ml "$TMP/nt.json" "['backend']")" "off" "--no-trace: backend off"

if [ "$(id -u)" -ne 0 ]; then
	skip "BPF: needs root"
	done_testing
	exit
fi
if ! grep -q '"bpf"' <($PTBENCH run churn-smaps $QUICK --lock-probe bpf -o "$TMP/probe.json" >/dev/null 2>&1; cat "$TMP/probe.json") ||
	[ "$(ml "$TMP/probe.json" "['available']")" != True ]; then
	# CI installs clang, bpftool and libbpf-dev: there this must not happen
	why=$(ml "$TMP/probe.json" "['why']" 2>/dev/null)
	if [ -n "$PTBENCH_REQUIRE_BPF" ]; then
		ok 1 "BPF backend runs (PTBENCH_REQUIRE_BPF is set): $why"
	else
		skip "BPF backend cannot run here: $why"
	fi
	done_testing
	exit
fi

# the default: BPF, with the keys compare and plot read
$PTBENCH run churn-smaps --duration 1s --warmup 200ms --repeat 1 -o "$TMP/on.json" >"$TMP/on.txt"
ok $? "default: the churn + smaps run succeeds"
is "$(ml "$TMP/on.json" "['backend']")" "bpf" "default: backend bpf"
is "$(ml "$TMP/on.json" "['available']")" "True" "default: probe available"
diag "why: $(ml "$TMP/on.json" "['why']")"
w=$(ml "$TMP/on.json" "['roles']['churn']['wait']['write']['count']")
r=$(ml "$TMP/on.json" "['roles']['reader']['wait']['read']['count']")
dg=$(ml "$TMP/on.json" "['roles']['churn']['downgrades']")
ok $([ "$w" -gt 0 ] && echo 0 || echo 1) "bpf: churn write waits recorded ($w)"
ok $([ "$r" -gt 0 ] && echo 0 || echo 1) "bpf: reader read waits recorded ($r)"
ok $([ "$dg" -gt 0 ] && echo 0 || echo 1) "bpf: munmap's downgrades seen ($dg)"
is "$(ml "$TMP/on.json" "['lost_events'] == 0 and d['repeats'][0]['probes']['mmap_lock']['hold']['write']['ns']['p99'] > 0 and len(d['repeats'][0]['probes']['mmap_lock']['wait']['write']['buckets']) > 0")" \
	"True" "bpf: no loss, percentiles and buckets under the tracefs names"
# every sample is in exactly one bucket: each histogram's buckets add up to
# its count (hstat's exact one), the probe's, each role's, each op's
hists_exact() {
	python3 - "$1" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))['repeats'][0]['probes']['mmap_lock']
bad, n = [], 0
def check(where, o):
    global n
    for kind in ('wait', 'hold'):
        for mode in ('read', 'write'):
            h = o.get(kind, {}).get(mode)
            if not h:
                continue
            n += 1
            s = sum(c for _, c in h.get('buckets', []))
            if s != h['count']:
                bad.append('%s %s %s: buckets %d, count %d' % (where, kind, mode, s, h['count']))
check('probe', p)
for role, r in p['roles'].items():
    check(role, r)
    for op, o in r.get('ops', {}).items():
        check(role + '.' + op, o)
if n == 0:
    bad.append('no histogram found')
print('%d histograms, %s' % (n, '; '.join(bad) if bad else 'all exact'))
PY
}
exact=$(hists_exact "$TMP/on.json")
case "$exact" in
*"all exact") ok 0 "bpf: each histogram's buckets add up to its count ($exact)" ;;
*) ok 1 "bpf: each histogram's buckets add up to its count ($exact)" ;;
esac
is "$(ml "$TMP/on.json" "['field_layout']")" \
	"$(grep -q "__data_loc_memcg_path" <(bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | grep -A4 "'trace_event_raw_mmap_lock'") && echo memcg_path || echo memcg_id)" \
	"bpf: the tracepoint layout of this kernel was recognised"
grep -q "mmap_lock probe: bpf" "$TMP/on.txt"; ok $? "bpf: the summary names the backend"
grep -q "mmap_lock role" "$TMP/on.txt"; ok $? "bpf: the summary has the mmap_lock table"

# parity on a deterministic workload: one thread, mmap + munmap of 64K:
# 2 write locks and 1 downgrade per iteration, whichever backend counts them
par() { # par FILE -> acquisitions per op, downgrades per op
	json "$1" "(lambda r: (lambda p, n: '%.4f %.4f' % ((p['wait']['read']['count'] + p['wait']['write']['count'] + p['trylocks']) / n, p['downgrades'] / n))(r['probes']['mmap_lock']['roles']['churn'], r['workers']['churn']['ops']['mmap']['count']))(d['repeats'][0])"
}
for b in bpf tracefs; do
	$PTBENCH run tests/perf/churn-only.ini $QUICK --lock-probe $b -o "$TMP/par-$b.json"
	is "$(ml "$TMP/par-$b.json" "['backend']")" "$b" "parity: $b ran"
done
read -r ab db <<<"$(par "$TMP/par-bpf.json")"
read -r at dt <<<"$(par "$TMP/par-tracefs.json")"
diag "acquisitions/op bpf $ab tracefs $at; downgrades/op bpf $db tracefs $dt"
ok $(python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); sys.exit(0 if a > 0 and abs(a-b)/max(a,b) <= 0.02 else 1)" "$ab" "$at"; echo $?) \
	"parity: acquisitions per op within 2% (bpf $ab, tracefs $at)"
ok $(python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); sys.exit(0 if a > 0 and abs(a-b)/max(a,b) <= 0.02 else 1)" "$db" "$dt"; echo $?) \
	"parity: downgrades per op within 2% (bpf $db, tracefs $dt)"

# the fallback chain
PTBENCH_TEST_NO_BPF=1 $PTBENCH run churn-smaps $QUICK -o "$TMP/fb.json"
is "$(ml "$TMP/fb.json" "['backend']")" "tracefs" "BPF refused (test switch): falls back to tracefs"
case "$(ml "$TMP/fb.json" "['why']")" in
*"bpf: refused by the test switch"*"so tracefs ran"*) ok 0 "BPF refused: says why" ;;
*) ok 1 "BPF refused: says why (got '$(ml "$TMP/fb.json" "['why']")')" ;;
esac
is "$(vl "$TMP/fb.json" "['available']")" "False" "BPF refused: the per-VMA lock probe is off too"
PTBENCH_TEST_NO_BPF=1 $PTBENCH run churn-smaps $QUICK --lock-probe bpf -o "$TMP/fbb.json"
ok $? "--lock-probe bpf refused: the run goes on"
is "$(ml "$TMP/fbb.json" "['backend']")" "off" "--lock-probe bpf refused: no fallback when a backend is asked for"
if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	NB=$(mktemp -d /tmp/ptbench-nobody.XXXXXX)
	cp -r ptbench scenarios "$NB/"
	chmod -R a+rX "$NB"
	chmod a+rwx "$NB"
	(cd "$NB" && setpriv --reuid=nobody --regid=nogroup --clear-groups ./ptbench run churn-smaps $QUICK -o "$NB/nobody.json")
	ok $? "nobody: the run succeeds"
	is "$(ml "$NB/nobody.json" "['backend']")" "off" "nobody: BPF and tracefs refused, backend off"
	case "$(ml "$NB/nobody.json" "['why']")" in
	*"bpf: "*"tracefs: "*) ok 0 "nobody: says why for both" ;;
	*) ok 1 "nobody: says why for both (got '$(ml "$NB/nobody.json" "['why']")')" ;;
	esac
	rm -rf "$NB"
else
	skip "nobody: needs setpriv and a nobody user"
	skip "nobody: (as above)"
	skip "nobody: (as above)"
fi

# the backend from the scenario, and --lock-probe over it
sed 's/^\[scenario\]/[scenario]\nlock_probe = tracefs/' tests/perf/churn-only.ini >"$TMP/sc.ini"
$PTBENCH run "$TMP/sc.ini" $QUICK -o "$TMP/sc.json"
is "$(ml "$TMP/sc.json" "['backend']")" "tracefs" "lock_probe = tracefs in [scenario]: tracefs"
is "$(ml "$TMP/sc.json" "['why']")" "asked for with lock_probe = tracefs in [scenario]" "lock_probe: says where from"
$PTBENCH run "$TMP/sc.ini" $QUICK --lock-probe bpf -o "$TMP/sc2.json"
is "$(ml "$TMP/sc2.json" "['backend']")" "bpf" "--lock-probe bpf overrides the scenario"
is "$(vl "$TMP/sc.json" "['available']")" "False" "per-VMA lock probe off with the tracefs backend"

# per-VMA locks: the default scenario has page-fault threads beside churn
$PTBENCH run default $QUICK -o "$TMP/vma.json"
if [ "$(vl "$TMP/vma.json" "['available']")" = True ]; then
	att=$(vl "$TMP/vma.json" "['roles']['faulter']['attempts']")
	lk=$(vl "$TMP/vma.json" "['roles']['faulter']['locked']")
	diag "vma_lock: method $(vl "$TMP/vma.json" "['method']"), faulter attempts $att locked $lk fallbacks $(vl "$TMP/vma.json" "['roles']['faulter']['fallbacks']")"
	ok $([ "$att" -gt 0 ] && echo 0 || echo 1) "vma_lock: the faulter's VMA lock attempts counted ($att)"
	ok $([ "$lk" -gt 0 ] && [ "$lk" -le "$att" ] && echo 0 || echo 1) "vma_lock: VMA locks taken ($lk of $att)"
	is "$(vl "$TMP/vma.json" "['roles']['churn']['attempts'] <= d['repeats'][0]['probes']['vma_lock']['attempts']")" "True" \
		"vma_lock: the totals include the roles"
else
	case "$(uname -r)" in
	[1-5].* | 6.[0-3].*) skip "vma_lock: no per-VMA locks before 6.4: $(vl "$TMP/vma.json" "['why']")" ;;
	*) ok 1 "vma_lock: unavailable on $(uname -r): $(vl "$TMP/vma.json" "['why']")" ;;
	esac
	skip "vma_lock: (as above)"
	skip "vma_lock: (as above)"
fi

# Nothing stays loaded: the programs (ptbench_*) a run loaded are gone after
# it, however it ended. Ids are taken while it runs, so another run's
# programs do not confuse the check.
progs() { bpftool -j prog show 2>/dev/null | python3 -c "import json,sys; print(' '.join(str(p['id']) for p in json.load(sys.stdin) if p.get('name','').startswith('ptbench_')))"; }
maps() { bpftool -j map show 2>/dev/null | python3 -c "import json,sys; print(' '.join(str(p['id']) for p in json.load(sys.stdin) if p.get('name','').startswith('ptbench_')))"; }
gone() { # gone "IDS" "NOW" -> 0 when none of IDS is in NOW
	for id in $1; do case " $2 " in *" $id "*) return 1 ;; esac; done
	return 0
}
before=$(progs)
mbefore=$(maps)
ulimit -c 0
for how in normal INT TERM SEGV; do
	dur=120s # a signal ends it long before; a loaded machine may be slow to load BPF
	[ $how = normal ] && dur=5s
	$PTBENCH run churn-smaps --duration $dur --warmup 0 --repeat 1 --quiet -o "$TMP/$how.json" &
	pid=$!
	seen=
	for _ in $(seq 100); do
		now=$(progs)
		seen=$(for id in $now; do case " $before " in *" $id "*) ;; *) echo "$id" ;; esac; done | tr '\n' ' ')
		[ -n "$seen" ] && break
		sleep 0.1
	done
	mnow=$(maps)
	mseen=$(for id in $mnow; do case " $mbefore " in *" $id "*) ;; *) echo "$id" ;; esac; done | tr '\n' ' ')
	ok $([ -n "$seen" ] && echo 0 || echo 1) "$how: programs loaded while running ($seen)"
	if [ $how != normal ]; then
		sleep 0.3
		kill -0 $pid 2>/dev/null || diag "$how: the run ended before the signal (after $SECONDS s of the test)"
		kill -$how $pid
	fi
	wait $pid
	rc=$?
	case $how in
	normal) is "$rc" 0 "normal: exit 0" ;;
	INT | TERM) is "$rc" "$((128 + $(kill -l $how)))" "SIG$how: exit code 128+signal" ;;
	SEGV) ok $([ "$rc" -ne 0 ] && echo 0 || echo 1) "SIGSEGV: the run died ($rc)" ;;
	esac
	# the kernel frees programs after RCU grace periods (tracing programs wait
	# for RCU tasks-trace too, which can take seconds): poll up to 10 s
	for _ in $(seq 100); do gone "$seen" "$(progs)" && break; sleep 0.1; done
	gone "$seen" "$(progs)"; ok $? "$how: its programs are gone"
	gone "$mseen" "$(maps)"; ok $? "$how: its maps are gone"
done

# the sanitized build through the BPF path
$PTBENCH_ASAN run scenarios/default.ini --duration 500ms --warmup 100ms --repeat 2 --quiet -o "$TMP/asan.json" 2>"$TMP/asan.err"
ok $? "asan: a BPF-probed run is clean"
is "$(ml "$TMP/asan.json" "['backend']")" "bpf" "asan: it used the BPF backend"
grep -q "ERROR: AddressSanitizer\|runtime error\|LeakSanitizer" "$TMP/asan.err" && { ok 1 "asan: no reports"; head -20 "$TMP/asan.err" | sed 's/^/# /'; } || ok 0 "asan: no reports"
done_testing
