#!/usr/bin/env python3
"""A stand-in for qemu-system-x86_64 (PTBENCH_QEMU) so that vm.t can test the
host side of `ptbench vm` without a kernel image: it answers on the channel
chardev the way scripts/initramfs/init does. FAKE_QEMU_MODE picks the guest's
behaviour; FAKE_QEMU_SAVE (a directory) keeps the initrd and the argv."""
import json
import os
import sys
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

mode = os.environ.get("FAKE_QEMU_MODE", "ok")
nscen = int(os.environ.get("FAKE_QEMU_NSCEN", "1"))
with open(chardevs["con"], "w") as con:
    con.write("fake console: mode %s\n" % mode)
if mode == "hang":
    time.sleep(60)
if mode == "crash":
    sys.exit(1)
with open(chardevs["chn"], "w", newline="") as chn:
    if mode == "silent":
        sys.exit(0)
    chn.write("@@PTBENCH-GUEST 9.9.9-fake@@\r\n")
    for i in range(nscen):
        rc = {"skip": 4, "cut": 0, "garbage": 0}.get(mode, 0)
        chn.write("@@PTBENCH-RESULT-BEGIN %d %d@@\r\n" % (i, rc))
        if mode == "skip":
            pass
        elif mode == "garbage":
            chn.write("{ not json\r\n")
        else:
            doc = {"schema": "ptbench-result/1", "complete": True,
                   "system": {"kernel": {"release": "9.9.9-fake"}}, "repeats": [], "index": i}
            text = json.dumps(doc, indent=2)
            chn.write(text.replace("\n", "\r\n") + "\r\n")
        if mode == "cut":
            sys.exit(0)
        chn.write("@@PTBENCH-RESULT-END %d@@\r\n" % i)
    chn.write("@@PTBENCH-DONE %d@@\r\n" % nscen)
