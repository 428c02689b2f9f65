#!/bin/sh
# Install what ptbench needs to build, test and plot, from Debian's packages.
# clang, llvm, libbpf-dev and bpftool build the BPF lock probe (without them
# the build still succeeds and the BPF backend reports itself unavailable).
# Idempotent: does nothing when everything is present. Bookworm is the default
# release so a newer suite the machine may list never replaces libc.
set -eu

PKGS="build-essential pkg-config libhwloc-dev libnuma-dev libcpuid-dev libjson-c-dev
libtracefs-dev libtraceevent-dev zlib1g-dev gnuplot-nox libxml2-utils perl python3 python3-yaml python3-junitparser util-linux
qemu-system-x86 busybox-static cpio groff-base man-db clang llvm libbpf-dev bpftool libclang-rt-14-dev"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq -t bookworm --no-install-recommends $missing
