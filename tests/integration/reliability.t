#!/bin/bash
# Reliability: results only ever replace regular files and are
# never lost or half-true; hostile scenario input is refused with file:line
# and fast; runs that measured nothing do not exit 0; `run --dry-run`;
# `vm` refuses bad arguments with exit 2.
. "$(dirname "$0")/lib.sh"

export PTBENCH_STATE_DIR="$TMP/state"
SHORT=(--duration 0.3s --warmup 0 --repeat 1 --no-trace --quiet)

# ---- row 1 and 15: output paths refused up front, before measuring -------
for target in /dev/null /dev/full "$TMP" /proc/ptbench-x.json /sys/ptbench-x.json \
	"$TMP/afile/x.json" "$TMP/nodir/x.json"; do
	[ "$target" = "$TMP/afile/x.json" ] && : >"$TMP/afile"
	start=$(date +%s%N)
	$PTBENCH run default "${SHORT[@]}" -o "$target" >"$TMP/out" 2>"$TMP/err"
	is $? 2 "-o $target: exit 2"
	grep -q "ptbench run: -o: " "$TMP/err"; ok $? "-o $target: says why ($(head -c 120 "$TMP/err"))"
	! grep -q "^result:" "$TMP/out"; ok $? "-o $target: nothing measured"
done
[ -c /dev/null ] && [ -c /dev/full ]; ok $? "/dev/null and /dev/full are still character devices"
ln -s "$TMP/real.json" "$TMP/link.json"
$PTBENCH run default "${SHORT[@]}" -o "$TMP/link.json" >/dev/null 2>"$TMP/err"
is $? 2 "-o SYMLINK: exit 2 (a symbolic link is not replaced)"
$PTBENCH run default "${SHORT[@]}" -o "$TMP/dry.json" --dry-run >"$TMP/out" 2>&1
is $? 0 "--dry-run: exit 0"
grep -q "ok: 4 role(s), 1 point(s), would write $TMP/dry.json" "$TMP/out"; ok $? "--dry-run says what it would write"
[ ! -e "$TMP/dry.json" ] && [ -z "$(ls "$TMP" | grep 'dry.json.')" ]; ok $? "--dry-run writes nothing (no result, no temporary)"
(cd "$TMP" && mkdir -p drycwd && cd drycwd && "$OLDPWD/$PTBENCH" run default --dry-run >/dev/null 2>&1; [ ! -e results ])
ok $? "--dry-run without -o does not create results/"

# ---- a read-only working directory and the default results/ ----
# is the same refusal as -o there (exit 2, before measuring); it was exit 5.
# A read-only tmpfs in a private mount namespace: root ignores mode bits.
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	mkdir -p "$TMP/rocwd"
	for cmd in "run default" "run all"; do
		unshare -m bash -c 'mount -t tmpfs -o ro,size=1m tmpfs "$1" && cd "$1" && shift &&
			"$@"' _ "$TMP/rocwd" "$PWD/$PTBENCH" $cmd "${SHORT[@]}" >"$TMP/out" 2>"$TMP/err"
		is $? 2 "$cmd in a read-only cwd, default output: exit 2 as -o there"
		grep -q "cannot create results/: Read-only file system" "$TMP/err"
		ok $? "$cmd in a read-only cwd: says why ($(head -c 120 "$TMP/err"))"
		! grep -q "^result:" "$TMP/out"; ok $? "$cmd in a read-only cwd: nothing measured"
	done
else
	skip "read-only cwd: needs root and unshare -m"
fi
$PTBENCH run default "${SHORT[@]}" -o /dev/null --dry-run >/dev/null 2>&1; is $? 2 "--dry-run checks the output path (exit 2)"
$PTBENCH run default --set faulter.cpus=node:99999999999999999999 --dry-run >/dev/null 2>"$TMP/err"
is $? 2 "--dry-run plans: a bad placement exits 2"
if [ "$(id -u)" = 0 ]; then
	setpriv --reuid=65534 --regid=65534 --clear-groups env -u PTBENCH_STATE_DIR \
		$PTBENCH run khugepaged-smaps --dry-run -o /tmp/x.json >/dev/null 2>"$TMP/err"
	is $? 4 "--dry-run as nobody of a scenario that needs root: exit 4"
	# a THP setting already so needs no root: the run goes ahead, and
	# --dry-run must say so too (it once re-read the keys and said skipped)
	thp_now=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
	if [ -n "$thp_now" ]; then
		mkdir -p "$TMP/thpnobody" && chmod 777 "$TMP/thpnobody" && chmod o+x "$TMP"
		setpriv --reuid=65534 --regid=65534 --clear-groups env PTBENCH_STATE_DIR="$TMP/thpnobody/state" \
			$PTBENCH run default --set scenario.thp_enabled="$thp_now" --dry-run \
			-o "$TMP/thpnobody/r.json" >/dev/null 2>"$TMP/err"
		dry=$?
		setpriv --reuid=65534 --regid=65534 --clear-groups env PTBENCH_STATE_DIR="$TMP/thpnobody/state" \
			$PTBENCH run default --set scenario.thp_enabled="$thp_now" "${SHORT[@]}" \
			-o "$TMP/thpnobody/r.json" >/dev/null 2>>"$TMP/err"
		real=$?
		is "$dry/$real" "0/0" "as nobody, thp_enabled = $thp_now (already so): --dry-run and the run both go ahead ($(head -c 160 "$TMP/err"))"
	else
		skip "no /sys/kernel/mm/transparent_hugepage/enabled"
	fi
else
	skip "needs root to drop to nobody"
	skip "needs root to drop to nobody"
fi

# an ordinary run replaces a regular file (and leaves no temporary behind)
echo old >"$TMP/r.json"
$PTBENCH run default "${SHORT[@]}" -o "$TMP/r.json" >/dev/null 2>"$TMP/err"; rc=$?
is $rc 0 "a run over an existing regular file: exit 0"
is "$(json "$TMP/r.json" 'd["complete"]')" True "the regular file now holds the result"
is "$(ls "$TMP" | grep -c 'r.json.')" 0 "no r.json.tmp.PID or probe left"

# a dead run's temporary file for the same target is removed
echo partial >"$TMP/r.json.tmp.999999"
$PTBENCH run default --dry-run -o "$TMP/r.json" >/dev/null 2>"$TMP/err"
[ ! -e "$TMP/r.json.tmp.999999" ]; ok $? "a dead run's r.json.tmp.PID is removed by the next run's check"

# row 15: the disk fills up while measuring: the result is rescued to $TMPDIR
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	mkdir -p "$TMP/small" "$TMP/rescue"
	unshare -m bash -c '
		mount -t tmpfs -o size=256k tmpfs "$1/small" || exit 77
		TMPDIR="$1/rescue" "$2" run default --duration 2s --warmup 0 --repeat 1 --no-trace --quiet \
			-o "$1/small/x.json" 2>"$1/err" & pid=$!
		# past the up-front check once it holds the state lock (the lock file names it)
		for _ in $(seq 200); do [ "$(cat "$PTBENCH_STATE_DIR/lock" 2>/dev/null)" = "$pid" ] && break; sleep 0.05; done
		dd if=/dev/zero of="$1/small/fill" bs=4k 2>/dev/null
		wait $pid' _ "$TMP" "$PTBENCH"
	rc=$?
	if [ $rc = 77 ]; then skip "cannot mount a tmpfs here"; else
		is $rc 5 "a full disk at the end: exit 5"
		grep -q "the result was saved to $TMP/rescue/ptbench-rescued-" "$TMP/err"; ok $? "says where the result went"
		f=$(ls "$TMP"/rescue/ptbench-rescued-*-x.json 2>/dev/null | head -1)
		[ -n "$f" ] && is "$(json "$f" 'd["schema"]')" ptbench-result/1 "the rescued result is a whole result"
	fi
else
	skip "needs root and unshare to fill a private tmpfs"
fi

# ---- row 14: a signal during the write -------------------------------------
PTBENCH_TEST_SLOW_FSYNC_MS=1500 $PTBENCH run default "${SHORT[@]}" -o "$TMP/sig.json" 2>/dev/null & pid=$!
for _ in $(seq 200); do ls "$TMP"/sig.json.tmp.* >/dev/null 2>&1 && break; sleep 0.05; done
kill -TERM $pid; wait $pid; rc=$?
is $rc 143 "TERM during the write: exit 128+15"
is "$(json "$TMP/sig.json" 'd["complete"], d.get("interrupted_by")')" "False TERM" \
	"TERM during the write: the file says complete: false, interrupted_by SIGTERM"
is "$(ls "$TMP" | grep -c 'sig.json.tmp')" 0 "TERM during the write: no temporary left"
PTBENCH_TEST_SLOW_FSYNC_MS=3000 $PTBENCH run default "${SHORT[@]}" -o "$TMP/quit.json" 2>/dev/null & pid=$!
for _ in $(seq 200); do ls "$TMP"/quit.json.tmp.* >/dev/null 2>&1 && break; sleep 0.05; done
kill -QUIT $pid; wait $pid; rc=$?
is $rc 131 "QUIT during the write: exit 128+3"
is "$(ls "$TMP" | grep -c 'quit.json')" 0 "QUIT during the write: no quit.json.tmp.PID left (and no result claimed)"

# ---- row 10: invalid UTF-8 ---------------------------------------------------
printf '[scenario]\ndescription = \xff\xfe\n[worker f]\ntype = fault\n' >"$TMP/utf.ini"
$PTBENCH run "$TMP/utf.ini" --dry-run >/dev/null 2>"$TMP/err"; is $? 2 "invalid UTF-8 in a scenario: exit 2"
grep -q "utf.ini:2: not valid UTF-8" "$TMP/err"; ok $? "invalid UTF-8 named with file:line"
printf '[scenario]\n[worker f]\ntype = fault\n' >"$TMP/$(printf 'u\xffx').ini"
$PTBENCH run "$TMP/$(printf 'u\xffx').ini" "${SHORT[@]}" -o "$TMP/utf.json" >/dev/null 2>"$TMP/err"
python3 -c 'import json,sys; json.loads(open(sys.argv[1],"rb").read().decode("utf-8"))' "$TMP/utf.json"
ok $? "a scenario path that is not UTF-8 still gives a result that is valid UTF-8 JSON"

# ---- row 11: big files are rejected fast; SIGTERM during a long setup --------
python3 -c '
print("[scenario]")
for i in range(100000): print("[worker w%d]\ntype = vma-pad\ncount = 1" % i)
print("[worker w5]")' >"$TMP/big.ini"
start=$(date +%s)
$PTBENCH run "$TMP/big.ini" --dry-run >/dev/null 2>"$TMP/err"; rc=$?
is $rc 2 "100k sections with a repeated one: exit 2"
grep -q "big.ini:300002: section \[worker w5\] repeated (first at line 17)" "$TMP/err"; ok $? "the repeat is named with both lines"
el=$(($(date +%s) - start))
[ $el -lt 30 ]; ok $? "100k sections are rejected in ${el}s (< 30 s; was 37 s, quadratic)"
python3 -c '
print("[scenario]")
for i in range(30000): print("[worker w%d]\ntype = vma-pad\ncount = 1" % i)
print("[worker f]\ntype = fault")' >"$TMP/pads.ini"
$PTBENCH run "$TMP/pads.ini" --duration 1s --warmup 0 --repeat 1 --no-trace --quiet -o "$TMP/pads.json" \
	2>"$TMP/err" & pid=$!
for _ in $(seq 600); do grep -q '"w29999"' /proc/$pid/cmdline 2>/dev/null; [ -d /proc/$pid ] || break
	[ "$(awk '{print $1}' /proc/$pid/statm 2>/dev/null)" -gt 40000 ] 2>/dev/null && break; sleep 0.1; done
sleep 1; t0=$(date +%s%N); kill -TERM $pid 2>/dev/null; wait $pid; rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
case $rc in 143|0) ok 0 "SIGTERM during a 30k-role setup: exit $rc in ${ms} ms";;
	*) ok 1 "SIGTERM during a 30k-role setup: exit $rc";; esac
[ $ms -lt 20000 ]; ok $? "SIGTERM during setup is honoured within 20 s (${ms} ms)"

# ---- row 12: FIFOs and devices as input ------------------------------------
mkfifo "$TMP/f.ini"
timeout 10 $PTBENCH run "$TMP/f.ini" --dry-run >/dev/null 2>"$TMP/err"; is $? 2 "a FIFO as scenario: exit 2, no hang"
grep -q "not a regular file" "$TMP/err"; ok $? "a FIFO as scenario: says it is not a regular file"
timeout 10 $PTBENCH run /dev/zero --dry-run >/dev/null 2>"$TMP/err"; is $? 2 "/dev/zero as scenario: exit 2, not read until OOM"
mkdir -p "$TMP/scen" && mkfifo "$TMP/scen/fifo.ini" && cp scenarios/default.ini "$TMP/scen/"
PTBENCH_SCENARIOS="$TMP/scen" timeout 10 $PTBENCH list >"$TMP/out" 2>&1; rc=$?
[ $rc != 124 ]; ok $? "list with a FIFO .ini in the scenarios dir does not hang (exit $rc)"
grep -q "default" "$TMP/out"; ok $? "list still shows the other scenarios"
python3 tests/integration/gen_result.py "$TMP/base.json" '{}'
timeout 10 $PTBENCH compare "$TMP/base.json" "$TMP/f.ini" >/dev/null 2>"$TMP/err"; rc=$?
is $rc 2 "a FIFO as compare input: exit 2, no hang"
timeout 10 $PTBENCH compare --force "$TMP/base.json" "$TMP/f.ini" >/dev/null 2>"$TMP/err"; rc=$?
is $rc 2 "a FIFO as compare input with --force: exit 2, no hang"

# ---- row 19 (scenario parts) -----------------------------------------------
printf '[scenario]\n[worker f]\ntype = fault\nthreads = 1\x00junk\n' >"$TMP/nul.ini"
$PTBENCH run "$TMP/nul.ini" --dry-run >/dev/null 2>"$TMP/err"; is $? 2 "a NUL byte in a scenario: exit 2"
grep -q "nul.ini:4: a NUL byte" "$TMP/err"; ok $? "a NUL byte is named with file:line"
$PTBENCH run default --set faulter.cpus=node:99999999999999999999 --dry-run >/dev/null 2>"$TMP/err"
grep -q "node number out of range" "$TMP/err"; ok $? "cpus = node:99999999999999999999 is out of range"
$PTBENCH run default --set faulter.membind=node:99999999999999999999 --dry-run >/dev/null 2>"$TMP/err"
grep -q "node number out of range" "$TMP/err"; ok $? "membind = node:99999999999999999999 is out of range"
$PTBENCH run default --duration 99999999h --dry-run >/dev/null 2>"$TMP/err"; is $? 2 "--duration 99999999h: exit 2"
grep -q "out of range" "$TMP/err"; ok $? "--duration 99999999h says out of range"
for v in inf nan 0x10 1e999; do
	$PTBENCH run default --duration $v --dry-run >/dev/null 2>&1; is $? 2 "--duration $v: exit 2"
done
$PTBENCH run default --sweep faulter.threads=1,,2 --dry-run >/dev/null 2>"$TMP/err"; is $? 2 "sweep 1,,2: exit 2"
grep -q "an empty value" "$TMP/err"; ok $? "sweep 1,,2 names the empty value"
if [ -x "$PTBENCH_ASAN" ]; then
	$PTBENCH_ASAN run default --dry-run >/dev/null 2>"$TMP/err"; is $? 0 "the ASan binary finds 'default' by name"
else
	skip "no $PTBENCH_ASAN (make build/ptbench-asan)"
fi

# ---- rows 9 and 16: nothing measured is not a success ------------------------
$PTBENCH run default --set faulter.threads=0 --set reader.threads=0 --set churn.threads=0 \
	"${SHORT[@]}" -o "$TMP/zero.json" >/dev/null 2>"$TMP/err"
is $? 2 "threads = 0 in every role: exit 2, before measuring"
grep -q "every role runs 0 threads" "$TMP/err"; ok $? "threads = 0 everywhere: says so"
[ ! -e "$TMP/zero.json" ]; ok $? "threads = 0 everywhere: no result written"
if [ "$(id -u)" = 0 ]; then
	mkdir -p "$TMP/nobody" && chmod 777 "$TMP/nobody" && chmod o+x "$TMP"
	setpriv --reuid=65534 --regid=65534 --clear-groups env -u PTBENCH_STATE_DIR \
		$PTBENCH run default --set reader.target=1 "${SHORT[@]}" -o "$TMP/nobody/r.json" >/dev/null 2>"$TMP/err"
	is $? 5 "as nobody, reader.target=1 (EACCES on every read): exit 5"
	grep -q "\[worker reader\] op read: every one of its .* calls failed (EACCES" "$TMP/err"; ok $? "names the role, the op and the errno"
	is "$(json "$TMP/nobody/r.json" 'd["complete"]')" False "the result says complete: false"
else
	skip "needs root to drop to nobody"; skip "root"; skip "root"
fi

# ---- row 7: paced smaps-read keeps its interval ------------------------------
cat >"$TMP/paced.ini" <<'EOF'
[scenario]
[worker r]
type = smaps-read
interval = 200ms
file = smaps_rollup
EOF
$PTBENCH run "$TMP/paced.ini" --duration 2s --warmup 0 --repeat 1 --no-trace --quiet -o "$TMP/paced.json" 2>"$TMP/err"
is $? 0 "paced smaps-read at 200ms runs"
cnt=$(json "$TMP/paced.json" 'd["repeats"][0]["workers"]["r"]["ops"]["read"]["count"]')
[ "$cnt" -le 12 ] && [ "$cnt" -ge 1 ]; ok $? "interval 200ms for 2 s: $cnt reads (at most 11 + 1; was 40 at the 50 ms cap)"
json "$TMP/paced.json" 'all(v >= 0 for v in d["repeats"][0]["workers"]["r"]["ops"]["read"]["ns"].values())' | grep -q True
ok $? "no negative latencies"

# ---- row 17: vm refuses bad arguments with exit 2 ----------------------------
K=$(ls /boot/vmlinuz-* 2>/dev/null | head -1)
[ -n "$K" ] || { K="$TMP/vmlinuz"; fake_kernel "$K"; }
for args in "--mem -1G" "--mem 1x" "--kernel-dir" "--initramfs $TMP/none.cpio" "--bad-run-arg"; do
	case $args in
	--kernel-dir) set -- --kernel "$TMP" run default ;;
	--bad-run-arg) set -- --kernel "$K" run default --bogus ;;
	*) set -- --kernel "$K" $args run default ;;
	esac
	timeout 20 $PTBENCH vm "$@" -o "$TMP/vm" >/dev/null 2>"$TMP/err"; is $? 2 "vm $*: exit 2"
done
timeout 20 $PTBENCH vm --kernel "$K" -o "$TMP/vm" run default --set faulter.threads=x >/dev/null 2>"$TMP/err"
is $? 2 "vm run --set with a bad value: exit 2 on the host"
timeout 20 $PTBENCH vm --kernel "$K" -o "$TMP/vm" run default --duration 99999999h >/dev/null 2>"$TMP/err"
is $? 2 "vm run --duration out of range: exit 2 on the host"

done_testing
