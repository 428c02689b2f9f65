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
# DUR (default 2s) tune it. VM_KERNEL=IMAGE runs the rounds in one
# `ptbench vm` guest of that kernel instead (where fentry loads: the cost of
# the whole probe), the same on/off order as scenario files of their own.
# The guest is TCG: its ratio says how much the probe slows the ops there,
# not on hardware.
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
scens=""
while [ "$i" -le "$ROUNDS" ]; do
	order="false true"
	[ $((i % 2)) -eq 0 ] && order="true false"
	for on in $order; do
		if [ -n "${VM_KERNEL:-}" ]; then
			# a scenario file per run: the guest's result is named after it
			mkdir -p "$TMP/scen"
			sed "s/^ptlife = .*/ptlife = $on/" scenarios/reclaim-race.ini >"$TMP/scen/$on-$i.ini"
			scens="$scens $TMP/scen/$on-$i.ini"
			continue
		fi
		$PTBENCH run reclaim-race --duration "$DUR" --warmup 200ms --repeat 1 --quiet --lock-probe off \
			--set scenario.ptlife=$on -o "$TMP/$on-$i.json" || exit 1
	done
	i=$((i + 1))
done
if [ -n "${VM_KERNEL:-}" ]; then
	# tcg-single: one emulator thread cannot race the kernel's text
	# patching while the probe attaches (tests/integration/vm.t)
	# shellcheck disable=SC2086
	$PTBENCH vm --kernel "$VM_KERNEL:guest" --accel tcg-single --timeout 600 -o "$TMP/vm" \
		run $scens --duration "$DUR" --warmup 200ms --repeat 1 --lock-probe off >"$TMP/vm.out" 2>&1 ||
		{ echo "ptlife overhead: ptbench vm failed:"; tail -5 "$TMP/vm.out"; exit 1; }
	echo "ptlife overhead in a TCG guest of $VM_KERNEL"
	mv "$TMP"/vm/guest/*-*.json "$TMP/"
fi
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
