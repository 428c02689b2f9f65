#!/bin/bash
# mmap-churn maps into a clean hole (include/ptbench/clean_hole.h): a
# PMD-aligned gap of the mapping's size rounded up to 2 MiB, with no page
# table under it and no other VMA sharing one with it, where every mmap(NULL)
# of the run lands. Checked from the result: repeats[k].workers.ROLE.hole
# (bytes, mmaps, outside), for the default, an unaligned size above a PMD,
# populated mappings (whose munmap then frees the PTE table each time) and
# two threads (a mapping lands in the highest hole with room, which may be
# the other thread's: "outside" counts those in none of the role's holes).
. "$(dirname "$0")/lib.sh"

QUICK="--duration 300ms --warmup 100ms --repeat 1 --quiet --no-trace"

run_hole() { # NAME INI_BODY -> prints "bytes mmaps outside"
	printf '[scenario]\ndescription = clean hole: %s\n[worker churn]\ntype = mmap-churn\n%b' "$1" "$2" >"$TMP/$1.ini"
	if ! $PTBENCH run "$TMP/$1.ini" $QUICK -o "$TMP/$1.json" 2>"$TMP/$1.err"; then
		echo "run failed: $(tail -1 "$TMP/$1.err")"
		return
	fi
	json "$TMP/$1.json" "' '.join(str(d['repeats'][0]['workers']['churn'].get('hole', {}).get(k)) for k in ('bytes', 'mmaps', 'outside'))"
}

# "bytes mmaps outside" -> ok when the hole is BYTES and every mmap landed in it
check_hole() { # NAME BYTES GOT
	set -- "$1" "$2" $3
	if [ "$#" -eq 5 ] && [ "$3" = "$2" ] && [ "$4" -gt 0 ] 2>/dev/null && [ "$5" = 0 ]; then
		ok 0 "$1: a $2-byte hole, all $4 mmaps in it"
	else
		ok 1 "$1: a $2-byte hole, every mmap in it (got: ${*:3})"
	fi
}

check_hole default $((2 << 20)) "$(run_hole default 'size = 1M\n')"
check_hole size-3M $((4 << 20)) "$(run_hole size-3M 'size = 3M\n')"
check_hole populated $((2 << 20)) "$(run_hole populated 'size = 1M\npopulate = true\n')"
check_hole two-threads $((2 << 20)) "$(run_hole two-threads 'size = 1M\nthreads = 2\n')"
# the mmaps the hole counts are the worker's, warm-up included: at least the measured ones
got=$(json "$TMP/default.json" "int(d['repeats'][0]['workers']['churn']['hole']['mmaps'] >= d['repeats'][0]['workers']['churn']['ops']['mmap']['count'] > 0)" 2>/dev/null)
is "$got" 1 "hole.mmaps counts the warm-up too: not below the measured mmap count"
done_testing
