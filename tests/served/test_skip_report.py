"""The skip report ./test.sh ends with (scripts/skips.py): every skip listed with its reason, and
in CI a skip the machine could run once set up (tests/setup_skips.py) fails the run, while a
legitimate one (a capability the machine lacks) does not. Run on a sample project's JUnit XML."""
import os
import subprocess
import sys
from pathlib import Path

import pytest


TESTS = Path(__file__).resolve().parents[1]
SKIPS = TESTS.parent / "scripts" / "skips.py"
pytestmark = pytest.mark.skipif(not SKIPS.exists(), reason="checks the repository's scripts/ (not in the wheel)")

SAMPLE = '''
import pytest
from setup_skips import SETUP_MISSING, skip_until_set_up


def test_runs():
    pass


def test_needs_a_tool_the_setup_installs():
    skip_until_set_up("no xvfb-run (./test.sh's setup installs it)")


@pytest.mark.skipif(True, reason=SETUP_MISSING + "no IBeam environment")
def test_marked_as_needing_setup():
    pass


def test_needs_what_this_machine_lacks():
    pytest.skip("no private mount namespace here")


@pytest.mark.xfail(reason="a known bug, not a skip")
def test_known_bug():
    assert False
'''


def report(junit, ci):
    env = {k: v for k, v in os.environ.items() if k != "CI"} | ({"CI": "true"} if ci else {})
    return subprocess.run([sys.executable, str(SKIPS), str(junit)], capture_output=True, text=True, env=env,
                          timeout=60)


def test_every_skip_is_listed_and_in_ci_one_the_machine_could_run_fails_the_run(pytester):
    pytester.makepyfile(setup_skips=(TESTS / "setup_skips.py").read_text(), test_sample=SAMPLE)
    pytester.runpytest_subprocess("-p", "no:cacheprovider", "--junitxml=junit.xml").assert_outcomes(
        passed=1, skipped=3, xfailed=1)
    junit = pytester.path / "junit.xml"
    run = report(junit, ci=False)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "skipped tests: 3"
    assert "  test_sample::test_needs_what_this_machine_lacks: no private mount namespace here" in lines
    assert "  test_sample::test_needs_a_tool_the_setup_installs: not set up here: no xvfb-run (./test.sh's setup installs it)" in lines
    assert "  test_sample::test_marked_as_needing_setup: not set up here: no IBeam environment" in lines
    assert "known_bug" not in run.stdout

    run = report(junit, ci=True)
    assert run.returncode == 1
    assert "2 skipped test(s) could run on this machine once set up" in run.stderr


def test_in_ci_legitimate_skips_alone_pass(pytester):
    pytester.makepyfile(test_sample='''
import pytest

def test_needs_what_this_machine_lacks():
    pytest.skip("no private mount namespace here")
''')
    pytester.runpytest_subprocess("-p", "no:cacheprovider", "--junitxml=junit.xml").assert_outcomes(skipped=1)
    run = report(pytester.path / "junit.xml", ci=True)
    assert run.returncode == 0, run.stderr
    assert "skipped tests: 1" in run.stdout


def test_a_run_that_wrote_no_report_is_said_so(tmp_path):
    run = report(tmp_path / "junit.xml", ci=True)
    assert run.returncode == 0 and "the run wrote no" in run.stdout
