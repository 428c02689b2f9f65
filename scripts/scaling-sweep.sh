#!/bin/bash
# Scaling evidence on whatever machine this runs on: a thread-count sweep of
# the `default` scenario (its faulter threads) and of one collapse scenario
# (the first scenarios/*collapse*.ini, else churn-smaps), each point an
# ordinary result file under OUTDIR, then a compact table of threads vs
# p50/p99 (medians over repeats) of each scenario's headline ops and, where
# the lock probe ran, the swept role's lock counts per op.
#
# usage: scripts/scaling-sweep.sh [-o OUTDIR] [-d DURATION] [-w WARMUP] [-r REPEAT]
#            [-t THREADS] [-s SCENARIO[:ROLE]]... [-c] [-p]
#            [--vm IMAGE[:LABEL]]... [--cpus N] [--accel A] [--mem SIZE]
#            [-- EXTRA ptbench run ARGS...]
#   THREADS defaults to 1,2,4,...,max (max = the PUs ptbench may use; in a
#       guest, the guest's).
#   -s: sweep these scenarios (ROLE: the role to sweep) instead of the two above.
#   -c: also the harness cost at each thread count (build/perf/harness_cost -t N:
#       every worker's rate against its bare twin; `make build/perf/harness_cost`)
#       into OUTDIR/harness-cost.txt; HARNESS_COST_ARGS adds its options (-r, -d).
#   -p: chart each sweep (`ptbench plot`, gnuplot) into OUTDIR/plots/SCENARIO-LABEL.
#   --vm: run each scenario's sweep in a guest of each kernel image (`ptbench vm`,
#       one boot per image and scenario, every point in that boot), results in
#       OUTDIR/SCENARIO/LABEL/SCENARIO.threads-N.json; --cpus (default 8),
#       --accel (default tcg-single), --mem, --timeout and --initramfs go to `ptbench vm`.
#       Under TCG the counts per op hold, latencies do not (README: Scaling sweeps).
# Environment: PTBENCH (default ./ptbench next to scripts/), COLLAPSE_SCENARIO
# and COLLAPSE_ROLE to choose the second sweep yourself.
# Exit status: the worst ptbench exit status of the sweeps.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
PTBENCH=${PTBENCH:-$top/ptbench}
out=scaling-$(uname -r)-$(date +%Y%m%dT%H%M%S)
duration=5s warmup=1s repeat=3 threads="1,2,4,...,max" cost=0 plot=0
scens=() kernels=() vmopts=() cpus=8 accel=tcg-single
usage() { sed -n '2,28p' "$0"; exit 2; }
need() { [ $# -ge 2 ] || { echo "scaling-sweep: $1 needs a value" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
	case $1 in
	-o) need "$@"; out=$2; shift ;;
	-d) need "$@"; duration=$2; shift ;;
	-w) need "$@"; warmup=$2; shift ;;
	-r) need "$@"; repeat=$2; shift ;;
	-t) need "$@"; threads=$2; shift ;;
	-s) need "$@"; scens+=("$2"); shift ;;
	-c) cost=1 ;;
	-p) plot=1 ;;
	--vm) need "$@"; kernels+=(--kernel "$2"); shift ;;
	--cpus) need "$@"; cpus=$2; shift ;;
	--accel) need "$@"; accel=$2; shift ;;
	--mem | --timeout | --initramfs) need "$@"; vmopts+=("$1" "$2"); shift ;;
	--) shift; break ;;
	-h | --help) usage ;;
	*) echo "scaling-sweep: unknown option '$1'" >&2; usage ;;
	esac
	shift
done
[ -x "$PTBENCH" ] || { echo "scaling-sweep: no ptbench at $PTBENCH (make first)" >&2; exit 2; }
vm=0
[ ${#kernels[@]} -gt 0 ] && vm=1
# the harness cost is the host's loop against ptbench's: not a guest's
[ $vm = 1 ] && [ $cost = 1 ] && { echo "scaling-sweep: -c measures the host; drop it with --vm" >&2; exit 2; }
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

if [ ${#scens[@]} -eq 0 ]; then
	collapse=${COLLAPSE_SCENARIO:-}
	if [ -z "$collapse" ]; then
		for f in "$top"/scenarios/*collapse*.ini; do
			[ -e "$f" ] && { collapse=$(basename "$f" .ini); break; }
		done
	fi
	[ -n "$collapse" ] || collapse=churn-smaps
	scens=(default "$collapse${COLLAPSE_ROLE:+:$COLLAPSE_ROLE}")
fi

[ $vm = 1 ] || "$PTBENCH" sysinfo --json >"$out/sysinfo.json"
worst=0
for spec in "${scens[@]}"; do
	scen=${spec%%:*} role=
	[ "$scen" != "$spec" ] && role=${spec#*:}
	file=$top/scenarios/$scen.ini
	[ -e "$scen" ] && file=$scen
	if [ -z "$role" ]; then
		role=$(pick_role "$file") || { echo "scaling-sweep: no role to sweep in $file" >&2; worst=2; continue; }
	fi
	name=$(basename "$scen" .ini)
	echo "== $name: sweeping $role.threads=$threads (duration $duration, warmup $warmup, repeat $repeat)"
	if [ $vm = 1 ]; then
		# one boot per kernel runs every point: the guest's ptbench run
		# does the sweep, vm stores one file per point
		"$PTBENCH" vm "${kernels[@]}" --cpus "$cpus" --accel "$accel" "${vmopts[@]}" -o "$out/$name" \
			run "$scen" --sweep "$role.threads=$threads" --duration "$duration" --warmup "$warmup" \
			--repeat "$repeat" --quiet "$@"
	else
		"$PTBENCH" run "$scen" --sweep "$role.threads=$threads" --duration "$duration" --warmup "$warmup" \
			--repeat "$repeat" -o "$out/$name.json" --quiet "$@"
	fi
	rc=$?
	[ $rc -gt $worst ] && worst=$rc
	[ $rc -ge 128 ] && break
done

# the table, from the result files alone (the sweep contract: one file per
# point; with --vm, OUTDIR/SCENARIO/LABEL/SCENARIO.threads-N.json)
python3 - "$out" "$vm" <<'PY'
import glob, json, os, statistics, sys
out, vm = sys.argv[1], sys.argv[2] == "1"
if not vm:
    sysinfo = json.load(open(os.path.join(out, "sysinfo.json")))
    t, c = sysinfo.get("topology", {}), sysinfo.get("cpu", {})
    print(f"machine: {c.get('brand', '?')} ({c.get('codename', '?')}), {t.get('packages')} package(s), "
          f"{t.get('numa_nodes')} node(s), {t.get('cores')} cores, {t.get('pus')} PUs; "
          f"kernel {sysinfo.get('kernel', {}).get('release', '?')}")
groups = {}
for f in glob.glob(os.path.join(out, "**", "*.threads-*.json"), recursive=True):
    d = json.load(open(f))
    if "sweep" not in d:
        continue
    name = d["scenario"].get("name") or os.path.basename(f).split(".threads-")[0]
    groups.setdefault((name, d.get("vm", {}).get("label", "")), []).append(d)

def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None

def lock_counts(rep, role):
    """mmap_lock holds begun and waits (read+write) and VMA lock fallbacks
    per unit op of role, as compare counts them; None without the probe"""
    ml = rep.get("probes", {}).get("mmap_lock", {})
    w = rep["workers"].get(role, {})
    n = w.get("ops", {}).get(w.get("unit_op") or "", {}).get("count", 0)
    if not ml.get("available") or not n:
        return None
    r = ml.get("roles", {}).get(role, {})
    cnt = lambda k, m: r.get(k, {}).get(m, {}).get("count", 0)
    vl = rep.get("probes", {}).get("vma_lock", {})
    fb = vl.get("roles", {}).get(role, {}).get("fallbacks", 0) / n if vl.get("available") else None
    return ((cnt("hold", "read") + cnt("hold", "write")) / n, (cnt("wait", "read") + cnt("wait", "write")) / n, fb)

for (name, label), docs in sorted(groups.items()):
    docs.sort(key=lambda d: d["sweep"]["value"])
    if label:
        v, k = docs[0]["vm"], docs[0].get("system", {}).get("kernel", {})
        print(f"\nguest {label}: kernel {v.get('guest_release') or k.get('release', '?')}, {v.get('cpus')} vCPUs, "
              f"{v.get('accel')}, {v.get('mem')}; boot+run {v.get('boot_and_run_s', 0):.0f} s "
              "(under TCG: counts per op hold, latencies do not)")
    ops = []
    for m in (docs[0]["scenario"].get("headline") or "").replace(" ", "").split(","):
        p = m.split(".")
        if len(p) >= 2 and (p[0], p[1]) not in ops:
            ops.append((p[0], p[1]))
    print(f"\n{name}{' on ' + label if label else ''}: {docs[0]['sweep']['param']} "
          "(medians over repeats; p50/p99 in us, ops/s summed over the role)")
    print("threads " + "".join(f"{r + '.' + o:>34}" for r, o in ops))
    for d in docs:
        cells = []
        for r, o in ops:
            st = [rep["workers"].get(r, {}).get("ops", {}).get(o) for rep in d["repeats"]]
            st = [s for s in st if s and s.get("count")]
            if not st:
                cells.append(f"{'-':>34}")
                continue
            q = lambda k: statistics.median(s["ns"][k] for s in st) / 1000
            ops_s = statistics.median(s["ops_per_sec"] for s in st)
            cells.append(f"{q('p50'):>10.4g} {q('p99'):>10.4g} {ops_s:>10.4g}/s")
        flag = "" if d.get("complete") else "  (incomplete)"
        print(f"{d['sweep']['value']:>7} " + "".join(cells) + flag)
    # the counts, which hold under TCG too: per unit op of each role
    roles = [r for r, w in docs[0]["repeats"][0]["workers"].items() if w.get("unit_op")] if docs[0]["repeats"] else []
    if not any(lock_counts(rep, r) for d in docs for rep in d["repeats"] for r in roles):
        continue
    print("locks per unit op (medians over repeats): mmap_lock acquisitions (read+write), the blocking lock")
    print("calls among them (waits), VMA lock fallbacks ('-': no vma_lock probe)")
    print("threads " + "".join(f"{r + ' (per ' + docs[0]['repeats'][0]['workers'][r]['unit_op'] + ')':>32}" for r in roles))
    for d in docs:
        cells = []
        for r in roles:
            lc = [lock_counts(rep, r) for rep in d["repeats"]]
            lc = [x for x in lc if x]
            if not lc:
                cells.append(f"{'-':>32}")
                continue
            acq, wt = med([x[0] for x in lc]), med([x[1] for x in lc])
            fb = med([x[2] for x in lc])
            cells.append(f"{acq:>10.4g} {wt:>10.4g} {'-' if fb is None else format(fb, '.3g'):>10}")
        print(f"{d['sweep']['value']:>7} " + "".join(cells))
PY
# charts: one `ptbench plot` per scenario and label (a series per label)
if [ $plot = 1 ]; then
	for dir in $(find "$out" -name '*.threads-*.json' -printf '%h\n' | sort -u); do
		for scen in $(cd "$dir" && ls *.threads-*.json | sed 's/\.threads-[0-9]*\.json$//' | sort -u); do
			label=$(basename "$dir")
			[ "$dir" = "$out" ] && label=host
			mkdir -p "$out/plots"
			"$PTBENCH" plot "$dir/$scen".threads-*.json -o "$out/plots/$scen-$label" \
				>"$out/plots/$scen-$label.log" 2>&1 ||
				echo "scaling-sweep: ptbench plot of $dir/$scen drew nothing ($out/plots/$scen-$label.log)" >&2
		done
	done
fi
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
