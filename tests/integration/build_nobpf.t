#!/bin/bash
# A machine without clang, bpftool or libbpf-dev still builds ptbench
# (HAVE_BPF=0 stands in for them being missing), without warnings, and the
# BPF backend then says why it is unavailable while auto falls back to
# tracefs (root) or off.
. "$(dirname "$0")/lib.sh"

B=$TMP/nobpf
mkdir -p "$B"
cp -r Makefile src include bench scenarios "$B"/
mkdir -p "$B/tests/perf" && cp tests/perf/churn-only.ini "$B/tests/perf/"
make -C "$B" -j2 HAVE_BPF=0 ptbench >"$TMP/build.log" 2>&1
ok $? "HAVE_BPF=0: the build succeeds"
grep -E "warning:|error:" "$TMP/build.log" | head -5 | sed 's/^/# /'
! grep -qE "warning:|error:" "$TMP/build.log"
ok $? "HAVE_BPF=0: no warnings"
! grep -q "libbpf" <(ldd "$B/ptbench")
ok $? "HAVE_BPF=0: not linked with libbpf"
(cd "$B" && ./ptbench run tests/perf/churn-only.ini --duration 300ms --warmup 0 --repeat 1 --quiet -o "$TMP/r.json")
ok $? "HAVE_BPF=0: a run succeeds"
case "$(json "$TMP/r.json" "d['repeats'][0]['probes']['mmap_lock']['why']")" in
*"bpf: this ptbench was built without BPF"*) ok 0 "HAVE_BPF=0: the result says BPF is not in this build" ;;
*) ok 1 "HAVE_BPF=0: the result says BPF is not in this build (got: $(json "$TMP/r.json" "d['repeats'][0]['probes']['mmap_lock']['why']"))" ;;
esac
if [ "$(id -u)" -eq 0 ]; then
	is "$(json "$TMP/r.json" "d['repeats'][0]['probes']['mmap_lock']['backend']")" tracefs "HAVE_BPF=0: auto falls back to tracefs"
else
	is "$(json "$TMP/r.json" "d['repeats'][0]['probes']['mmap_lock']['backend']")" off "HAVE_BPF=0, not root: no backend"
fi
is "$(json "$TMP/r.json" "d['repeats'][0]['probes']['vma_lock']['available']")" False "HAVE_BPF=0: the per-VMA lock probe is unavailable"
done_testing
