#!/bin/sh
# The board side of ci/lava/ptbench-gate.yaml: build ptbench if needed, run
# each scenario on the running (candidate) kernel, gate against the base
# results when given, and report every gated metric with lava-test-case.
#
# usage: ci/lava/ptbench-lava.sh [-s "SCENARIO..."] [-b BASE_RESULTS] [-o DIR] [-- RUN-ARGS]
#   -s  scenarios (default: default shmem-collapse-smaps)
#   -b  the base kernel's results: a directory of SCENARIO.json, or an http(s)
#       URL of a .tar.gz of one (empty: measure only)
#   -o  output directory (default output/ptbench): cand/SCENARIO.json, gate/,
#       cases.txt (the test cases reported)
# Every path reports at least one test case; every failure path one that is
# not pass, and a non-zero exit. Exit: the gate's (0 pass, 1 regression,
# 3 undecided, 4 skipped, 2 or 5 when it judged nothing), 5 when a run failed
# (with or without a base), the base cannot be fetched or ptbench cannot be
# built; 2 on bad usage.
set -u

scenarios="default shmem-collapse-smaps"
base=""
out=output/ptbench
while getopts s:b:o:h o; do
	case $o in
	s) scenarios=$OPTARG ;;
	b) base=$OPTARG ;;
	o) out=$OPTARG ;;
	h) sed -n '2,17p' "$0"; exit 0 ;;
	*) echo "usage: $0 [-s SCENARIOS] [-b BASE_RESULTS] [-o DIR] [-- RUN-ARGS]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 5
# the ptbench to use (tests put a stand-in here)
ptbench=${PTBENCH_BIN:-./ptbench}
# lava-test-case is LAVA's; outside LAVA the cases are printed. Its stdin is
# not the cases being read, and its output (LAVA's signals) never goes back
# into them: every case is reported from the main shell, never a pipeline.
case_() {
	if command -v lava-test-case >/dev/null 2>&1; then
		lava-test-case "$@" </dev/null
	else
		echo "lava-test-case $*"
	fi
}
# report_cases FILE: one lava-test-case per line NAME RESULT MEASUREMENT UNITS
report_cases() {
	while read -r name result measurement units; do
		if [ "$measurement" = "-" ]; then
			case_ "$name" --result "$result"
		else
			case_ "$name" --result "$result" --measurement "$measurement" --units "$units"
		fi
	done <"$1"
}

if [ ! -x "$ptbench" ]; then
	if ! { scripts/install-deps.sh && make; }; then
		echo "ptbench-lava: cannot build ptbench" >&2
		case_ ptbench-build --result fail
		exit 5
	fi
fi
mkdir -p "$out/cand" || { case_ ptbench-output --result fail; exit 5; }
status=0
for s in $scenarios; do
	"$ptbench" run "$s" -o "$out/cand/$s.json" "$@"
	rc=$?
	case $rc in
	0) ;;
	4) case_ "$s" --result skip ;;
	*) case_ "$s" --result fail; status=5 ;;
	esac
done

cases=$out/cases.txt
if [ -n "$base" ]; then
	case $base in
	http://* | https://*)
		mkdir -p "$out/base"
		if ! { curl -fsSL "$base" || wget -qO- "$base"; } | tar -xz -C "$out/base"; then
			echo "ptbench-lava: cannot fetch $base: nothing gated" >&2
			case_ ptbench-gate --result skip
			exit 5
		fi
		base=$out/base
		;;
	esac
	# a report.json left by an earlier run must not stand in for this one
	rm -f "$out/gate/report.json"
	"$ptbench" gate --base-results "$base" --cand-results "$out/cand" -o "$out/gate" --ktap >"$out/gate.ktap"
	rc=$?
	echo "ptbench-lava: ptbench gate exited $rc ($out/gate/report.md)" >&2
	# a gate that refused its input (2) or failed (5) writes no report.json:
	# lava_cases.py then gives the failed case ptbench-gate
	python3 ci/lava/lava_cases.py --gate-exit "$rc" "$out/gate/report.json" >"$cases"
	[ "$rc" = 0 ] || status=$rc
else
	python3 ci/lava/lava_cases.py "$out"/cand/*.json >"$cases"
fi
crc=$?
[ -s "$cases" ] || echo "ptbench-cases fail - -" >"$cases"
report_cases "$cases"
if [ "$status" = 0 ] && [ "$crc" != 0 ]; then
	status=5
fi
exit "$status"
