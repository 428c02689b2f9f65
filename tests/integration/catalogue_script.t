#!/bin/bash
# scripts/catalogue.sh -n: from results already in DIR/LABEL/SCENARIO.json,
# one `compare --chain` table per scenario over the kernels that have it,
# a summary of the rows some step changed, a chart per scenario; bad usage
# exits 2 naming what is wrong. (Booting the kernels is `ptbench vm`'s,
# tested in vm.t.)
. "$(dirname "$0")/lib.sh"
GEN=tests/integration/gen_result.py
gen() { # gen DIR/LABEL SCENARIO SPEC
	mkdir -p "$TMP/cat/$1"
	python3 $GEN "$TMP/cat/$1/$2.json" "$3"
}
S='"scale": [1.00, 1.01, 0.99], "types": {"faulter": "fault", "reader": "smaps-read"}'
# s1: the reader's 800 reads per read on k1 and k2 go to 0 on k3; the
# faulter's write locks 0 -> 1 per fault from k2 -> k3
for k in k1 k2; do
	gen $k s1 "{$S, \"scenario\": \"s1\", \"kernel\": \"$k\", \"locks\": {\"faulter\": {\"write\": 0}, \"reader\": {\"read\": 80000000}}}"
done
gen k3 s1 "{$S, \"scenario\": \"s1\", \"kernel\": \"k3\", \"locks\": {\"faulter\": {\"write\": 100000}}}"
# s2: nothing changes, and k1 has no result (a scenario a kernel skips)
for k in k2 k3; do
	gen $k s2 "{$S, \"scenario\": \"s2\", \"kernel\": \"$k\", \"locks\": {\"reader\": {\"read\": 80000000}}}"
done

out=$(scripts/catalogue.sh -n -s "s1 s2" -o "$TMP/cat" /nonexistent/vmlinuz-1:k1 /nonexistent/vmlinuz-2:k2 /nonexistent/vmlinuz-3:k3 2>"$TMP/err")
is "$?" 0 "-n: tables and charts from the results in DIR, no boots, exit 0"
[ -s "$TMP/cat/tables/s1.md" ] && [ -s "$TMP/cat/tables/s2.md" ]
ok $? "a chain table per scenario"
grep -q "^| metric | k1 | k2 | k3 | changed |$" "$TMP/cat/tables/s1.md"
ok $? "s1: a column per kernel, in the order given"
grep -q "^| metric | k2 | k3 | changed |$" "$TMP/cat/tables/s2.md"
ok $? "s2: the kernel without its result is left out of its chain"
sum=$TMP/cat/tables/changed.md
grep -qF '| s1 | `mmap_lock.roles.reader.acquisitions.read.per_read` | k2 -> k3 improved |' "$sum"
ok $? "summary: the reader's 800 -> 0 named at its step"
grep -qF '| s1 | `mmap_lock.roles.faulter.acquisitions.write.per_fault` | k2 -> k3 REGRESSED |' "$sum"
ok $? "summary: the faulter's 0 -> 1 write named at its step"
! grep -q "| s2 |" "$sum"
ok $? "summary: a scenario where nothing changed has no row"
is "$(grep -c '^| s1 |' "$sum")" "$(grep '^| `' "$TMP/cat/tables/s1.md" | grep -vc '| none |$')" \
	"summary: exactly the rows of s1's table whose changed cell is not 'none'"
if command -v gnuplot >/dev/null; then
	ls "$TMP"/cat/plots/s1/*.png >/dev/null 2>&1
	ok $? "a chart directory per scenario with PNGs"
else
	skip "gnuplot is not installed (scripts/install-deps.sh installs it)"
fi

# the boots, with a stand-in ptbench whose `vm` fails for one image: the
# worst boot's exit status, whatever -j, and one boot per image
cat >"$TMP/stub" <<'STUB'
#!/bin/bash
case $1 in
list) printf 'scenarios (x):\n  s1   one\n\n' ;;
vm) echo "$*" >>"${0%/*}/boots"; case "$*" in *img-bad*) exit 3 ;; esac ;;
esac
exit 0
STUB
chmod +x "$TMP/stub"
touch "$TMP/img-good1" "$TMP/img-bad" "$TMP/img-good2"
for j in 1 2; do
	rm -f "$TMP/boots"
	PTBENCH=$TMP/stub scripts/catalogue.sh -j $j -o "$TMP/boot$j" "$TMP/img-good1:a" "$TMP/img-bad:b" "$TMP/img-good2:c" >/dev/null 2>&1
	is "$?" 3 "-j $j: a boot that exits 3 makes the exit 3"
	is "$(wc -l <"$TMP/boots")" 3 "-j $j: one ptbench vm per image"
done
PTBENCH=$TMP/stub scripts/catalogue.sh -j 2 -o "$TMP/boot3" "$TMP/img-good1:a" "$TMP/img-good2:c" >/dev/null 2>&1
is "$?" 0 "every boot exits 0: exit 0"

# bad usage: exit 2, the reason named, nothing made
scripts/catalogue.sh -n -o "$TMP/bad" img >/dev/null 2>"$TMP/err"
is "$?" 2 "an argument without :LABEL exits 2"
grep -q "'img' is not IMAGE:LABEL" "$TMP/err"
ok $? "... naming the argument"
scripts/catalogue.sh -n -o "$TMP/bad" 'img:a/b' >/dev/null 2>"$TMP/err"
is "$?" 2 "a label that would be a path exits 2"
[ ! -e "$TMP/bad" ]
ok $? "... and makes nothing"
scripts/catalogue.sh -o "$TMP/bad" /nonexistent/vmlinuz:k1 >/dev/null 2>"$TMP/err"
is "$?" 2 "an image that cannot be read exits 2 before any boot"
grep -q "cannot read kernel image '/nonexistent/vmlinuz'" "$TMP/err"
ok $? "... naming it"
scripts/catalogue.sh -j 0 -o "$TMP/bad" x:k1 >/dev/null 2>&1
is "$?" 2 "-j 0 exits 2"
done_testing
