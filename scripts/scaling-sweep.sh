#!/bin/bash
# Scaling evidence on whatever machine this runs on: a thread-count sweep of
# the `default` scenario (its faulter threads) and of one collapse scenario
# (the first scenarios/*collapse*.ini, else churn-smaps), each point an
# ordinary result file under OUTDIR, then a compact table of threads vs
# p50/p99 (medians over repeats) of each scenario's headline ops.
#
# usage: scripts/scaling-sweep.sh [-o OUTDIR] [-d DURATION] [-w WARMUP] [-r REPEAT]
#                                 [-t THREADS] [-c] [-- EXTRA ptbench run ARGS...]
#   THREADS defaults to 1,2,4,...,max (max = the PUs ptbench may use).
#   -c: also the harness cost at each thread count (build/perf/harness_cost -t N:
#       every worker's rate against its bare twin; `make build/perf/harness_cost`)
#       into OUTDIR/harness-cost.txt; HARNESS_COST_ARGS adds its options (-r, -d).
# Environment: PTBENCH (default ./ptbench next to scripts/), COLLAPSE_SCENARIO
# and COLLAPSE_ROLE to choose the second sweep yourself.
# Exit status: the worst ptbench exit status of the sweeps.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
PTBENCH=${PTBENCH:-$top/ptbench}
out=scaling-$(uname -r)-$(date +%Y%m%dT%H%M%S)
duration=5s warmup=1s repeat=3 threads="1,2,4,...,max" cost=0
while getopts "o:d:w:r:t:ch" o; do
	case $o in
	o) out=$OPTARG ;;
	d) duration=$OPTARG ;;
	w) warmup=$OPTARG ;;
	r) repeat=$OPTARG ;;
	t) threads=$OPTARG ;;
	c) cost=1 ;;
	*) sed -n '2,17p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
[ -x "$PTBENCH" ] || { echo "scaling-sweep: no ptbench at $PTBENCH (make first)" >&2; exit 2; }
mkdir -p "$out" || exit 5

# The role to sweep in a scenario: the fault role if there is one (the
# victims whose latency scaling shows), else the first threaded role that
# does not collapse.
pick_role() {
	python3 - "$1" <<'PY'
import configparser, sys
c = configparser.ConfigParser(interpolation=None, strict=False)
c.read(sys.argv[1])
roles = [(s.split(None, 1)[1], c[s]) for s in c.sections() if s.startswith("worker ")]
for name, r in roles:
    if r.get("type") == "fault":
        print(name); sys.exit(0)
for name, r in roles:
    if r.get("type") != "vma-pad" and "collapse" not in r.get("type", "") and r.get("threads", "1") != "0":
        print(name); sys.exit(0)
sys.exit(1)
PY
}

collapse=${COLLAPSE_SCENARIO:-}
if [ -z "$collapse" ]; then
	for f in "$top"/scenarios/*collapse*.ini; do
		[ -e "$f" ] && { collapse=$(basename "$f" .ini); break; }
	done
fi
[ -n "$collapse" ] || collapse=churn-smaps

"$PTBENCH" sysinfo --json >"$out/sysinfo.json"
worst=0
for scen in default "$collapse"; do
	file=$top/scenarios/$scen.ini
	[ -e "$scen" ] && file=$scen
	role=default
	if [ "$scen" = "$collapse" ] && [ -n "${COLLAPSE_ROLE:-}" ]; then
		role=$COLLAPSE_ROLE
	else
		role=$(pick_role "$file") || { echo "scaling-sweep: no role to sweep in $file" >&2; worst=2; continue; }
	fi
	name=$(basename "$scen" .ini)
	echo "== $name: sweeping $role.threads=$threads (duration $duration, warmup $warmup, repeat $repeat)"
	"$PTBENCH" run "$scen" --sweep "$role.threads=$threads" --duration "$duration" --warmup "$warmup" \
		--repeat "$repeat" -o "$out/$name.json" --quiet "$@"
	rc=$?
	[ $rc -gt $worst ] && worst=$rc
	[ $rc -ge 128 ] && break
done

# the table, from the result files alone (the sweep contract: one file per point)
python3 - "$out" <<'PY'
import glob, json, os, statistics, sys
out = sys.argv[1]
sysinfo = json.load(open(os.path.join(out, "sysinfo.json")))
t, c = sysinfo.get("topology", {}), sysinfo.get("cpu", {})
print(f"machine: {c.get('brand', '?')} ({c.get('codename', '?')}), {t.get('packages')} package(s), "
      f"{t.get('numa_nodes')} node(s), {t.get('cores')} cores, {t.get('pus')} PUs; "
      f"kernel {sysinfo.get('kernel', {}).get('release', '?')}")
groups = {}
for f in glob.glob(os.path.join(out, "*.threads-*.json")):
    d = json.load(open(f))
    if "sweep" not in d:
        continue
    groups.setdefault(d["scenario"].get("name") or os.path.basename(f).split(".threads-")[0], []).append(d)
for name, docs in sorted(groups.items()):
    docs.sort(key=lambda d: d["sweep"]["value"])
    ops = []
    for m in (docs[0]["scenario"].get("headline") or "").replace(" ", "").split(","):
        p = m.split(".")
        if len(p) >= 2 and (p[0], p[1]) not in ops:
            ops.append((p[0], p[1]))
    print(f"\n{name}: {docs[0]['sweep']['param']} (medians over repeats; p50/p99 in us, ops/s summed over the role)")
    print("threads " + "".join(f"{r + '.' + o:>34}" for r, o in ops))
    for d in docs:
        cells = []
        for r, o in ops:
            st = [rep["workers"].get(r, {}).get("ops", {}).get(o) for rep in d["repeats"]]
            st = [s for s in st if s and s.get("count")]
            if not st:
                cells.append(f"{'-':>34}")
                continue
            med = lambda k: statistics.median(s["ns"][k] for s in st) / 1000
            ops_s = statistics.median(s["ops_per_sec"] for s in st)
            cells.append(f"{med('p50'):>9.2f} {med('p99'):>9.2f} {ops_s:>12.0f}/s")
        flag = "" if d.get("complete") else "  (incomplete)"
        print(f"{d['sweep']['value']:>7} " + "".join(cells) + flag)
PY
# the harness cost at each thread count of the list (its own runs, not the
# sweep's result files): ratios of ptbench's rate to a bare loop's
if [ $cost = 1 ]; then
	hc=$top/build/perf/harness_cost
	[ -x "$hc" ] || { echo "scaling-sweep: no $hc (make build/perf/harness_cost)" >&2; exit 2; }
	max=$(nproc)
	list=$(python3 - "$threads" "$max" <<'PY'
import sys
spec, mx = sys.argv[1], int(sys.argv[2])
out = []
for p in spec.split(","):
    p = p.strip()
    if p == "...":
        continue
    v = mx if p == "max" else int(p)
    if v <= mx and v not in out:
        out.append(v)
if "..." in spec.split(",") and len(out) >= 2:
    v = out[-2] * 2
    while v < out[-1]:
        out.insert(-1, v); v *= 2
print(" ".join(map(str, sorted(out))))
PY
)
	for n in $list; do
		PTBENCH=$PTBENCH "$hc" -t "$n" ${HARNESS_COST_ARGS:-} | tee -a "$out/harness-cost.txt"
	done
fi
exit $worst
