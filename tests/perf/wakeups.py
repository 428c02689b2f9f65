#!/usr/bin/env python3
"""Context switches of a ptbench run's threads, by kind.

usage: wakeups.py [-i SECONDS] PTBENCH ARG...   (runs PTBENCH ARG..., prints JSON)

While the run lasts, /proc/PID/task/*/status of ptbench and of its child
processes is read every -i seconds (default 0.02); each thread's last counts
are its totals, short of what it did in its last interval. Threads by kind:
"main" (tid == pid of ptbench), "sampler" (the ptmem sampler: comm
pt-ptmem, else ptbench's first thread after main, as it starts before the
workers), "child-main" (a role process's first thread), and "worker" (the
rest). The output: {"run_s", "threads": [{"kind", "pid", "tid", "comm",
"voluntary", "involuntary"}]}. Counts, not timings: tests may bound them.
"""
import json
import os
import subprocess
import sys
import time


def status(pid, tid):
    out = {}
    try:
        with open("/proc/%d/task/%d/status" % (pid, tid)) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("Name", "voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"):
                    out[k] = v.strip()
    except OSError:
        return None
    return out


def tids(pid):
    try:
        return [int(t) for t in os.listdir("/proc/%d/task" % pid)]
    except OSError:
        return []


def children(pid):
    kids = []
    for t in tids(pid):
        try:
            with open("/proc/%d/task/%d/children" % (pid, t)) as f:
                kids += [int(x) for x in f.read().split()]
        except OSError:
            pass
    return kids


def main():
    args = sys.argv[1:]
    interval = 0.02
    if args[:1] == ["-i"]:
        interval = float(args[1])
        args = args[2:]
    t0 = time.monotonic()
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = {}  # (pid, tid) -> status
    while p.poll() is None:
        for pid in [p.pid] + children(p.pid):
            for tid in tids(pid):
                st = status(pid, tid)
                if st and "voluntary_ctxt_switches" in st:
                    seen[(pid, tid)] = st
        time.sleep(interval)
    err = p.stderr.read().decode(errors="replace")
    run_s = time.monotonic() - t0
    own = sorted(t for (pid, t) in seen if pid == p.pid and t != p.pid)
    named = [t for t in own if seen[(p.pid, t)].get("Name") == "pt-ptmem"]
    sampler = named[0] if named else (own[0] if own else None)
    threads = []
    for (pid, tid), st in sorted(seen.items()):
        if pid == p.pid:
            kind = "main" if tid == pid else "sampler" if tid == sampler else "worker"
        else:
            kind = "child-main" if tid == pid else "worker"
        threads.append({"kind": kind, "pid": pid, "tid": tid, "comm": st.get("Name", ""),
                        "voluntary": int(st["voluntary_ctxt_switches"]),
                        "involuntary": int(st["nonvoluntary_ctxt_switches"])})
    json.dump({"rc": p.returncode, "run_s": run_s, "threads": threads, "stderr": err[-2000:]}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
