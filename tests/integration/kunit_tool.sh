#!/bin/sh
# The kernel's own KTAP reader for the tests: tools/testing/kunit/ (kunit.py,
# kunit_parser.py) out of Debian's linux-source package, extracted once into
# build/kunit/ (git-ignored) and taken from there afterwards. Where the source
# comes from, first found:
#   - /usr/src/linux-source-6.1.tar.xz (the package installed),
#   - the package's .deb, fetched with `apt-get download linux-source-6.1`
#     (no install, about 140 MB; removed once the few files are out).
# Prints the directory that holds kunit.py; exit 1 with the reason on stderr
# (no apt-get, no package list, no network): the caller skips with it.
# PTBENCH_KUNIT_PKG names another linux-source-X.Y package; PTBENCH_KUNIT_CACHE
# another cache, PTBENCH_KUNIT_USRSRC another place of installed tarballs
# (tests of this script).
set -u
pkg=${PTBENCH_KUNIT_PKG:-linux-source-6.1}
cache=${PTBENCH_KUNIT_CACHE:-build/kunit}
usrsrc=${PTBENCH_KUNIT_USRSRC:-/usr/src}
dir=$cache/$pkg/tools/testing/kunit

if [ -f "$dir/kunit.py" ] && [ -f "$dir/kunit_parser.py" ]; then
	echo "$dir"
	exit 0
fi
mkdir -p "$cache" || exit 1
tmp=$(mktemp -d "$cache/.extract.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# the tarball's members are linux-source-X.Y/...: only the kunit tool is kept
extract() { # extract: the tar.xz on stdin
	tar -xJf - -C "$tmp" --wildcards "$pkg/tools/testing/kunit/*" 2>"$tmp/tar.err" &&
		[ -f "$tmp/$pkg/tools/testing/kunit/kunit_parser.py" ]
}

if [ -f "$usrsrc/$pkg.tar.xz" ]; then
	extract <"$usrsrc/$pkg.tar.xz" || {
		echo "cannot extract tools/testing/kunit from $usrsrc/$pkg.tar.xz: $(tail -1 "$tmp/tar.err")" >&2
		exit 1
	}
else
	if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
		echo "$pkg is not installed and there is no apt-get/dpkg-deb to fetch it (a Debian machine has both)" >&2
		exit 1
	fi
	# apt-get download writes into the current directory, as any user
	if ! (cd "$tmp" && apt-get download "$pkg") >"$tmp/apt.log" 2>&1; then
		echo "apt-get download $pkg failed (no package list: apt-get update; or no network): $(tail -1 "$tmp/apt.log")" >&2
		exit 1
	fi
	deb=
	for f in "$tmp/${pkg}"_*.deb; do
		[ -f "$f" ] && deb=$f
	done
	if [ -z "$deb" ] || ! dpkg-deb --fsys-tarfile "$deb" | tar -xOf - "./usr/src/$pkg.tar.xz" | extract; then
		echo "cannot extract tools/testing/kunit from ${deb:-the downloaded $pkg}" >&2
		exit 1
	fi
	rm -f "$deb"
fi
# in place only once whole: an interrupted extraction is never taken as the cache
rm -rf "${cache:?}/$pkg"
mv "$tmp/$pkg" "$cache/$pkg" || exit 1
echo "$dir"
