#!/bin/bash
# scripts/fetch-kernels.sh against a stand-in apt (no network): which
# packages it downloads for a release, where the image and the config come
# from in each of Debian's layouts, and what it says when it cannot.
. "$(dirname "$0")/lib.sh"

if [ ! -r /usr/share/keyrings/debian-archive-keyring.gpg ]; then
	skip "no debian-archive-keyring: fetch-kernels.sh refuses before apt (exit 4)"
	done_testing
	exit
fi

# A copy of the script in a tree of its own: it writes build/kernels next
# to itself.
T=$TMP/tree
mkdir -p "$T/scripts" "$TMP/bin" "$TMP/pkgs"
cp scripts/fetch-kernels.sh "$T/scripts/"

# The stand-in packages: a directory per package name under $TMP/pkgs with
# the files its .deb holds; a name listed in $TMP/virtual is one some other
# package only provides (apt-cache show: exit 0, no record; apt-get
# download: no candidate).
mkpkg() { # mkpkg NAME PATH CONTENT
	mkdir -p "$TMP/pkgs/$1/$(dirname "$2")"
	printf '%s\n' "$3" >"$TMP/pkgs/$1/$2"
}
cat >"$TMP/bin/apt-cache" <<SH
#!/bin/sh
# apt-cache show NAME [-o ...]
[ "\$1" = show ] || exit 0
if [ -d "$TMP/pkgs/\$2" ]; then printf 'Package: %s\nVersion: 1\n\n' "\$2"; exit 0; fi
grep -qx "\$2" "$TMP/virtual" 2>/dev/null && exit 0
echo "E: No packages found" >&2
exit 100
SH
cat >"$TMP/bin/apt-get" <<SH
#!/bin/sh
# apt-get -qq update|download NAME [-o ...]: each download is logged
while [ \$# -gt 0 ]; do
	case \$1 in
	update) exit 0 ;;
	download)
		echo "\$2" >>"$TMP/downloads"
		if [ ! -d "$TMP/pkgs/\$2" ]; then
			echo "E: Can't select candidate version from package \$2 as it has no candidate" >&2
			exit 100
		fi
		mkdir -p "$TMP/deb/\$2/DEBIAN"
		cp -r "$TMP/pkgs/\$2/." "$TMP/deb/\$2/"
		printf 'Package: %s\nVersion: 1\nArchitecture: amd64\nMaintainer: t <t@t>\nDescription: t\n' "\$2" \
			>"$TMP/deb/\$2/DEBIAN/control"
		dpkg-deb -b "$TMP/deb/\$2" "\${2}_1_amd64.deb" >/dev/null || exit 1
		exit 0 ;;
	esac
	shift
done
exit 0
SH
chmod +x "$TMP/bin/apt-get" "$TMP/bin/apt-cache"
fetch() { PATH=$TMP/bin:$PATH "$T/scripts/fetch-kernels.sh" "$@"; }

# 7.0.x in trixie-backports: linux-image-R depends on linux-binary-R (the
# image under usr/lib/modules) and names linux-base-R, which only a
# metapackage provides
R=7.0.4+deb13-cloud-amd64
mkpkg "linux-image-$R" usr/share/doc/linux-image-$R/README "depends only"
mkpkg "linux-binary-$R" "usr/lib/modules/$R/vmlinuz" "image $R"
echo "linux-base-$R" >>"$TMP/virtual"
out=$(fetch "$R" 2>"$TMP/err")
rc=$?
is "$rc,$out" "0,$T/build/kernels/vmlinuz-$R:7.0.4+deb13" \
	"7.0.x layout (linux-base-R only provided): fetched, exit 0, the image's path and label printed"
[ "$(cat "$T/build/kernels/vmlinuz-$R" 2>/dev/null)" = "image $R" ]
ok $? "7.0.x layout: vmlinuz-R is linux-binary-R's image"
! grep -qx "linux-base-$R" "$TMP/downloads"
ok $? "7.0.x layout: a name only provided is not downloaded (apt-get would fail on it)"
[ ! -e "$T/build/kernels/config-$R" ]
ok $? "7.0.x layout: no config (none in the archive for it)"

# 7.2: image in linux-binary-R, config in linux-base-R
R=7.2.12+deb13-cloud-amd64
mkpkg "linux-image-$R" usr/share/doc/linux-image-$R/README "depends only"
mkpkg "linux-binary-$R" "usr/lib/modules/$R/vmlinuz" "image $R"
mkpkg "linux-base-$R" "usr/lib/modules/$R/config" "CONFIG_PER_VMA_LOCK=y"
fetch "linux-image-$R" >/dev/null 2>&1
is "$?,$(cat "$T/build/kernels/config-$R" 2>/dev/null)" "0,CONFIG_PER_VMA_LOCK=y" \
	"7.2 layout: the config comes from linux-base-R"

# up to 6.18: everything in linux-image-R under boot/
R=6.12.117+deb13-cloud-amd64
mkpkg "linux-image-$R" "boot/vmlinuz-$R" "image $R"
mkpkg "linux-image-$R" "boot/config-$R" "CONFIG_TRANSPARENT_HUGEPAGE=y"
fetch "$R" >/dev/null 2>&1
is "$?,$(cat "$T/build/kernels/vmlinuz-$R" 2>/dev/null),$(cat "$T/build/kernels/config-$R" 2>/dev/null)" \
	"0,image $R,CONFIG_TRANSPARENT_HUGEPAGE=y" "6.12 layout: image and config from linux-image-R's boot/"
: >"$TMP/downloads"
fetch "$R" >/dev/null 2>&1
is "$?,$(wc -l <"$TMP/downloads")" "0,0" "an image already here is not downloaded again"

# a release the archive does not have: exit 3, said, nothing left behind
R=9.9.9+deb13-cloud-amd64
fetch "$R" >/dev/null 2>"$TMP/err"
is "$?" 3 "a release not in the archive: exit 3"
grep -q "linux-image-$R" "$TMP/err"
ok $? "a release not in the archive: the message names the package"
[ ! -e "$T/build/kernels/vmlinuz-$R" ] && [ -z "$(ls -A "$T/build/kernels/apt/x")" ]
ok $? "a release not in the archive: no image, no extraction left behind"

# a package with no image in it: exit 3, no half image
R=6.1.0-99-cloud-amd64
mkpkg "linux-image-$R" usr/share/doc/x/README "no image"
fetch "$R" >/dev/null 2>"$TMP/err"
is "$?" 3 "a package without a vmlinuz: exit 3"
grep -q "no vmlinuz in" "$TMP/err"
ok $? "a package without a vmlinuz: said"
[ -z "$(ls -A "$T/build/kernels" | grep -- "$R")" ]
ok $? "a package without a vmlinuz: nothing of it in build/kernels"

done_testing
