#!/bin/bash
# The catalogue by release: every scenario on every kernel image, then per
# scenario the "which release changed it" table (`ptbench compare --chain`,
# structural metrics: lock acquisitions per op, waits, fallbacks, collapse
# proof) and a chart of locks per op by kernel (`ptbench plot`). This is how
# RESULTS.md's catalogue and release tables are made.
#
# usage: scripts/catalogue.sh [-d DURATION] [-w WARMUP] [-r REPEAT] [-j JOBS]
#            [-n] [-s "SCENARIO..."] -o DIR IMAGE:LABEL...
#   IMAGE:LABEL  kernel images in release order (the chain compares each
#       with the one before it); LABEL names DIR/LABEL and the chart's bars.
#   -o DIR   results go to DIR/LABEL/SCENARIO.json (one `ptbench vm` boot per
#       kernel, under TCG `tcg-single`), tables to DIR/tables/SCENARIO.md,
#       charts to DIR/plots/SCENARIO/, the summary to DIR/tables/changed.md.
#   -n   no boots: make the tables and charts from the results already in DIR
#       (a kernel without a result for a scenario, e.g. a scenario it skips,
#       is left out of that scenario's chain).
#   -j N boots at a time (default 1; each tcg-single guest uses one host CPU).
#   -s   scenarios (default: every scenario `ptbench list` names, less the
#        numa-* ones, which need a 2-node guest).
#   Defaults: -d 1s -w 300ms -r 3 (the published catalogue's).
# Environment: PTBENCH (default ./ptbench next to scripts/).
# Exit status: 0, or the worst `ptbench vm` exit status (tables are still
# made from what was measured), 2 for bad usage.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
PTBENCH=${PTBENCH:-$top/ptbench}
duration=1s warmup=300ms repeat=3 jobs=1 noboot=0 out='' scens=''
usage() { sed -n '2,24p' "$0" >&2; exit 2; }
while getopts d:w:r:j:ns:o: o; do
	case $o in
	d) duration=$OPTARG ;;
	w) warmup=$OPTARG ;;
	r) repeat=$OPTARG ;;
	j) jobs=$OPTARG ;;
	n) noboot=1 ;;
	s) scens=$OPTARG ;;
	o) out=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
if [ -z "$out" ] || [ $# -lt 1 ]; then usage; fi
case $jobs in '' | *[!0-9]* | 0) echo "catalogue: -j needs a positive number, not '$jobs'" >&2; exit 2 ;; esac
# the scenarios section of `ptbench list`, less the numa-* ones (they need a
# 2-node guest: `ptbench vm --numa`, RESULTS' NUMA section)
[ -n "$scens" ] || scens=$("$PTBENCH" list | awk '/^scenarios/ { on = 1; next } /^$/ { on = 0 } on && /^  [a-z]/ && $1 !~ /^numa-/ { print $1 }')
labels=()
for k in "$@"; do
	case $k in *:*) ;; *) echo "catalogue: '$k' is not IMAGE:LABEL" >&2; exit 2 ;; esac
	label=${k##*:}
	case $label in '' | *[!A-Za-z0-9._+-]*) echo "catalogue: label '$label' (of '$k'): only letters, digits and ._+-" >&2; exit 2 ;; esac
	[ "$noboot" = 1 ] || [ -r "${k%:*}" ] || { echo "catalogue: cannot read kernel image '${k%:*}'" >&2; exit 2; }
	labels+=("$label")
done
mkdir -p "$out/tables" "$out/plots" || exit 2
worst=0

boot() { # IMAGE:LABEL -> DIR/LABEL; exit status of ptbench vm
	# shellcheck disable=SC2086
	"$PTBENCH" vm --accel tcg-single --kernel "$1" -o "$out" \
		run $scens --duration "$duration" --warmup "$warmup" --repeat "$repeat" \
		>"$out/${1##*:}.log" 2>&1
}
reap() { # one boot ended: keep the worst exit status
	wait -n
	st=$?
	[ "$st" -gt "$worst" ] && worst=$st
	running=$((running - 1))
}
if [ "$noboot" = 0 ]; then
	running=0
	for k in "$@"; do
		boot "$k" &
		running=$((running + 1))
		[ "$running" -lt "$jobs" ] || reap
	done
	while [ "$running" -gt 0 ]; do
		reap
	done
fi

# one chain per scenario over the kernels that have its result
chain() { # [--force]: scenario $t's table over files[] into $t.md.tmp (appended), messages into $t.err
	"$PTBENCH" compare --chain "$@" --gate-on structural --format markdown "${files[@]}" \
		>>"$t.md.tmp" 2>"$t.err"
}
summary=$out/tables/changed.md
{
	echo "| scenario | metric | changed |"
	echo "| --- | --- | --- |"
} >"$summary.tmp"
for s in $scens; do
	files=() have=()
	for l in "${labels[@]}"; do
		[ -s "$out/$l/$s.json" ] || continue
		files+=("$out/$l/$s.json")
		have+=("$l")
	done
	[ ${#files[@]} -ge 2 ] || { echo "catalogue: $s: results from ${#files[@]} kernel(s), no chain" >&2; continue; }
	t=$out/tables/$s
	: >"$t.md.tmp"
	chain
	st=$?
	if [ "$st" = 2 ] && grep -q "incomplete run" "$t.err"; then
		# a repeat that failed (a collapse that got EAGAIN under TCG, say)
		# leaves the result incomplete: compare its complete repeats, and say so
		{
			echo "> Compared with \`--force\`: the complete repeats of an incomplete result."
			sed 's/^/> /' "$t.err"
			echo
		} >"$t.md.tmp"
		chain --force
		st=$?
		echo "catalogue: $s: an incomplete result, compared with --force (noted in $t.md)" >&2
	fi
	# compare exits 1 when a step changed, 3 when one could not decide: both are findings
	case $st in 0 | 1 | 3) mv "$t.md.tmp" "$t.md" ;;
	*) echo "catalogue: $s: ptbench compare exit $st, see $t.err" >&2; rm -f "$t.md.tmp"; continue ;;
	esac
	# the rows whose "changed" cell names a step: a metric column per kernel, the last is the cell
	awk -v s="$s" -F' \\| ' '/^\| `/ && $NF !~ /^none \|$/ { sub(/^\| /, "", $1); sub(/ \|$/, "", $NF); print "| " s " | " $1 " | " $NF " |" }' \
		"$t.md" >>"$summary.tmp"
	"$PTBENCH" plot "${files[@]}" --label "$(IFS=,; echo "${have[*]}")" -o "$out/plots/$s" >"$out/plots/$s.log" 2>&1 ||
		echo "catalogue: $s: ptbench plot failed, see $out/plots/$s.log" >&2
done
mv "$summary.tmp" "$summary"
echo "catalogue: tables in $out/tables (summary: $summary), charts in $out/plots"
exit "$worst"
