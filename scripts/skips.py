"""Every skipped test of a run with its reason, from its JUnit XML (what ./test.sh prints last).

    python scripts/skips.py reports/junit.xml

In CI (CI=true) it exits 1 when a skip is one this machine could run: its reason starts with
SETUP_MISSING (tests/setup_skips.py), i.e. something ./test.sh's setup installs or records (a
tool, a venv, the visual baselines) is missing. Any other skip (a capability the machine lacks,
a file only the repository has) is listed and passes. Standard library only.
"""
import os
import sys
import xml.etree.ElementTree as ET

SETUP_MISSING = "not set up here: "  # the prefix tests/setup_skips.py gives such reasons


def skips(junit):
    """(test, reason) of each skipped test; xfails are not skips."""
    for case in ET.parse(junit).getroot().iter("testcase"):
        skipped = case.find("skipped")
        if skipped is not None and skipped.get("type") != "pytest.xfail":
            yield f"{case.get('classname')}::{case.get('name')}", skipped.get("message", "")


def main(junit):
    if not os.path.exists(junit):
        print(f"skipped tests: unknown, the run wrote no {junit}")
        return 0  # the run itself failed, and says why
    found = sorted(skips(junit))
    print(f"skipped tests: {len(found)}")
    for test, reason in found:
        print(f"  {test}: {reason}")
    could_run = [test for test, reason in found if reason.startswith(SETUP_MISSING)]
    if could_run and os.environ.get("CI") == "true":
        print(f"{len(could_run)} skipped test(s) could run on this machine once set up: in CI that fails the run",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "reports/junit.xml"))
