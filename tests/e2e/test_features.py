"""The article's specification in Gherkin (flows/features/{ja,en}), run by pytest-bdd with the
kit's steps and fixtures: real Chromium, real `slskit serve`; and `slskit spec`'s pages of a run.
A team's own project with the kit's steps: tests/installed/test_team_features.py."""
import re
import subprocess
import sys

from pytest_bdd import scenarios

from flows.steps import features


scenarios(features("ja"), features("en"))


def test_slskit_spec_writes_a_page_per_feature_from_a_run(tmp_path):
    out = tmp_path / "spec-en"
    result = subprocess.run([sys.executable, "-m", "flows.cli", "spec", "--lang", "en", "--out", str(out),
                             "--", "-k", "agreement"], capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="2_opt_out_effects.html">What an opt-out changes, and opting out again</a>' in index
    page = (out / "2_opt_out_effects.html").read_text(encoding="utf-8")
    assert "Scenario: A primary user accepts the opt-out agreement and opts out again" in page
    steps = re.findall(r'<li class="(\w+)"><span class="kw">(\w+) ?</span>(.*?)<span class="time">', page)
    assert [(state, keyword) for state, keyword, _ in steps] == [("passed", "Given"), ("passed", "Given"), (
        "passed", "When"), ("passed", "And"), ("passed", "Then"), ("passed", "And"), ("passed", "And")]
    shots = re.findall(r'<img src="([^"]+)"', page)
    assert len(shots) == 5 and all((out / name).stat().st_size > 5000 for name in shots)  # a screen after each browser step
