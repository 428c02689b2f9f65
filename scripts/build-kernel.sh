#!/bin/sh
# Build a kernel image ptbench can boot (`ptbench vm`, `ptbench gate`) from a
# source tree, as kernel CI does: x86_64 defconfig + kvm_guest.config +
# ptbench.config, bzImage only (no modules: everything ptbench needs is
# built in), out of tree.
#
# usage: scripts/build-kernel.sh [-j N] [-l LOCALVERSION] [-n] SRC [OUT]
#   SRC  a kernel tree (git or plain), a linux-source-*.tar.xz (Debian's
#        linux-source-X.Y package installs one under /usr/src), or debian:X.Y
#        (installs linux-source-X.Y with apt and uses its tarball)
#   OUT  the build directory (default build/kernel-build/NAME); a second run
#        into the same OUT is incremental
#   -j N parallel jobs (default: nproc)
#   -l S CONFIG_LOCALVERSION, so that variants of one release get their own
#        names (build/kernels-style vmlinuz-RELEASE)
#   -n   configure only (no build): OUT/.config and the config check
# Output: OUT/vmlinuz-RELEASE and OUT/config-RELEASE side by side (vm reads
# the config beside the image) and one line on stdout: OUT/vmlinuz-RELEASE.
# The build's own tools (gcc, flex, bison, bc, libelf, libssl, pahole for
# BTF, ccache when present) are installed with apt when missing (bookworm as
# the default release, like scripts/install-deps.sh). The config is checked
# with `ptbench sysinfo --check-config` when ./ptbench is built.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
localversion=
configure_only=
while getopts j:l:n o; do
	case $o in
	j) jobs=$OPTARG ;;
	l) localversion=$OPTARG ;;
	n) configure_only=1 ;;
	*) echo "usage: $0 [-j N] [-l LOCALVERSION] [-n] SRC [OUT]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 [-j N] [-l LOCALVERSION] [-n] SRC [OUT]" >&2; exit 2; }
src=$1

need="build-essential flex bison bc libelf-dev libssl-dev dwarves python3 xz-utils"
command -v ccache >/dev/null || need="$need ccache"
missing=
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
case $src in debian:*)
	pkg=linux-source-${src#debian:}
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
	;;
esac
if [ -n "$missing" ]; then
	echo "build-kernel: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq -t bookworm --no-install-recommends $missing >&2
fi

# SRC -> a source directory (a tarball is unpacked once, beside the builds)
case $src in
debian:*)
	src=/usr/src/linux-source-${src#debian:}.tar.xz
	[ -r "$src" ] || { echo "build-kernel: $pkg installed no /usr/src/linux-source-*.tar.xz" >&2; exit 4; }
	;;
esac
case $src in
*.tar.xz | *.tar.gz | *.tar)
	[ -r "$src" ] || { echo "build-kernel: $src: cannot read" >&2; exit 2; }
	name=$(basename "$src"); name=${name%.tar*}
	dir=$top/build/kernel-src/$name
	if [ ! -f "$dir/Makefile" ]; then
		echo "build-kernel: unpacking $src" >&2
		mkdir -p "$top/build/kernel-src"
		rm -rf "$dir.tmp"
		mkdir -p "$dir.tmp"
		tar -xf "$src" -C "$dir.tmp" --strip-components=1
		mv "$dir.tmp" "$dir"
	fi
	src=$dir
	;;
*)
	[ -f "$src/Makefile" ] && [ -d "$src/arch/x86" ] ||
		{ echo "build-kernel: $src: not a kernel source tree (no Makefile, arch/x86)" >&2; exit 2; }
	src=$(cd "$src" && pwd)
	name=$(basename "$src")
	;;
esac
out=${2:-$top/build/kernel-build/$name${localversion}}
mkdir -p "$out"
out=$(cd "$out" && pwd)

cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
kmake() { make -s -C "$src" O="$out" CC="$cc" HOSTCC="$cc" "$@"; }

t0=$(date +%s)
# The config from scratch every time, so that a changed fragment counts;
# make only rebuilds what the config change touches.
kmake defconfig >&2
# kvm_guest.config moved from arch/x86/configs to kernel/configs in 5.x
guest=$src/kernel/configs/kvm_guest.config
[ -r "$guest" ] || guest=$src/arch/x86/configs/kvm_guest.config
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" \
	"$guest" "$top/ptbench.config" >"$out/merge.log" 2>&1 ||
	{ cat "$out/merge.log" >&2; exit 5; }
# (not named localversion*: setlocalversion appends the text of every such
# file in the build directory to the release)
rm -f "$out/localversion.config"
if [ -n "$localversion" ]; then
	printf 'CONFIG_LOCALVERSION="%s"\n# CONFIG_LOCALVERSION_AUTO is not set\n' "$localversion" >"$out/ptbench-localversion.frag"
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$out/ptbench-localversion.frag" \
		>>"$out/merge.log" 2>&1
fi
kmake olddefconfig >&2
if [ -x "$top/ptbench" ]; then
	echo "build-kernel: $out/.config against ptbench.config:" >&2
	"$top/ptbench" sysinfo --check-config "$out/.config" | tail -n +2 >&2 || true
fi
[ -z "$configure_only" ] || { echo "$out/.config"; exit 0; }

kmake -j"$jobs" bzImage >&2 || { echo "build-kernel: the build failed" >&2; exit 5; }
release=$(kmake -s kernelrelease)
cp "$out/arch/x86/boot/bzImage" "$out/vmlinuz-$release"
cp "$out/.config" "$out/config-$release"
echo "build-kernel: $release built in $(($(date +%s) - t0)) s ($jobs jobs, CC=$cc)" >&2
echo "$out/vmlinuz-$release"
