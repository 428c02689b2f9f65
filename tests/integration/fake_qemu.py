#!/usr/bin/env python3
"""A stand-in for qemu-system-x86_64 (PTBENCH_QEMU) so that vm.t can test the
host side of `ptbench vm` without a kernel image: it answers on the channel
chardev the way scripts/initramfs/init does. FAKE_QEMU_MODE picks the guest's
behaviour (ok, skip, cut, garbage: not JSON, invalid: JSON that is no valid
result, silent, crash, oops, hang); FAKE_QEMU_SAVE (a directory) keeps the initrd and the argv.
For ptbench gate: FAKE_QEMU_LOG (a file) gets the kernel image's name, one
line per boot; with FAKE_QEMU_SPECS (a directory), IMAGE_NAME.json there is a
gen_result.py spec the guest's result is made from, and IMAGE_NAME.mode
overrides FAKE_QEMU_MODE for that kernel; FAKE_QEMU_BARRIER=N (with
FAKE_QEMU_RUNDIR) holds each boot until N boots have started, so a test can
see that boots run at once (it gives up, as a crash, after
FAKE_QEMU_BARRIER_TIMEOUT seconds, default 20). FAKE_QEMU_PIDS (a directory)
gets a file named by the fake's pid, so a test can see whether it outlived
ptbench. FAKE_QEMU_POINTS=1,2,4 answers as a guest running a --sweep does:
one block per point ("BEGIN i rc threads-N"), each result with its "sweep"
object (FAKE_QEMU_SWEEP_PARAM, default faulter.threads); mode badpoint names
a point that is not threads-N."""
import json
import os
import subprocess
import sys
import tempfile
import time

args = sys.argv[1:]
chardevs = {}
for i, a in enumerate(args):
    if a == "-chardev":
        spec = args[i + 1].replace(",,", "\0")
        kv = dict(p.split("=", 1) for p in spec.split(",")[1:])
        chardevs[kv["id"]] = kv["path"].replace("\0", ",")
initrd = args[args.index("-initrd") + 1]
save = os.environ.get("FAKE_QEMU_SAVE")
if save:
    with open(initrd, "rb") as src, open(os.path.join(save, "initrd"), "wb") as dst:
        dst.write(src.read())
    with open(os.path.join(save, "argv"), "w") as f:
        f.write("\n".join(args) + "\n")

if os.environ.get("FAKE_QEMU_PIDS"):
    open(os.path.join(os.environ["FAKE_QEMU_PIDS"], str(os.getpid())), "w").close()
kernel = os.path.basename(args[args.index("-kernel") + 1])
if os.environ.get("FAKE_QEMU_LOG"):
    with open(os.environ["FAKE_QEMU_LOG"], "a") as f:
        f.write(kernel + "\n")
specs = os.environ.get("FAKE_QEMU_SPECS")
mode = os.environ.get("FAKE_QEMU_MODE", "ok")
if specs and os.path.exists(os.path.join(specs, kernel + ".mode")):
    with open(os.path.join(specs, kernel + ".mode")) as f:
        mode = f.read().strip()
barrier = int(os.environ.get("FAKE_QEMU_BARRIER", "0"))
if barrier:
    rundir = os.environ["FAKE_QEMU_RUNDIR"]
    open(os.path.join(rundir, "boot-%d" % os.getpid()), "w").close()
    deadline = time.time() + float(os.environ.get("FAKE_QEMU_BARRIER_TIMEOUT", "20"))
    while len(os.listdir(rundir)) < barrier:
        if time.time() > deadline:
            sys.exit(1)
        time.sleep(0.05)


def synthetic(i):
    """The result of scenario i: gen_result.py's from the kernel's spec."""
    spec = specs and os.path.join(specs, kernel + ".json")
    if not spec or not os.path.exists(spec):
        return {"schema": "ptbench-result/1", "complete": True,
                "system": {"kernel": {"release": "9.9.9-fake"}},
                "scenario": {"name": "fake-%d" % i}, "repeats": [{"workers": {}}], "index": i}
    gen = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen_result.py")
    with open(spec) as f, tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([sys.executable, gen, out.name, f.read()], check=True)
        with open(out.name) as r:
            doc = json.load(r)
    doc["index"] = i
    return doc

nscen = int(os.environ.get("FAKE_QEMU_NSCEN", "1"))
with open(chardevs["con"], "w") as con:
    con.write("fake console: mode %s\n" % mode)
if mode == "hang":
    time.sleep(60)
if mode == "crash":
    sys.exit(1)
if mode == "oops":
    # what a guest kernel that oopses with oops=panic panic=-1 leaves: the
    # oops on the console, then qemu (-no-reboot) exits 0 with no result
    with open(chardevs["con"], "a") as con:
        con.write("[   11.99] BUG: kernel NULL pointer dereference, address: 00000000000000a8\n")
        con.write("[   11.99] Oops: 0000 [#1] PREEMPT SMP NOPTI\n")
        con.write("[   12.00] Kernel panic - not syncing: Fatal exception\n")
    sys.exit(0)
with open(chardevs["chn"], "w", newline="") as chn:
    if mode == "silent":
        sys.exit(0)
    chn.write("@@PTBENCH-GUEST 9.9.9-fake@@\r\n")
    points = [int(v) for v in os.environ.get("FAKE_QEMU_POINTS", "").split(",") if v]
    for i in range(nscen):
        if points:
            param = os.environ.get("FAKE_QEMU_SWEEP_PARAM", "faulter.threads")
            for j, v in enumerate(points):
                doc = synthetic(i)
                doc["sweep"] = {"param": param, "value": v, "index": j, "of": len(points),
                                "values": points}
                name = "threads-%d" % v if mode != "badpoint" else "../x%d" % v
                chn.write("@@PTBENCH-RESULT-BEGIN %d 0 %s@@\r\n" % (i, name))
                chn.write(json.dumps(doc, indent=2).replace("\n", "\r\n") + "\r\n")
                chn.write("@@PTBENCH-RESULT-END %d@@\r\n" % i)
            continue
        rc = {"skip": 4, "cut": 0, "garbage": 0, "invalid": 0}.get(mode, 0)
        chn.write("@@PTBENCH-RESULT-BEGIN %d %d@@\r\n" % (i, rc))
        if mode == "skip":
            pass
        elif mode == "garbage":
            chn.write("{ not json\r\n")
        elif mode == "invalid":
            # JSON, but no result the validating reader takes: repeats is
            # not an array
            doc = synthetic(i)
            doc["repeats"] = "garbage"
            chn.write(json.dumps(doc).replace("\n", "\r\n") + "\r\n")
        else:
            doc = synthetic(i)
            text = json.dumps(doc, indent=2)
            chn.write(text.replace("\n", "\r\n") + "\r\n")
        if mode == "cut":
            sys.exit(0)
        chn.write("@@PTBENCH-RESULT-END %d@@\r\n" % i)
    chn.write("@@PTBENCH-DONE %d@@\r\n" % nscen)
