#!/bin/sh
# Cost of the mmap_lock probe, per backend: the mmap-churn rate with the BPF
# backend and with the tracefs backend against the probe off, runs
# interleaved (the order of the three rotates from one round to the next) so
# that drift on a shared machine hits every side alike. Reports per workload
# and backend the median of the per-round rate ratios (on/off) and the cost
# per traced event:
#   ns/event = (1/rate_on - 1/rate_off) / events per iteration
# (medians of the rounds), and the parity of the two backends: mmap_lock
# acquisitions per op (waits + trylocks + downgrades) seen by each.
# Needs root (BPF, tracefs); says why and exits 0 otherwise.
# PAIRS (default 5) and DUR (default 2s) tune it; BACKENDS (default "bpf
# tracefs") picks the backends; KEEP=DIR keeps the result files there, and
# ANALYZE=DIR only prints the tables from files kept that way.
cd "$(dirname "$0")/../.." || exit 1
PAIRS=${PAIRS:-5}
DUR=${DUR:-2s}
BACKENDS=${BACKENDS:-bpf tracefs}
PTBENCH=${PTBENCH:-./ptbench}
SCEN=tests/perf/churn-only.ini
TMP=$(mktemp -d /tmp/ptbench-perf.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

if [ -n "$ANALYZE" ]; then
	rmdir "$TMP"
	TMP=$ANALYZE
	trap - EXIT
elif [ "$(id -u)" -ne 0 ]; then
	echo "mmap_lock overhead: skipped: needs root (BPF, tracefs)"
	exit 0
fi

run() { # run NAME BACKEND INDEX EXTRA...
	name=$1 mode=$2 i=$3
	shift 3
	$PTBENCH run "$SCEN" --duration "$DUR" --quiet --lock-probe "$mode" "$@" -o "$TMP/$name-$mode-$i.json" || exit 1
}

bench() { # bench NAME EXTRA...
	name=$1
	shift
	i=1
	while [ "$i" -le "$PAIRS" ]; do
		# rotate: round 1 off A B, round 2 A B off, round 3 B off A, ...
		set -- off $BACKENDS
		order="$*"
		k=$((i % $#))
		while [ "$k" -gt 0 ]; do
			first=${order%% *}
			order="${order#* } $first"
			k=$((k - 1))
		done
		for m in $order; do run "$name" "$m" "$i" $EXTRA; done
		i=$((i + 1))
	done
}

if [ -z "$ANALYZE" ]; then
	EXTRA=
	bench small
	EXTRA="--set churn.size=2M --set churn.populate=true"
	bench large
	[ -n "$KEEP" ] && cp "$TMP"/*.json "$KEEP"/
fi

python3 - "$TMP" "$PAIRS" $BACKENDS <<'PYEOF'
import json, statistics, sys
tmp, pairs, backends = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def load(name, mode, i):
    r = json.load(open(f"{tmp}/{name}-{mode}-{i}.json"))["repeats"][0]
    return r["workers"]["churn"]["ops"]["mmap"], r["probes"]["mmap_lock"]
def acq(p):
    # acquisitions: waits ended (blocking locks) + trylocks + downgrades
    w = p["wait"]["read"]["count"] + p["wait"]["write"]["count"]
    return w + p["trylocks"]
print(f"mmap-churn with the mmap_lock probe on vs off, {pairs} interleaved rounds per workload")
print(f"{'workload':<20} {'backend':<8} {'rate off/s':>11} {'rate on/s':>11} {'on/off':>7} {'slowdown':>9} {'ev/iter':>8} {'ns/event':>9} {'acq/op':>7} {'lost':>6}")
for name, desc in (("small", "64K, not populated"), ("large", "2M, populated")):
    acqs = {}
    for b in backends:
        ratios, nsev, ron, roff, epi, lost, apo = [], [], [], [], [], 0, []
        for i in range(1, pairs + 1):
            on, probe = load(name, b, i)
            off, _ = load(name, "off", i)
            if probe.get("backend") != b or not probe.get("available"):
                print(f"{desc}: backend {b} did not run: {probe.get('why')}")
                break
            e = probe["events"] / on["count"]
            ratios.append(on["ops_per_sec"] / off["ops_per_sec"])
            nsev.append((1 / on["ops_per_sec"] - 1 / off["ops_per_sec"]) * 1e9 / e)
            ron.append(on["ops_per_sec"]); roff.append(off["ops_per_sec"]); epi.append(e)
            apo.append(acq(probe) / on["count"])
            lost += probe["lost_events"]
        if not ratios:
            continue
        r = statistics.median(ratios)
        acqs[b] = statistics.median(apo)
        print(f"{desc:<20} {b:<8} {statistics.median(roff):11.0f} {statistics.median(ron):11.0f} {r:7.3f} "
              f"{(1 - r) * 100:8.1f}% {statistics.median(epi):8.2f} {statistics.median(nsev):9.0f} {acqs[b]:7.3f} {lost:6d}")
        print(f"{'':<29} per-round on/off: " + " ".join(f"{x:.3f}" for x in ratios))
    if len(acqs) == 2:
        a, b = acqs.values()
        print(f"{'':<29} parity: acquisitions per op differ by {abs(a - b) / max(a, b) * 100:.2f}%")
    # the distributions each backend saw (medians over the rounds): they
    # differ by what each probe adds inside the lock (its own event cost)
    for kind, mode in (("wait", "write"), ("hold", "write"), ("hold", "read")):
        cells = []
        for b in acqs:
            ps = [load(name, b, i)[1][kind][mode]["ns"] for i in range(1, pairs + 1)]
            cells.append(f"{b} p50 {statistics.median(p['p50'] for p in ps):.0f} p99 {statistics.median(p['p99'] for p in ps):.0f}")
        print(f"{'':<29} {kind} {mode} ns: " + "; ".join(cells))
PYEOF
