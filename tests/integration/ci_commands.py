#!/usr/bin/env python3
"""Check that every ptbench command line in CI files and README recipes uses
a subcommand and flags that exist (from `ptbench CMD --help`), and that every
scripts/*.sh they call is in the tree.

usage: ci_commands.py PTBENCH FILE...
YAML files are parsed (python3-yaml) and every string in them is scanned;
Markdown files are scanned inside ``` fences only. Prints each command it
checked; exits 1 when one is wrong."""
import os
import re
import shlex
import subprocess
import sys

import yaml

PTBENCH = sys.argv[1]
SEPARATORS = {"|", "||", "&&", ";", ">", ">>", "2>", "2>&1", "&", "<"}
help_cache = {}


def help_text(cmd):
    if cmd not in help_cache:
        p = subprocess.run([PTBENCH, cmd, "--help"], capture_output=True, text=True)
        help_cache[cmd] = p.stdout if p.returncode == 0 else None
    return help_cache[cmd]


def strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)


def shell_lines(text):
    """Logical shell lines: continuations joined."""
    return text.replace("\\\n", " ").splitlines()


def takes_value(flag, text):
    """In the help text, a flag followed by one space and a word takes a value."""
    return re.search(re.escape(flag) + r"(, --[\w-]+)? [^\s-]", text) is not None


def check_script(path, errors, checked, seen):
    if path in seen or not os.path.exists(path):
        return
    seen.add(path)
    for line in shell_lines(open(path).read()):
        check_line(line, path, errors, checked, seen)


def check_line(line, where, errors, checked, seen):
    try:
        toks = shlex.split(line, comments=True)
    except ValueError:
        return
    for i, t in enumerate(toks):
        m = re.search(r"(^|/)((scripts|ci)/[\w./-]+\.sh)$", t)
        # a script of another tree ("$src/scripts/kconfig/merge_config.sh",
        # the kernel's): only ptbench's own, named from its top, are checked
        if m and t.startswith("$") and not re.match(r"^\$\{?top\}?/", t):
            m = None
        if m:
            if not os.path.exists(m.group(2)):
                errors.append("%s: %s: no such script in the tree" % (where, m.group(2)))
            else:
                check_script(m.group(2), errors, checked, seen)
        # ./ptbench, or ptbench where a command starts (not prose)
        if not (t.endswith("/ptbench") or (t == "ptbench" and (i == 0 or toks[i - 1] in SEPARATORS))):
            continue
        if i + 1 >= len(toks) or not re.match(r"^[a-z]+$", toks[i + 1]):
            continue
        cmd = toks[i + 1]
        text = help_text(cmd)
        if text is None:
            # "ptbench developers" is prose; "./ptbench developers" is a command
            if t != "ptbench":
                errors.append("%s: ptbench %s: no such command" % (where, cmd))
            continue
        checked.append("%s: ptbench %s" % (where, " ".join(toks[i + 1:])))
        positional, skip_value = False, False
        for a in toks[i + 2:]:
            if a in SEPARATORS or a.startswith(">") or a.startswith("2>"):
                break
            if skip_value:
                skip_value = False
                continue
            if not a.startswith("-"):
                # after the first scenario, gate's and vm's words are `ptbench run`'s
                if cmd in ("gate", "vm") and a != "run":
                    positional = True
                continue
            flag = a.split("=", 1)[0]
            if flag == "-":
                continue
            where_help = help_text("run") if positional and cmd in ("gate", "vm") else text
            if not re.search(r"(^|[\s,\[|])" + re.escape(flag) + r"($|[\s,=\]|])", where_help, re.M):
                errors.append("%s: ptbench %s: no flag %s" % (where, cmd, flag))
            elif "=" not in a:
                skip_value = takes_value(flag, where_help)


def main():
    errors, checked, seen = [], [], set()
    for f in sys.argv[2:]:
        text = open(f).read()
        if f.endswith((".yml", ".yaml")):
            blocks = list(strings(yaml.safe_load(text)))
        else:
            blocks = re.findall(r"^```[^\n]*\n(.*?)^```", text, re.M | re.S)
        for b in blocks:
            for line in shell_lines(b):
                check_line(line, f, errors, checked, seen)
    for c in checked:
        print("checked: " + c)
    for e in errors:
        print("ERROR: " + e)
    if not checked:
        print("ERROR: no ptbench command found")
        return 1
    return 1 if errors else 0


sys.exit(main())
