#!/usr/bin/env python3
"""Print one LAVA test case per line: NAME RESULT MEASUREMENT UNITS.

usage: lava_cases.py REPORT.json        (ptbench gate's report: every gated
                                         metric, pass|fail|skip, the candidate's median)
       lava_cases.py RESULT.json...     (no base: each headline metric of each
                                         result, pass, the median over its repeats)
A scenario the gate could not judge is one case NAME skip|fail - -."""
import json
import statistics
import sys


def units(metric):
    if metric.endswith("ops_per_sec"):
        return "ops/s"
    if "per_" in metric or "rate" in metric:
        return "ratio"
    return "ns"


def clean(name):
    # LAVA test case names: no spaces
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name)


def from_report(doc):
    for s in doc["scenarios"]:
        cmp = s.get("compare") or {}
        comps = cmp.get("comparisons") or []
        metrics = [m for m in comps[0]["metrics"] if m.get("gated")] if comps else []
        if not metrics:
            print(clean(s["name"]), "skip" if s["verdict"] in ("SKIPPED", "UNDECIDED") else "fail", "-", "-")
            continue
        for m in metrics:
            result = {"regressed": "fail", "inconclusive": "skip"}.get(m["verdict"], "pass")
            med = (m.get("candidate") or {}).get("median")
            print(clean(s["name"] + "." + m["metric"]), result,
                  "-" if med is None else "%.6g" % med, units(m["metric"]))


def from_results(paths):
    for p in paths:
        doc = json.load(open(p))
        scen = doc["scenario"]
        heads = [h.strip() for h in (scen.get("headline") or "").split(",") if h.strip()]
        for h in heads:
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
                print(clean(scen["name"] + "." + h), "pass", "%.6g" % statistics.median(vals), units(h))


def main():
    first = json.load(open(sys.argv[1]))
    if first.get("schema", "").startswith("ptbench-gate/"):
        from_report(first)
    else:
        from_results(sys.argv[1:])


main()
