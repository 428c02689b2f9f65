/* A scenario's headline (the metrics the CI gate checks by default) names
 * an op metric of one of its own roles, ROLE.OP.NAME, or a probe's metric,
 * PROBE.... The first form is checked here, when the scenario is loaded with
 * the run's arguments: a misspelt role, op or statistic fails `run` and
 * `run --dry-run` (exit 2) before anything runs, where it used to pass the
 * run and fail the gate's compare afterwards. A probe's metric is checked
 * by compare against the results, which alone say what the probe counted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/headline.h"
#include "ptbench/metric.h"
#include "ptbench/probe.h"
#include "ptbench/scenario.h"
#include "ptbench/worker.h"

static bool is_probe(const char *name, size_t len)
{
	for (size_t i = 0; pt_probes[i]; i++)
		if (strlen(pt_probes[i]->name) == len && !strncmp(pt_probes[i]->name, name, len))
			return true;
	return false;
}

static bool is_op_metric(const char *name)
{
	for (size_t i = 0; pt_op_metrics[i].key; i++)
		if (pt_op_metrics[i].name && !strcmp(pt_op_metrics[i].name, name))
			return true;
	return false;
}

static bool has_op(const struct pt_worker_type *w, const char *op, size_t len)
{
	for (size_t k = 0; w->ops && w->ops[k]; k++)
		if (strlen(w->ops[k]) == len && !strncmp(w->ops[k], op, len))
			return true;
	return false;
}

/* why item is not a metric of sc, or NULL when it may be */
static const char *check_item(const struct pt_scenario *sc, const char *item, char *why, size_t len)
{
	const char *dot = strchr(item, '.'), *op, *stat;
	const struct pt_role *role = NULL;

	if (!*item)
		return "an empty name (two commas, or one at an end)";
	if (!dot)
		return "not ROLE.OP.METRIC (no dot)";
	for (size_t r = 0; r < sc->nroles; r++)
		if (strlen(sc->roles[r].name) == (size_t)(dot - item) &&
		    !strncmp(sc->roles[r].name, item, (size_t)(dot - item)))
			role = &sc->roles[r];
	if (!role) {
		if (is_probe(item, (size_t)(dot - item)))
			return NULL;
		snprintf(why, len, "no role or probe '%.*s' in this scenario", (int)(dot - item), item);
		return why;
	}
	op = dot + 1;
	stat = strchr(op, '.');
	if (!stat || strchr(stat + 1, '.'))
		return "a role's metric is ROLE.OP.METRIC";
	if (!has_op(role->type, op, (size_t)(stat - op))) {
		snprintf(why, len, "role %s (%s) has no op '%.*s'", role->name, role->type->name,
			 (int)(stat - op), op);
		return why;
	}
	if (!is_op_metric(stat + 1)) {
		/* the names as the registry has them */
		size_t n = (size_t)snprintf(why, len, "'%s' is not an op metric (", stat + 1);

		for (size_t i = 0; pt_op_metrics[i].key && n < len; i++)
			if (pt_op_metrics[i].name)
				n += (size_t)snprintf(why + n, len - n, "%s%s", why[n - 1] == '(' ? "" : ", ",
						      pt_op_metrics[i].name);
		if (n < len)
			snprintf(why + n, len - n, ")");
		return why;
	}
	return NULL;
}

int pt_headline_check(const struct pt_scenario *sc)
{
	struct pt_scenario_keys k;
	char *list, why[256];
	const char *bad = NULL;
	int idx = PT_OPTS_FIELD(&sc->opts, struct pt_scenario_keys, headline);

	pt_scenario_keys(sc, &k);
	if (!*k.headline)
		return 0;
	list = strdup(k.headline);
	if (!list)
		return 0;
	/* strtok would pass over an empty item: walk the commas by hand */
	for (char *item = list, *next; item && !bad; item = next) {
		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		while (*item == ' ' || *item == '\t')
			item++;
		for (char *e = item + strlen(item); e > item && (e[-1] == ' ' || e[-1] == '\t');)
			*--e = '\0';
		if ((bad = check_item(sc, item, why, sizeof(why))) && sc->opts.vals[idx].line > 0)
			fprintf(stderr, "%s:%d: headline: '%s': %s\n", sc->path, sc->opts.vals[idx].line,
				item, bad);
		else if (bad) /* set by --set scenario.headline= */
			fprintf(stderr, "%s: headline: '%s': %s\n", sc->path, item, bad);
	}
	free(list);
	return bad ? -1 : 0;
}
