#!/bin/sh
# Cost of the tail probe on a loop with no slow op: the sleep worker's nap
# rate with the probe on (--tail-threshold 10ms: no nap comes near it) against
# off, runs interleaved (the order flips every round) so that drift on a
# shared machine hits both alike. Two loops: nap = 0 (no system call: the
# program never runs for the worker, only for the machine's other context
# switches) and nap = 1us (every op leaves the CPU and comes back: two runs
# of the program per op, one with a stack walk). Reports the median
# of the per-round rate ratios (on/off) and the cost per op
#   ns/op = 1/rate_on - 1/rate_off
# and what was kept (ops past 10 ms: on a loaded machine a thread can be
# preempted that long even inside a loop without system calls); then the
# program's own time per run from the kernel's BPF statistics. Needs root
# (BPF); says why and exits 0 otherwise. PAIRS (default 5) and DUR (default 2s) tune it.
cd "$(dirname "$0")/../.." || exit 1
PAIRS=${PAIRS:-5}
DUR=${DUR:-2s}
PTBENCH=${PTBENCH:-./ptbench}
SCEN=tests/perf/tail-loop.ini
TMP=$(mktemp -d /tmp/ptbench-perf.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

if [ "$(id -u)" -ne 0 ]; then
	echo "tail overhead: skipped: needs root (BPF)"
	exit 0
fi
run() { # run NAME on|off INDEX NAP
	case $2 in
	on) set -- "$1" "$2" "$3" "$4" --tail-threshold 10ms ;;
	*) set -- "$1" "$2" "$3" "$4" ;;
	esac
	name=$1 mode=$2 i=$3 nap=$4
	shift 4
	$PTBENCH run "$SCEN" --duration "$DUR" --quiet --set napper.nap="$nap" "$@" -o "$TMP/$name-$mode-$i.json" || exit 1
}
for w in syscall:0 switch:1us; do
	name=${w%%:*} nap=${w#*:}
	i=1
	while [ "$i" -le "$PAIRS" ]; do
		if [ $((i % 2)) = 1 ]; then order="off on"; else order="on off"; fi
		for m in $order; do run "$name" "$m" "$i" "$nap"; done
		i=$((i + 1))
	done
done
# The program's own cost per run (per context switch of the machine): the
# kernel's BPF run-time statistics, on only for this (kernel.bpf_stats_enabled
# is put back), read with bpftool while a nap 1us run has the program loaded.
stats=
if command -v bpftool >/dev/null && [ -r /proc/sys/kernel/bpf_stats_enabled ]; then
	old=$(cat /proc/sys/kernel/bpf_stats_enabled)
	echo 1 >/proc/sys/kernel/bpf_stats_enabled
	$PTBENCH run "$SCEN" --duration 3s --quiet --set napper.nap=1us --tail-threshold 10ms -o "$TMP/stats.json" &
	pid=$!
	sleep 2.5
	stats=$(bpftool -j prog show 2>/dev/null | python3 -c '
import json, sys
for p in json.load(sys.stdin):
    if p.get("name", "").startswith("ptbench_tail") and p.get("run_cnt"):
        print("%d %d" % (p["run_time_ns"], p["run_cnt"]))')
	wait $pid
	echo "$old" >/proc/sys/kernel/bpf_stats_enabled
fi
python3 - "$TMP" "$PAIRS" <<'PYEOF'
import json, statistics, sys
tmp, pairs = sys.argv[1], int(sys.argv[2])
def load(name, mode, i):
    r = json.load(open(f"{tmp}/{name}-{mode}-{i}.json"))["repeats"][0]
    return r["workers"]["napper"]["ops"]["nap"], r["probes"]["tail"]
print(f"sleep worker naps with the tail probe on (threshold 10ms) vs off, {pairs} interleaved rounds")
print(f"{'loop':<28} {'rate off/s':>11} {'rate on/s':>11} {'on/off':>7} {'ns/op':>7} {'kept':>5}")
for name, desc in (("syscall", "nap 0 (no system call)"), ("switch", "nap 1us (2 switches per op)")):
    ratios, nsop, ron, roff, kept = [], [], [], [], 0
    for i in range(1, pairs + 1):
        on, probe = load(name, "on", i)
        off, _ = load(name, "off", i)
        if not probe.get("available"):
            print(f"{desc}: the tail probe did not run: {probe.get('why')}")
            break
        ratios.append(on["ops_per_sec"] / off["ops_per_sec"])
        nsop.append((1 / on["ops_per_sec"] - 1 / off["ops_per_sec"]) * 1e9)
        ron.append(on["ops_per_sec"]); roff.append(off["ops_per_sec"])
        kept += sum(o["tail_ops"] for o in probe["roles"]["napper"]["ops"].values())
    if not ratios:
        continue
    print(f"{desc:<28} {statistics.median(roff):11.0f} {statistics.median(ron):11.0f} {statistics.median(ratios):7.3f} "
          f"{statistics.median(nsop):7.0f} {kept:5d}")
    print(f"{'':<28} per-round on/off: " + " ".join(f"{x:.3f}" for x in ratios))
PYEOF
if [ -n "$stats" ]; then
	# shellcheck disable=SC2086 # two numbers, split on purpose
	set -- $stats
	echo "the program itself (kernel BPF statistics, nap 1us run): $2 runs (context switches), $(( $1 / $2 )) ns a run"
else
	echo "the program itself: not measured (no bpftool or no kernel.bpf_stats_enabled)"
fi
