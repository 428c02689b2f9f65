#!/bin/bash
# ci-gate.sh: an example kernel-CI step. On the machine booted into the
# candidate kernel: run a scenario, compare it with a stored baseline result
# (from the baseline kernel, same scenario and settings), gate, and keep every
# artefact (result, text, markdown, JSON and JUnit reports) in one directory.
# Copy it into your CI and adjust; it only needs ptbench and bash.
set -u

usage() {
	cat <<USAGE
usage: $0 -b BASELINE.json [-s SCENARIO] [-o DIR] [-r N] [-d DURATION] [-- COMPARE-ARGS...]

  -b FILE      baseline result: \`ptbench run SCENARIO -o FILE\` on the baseline
               kernel, same scenario and settings (required)
  -s SCENARIO  scenario to run on this (candidate) kernel (default: the
               baseline's scenario.name)
  -o DIR       artefact directory (default: ptbench-ci-\$(uname -r)); gets
               candidate.json, compare.txt, compare.md, compare.json, junit.xml
  -r N         repeats (default: as many as the baseline has; 5 or more, so
               that the exact test can reach p < 0.05)
  -d DURATION  measured time per repeat (default: the baseline's; duration
               and warm-up must match it or compare refuses the pair)
  -c FILE      skip the run and gate an existing candidate result
  -- ARGS      passed on to \`ptbench compare\` (e.g. --threshold-tail 15
               --gate-metrics faulter.fault.p99)

Environment: PTBENCH (default: ptbench on PATH, else ./ptbench).
Exit: 0 pass, 1 regression, 2 bad input, 3 undecided (too noisy or too few
repeats: rerun with more repeats, or treat as a warning), 4 the scenario cannot
run on this kernel (skip, not a failure), 5 runtime failure.
USAGE
}

PTBENCH=${PTBENCH:-$(command -v ptbench || echo ./ptbench)}
baseline= scenario= dir= repeats= duration= cand=
while getopts "b:s:o:r:d:c:h" opt; do
	case $opt in
	b) baseline=$OPTARG ;;
	s) scenario=$OPTARG ;;
	o) dir=$OPTARG ;;
	r) repeats=$OPTARG ;;
	d) duration=$OPTARG ;;
	c) cand=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
if [ -z "$baseline" ] || [ ! -r "$baseline" ]; then
	echo "ci-gate: need a readable baseline result (-b FILE)" >&2
	usage >&2
	exit 2
fi
dir=${dir:-ptbench-ci-$(uname -r)}
mkdir -p "$dir" || exit 2

if [ -z "$cand" ]; then
	# the baseline's settings, so that the pair is comparable
	read -r b_name b_duration b_warmup b_repeats < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = d["scenario"]
print(s["name"], s["duration"], s["warmup"], len(d["repeats"]))' "$baseline" 2>/dev/null)
	if [ -z "${b_repeats:-}" ]; then
		echo "ci-gate: $baseline: cannot read scenario name, duration, warmup, repeats" >&2
		exit 2
	fi
	cand=$dir/candidate.json
	args=(run "${scenario:-$b_name}" -o "$cand" --repeat "${repeats:-$b_repeats}"
		--duration "${duration:-${b_duration}ns}" --warmup "${b_warmup}ns")
	echo "ci-gate: $PTBENCH ${args[*]}"
	"$PTBENCH" "${args[@]}" >"$dir/run.log" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ]; then
		tail -n 20 "$dir/run.log" >&2
		case $rc in
		4) echo "ci-gate: SKIP: the scenario cannot run on this kernel (see $dir/run.log)" >&2 ;;
		*) echo "ci-gate: the run failed (exit $rc), see $dir/run.log" >&2 ;;
		esac
		exit "$rc"
	fi
fi

# the reports: every format from the same inputs, the gate's exit from the last
"$PTBENCH" compare "$baseline" "$cand" --format markdown "$@" >"$dir/compare.md" 2>"$dir/compare.err"
"$PTBENCH" compare "$baseline" "$cand" --format json "$@" >"$dir/compare.json" 2>>"$dir/compare.err"
"$PTBENCH" compare "$baseline" "$cand" --format junit "$@" >"$dir/junit.xml" 2>>"$dir/compare.err"
"$PTBENCH" compare "$baseline" "$cand" --gate "$@" | tee "$dir/compare.txt"
rc=${PIPESTATUS[0]}
case $rc in
0) echo "ci-gate: PASS (artefacts in $dir)" ;;
1) echo "ci-gate: FAIL: regression (artefacts in $dir)" ;;
3) echo "ci-gate: UNDECIDED: too noisy or too few repeats (artefacts in $dir)" ;;
*) echo "ci-gate: compare failed (exit $rc)" ;;
esac
exit "$rc"
