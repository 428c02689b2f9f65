#!/bin/sh
# One `git bisect run` step: build the checked-out tree (incrementally, in
# ../build beside the repository) and gate it against the good kernel.
#
# usage (from git bisect run, in the kernel tree):
#   scripts/bisect-step.sh GOOD-IMAGE SCENARIO [RUN-ARGS]
# PTBENCH_BISECT_BUILD: the build directory (default ../build beside the
# tree), PTBENCH_BISECT_OUT: where images and gates go (default ..).
# Exit: what `ptbench gate --bisect` says (0 good, 1 bad, 125 skip, 128
# abort), 125 when the tree does not build (git bisect skips the commit).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
good=$1
shift
tree=$(pwd)
rev=$(git rev-parse --short HEAD)
build=${PTBENCH_BISECT_BUILD:-$tree/../build}
out=${PTBENCH_BISECT_OUT:-$tree/..}
img=$("$top/scripts/build-kernel.sh" -l "-bisect-$rev" "$tree" "$build") || exit 125
mkdir -p "$out/images"
cp "$img" "$(dirname "$img")/config-${img##*/vmlinuz-}" "$out/images/"
img=$out/images/${img##*/}
# the gate's default 4 rounds: with 2 (2 boots a side) no metric can be
# called unchanged, every step was undecided (125) and git bisect skipped
# them all
"$top/ptbench" gate --bisect --base "$good:good" --cand "$img:$rev" \
	-o "$out/gate-$rev" "$@"
