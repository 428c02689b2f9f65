/* The tail probe's user-space parts that need no BPF: kernel symbols from a
 * kallsyms file (sorted, the function at or below an address, modules named,
 * a file of zero addresses refused with why) and the folded stacks of a
 * result (root first, summed over repeats, [runnable] leaves, separators in
 * names replaced, NULL with why when the probe ran nowhere). */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptbench/ksyms.h"
#include "ptbench/tail_folded.h"
#include "tap.h"

static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/ptbench-ksyms.XXXXXX");
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	return path;
}

int main(void)
{
	char why[256], *p, *text;
	struct pt_ksyms *k;
	struct json_object *doc;

	tap_plan(12);
	p = write_tmp("ffffffff81000200 T schedule\n"
		      "ffffffff81000100 t __schedule\n"
		      "ffffffff81000300 D some_data\n"
		      "ffffffff81000400 t do_nanosleep\n"
		      "ffffffffc0000000 t mod_fn\t[kvm]\n");
	k = pt_ksyms_load(p, why, sizeof(why));
	tap_ok(k != NULL, "a kallsyms file loads");
	tap_ok(k && !strcmp(pt_ksyms_name(k, 0xffffffff81000150ull), "__schedule"), "an address inside __schedule");
	tap_ok(k && !strcmp(pt_ksyms_name(k, 0xffffffff81000200ull), "schedule"), "a symbol's own address");
	tap_ok(k && !strcmp(pt_ksyms_name(k, 0xffffffff81000380ull), "schedule"),
	       "data symbols are not functions: the text symbol below");
	tap_ok(k && !strcmp(pt_ksyms_name(k, 0xffffffffc0000010ull), "mod_fn [kvm]"), "a module's function names its module");
	tap_ok(k && pt_ksyms_name(k, 0xffffffff80000000ull) == NULL, "below every symbol: NULL");
	pt_ksyms_free(k);
	unlink(p);
	free(p);
	p = write_tmp("0000000000000000 T _stext\n0000000000000000 t schedule\n");
	k = pt_ksyms_load(p, why, sizeof(why));
	tap_ok(!k && strstr(why, "every address as 0"), "all zeros (kptr_restrict): refused, says why (%s)", why);
	unlink(p);
	free(p);
	k = pt_ksyms_load("/nonexistent/kallsyms", why, sizeof(why));
	tap_ok(!k && strstr(why, "cannot read /nonexistent/kallsyms"), "a missing file: says which (%s)", why);

	doc = json_tokener_parse(
		"{\"repeats\": ["
		" {\"probes\": {\"tail\": {\"available\": true, \"roles\": {\"r\": {\"ops\": {\"op\": {\"stacks\": ["
		"  {\"stack\": [\"__schedule\", \"schedule\", \"do nano;sleep\"], \"off_cpu_ns\": 100, \"runnable\": false},"
		"  {\"stack\": [\"__schedule\", \"preempt_schedule_irq\"], \"off_cpu_ns\": 7, \"runnable\": true}]}}}}}}},"
		" {\"probes\": {\"tail\": {\"available\": true, \"roles\": {\"r\": {\"ops\": {\"op\": {\"stacks\": ["
		"  {\"stack\": [\"__schedule\", \"schedule\", \"do nano;sleep\"], \"off_cpu_ns\": 50, \"runnable\": false}]}}}}}}},"
		" {\"probes\": {\"tail\": {\"available\": false, \"why\": \"off\"}}}]}");
	text = pt_tail_folded(doc, why, sizeof(why));
	tap_ok(text && strstr(text, "r;op;do_nano_sleep;schedule;__schedule 150\n"),
	       "root first, separators replaced, summed over repeats");
	tap_ok(text && strstr(text, "r;op;preempt_schedule_irq;__schedule;[runnable] 7\n"), "a runnable stack ends in [runnable]");
	free(text);
	json_object_put(doc);
	doc = json_tokener_parse("{\"repeats\": [{\"probes\": {\"tail\": {\"available\": false, \"why\": \"off (x)\"}}}]}");
	text = pt_tail_folded(doc, why, sizeof(why));
	tap_ok(!text && !strcmp(why, "the tail probe did not run: off (x)"), "the probe ran nowhere: NULL, why (%s)", why);
	json_object_put(doc);
	doc = json_tokener_parse("{\"repeats\": [{\"probes\": {\"tail\": {\"available\": true, \"roles\": {}}}}]}");
	text = pt_tail_folded(doc, why, sizeof(why));
	tap_ok(text && !*text, "the probe ran and kept nothing: empty text");
	free(text);
	json_object_put(doc);
	return tap_failed != 0;
}
