#!/bin/sh
# Cost of the mmap_lock probe: the mmap-churn rate with the probe on against
# off, runs interleaved (on/off, then off/on, ...) so that drift on a shared
# machine hits both sides alike. Reports per workload the median of the
# per-pair rate ratios (on/off) and the cost per traced event:
#   ns/event = (1/rate_on - 1/rate_off) / events per iteration
# (medians of the pairs). Needs root (tracefs); says why and exits 0 otherwise.
# PAIRS (default 5) and DUR (default 2s) tune it.
cd "$(dirname "$0")/../.." || exit 1
PAIRS=${PAIRS:-5}
DUR=${DUR:-2s}
SCEN=tests/perf/churn-only.ini
TMP=$(mktemp -d /tmp/ptbench-perf.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

if [ "$(id -u)" -ne 0 ]; then
	echo "mmap_lock overhead: skipped: needs root (tracefs)"
	exit 0
fi

run() { # run NAME ON|OFF INDEX EXTRA...
	name=$1 mode=$2 i=$3
	shift 3
	flag=
	[ "$mode" = off ] && flag=--no-trace
	./ptbench run "$SCEN" --duration "$DUR" --quiet $flag "$@" -o "$TMP/$name-$mode-$i.json" || exit 1
}

bench() { # bench NAME EXTRA...
	name=$1
	shift
	i=1
	while [ "$i" -le "$PAIRS" ]; do
		if [ $((i % 2)) -eq 1 ]; then
			run "$name" on "$i" "$@"; run "$name" off "$i" "$@"
		else
			run "$name" off "$i" "$@"; run "$name" on "$i" "$@"
		fi
		i=$((i + 1))
	done
}

bench small
bench large --set churn.size=2M --set churn.populate=true

python3 - "$TMP" "$PAIRS" <<'EOF'
import json, statistics, sys
tmp, pairs = sys.argv[1], int(sys.argv[2])
def load(name, mode, i):
    r = json.load(open(f"{tmp}/{name}-{mode}-{i}.json"))["repeats"][0]
    return r["workers"]["churn"]["ops"]["mmap"], r["probes"]["mmap_lock"]
print(f"mmap-churn with the mmap_lock probe on vs off, {pairs} interleaved pairs per workload")
print(f"{'workload':<26} {'rate off/s':>11} {'rate on/s':>11} {'on/off':>7} {'slowdown':>9} {'ev/iter':>8} {'ns/event':>9} {'lost':>6}")
for name, desc in (("small", "64K, not populated"), ("large", "2M, populated")):
    ratios, nsev, ron, roff, epi, lost = [], [], [], [], [], 0
    for i in range(1, pairs + 1):
        on, probe = load(name, "on", i)
        off, why = load(name, "off", i)
        if not probe.get("available"):
            print(f"{desc}: probe unavailable: {probe.get('why')}")
            sys.exit(0)
        e = probe["events"] / on["count"]
        ratios.append(on["ops_per_sec"] / off["ops_per_sec"])
        nsev.append((1 / on["ops_per_sec"] - 1 / off["ops_per_sec"]) * 1e9 / e)
        ron.append(on["ops_per_sec"]); roff.append(off["ops_per_sec"]); epi.append(e)
        lost += probe["lost_events"]
    r = statistics.median(ratios)
    print(f"{desc:<26} {statistics.median(roff):11.0f} {statistics.median(ron):11.0f} {r:7.3f} "
          f"{(1 - r) * 100:8.1f}% {statistics.median(epi):8.2f} {statistics.median(nsev):9.0f} {lost:6d}")
    print(f"{'':<26} per-pair on/off: " + " ".join(f"{x:.3f}" for x in ratios))
EOF
