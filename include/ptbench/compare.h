/* `ptbench compare`: metrics pulled from result files (one value per
 * repeat), the verdict rule, and the writers of its output formats. */
#ifndef PTBENCH_COMPARE_H
#define PTBENCH_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ptbench/metric.h"

struct json_object;

enum pt_verdict {
	PT_VERDICT_UNCHANGED,
	PT_VERDICT_IMPROVED,
	PT_VERDICT_REGRESSED,
	PT_VERDICT_INCONCLUSIVE,
	/* a structural metric whose probe did not run on one side: why says
	 * which; gated, it leaves the gate undecided like inconclusive */
	PT_VERDICT_NOT_COMPARABLE,
};
const char *pt_verdict_name(enum pt_verdict v);

/* The rule (doc/compare.md). Fractions, not percent. */
struct pt_cmp_rule {
	double alpha;          /* significance level of the two-sided test */
	double threshold;      /* minimum relative effect for p50, p90, ops_per_sec */
	double threshold_tail; /* the same for p99, p999, p9999, max */
	size_t min_repeats;    /* fewer values on a side: inconclusive */
	/* structural metrics (lock acquisitions per op, collapse proof): a
	 * change must be both this relative ... */
	double threshold_struct;
	double struct_abs;     /* ... and this absolute (per op) */
	/* a metric with no change found passes (unchanged) only when the run
	 * could have caught a regression of this size (its mde) */
	double tolerance;
	/* ... and for a structural metric, the tolerance is at least this many
	 * per op: the changes they exist for are whole acquisitions per op
	 * (0 -> 1, 800 -> 0), and a count of 0.2 per op that wanders by 0.1
	 * between boots must not leave a gate undecided */
	double struct_tol_abs;
	/* The gross rule (--gate-on structural, where latency is too noisy for
	 * the rule above, e.g. TCG guests): a reported latency or throughput
	 * metric is regressed when its median worsened by at least this factor
	 * (2: twice the latency, half the ops/s) ... */
	double gross_factor;
	/* ... with every value of one side beyond every value of the other,
	 * and at least this many values a side: 4 v 4 apart by chance is 1/70
	 * per metric and direction (3 v 3 would be 1/20) */
	size_t gross_min_repeats;
	/* ... and a metric named with --gate-metrics, gated by the gross rule
	 * alone, passes (unchanged) only when the rule would have called a
	 * worsening of this factor on these values (its gross_mde): the rule
	 * exists so that a tenfold latency regression fails; a gate too noisy
	 * to call one is undecided, not a pass (a bisect step skips it) */
	double gross_tolerance;
};
#define PT_CMP_RULE_DEFAULT \
	((struct pt_cmp_rule){ 0.05, 0.05, 0.10, 3, 0.10, 0.05, 0.50, 0.5, 2.0, 4, 10.0 })
/* the largest --alpha: a two-sided test at a higher level calls a change on
 * identical sides more than one time in five (0.999999 would call nearly
 * every one) */
#define PT_CMP_ALPHA_MAX 0.2
/* bounds of --gross-factor and --gross-min-repeats: a factor of 1 is no
 * gross change, and fewer than 4 values a side are apart by chance too
 * often (1/20 at 3 v 3) */
#define PT_CMP_GROSS_FACTOR_MAX 1000.0
#define PT_CMP_GROSS_MIN_REPEATS_MIN 4
#define PT_CMP_GROSS_MIN_REPEATS_MAX 1000

/* What a metric measures, and so which part of the rule decides it. */
enum pt_metric_kind {
	PT_METRIC_DIST,   /* one percentile or ops_per_sec per repeat: rank rule */
	PT_METRIC_STRUCT, /* a count per op, a rate: the structural rule */
};

struct pt_series {
	double *v;
	size_t n;
};

struct pt_metric {
	char *name;          /* ROLE.OP.STAT, or mmap_lock[.roles.ROLE].wait|hold.read|write.STAT */
	bool higher_better;  /* ops_per_sec; every latency is lower-is-better */
	bool tail;           /* p99, p999, p9999, max: threshold_tail applies */
	bool shown;          /* in the default listing (gated metrics are shown too) */
	bool gated;
	/* chosen by the headline but not gated: --gate-on structural keeps
	 * latency for the reader and gates only the structural metrics */
	bool reported;
	struct pt_series base, cand;
	/* filled by pt_cmp_decide() */
	double med_base, med_cand;
	double spread_base, spread_cand; /* relative IQR of each side */
	double change;                   /* (med_cand - med_base) / med_base */
	double p;                        /* NAN when not computed (too few values) */
	bool p_exact;
	double threshold; /* the minimum effect that applied */
	enum pt_verdict verdict;
	char why[512]; /* one line: why this verdict (two paths and a probe's reason fit) */
	enum pt_metric_kind kind;
	/* from its registry line (include/ptbench/metric.h); a metric built by
	 * hand (tests) sets what it needs */
	const struct pt_metric_def *def;
	enum pt_mtol tol_floor; /* the structural tolerance's floor */
	bool gated_default;	/* gated by default (PT_SHOW_GATED, where it applies) */
	bool per_op;		/* a count per op: "/op" in its smallest change */
	/* The smallest regression this pair of samples could have called, as a
	 * fraction of the baseline median (INFINITY: none it could call; NAN:
	 * not computed, too few repeats); mde_abs in the metric's unit. */
	double mde, mde_abs;
	double tolerance; /* the rule's tolerance that applied */
	/* inconclusive for want of evidence: repeats a side that would bring
	 * mde within the tolerance if they looked like these; 0 when more
	 * repeats would not (the spread itself is too wide) */
	size_t repeats_needed;
	const char *decided_by; /* "mann-whitney", "separation", "structural",
				 * "zero-to-nonzero", "gross", or NULL */
	/* Filled by pt_cmp_gross() for a metric reported under --gate-on
	 * structural: gross says the gross rule judged it (and gated it when it
	 * called a regression); worse_factor is how many times worse the
	 * candidate's median is (cand/base latency, base/cand ops/s);
	 * gross_mde the smallest worsening factor the gross rule would call on
	 * samples shaped like these (INFINITY: none, too few repeats or values
	 * <= 0); gross_why one line, called or not and why. */
	bool gross;
	double worse_factor, gross_mde;
	char gross_why[256];
};

/* Decide one metric from its two series: see doc/compare.md for the rule.
 * The caller sets name, higher_better, tail, kind, base and cand. */
void pt_cmp_decide(const struct pt_cmp_rule *rule, struct pt_metric *m);
/* The gross rule on a metric pt_cmp_decide() decided: regressed (verdict,
 * decided_by "gross", why) when the median worsened by rule->gross_factor
 * or more and every candidate value is worse than every baseline value,
 * with at least rule->gross_min_repeats values a side. Fills gross,
 * worse_factor, gross_mde, gross_why; returns whether it called a
 * regression. Otherwise the metric's verdict is left as it was. */
bool pt_cmp_gross(const struct pt_cmp_rule *rule, struct pt_metric *m);
/* Every value of c beyond every value of b on the side dir (+1: above),
 * the gap between the nearest two wider than each side's range. */
bool pt_cmp_separated(const double *b, size_t nb, const double *c, size_t nc, int dir);
/* The worker type's unit of work (fault -> fault, smaps-read -> read, ...)
 * from a frozen table, for results written before the roles recorded their
 * own unit_op; NULL for a type not in the table. */
const char *pt_cmp_unit_op(const char *worker_type);
/* The unit op of one role of one repeat (repeats[k].workers.ROLE): its
 * recorded unit_op (declared by the worker type) when the role has that op,
 * else, for an older result, its type's unit op from the table, else the op
 * it did most often (the result's own order breaks ties); NULL when it has
 * no ops. Structural metrics and `ptbench plot`'s locks-per-op chart count
 * per this op. */
const char *pt_cmp_role_unit_op(struct json_object *worker);

/* A loaded result file. */
struct pt_cmp_input {
	const char *path;
	struct json_object *doc;
	const char *kernel;   /* system.kernel.release, or "?" */
	size_t repeats;       /* repeats used: those not marked incomplete */
	size_t repeats_total;
	const char *scenario; /* scenario.name */
	const char *headline; /* scenario.headline, NULL when none */
};

/* Load and check one file. Prints why to stderr and returns -1 when it
 * cannot be used; with force, a foreign schema version or an incomplete run
 * only warns (warn is called with the message). */
int pt_cmp_load(const char *path, bool force, struct pt_cmp_input *in,
		void (*warn)(void *ctx, const char *msg), void *ctx);
/* pt_cmp_load on a file's text already in memory (text[len] the terminating
 * NUL, path its name in messages): the fuzz target's way in. */
int pt_cmp_load_buffer(const char *path, const char *text, size_t len, bool force,
		       struct pt_cmp_input *in, void (*warn)(void *ctx, const char *msg), void *ctx);
void pt_cmp_input_free(struct pt_cmp_input *in);
/* Differences that make base and cand incomparable (scenario name and
 * settings, sweep point): each printed as one line "CAND: ..." to buf
 * (newline separated). Returns how many. */
int pt_cmp_mismatches(const struct pt_cmp_input *base, const struct pt_cmp_input *cand, char *buf,
		      size_t len);

/* Whether any repeat carries an available mmap_lock probe. */
bool pt_cmp_has_lock_probe(const struct pt_cmp_input *in);

struct pt_comparison {
	const struct pt_cmp_input *base, *cand;
	struct pt_metric *m;
	size_t n;
};

/* Every metric present on both sides, decided under rule. */
void pt_cmp_build(const struct pt_cmp_input *base, const struct pt_cmp_input *cand,
		  const struct pt_cmp_rule *rule, struct pt_comparison *out);
void pt_comparison_free(struct pt_comparison *c);
/* Mark the metrics named in list ("a.b.p99, c.d.ops_per_sec") as gated.
 * Returns 0, or -1 after printing which name (from where) matches nothing. */
int pt_cmp_set_gated(struct pt_comparison *c, const char *list, const char *from);
/* The default gate when a result names no headline: every op's p99 and
 * ops_per_sec. */
void pt_cmp_gate_default(struct pt_comparison *c);
/* Gated next to the headline (or the default) unless --gate-metrics names
 * the list: every structural metric but waits per op (they repeat the
 * acquisitions) and thp_alloc_per_collapse (system-wide), when comparable. */
bool pt_cmp_struct_gated_by_default(const struct pt_metric *m);
void pt_cmp_gate_structural(struct pt_comparison *c);
/* --gate-on structural: the latency metrics the headline (or the default)
 * chose stay listed, verdict and all, as reported, not gated; except that
 * each is judged by the gross rule too (pt_cmp_gross), and one it calls
 * regressed is gated (it fails the gate). named (a --gate-metrics list): its
 * latency and ops/s stay gated, by the gross rule alone: regressed, not
 * comparable (fewer values a side than the rule needs) or unchanged. */
void pt_cmp_gate_structural_only(struct pt_comparison *c, const struct pt_cmp_rule *rule, bool named);
/* The whole choice `compare --gate` makes: gate_metrics (--gate-metrics)
 * exactly when given; else the baseline's scenario.headline, else the
 * default; each with pt_cmp_gate_structural. Returns where the list came
 * from (a static string for reports), or NULL after printing which name
 * matches nothing. */
const char *pt_cmp_gate_select(struct pt_comparison *c, const char *gate_metrics);
/* The smallest detectable change of m as text: "+23%", "-40%" (ops/s),
 * "0.05/op" (structural), "none", "-". */
const char *pt_cmp_fmt_mde(const struct pt_metric *m, char *buf, size_t len);

struct pt_gate_counts {
	size_t gated, regressed, inconclusive, improved, unchanged;
	size_t not_comparable; /* gated metrics whose probe ran on one side only */
	/* --gate-on structural: headline metrics listed but not gated */
	size_t reported, reported_regressed;
	/* gated metrics the gross rule called regressed (in regressed too) */
	size_t gross_regressed;
};
void pt_cmp_gate_counts(const struct pt_comparison *c, struct pt_gate_counts *g);

/* Everything the writers need. */
struct pt_cmp_report {
	struct pt_cmp_rule rule;
	const char *scenario;
	struct pt_comparison *cmp; /* one per candidate */
	size_t ncmp;
	bool gate;         /* --gate given */
	bool all;          /* list every metric, not only the default set */
	const char *gate_from; /* where the gated list came from, for the header */
	bool structural_only;  /* --gate-on structural */
	/* --chain: cmp[i] compares result i with result i+1 (releases in order),
	 * not every candidate with the first */
	bool chain;
	char **warnings;
	size_t nwarnings;
	int exit_code;     /* what the command will return */
};

/* exit code of the gate: 1 any gated regressed, 3 any inconclusive, else 0 */
int pt_cmp_gate_exit(const struct pt_cmp_report *r);

/* The rule in two lines, with the report's numbers (text output header). */
void pt_cmp_write_rule(const struct pt_cmp_report *r, FILE *out, const char *indent);
void pt_cmp_write_text(const struct pt_cmp_report *r, FILE *out, bool color);
void pt_cmp_write_markdown(const struct pt_cmp_report *r, FILE *out);
void pt_cmp_write_json(const struct pt_cmp_report *r, FILE *out);
/* The JSON report as a document (a new reference; the gate keeps it for its
 * report), and printed as pt_cmp_write_json prints it. */
struct json_object *pt_cmp_json(const struct pt_cmp_report *r);
void pt_cmp_json_print(struct json_object *doc, FILE *out);
void pt_cmp_write_junit(const struct pt_cmp_report *r, FILE *out);
/* --chain in text or markdown: one table over every result, the structural
 * metrics' medians and the steps where each changed (compare_chain.c) */
void pt_cmp_write_chain(const struct pt_cmp_report *r, FILE *out, bool markdown);

/* For the writers: "812ns"-style for latencies, plain for ops/s. */
const char *pt_cmp_fmt_value(const struct pt_metric *m, double v, char *buf, size_t len);
/* "+20.0%", "-3.1%", "+inf%", "-" */
const char *pt_cmp_fmt_change(double change, char *buf, size_t len);
/* "0.008", "<0.001", "-" */
const char *pt_cmp_fmt_p(double p, char *buf, size_t len);
/* Whether a writer lists this metric: the default set, gated ones, or all. */
bool pt_cmp_listed(const struct pt_cmp_report *r, const struct pt_metric *m);
/* "PASS", "FAIL", "UNDECIDED" for one candidate's gated metrics */
const char *pt_cmp_gate_word(const struct pt_gate_counts *g);

#endif
