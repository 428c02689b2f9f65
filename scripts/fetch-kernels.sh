#!/bin/sh
# Fetch Debian's stock cloud kernel images for `ptbench vm`, with a PRIVATE apt
# configuration: its own sources list, state, cache and (empty) preferences
# under build/kernels/apt. The machine's own apt sources, pinning and dpkg
# status are never read or changed.
#
# usage: scripts/fetch-kernels.sh [-m MIRROR] [--list] [WHAT...]
#   WHAT is one of
#     an image package   linux-image-7.0.13+deb13-cloud-amd64 (exact name;
#                        linux-binary-KVER is accepted for the same kernel)
#     a kernel release   7.0.13+deb13-cloud-amd64 (= linux-image-RELEASE)
#     a suite            bookworm, trixie, trixie-backports, forky, ...: the
#                        image linux-image-cloud-amd64 depends on there (newest)
#   default: "bookworm trixie" (Debian 6.1 and 6.12 cloud kernels).
#   --list prints every cloud image the archive offers, one per line, sorted
#   by kernel version ascending (other scripts parse this; keep it stable):
#     <kernel-release> <package-name> <suite> <package-version>
#   A release offered by several suites is listed once, for the first suite
#   in LIST_SUITES order.
#   -f fetches again what is already here.
# Output: build/kernels/vmlinuz-RELEASE (+ config-RELEASE) and one line per
# kernel on stdout:  build/kernels/vmlinuz-RELEASE:LABEL  (for `ptbench vm
# --kernel`); LABEL is SUITE-MAJOR.MINOR for a suite, the release less its
# flavour (7.0.13+deb13, 6.1.0-50) for an exact package or release.
# An exact package or release whose image is already in build/kernels is not
# downloaded again (no network needed). Its config comes along where the
# archive has one: linux-image-R up to 6.18, linux-base-R from 7.2; the
# 6.19-7.1 backports index carries no linux-base-R, so those come without.
# Exit: 0 all fetched, 2 usage, 3 something asked for is not in the archive
# or could not be extracted (the rest is still fetched), 4 missing keyring.
set -eu

MIRROR=${MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# the suites searched for exact packages and by --list
LIST_SUITES=${LIST_SUITES:-"bookworm bookworm-backports trixie trixie-backports forky"}
usage() { echo "usage: $0 [-m MIRROR] [-f] [--list] [PACKAGE|RELEASE|SUITE...]" >&2; exit 2; }

list=0
force=0
while [ $# -gt 0 ]; do
	case $1 in
	-m) [ $# -ge 2 ] || usage; MIRROR=$2; shift 2 ;;
	-m*) MIRROR=${1#-m}; shift ;;
	--list) list=1; shift ;;
	-f) force=1; shift ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || [ $list = 1 ] || set -- bookworm trixie

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/kernels
apt=$out/apt
mkdir -p "$apt/etc/preferences.d" "$apt/etc/sources.list.d" "$apt/state/lists/partial" \
	"$apt/cache/archives/partial" "$apt/debs" "$apt/x"
: > "$apt/state/status"
: > "$apt/etc/preferences"

# build/kernels may be shared by several checkouts: one fetch at a time
if command -v flock >/dev/null 2>&1; then
	exec 9>"$apt/lock"
	flock 9
fi

# release of an exact argument, empty for a suite
release_of() {
	case $1 in
	linux-image-[0-9]*) echo "${1#linux-image-}" ;;
	linux-binary-[0-9]*) echo "${1#linux-binary-}" ;;
	[0-9]*) echo "$1" ;;
	*) echo "" ;;
	esac
}
# 7.0.13+deb13-cloud-amd64 -> 7.0.13; 6.1.0-50-cloud-amd64 -> 6.1.0-50
label_of() { echo "${1%-cloud-amd64}"; }

# everything already here? then no apt at all
need_net=$list
for a in "$@"; do
	r=$(release_of "$a")
	if [ -z "$r" ] || [ $force = 1 ] || [ ! -s "$out/vmlinuz-$r" ]; then
		need_net=1
	fi
done
if [ $need_net = 0 ]; then
	for a in "$@"; do
		r=$(release_of "$a")
		echo "$out/vmlinuz-$r:$(label_of "$r")"
	done
	exit 0
fi

[ -r "$KEYRING" ] || { echo "fetch-kernels: $KEYRING missing (apt-get install debian-archive-keyring)" >&2; exit 4; }

suites=$LIST_SUITES
for a in "$@"; do
	[ -n "$(release_of "$a")" ] && continue
	case " $suites " in *" $a "*) ;; *) suites="$suites $a" ;; esac
done
for s in $suites; do
	echo "deb [signed-by=$KEYRING arch=amd64] $MIRROR $s main"
done > "$apt/etc/sources.list"

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

# "<release> <package> <suite> <version>" for every cloud image of every
# suite, straight from the Packages lists apt just fetched (one pass; asking
# apt-cache per package would take minutes)
catalogue() {
	for s in $LIST_SUITES; do
		for f in "$apt"/state/lists/*_dists_"${s}"_main_binary-amd64_Packages*; do
			[ -e "$f" ] || continue
			/usr/lib/apt/apt-helper cat-file "$f" | awk -v s="$s" '
				/^Package: / { p = $2; next }
				/^Version: / { v = $2; next }
				/^$/ {
					if (p ~ /^linux-image-[0-9].*-cloud-amd64$/) {
						r = p; sub(/^linux-image-/, "", r)
						print r, p, s, v
					}
					p = v = ""
				}
				END {
					if (p ~ /^linux-image-[0-9].*-cloud-amd64$/) {
						r = p; sub(/^linux-image-/, "", r); print r, p, s, v
					}
				}'
		done
	done | awk '!seen[$1]++' | sort -V -k1,1
}

if [ $list = 1 ]; then
	catalogue
	[ $# -gt 0 ] || exit 0
fi

# fetch PKGS into vmlinuz-/config- files; prints the release, or nothing
extract() {
	x=$(mktemp -d "$apt/x/fetch.XXXXXX")
	for p in "$@"; do
		(cd "$apt/debs" && aptp apt-get -qq download "$p") || { rm -rf "$x"; return 1; }
		deb=$(ls -t "$apt/debs/${p}"_*.deb | head -n1)
		dpkg-deb -x "$deb" "$x"
	done
	# boot/vmlinuz-KVER, boot/config-KVER (up to 6.18 all in linux-image;
	# 6.19+ linux-binary has the image, linux-base the config); or
	# usr/lib/modules/KVER/vmlinuz and .../config
	img=$(ls "$x"/boot/vmlinuz-* 2>/dev/null | head -n1 || true)
	if [ -n "$img" ]; then
		kver=${img##*/vmlinuz-}
		cfg=$x/boot/config-$kver
		[ -r "$cfg" ] || cfg=$x/usr/lib/modules/$kver/config
	else
		img=$(ls "$x"/usr/lib/modules/*/vmlinuz 2>/dev/null | head -n1 || true)
		[ -n "$img" ] || { rm -rf "$x"; return 1; }
		kver=$(basename "$(dirname "$img")")
		cfg=$x/usr/lib/modules/$kver/config
	fi
	# copy then rename: a reader never sees half an image
	cp "$img" "$out/.vmlinuz-$kver.tmp" && mv "$out/.vmlinuz-$kver.tmp" "$out/vmlinuz-$kver"
	if [ -r "$cfg" ]; then
		cp "$cfg" "$out/.config-$kver.tmp" && mv "$out/.config-$kver.tmp" "$out/config-$kver"
	fi
	rm -rf "$x"
	echo "$kver"
}

# the packages that hold release R's image and config: from 6.19 Debian
# splits the image into linux-binary-R and the config into linux-base-R
# (linux-image-R only depends on them). A name that some package only
# provides (7.0.x's linux-base-R) is shown with exit 0 and no record, and
# apt-get download then fails: only names with a Package: record count.
parts_of() {
	ps=""
	for p in linux-image-$1 linux-binary-$1 linux-base-$1; do
		aptp apt-cache show "$p" 2>/dev/null | grep -q '^Package:' && ps="$ps $p"
	done
	echo $ps
}

rc=0
for a in "$@"; do
	r=$(release_of "$a")
	if [ -n "$r" ]; then
		if [ $force = 0 ] && [ -s "$out/vmlinuz-$r" ]; then
			echo "$out/vmlinuz-$r:$(label_of "$r")"
			continue
		fi
		pkgs=$(parts_of "$r")
		if [ -z "$pkgs" ]; then
			echo "fetch-kernels: $a: no package linux-image-$r in $LIST_SUITES on $MIRROR (see --list)" >&2
			rc=3
			continue
		fi
		# shellcheck disable=SC2086
		kver=$(extract $pkgs) || kver=""
		if [ -z "$kver" ]; then
			echo "fetch-kernels: $a: no vmlinuz in $pkgs" >&2
			rc=3
			continue
		fi
		echo "$out/vmlinuz-$kver:$(label_of "$kver")"
		continue
	fi
	s=$a
	# linux-image-cloud-amd64 is a metapackage: its Depends names the real
	# image; madison gives the version each suite holds.
	ver=$(aptp apt-cache madison linux-image-cloud-amd64 | awk -F'|' -v s="$s" \
		'$3 ~ " "s"/" { gsub(/ /, "", $2); print $2; exit }')
	if [ -z "$ver" ]; then
		echo "fetch-kernels: $s: no linux-image-cloud-amd64 on $MIRROR" >&2
		rc=3
		continue
	fi
	# newer metapackages depend on linux-base-cloud-amd64 first: pick the image
	pkg=$(aptp apt-cache show "linux-image-cloud-amd64=$ver" | sed -n 's/^Depends: *//p' |
		head -n1 | tr ',' '\n' | sed -n 's/^ *\(linux-image-[0-9][^ ]*\).*/\1/p' | head -n1)
	[ -n "$pkg" ] || { echo "fetch-kernels: $s: cannot read the image package of $ver" >&2; rc=3; continue; }
	# shellcheck disable=SC2086
	kver=$(extract $(parts_of "${pkg#linux-image-}")) || kver=""
	if [ -z "$kver" ]; then
		echo "fetch-kernels: $s: no vmlinuz in $pkg" >&2
		rc=3
		continue
	fi
	label=$(echo "$kver" | sed 's/^\([0-9]*\.[0-9]*\).*/\1/')
	echo "$out/vmlinuz-$kver:$s-$label"
done
exit $rc
