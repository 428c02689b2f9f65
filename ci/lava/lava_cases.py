#!/usr/bin/env python3
"""Print one LAVA test case per line: NAME RESULT MEASUREMENT UNITS.

usage: lava_cases.py [--gate-exit N] REPORT.json
                                        (ptbench gate's report: every gated
                                         metric, pass|fail|skip, the candidate's median)
       lava_cases.py RESULT.json...     (no base: each headline metric of each
                                         result, pass, the median over its repeats)
A gated metric that regressed is fail; one the gate could not decide
(inconclusive, not comparable) is skip, never pass; unchanged and improved
pass. A scenario the gate could not judge is one case NAME skip|fail - -.
UNITS: ns (latencies), ops/s, /OP (a count per unit op, e.g. /fault),
fraction (success_rate). Every input that cannot be read still gives a case:
a report.json the gate did not write (it exited 2 or 5: --gate-exit says
which) is `ptbench-gate fail - -`, an unreadable result NAME fail - -.
Exit: 0 when every case passed, 1 when any did not."""
import json
import os
import re
import statistics
import sys

cases = []


def case(name, result, measurement="-", units="-"):
    cases.append((name, result))
    print(clean(name), result, measurement, units)


def units(metric):
    last = metric.rsplit(".", 1)[-1]
    if last == "ops_per_sec":
        return "ops/s"
    if last == "success_rate":
        return "fraction"
    m = re.search(r"(?:^|_)per_([a-z0-9]+)$", last)
    if m:
        return "/" + m.group(1)
    return "ns"


def clean(name):
    # LAVA test case names: no spaces
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name)


def load(path, why):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print("lava_cases.py: %s: %s (%s)" % (path, e.strerror if isinstance(e, OSError) else e, why),
              file=sys.stderr)
        return None


def result_of(verdict):
    if verdict == "regressed":
        return "fail"
    if verdict in ("unchanged", "improved"):
        return "pass"
    return "skip"  # inconclusive, not comparable: undecided, never a pass


def from_report(doc):
    for s in doc.get("scenarios") or []:
        cmp = s.get("compare") or {}
        comps = cmp.get("comparisons") or []
        metrics = [m for m in comps[0]["metrics"] if m.get("gated")] if comps else []
        if not metrics:
            case(s["name"], "skip" if s["verdict"] in ("SKIPPED", "UNDECIDED") else "fail")
            continue
        for m in metrics:
            med = (m.get("candidate") or {}).get("median")
            case(s["name"] + "." + m["metric"], result_of(m["verdict"]),
                 "-" if med is None else "%.6g" % med, units(m["metric"]))


def from_results(paths):
    for p in paths:
        doc = load(p, "no result")
        if doc is None:
            case(os.path.splitext(os.path.basename(p))[0], "fail")
            continue
        scen = doc["scenario"]
        heads = [h.strip() for h in (scen.get("headline") or "").split(",") if h.strip()]
        heads_seen = False
        for h in heads:
            if h.count(".") < 2:
                continue  # not ROLE.OP.STAT: nothing to measure
            role, op, stat = h.split(".", 2)
            vals = []
            for rep in doc["repeats"]:
                o = rep.get("workers", {}).get(role, {}).get("ops", {}).get(op)
                if not o:
                    continue
                v = o.get(stat) if stat == "ops_per_sec" else o.get("ns", {}).get(stat)
                if v is not None:
                    vals.append(v)
            if vals:
                case(scen["name"] + "." + h, "pass", "%.6g" % statistics.median(vals), units(h))
                heads_seen = True
        if not heads_seen:
            case(scen["name"], "pass")  # measured, no headline metric to report


def main():
    args = sys.argv[1:]
    gate_exit = None
    if args[:1] == ["--gate-exit"]:
        gate_exit, args = args[1], args[2:]
    if not args:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    first = load(args[0], "ptbench gate exited %s" % gate_exit if gate_exit is not None else "")
    if gate_exit is not None or (first and first.get("schema", "").startswith("ptbench-gate/")):
        if first is None or not str(first.get("schema", "")).startswith("ptbench-gate/"):
            # no report: the gate refused its input (2) or failed (5)
            case("ptbench-gate", "fail")
        else:
            from_report(first)
            if not cases:
                case("ptbench-gate", "fail")
    else:
        from_results(args)
        if not cases:
            case("ptbench-measure", "fail")
    sys.exit(0 if all(r == "pass" for _, r in cases) else 1)


main()
