#!/bin/bash
# ptbench plot: charts render from result files made here (two short runs of
# the default scenario with different labels, plus synthetic mmap_lock,
# collapse and sweep fixtures that follow the shared contracts, and
# gen_result.py results for locks-per-op, ptmem and ptlife with known numbers), every
# expected file exists, PNGs are real PNGs of some size, SVGs parse as XML;
# a missing gnuplot exits 2 with the data files written; bad input exits 2.
. "$(dirname "$0")/lib.sh"

if ! command -v gnuplot >/dev/null; then
	skip "gnuplot is not installed (scripts/install-deps.sh installs gnuplot-nox)"
	done_testing
	exit
fi

# a PNG starts with \x89PNG\r\n\x1a\n; "non-trivial" = over 5 KB, which an
# empty canvas with only axes does not reach at this size
png_ok() {
	[ -f "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
		[ "$(stat -c %s "$1")" -gt 5120 ]
}
svg_ok() {
	[ -f "$1" ] && xmllint --noout "$1" 2>/dev/null
}

run_short() { # run_short OUT.json: a short default run, 2 repeats
	$PTBENCH run default --duration 300ms --warmup 100ms --repeat 2 --no-trace --quiet -o "$1" >/dev/null 2>"$1.err"
}

run_short "$TMP/a.json"; ok $? "first default run"
run_short "$TMP/b.json"; ok $? "second default run"

# --- two real results, --label, both formats ---
$PTBENCH plot "$TMP/a.json" "$TMP/b.json" --label base,cand_1 --format both -o "$TMP/out" \
	>"$TMP/plot.out" 2>"$TMP/plot.err"
ok $? "plot of two results exits 0"
sed "s/^/# /" "$TMP/plot.err"

ops=$(json "$TMP/a.json" "' '.join(r+'.'+o for r,w in d['repeats'][0]['workers'].items() if isinstance(w['ops'],dict) for o,s in w['ops'].items() if s['count']>0)")
# a timeline chart for each op that completed in some interval of either run
# (a zap that never came round in 300 ms has none, and says so)
timeline=$(python3 -c "
import json, sys
seen = {}
for f in sys.argv[1:]:
    for rep in json.load(open(f))['repeats']:
        for r, t in rep['timeline'].items():
            for o, s in t.items():
                seen[r + '.' + o] = seen.get(r + '.' + o, 0) + sum(s['count'])
print(' '.join(k for k, v in seen.items() if v > 0))" "$TMP/a.json" "$TMP/b.json")
[ -n "$ops" ]; ok $? "the runs recorded ops ($ops)"
expected="bars-headline"
for o in $ops; do expected="$expected pct-$o"; done
for o in $timeline; do expected="$expected timeline-$o"; done
for name in $expected; do
	[ -s "$TMP/out/$name.dat" ]; ok $? "$name.dat written"
	png_ok "$TMP/out/$name.png"; ok $? "$name.png is a PNG over 5 KB"
	svg_ok "$TMP/out/$name.svg"; ok $? "$name.svg parses as XML"
done
[ -x "$TMP/out/render.sh" ]; ok $? "render.sh written"
grep -q '"base"' "$TMP/out/render.sh" && grep -q '"cand_1"' "$TMP/out/render.sh"
ok $? "--label names the legends"
grep -q 'noenhanced' plots/common.gp; ok $? "labels are plain text (underscores stay underscores)"
grep -q 'cand_1' "$TMP/out/bars-headline.svg"; ok $? "the label with an underscore reaches the SVG verbatim"
[ ! -e "$TMP/out/mmap_lock-wait.png" ]; ok $? "no mmap_lock chart without the probe"
grep -q 'mmap_lock' "$TMP/plot.err"; ok $? "a note says why the mmap_lock chart was skipped"
[ ! -e "$TMP/out/sweep-faulter.fault.png" ]; ok $? "no sweep chart for two identical runs"

# the percentile data: the last point of a curve never claims more samples
# than the result has, and the latencies rise with the percentile
python3 - "$TMP/out/pct-faulter.fault.dat" "$TMP/a.json" "$TMP/b.json" <<'EOF'
import json, sys
blocks = [b for b in open(sys.argv[1]).read().split("\n\n\n") if b.strip()]
counts = [sum(r["workers"]["faulter"]["ops"]["fault"]["count"] for r in json.load(open(f))["repeats"]) for f in sys.argv[2:]]
assert len(blocks) == 2, len(blocks)
for b, n in zip(blocks, counts):
    rows = [list(map(float, l.split())) for l in b.splitlines() if l and not l.startswith("#")]
    assert rows[0][0] == 1 and rows[-1][0] <= n, (rows[-1], n)
    ys = [r[2] for r in rows]
    assert ys == sorted(ys), "latency falls with the percentile"
EOF
ok $? "percentile curves: monotonic, end within the sample count"

# same labels de-duplicated: both results are this kernel
$PTBENCH plot "$TMP/a.json" "$TMP/b.json" -o "$TMP/dup" >/dev/null 2>&1
rel=$(uname -r)
grep -q "\"$rel\" \"$rel #2\"" "$TMP/dup/render.sh"; ok $? "default labels: kernel release, the second one '#2'"

# a --label with a control byte (a newline would split the legend, an ESC
# reach a terminal) is bad input, named escaped
$PTBENCH plot "$TMP/a.json" "$TMP/b.json" --label "$(printf 'x\033[2Jy'),b" -o "$TMP/ctl" >/dev/null 2>"$TMP/ctl.err"
is "$?" 2 "--label with a control character: exit 2"
grep -q 'x\\x1b\[2Jy\|x\\033\[2Jy\|x\\e\[2Jy' "$TMP/ctl.err"; ok $? "...the label shown escaped ($(head -c 120 "$TMP/ctl.err"))"
[ ! -e "$TMP/ctl" ]; ok $? "...nothing made"

# --- synthetic fixtures: mmap_lock probe, collapse ops, a sweep ---
python3 tests/integration/plot_fixtures.py "$TMP/a.json" "$TMP"; ok $? "fixtures written"
$PTBENCH plot "$TMP/mmap_lock.json" "$TMP/collapse.json" -o "$TMP/fx" >/dev/null 2>"$TMP/fx.err"
ok $? "plot of the mmap_lock and collapse fixtures exits 0"
for name in mmap_lock-wait mmap_lock-wait-churn mmap_lock-wait-reader mmap_lock-wait-other \
	timeline-collapser.collapse pct-collapser.collapse; do
	png_ok "$TMP/fx/$name.png"; ok $? "$name.png rendered"
done
[ -s "$TMP/fx/timeline-faulter.fault-collapse.dat" ]; ok $? "collapse marks written for the timeline"
marks=$(grep -vc '^#' "$TMP/fx/timeline-faulter.fault-collapse.dat")
want=$(json "$TMP/collapse.json" "sum(1 for r in d['repeats'] for c in r['timeline']['collapser']['collapse']['count'] if c>0)")
is "$marks" "$want" "one mark per interval with a collapse op"
blocks=$(grep -c '^# .*: \(read\|write\) wait' "$TMP/fx/mmap_lock-wait.dat")
is "$blocks" 2 "mmap_lock chart: a read and a write curve (the other result has no probe)"

$PTBENCH plot "$TMP"/sweep-*.json -o "$TMP/sw" --format svg >/dev/null 2>"$TMP/sw.err"
ok $? "plot of the sweep fixtures exits 0"
svg_ok "$TMP/sw/sweep-faulter.fault.svg"; ok $? "sweep chart rendered"
series=$(grep -c '^# 6\.' "$TMP/sw/sweep-faulter.fault.dat")
is "$series" 2 "sweep: one line per kernel"
xs=$(awk '!/^#/ && NF {print $1}' "$TMP/sw/sweep-faulter.fault.dat" | tr '\n' ' ')
is "$xs" "1 2 4 8 1 2 4 8 " "sweep: thread counts in order"

# --- locks-per-op and ptmem: synthetic results with known numbers ---
GEN=tests/integration/gen_result.py
# faulter: 100000 faults a repeat (gen_result.py), 200000 read holds: 2 per
# fault; reader: absent from the probe's roles, so 0 (a role the probe saw
# nothing of); the second result holds 3 per fault in one repeat of three
python3 $GEN "$TMP/locks1.json" '{"kernel": "6.1.0-syn", "scale": [1, 1, 1], "types": {"faulter": "fault"},
	"locks": {"faulter": {"read": 200000}},
	"ptmem": {"self": [52, 1104, 80], "system": [20, 283, 27], "children": [[10, 20, 15], [5, 6, 7]]},
	"ops": {"faulter.fault": [1, 1, 1], "reclaim.zap": [1, 1, 1]}, "pte_reclaim": {"reclaim": [0, 1536]}}'
# the second result has the vma_lock probe: 50 fallbacks in 100000 faults,
# 2 VMA write locks per zap of the reclaim role
python3 $GEN "$TMP/locks2.json" '{"kernel": "7.2.0-syn", "scale": [1, 1, 1], "types": {"faulter": "fault"},
	"locks": {"faulter": {"read": [200000, 300000, 200000], "write": 100}},
	"vma": {"method": "fexit", "roles": {"faulter": {"attempts": 100000, "fallbacks": 50}, "reclaim": {"write_locks": 200000}}},
	"ptmem": {"self": [72, 1124, 100], "system": [107, 448, 114]},
	"ops": {"faulter.fault": [1, 1, 1], "reclaim.zap": [1, 1, 1]}, "pte_reclaim": {"reclaim": [256, 256]}}'
python3 $GEN "$TMP/plain.json" '{"kernel": "6.12.0-syn"}'
ok $? "locks-per-op and ptmem fixtures written"
$PTBENCH plot "$TMP/locks1.json" "$TMP/locks2.json" -o "$TMP/lk" >/dev/null 2>"$TMP/lk.err"
ok $? "plot of results with the mmap_lock probe and ptmem exits 0"
sed "s/^/# /" "$TMP/lk.err"
png_ok "$TMP/lk/locks-per-op.png"; ok $? "locks-per-op.png rendered"
png_ok "$TMP/lk/ptmem.png"; ok $? "ptmem.png rendered"
# blocks: "# ROLE MODE", rows "result median min max repeats"
block() { awk -v h="# $2" '/^# /{on = ($0 == h); next} on && NF' "$1"; }
is "$(block "$TMP/lk/locks-per-op.dat" "faulter read" | tr '\n' ';')" "0 2 2 2 3;1 2 2 3 3;" \
	"locks-per-op: 2 read acquisitions per fault, median 2 and max 3 for the second result"
is "$(block "$TMP/lk/locks-per-op.dat" "faulter write" | tr '\n' ';')" "0 0 0 0 3;1 0.001 0.001 0.001 3;" \
	"locks-per-op: a mode non-zero in one result gets a panel, 0 for the other"
is "$(block "$TMP/lk/locks-per-op.dat" "faulter vma_fallbacks" | tr '\n' ';')" "1 0.0005 0.0005 0.0005 3;" \
	"locks-per-op: VMA lock fallbacks per fault where the vma_lock probe ran (none for the result without it)"
is "$(block "$TMP/lk/locks-per-op.dat" "reclaim vma_write_locks" | tr '\n' ';')" "1 2 2 2 3;" \
	"locks-per-op: VMA write locks per zap"
grep -q "VMA write locks per zap" "$TMP/lk/render.sh"; ok $? "locks-per-op: the VMA panels' y labels say what they count"
block "$TMP/lk/locks-per-op.dat" "reclaim read" | grep -q .
ok $((! $?)) "locks-per-op: a role that never took the lock gets no panel"
grep -q "showvalues=1" "$TMP/lk/render.sh"; ok $? "locks-per-op: each bar carries its number"
# ptmem blocks: rows "result series median min max repeats", series start peak end
is "$(block "$TMP/lk/ptmem.dat" "VmPTE of ptbench" | awk '{printf "%s/%s=%s ", $1, $2, $3}')" \
	"0/0=52 0/1=1104 0/2=80 1/0=72 1/1=1124 1/2=100 " "ptmem: VmPTE start, peak, end per result"
is "$(block "$TMP/lk/ptmem.dat" "VmPTE of its child processes, summed" | awk '{printf "%s/%s=%s ", $1, $2, $3}')" \
	"0/0=15 0/1=26 0/2=22 " "ptmem: the children summed, only where there were children"
is "$(block "$TMP/lk/ptmem.dat" "nr_page_table_pages (whole system)" | awk '$2 == 1 {printf "%s ", $3}')" \
	"283 448 " "ptmem: nr_page_table_pages peak per result"
is "$(block "$TMP/lk/ptmem.dat" "reclaim: PTE tables freed vs expected" | awk '{printf "%s/%s=%s ", $1, $2, $3}')" \
	"0/0=0 0/1=1536 1/0=256 1/1=256 " "ptmem: PTE tables freed vs expected per result"

# --- a sweep with the lock probes: counts per op against threads ---
# faulter: N read holds per fault at N threads on one kernel, 1 per fault
# on the other (gen_result.py's waits are its holds: the wait chart); the vma_lock
# probe on the second only, 0.001 fallbacks per fault at every N
for n in 1 2 4; do
	python3 $GEN "$TMP/swl-a-$n.json" "{\"kernel\": \"6.12.0-syn\", \"scale\": [1, 1, 1], \"types\": {\"faulter\": \"fault\"},
		\"unit_ops\": {\"faulter\": \"fault\"}, \"locks\": {\"faulter\": {\"read\": $((n * 100000))}},
		\"sweep\": {\"param\": \"faulter.threads\", \"value\": $n, \"index\": 0, \"of\": 3}}"
	python3 $GEN "$TMP/swl-b-$n.json" "{\"kernel\": \"7.2.0-syn\", \"scale\": [1, 1, 1], \"types\": {\"faulter\": \"fault\"},
		\"unit_ops\": {\"faulter\": \"fault\"}, \"locks\": {\"faulter\": {\"read\": 100000}},
		\"vma\": {\"method\": \"fexit\", \"roles\": {\"faulter\": {\"attempts\": 100000, \"fallbacks\": 100}}},
		\"sweep\": {\"param\": \"faulter.threads\", \"value\": $n, \"index\": 0, \"of\": 3}}"
done
$PTBENCH plot "$TMP"/swl-*.json -o "$TMP/swl" >/dev/null 2>"$TMP/swl.err"
ok $? "plot of a sweep with the lock probes exits 0"
sed "s/^/# /" "$TMP/swl.err"
png_ok "$TMP/swl/sweep-locks-faulter.png"; ok $? "sweep-locks-faulter.png rendered"
png_ok "$TMP/swl/sweep-mmap_lock-wait-faulter.read.png"; ok $? "sweep-mmap_lock-wait-faulter.read.png rendered"
[ ! -e "$TMP/swl/sweep-mmap_lock-wait-faulter.write.dat" ]; ok $? "no wait chart for a mode without waits"
is "$(block "$TMP/swl/sweep-locks-faulter.dat" "6.12.0-syn: read acquisitions" | tr '\n' ';')" "1 1;2 2;4 4;" \
	"sweep-locks: read acquisitions per fault against threads, one point per sweep point"
is "$(block "$TMP/swl/sweep-locks-faulter.dat" "7.2.0-syn: read acquisitions" | tr '\n' ';')" "1 1;2 1;4 1;" \
	"sweep-locks: a line per kernel"
is "$(block "$TMP/swl/sweep-locks-faulter.dat" "7.2.0-syn: VMA lock fallbacks" | tr '\n' ';')" "1 0.001;2 0.001;4 0.001;" \
	"sweep-locks: VMA lock fallbacks per fault where the vma_lock probe ran"
block "$TMP/swl/sweep-locks-faulter.dat" "6.12.0-syn: VMA lock fallbacks" | grep -q .
ok $((! $?)) "sweep-locks: no fallback line for the kernel without the vma_lock probe"
grep -q "counts=1" "$TMP/swl/render.sh"; ok $? "sweep-locks: drawn as counts (linear axis from 0)"

# --- ptlife: two synthetic results of one scenario, known counts ---
# 1000 zaps, 100000 faults, 4 collapses a repeat; the first result's kernel
# has no __pte_offset_map*() and no retract_page_tables() (hooks
# unavailable, as on 6.1): those bars are absent, not 0
for r in 1 2; do
	python3 $GEN "$TMP/ptl$r.json" '{"kernel": "'$r'.0-syn", "scenario": "ptl-syn", "headline": "", "scale": [1, 1],
		"ops": {"zapper.zap": [1, 1], "faulter.fault": [1, 1], "collapser.collapse": [1, 1]},
		"counts": {"zapper.zap": 1000, "collapser.collapse": 4},
		"unit_ops": {"zapper": "zap", "faulter": "fault", "collapser": "collapse"}}' || break
	python3 - "$TMP/ptl$r.json" $r <<'EOF' || break
import json, sys
path, second = sys.argv[1], sys.argv[2] == "2"
d = json.load(open(path))
offs = ["pte_offset_map", "pte_offset_map_lock", "pte_offset_map_nolock", "pte_offset_map_ro_nolock"]
def role(freed=0, fails=0, retract=0):
    o = {"pte_free_tlb": {"calls": freed}, "tlb_remove_table": {"calls": freed}}
    if second:
        o.update({h: {"calls": 1000, "failures": fails if h in offs[:2] else 0} for h in offs})
        o["retract_page_tables"] = {"calls": retract}
    return o
hooks = {h: {"available": True, "hook": "fentry " + h} for h in ["pte_free_tlb", "tlb_remove_table"]}
for h in offs + ["retract_page_tables"]:
    hooks[h] = {"available": True, "hook": "fexit " + h} if second else {"available": False, "why": "not in BTF"}
for rep in d["repeats"]:
    rep.setdefault("probes", {})["ptlife"] = {"available": True, "backend": "bpf", "method": "fentry",
        "hooks": hooks, "roles": {"zapper": role(freed=990 if second else 0), "faulter": role(fails=5),
                                  "collapser": role(retract=16)}}
json.dump(d, open(path, "w"))
EOF
done
ok $? "ptlife fixtures written"
$PTBENCH plot "$TMP/ptl1.json" "$TMP/ptl2.json" -o "$TMP/ptl" >/dev/null 2>"$TMP/ptl.err"
ok $? "plot of results with ptlife counts exits 0"
sed "s/^/# /" "$TMP/ptl.err"
png_ok "$TMP/ptl/ptlife-ptl-syn.png"; ok $? "ptlife-SCENARIO.png rendered"
is "$(block "$TMP/ptl/ptlife-ptl-syn.dat" "zapper: PTE tables freed per zap" | tr '\n' ';')" \
	"0 0 0 0 0 2;0 1 0 0 0 2;1 0 0.99 0.99 0.99 2;1 1 0.99 0.99 0.99 2;" \
	"ptlife: tlb_remove_table and pte_free_tlb per zap (990 of 1000 zaps), 0 where none was freed"
is "$(block "$TMP/ptl/ptlife-ptl-syn.dat" "pte_offset_map* failures per 1000 ops" | tr '\n' ';')" \
	"1 0 0.1 0.1 0.1 2;" \
	"ptlife: failures per 1000 faults (5 + 5 in 100000), absent where the hooks were unavailable"
is "$(block "$TMP/ptl/ptlife-ptl-syn.dat" "collapser: retract_page_tables per collapse" | tr '\n' ';')" \
	"1 0 4 4 4 2;" "ptlife: retract_page_tables per collapse, absent where unavailable"

$PTBENCH plot "$TMP/plain.json" -o "$TMP/plain" >/dev/null 2>"$TMP/plain.err"
ok $? "plot of a result without the probe or ptmem exits 0"
[ ! -e "$TMP/plain/locks-per-op.png" ] && [ ! -e "$TMP/plain/locks-per-op.dat" ]
ok $? "no locks-per-op chart without the mmap_lock probe"
[ ! -e "$TMP/plain/ptmem.png" ] && [ ! -e "$TMP/plain/ptmem.dat" ]; ok $? "no ptmem chart without ptmem data"
ls "$TMP/plain" | grep -q '^ptlife'; ok $((! $?)) "no ptlife chart without ptlife counts"
grep -q 'ptlife: no ptlife' "$TMP/plain.err"; ok $? "a note says why the ptlife chart was skipped"
grep -q 'locks-per-op: the mmap_lock probe did not run' "$TMP/plain.err" && grep -q 'ptmem: no ptmem' "$TMP/plain.err"
ok $? "notes say why both were skipped"
python3 $GEN "$TMP/nolocks.json" '{"kernel": "6.12.0-syn", "locks": {}}'
$PTBENCH plot "$TMP/nolocks.json" -o "$TMP/nolocks" >/dev/null 2>"$TMP/nolocks.err"
[ ! -e "$TMP/nolocks/locks-per-op.png" ] && grep -q 'no role took mmap_lock' "$TMP/nolocks.err"
ok $? "the probe ran but saw no acquisition: no locks-per-op chart, a note says so"

# --- missing gnuplot: exit 2, data files still written ---
mkdir -p "$TMP/bin"
for t in python3 cat; do ln -sf "$(command -v $t)" "$TMP/bin/$t"; done
PATH="$TMP/bin" $PTBENCH plot "$TMP/a.json" -o "$TMP/nognu" >/dev/null 2>"$TMP/nognu.err"
is $? 2 "no gnuplot on PATH: exit 2"
grep -q 'gnuplot' "$TMP/nognu.err"; ok $? "the message names gnuplot"
[ -s "$TMP/nognu/pct-faulter.fault.dat" ] && [ -s "$TMP/nognu/bars-headline.dat" ]
ok $? "the data files are written anyway"

# --- plot writes only its own files, and all of them or none ---
# a symbolic link planted at a chart's name is replaced, never written through
python3 $GEN "$TMP/g1.json" '{"kernel": "6.12.0-syn"}'
mkdir -p "$TMP/ln"
echo "victim" >"$TMP/victim"
ln -s "$TMP/victim" "$TMP/ln/pct-faulter.fault.dat"
ln -s "$TMP/victim" "$TMP/ln/pct-faulter.fault.png"
ln -s "$TMP/nosuch-victim" "$TMP/ln/render.sh"
$PTBENCH plot "$TMP/g1.json" -o "$TMP/ln" >/dev/null 2>"$TMP/ln.err"
ok $? "plot into a directory with planted symbolic links: exit 0"
is "$(cat "$TMP/victim")" victim "the file a planted link points to is unchanged"
[ ! -e "$TMP/nosuch-victim" ]; ok $? "a dangling planted link does not create its target"
[ -f "$TMP/ln/pct-faulter.fault.dat" ] && [ ! -L "$TMP/ln/pct-faulter.fault.dat" ] &&
	[ ! -L "$TMP/ln/pct-faulter.fault.png" ] && [ ! -L "$TMP/ln/render.sh" ]
ok $? "the links were replaced by plot's own files"
ls -a "$TMP/ln" | grep -q '^\.ptbench-plot'; ok $((! $?)) "no staging directory left behind"
# the staging directory of a plot that died is removed; a link with such a name is not followed
mkdir -p "$TMP/ln/.ptbench-plot.999999" "$TMP/vdir"
echo x >"$TMP/ln/.ptbench-plot.999999/pct-x.dat"
echo keep >"$TMP/vdir/keep"
ln -s "$TMP/vdir" "$TMP/ln/.ptbench-plot.999998"
$PTBENCH plot "$TMP/g1.json" -o "$TMP/ln" >/dev/null 2>&1
[ ! -e "$TMP/ln/.ptbench-plot.999999" ] && [ "$(cat "$TMP/vdir/keep")" = keep ]
ok $? "a dead plot's staging directory is removed, a planted link's target kept"

# a plot that fails replaces nothing: the earlier set stays whole
$PTBENCH plot "$TMP/g1.json" -o "$TMP/keep" >/dev/null 2>&1; ok $? "a first plot into keep/"
(cd "$TMP/keep" && md5sum *) >"$TMP/keep.md5"
mkdir -p "$TMP/failbin"
printf '#!/bin/sh\nexit 1\n' >"$TMP/failbin/gnuplot"
chmod +x "$TMP/failbin/gnuplot"
python3 $GEN "$TMP/g2.json" '{"scale": [2, 2, 2], "kernel": "6.13.0-syn"}'
PATH="$TMP/failbin:$PATH" $PTBENCH plot "$TMP/g2.json" -o "$TMP/keep" >/dev/null 2>"$TMP/keep.err"
is $? 5 "gnuplot failing: exit 5"
grep -q "nothing in $TMP/keep was replaced" "$TMP/keep.err"; ok $? "the message says nothing was replaced"
(cd "$TMP/keep" && md5sum -c --quiet "$TMP/keep.md5") >/dev/null 2>&1; ok $? "the earlier files are unchanged"
is "$(ls -A "$TMP/keep" | wc -l)" "$(wc -l <"$TMP/keep.md5")" "and nothing was added (no staging directory)"
# a full disk while the data files are written (root: a small tmpfs)
mkdir -p "$TMP/small"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=48k ptbench-plot-test "$TMP/small" 2>/dev/null; then
	python3 $GEN "$TMP/many.json" '{"ops": {"a.fault": [1, 1], "a.zap": [1, 1], "b.read": [1, 1], "c.x": [1, 1], "d.y": [1, 1], "e.z": [1, 1]}}'
	echo keep >"$TMP/small/pct-a.fault.dat"
	$PTBENCH plot "$TMP/many.json" -o "$TMP/small" >/dev/null 2>"$TMP/small.err"
	is $? 5 "a full disk: exit 5"
	is "$(ls -A "$TMP/small")" "pct-a.fault.dat" "a full disk: no partial file, no staging directory"
	is "$(cat "$TMP/small/pct-a.fault.dat")" keep "a full disk: the earlier file is as it was"
	umount "$TMP/small"
else
	skip "full-disk plot: not root, or no tmpfs mount"
fi

# an -o DIR that cannot take the files: exit 2 up front, as run -o
echo x >"$TMP/plainfile"
for o in /proc/ptbench-plot "$TMP/plainfile" "$TMP/plainfile/sub"; do
	$PTBENCH plot "$TMP/g1.json" -o "$o" >/dev/null 2>"$TMP/o.err"
	is "$?" 2 "plot -o $o: exit 2"
	grep -q -- "-o $o: " "$TMP/o.err"; ok $? "plot -o $o: the message names it ($(head -1 "$TMP/o.err"))"
done
[ "$(cat "$TMP/plainfile")" = x ]; ok $? "plot -o FILE: the file is as it was"

# control bytes of a result's scenario name and kernel release reach titles
# and render.sh escaped, as compare shows them
python3 $GEN "$TMP/ctl.json" "$(python3 -c 'import json; print(json.dumps({"scenario": "ev\u001b[31mil\nx", "kernel": "6.1\u001bz"}))')"
$PTBENCH plot "$TMP/ctl.json" -o "$TMP/ctl" >/dev/null 2>&1; ok $? "plot of a result whose names hold ESC and newline"
! grep -q $'\e' "$TMP/ctl/render.sh" && [ "$(grep -c '^gnuplot ' "$TMP/ctl/render.sh")" = "$(grep -vc '^#\|^set' "$TMP/ctl/render.sh")" ]
ok $? "render.sh holds no ESC, and no command broken over lines"
grep -q 'ev\\x1b\[31mil\\nx' "$TMP/ctl/render.sh" && grep -q '6.1\\x1bz' "$TMP/ctl/render.sh"
ok $? "the title and the label show them escaped"

# --- bad input ---
echo '{"schema": "something-else/1"}' >"$TMP/bad.json"
$PTBENCH plot "$TMP/a.json" "$TMP/bad.json" -o "$TMP/bad" >/dev/null 2>"$TMP/bad.err"
is $? 2 "a file that is not a result: exit 2"
grep -q "bad.json" "$TMP/bad.err"; ok $? "the message names the file"
$PTBENCH plot "$TMP/missing.json" -o "$TMP/bad" >/dev/null 2>&1; is $? 2 "a missing file: exit 2"
$PTBENCH plot "$TMP/a.json" --label x,y -o "$TMP/bad" >/dev/null 2>"$TMP/bad.err"
is $? 2 "more labels than results: exit 2"
$PTBENCH plot "$TMP/a.json" --format gif -o "$TMP/bad" >/dev/null 2>&1; is $? 2 "--format gif: exit 2"
$PTBENCH plot >/dev/null 2>&1; is $? 2 "no result files: exit 2"

# the sanitizer build walks the same data paths (no gnuplot needed for that)
PATH="$TMP/bin" $PTBENCH_ASAN plot "$TMP/mmap_lock.json" "$TMP/collapse.json" "$TMP"/sweep-*.json \
	"$TMP/locks1.json" "$TMP/locks2.json" "$TMP/ptl1.json" "$TMP/ptl2.json" -o "$TMP/asan" >/dev/null 2>"$TMP/asan.err"
is $? 2 "ASan build: data files for every chart kind, exit 2 (no gnuplot)"
grep -q 'ERROR: \(Address\|Leak\)Sanitizer\|runtime error' "$TMP/asan.err"
ok $((! $?)) "ASan/UBSan: clean"
[ -s "$TMP/asan/mmap_lock-wait.dat" ] && [ -s "$TMP/asan/sweep-faulter.fault.dat" ] &&
	[ -s "$TMP/asan/locks-per-op.dat" ] && [ -s "$TMP/asan/ptmem.dat" ] && [ -s "$TMP/asan/ptlife-ptl-syn.dat" ]
ok $? "ASan build wrote the mmap_lock, sweep, locks-per-op, ptmem and ptlife data"

# an install under another PREFIX than the build's (make; make install
# PREFIX=P): plot finds P/share/ptbench/plots next to the binary, as run
# finds the scenarios (it looked only in the compiled-in PREFIX: exit 2)
make -s install PREFIX="$TMP/p" >"$TMP/inst.log" 2>&1; ok $? "make install PREFIX=$TMP/p"
env -u PTBENCH_PLOTS "$TMP/p/bin/ptbench" plot "$TMP/a.json" -o "$TMP/inst" >"$TMP/inst.out" 2>&1
is "$?" 0 "the installed binary under another PREFIX plots (exit 0)"
png_ok "$TMP/inst/pct-faulter.fault.png"; ok $? "... and renders the percentile chart"

done_testing
