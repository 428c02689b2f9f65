#!/bin/bash
# scripts/bisect-releases.sh: bad input, and a bisection over a fixture list
# of nine releases against the stand-in qemu (fake_qemu.py), where every
# release from 7.0.5 on boots three times slower (under TCG a named latency
# metric is judged by the gross rule: >= 2x with every boot apart, 4 boots a
# side, so 4 rounds; a 50% change is reported, not gated): the script must
# name 7.0.5, gate
# about log2(N) times, and fetch only the images its steps needed (a stub
# fetcher that logs what it was asked for).
. "$(dirname "$0")/lib.sh"
S="$PWD/scripts/bisect-releases.sh"
FAKE="$PWD/tests/integration/fake_qemu.py"
export PTBENCH_SCENARIOS="$PWD/scenarios"
export PTBENCH="$PWD/${PTBENCH#./}"

L="$TMP/list"
for v in 1 2 3 4 5 6 7 8 9; do
	echo "7.0.$v+deb14-cloud-amd64 linux-image-7.0.$v+deb14-cloud-amd64 sid 7.0.$v-1"
done >"$L"
K="$TMP/k"
mkdir -p "$K" "$TMP/specs"
: >"$TMP/base.cpio"
# the stub fetcher: writes the image, logs the release it was asked for
cat >"$TMP/fetch" <<'EOF'
#!/bin/sh
echo "$1" >>"$FETCH_LOG"
[ "$1" = "7.0.4+deb14-cloud-amd64" ] && exit 1 # this one cannot be had
{ head -c 514 /dev/zero; printf HdrS; echo "$1"; } >"$5/vmlinuz-$1" # the boot header vm checks
EOF
chmod +x "$TMP/fetch"
for v in 1 2 3 4 5 6 7 8 9; do
	if [ "$v" -ge 5 ]; then s='{"scale": [3.00, 3.02, 2.98]}'; else s='{"scale": [1.00, 1.01, 0.99]}'; fi
	echo "$s" >"$TMP/specs/vmlinuz-7.0.$v+deb14-cloud-amd64.json"
done

# --- bad input: exit 2 with a message naming what ------------------------------
bad() { # bad DESCRIPTION WANT ARGS...
	local d=$1 want=$2
	shift 2
	"$S" "$@" >"$TMP/bad.out" 2>&1
	is "$?" 2 "bad: $d: exit 2"
	grep -q -- "$want" "$TMP/bad.out"; ok $? "bad: $d: the message says '$want'"
}
R=7.0.1+deb14-cloud-amd64 Z=7.0.9+deb14-cloud-amd64
bad "no list" "no -l LIST" -g "$R" -b "$Z" -m faulter.fault.p99 default
bad "unreadable list" "cannot read it" -l "$TMP/none" -g "$R" -b "$Z" -m faulter.fault.p99 default
bad "no metric" "no -m METRIC" -l "$L" -g "$R" -b "$Z" default
bad "metric shape" "want ROLE.OP.METRIC" -l "$L" -g "$R" -b "$Z" -m p99 default
bad "no scenario" "no scenario" -l "$L" -g "$R" -b "$Z" -m faulter.fault.p99
bad "good not listed" "-g 6.1: not in" -l "$L" -g 6.1 -b "$Z" -m faulter.fault.p99 default
bad "good after bad" "must come before" -l "$L" -g "$Z" -b "$R" -m faulter.fault.p99 default
printf '7.0.1 linux-image-7.0.1 sid\n' >"$TMP/short"
bad "three fields" "$TMP/short:1: want KERNEL-RELEASE PACKAGE SUITE VERSION, got 3 fields" \
	-l "$TMP/short" -g "$R" -b "$Z" -m faulter.fault.p99 default
printf '7.0.1 a sid 1\n7.0.1 b sid 2\n' >"$TMP/twice"
bad "a release twice" "$TMP/twice:2: 7.0.1 is listed twice" -l "$TMP/twice" -g 7.0.1 -b 7.0.2 -m x.y.z default
printf '../x a sid 1\n' >"$TMP/path"
bad "a path for a release" "is not a kernel release name" -l "$TMP/path" -g ../x -b y -m x.y.z default

# --- a bisection, fake boots --------------------------------------------------------
bisect() { # bisect OUT ARGS...: rc, the log of fetches and of boots
	local o=$1
	shift
	: >"$TMP/$o.fetched"
	FETCH_LOG="$TMP/$o.fetched" FAKE_QEMU_SPECS="$TMP/specs" FAKE_QEMU_LOG="$TMP/$o.boots" PTBENCH_QEMU="$FAKE" \
		"$S" -l "$L" -k "$K" -o "$TMP/$o" -f "$TMP/fetch" -m faulter.fault.p99 "$@" \
		>"$TMP/$o.stdout" 2>"$TMP/$o.stderr"
	rc=$?
}
bisect b1 -g "$R" -b "$Z" -- --rounds 4 -j 1 --initramfs "$TMP/base.cpio" default --duration 300ms
is "$rc" 3 "7.0.4 cannot be fetched: 7.0.4 and 7.0.5 stay candidates (exit 3)"
grep -q "undecided: the first bad is one of 7.0.4+deb14-cloud-amd64 7.0.5+deb14-cloud-amd64" "$TMP/b1.stdout"
ok $? "it prints the range left"
is "$(grep -c '^step .*: gate' "$TMP/b1/bisect.log")" 2 "two gates (7.0.5 bad, 7.0.3 good), then 7.0.4 skipped"
is "$(tr '\n' ' ' <"$TMP/b1.fetched" | sed 's/+deb14-cloud-amd64//g')" "7.0.1 7.0.5 7.0.3 7.0.4 " \
	"fetched: the good one, then only the releases tried (never the bad one)"
grep -q "vmlinuz-7.0.9" "$TMP/b1.boots"; is "$?" 1 "the bad release is never booted"
# now 7.0.4's image is at hand (as if fetched by hand): the search ends on 7.0.5
fake_kernel "$K/vmlinuz-7.0.4+deb14-cloud-amd64" x
bisect b2 -g "$R" -b "$Z" -- --rounds 4 -j 1 --initramfs "$TMP/base.cpio" default --duration 300ms
is "$rc" 0 "every image at hand: exit 0"
grep -qx "first bad: 7.0.5+deb14-cloud-amd64 (last good: 7.0.4+deb14-cloud-amd64; 3 gates)" "$TMP/b2.stdout"
ok $? "first bad: 7.0.5, in 3 gates"
is "$(wc -l <"$TMP/b2.fetched")" 0 "nothing fetched the second time"
# every gate's base is GOOD's image: its label must say so, not the release
# last found good (a step gated against 7.0.1 was labelled 7.0.3)
is "$(python3 -c "import json,glob; print(sorted({json.load(open(f))['base']['label'] for f in glob.glob('$TMP/b2/0*/report.json')}))")" \
	"['7.0.1+deb14-cloud-amd64']" "every step's base is labelled with GOOD's release (its image)"
is "$(grep -c "^step .*: gate 7.0.1+deb14-cloud-amd64 -> " "$TMP/b2/bisect.log")" 3 "the log names GOOD as every gate's base"
is "$(ls -d "$TMP"/b2/0*-7.0.* | grep -vc '\.out$')" 3 "one gate directory per step"
# a gate that refuses its input stops the search: exit 5
bisect b3 -g "$R" -b "$Z" -- --rounds 0 default
is "$rc" 5 "ptbench gate refuses --rounds 0 (exit 128 under --bisect): exit 5"
grep -q "^step 1: ptbench gate exited 128: stopping" "$TMP/b3.stdout"
ok $? "it says the gate exited 128"
done_testing
