#!/bin/bash
# ptbench.config and `sysinfo --check-config`: the fragment is well formed
# (every option says what is lost without it), a config lacking an option
# names it and what it loses, bad input exits 2 naming the file and line,
# and every option the fragment names exists in some Debian kernel's config
# (a typo would be "absent" everywhere).
. "$(dirname "$0")/lib.sh"

# the running kernel's config, when there is one
if [ -r /proc/config.gz ] || [ -r "/boot/config-$(uname -r)" ]; then
	$PTBENCH sysinfo --check-config >"$TMP/run.txt" 2>"$TMP/err"
	is "$?" 0 "--check-config on the running kernel: exit 0"
	grep -q "against .*ptbench.config:" "$TMP/run.txt"
	ok $? "it names the config and the fragment"
else
	skip "no /proc/config.gz or /boot/config-$(uname -r): the running kernel's config is not readable"
	skip "(same)"
fi

# a config with everything the fragment asks for, then one option lost
sed -n 's/^\(CONFIG_[A-Za-z0-9_]*=.*\)/\1/p' ptbench.config >"$TMP/full.config"
$PTBENCH sysinfo --check-config "$TMP/full.config" >"$TMP/full.txt"
is "$?" 0 "a config holding the whole fragment: exit 0"
n=$(grep -c '^CONFIG_' ptbench.config)
grep -q "all $n options of ptbench.config are set" "$TMP/full.txt"
ok $? "...and all $n options are reported set"

sed 's/^CONFIG_DEBUG_INFO_BTF=y/# CONFIG_DEBUG_INFO_BTF is not set/' "$TMP/full.config" | gzip >"$TMP/nobtf.config.gz"
$PTBENCH sysinfo --check-config "$TMP/nobtf.config.gz" >"$TMP/nobtf.txt"
is "$?" 0 "a gzip config without BTF: exit 0 (a report, not a failure)"
grep -q "^  CONFIG_DEBUG_INFO_BTF=y: is not set: lost: .*BPF lock probes" "$TMP/nobtf.txt"
ok $? "without DEBUG_INFO_BTF it says the BPF lock probes are lost"
is "$(grep -c '^  CONFIG_' "$TMP/nobtf.txt")" 1 "...and nothing else is missing"

grep -v '^CONFIG_PT_RECLAIM=' "$TMP/full.config" >"$TMP/old.config"
$PTBENCH sysinfo --check-config "$TMP/old.config" --json >"$TMP/old.json"
is "$(json "$TMP/old.json" '[(m["option"], m["want"], m["have"]) for m in d["missing"]]')" \
	"[('CONFIG_PT_RECLAIM', 'y', 'absent')]" "--json: an option the config does not name is 'absent'"
is "$(json "$TMP/old.json" 'd["checked"]')" "$n" "--json: checked counts every option of the fragment"

# merge_config.sh finds an option's new value with `grep -w CONFIG_X` over
# the whole fragment: a comment that names an option would be read as its value
is "$(grep '^#' ptbench.config | grep -c 'CONFIG_[A-Z]')" 0 "no comment in ptbench.config names a CONFIG_ option (merge_config.sh would take it for the value)"

# bad input: exit 2, naming the file (and line)
$PTBENCH sysinfo --check-config "$TMP/nosuch.config" 2>"$TMP/err"
is "$?" 2 "an unreadable config: exit 2"
grep -q "nosuch.config: cannot read" "$TMP/err"
ok $? "...naming the file"
mkfifo "$TMP/fifo.config"
timeout 10 $PTBENCH sysinfo --check-config "$TMP/fifo.config" 2>"$TMP/err"
is "$?" 2 "a FIFO for a config: exit 2 at once, not read for ever"
grep -q "fifo.config: not a regular file" "$TMP/err"; ok $? "...saying it is not a regular file"
timeout 10 $PTBENCH sysinfo --check-config /dev/zero 2>/dev/null
is "$?" 2 "/dev/zero for a config: exit 2"
printf '{"schema": "not a config"}\nFOO=bar\n' >"$TMP/notconfig"
$PTBENCH sysinfo --check-config "$TMP/notconfig" 2>"$TMP/err"
is "$?" 2 "a file with no CONFIG_ line: exit 2, not 'everything absent'"
grep -q "no CONFIG_ line" "$TMP/err"; ok $? "...saying it is not a kernel config"
printf '# lost: something\nCONFIG_A=y\nCONFIG_B=y\n' >"$TMP/frag"
PTBENCH_CONFIG_FRAGMENT="$TMP/frag" $PTBENCH sysinfo --check-config "$TMP/full.config" 2>"$TMP/err"
is "$?" 2 "a fragment option without a '# lost:' line: exit 2"
grep -q "frag:3: CONFIG_B has no \"# lost:\" line" "$TMP/err"
ok $? "...naming the file and line"
printf 'CONFIG A\n' >"$TMP/frag"
PTBENCH_CONFIG_FRAGMENT="$TMP/frag" $PTBENCH sysinfo --check-config "$TMP/full.config" 2>"$TMP/err"
is "$?" 2 "a malformed fragment line: exit 2"
grep -q "frag:1: want CONFIG_NAME=VALUE" "$TMP/err"
ok $? "...naming the file and line"

# every option exists in some fetched Debian config (scripts/fetch-kernels.sh)
cfgs=$(ls build/kernels/config-* 2>/dev/null)
if [ -z "$cfgs" ]; then
	skip "no kernel configs in build/kernels (scripts/fetch-kernels.sh): option names not checked against a real config"
else
	unknown=""
	# IKCONFIG_PROC depends on IKCONFIG, which Debian leaves unset, so
	# Kconfig writes no line for it at all
	for o in $(sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)=.*/\1/p' ptbench.config | grep -vx CONFIG_IKCONFIG_PROC); do
		# shellcheck disable=SC2086
		grep -qE "^($o=|# $o is not set)" $cfgs || unknown="$unknown $o"
	done
	is "${unknown:-none}" none "every option of ptbench.config is named in a fetched Debian config ($(echo $cfgs | wc -w) configs)"
fi

done_testing
