#!/bin/bash
# mmap-churn maps into a clean hole (include/ptbench/clean_hole.h): a
# PMD-aligned gap of the mapping's size rounded up to 2 MiB plus 2 MiB, with
# no page table under it and no other VMA sharing one with it, where every
# mmap(NULL) of the run lands. Checked from the result:
# repeats[k].workers.ROLE.hole (bytes, mmaps, outside, not_empty_at_end), for
# the default, sizes that fit the small gaps between libraries (4K, 64K:
# the gaps above the hole are plugged), a whole PMD (placed PMD-aligned by
# the kernel), an unaligned size above a PMD, populated mappings (whose
# munmap then frees the PTE table each time), two threads (a mapping lands
# in the highest hole with room, which may be the other thread's: "outside"
# counts those in none of the role's holes) and beside other roles that set
# up at the same time (the hole is held by a placeholder until the first
# iteration of the warm-up).
. "$(dirname "$0")/lib.sh"

QUICK="--duration 300ms --warmup 100ms --repeat 1 --quiet --no-trace"

run_hole() { # NAME INI_BODY [OTHER_ROLES] -> prints "bytes mmaps outside not_empty_at_end"
	printf '[scenario]\ndescription = clean hole: %s\n[worker churn]\ntype = mmap-churn\n%b%b' "$1" "$2" "${3:-}" \
		>"$TMP/$1.ini"
	if ! $PTBENCH run "$TMP/$1.ini" $QUICK -o "$TMP/$1.json" 2>"$TMP/$1.err"; then
		echo "run failed: $(tail -1 "$TMP/$1.err")"
		return
	fi
	json "$TMP/$1.json" "' '.join(str(d['repeats'][0]['workers']['churn'].get('hole', {}).get(k))
	    for k in ('bytes', 'mmaps', 'outside', 'not_empty_at_end'))"
}

# "bytes mmaps outside not_empty" -> ok when the hole is BYTES, every mmap
# landed in it and nothing else was in it at the end
check_hole() { # NAME BYTES GOT
	set -- "$1" "$2" $3
	if [ "$#" -eq 6 ] && [ "$3" = "$2" ] && [ "$4" -gt 0 ] 2>/dev/null && [ "$5" = 0 ] && [ "$6" = 0 ]; then
		ok 0 "$1: a $2-byte hole, all $4 mmaps in it, empty at the end"
	else
		ok 1 "$1: a $2-byte hole, every mmap in it, empty at the end (got: bytes mmaps outside not_empty: ${*:3})"
	fi
}

M=$((1 << 20))
check_hole default $((4 * M)) "$(run_hole default 'size = 1M\n')"
check_hole size-4K $((4 * M)) "$(run_hole size-4K 'size = 4K\n')"
check_hole size-64K $((4 * M)) "$(run_hole size-64K 'size = 64K\n')"
check_hole size-2M $((4 * M)) "$(run_hole size-2M 'size = 2M\n')"
check_hole size-3M $((6 * M)) "$(run_hole size-3M 'size = 3M\n')"
check_hole populated $((4 * M)) "$(run_hole populated 'size = 1M\npopulate = true\n')"
check_hole two-threads $((4 * M)) "$(run_hole two-threads 'size = 1M\nthreads = 2\n')"
check_hole beside-others $((4 * M)) "$(run_hole beside-others 'size = 2M\nthreads = 2\npopulate = true\n' \
	'[worker pad]\ntype = vma-pad\ncount = 200\n[worker reader]\ntype = smaps-read\ninterval = 10ms\n')"
# the mmaps the hole counts are the worker's, warm-up included: at least the measured ones
got=$(json "$TMP/default.json" "int(d['repeats'][0]['workers']['churn']['hole']['mmaps'] >= d['repeats'][0]['workers']['churn']['ops']['mmap']['count'] > 0)" 2>/dev/null)
is "$got" 1 "hole.mmaps counts the warm-up too: not below the measured mmap count"
done_testing
