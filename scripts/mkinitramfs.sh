#!/bin/sh
# Build the initramfs that `ptbench vm` boots: busybox-static, the ptbench
# binary with the shared libraries ldd names and the loader (hwloc's static
# link wants libudev, which Debian ships only shared), the scenarios and
# scripts/initramfs/init. Cached by content hash: an unchanged input set
# reuses build/initramfs/ptbench-HASH.cpio.gz.
#
# usage: scripts/mkinitramfs.sh [-b PTBENCH] [-s SCENARIO_DIR] [-o OUTDIR]
# Prints the archive's path on stdout.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
bin=$top/ptbench
scen=$top/scenarios
outdir=$top/build/initramfs
# next to this script both in the tree (scripts/) and installed (share/ptbench/)
init=$here/initramfs/init
while getopts b:s:o: o; do
	case $o in
	b) bin=$OPTARG ;;
	s) scen=$OPTARG ;;
	o) outdir=$OPTARG ;;
	*) echo "usage: $0 [-b PTBENCH] [-s SCENARIO_DIR] [-o OUTDIR]" >&2; exit 2 ;;
	esac
done
die() { echo "mkinitramfs: $*" >&2; exit "${2:-5}"; }
[ -x "$bin" ] || die "$bin: not an executable (build ptbench first: make)" 2
[ -d "$scen" ] || die "$scen: no scenario directory" 2
[ -r "$init" ] || die "$init: missing" 5
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || die "busybox not found (apt-get install busybox-static)" 4
# a dynamically linked busybox would need its libraries too: insist on static
if ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is dynamically linked (apt-get install busybox-static)" 4
fi
command -v cpio >/dev/null || die "cpio not found (apt-get install cpio)" 4

# The libraries, resolved to real files; the loader is the line with no "=>".
libs=$(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u)
[ -n "$libs" ] || die "ldd $bin named no libraries (a static build? use it directly)" 5

hash=$( {
	for f in "$bin" "$busybox" "$init" "$0" $libs; do
		sha256sum <"$f"
	done
	for f in "$scen"/*.ini; do
		echo "${f##*/}"
		sha256sum <"$f"
	done
} | sha256sum | cut -c1-16)
archive=$outdir/ptbench-$hash.cpio.gz
if [ -s "$archive" ]; then
	echo "$archive"
	exit 0
fi

mkdir -p "$outdir" || die "$outdir: cannot create" 5
stage=$(mktemp -d "$outdir/.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/sbin" "$stage/dev" "$stage/proc" "$stage/sys" "$stage/tmp" \
	"$stage/ptbench/scenarios" "$stage/ptbench-run"
cp "$busybox" "$stage/bin/busybox"
for a in $("$busybox" --list); do
	[ "$a" = busybox ] || ln -s busybox "$stage/bin/$a"
done
# the guest needs a console before devtmpfs is mounted; mknod needs root
mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true
cp "$init" "$stage/init"
chmod 755 "$stage/init"
cp "$bin" "$stage/ptbench/ptbench"
cp "$scen"/*.ini "$stage/ptbench/scenarios/"
for l in $libs; do
	mkdir -p "$stage$(dirname "$l")"
	cp -L "$l" "$stage$l"
done
tmp=$archive.tmp.$$
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -6 -n >"$tmp"
# `ptbench vm` appends an uncompressed cpio with the run's arguments: the
# kernel reads it only at a 4-byte boundary, so pad with zeros (it skips them)
size=$(stat -c %s "$tmp")
pad=$(((4 - size % 4) % 4))
[ "$pad" -eq 0 ] || head -c "$pad" /dev/zero >>"$tmp"
mv "$tmp" "$archive"
# every rebuild of ptbench makes a new archive: keep the newest four
ls -t "$outdir"/ptbench-*.cpio.gz 2>/dev/null | tail -n +5 | while IFS= read -r old; do
	rm -f "$old"
done
echo "$archive"
