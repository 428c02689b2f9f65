#!/bin/bash
# The documentation stays inside the repository: every relative link in the
# Markdown files points to a file that exists here (and to a heading that
# exists, for #anchors), and nothing sends the reader to a folder a clone
# does not have. README.md's worker table is checked against the binary's
# worker list (`ptbench list -v`).
. "$(dirname "$0")/lib.sh"

docs="README.md RESULTS.md $(ls doc/*.md 2>/dev/null)"

[ -f doc/design.md ] && [ -f doc/kernel-notes.md ]; ok $? "doc/design.md and doc/kernel-notes.md exist"

# links: [text](target) with a relative target; anchors by GitHub's rule
# (lowercase, punctuation other than '-' and '_' dropped, spaces to '-')
cat >"$TMP/links.py" <<'EOF'
import os, re, sys

def slug(heading):
    h = re.sub(r'[`*]', '', heading.strip().lower())
    h = re.sub(r'[^\w\- ]', '', h)
    return h.replace(' ', '-')

def anchors(path):
    out, fence = set(), False
    for line in open(path, encoding='utf-8'):
        if line.startswith('```'):
            fence = not fence
        elif not fence and line.startswith('#'):
            out.add(slug(line.lstrip('#')))
    return out

bad = 0
for doc in sys.argv[1:]:
    text = open(doc, encoding='utf-8').read()
    text = re.sub(r'```.*?```', '', text, flags=re.S)
    for target in re.findall(r'\]\(([^)\s]+)\)', text):
        if re.match(r'[a-z]+:', target):
            continue  # http:, https:, mailto: are not files of this repository
        path, _, anchor = target.partition('#')
        full = os.path.normpath(os.path.join(os.path.dirname(doc), path)) if path else doc
        if not os.path.exists(full) or full.startswith('..'):
            print(f'{doc}: link to {target}: no such file in the repository')
            bad += 1
        elif anchor and full.endswith('.md') and anchor not in anchors(full):
            print(f'{doc}: link to {target}: no heading #{anchor} in {full}')
            bad += 1
sys.exit(1 if bad else 0)
EOF
# shellcheck disable=SC2086
out=$(python3 "$TMP/links.py" $docs 2>&1)
ok $? "every relative link in $(echo $docs) resolves inside the repository${out:+ ($out)}"

# the checker catches a broken link and a broken anchor
printf '# Title\n[a](no-such-file.md) [b](#no-such-heading) [c](#title)\n' >"$TMP/bad.md"
out=$(python3 "$TMP/links.py" "$TMP/bad.md" 2>&1)
case "$out" in *no-such-file.md*no-such-heading*) ok 0 "a broken link and a broken anchor are reported";;
*) ok 1 "a broken link and a broken anchor are reported (got: $out)";; esac

# the project's issue tracker is not part of a clone: the docs say what they
# mean in their own words, never "issue 27"
# shellcheck disable=SC2086
out=$(grep -n -i -E '\bissues? #?[0-9]+' $docs ptbench.1 | head -n 5)
[ -z "$out" ]; ok $? "no doc refers to a numbered issue the reader cannot see${out:+ ($out)}"

# README's worker table against the binary (`ptbench list -v`): a row for
# every worker type it lists and for no other, each with the type's ops and
# unit op as the binary prints them, so a worker added, renamed or given
# another op cannot leave the table behind.
cat >"$TMP/workers.py" <<'EOF'
import re, sys

def from_list(path):
    out, on, name = {}, False, None
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if line.startswith('workers'):
            on = True
        elif on and not line:
            break
        elif on and re.match(r'  \S', line):
            name = line.split()[0]
            out[name] = None
        elif on and line.startswith('    ops:'):
            m = re.match(r'    ops:(.*?)(?: \(unit op: (\S+)\))?$', line)
            ops = m.group(1).split()
            out[name] = ('(setup only)' if ops == ['(setup', 'only)'] else ', '.join(ops), m.group(2) or '(none)')
    return out

def from_readme(path):
    out, on = {}, False
    for line in open(path, encoding='utf-8'):
        if line.startswith('## '):
            on = line.strip() == '## Workers'
        elif on and line.startswith('| `'):
            cells = [c.strip() for c in line.strip().strip('|').split('|')]
            out[cells[0].strip('`')] = (cells[1].replace('`', ''), cells[2].replace('`', ''))
    return out

have, want = from_readme(sys.argv[2]), from_list(sys.argv[1])
bad = [f'{n}: not in README.md\'s worker table' for n in want if n not in have]
bad += [f'{n}: in README.md\'s worker table, not in ptbench list' for n in have if n not in want]
bad += [f'{n}: README.md says ops {have[n][0]!r}, unit op {have[n][1]!r}; ptbench list -v: {want[n][0]!r}, {want[n][1]!r}'
        for n in want if n in have and have[n] != want[n]]
print('; '.join(bad))
sys.exit(1 if bad or len(want) < 10 else 0)
EOF
$PTBENCH list -v >"$TMP/list-v" 2>&1
out=$(python3 "$TMP/workers.py" "$TMP/list-v" README.md 2>&1)
ok $? "README.md's worker table has exactly the types of ptbench list -v, with their ops and unit op${out:+ ($out)}"
# the check can fail: a row dropped, a row the binary lacks, a wrong unit op
grep -v '^| `mincore` |' README.md >"$TMP/r1.md"
out=$(python3 "$TMP/workers.py" "$TMP/list-v" "$TMP/r1.md" 2>&1)
case $out in "mincore: not in README.md's worker table") ok 0 "a missing row is caught";;
*) ok 1 "a missing row is caught (got: $out)";; esac
sed 's/^| `mincore` |/| `no-such-worker` | `x` | `x` | gone |\n&/' README.md >"$TMP/r2.md"
out=$(python3 "$TMP/workers.py" "$TMP/list-v" "$TMP/r2.md" 2>&1)
case $out in "no-such-worker: in README.md's worker table, not in ptbench list") ok 0 "a row for a type the binary lacks is caught";;
*) ok 1 "a row for a type the binary lacks is caught (got: $out)";; esac
sed 's/^\(| `shmem-punch` | `punch`, `refault` | \)`punch`/\1`refault`/' README.md >"$TMP/r3.md"
out=$(python3 "$TMP/workers.py" "$TMP/list-v" "$TMP/r3.md" 2>&1)
case $out in "shmem-punch: README.md says ops 'punch, refault', unit op 'refault'"*) ok 0 "a wrong unit op is caught";;
*) ok 1 "a wrong unit op is caught (got: $out)";; esac

# nothing points outside the tree
hits=$(grep -rnE 'DESIGN\.md|KERNEL-NOTES|\.\./shared' README.md RESULTS.md doc src bench include scripts \
	scenarios plots Makefile ptbench.1 2>/dev/null)
is "$hits" "" "no reference to DESIGN.md, KERNEL-NOTES.md or ../shared in docs, code or scenarios"

done_testing
