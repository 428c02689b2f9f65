#!/bin/sh
# The board side of ci/lava/ptbench-gate.yaml: build ptbench if needed, run
# each scenario on the running (candidate) kernel, gate against the base
# results when given, and report every gated metric with lava-test-case.
#
# usage: ci/lava/ptbench-lava.sh [-s "SCENARIO..."] [-b BASE_RESULTS] [-o DIR] [-- RUN-ARGS]
#   -s  scenarios (default: default shmem-collapse-smaps)
#   -b  the base kernel's results: a directory of SCENARIO.json, or an http(s)
#       URL of a .tar.gz of one (empty: measure only)
#   -o  output directory (default output/ptbench): cand/SCENARIO.json, gate/
# Exit: 0 once the cases are reported (LAVA reads the verdict from them);
# 2 on bad usage, 5 when ptbench cannot be built.
set -u

scenarios="default shmem-collapse-smaps"
base=""
out=output/ptbench
while getopts s:b:o:h o; do
	case $o in
	s) scenarios=$OPTARG ;;
	b) base=$OPTARG ;;
	o) out=$OPTARG ;;
	h) sed -n '2,12p' "$0"; exit 0 ;;
	*) echo "usage: $0 [-s SCENARIOS] [-b BASE_RESULTS] [-o DIR] [-- RUN-ARGS]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 5
# lava-test-case is LAVA's; outside LAVA the cases are printed
case_() { if command -v lava-test-case >/dev/null 2>&1; then lava-test-case "$@"; else echo "lava-test-case $*"; fi; }

if [ ! -x ./ptbench ]; then
	scripts/install-deps.sh && make || { echo "ptbench-lava: cannot build ptbench" >&2; exit 5; }
fi
mkdir -p "$out/cand"
for s in $scenarios; do
	./ptbench run "$s" -o "$out/cand/$s.json" "$@"
	rc=$?
	case $rc in
	0) ;;
	4) case_ "$s" --result skip ;;
	*) case_ "$s" --result fail ;;
	esac
done

if [ -n "$base" ]; then
	case $base in
	http://* | https://*)
		mkdir -p "$out/base"
		{ curl -fsSL "$base" || wget -qO- "$base"; } | tar -xz -C "$out/base" || {
			echo "ptbench-lava: cannot fetch $base" >&2
			case_ ptbench-gate --result skip
			exit 0
		}
		base=$out/base
		;;
	esac
	./ptbench gate --base-results "$base" --cand-results "$out/cand" -o "$out/gate" --ktap >"$out/gate.ktap"
	rc=$?
	echo "ptbench-lava: ptbench gate exited $rc ($out/gate/report.md)" >&2
	python3 ci/lava/lava_cases.py "$out/gate/report.json"
else
	python3 ci/lava/lava_cases.py "$out"/cand/*.json
fi | while read -r name result measurement units; do
	if [ "$measurement" = "-" ]; then
		case_ "$name" --result "$result"
	else
		case_ "$name" --result "$result" --measurement "$measurement" --units "$units"
	fi
done
exit 0
