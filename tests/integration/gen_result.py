#!/usr/bin/env python3
"""Write a synthetic, schema-valid ptbench result with chosen per-repeat values.

usage: gen_result.py OUT.json SPEC_JSON

SPEC keys (all optional):
  scale     list, one factor per repeat, applied to every op without its own
  ops       {"ROLE.OP": [factor per repeat]}  (default faulter.fault, reader.read)
  counts    {"ROLE.OP": N}: that op's count per repeat (default 100000), its
            ops_per_sec N / factor
  probe     true: add repeats[k].probes.mmap_lock scaled like the first op
  scenario  scenario name (default "synthetic"); headline (default
            "faulter.fault.p99, reader.read.p99"; "" for none)
  kernel, schema, complete, duration
  sweep     the top-level "sweep" object of a sweep point, as given
  locks     {"ROLE": {"read": N, "write": N, "failed_trylocks": N}} per-role
            lock counts (a number, or a list with one per repeat) in place of
            the default (faulter only); roles not named are absent from
            probes.mmap_lock.roles, as the probe leaves a role it saw nothing of
  perop     {"ROLE": {"OP": {"read": N, "write": N, "failed_trylocks": N}}}:
            probes.mmap_lock.roles.ROLE.ops.OP, the lock events inside op OP
            (the BPF backend's per-op attribution; numbers or lists, one per
            repeat); needs "locks"
  types     {"ROLE": "worker-type"} (default "synthetic")
  unit_ops  {"ROLE": "OP"}: repeats[k].workers.ROLE.unit_op (default: none,
            as in results written before the key existed)
  collapse  {"ROLE": [[attempts, succeeded, pmds_collapsed], ...per repeat]}
  probe_unavailable  a string: probes.mmap_lock is {"available": false, "why": it}
  ptmem     {"self": [start, peak, end], "system": [start, peak, end],
            "children": [[start, peak, end], ...]}: repeats[k].probes.ptmem
            (kB for self and children, pages for system), the same every repeat
  pte_reclaim  {"ROLE": [freed, expected]}: repeats[k].workers.ROLE.pte_reclaim
  vma       {"method": "fexit"|"tracepoints" (or a list, one per repeat),
            "write": bool, "roles": {"ROLE":
            {"attempts": N, "fallbacks": N, "write_locks": N}},
            "ops": {"ROLE": {"OP": {"attempts": N, ...}}}}:
            repeats[k].probes.vma_lock (numbers or lists, one per repeat);
            "unavailable": a string makes it {"available": false, "why": it}
Latencies are BASE * factor, ops_per_sec is RATE / factor, so a factor of 1.2
is a 20% regression for both kinds of metric.
"""
import json
import sys

LAT = {"p50": 1000, "p90": 1500, "p99": 5000, "p999": 20000, "p9999": 50000, "max": 100000}
RATE = 100000.0


def opstats(f, rate=True):
    ns = {k: int(round(v * f)) for k, v in LAT.items()}
    ns["min"] = int(round(500 * f))
    ns["mean"] = 1200.0 * f
    o = {"count": 100000, "ns": ns, "buckets": [[ns["p50"], 50000], [ns["max"], 50000]]}
    if rate:
        o["ops_per_sec"] = RATE / f
        o["errors"] = {}
    return o


def per_repeat(v, k):
    return v[k] if isinstance(v, list) else v


def lockstats(n):
    o = opstats(1.0, False)
    o["count"] = n
    return o


def main():
    out, spec = sys.argv[1], json.loads(sys.argv[2])
    scale = spec.get("scale", [1.0, 1.0, 1.0, 1.0, 1.0])
    ops = spec.get("ops", {"faulter.fault": scale, "reader.read": scale})
    nrep = max(len(v) for v in ops.values())
    repeats = []
    for k in range(nrep):
        workers = {}
        for name, factors in ops.items():
            role, op = name.split(".")
            w = workers.setdefault(role, {"type": spec.get("types", {}).get(role, "synthetic"),
                                          "threads": 1, "cpus": [-1], "ops": {}})
            if k < len(factors):
                w["ops"][op] = opstats(factors[k])
                if name in spec.get("counts", {}):
                    n = spec["counts"][name]
                    w["ops"][op]["count"] = n
                    w["ops"][op]["ops_per_sec"] = n / factors[k]
                    w["ops"][op]["buckets"] = [[w["ops"][op]["ns"]["max"], n]] if n else []
        for role, op in spec.get("unit_ops", {}).items():
            workers[role]["unit_op"] = op
        for role, c in spec.get("collapse", {}).items():
            a, ok, pmds = c[k]
            workers[role]["collapse"] = {"attempts": a, "succeeded": ok, "pmds_collapsed": pmds,
                                         "success_rate": ok / a if a else 0,
                                         "vmstat_delta": {"thp_collapse_alloc": pmds}}
        for role, (freed, expected) in spec.get("pte_reclaim", {}).items():
            workers[role]["pte_reclaim"] = {"cycles": 1, "pte_tables_freed": freed,
                                            "pte_tables_expected": expected,
                                            "freed_per_zap": freed / expected if expected else 0.0,
                                            "config_pt_reclaim": "unknown"}
        # a window short enough for the fastest op's ops_per_sec (the reader
        # refuses a throughput above count / measured_s)
        fastest = min([f[k] for f in ops.values() if k < len(f)] + [1.0])
        rep = {"complete": True, "measured_s": fastest, "workers": workers, "probes": {}}
        if spec.get("ptmem"):
            pm = spec["ptmem"]

            def gauge(v):
                return {"start": v[0], "peak": v[1], "end": v[2]}
            rep["probes"]["ptmem"] = {
                "available": True, "samples": 10, "interval_ms": 10, "method": "synthetic",
                "self": {"vmpte_kb": gauge(pm["self"])},
                "children": [{"pid": 1000 + i, "comm": "child", "vmpte_kb": gauge(c)}
                             for i, c in enumerate(pm.get("children", []))],
                "system": {"nr_page_table_pages": gauge(pm["system"])}}
        if spec.get("vma"):
            v = spec["vma"]
            if v.get("unavailable"):
                rep["probes"]["vma_lock"] = {"available": False, "why": v["unavailable"]}
            else:
                has_write = v.get("write", True)
                roles = {}
                for role, c in v.get("roles", {}).items():
                    att, fb = per_repeat(c.get("attempts", 0), k), per_repeat(c.get("fallbacks", 0), k)
                    r = {"attempts": att, "locked": att - fb, "fallbacks": fb}
                    if has_write:
                        r["write_locks"] = per_repeat(c.get("write_locks", 0), k)
                        r["write_wait"] = lockstats(r["write_locks"])
                    roles[role] = r
                for role, per in v.get("ops", {}).items():
                    r = roles.setdefault(role, {"attempts": 0, "locked": 0, "fallbacks": 0})
                    r["ops"] = {}
                    for op, c in per.items():
                        att, fb = per_repeat(c.get("attempts", 0), k), per_repeat(c.get("fallbacks", 0), k)
                        o = {"attempts": att, "locked": att - fb, "fallbacks": fb}
                        if has_write:
                            o["write_locks"] = per_repeat(c.get("write_locks", 0), k)
                        r["ops"][op] = o
                vl = {"available": True, "backend": "bpf", "method": per_repeat(v.get("method", "fexit"), k),
                      "roles": roles, "write_wait_available": has_write, "no_task_storage": 0}
                if not has_write:
                    vl["write_wait_why"] = "this kernel has no __vma_start_write() to hook"
                rep["probes"]["vma_lock"] = vl
        if spec.get("probe_unavailable"):
            rep["probes"]["mmap_lock"] = {"available": False, "why": spec["probe_unavailable"]}
        elif spec.get("locks") is not None:
            roles = {}
            for role, c in spec["locks"].items():
                lk = {m: lockstats(per_repeat(c.get(m, 0), k)) for m in ("read", "write")}
                roles[role] = {"events": 0, "failed_trylocks": per_repeat(c.get("failed_trylocks", 0), k),
                               "wait": lk, "hold": lk}
            for role, per in spec.get("perop", {}).items():
                r = roles.setdefault(role, {"events": 0, "failed_trylocks": 0,
                                            "wait": {m: lockstats(0) for m in ("read", "write")},
                                            "hold": {m: lockstats(0) for m in ("read", "write")}})
                r["ops"] = {}
                for op, c in per.items():
                    lk = {m: lockstats(per_repeat(c.get(m, 0), k)) for m in ("read", "write")}
                    r["ops"][op] = {"events": 0, "failed_trylocks": per_repeat(c.get("failed_trylocks", 0), k),
                                    "wait": lk, "hold": lk}
            rep["probes"]["mmap_lock"] = {"available": True, "events": 1000, "lost_events": 0,
                                          "roles": roles}
            if spec.get("perop") is not None:
                rep["probes"]["mmap_lock"]["per_op"] = True
        elif spec.get("probe"):
            f = list(ops.values())[0][k]
            lock = {"read": opstats(f, False), "write": opstats(f, False)}
            rep["probes"]["mmap_lock"] = {
                "available": True, "events": 1000, "lost_events": 0, "unmatched": 0,
                "downgrades": 0, "failed_trylocks": 0, "wait": lock, "hold": lock,
                "roles": {"faulter": {"wait": lock, "hold": lock}}}
        repeats.append(rep)
    doc = {
        "schema": spec.get("schema", "ptbench-result/1"),
        "complete": spec.get("complete", True),
        "tool": {"name": "ptbench", "version": "synthetic", "argv": ["gen_result.py"]},
        "system": {"kernel": {"release": spec.get("kernel", "6.18.0-synthetic")}},
        "scenario": {"name": spec.get("scenario", "synthetic"),
                     "description": "synthetic result for the compare tests",
                     "duration": spec.get("duration", 1000000000), "repeat": nrep,
                     "headline": spec.get("headline", "faulter.fault.p99, reader.read.p99"),
                     "file": "/nonexistent/synthetic.ini", "workers": {}},
        "repeats": repeats,
    }
    if spec.get("sweep"):
        doc["sweep"] = spec["sweep"]
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)


main()
