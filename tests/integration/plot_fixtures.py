#!/usr/bin/env python3
"""Synthetic result files for the plot tests, derived from a real one.

usage: plot_fixtures.py REAL.json OUTDIR

Writes, following the shared contracts in the design exactly:
  mmap_lock.json   REAL plus repeats[k].probes.mmap_lock (the probe's shape:
                   available, events, wait/hold by mode, per-role under "roles",
                   threads outside any role under "other")
  collapse.json    REAL plus a "collapser" role whose op "collapse" ran in some
                   timeline intervals (the op is named "collapse")
  sweep-K-N.json   REAL with a top-level "sweep" object for
                   faulter.threads = N, for two kernels K, fault latency
                   growing with N
The numbers are made up (seeded, so every run makes the same files); only the
shapes are real. Nothing here measures anything.
"""
import copy
import json
import math
import random
import sys


def opstats(samples, seconds=1.0):
    """The op-statistics shape of pt_hist_to_json() from a list of ns values."""
    s = sorted(samples)
    n = len(s)

    def pct(p):
        rank = max(1, math.ceil(p / 100.0 * n))
        return s[rank - 1]

    buckets = {}
    for v in s:
        # any value is a valid upper bound: ptbench maps it to its bucket
        up = int(v) | 7
        buckets[up] = buckets.get(up, 0) + 1
    return {
        "count": n,
        "ops_per_sec": n / seconds,
        "ns": {"p50": pct(50), "p90": pct(90), "p99": pct(99), "p999": pct(99.9),
               "p9999": pct(99.99), "max": s[-1], "min": s[0], "mean": sum(s) / n},
        "buckets": [[k, buckets[k]] for k in sorted(buckets)],
        "errors": {},
    }


def lognormal(rng, n, median_ns, sigma):
    return [int(median_ns * math.exp(rng.gauss(0, sigma))) + 1 for _ in range(n)]


def mmap_lock(doc, rng):
    for rep in doc["repeats"]:
        roles = {}
        for role, (nr, nw, med) in {"churn": (200, 3000, 900), "reader": (4000, 0, 20000),
                                    "faulter": (600, 0, 3000), "other": (20, 5, 500)}.items():
            empty = {"count": 0, "ops_per_sec": 0.0, "ns": {}, "buckets": []}
            w = {"read": opstats(lognormal(rng, nr, med, 1.4)) if nr else empty,
                 "write": opstats(lognormal(rng, nw, med * 3, 1.2)) if nw else empty}
            roles[role] = {"wait": w, "hold": copy.deepcopy(w)}
        allw = {m: opstats(lognormal(rng, 5000 if m == "read" else 3000, 2000 if m == "read" else 6000, 1.5))
                for m in ("read", "write")}
        rep.setdefault("probes", {})["mmap_lock"] = {
            "available": True, "events": 123456, "lost_events": 0, "unmatched": 3,
            "downgrades": 0, "failed_trylocks": 7, "wait": allw, "hold": copy.deepcopy(allw),
            "roles": roles,
        }
    return doc


def collapse(doc, rng):
    for rep in doc["repeats"]:
        tl = next(iter(rep["timeline"].values()))
        op = next(iter(tl.values()))
        slots = len(op["count"])
        counts = [rng.choice([0, 0, 1, 2]) for _ in range(slots)]
        mean = [rng.randint(2_000_000, 9_000_000) if c else 0 for c in counts]
        rep["timeline"]["collapser"] = {"collapse": {
            "interval_ns": op["interval_ns"], "count": counts, "mean_ns": mean,
            "max_ns": [m * 2 for m in mean]}}
        rep["workers"]["collapser"] = {
            "type": "shmem-collapse", "threads": 1,
            "ops": {"collapse": opstats(lognormal(rng, max(1, sum(counts)), 4_000_000, 0.5))},
            "collapse": {"attempts": sum(counts), "succeeded": sum(counts), "errors": {},
                         "confirmed_pmd_mapped": sum(counts), "vmstat_delta": {}}}
    return doc


def sweep(doc, rng, kernel, threads, index, of, slowdown):
    d = copy.deepcopy(doc)
    d["system"]["kernel"]["release"] = kernel
    d["sweep"] = {"param": "faulter.threads", "value": threads, "index": index, "of": of}
    for rep in d["repeats"]:
        rep["workers"]["faulter"]["threads"] = threads
        f = rep["workers"]["faulter"]["ops"]["fault"]
        base = max(f["ns"]["p50"], 200)
        f.update(opstats(lognormal(rng, 5000, base * (1 + slowdown * (threads - 1)), 0.8)))
    return d


def main():
    real, out = sys.argv[1], sys.argv[2]
    rng = random.Random(7)
    doc = json.load(open(real))
    json.dump(mmap_lock(copy.deepcopy(doc), rng), open(f"{out}/mmap_lock.json", "w"))
    json.dump(collapse(copy.deepcopy(doc), rng), open(f"{out}/collapse.json", "w"))
    counts = [1, 2, 4, 8]
    for kernel, slowdown in (("6.1.0-fixture", 0.6), ("6.18.0-fixture", 0.15)):
        for i, n in enumerate(counts):
            json.dump(sweep(doc, rng, kernel, n, i, len(counts), slowdown),
                      open(f"{out}/sweep-{kernel}-{n}.json", "w"))


if __name__ == "__main__":
    main()
