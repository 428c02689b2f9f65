#!/bin/bash
# ptbench.1 against the binary: every command `ptbench help` lists has a
# section, every option any `ptbench COMMAND --help` prints is documented,
# the worker types are those `ptbench list` lists,
# the page renders without groff warnings, and make install/uninstall
# carry it. Commands and options come from the binary, never from a list
# written here, so an option added without documentation fails this test.
. "$(dirname "$0")/lib.sh"

PAGE=ptbench.1

# Commands: the indented lines of `ptbench help` after "commands:".
commands() {
	$PTBENCH help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on && /^  [a-z]/ { print $1 }'
}

# Options a text mentions: -x or --long-name where a word starts (after a
# space, '[', '(', ',' or '|'), so "Mann-Whitney" and "tcg-single" are not
# options; --key=value gives --key.
options_in() {
	grep -oE '(^|[][ (,|])--?[A-Za-z][A-Za-z0-9-]*' | sed -E 's/^[][ (,|]//' | sort -u
}

# The page as plain text: no hyphenation (.nh), no overstriking, so an option
# reads in it exactly as it is typed.
render() { # render FILE
	groff -man -Tascii -P-cbou "$1" 2>/dev/null
}

# Options of the help texts that the rendered page lacks, one per line.
missing_in() { # missing_in RENDERED_TEXT_FILE OPTIONS_FILE
	while read -r opt; do
		grep -qE -- "(^|[^A-Za-z0-9-])${opt}([^A-Za-z0-9-]|\$)" "$1" || echo "$opt"
	done <"$2"
}

# Worker types: the page's list (.TP then .B NAME, from "Worker types" to the
# next .SH) against the binary's (`ptbench list`): every type it lists and no
# other. Needs no groff, so it runs before the groff checks may skip.
workers_of_list() { # the type names of `ptbench list`, sorted
	$PTBENCH list | awk '/^workers/ { on = 1; next } on && /^$/ { exit } on && /^  [a-z]/ { print $1 }' | sort
}
workers_of_page() { # workers_of_page FILE: the type names of its worker list, sorted
	awk '/^Worker types/ { on = 1; next } on && /^\.SH/ { exit }
	     on && tp && /^\.B / { sub(/^\.B /, ""); gsub(/\\-/, "-"); print }
	     { tp = on && /^\.TP/ }' "$1" | sort
}
list_workers=$(workers_of_list)
[ "$(echo "$list_workers" | grep -c .)" -ge 10 ]; ok $? "ptbench list lists the worker types ($(echo $list_workers))"
is "$(workers_of_page "$PAGE")" "$list_workers" "$PAGE lists exactly the worker types ptbench list lists"
# the check can fail: a type dropped from the page, or one the binary lacks
sed '/^\.B mincore$/,+1d' "$PAGE" >"$TMP/nomincore.1"
[ "$(workers_of_page "$TMP/nomincore.1")" != "$list_workers" ]; ok $? "a page without mincore is caught"
sed 's/^\.B mincore$/.B mincore\n.TP\n.B no\\-such\\-worker\nGone./' "$PAGE" >"$TMP/extra.1"
workers_of_page "$TMP/extra.1" | grep -qx no-such-worker && [ "$(workers_of_page "$TMP/extra.1")" != "$list_workers" ]
ok $? "a page listing a type the binary lacks is caught"

if ! command -v groff >/dev/null; then
	skip "groff is not installed (scripts/install-deps.sh installs groff-base)"
	done_testing
	exit
fi

cmds=$(commands)
ncmds=$(echo "$cmds" | grep -c .)
[ "$ncmds" -ge 5 ]; ok $? "ptbench help lists the commands ($ncmds: $(echo $cmds))"

# every command has a section (.SS "ptbench CMD ...")
for c in $cmds; do
	grep -qE "^\.SS \"?ptbench $c( |\"|\$)" "$PAGE"; ok $? "$PAGE has a section for 'ptbench $c'"
done

# every command answers --help with exit 0 on stdout
: >"$TMP/help-all"
for c in $cmds; do
	$PTBENCH "$c" --help >"$TMP/help-$c" 2>"$TMP/help-$c.err"
	ok $? "ptbench $c --help exits 0"
	[ -s "$TMP/help-$c" ]; ok $? "ptbench $c --help prints its usage on stdout"
	cat "$TMP/help-$c" "$TMP/help-$c.err" >>"$TMP/help-all"
done
$PTBENCH help >>"$TMP/help-all"

options_in <"$TMP/help-all" >"$TMP/options"
nopts=$(grep -c . "$TMP/options")
[ "$nopts" -ge 20 ]; ok $? "the help texts name options ($nopts found)"
grep -qx -- "--no-trace" "$TMP/options" && grep -qx -- "-k" "$TMP/options" && ! grep -qx -- "-Whitney" "$TMP/options"
ok $? "options are found as typed (--no-trace, -k), words with hyphens are not options"

render "$PAGE" >"$TMP/page.txt"
[ -s "$TMP/page.txt" ]; ok $? "$PAGE renders to text"
for c in $cmds; do
	missing_in "$TMP/page.txt" <(options_in <"$TMP/help-$c" ; options_in <"$TMP/help-$c.err") >"$TMP/missing-$c"
	[ ! -s "$TMP/missing-$c" ]
	ok $? "every option 'ptbench $c --help' prints is in $PAGE (missing: $(echo $(cat "$TMP/missing-$c")))"
done
missing_in "$TMP/page.txt" <(options_in < <($PTBENCH help)) >"$TMP/missing-top"
[ ! -s "$TMP/missing-top" ]; ok $? "the options of 'ptbench help' are in $PAGE (missing: $(echo $(cat "$TMP/missing-top")))"

# the check itself can fail: a page without --no-trace is caught
sed 's/no\\-trace/no\\-tr/g' "$PAGE" >"$TMP/cut.1"
render "$TMP/cut.1" >"$TMP/cut.txt"
missing_in "$TMP/cut.txt" "$TMP/options" | grep -qx -- "--no-trace"
ok $? "a page that lacks --no-trace is reported as missing it"

# renders without warnings, through groff and through man
warn=$(groff -man -Tutf8 -ww -z "$PAGE" 2>&1)
is "$warn" "" "groff -man -Tutf8 -ww renders $PAGE without warnings"
if command -v man >/dev/null; then
	warn=$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$PAGE" 2>&1 >/dev/null)
	is "$warn" "" "man -l $PAGE renders without warnings"
else
	skip "man is not installed (scripts/install-deps.sh installs man-db)"
fi

# make install puts it under PREFIX/share/man/man1, make uninstall removes it
inst="$TMP/inst"
make -s install DESTDIR="$inst" PREFIX=/usr >"$TMP/install.log" 2>&1
ok $? "make install DESTDIR=... PREFIX=/usr"
cmp -s "$PAGE" "$inst/usr/share/man/man1/ptbench.1"; ok $? "make install installs $PAGE as share/man/man1/ptbench.1"
cmp -s scripts/ptbench-completion.bash "$inst/usr/share/bash-completion/completions/ptbench"
ok $? "make install installs the bash completion as share/bash-completion/completions/ptbench"
make -s uninstall DESTDIR="$inst" PREFIX=/usr >>"$TMP/install.log" 2>&1
[ ! -e "$inst/usr/share/man/man1/ptbench.1" ] && [ ! -e "$inst/usr/bin/ptbench" ] &&
	[ ! -e "$inst/usr/share/bash-completion/completions/ptbench" ]
ok $? "make uninstall removes it (and the binary, the completion)"

done_testing
