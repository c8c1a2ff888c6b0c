"""The README's first test, copied into a team's project as it stands, runs green there."""
import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readmes_first_test_passes_in_a_teams_project(pytester):
    blocks = re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), re.M | re.S)
    sample = next(b for b in blocks if b.startswith("# test_sls.py\n"))
    pytester.makepyfile(test_sls=sample)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=240)
    result.assert_outcomes(passed=1)
