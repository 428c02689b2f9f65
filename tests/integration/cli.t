#!/bin/bash
# Command line: the table, suggestions, exit codes, bad input refused with
# file:line and nothing written.
. "$(dirname "$0")/lib.sh"

out=$($PTBENCH --version); ok $? "--version exits 0"
case "$out" in "ptbench "*) ok 0 "--version prints 'ptbench VERSION'";; *) ok 1 "--version prints 'ptbench VERSION' (got '$out')";; esac

# ptbench version = --version; ptbench help COMMAND = COMMAND --help
is "$($PTBENCH version)" "$out" "version prints what --version prints"
$PTBENCH version x >/dev/null 2>&1; is $? 2 "version with an argument: exit 2"
for c in gate compare run vm version; do
	$PTBENCH help "$c" >"$TMP/help1" 2>&1
	rc=$?
	$PTBENCH "$c" --help >"$TMP/help2" 2>&1
	is "$rc,$(cmp -s "$TMP/help1" "$TMP/help2" && echo same)" "0,same" "help $c: exit 0, the same text as $c --help"
done
! $PTBENCH help gate | grep -q '^commands:'; ok $? "help gate is not the global help"
$PTBENCH help gat >/dev/null 2>"$TMP/err"; is $? 2 "help with an unknown command: exit 2"
grep -q "Did you mean 'gate'" "$TMP/err"; ok $? "help gat suggests 'gate'"
$PTBENCH help | grep -q '^  version '; ok $? "help lists version"

# bash completion (scripts/ptbench-completion.bash): every word from ptbench itself
comp() { # comp WORD...: the completions of the last word
	bash -c '. scripts/ptbench-completion.bash; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _ptbench; echo "${COMPREPLY[*]}"' _ "$@"
}
is "$(comp "$PTBENCH" ga)" "gate" "completion: commands (ga -> gate)"
is "$(comp "$PTBENCH" gate --ro)" "--rounds" "completion: a command's options (gate --ro -> --rounds)"
is "$(comp "$PTBENCH" run shmem-collapse-sm)" "shmem-collapse-smaps" "completion: scenario names for run"
is "$(comp "$PTBENCH" run al)" "all" "completion: run all"
is "$(comp "$PTBENCH" help vers)" "version" "completion: help COMMAND"
is "$(comp "$PTBENCH" run default --set f.type=smaps-r)" "f.type=smaps-read" "completion: worker types after ROLE.type="
if command -v shellcheck >/dev/null; then
	shellcheck -s bash scripts/ptbench-completion.bash; ok $? "the completion script: shellcheck clean"
else
	skip "shellcheck not installed"
fi

$PTBENCH list >"$TMP/list" 2>&1; ok $? "list exits 0"
for w in fault mmap-churn smaps-read vma-pad procmap-query; do
	grep -q "^  $w " "$TMP/list"; ok $? "list shows worker $w"
done
grep -q "^  default " "$TMP/list"; ok $? "list shows the default scenario with its description"
! grep -q "does not parse" "$TMP/list"; ok $? "every shipped scenario parses"
$PTBENCH list -v | grep -q "populate"; ok $? "list -v shows worker options"

$PTBENCH sysinfo >"$TMP/sys"; ok $? "sysinfo exits 0"
grep -q "release" "$TMP/sys"; ok $? "sysinfo shows the kernel release"
$PTBENCH sysinfo --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["kernel"]["release"] and d["topology"]["pus"] >= 1 and "enabled" in d["thp"]'
ok $? "sysinfo --json is JSON with kernel, topology and thp"

$PTBENCH rnu default >/dev/null 2>"$TMP/err"; is $? 2 "unknown command exits 2"
grep -q "Did you mean 'run'" "$TMP/err"; ok $? "unknown command suggests 'run'"
$PTBENCH run default --duraton 1s >/dev/null 2>"$TMP/err"; is $? 2 "unknown flag exits 2"
grep -q "did you mean --duration" "$TMP/err"; ok $? "unknown flag suggests --duration"
for c in compare:--formt:--format plot:--outptu:--output vm:--kernl:--kernel list:--verbsoe:--verbose \
	sysinfo:--jsn:--json sysinfo:--check-confg:--check-config restore:--quite:--quiet; do
	IFS=: read -r cmd typo want <<<"$c"
	$PTBENCH "$cmd" "$typo" x >/dev/null 2>"$TMP/err"; is $? 2 "$cmd: unknown flag $typo exits 2"
	grep -q "did you mean $want?" "$TMP/err"; ok $? "$cmd: $typo gets 'did you mean $want?'"
done
$PTBENCH list extra >/dev/null 2>"$TMP/err"; is $? 2 "list with an argument: exit 2"
$PTBENCH sysinfo extra >/dev/null 2>"$TMP/err"; is $? 2 "sysinfo with an argument: exit 2"
$PTBENCH sysinfo --check-config "$TMP/no-such-config" >/dev/null 2>"$TMP/err"; is $? 2 "sysinfo --check-config FILE: the FILE is taken (unreadable: exit 2)"
grep -q "no-such-config" "$TMP/err"; ok $? "sysinfo --check-config FILE names the FILE"
$PTBENCH sysinfo --check-config="$TMP/no-such-config" >/dev/null 2>&1; is $? 2 "sysinfo --check-config=FILE: the same"
# what a command prints must reach its standard output: a full disk is exit 5
if [ -w /dev/full ]; then
	for c in "list" "sysinfo --json" "help" "--version"; do
		# shellcheck disable=SC2086
		$PTBENCH $c >/dev/full 2>"$TMP/err"; is $? 5 "$c onto a full disk: exit 5"
		grep -q "writing to standard output failed" "$TMP/err"; ok $? "$c onto a full disk: says so"
	done
else
	skip "no writable /dev/full"
fi
# an output path is never an option's name, nor the scenario, nor another output
$PTBENCH run default -o --dry-run >/dev/null 2>"$TMP/err"; is $? 2 "run -o --dry-run (a value forgotten): exit 2"
grep -q "looks like an option" "$TMP/err"; ok $? "run -o --dry-run: says it looks like an option"
[ ! -e ./--dry-run ]; ok $? "run -o --dry-run: no file ./--dry-run"
for c in "gate --base-results a --cand-results b" "plot a.json" "vm run default"; do
	# shellcheck disable=SC2086
	$PTBENCH ${c%% *} -o --no-plots ${c#* } >/dev/null 2>"$TMP/err"; rc=$?
	is "$rc,$(grep -c 'looks like an option' "$TMP/err")" "2,1" "${c%% *} -o --no-plots: exit 2, looks like an option"
done
cp scenarios/default.ini "$TMP/copy.ini"
$PTBENCH run "$TMP/copy.ini" -o "$TMP/../$(basename "$TMP")/copy.ini" --dry-run >/dev/null 2>"$TMP/err"
is $? 2 "run -o the scenario file itself (another spelling): exit 2"
grep -q "is the scenario file" "$TMP/err"; ok $? "...says so"
cmp -s scenarios/default.ini "$TMP/copy.ini"; ok $? "...the scenario untouched"
$PTBENCH run default -o "$TMP/same.out" --folded "$TMP/./same.out" --dry-run >/dev/null 2>"$TMP/err"
is $? 2 "run -o X --folded X: exit 2 (the stacks would overwrite the result)"
grep -q "is the --folded file" "$TMP/err"; ok $? "...says so"
# every exit code a script can get is in the global help
for code in $(sed -n 's/^[[:space:]]*PT_EXIT_[A-Z_]* = \([0-9]*\),.*/\1/p' include/ptbench/exitcodes.h); do
	$PTBENCH help | grep -Eq "(codes: |[ ,])$code [a-z]"; ok $? "help lists exit code $code (include/ptbench/exitcodes.h)"
done
$PTBENCH run nosuch >/dev/null 2>"$TMP/err"; is $? 2 "unknown scenario exits 2"
grep -q "no scenario 'nosuch'" "$TMP/err"; ok $? "unknown scenario is named"
$PTBENCH run default --duration forever >/dev/null 2>"$TMP/err"; is $? 2 "bad --duration exits 2"
$PTBENCH run default --set churn.sise=1M >/dev/null 2>"$TMP/err"; is $? 2 "bad --set key exits 2"
grep -q "did you mean 'size'" "$TMP/err"; ok $? "bad --set key gets a hint"

# bad scenario files: exit 2, file:line in the message, no result written
bad() { # bad NAME EXPECTED_SUBSTRING <<< content
	cat >"$TMP/$1.ini"
	rm -f "$TMP/out.json"
	$PTBENCH run "$TMP/$1.ini" -o "$TMP/out.json" --quiet >/dev/null 2>"$TMP/err"
	is $? 2 "$1: exit 2"
	grep -qF "$2" "$TMP/err"; ok $? "$1: message '$2'"
	[ ! -e "$TMP/out.json" ] && ! ls "$TMP"/out.json.tmp.* >/dev/null 2>&1; ok $? "$1: nothing written"
}
bad headline-role "headline-role.ini:2: headline: 'nosuch.fault.p99': no role or probe 'nosuch'" <<'EOF2'
[scenario]
headline = f.fault.p99, nosuch.fault.p99
[worker f]
type = fault
EOF2
bad headline-op "headline: 'f.collapse.p99': role f (fault) has no op 'collapse'" <<'EOF2'
[scenario]
headline = f.collapse.p99
[worker f]
type = fault
EOF2
bad headline-stat "headline: 'f.fault.p42': 'p42' is not an op metric" <<'EOF2'
[scenario]
headline = f.fault.p42
[worker f]
type = fault
EOF2
$PTBENCH run default --set scenario.headline=faulter.fault.p99,,reader.read.p99 --dry-run >/dev/null 2>"$TMP/err"
is $? 2 "--set scenario.headline with an empty name: exit 2 before running"
$PTBENCH run default --set scenario.headline=mmap_lock.roles.reader.acquisitions.read.per_read,faulter.fault.ops_per_sec --dry-run >/dev/null 2>&1
is $? 0 "a probe's metric and ops_per_sec in the headline: accepted"
bad unknown-key "$TMP/unknown-key.ini:4: unknown key 'thread'" <<'EOF2'
[scenario]
[worker f]
type = fault
thread = 2
EOF2
bad bad-type "bad-type.ini:3: [worker f]: unknown worker type 'faults' (did you mean 'fault'?)" <<'EOF2'
[scenario]
[worker f]
type = faults
EOF2
bad bad-cpus "[worker f]: cpus = 99: CPU 99 does not exist" <<'EOF2'
[scenario]
[worker f]
type = fault
cpus = 99
EOF2

$PTBENCH run /nonexistent/x.ini >/dev/null 2>&1; is $? 2 "missing scenario path exits 2"
done_testing
