#!/bin/sh
# Mutation testing of the gate: regressions planted on purpose in a kernel
# built here. tests/kernel-mutants/NAME.patch is a small change against the
# source release (linux-source-6.12 by default), NAME.expect its verdict
# (SCENARIO, GATE_ARGS, EXPECT_EXIT, EXPECT_METRIC: a regex one regressed
# metric must match). The unmodified build is the base; each mutant is built
# incrementally in the same tree (the patch applied, built, reverted) and
# judged by `ptbench gate --base BASE --cand MUTANT SCENARIO`.
#
# usage: scripts/mutant-check.sh [-s SRC] [-o DIR] [-r ROUNDS] [-d DURATION] [NAME...]
#   SRC       as scripts/build-kernel.sh (default debian:6.12)
#   DIR       images, gates and the table (default build/mutants)
#   ROUNDS    gate rounds (default 4: 8 boots a mutant)
#   DURATION  each run's --duration (default 1s)
# Prints one markdown row per mutant (name, scenario, expected, exit,
# metrics the gate called regressed, build and gate seconds) and writes it to
# DIR/mutants.md; exits 1 when a mutant's verdict is not the expected one.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
src=debian:6.12
dir=$top/build/mutants
rounds=4
duration=1s
while getopts s:o:r:d: o; do
	case $o in
	s) src=$OPTARG ;;
	o) dir=$OPTARG ;;
	r) rounds=$OPTARG ;;
	d) duration=$OPTARG ;;
	*) echo "usage: $0 [-s SRC] [-o DIR] [-r ROUNDS] [-d DURATION] [NAME...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
mdir=$top/tests/kernel-mutants
if [ $# -eq 0 ]; then
	for p in "$mdir"/*.patch; do
		n=$(basename "$p" .patch)
		set -- "$@" "$n"
	done
fi
for n in "$@"; do
	[ -r "$mdir/$n.patch" ] && [ -r "$mdir/$n.expect" ] ||
		{ echo "mutant-check: $n: no $mdir/$n.patch and .expect" >&2; exit 2; }
done
[ -x "$top/ptbench" ] || { echo "mutant-check: build ptbench first (make)" >&2; exit 2; }
mkdir -p "$dir/images"

# the base, which also unpacks the source and tells where it is
t0=$(date +%s)
base=$("$top/scripts/build-kernel.sh" -l -ptbase "$src" "$dir/build")
cp "$base" "$dir/images/"
cp "$(dirname "$base")/config-${base##*/vmlinuz-}" "$dir/images/"
base=$dir/images/${base##*/}
echo "mutant-check: base $base built in $(($(date +%s) - t0)) s" >&2
tree=$(sed -n 's/^KERNELSRC *:= *//p;s/^include \(.*\)\/Makefile$/\1/p' "$dir/build/Makefile" | head -n1)
[ -d "$tree" ] || { echo "mutant-check: cannot find the source tree behind $dir/build" >&2; exit 5; }

printf '| mutant | scenario | expected | exit | regressed (gated) | build s | gate s |\n| --- | --- | --- | --- | --- | --- | --- |\n' >"$dir/mutants.md"
bad=0
for n in "$@"; do
	SCENARIO='' GATE_ARGS='' EXPECT_EXIT='' EXPECT_METRIC=''
	# shellcheck disable=SC1090
	. "$mdir/$n.expect"
	t0=$(date +%s)
	patch -d "$tree" -p1 -s <"$mdir/$n.patch"
	# the shared source tree is left as found on every exit path: a
	# signal during the build must not leave the next base built mutated
	trap 'patch -d "$tree" -p1 -R -s <"$mdir/$n.patch"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	img=$("$top/scripts/build-kernel.sh" -l "-mut-$n" "$tree" "$dir/build") || img=
	patch -d "$tree" -p1 -R -s <"$mdir/$n.patch"
	trap - EXIT INT TERM HUP
	tb=$(($(date +%s) - t0))
	if [ -z "$img" ]; then
		printf '| %s | %s | exit %s | build failed | | %s | |\n' "$n" "$SCENARIO" "$EXPECT_EXIT" "$tb" >>"$dir/mutants.md"
		bad=1
		continue
	fi
	cp "$img" "$dir/images/"
	cp "$(dirname "$img")/config-${img##*/vmlinuz-}" "$dir/images/"
	img=$dir/images/${img##*/}
	t0=$(date +%s)
	rc=0
	# shellcheck disable=SC2086
	"$top/ptbench" gate --base "$base:base" --cand "$img:$n" --rounds "$rounds" $GATE_ARGS \
		-o "$dir/gate-$n" "$SCENARIO" --duration "$duration" >"$dir/gate-$n.log" 2>&1 || rc=$?
	tg=$(($(date +%s) - t0))
	regressed=$(python3 - "$dir/gate-$n/report.json" <<'PY' 2>/dev/null || true
import json, sys
names = []
def walk(x):
    if isinstance(x, dict):
        if x.get("verdict") == "regressed" and "metric" in x and x.get("gated"):
            names.append(x["metric"])
        for v in x.values():
            walk(v)
    elif isinstance(x, list):
        for v in x:
            walk(v)
walk(json.load(open(sys.argv[1])))
print(" ".join(sorted(set(names))))
PY
)
	ok=yes
	[ "$rc" = "$EXPECT_EXIT" ] || ok=no
	if [ -n "$EXPECT_METRIC" ] && ! printf '%s\n' $regressed | grep -Eq "$EXPECT_METRIC"; then
		ok=no
	fi
	[ $ok = yes ] || bad=1
	# a | in the regex would end the markdown cell
	pat=$(printf '%s' "$EXPECT_METRIC" | sed 's/|/\\|/g')
	printf '| %s | %s | exit %s%s | %s%s | %s | %s | %s |\n' "$n" "$SCENARIO" "$EXPECT_EXIT" \
		"${pat:+, \`$pat\`}" "$rc" "$([ $ok = yes ] || echo ' (unexpected)')" \
		"${regressed:-none}" "$tb" "$tg" >>"$dir/mutants.md"
done
cat "$dir/mutants.md"
exit $bad
