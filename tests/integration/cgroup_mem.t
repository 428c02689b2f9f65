#!/bin/bash
# A memory cgroup limit is a limit the plan checks: `run
# default` in a cgroup of 64 MiB was ended by the OOM killer (exit 137, no
# result, no message); the plan now reads the cgroup's limit (v2 memory.max /
# memory.high, v1 memory.limit_in_bytes) beside MemAvailable and refuses up
# front. Needs a memory cgroup this test may create (root, v1 or v2 with the
# memory controller); tests/unit/test_cgroup_mem.c covers the parsing anywhere.
. "$(dirname "$0")/lib.sh"
export PTBENCH_STATE_DIR="$TMP/state"
mkdir -m 700 "$PTBENCH_STATE_DIR"

# make_cg LIMIT: a child of this process's memory cgroup with LIMIT bytes; CG
# and CGFILE (the limit's file) set, or return 1
make_cg() {
	local v2 v1
	v2=$(sed -n 's/^0:://p' /proc/self/cgroup)
	v1=$(sed -n 's/^[0-9]*:\([^:]*,\)\{0,1\}memory\(,[^:]*\)\{0,1\}://p' /proc/self/cgroup)
	for root in /sys/fs/cgroup /sys/fs/cgroup/unified; do
		if [ -n "$v2" ] && grep -qw memory "$root$v2/cgroup.subtree_control" 2>/dev/null; then
			CG="$root${v2%/}/ptbench-test-$$" CGFILE=memory.max
			mkdir "$CG" 2>/dev/null && echo "$1" >"$CG/$CGFILE" 2>/dev/null && return 0
			rmdir "$CG" 2>/dev/null
		fi
	done
	if [ -n "$v1" ] && [ -d "/sys/fs/cgroup/memory$v1" ]; then
		CG="/sys/fs/cgroup/memory${v1%/}/ptbench-test-$$" CGFILE=memory.limit_in_bytes
		mkdir "$CG" 2>/dev/null && echo "$1" >"$CG/$CGFILE" 2>/dev/null && return 0
		rmdir "$CG" 2>/dev/null
	fi
	return 1
}
# in_cg CMD...: run CMD inside $CG
in_cg() { sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG" "$@"; }

if ! make_cg $((64 << 20)); then
	skip "no memory cgroup could be created here (not root, or no memory controller delegated to $(sed -n 's/^0:://p' /proc/self/cgroup))"
	done_testing
	exit
fi
trap 'rmdir "$CG" 2>/dev/null; rm -rf "$TMP"' EXIT
in_cg "$PTBENCH" run default --duration 1s --repeat 1 -o "$TMP/r64.json" >"$TMP/r64.out" 2>&1
is "$?" 2 "default in a 64 MiB memory cgroup ($CGFILE): refused, exit 2 (not the OOM killer's 137)"
grep -q "more than the .* the memory cgroup .*$CGFILE.* leaves available" "$TMP/r64.out"
ok $? "the message names the cgroup and its limit ($(head -c 300 "$TMP/r64.out"))"
[ ! -e "$TMP/r64.json" ]; ok $? "nothing written"
echo $((512 << 20)) >"$CG/$CGFILE"
in_cg "$PTBENCH" run default --duration 1s --repeat 1 -o "$TMP/r512.json" >"$TMP/r512.out" 2>&1
is "$?" 0 "the same run in 512 MiB: exit 0"
done_testing
