#!/bin/bash
# The tail probe (src/probes/tail.c, src/bpf/tail.bpf.c): off by default; on a
# worker whose slow op sleeps in a known kernel path (the sleep worker's
# nanosleep) the top stack is that path's (hrtimer_nanosleep, do_nanosleep);
# ops that leave the CPU but end under the threshold keep nothing; --folded
# writes the same stacks for flame-graph tools; without kernel symbols or a
# BPF stack map it says why; bad flags exit 2; and no program or map of it
# outlives the run, however it ends.
. "$(dirname "$0")/lib.sh"
tail_of() { json "$1" "d['repeats'][0]['probes']['tail']$2"; }

cat >"$TMP/sleep.ini" <<'EOF'
[scenario]
name = tail-sleep
duration = 1200ms
warmup = 100ms
repeat = 1

# every op sleeps 300 ms: past a 150 ms threshold
[worker slow]
type = sleep
threads = 1
sleep = 300ms
sleep_every = 1

# every op sleeps 2 ms: off CPU, but never near the threshold
[worker fast]
type = sleep
threads = 1
sleep = 2ms
sleep_every = 1
EOF
Q="--quiet"

# --- bad input: exit 2, before anything runs ---------------------------------
for BIN in "$PTBENCH" "$PTBENCH_ASAN"; do
	n=${BIN##*/}
	"$BIN" run "$TMP/sleep.ini" --tail-threshold soon -o "$TMP/bad.json" >/dev/null 2>"$TMP/err"
	is "$?" 2 "$n: --tail-threshold soon: exit 2"
	grep -q -- "--tail-threshold" "$TMP/err"; ok $? "$n: the message names --tail-threshold ($(head -1 "$TMP/err"))"
	"$BIN" run "$TMP/sleep.ini" --folded "$TMP/f" --no-trace -o "$TMP/bad.json" >/dev/null 2>"$TMP/err"
	is "$?" 2 "$n: --folded with --no-trace: exit 2"
	"$BIN" run "$TMP/sleep.ini" --folded "$TMP/f" --sweep slow.threads=1,2 -o "$TMP/bad.json" >/dev/null 2>"$TMP/err"
	is "$?" 2 "$n: --folded with --sweep: exit 2"
	"$BIN" run "$TMP/sleep.ini" --folded "$TMP/no/such/dir/f" -o "$TMP/bad.json" >/dev/null 2>"$TMP/err"
	is "$?" 2 "$n: --folded into a missing directory: exit 2"
	grep -q -- "--folded" "$TMP/err"; ok $? "$n: the message names --folded"
	[ ! -e "$TMP/bad.json" ]; ok $? "$n: nothing written"
done
"$PTBENCH" run "$TMP/sleep.ini" --set scenario.tail_threshold=-1ms --dry-run >/dev/null 2>"$TMP/err"
is "$?" 2 "tail_threshold = -1ms: exit 2"
fake_kernel "$TMP/vmlinuz-x"
PTBENCH_QEMU=/bin/false "$PTBENCH" vm --kernel "$TMP/vmlinuz-x" -o "$TMP/vm" run "$TMP/sleep.ini" --folded "$TMP/f" >/dev/null 2>"$TMP/err"
is "$?" 2 "vm: --folded in the run arguments: exit 2"
grep -q "would stay in the guest" "$TMP/err"; ok $? "vm: says why ($(head -1 "$TMP/err"))"

# --- off by default -------------------------------------------------------------
"$PTBENCH" run "$TMP/sleep.ini" --duration 300ms $Q -o "$TMP/off.json"
ok $? "a run without the tail probe succeeds"
is "$(tail_of "$TMP/off.json" "['available']")" False "off by default: available false"
tail_of "$TMP/off.json" "['why']" | grep -q "^off (tail_probe = true"; ok $? "off by default: says how to turn it on"

if [ "$(id -u)" -ne 0 ]; then
	skip "tail probe: needs root (BPF)"
	done_testing
	exit
fi
"$PTBENCH" run "$TMP/sleep.ini" --tail-threshold 150ms --folded "$TMP/on.folded" $Q -o "$TMP/on.json" 2>"$TMP/on.err"
rc=$?
if [ "$rc" -ne 0 ] || [ "$(tail_of "$TMP/on.json" "['available']")" != True ]; then
	why=$(tail_of "$TMP/on.json" "['why']" 2>/dev/null)
	if [ -n "$PTBENCH_REQUIRE_BPF" ]; then
		ok 1 "the tail probe runs (PTBENCH_REQUIRE_BPF is set): rc $rc, $why"
	else
		skip "the tail probe cannot run here: rc $rc, $why"
	fi
	done_testing
	exit
fi

# --- the known slow op ----------------------------------------------------------------
is "$(tail_of "$TMP/on.json" "['threshold_ns']")" 150000000 "threshold_ns: 150 ms (--tail-threshold)"
n=$(tail_of "$TMP/on.json" "['roles']['slow']['ops']['sleep']['tail_ops']")
ok $([ "$n" -ge 1 ] && echo 0 || echo 1) "slow.sleep: the 300 ms sleeps are kept ($n ops)"
top=$(tail_of "$TMP/on.json" "['roles']['slow']['ops']['sleep']['stacks'][0]['stack']")
case "$top" in
*"'do_nanosleep'"*"'hrtimer_nanosleep'"*) ok 0 "slow.sleep: the top stack is nanosleep's: do_nanosleep < hrtimer_nanosleep" ;;
*) ok 1 "slow.sleep: the top stack is nanosleep's (got $top)" ;;
esac
share=$(tail_of "$TMP/on.json" "['roles']['slow']['ops']['sleep']['stacks'][0]['share']")
ok "$(python3 -c "print(0 if $share > 0.5 else 1)")" "slow.sleep: it holds most of the tail's off-CPU time (share $share)"
is "$(tail_of "$TMP/on.json" "['roles']['slow']['ops']['sleep']['stacks'][0]['runnable']")" False \
	"slow.sleep: a sleep blocks (runnable false)"
ot=$(tail_of "$TMP/on.json" "['roles']['slow']['ops']['sleep']['off_cpu_ns']")
ok "$(python3 -c "print(0 if $ot >= $n * 150e6 else 1)")" "slow.sleep: off CPU at least the threshold per kept op ($ot ns over $n ops)"
is "$(tail_of "$TMP/on.json" "['roles']['fast']['ops']['sleep']['tail_ops']")" 0 "fast.sleep: 2 ms sleeps, under the threshold: no op kept"
is "$(tail_of "$TMP/on.json" "['roles']['fast']['ops']['sleep']['stacks']")" "[]" "fast.sleep: no stack kept"
is "$(tail_of "$TMP/on.json" "['roles']['slow']['ops']['nap']['tail_ops']")" 0 "slow.nap: an op that never ran: nothing"
grep -q "^slow;sleep;.*;hrtimer_nanosleep;do_nanosleep;.* [0-9][0-9]*$" "$TMP/on.folded"
ok $? "--folded: ROLE;OP;root...;leaf VALUE lines with nanosleep's path"
grep -q "^fast;" "$TMP/on.folded"; is "$?" 1 "--folded: nothing of the fast role"
"$PTBENCH" plot "$TMP/on.json" -o "$TMP/plot" >/dev/null 2>&1
grep -q "^# do_nanosleep < hrtimer_nanosleep$" "$TMP/plot/tail-slow.sleep.dat"
ok $? "plot: tail-slow.sleep names the nanosleep stack"
[ ! -e "$TMP/plot/tail-fast.sleep.dat" ]; ok $? "plot: no tail chart for the fast role (nothing kept)"

# --- unavailable, with the reason ------------------------------------------------
printf '0000000000000000 T _stext\n0000000000000000 t do_nanosleep\n' >"$TMP/kallsyms0"
PTBENCH_KALLSYMS="$TMP/kallsyms0" "$PTBENCH" run "$TMP/sleep.ini" --duration 300ms --tail-threshold 1ms $Q -o "$TMP/k0.json"
ok $? "kallsyms with every address 0: the run goes on"
is "$(tail_of "$TMP/k0.json" "['available']")" False "kallsyms with every address 0: unavailable"
tail_of "$TMP/k0.json" "['why']" | grep -q "every address as 0 (kernel.kptr_restrict"; ok $? "... why: kptr_restrict"
PTBENCH_KALLSYMS="$TMP/none" "$PTBENCH" run "$TMP/sleep.ini" --duration 300ms --tail-threshold 1ms \
	--folded "$TMP/none.folded" $Q -o "$TMP/k1.json" 2>"$TMP/k1.err"
ok $? "no kallsyms: the run goes on"
tail_of "$TMP/k1.json" "['why']" | grep -q "cannot read $TMP/none: No such file"; ok $? "no kallsyms: why names the file"
[ ! -e "$TMP/none.folded" ] && grep -q "folded.*not written: the tail probe did not run" "$TMP/k1.err"
ok $? "no kallsyms: --folded writes nothing and says why"
PTBENCH_TEST_NO_STACKMAP=1 "$PTBENCH" run "$TMP/sleep.ini" --duration 300ms --tail-threshold 1ms $Q -o "$TMP/ns.json"
ok $? "no BPF stack map: the run goes on"
tail_of "$TMP/ns.json" "['why']" | grep -q "cannot create the BPF stack map"; ok $? "no BPF stack map: why ($(tail_of "$TMP/ns.json" "['why']"))"
PTBENCH_TEST_NO_BPF=1 "$PTBENCH" run "$TMP/sleep.ini" --duration 300ms --tail-threshold 1ms $Q -o "$TMP/nb.json"
tail_of "$TMP/nb.json" "['why']" | grep -q "PTBENCH_TEST_NO_BPF"; ok $? "no BPF: why"

# --- the sanitized build through the probe -----------------------------------------
"$PTBENCH_ASAN" run "$TMP/sleep.ini" --duration 700ms --tail-threshold 150ms --folded "$TMP/asan.folded" \
	$Q -o "$TMP/asan.json" 2>"$TMP/asan.err"
ok $? "asan: a tail-probed run is clean"
grep -q "ERROR: AddressSanitizer\|runtime error\|LeakSanitizer" "$TMP/asan.err" && { ok 1 "asan: no reports"; head -20 "$TMP/asan.err" | sed 's/^/# /'; } || ok 0 "asan: no reports"

# --- nothing left after any exit (as lock_bpf.t checks the lock probes) ------------
if ! command -v bpftool >/dev/null; then
	skip "leftovers: no bpftool"
	done_testing
	exit
fi
progs() { bpftool -j prog show 2>/dev/null | python3 -c "import json,sys; print(' '.join(str(p['id']) for p in json.load(sys.stdin) if p.get('name','').startswith('ptbench_tail')))"; }
maps() { bpftool -j map show 2>/dev/null | python3 -c "import json,sys; print(' '.join(str(p['id']) for p in json.load(sys.stdin) if p.get('name','').startswith('ptbench_tail')))"; }
gone() { for id in $1; do case " $2 " in *" $id "*) return 1 ;; esac; done; return 0; }
before=$(progs)
mbefore=$(maps)
ulimit -c 0
for how in normal INT TERM SEGV; do
	dur=120s
	[ $how = normal ] && dur=3s
	"$PTBENCH" run "$TMP/sleep.ini" --duration $dur --warmup 0 --tail-threshold 1ms $Q -o "$TMP/$how.json" &
	pid=$!
	seen=
	for _ in $(seq 100); do
		seen=$(for id in $(progs); do case " $before " in *" $id "*) ;; *) echo "$id" ;; esac; done | tr '\n' ' ')
		[ -n "$seen" ] && break
		sleep 0.1
	done
	mseen=$(for id in $(maps); do case " $mbefore " in *" $id "*) ;; *) echo "$id" ;; esac; done | tr '\n' ' ')
	ok $([ -n "$seen" ] && echo 0 || echo 1) "$how: the tail program is loaded while running ($seen)"
	if [ $how != normal ]; then
		sleep 0.3
		kill -$how $pid
	fi
	wait $pid
	rc=$?
	case $how in
	normal) is "$rc" 0 "normal: exit 0" ;;
	INT | TERM) is "$rc" "$((128 + $(kill -l $how)))" "SIG$how: exit code 128+signal" ;;
	SEGV) ok $([ "$rc" -ne 0 ] && echo 0 || echo 1) "SIGSEGV: the run died ($rc)" ;;
	esac
	for _ in $(seq 100); do gone "$seen" "$(progs)" && break; sleep 0.1; done
	gone "$seen" "$(progs)"; ok $? "$how: its program is gone"
	gone "$mseen" "$(maps)"; ok $? "$how: its maps are gone"
done
done_testing
