#!/bin/sh
# LAVA's own code for the tests, from Debian bookworm (LAVA 2023.01), never
# installed: the .debs are fetched with `apt-get download -t bookworm` (no
# root, no change to the apt sources), unpacked with `dpkg -x` into
# build/lava/root (git-ignored) and removed; later calls find the cache.
#   - lava-common + python3-voluptuous: the job schema
#     (lava_common.schemas.validate) and the test-definition schema
#     (lava_common.schemas.test.testdef.validate);
#   - lava-dispatcher and what `lava-run --validate` imports at load time:
#     lava_dispatcher.parser imports every action, and these import at the
#     top of their modules lava_dispatcher_host, pexpect, pytz, requests,
#     netifaces, magic, configobj, pyudev, setproctitle and guestfs
#     (utils/filesystem.py, actions/deploy/apply_overlay.py: only called
#     when a job runs, but imported by --validate too). python3-guestfs is a
#     C module over libguestfs.so.0, which needs libvirt.so.0, libfuse.so.2,
#     libyajl.so.2 and libssh.so.4 beyond a plain bookworm with python3: those
#     libraries come along (about 5 MB of the 7 MB), found with
#     LD_LIBRARY_PATH; installing lava-dispatcher would pull about 320
#     packages (qemu, libguestfs' appliance, ...);
#   - lava-server, for two files only: the device-type templates qemu.jinja2
#     and base.jinja2, which LAVA's server renders into the device
#     configuration that lava-run reads.
# Prints the unpacked tree, build/lava/root: usr/lib/python3/dist-packages
# (PYTHONPATH), usr/lib/x86_64-linux-gnu and lib/x86_64-linux-gnu
# (LD_LIBRARY_PATH), usr/bin/lava-run, usr/share/lava-server/device-types,
# and versions.txt (package version, one a line); run it with Debian's
# /usr/bin/python3, the interpreter the packages are built for. Exit 1 with the reason on stderr (no apt-get,
# no bookworm package list, no network): the caller skips with it.
# PTBENCH_LAVA_CACHE names another cache (tests of this script).
set -u
cache=${PTBENCH_LAVA_CACHE:-build/lava}
# the packages; a change here, or in how they are unpacked (+pyc: byte-
# compiled), refetches: the cache keeps this stamp and compares it
pkgs="lava-common python3-voluptuous python3-yaml
lava-dispatcher lava-dispatcher-host lava-server
python3-jinja2 python3-markupsafe python3-tz python3-pexpect python3-ptyprocess
python3-requests python3-urllib3 python3-idna python3-certifi
python3-charset-normalizer python3-chardet python3-netifaces python3-magic
python3-configobj python3-six python3-pyudev python3-setproctitle
python3-guestfs libguestfs0 libvirt0 libfuse2 libyajl2 libssh-4"
# shellcheck disable=SC2086,SC2116 # the list on one line, single spaces
want="$(echo $pkgs) +pyc"

if [ -f "$cache/root/.complete" ] && [ "$(cat "$cache/root/.complete")" = "$want" ]; then
	echo "$cache/root"
	exit 0
fi
if [ ! -x /usr/bin/python3 ]; then
	echo "no /usr/bin/python3: the LAVA packages are Debian's, for Debian's python3" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
	echo "no apt-get/dpkg-deb to fetch LAVA's packages (a Debian machine has both)" >&2
	exit 1
fi
mkdir -p "$cache" || exit 1
tmp=$(mktemp -d "$cache/.extract.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# -t bookworm: LAVA 2023.01, whatever else the sources list; it fails
# where no bookworm is in the package lists
# shellcheck disable=SC2086
if ! (cd "$tmp" && apt-get download -t bookworm $pkgs) >"$tmp/apt.log" 2>&1; then
	echo "apt-get download -t bookworm (lava-common, lava-dispatcher, ...) failed (no bookworm package list: apt-get update; or no network): $(grep -E '^(E|Err):' "$tmp/apt.log" | head -1)" >&2
	exit 1
fi
mkdir "$tmp/root"
for deb in "$tmp"/*.deb; do
	if ! dpkg-deb -x "$deb" "$tmp/root" 2>"$tmp/dpkg.err"; then
		echo "cannot unpack $deb: $(tail -1 "$tmp/dpkg.err")" >&2
		exit 1
	fi
	dpkg-deb -f "$deb" Package Version | paste -sd' ' | sed 's/^Package: //;s/ Version: / /' >>"$tmp/root/versions.txt"
	rm -f "$deb"
done
# byte-compiled once, as py3compile does when Debian installs them: every
# lava-run would otherwise compile lava_dispatcher again (where
# PYTHONDONTWRITEBYTECODE is set, nothing is kept); -s/-p: the paths that
# tracebacks show are those of the cache
abs=$(cd "$cache" && pwd)
/usr/bin/python3 -m compileall -q -s "$tmp/root" -p "$abs/root" "$tmp/root/usr/lib/python3/dist-packages" >/dev/null 2>&1 || true
echo "$want" >"$tmp/root/.complete"
# in place only once whole: an interrupted fetch is never taken as the
# cache; -T: a cache that another run put in place meanwhile is kept
rm -rf "${cache:?}/root"
if ! mv -T "$tmp/root" "$cache/root" 2>/dev/null &&
	[ "$(cat "$cache/root/.complete" 2>/dev/null)" != "$want" ]; then
	echo "cannot move the unpacked packages to $cache/root" >&2
	exit 1
fi
echo "$cache/root"
