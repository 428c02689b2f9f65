#!/bin/sh
# Fetch Debian's stock cloud kernel images for `ptbench vm`, with a PRIVATE apt
# configuration: its own sources list, state, cache and (empty) preferences
# under build/kernels/apt. The machine's own apt sources, pinning and dpkg
# status are never read or changed.
#
# usage: scripts/fetch-kernels.sh [-m MIRROR] [SUITE...]
#   SUITE defaults to "bookworm trixie" (Debian 6.1 and 6.12 cloud kernels);
#   bookworm-backports, forky, sid work too where the mirror has them.
# Output: build/kernels/vmlinuz-<version> and one line per kernel on stdout:
#   build/kernels/vmlinuz-<version>:<label>   (ready for `ptbench vm --kernel`)
set -eu

MIRROR=${MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
while getopts m: o; do
	case $o in
	m) MIRROR=$OPTARG ;;
	*) echo "usage: $0 [-m MIRROR] [SUITE...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- bookworm trixie

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/kernels
apt=$out/apt
mkdir -p "$apt/etc/preferences.d" "$apt/etc/sources.list.d" "$apt/state/lists/partial" \
	"$apt/cache/archives/partial" "$apt/debs"
: > "$apt/state/status"
: > "$apt/etc/preferences"
[ -r "$KEYRING" ] || { echo "fetch-kernels: $KEYRING missing (apt-get install debian-archive-keyring)" >&2; exit 4; }

{
	for s in "$@"; do
		echo "deb [signed-by=$KEYRING arch=amd64] $MIRROR $s main"
	done
} > "$apt/etc/sources.list"

# Every path apt would otherwise take from the machine points into $apt.
aptp() {
	"$@" -o Dir::Etc::sourcelist="$apt/etc/sources.list" \
		-o Dir::Etc::sourceparts="$apt/etc/sources.list.d" \
		-o Dir::Etc::preferences="$apt/etc/preferences" \
		-o Dir::Etc::preferencesparts="$apt/etc/preferences.d" \
		-o Dir::State="$apt/state" -o Dir::State::status="$apt/state/status" \
		-o Dir::Cache="$apt/cache" -o APT::Architecture=amd64 \
		-o APT::Architectures::=amd64 -o Acquire::Languages=none \
		-o APT::Get::List-Cleanup=false -o Debug::NoLocking=true \
		-o APT::Sandbox::User=root
}

aptp apt-get -qq update

for s in "$@"; do
	# linux-image-cloud-amd64 is a metapackage: its Depends names the real
	# image; madison gives the version each suite holds.
	ver=$(aptp apt-cache madison linux-image-cloud-amd64 | awk -F'|' -v s="$s" \
		'$3 ~ " "s"/" { gsub(/ /, "", $2); print $2; exit }')
	if [ -z "$ver" ]; then
		echo "fetch-kernels: $s: no linux-image-cloud-amd64 on $MIRROR" >&2
		continue
	fi
	# newer metapackages depend on linux-base-cloud-amd64 first: pick the image
	pkg=$(aptp apt-cache show "linux-image-cloud-amd64=$ver" | sed -n 's/^Depends: *//p' |
		head -n1 | tr ',' '\n' | sed -n 's/^ *\(linux-image-[0-9][^ ]*\).*/\1/p' | head -n1)
	[ -n "$pkg" ] || { echo "fetch-kernels: $s: cannot read the image package of $ver" >&2; continue; }
	# 7.x splits the package: the image and config are in linux-binary-KVER
	# (linux-base-KVER holds the rest); fetch those beside it when they exist
	kver0=${pkg#linux-image-}
	pkgs="$pkg"
	for part in linux-binary-$kver0 linux-base-$kver0; do
		aptp apt-cache show "$part" >/dev/null 2>&1 && pkgs="$pkgs $part"
	done
	x=$apt/x/$pkg
	rm -rf "$x"
	mkdir -p "$x"
	for p in $pkgs; do
		# shellcheck disable=SC2086
		(cd "$apt/debs" && aptp apt-get -qq download "$p")
		deb=$(ls -t "$apt/debs/${p}"_*.deb | head -n1)
		dpkg-deb -x "$deb" "$x"
	done
	# bookworm/trixie: boot/vmlinuz-KVER, boot/config-KVER;
	# 7.x: usr/lib/modules/KVER/vmlinuz and .../config
	img=$(ls "$x"/boot/vmlinuz-* 2>/dev/null | head -n1)
	if [ -n "$img" ]; then
		kver=${img##*/vmlinuz-}
		cfg=$x/boot/config-$kver
	else
		img=$(ls "$x"/usr/lib/modules/*/vmlinuz 2>/dev/null | head -n1)
		kver=$(basename "$(dirname "$img")")
		cfg=$x/usr/lib/modules/$kver/config
	fi
	if [ -z "$img" ]; then
		echo "fetch-kernels: $s: no vmlinuz in $pkgs" >&2
		rm -rf "$x"
		continue
	fi
	cp "$img" "$out/vmlinuz-$kver"
	[ ! -r "$cfg" ] || cp "$cfg" "$out/config-$kver"
	rm -rf "$x"
	label=$(echo "$kver" | sed 's/^\([0-9]*\.[0-9]*\).*/\1/')
	echo "$out/vmlinuz-$kver:$s-$label"
done
