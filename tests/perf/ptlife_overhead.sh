#!/bin/sh
# Cost of the page-table lifetime probe: the reclaim-race scenario (faults,
# mincore/pagemap walks and zaps of one region at once: every op maps PTE
# tables) with ptlife = true against ptlife = false, runs interleaved (the
# order flips every round) so that drift on a shared machine hits both
# alike. Prints per role and op the median over the rounds of the rate ratio
# on/off, the method the probe used (fentry on kernels that allow it; on the
# build machine only the tlb:tlb_flush tracepoint loads, so the figure there
# is that program's cost alone) and the PTE-table mappings it counted per op.
# Needs root (BPF); says why and exits 0 otherwise. ROUNDS (default 5) and
# DUR (default 2s) tune it.
cd "$(dirname "$0")/../.." || exit 1
ROUNDS=${ROUNDS:-5}
DUR=${DUR:-2s}
PTBENCH=${PTBENCH:-./ptbench}
TMP=$(mktemp -d /tmp/ptbench-perf.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
if [ "$(id -u)" -ne 0 ]; then
	echo "ptlife overhead: skipped: needs root (BPF)"
	exit 0
fi
i=1
while [ "$i" -le "$ROUNDS" ]; do
	order="false true"
	[ $((i % 2)) -eq 0 ] && order="true false"
	for on in $order; do
		$PTBENCH run reclaim-race --duration "$DUR" --warmup 200ms --repeat 1 --quiet --lock-probe off \
			--set scenario.ptlife=$on -o "$TMP/$on-$i.json" || exit 1
	done
	i=$((i + 1))
done
python3 - "$TMP" "$ROUNDS" <<'PYEOF'
import json, statistics, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
def rep(on, i):
    return json.load(open(f"{tmp}/{on}-{i}.json"))["repeats"][0]
first = rep("true", 1)["probes"]["ptlife"]
print("ptlife method: %s" % (first.get("method") if first.get("available") else "unavailable: " + first.get("why", "")))
print("%-10s %-8s %10s %12s %14s" % ("role", "op", "on/off", "ops/s off", "maps per op"))
for role, w in rep("false", 1)["workers"].items():
    for op in w["ops"]:
        ratios, offs, per = [], [], []
        for i in range(1, rounds + 1):
            off = rep("false", i)["workers"][role]["ops"][op]["ops_per_sec"]
            on = rep("true", i)
            r_on = on["workers"][role]["ops"][op]
            if off > 0:
                ratios.append(r_on["ops_per_sec"] / off)
                offs.append(off)
            pl = on["probes"]["ptlife"]
            m = pl.get("roles", {}).get(role, {}).get("pte_offset_map", {}).get("calls") if pl.get("available") else None
            if m is not None and r_on["count"]:
                per.append(m / r_on["count"])
        print("%-10s %-8s %10.3f %12.0f %14s" % (role, op, statistics.median(ratios) if ratios else float("nan"),
              statistics.median(offs) if offs else 0, "%.2f" % statistics.median(per) if per else "-"))
PYEOF
