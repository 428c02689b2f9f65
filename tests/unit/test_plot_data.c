/* plot_data helpers: labels, bucket merging, unit choice, gnuplot quoting. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/hist.h"
#include "ptbench/plot_data.h"
#include "ptbench/result.h"
#include "tap.h"

static struct json_object *doc_with_release(const char *rel)
{
	struct json_object *d = json_object_new_object(), *sys = json_object_new_object();
	struct json_object *k = json_object_new_object();

	json_object_object_add(k, "release", json_object_new_string(rel));
	json_object_object_add(sys, "kernel", k);
	json_object_object_add(d, "system", sys);
	return d;
}

static void free_labels(struct pt_plot_result *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].label);
		free(r[i].series);
		r[i].label = r[i].series = NULL;
	}
}

static void test_labels(void)
{
	struct pt_plot_result r[3] = { { .doc = doc_with_release("6.1.0") }, { .doc = doc_with_release("6.18.3") },
				       { .doc = doc_with_release("6.1.0") } };

	tap_ok(!pt_plot_set_labels(r, 3, NULL), "labels from the kernel release");
	tap_ok(!strcmp(r[0].label, "6.1.0") && !strcmp(r[1].label, "6.18.3") && !strcmp(r[2].label, "6.1.0 #2"),
	       "identical releases de-duplicated: '%s' '%s' '%s'", r[0].label, r[1].label, r[2].label);
	tap_ok(!strcmp(r[2].series, "6.1.0"), "the series keeps the plain release");
	free_labels(r, 3);
	tap_ok(!pt_plot_set_labels(r, 3, "base,cand,cand"), "--label list accepted");
	tap_ok(!strcmp(r[0].label, "base") && !strcmp(r[2].label, "cand #2"), "--label names, de-duplicated");
	free_labels(r, 3);
	tap_ok(pt_plot_set_labels(r, 3, "a,b") == -1 && !r[0].series, "too few labels refused");
	tap_ok(pt_plot_set_labels(r, 3, "a,b,c,d") == -1, "too many labels refused");
	tap_ok(pt_plot_set_labels(r, 3, "a,\"b\",c") == -1, "a double quote refused");
	free_labels(r, 3);
	for (int i = 0; i < 3; i++)
		json_object_put(r[i].doc);
}

static void test_merge(void)
{
	struct pt_hist *src = pt_hist_new(), *a = pt_hist_new(), *merged = pt_hist_new();
	struct json_object *j1, *j2;
	int same = 1;

	/* two "repeats" with different distributions, through the JSON shape */
	for (uint64_t v = 100; v < 200000; v = v * 11 / 10 + 1)
		pt_hist_record(src, v);
	for (uint64_t v = 5000; v < 90000000; v = v * 13 / 10 + 7)
		pt_hist_record(a, v);
	j1 = pt_hist_to_json(src, 1.0);
	j2 = pt_hist_to_json(a, 1.0);
	tap_ok(pt_plot_merge_buckets(merged, j1) == src->count, "merge returns the samples added");
	pt_plot_merge_buckets(merged, j2);
	pt_hist_merge(src, a);
	tap_ok(merged->count == src->count && merged->max == src->max && merged->min == src->min,
	       "merged count/max/min match the in-memory merge");
	for (double p = 0; p <= 100; p += 0.5)
		if (pt_hist_percentile(merged, p) != pt_hist_percentile(src, p))
			same = 0;
	tap_ok(same, "every percentile of the merged buckets matches the in-memory merge");
	tap_ok(pt_plot_merge_buckets(merged, NULL) == 0, "no op statistics: nothing added");
	json_object_put(j1);
	json_object_put(j2);
	free(src);
	free(a);
	free(merged);
}

static void test_units(void)
{
	double s;

	tap_ok(!strcmp(pt_plot_time_unit(800, &s), "ns") && s == 1, "800 ns -> ns");
	tap_ok(!strcmp(pt_plot_time_unit(7839, &s), "us") && s == 1e3, "7.8 us -> us");
	tap_ok(!strcmp(pt_plot_time_unit(44e6, &s), "ms") && s == 1e6, "44 ms -> ms");
	tap_ok(!strcmp(pt_plot_time_unit(3e9, &s), "s") && s == 1e9, "3 s -> s");
}

static void test_quote(void)
{
	char *q = pt_plot_gp_quote("it's a 'test'");

	tap_ok(!strcmp(q, "it''s a ''test''"), "single quotes doubled for gnuplot: %s", q);
	free(q);
}

int main(void)
{
	test_labels();
	test_merge();
	test_units();
	test_quote();
	return tap_done();
}
