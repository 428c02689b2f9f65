#!/bin/sh
# MADV_COLLAPSE latency and success rate by region size, shmem and anon,
# alone and in their contention scenarios. Prints one line per run: medians
# over the repeats of p50/p99, the max over all repeats, and measured
# successes/attempts. Usage: tests/perf/collapse-latency.sh [DURATION] [REPEAT]
cd "$(dirname "$0")/../.." || exit 1
D=${1:-3s}
R=${2:-3}
TMP=$(mktemp -d /tmp/ptbench-perf.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

for type in shmem-collapse anon-collapse; do
	printf '[scenario]\ndescription = %s alone\nwarmup = 500ms\n[worker collapser]\ntype = %s\nthreads = 1\n' \
		"$type" "$type" >"$TMP/$type-alone.ini"
done

row() { # LABEL FILE
	python3 - "$1" "$2" <<'PY'
import json, statistics, sys
label, path = sys.argv[1], sys.argv[2]
d = json.load(open(path))
reps = [r["workers"]["collapser"] for r in d["repeats"]]
ns = [r["ops"]["collapse"]["ns"] for r in reps]
att = sum(r["collapse"]["measured"]["attempts"] for r in reps)
ok = sum(r["collapse"]["measured"]["succeeded"] for r in reps)
agree = all(r["collapse"]["vmstat_check"]["agrees"] for r in reps)
ms = lambda v: "%.2fms" % (v / 1e6)
print("%-34s p50 %-9s p99 %-9s max %-9s success %d/%d (%.1f%%) vmstat_agrees=%s" % (
    label, ms(statistics.median(n["p50"] for n in ns)), ms(statistics.median(n["p99"] for n in ns)),
    ms(max(n["max"] for n in ns)), ok, att, 100.0 * ok / att if att else 0, agree))
PY
}

for size in 16M 64M; do
	for s in "$TMP/shmem-collapse-alone.ini" "$TMP/anon-collapse-alone.ini" shmem-collapse-smaps anon-collapse-faults; do
		name=$(basename "$s" .ini)
		./ptbench run "$s" --duration "$D" --repeat "$R" --quiet --no-trace \
			--set collapser.size="$size" -o "$TMP/r.json" || exit 1
		row "$name size=$size" "$TMP/r.json"
	done
done
