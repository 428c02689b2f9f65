#!/usr/bin/env python3
"""Read a JUnit file with Debian's python3-junitparser, as a CI consumer
would, and check that what it reads agrees with the file: each suite's
tests/failures/errors/skipped attributes against its cases, every case's
result as written (a failure, an error, a skip with text, or a pass), and
that a failure's or skip's text is in the element body (what GitLab shows).

usage: junit_check.py FILE [WANT]
WANT: "pass,fail,skip,error" counts over all cases to expect.
Exit 0 agreed, 1 not (says why), 77 junitparser is not installed."""
import sys

try:
    from junitparser import JUnitXml, TestSuite, Failure, Error, Skipped
except ImportError:
    print("junitparser not installed (python3-junitparser)")
    sys.exit(77)

xml = JUnitXml.fromfile(sys.argv[1])
suites = [xml] if isinstance(xml, TestSuite) else list(xml)
counts = {"pass": 0, "fail": 0, "skip": 0, "error": 0}
bad = []
for s in suites:
    n = {"pass": 0, "fail": 0, "skip": 0, "error": 0}
    for c in s:
        kinds = [type(r) for r in c.result]
        if Failure in kinds:
            k = "fail"
        elif Error in kinds:
            k = "error"
        elif Skipped in kinds:
            k = "skip"
        else:
            k = "pass"
        n[k] += 1
        for r in c.result:
            if not (r.text or "").strip():
                bad.append("%s: %s: <%s> has no text in its body" % (s.name, c.name, r._tag))
        if c.time is None:
            bad.append("%s: %s: no time" % (s.name, c.name))
    # what the suite's attributes say (junitparser reads them as ints)
    said = (s.tests, s.failures, s.errors, s.skipped)
    got = (sum(n.values()), n["fail"], n["error"], n["skip"])
    if said != got:
        bad.append("%s: tests/failures/errors/skipped say %s, the cases %s" % (s.name, said, got))
    for k in counts:
        counts[k] += n[k]
if len(sys.argv) > 2:
    want = dict(zip(("pass", "fail", "skip", "error"), map(int, sys.argv[2].split(","))))
    if want != counts:
        bad.append("cases %s, want %s" % (counts, want))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
