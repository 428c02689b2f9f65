#!/bin/bash
# The documentation stays inside the repository: every relative link in the
# Markdown files points to a file that exists here (and to a heading that
# exists, for #anchors), and nothing sends the reader to a folder a clone
# does not have.
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

# nothing points outside the tree
hits=$(grep -rnE 'DESIGN\.md|KERNEL-NOTES|\.\./shared' README.md RESULTS.md doc src bench include scripts \
	scenarios plots Makefile ptbench.1 2>/dev/null)
is "$hits" "" "no reference to DESIGN.md, KERNEL-NOTES.md or ../shared in docs, code or scenarios"

done_testing
