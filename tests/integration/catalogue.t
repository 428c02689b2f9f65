#!/bin/bash
# The catalogue: every scenario runs briefly through `ptbench run all` (or
# skips with its stated reason) with non-zero counts for every op it
# declares; pte-reclaim frees PTE tables on a CONFIG_PT_RECLAIM kernel; the
# walkers racing a shmem collapse report no errors and no miscounts under
# ASan; run all's exit rule (skips alone do not fail it).
. "$(dirname "$0")/lib.sh"

# --- every scenario, once, through run all ---------------------------------
"$PTBENCH" run all -o "$TMP/all" --duration 1s --warmup 100ms --repeat 1 >"$TMP/all.out" 2>&1
rc=$?
sed 's/^/# /' "$TMP/all.out"
is "$rc" 0 "run all over the catalogue exits 0"
for ini in scenarios/*.ini; do
	s=$(basename "$ini" .ini)
	line=$(grep -E "^  $s +" "$TMP/all.out")
	case "$line" in
	*" skipped "*)
		skip "$s: skipped on this kernel: ${line#* skipped }"
		continue
		;;
	*" ok "*) ;;
	*)
		ok 1 "$s: status line '$line'"
		continue
		;;
	esac
	f="$TMP/all/$s.json"
	is "$(json "$f" "d['complete']")" True "$s: complete result in $f"
	# every op of every role with threads: non-zero count, no errno
	zero=$(json "$f" "' '.join(r + '.' + o for r, w in d['repeats'][0]['workers'].items() for o, v in w['ops'].items() if v['count'] == 0)")
	is "$zero" "" "$s: every declared op ran ($(json "$f" "', '.join(r + '.' + o + '=' + str(v['count']) for r, w in d['repeats'][0]['workers'].items() for o, v in w['ops'].items())"))"
	is "$(json "$f" "'ptmem' in d['repeats'][0]['probes'] and d['repeats'][0]['probes']['ptmem']['self']['vmpte_kb']['peak'] > 0")" True \
		"$s: probes.ptmem has VmPTE start/end/peak"
done
grep -q "change:" <("$PTBENCH" list) ; ok $? "ptbench list shows each scenario's kernel change"

# --- pte-reclaim: PTE tables freed (CONFIG_PT_RECLAIM) ---------------------------
P='d["repeats"][0]["workers"]["reclaim"]["pte_reclaim"]'
f="$TMP/all/pte-reclaim.json"
cfg=$(json "$f" "$P['config_pt_reclaim']")
freed=$(json "$f" "$P['pte_tables_freed']")
expected=$(json "$f" "$P['pte_tables_expected']")
ok "$([ "$expected" -gt 0 ]; echo $?)" "pte-reclaim zapped $expected one-page PTE tables"
if [ "$cfg" = y ]; then
	is "$freed" "$expected" "pte-reclaim: CONFIG_PT_RECLAIM=y on $(uname -r): MADV_DONTNEED freed all $freed of $expected PTE tables (VmPTE)"
else
	is "$freed" 0 "pte-reclaim: CONFIG_PT_RECLAIM=$cfg on $(uname -r): the tables stay until munmap (0 freed)"
fi

# --- walkers racing a shmem collapse, under ASan/UBSan -----------------------------
for mode in read scan; do
	"$PTBENCH_ASAN" run pagewalk-collapse --duration 1s --warmup 0 --repeat 1 --quiet --no-trace \
		--set pagemap.mode=$mode -o "$TMP/walk-$mode.json" 2>"$TMP/walk-$mode.err"
	rc=$?
	if [ "$rc" = 4 ]; then
		skip "pagewalk-collapse mode=$mode: $(grep -o 'skipped: .*' "$TMP/walk-$mode.err")"
		continue
	fi
	is "$rc" 0 "pagewalk-collapse (pagemap mode=$mode) under ASan/UBSan exits 0"
	ok "$(grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$TMP/walk-$mode.err"; [ $? = 1 ]; echo $?)" \
		"mode=$mode: no sanitizer report"
	W='d["repeats"][0]["workers"]'
	is "$(json "$TMP/walk-$mode.json" "sum(sum(v['errors'].values()) for r in ('pagemap', 'mincore', 'clearrefs') for v in $W[r]['ops'].values())")" 0 \
		"mode=$mode: no walker op failed"
	is "$(json "$TMP/walk-$mode.json" "[$W[r]['walk']['miscounts'] for r in ('pagemap', 'mincore')]")" "[0, 0]" \
		"mode=$mode: pagemap and mincore never answered for more pages than asked"
	is "$(json "$TMP/walk-$mode.json" "$W['pagemap']['walk']['pages_seen'] == $W['pagemap']['walk']['walks'] * 4096 and $W['mincore']['walk']['pages_seen'] == $W['mincore']['walk']['walks'] * 4096")" True \
		"mode=$mode: every complete walk answered for exactly the 4096 pages of the 16M memfd ($(json "$TMP/walk-$mode.json" "$W['pagemap']['walk']"))"
	is "$(json "$TMP/walk-$mode.json" "$W['collapser']['ops']['collapse']['count'] > 0")" True \
		"mode=$mode: the collapser collapsed meanwhile ($(json "$TMP/walk-$mode.json" "$W['collapser']['ops']['collapse']['count']") collapses)"
done

# --- run all's exit rule -----------------------------------------------------
mkdir -p "$TMP/cat1" "$TMP/cat2" "$TMP/cat3"
cat >"$TMP/cat1/a-ok.ini" <<'INI'
[scenario]
description = test: runs
[worker churn]
type = mprotect-churn
threads = 1
size = 4M
INI
cat >"$TMP/cat1/b-skip.ini" <<'INI'
[scenario]
description = test: skips (MADV_COLLAPSE forced to answer EINVAL)
[worker collapser]
type = shmem-collapse
threads = 1
size = 2M
INI
cp "$TMP/cat1/b-skip.ini" "$TMP/cat2/"
cp "$TMP/cat1/a-ok.ini" "$TMP/cat3/"
printf '[scenario]\ndescription = test: bad\n[worker x]\ntype = mprotect-churn\nthreads = 1\nrange = 3K\n' >"$TMP/cat3/c-bad.ini"
export PTBENCH_TEST_FORCE_COLLAPSE_EINVAL=1
short=(--duration 200ms --warmup 0 --repeat 1 --no-trace)
PTBENCH_SCENARIOS=$TMP/cat1 "$PTBENCH" run all -o "$TMP/o1" "${short[@]}" >"$TMP/o1.out" 2>&1
is "$?" 0 "run all: one ok + one skipped scenario exits 0 (a skip alone does not fail the catalogue)"
grep -qE '^  b-skip +skipped .*MADV_COLLAPSE answered EINVAL' "$TMP/o1.out"
ok $? "run all: the skipped scenario's status line gives its reason"
PTBENCH_SCENARIOS=$TMP/cat2 "$PTBENCH" run all -o "$TMP/o2" "${short[@]}" >"$TMP/o2.out" 2>&1
is "$?" 4 "run all: every scenario skipped exits 4"
PTBENCH_SCENARIOS=$TMP/cat3 "$PTBENCH" run all -o "$TMP/o3" "${short[@]}" >"$TMP/o3.out" 2>&1
is "$?" 2 "run all: a scenario with bad input makes the catalogue exit 2, the others still run"
ok "$(test -s "$TMP/o3/a-ok.json"; echo $?)" "run all: the good scenario's result was written despite the bad one"
unset PTBENCH_TEST_FORCE_COLLAPSE_EINVAL

done_testing
