#!/bin/bash
# The plan and the worker interface: checks that happen while the
# plan is built, workers that see only worker.h, the summary hook, and a
# failing repeat that still leaves its result behind.
. "$(dirname "$0")/lib.sh"

# workers reach the runner only through worker.h
bad=$(grep -l '#include "ptbench/\(runner\|run_state\|scenario\|plan\)\.h"' bench/*.c || true)
is "$bad" "" "no worker includes runner.h, run_state.h, scenario.h or plan.h"

# thread counts: decimal only, refused before anything runs
for t in 0x2 010 -1 2x; do
	msg=$("$PTBENCH" run default --set faulter.threads=$t --duration 100ms -o "$TMP/t.json" 2>&1)
	rc=$?
	is "$rc" 2 "threads = $t refused with exit 2"
	case $msg in *"threads = $t: expected a number"*) ok 0 "threads = $t: the message says what is expected" ;;
	*) ok 1 "threads = $t: the message says what is expected (got: $msg)" ;; esac
done
[ ! -e "$TMP/t.json" ]
ok $? "nothing written for a refused plan"

# a constraint of the option table, at the key's line
cat >"$TMP/c.ini" <<'INI'
[scenario]
duration = 100ms
[worker c]
type = anon-collapse
size = 3M
INI
msg=$("$PTBENCH" run "$TMP/c.ini" -o "$TMP/c.json" 2>&1)
is "$?" 2 "size = 3M for a collapse worker refused"
case $msg in *"c.ini:5: [worker c] (type anon-collapse): size = 3M: must be a multiple of 2M"*) ok 0 "the message names file:line and the key" ;;
*) ok 1 "the message names file:line and the key (got: $msg)" ;; esac

# placement errors carry the line of the cpus key
cat >"$TMP/p.ini" <<'INI'
[scenario]
duration = 100ms
[worker f]
type = fault
threads = 1
cpus = 4095
INI
msg=$("$PTBENCH" run "$TMP/p.ini" -o "$TMP/p.json" 2>&1)
is "$?" 2 "cpus = 4095 refused"
case $msg in *"p.ini:6: [worker f]: cpus = 4095"*) ok 0 "the cpus message names file:line" ;;
*) ok 1 "the cpus message names file:line (got: $msg)" ;; esac

# memory the roles would map, against what the machine has
msg=$("$PTBENCH" run default --set faulter.size=60G --set faulter.threads=2 -o "$TMP/m.json" 2>&1)
is "$?" 2 "two threads of 60 GiB each refused up front"
case $msg in *"more than the"*"available"*) ok 0 "the message gives both numbers" ;;
*) ok 1 "the message gives both numbers (got: $msg)" ;; esac
[ ! -e "$TMP/m.json" ]
ok $? "nothing written"

# a repeat that fails to start its threads: exit 5, the result is kept
PTBENCH_TEST_FAIL_THREAD=1 "$PTBENCH" run default --duration 200ms --warmup 0 --repeat 2 --no-trace \
	--quiet -o "$TMP/f.json" 2>"$TMP/f.err"
is "$?" 5 "a thread that cannot be created: exit 5 (runtime failure)"
is "$(json "$TMP/f.json" "d['complete'], d['repeats'][0]['complete'], d['repeats'][0]['error']")" \
	"False False only 1 of 4 threads started" "the result is written, incomplete, with the reason"

# the summary hook: the khugepaged proof is printed like the collapse proof
if [ "$(id -u)" = 0 ] && [ -w /sys/kernel/mm/transparent_hugepage/khugepaged/scan_sleep_millisecs ]; then
	out=$("$PTBENCH" run khugepaged-smaps --duration 2s --warmup 0 --repeat 1 --no-trace -o "$TMP/k.json" 2>&1)
	case $out in *"collapser: khugepaged collapsed "*" PMDs in "*"iterations"*) ok 0 "the khugepaged proof is in the summary" ;;
	*) ok 1 "the khugepaged proof is in the summary"; diag "$out" ;; esac
else
	skip "khugepaged summary: needs root and khugepaged sysfs"
fi
out=$("$PTBENCH" run shmem-collapse-smaps --duration 300ms --warmup 0 --repeat 1 --no-trace -o "$TMP/s.json" 2>&1)
case $out in *"collapser: collapsed "*"confirmed PMD-mapped"*) ok 0 "the collapse proof is in the summary" ;;
*) ok 1 "the collapse proof is in the summary"; diag "$out" ;; esac
# each role records the unit op its worker type declares (compare divides
# its lock counts by that op); a setup-only role, with no ops, has none
is "$(json "$TMP/s.json" "' '.join(r + '=' + str(w.get('unit_op')) for r, w in sorted(d['repeats'][0]['workers'].items()))")" \
	"collapser=collapse pad=None reader=read" "workers.ROLE.unit_op from the worker type: collapse, read; none for vma-pad"

# commands call libraries, never another command's code (git's builtin/
# rule): what an object of src/cmd/ defines is its cmd_* entry alone, no
# library uses one, and a command calls no other command's entry (`run all`
# is a form of run: cmd_run.o may call cmd_run_all)
# (objects of today's sources only: a moved file leaves its old object behind)
objs_of() { for c in "$@"; do echo "build/obj/${c%.c}.o"; done; }
cmd_objs=$(objs_of src/cmd/cmd_*.c)
lib_objs=$(objs_of $(find src bench -name '*.c' ! -path 'src/bpf/*' ! -path 'src/cmd/main.c'))
if ls $cmd_objs $lib_objs >/dev/null 2>&1 && command -v nm >/dev/null; then
	bad=""
	for o in $cmd_objs; do
		for sym in $(nm --defined-only -g "$o" | awk '{print $3}'); do
			case $sym in cmd_*) ;; *) bad="$bad $o:$sym" ;; esac
		done
	done
	is "$bad" "" "src/cmd/ objects define only their cmd_* entries"
	entries=$(nm --defined-only -g $cmd_objs | awk 'NF == 3 {print $3}' | sort -u)
	bad=""
	for o in $lib_objs; do
		own=$(nm --defined-only -g "$o" | awk '{print $3}')
		for sym in $(nm -u "$o" | awk '{print $2}'); do
			echo "$entries" | grep -qx "$sym" || continue
			[ "$o:$sym" = "build/obj/src/cmd/cmd_run.o:cmd_run_all" ] && continue
			bad="$bad $o->$sym"
		done
	done
	is "$bad" "" "no library and no other command calls a command's entry (only main.c does)"
	bad=$(grep -l '#include "ptbench/commands.h"' $(find src -name '*.c' ! -path 'src/cmd/*') 2>/dev/null || true)
	is "$bad" "" "no library includes commands.h"
else
	for i in 1 2 3; do skip "commands call no command: needs the objects in build/obj (make) and nm"; done
fi

# probes see the run only through probe.h's accessors (the objects' .d files
# catch a runner.h reached through another header)
bad=$(grep -l 'ptbench/run\(ner\|_state\).h' src/probes/*.c $(ls build/obj/src/probes/*.d 2>/dev/null) || true)
is "$bad" "" "no probe includes runner.h or run_state.h, directly or through another header"
# the runner's code is called from above only: the workers' accessors are
# worker_access.c's and the role processes get the repeat handed to them,
# so neither bench/ nor role_process.c uses a symbol runner.o defines (no
# circle runner <-> role_process, no loop scenario -> workers -> runner)
if [ -e build/obj/src/run/runner.o ] && command -v nm >/dev/null; then
	runner_defs=$(nm --defined-only -g build/obj/src/run/runner.o | awk 'NF == 3 {print $3}')
	bad=""
	for o in $(objs_of bench/*.c src/run/role_process.c src/run/worker_access.c); do
		for sym in $(nm -u "$o" | awk '{print $2}'); do
			echo "$runner_defs" | grep -qx "$sym" && bad="$bad $o->$sym"
		done
	done
	is "$bad" "" "bench/, role_process.c and the accessors call nothing of runner.o"
else
	skip "runner.o's callers: needs build/obj (make) and nm"
fi
# the scenario's and the roles' keys are typed (struct pt_scenario_keys,
# struct pt_role_keys): none is read by its name outside the plan
bad=$(grep -n 'pt_opt_\(str\|num\|is_set\|line\)(' src/*/*.c bench/*.c | grep -v -e '^src/run/plan\.c:' -e '^src/run/options\.c:' || true)
is "$bad" "" "no option is read by its key name outside plan.c"
# the lock probe's backend names are listed once (src/run/lock_probe.c)
n=$(grep -rl '"tracefs", "off", NULL' src bench include | wc -l)
is "$n" 1 "the lock probe backend names are listed in one place"

# one out-of-memory policy: the pt_x* allocators (util.c); a bare realloc
# only where running out is a message about an input (the result reader's
# read of a file it was asked to load)
bad=$(grep -rln '[^_x]realloc(' src --include=*.c | grep -v -e '^src/util/util.c$' -e '^src/results/result_read.c$' || true)
is "$bad" "" "no bare realloc outside util.c and the result reader"

# every worker that records ops marks them first (pt_op_begin*: the per-op
# lock attribution and the tail probe read the marker); a worker written
# without it counts its lock events in the role only
bad=$(for f in $(grep -l 'pt_record(' bench/*.c); do grep -q 'pt_op_begin' "$f" || echo "$f"; done)
is "$bad" "" "every worker that calls pt_record marks its ops with pt_op_begin"

# metric meaning lives in the metric registry (include/ptbench/metric.h):
# only the registry and the producers' *_metrics.c tables may match a metric
# name; elsewhere no string comparison (strcmp, strncmp, strstr, ends_with,
# fnmatch, memcmp) against a literal that is a metric name or part of one
metric_re='(strn?cmp|strstr|strcasecmp|ends_with|starts_with|fnmatch|memcmp)\([^;]*"[^"]*(per_|ops_per_sec|\.p[0-9]|p[0-9]{2,4}"|"max"|"rate"|acquisitions|fallbacks|write_locks|failed_trylocks|waits|success_rate|timeouts_per|mmap_lock\.|vma_lock\.)[^"]*"'
bad=$(grep -nE "$metric_re" src/*/*.c bench/*.c | grep -v -e '_metrics\.c:' -e '^src/results/metric_registry\.c:' || true)
is "$bad" "" "no metric-name matching outside the metric registry"
# and the check finds what it is for
echo 'if (strstr(m->name, ".per_")) return 1;' | grep -qE "$metric_re"
ok $? "the metric-name check catches strstr(name, \".per_\")"

done_testing
