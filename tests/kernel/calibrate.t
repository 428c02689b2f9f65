#!/bin/bash
# Calibration against the kernel: boot each kernel of tests/kernel/kernels.list
# under `ptbench vm` once, run the calibration scenarios (tests/kernel/*.ini,
# one op type per role) and scenarios/vma-lock-fallback.ini in that guest, and
# hold every role's mmap_lock / VMA-lock counts (and the ptlife probe's
# page-table counts) to what the kernel source predicts (tests/kernel/check.py: one TAP line per prediction, each citing
# the function that takes the lock). A kernel the archive no longer offers
# is skipped with the reason, as is the whole suite without qemu or busybox.
#
# KERNEL_SET=ci runs the lines marked "ci" (what .ci/run runs); anything
# else, all. KERNELS="RELEASE..." runs those lines of the list only (a
# release not in the list is a failure, not a silent skip). KERNEL_FETCH=0 uses build/kernels as it is (no network).
# KERNEL_OUT=DIR keeps the guests' results (DIR/LABEL/*.json, console.log).
. "$(dirname "$0")/../integration/lib.sh"
T0=$SECONDS

releases=()
while read -r rel mark _; do
	case $rel in '' | '#'*) continue ;; esac
	[ "${KERNEL_SET:-all}" = ci ] && [ "$mark" != ci ] && continue
	[ -n "${KERNELS:-}" ] && [[ " $KERNELS " != *" $rel "* ]] && continue
	releases+=("$rel")
done <tests/kernel/kernels.list
for k in ${KERNELS:-}; do
	awk -v k="$k" '$1 == k { f = 1 } END { exit !f }' tests/kernel/kernels.list
	ok $? "KERNELS: $k is a line of tests/kernel/kernels.list"
done

if ! command -v qemu-system-x86_64 >/dev/null; then
	skip "calibration: qemu-system-x86_64 not installed (scripts/install-deps.sh)"
	done_testing
	exit
elif ! command -v busybox >/dev/null; then
	skip "calibration: busybox-static not installed (scripts/install-deps.sh)"
	done_testing
	exit
fi

if [ "${KERNEL_FETCH:-1}" != 0 ]; then
	scripts/fetch-kernels.sh "${releases[@]}" >"$TMP/fetch.out" 2>"$TMP/fetch.err"
	diag "fetch-kernels.sh exit $? in $((SECONDS - T0))s"
	sed 's/^/# fetch: /' "$TMP/fetch.err"
fi

# --list: the fixed format other scripts parse (RELEASE PACKAGE SUITE
# VERSION, by kernel version); needs the archive
if [ "${KERNEL_FETCH:-1}" != 0 ] && scripts/fetch-kernels.sh --list >"$TMP/list" 2>"$TMP/list.err"; then
	bad=$(awk 'NF != 4 || $2 != "linux-image-" $1 { print NR ": " $0 }' "$TMP/list" | head -3)
	is "$bad" "" "fetch-kernels.sh --list: $(wc -l <"$TMP/list") lines of RELEASE linux-image-RELEASE SUITE VERSION"
	sort -V -k1,1 "$TMP/list" | cmp -s - "$TMP/list"
	ok $? "fetch-kernels.sh --list is sorted by kernel version"
	missing=$(for r in "${releases[@]}"; do awk -v r="$r" '$1 == r { f = 1 } END { exit !f }' "$TMP/list" || echo "$r"; done)
	[ -z "$missing" ] || diag "no longer in the archive: $missing"
else
	skip "fetch-kernels.sh --list: the archive cannot be reached (or KERNEL_FETCH=0)"
fi

scen=(tests/kernel/*.ini scenarios/vma-lock-fallback.ini)
out=${KERNEL_OUT:-$TMP/cal}
for rel in "${releases[@]}"; do
	img=build/kernels/vmlinuz-$rel
	label=${rel%-cloud-amd64}
	if [ ! -r "$img" ]; then
		why=$(grep -F -- "$rel" "$TMP/fetch.err" 2>/dev/null | head -1)
		skip "calibration on $rel: kernel not fetched (${why:-scripts/fetch-kernels.sh $rel})"
		continue
	fi
	t=$SECONDS
	# tcg-single: one emulator thread cannot race kernel text patching
	# while the probes enable tracepoints (see tests/integration/vm.t)
	"$PTBENCH" vm --kernel "$img:$label" --accel tcg-single --timeout 600 -o "$out" \
		run "${scen[@]}" --repeat 1 --warmup 200ms >"$TMP/vm-$label.out" 2>&1
	rc=$?
	diag "$rel: ptbench vm exit $rc in $((SECONDS - t))s"
	python3 tests/kernel/check.py "$out/$label" "$label" "build/kernels/config-$rel" >"$TMP/check-$label" 2>&1
	while IFS='|' read -r st desc; do
		case $st in
		ok) ok 0 "$desc" ;;
		"not ok") ok 1 "$desc" ;;
		skip) skip "$desc" ;;
		*) diag "$st $desc" ;;
		esac
	done <"$TMP/check-$label"
	if grep -q "^not ok" "$TMP/check-$label"; then
		sed 's/^/#   /' "$TMP/vm-$label.out" | tail -20
		tail -20 "$out/$label/console.log" 2>/dev/null | sed 's/^/#   console: /'
	fi
done
diag "calibration: ${#releases[@]} kernels in $((SECONDS - T0))s"
done_testing
