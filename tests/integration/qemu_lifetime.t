#!/bin/bash
# qemu dies with ptbench: `ptbench vm` and `ptbench gate`
# killed with SIGTERM, SIGINT or SIGKILL while a guest runs leave no qemu (the
# stand-in fake_qemu.py in its hang mode, which would run 60 s) and no boot
# child, and no temporary file (.initrd, channel.log) in the boot directory.
. "$(dirname "$0")/lib.sh"

FAKE="$PWD/tests/integration/fake_qemu.py"
export PTBENCH_SCENARIOS="$PWD/scenarios"
K="$TMP/vmlinuz-fake"
fake_kernel "$K"
: >"$TMP/base.cpio"

# alive PIDDIR: how many of the fakes named in PIDDIR still run (after up to 3 s)
alive() {
	local n
	for _ in $(seq 30); do
		n=0
		for f in "$1"/*; do
			[ -e "$f" ] && kill -0 "${f##*/}" 2>/dev/null && n=$((n + 1))
		done
		[ "$n" = 0 ] && break
		sleep 0.1
	done
	echo "$n"
}
# started PIDDIR: wait (up to 20 s) until a fake has started
started() {
	for _ in $(seq 200); do
		[ -n "$(ls "$1")" ] && return 0
		sleep 0.1
	done
	return 1
}
# leftovers DIR: files other than the ones a boot keeps (and the gate's lock)
leftovers() {
	find "$1" -type f ! -name .gate.lock ! -name console.log ! -name qemu.log ! -name vm.json ! -name '*.json' \
		! -name report.md ! -name junit.xml -printf '%f ' 2>/dev/null
}

# --- ptbench vm --------------------------------------------------------------
for sig in TERM INT KILL; do
	out="$TMP/vm-$sig" pids="$TMP/pids-vm-$sig"
	mkdir -p "$pids"
	FAKE_QEMU_MODE=hang FAKE_QEMU_PIDS="$pids" PTBENCH_QEMU="$FAKE" "$PTBENCH" vm --kernel "$K:fake" \
		-o "$out" --initramfs "$TMP/base.cpio" --timeout 120 run default >"$TMP/vm-$sig.out" 2>&1 &
	pid=$!
	started "$pids"; ok $? "vm SIG$sig: the stand-in qemu started"
	sleep 0.3
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	case $sig in TERM) want=143 ;; INT) want=130 ;; KILL) want=137 ;; esac
	is "$rc" "$want" "vm SIG$sig: exit $want"
	is "$(alive "$pids")" 0 "vm SIG$sig: no qemu left running"
	is "$(leftovers "$out")" "" "vm SIG$sig: no .initrd or channel.log left"
done

# --timeout holds with ptbench stopped (SIGSTOP): the watchdog kills qemu
# (--timeout 10: the stand-in, a python script, can take seconds to start on
# a loaded machine, and must be up before ptbench is stopped)
pids="$TMP/pids-stop"
mkdir -p "$pids"
t0=$SECONDS
FAKE_QEMU_MODE=hang FAKE_QEMU_PIDS="$pids" PTBENCH_QEMU="$FAKE" "$PTBENCH" vm --kernel "$K:fake" \
	-o "$TMP/vm-stop" --initramfs "$TMP/base.cpio" --timeout 10 run default >"$TMP/vm-stop.out" 2>&1 &
pid=$!
started "$pids"
kill -STOP "$pid"; ok $? "vm --timeout 10: ptbench stopped while qemu runs"
n=$(alive "$pids")
is "$n" 1 "vm --timeout 10, ptbench stopped: qemu runs on for now"
# --timeout 10 and the watchdog's grace of 10 s, from ptbench's start
while [ $((SECONDS - t0)) -lt 23 ]; do sleep 1; done
n=$(alive "$pids")
kill -CONT "$pid"
wait "$pid"
is "$n" 0 "vm --timeout 10 with ptbench stopped: qemu killed by the watchdog all the same"

# a boot that fails keeps the channel; one that succeeds leaves nothing extra
FAKE_QEMU_MODE=cut PTBENCH_QEMU="$FAKE" "$PTBENCH" vm --kernel "$K:fake" -o "$TMP/vm-cut" \
	--initramfs "$TMP/base.cpio" run default >/dev/null 2>&1
is "$?" 5 "a result cut off: exit 5"
[ -s "$TMP/vm-cut/fake/channel.log" ]; ok $? "a failed boot keeps channel.log"
FAKE_QEMU_MODE=ok PTBENCH_QEMU="$FAKE" "$PTBENCH" vm --kernel "$K:fake" -o "$TMP/vm-ok" \
	--initramfs "$TMP/base.cpio" run default >/dev/null 2>&1
is "$?" 0 "a guest that answers: exit 0"
is "$(leftovers "$TMP/vm-ok")" "" "a good boot leaves no .initrd or channel.log"

# --- ptbench gate ------------------------------------------------------------
KA="$TMP/vmlinuz-a" KB="$TMP/vmlinuz-b"
fake_kernel "$KA" a
fake_kernel "$KB" b
for sig in INT KILL; do
	out="$TMP/gate-$sig" pids="$TMP/pids-gate-$sig"
	mkdir -p "$pids"
	FAKE_QEMU_MODE=hang FAKE_QEMU_PIDS="$pids" PTBENCH_QEMU="$FAKE" "$PTBENCH" gate -o "$out" \
		--initramfs "$TMP/base.cpio" --timeout 120 -j 1 --base "$KA:a" --cand "$KB:b" default \
		>"$TMP/gate-$sig.out" 2>&1 &
	pid=$!
	started "$pids"; ok $? "gate SIG$sig: the stand-in qemu started"
	sleep 0.3
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	case $sig in INT) want=130 ;; KILL) want=137 ;; esac
	is "$rc" "$want" "gate SIG$sig: exit $want"
	is "$(alive "$pids")" 0 "gate SIG$sig: no qemu left running"
	sleep 0.5
	left=$(ps -eo pid,args | grep -c "[p]tbench gate -o $out ")
	is "$left" 0 "gate SIG$sig: no boot child left running"
	is "$(leftovers "$out")" "" "gate SIG$sig: no .initrd or channel.log left"
done
done_testing
