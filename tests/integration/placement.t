#!/bin/bash
# Placement on this machine: real binding checked with sched_getcpu(),
# requests the machine cannot satisfy refused before anything runs, membind
# verified with move_pages(), sysinfo, and scaling sweeps.
. "$(dirname "$0")/lib.sh"

NPU=$(nproc)
scen() { # scen FILE FAULTER_KEYS...
	local f=$1; shift
	{
		printf '[scenario]\nduration = 200ms\nwarmup = 0\nrepeat = 1\nheadline = faulter.fault.p99\n'
		printf '[worker faulter]\ntype = fault\nsize = 1M\n'
		printf '%s\n' "$@"
	} >"$f"
}

# --- binding: every thread on its planned PU, as the kernel and sched_getcpu() say
scen "$TMP/bind.ini" "threads = $NPU" "cpus = compact"
$PTBENCH_ASAN run "$TMP/bind.ini" -o "$TMP/bind.json" --quiet --no-trace
ok $? "compact run on $NPU PUs (ASan build)"
is "$(json "$TMP/bind.json" "sorted(d['repeats'][0]['workers']['faulter']['cpus'])")" \
	"$(python3 -c "print(list(range($NPU)))")" "compact: one thread per PU"
is "$(json "$TMP/bind.json" "all(t['binding'] == str(t['cpu']) for t in d['repeats'][0]['workers']['faulter']['placement']['threads'])")" \
	True "the binding the kernel reports is the planned PU"
is "$(json "$TMP/bind.json" "[w for w in [d['repeats'][0]['workers']['faulter']] if w['placement']['sched_samples'] > 0 and w['placement']['off_binding'] == 0] != []")" \
	True "sched_getcpu() samples were taken and none was off the bound PU"
is "$(json "$TMP/bind.json" "all(p == [c, c] for p, c in zip(d['repeats'][0]['workers']['faulter']['cpus_seen'], d['repeats'][0]['workers']['faulter']['cpus']))")" \
	True "cpus_seen [first,last] equal the bound PU"

LAST=$((NPU - 1))
scen "$TMP/list.ini" "threads = 2" "cpus = $LAST"
$PTBENCH run "$TMP/list.ini" -o "$TMP/list.json" --quiet --no-trace
is "$(json "$TMP/list.json" "[t['cpus_sampled'] for t in d['repeats'][0]['workers']['faulter']['placement']['threads']]")" \
	"[[$LAST], [$LAST]]" "cpus = $LAST: both threads only ever seen on CPU $LAST"

scen "$TMP/none.ini" "threads = 1"
$PTBENCH run "$TMP/none.ini" -o "$TMP/none.json" --quiet --no-trace
is "$(json "$TMP/none.json" "d['repeats'][0]['workers']['faulter']['placement']['threads'][0]['binding']")" \
	"$(python3 -c "import os; c=sorted(os.sched_getaffinity(0)); print(f'{c[0]}-{c[-1]}' if len(c) > 1 else c[0])")" \
	"cpus = none: the thread keeps the whole allowed set"

# --- requests this machine cannot satisfy: exit 2 before anything runs
NODES=$(ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l)
BADNODE=$((NODES + 2))
refused() { # refused DESCRIPTION PATTERN KEYS...
	local what=$1 pat=$2; shift 2
	scen "$TMP/bad.ini" "$@"
	rm -f "$TMP/bad.json"
	$PTBENCH run "$TMP/bad.ini" -o "$TMP/bad.json" --quiet --no-trace 2>"$TMP/err"
	local rc=$?
	is "$rc" 2 "$what: exit 2"
	grep -q -- "$pat" "$TMP/err"
	ok $? "$what: says '$pat'"
	[ ! -e "$TMP/bad.json" ]
	ok $? "$what: nothing ran, no result written"
}
refused "cpus = node:$BADNODE" "this machine has $NODES NUMA node" "threads = 1" "cpus = node:$BADNODE"
refused "same-core-as a missing role" "no role 'nosuch'" "threads = 1" "cpus = same-core-as:nosuch"
refused "more exclusive threads than PUs" "this machine has $NPU PUs" "threads = $((NPU + 1))" "cpus = compact" "exclusive = true"
refused "membind = node:$BADNODE" "membind = node:$BADNODE: no NUMA node" "threads = 1" "membind = node:$BADNODE"

# --- membind verified with move_pages()
scen "$TMP/mb.ini" "threads = 1" "cpus = 0" "membind = node:0"
$PTBENCH run "$TMP/mb.ini" -o "$TMP/mb.json" --quiet --no-trace
is "$(json "$TMP/mb.json" "(lambda m: (m['policy'], m['verified'], m['misplaced'], m['present'] > 0))(d['repeats'][0]['workers']['faulter']['membind'])")" \
	"('node:0', True, 0, True)" "membind = node:0: sampled pages present, all on node 0"

# --- a run that is not where the plan put it fails (exit 5) and says where
if [ "$NPU" -ge 2 ]; then
	for proc in "" side; do
		scen "$TMP/mis.ini" "threads = 1" "cpus = 0" ${proc:+"process = $proc"}
		rm -f "$TMP/mis.json"
		PTBENCH_TEST_MISPLACE=faulter $PTBENCH run "$TMP/mis.ini" -o "$TMP/mis.json" --quiet --no-trace 2>"$TMP/err"
		is "$?" 5 "process = ${proc:-(none)}: a thread bound off its planned PU (test switch): exit 5"
		grep -q "placement: role faulter thread 0 is bound to CPU 0 but ran on CPUs \[1\]" "$TMP/err"
		ok $? "process = ${proc:-(none)}: the message names the role, the thread, the planned PU and where it ran"
		is "$(json "$TMP/mis.json" "(d['complete'], 'placement: role faulter' in d['repeats'][0]['error'], d['repeats'][0]['workers']['faulter']['placement']['off_binding'] > 0)")" \
			"(False, True, True)" "process = ${proc:-(none)}: the result keeps what was measured, marked incomplete, with the error"
	done
	scen "$TMP/mis.ini" "threads = 1" "cpus = 0"
	PTBENCH_TEST_MISPLACE=nosuch $PTBENCH run "$TMP/mis.ini" -o "$TMP/mis.json" --quiet --no-trace 2>"$TMP/err"
	is "$?" 0 "the switch naming another role leaves this one where the plan put it"
else
	skip "one PU: no other CPU to misplace a thread on"
fi

# --- sysinfo
$PTBENCH sysinfo --json >"$TMP/sys.json"
ok $? "sysinfo --json"
is "$(json "$TMP/sys.json" "sorted(k for k in ['kernel', 'kconfig', 'cpu', 'topology', 'numa', 'thp'] if k in d)")" \
	"['cpu', 'kconfig', 'kernel', 'numa', 'thp', 'topology']" "sysinfo --json has every section"
is "$(json "$TMP/sys.json" "d['topology']['pus']")" "$NPU" "sysinfo: hwloc PUs = nproc"
is "$(json "$TMP/sys.json" "bool(d['cpu']['codename']) and 'codename_match' in d['cpu'] and d['cpu']['family'] >= 15")" \
	True "sysinfo: CPU with extended family and a checked codename"
if [ -r /proc/config.gz ] || [ -r "/boot/config-$(uname -r)" ]; then
	is "$(json "$TMP/sys.json" "d['kconfig']['options'].get('CONFIG_PER_VMA_LOCK') in ('y', 'n', 'absent')")" True \
		"sysinfo: CONFIG_PER_VMA_LOCK from the kernel config"
else
	skip "no /proc/config.gz or /boot/config-$(uname -r) here"
fi
$PTBENCH sysinfo >"$TMP/sys.txt"
grep -q "^topology (hwloc):" "$TMP/sys.txt" && grep -q "codename:" "$TMP/sys.txt" && grep -q "NUMA node 0" "$TMP/sys.txt"
ok $? "sysinfo text: topology tree, codename, NUMA nodes"

# --- sweeps
scen "$TMP/sw.ini" "threads = 1" "cpus = compact"
$PTBENCH run "$TMP/sw.ini" --sweep faulter.threads=1,2 -o "$TMP/sw.json" --no-trace >"$TMP/sw.out"
ok $? "--sweep faulter.threads=1,2"
for i in 0 1; do
	v=$((i + 1))
	is "$(json "$TMP/sw.threads-$v.json" "(d['sweep']['param'], d['sweep']['value'], d['sweep']['index'], d['sweep']['of'], d['repeats'][0]['workers']['faulter']['threads'], d['complete'])")" \
		"('faulter.threads', $v, $i, 2, $v, True)" "sweep point $v: its own complete result with the sweep object"
done
grep -q "faulter.fault p50/p99" "$TMP/sw.out"
ok $? "sweep prints a threads vs p50/p99 table"

scen "$TMP/swf.ini" "threads = 1,...,max"
$PTBENCH run "$TMP/swf.ini" -o "$TMP/swf.json" --quiet --no-trace
ok $? "threads = 1,...,max in the scenario file"
want=$(python3 -c "
v=[1]
while v[-1]*2 < $NPU: v.append(v[-1]*2)
if v[-1] != $NPU: v.append($NPU)
print(len(v))")
is "$(ls "$TMP"/swf.threads-*.json | wc -l)" "$want" "one result per point of 1,...,max ($want on $NPU PUs)"

$PTBENCH run "$TMP/sw.ini" --sweep faulter.size=1,2 -o "$TMP/x.json" --quiet 2>"$TMP/err"
is $? 2 "--sweep of a key other than threads: exit 2"
$PTBENCH run "$TMP/sw.ini" --sweep nosuch.threads=1,2 -o "$TMP/x.json" --quiet 2>"$TMP/err"
is $? 2 "--sweep of a missing role: exit 2"
scen "$TMP/swx.ini" "threads = 1,2,$((NPU + 1))" "cpus = compact" "exclusive = true"
$PTBENCH run "$TMP/swx.ini" -o "$TMP/swx.json" --quiet 2>"$TMP/err"
is "$? $(ls "$TMP"/swx.threads-*.json 2>/dev/null | wc -l)" "2 0" \
	"a sweep point the machine cannot place fails before the first point runs"

# interrupted: the finished point stays complete, the current one is marked, no more run
scen "$TMP/int.ini" "threads = 1"
sed -i 's/^duration = .*/duration = 3s/' "$TMP/int.ini"
$PTBENCH run "$TMP/int.ini" --sweep faulter.threads=1,2,3 -o "$TMP/int.json" --no-trace >"$TMP/int.out" 2>&1 &
pid=$!
for _ in $(seq 1 200); do
	grep -q "sweep point 2/3" "$TMP/int.out" && break
	sleep 0.1
done
sleep 0.5
kill -INT $pid
wait $pid
rc=$?
is "$rc" 130 "interrupted sweep exits 128+SIGINT"
is "$(json "$TMP/int.threads-1.json" "d['complete']") $(json "$TMP/int.threads-2.json" "d['complete']") $([ -e "$TMP/int.threads-3.json" ] && echo ran || echo absent)" \
	"True False absent" "finished point complete, interrupted point incomplete, later points not run"

done_testing
