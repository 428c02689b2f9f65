#!/bin/sh
# `git bisect run` with `ptbench gate --bisect`, end to end, on a kernel
# built here: a small git history is made over the source tree (8 commits,
# each a harmless comment except one lock mutant from tests/kernel-mutants/),
# and git bisect must name the planted commit. This is the recipe of doc/gate.md,
# run for real:
#
#   git bisect start BAD GOOD
#   git bisect run scripts/bisect-step.sh GOOD-IMAGE SCENARIO [RUN-ARGS]
#
# usage: scripts/bisect-demo.sh [-s SRC] [-o DIR] [-m MUTANT] [-p POSITION] [-i BUILD]
#   SRC       as scripts/build-kernel.sh (default debian:6.12)
#   DIR       the repository copy, builds, gates (default build/bisect-demo)
#   -i BUILD  in place: the history is made over the unpacked source itself
#             and every kernel is built incrementally in BUILD, a build
#             directory of that source (mutant-check's: build/mutants/build),
#             so no full build is needed; the source is restored and the
#             history removed on every exit path
#   MUTANT    the planted change (default vma-lock-fails)
#   POSITION  which of the 8 commits plants it (default 5)
# Prints the commit git bisect named, the planted one, the steps and the
# time; exits 0 when they are the same commit, 1 when not.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
src=debian:6.12
dir=$top/build/bisect-demo
mutant=vma-lock-fails
pos=5
inplace=
while getopts s:o:m:p:i: o; do
	case $o in
	s) src=$OPTARG ;;
	o) dir=$OPTARG ;;
	m) mutant=$OPTARG ;;
	p) pos=$OPTARG ;;
	i) inplace=$OPTARG ;;
	*) echo "usage: $0 [-s SRC] [-o DIR] [-m MUTANT] [-p POSITION] [-i BUILD]" >&2; exit 2 ;;
	esac
done
patchf=$top/tests/kernel-mutants/$mutant.patch
[ -r "$patchf" ] || { echo "bisect-demo: no $patchf" >&2; exit 2; }
# shellcheck disable=SC1090
. "$top/tests/kernel-mutants/$mutant.expect"
t_all=$(date +%s)

# the tree: a private copy (hard links: cheap) so the history and bisect's
# checkouts never touch the shared unpacked source; or, with -i, that source
# itself, restored on exit
mkdir -p "$dir"
files="mm/memory.c mm/mprotect.c mm/khugepaged.c fs/proc/task_mmu.c mm/madvise.c mm/mmap.c"
if [ -n "$inplace" ]; then
	[ -f "$inplace/Makefile" ] || { echo "bisect-demo: -i $inplace: not a kernel build directory" >&2; exit 2; }
	linux=$(sed -n 's/^include \(.*\)\/Makefile$/\1/p' "$inplace/Makefile" | head -n1)
	[ -d "$linux" ] || { echo "bisect-demo: cannot find the source tree behind $inplace" >&2; exit 2; }
	[ ! -e "$linux/.git" ] || { echo "bisect-demo: $linux/.git exists: not making a history over it" >&2; exit 2; }
	build=$inplace
	restore() {
		if [ -d "$linux/.git" ]; then
			git -C "$linux" bisect reset -q >/dev/null 2>&1 || true
			# shellcheck disable=SC2086
			git -C "$linux" checkout -q "$(git -C "$linux" rev-list --max-parents=0 HEAD)" -- $files 2>/dev/null || true
			rm -rf "$linux/.git"
		fi
	}
	trap restore EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
else
	linux=$dir/linux
	build=$dir/build
	# a history left half-made by an earlier failed run is made again
	if [ -d "$linux/.git" ] &&
		! git -C "$linux" log --format=%s 2>/dev/null | grep -q "the planted regression"; then
		rm -rf "$linux"
	fi
	if [ ! -d "$linux/.git" ]; then
		first=$("$top/scripts/build-kernel.sh" -n "$src" "$dir/cfgprobe" >/dev/null 2>&1; \
			sed -n 's/^include \(.*\)\/Makefile$/\1/p' "$dir/cfgprobe/Makefile" | head -n1)
		[ -d "$first" ] || { echo "bisect-demo: cannot find the source tree of $src" >&2; exit 5; }
		rm -rf "$dir/linux.tmp"
		cp -al "$first" "$dir/linux.tmp"
		mv "$dir/linux.tmp" "$linux"
		# only the files the history touches are tracked: a checkout
		# rewrites just those (a hard-linked file is broken off first)
		for f in $files; do cp --remove-destination "$linux/$f" "$linux/$f.tmp" && mv "$linux/$f.tmp" "$linux/$f"; done
	fi
fi
if [ ! -d "$linux/.git" ]; then
	cd "$linux"
	git init -q
	git config user.email ptbench@localhost
	git config user.name "ptbench bisect demo"
	# -f: Debian's linux-source .gitignore ignores everything at the top
	# level (its packaging repository tracks only debian/)
	# shellcheck disable=SC2086
	git add -f $files
	git commit -q -m "base: $(make -s kernelversion)"
	i=1
	for f in mm/mmap.c mm/madvise.c fs/proc/task_mmu.c mm/mprotect.c mm/memory.c mm/khugepaged.c mm/mmap.c mm/madvise.c; do
		if [ "$i" = "$pos" ]; then
			patch -p1 -s <"$patchf"
			git commit -q -a -m "commit $i: $mutant (the planted regression)"
		else
			printf '/* bisect demo: commit %d, a comment */\n' "$i" >>"$f"
			git commit -q -a -m "commit $i: a comment in $f"
		fi
		i=$((i + 1))
	done
fi
cd "$linux"
planted=$(git log --format=%h --grep="the planted regression" | head -n1)
good=$(git rev-list --max-parents=0 HEAD)
bad=$(git rev-parse HEAD)

# the good kernel, once: built from the good commit, not from HEAD (which
# carries the planted regression)
t0=$(date +%s)
git checkout -q "$good"
gimg=$("$top/scripts/build-kernel.sh" -l -good "$linux" "$build")
git checkout -q "$bad"
mkdir -p "$dir/images"
cp "$gimg" "$(dirname "$gimg")/config-${gimg##*/vmlinuz-}" "$dir/images/"
gimg=$dir/images/${gimg##*/}
echo "bisect-demo: good kernel built in $(($(date +%s) - t0)) s" >&2

git bisect reset -q >/dev/null 2>&1 || true
git bisect start "$bad" "$good" >/dev/null
t0=$(date +%s)
PTBENCH_BISECT_BUILD=$build PTBENCH_BISECT_OUT=$dir git bisect run "$top/scripts/bisect-step.sh" "$gimg" "$SCENARIO" --duration 1s >"$dir/bisect.log" 2>&1 || true
named=$(sed -n 's/^\([0-9a-f]\{7,\}\) is the first bad commit$/\1/p' "$dir/bisect.log" | head -n1)
steps=$(grep -c '^running ' "$dir/bisect.log" || true)
git bisect reset -q >/dev/null 2>&1 || true
echo "bisect-demo: git bisect named ${named:-nothing}, planted ${planted}; $steps steps in $(($(date +%s) - t0)) s (all: $(($(date +%s) - t_all)) s); log: $dir/bisect.log"
case $named in "$planted"*) exit 0 ;; esac
case $planted in "$named"*) [ -n "$named" ] && exit 0 ;; esac
exit 1
