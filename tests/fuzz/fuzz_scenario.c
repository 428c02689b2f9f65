/* libFuzzer target: the scenario parser (pt_scenario_parse) and the plan's
 * check of the thread counts as written (pt_plan_check_threads: the part of
 * the plan that consults no machine), on arbitrary bytes. stderr (the FILE, not fd 2)
 * goes to /dev/null: the parser's file:line messages would drown the fuzzer's output. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptbench/plan.h"
#include "ptbench/scenario.h"

#include "entry.h"

int pt_fuzz_one(const uint8_t *data, size_t size)
{
	static int quiet;
	char *text = malloc(size + 1);
	struct pt_scenario *s;

	if (!quiet && !getenv("FUZZ_VERBOSE")) {
		/* the FILE only: libFuzzer and the sanitizers write to fd 2 */
		stderr = fopen("/dev/null", "w");
		quiet = 1;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	s = pt_scenario_parse("fuzz.ini", text);
	if (s) {
		pt_plan_check_threads(s);
		pt_scenario_free(s);
	}
	free(text);
	return 0;
}
