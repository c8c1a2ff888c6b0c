"""The article's specification in Gherkin (flows/features/{ja,en}), run by pytest-bdd with the
kit's steps and fixtures: real Chromium, real `slskit serve`. Then the same in a team's project
that only installed the kit: the README's sample scenario, a misspelled step, a headed run."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_bdd import scenarios

from flows.steps import features
from setup_skips import SETUP_MISSING

pytestmark = pytest.mark.e2e

scenarios(features("ja"), features("en"))


# A team's project that only installed the kit: the README's scenario, a misspelling, a headed run.

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_block(first_line):
    """The fenced block of the README that starts with `first_line`."""
    blocks = re.findall(r"^```\w*\n(.*?)^```", README.read_text(encoding="utf-8"), re.M | re.S)
    return next(b for b in blocks if b.startswith(first_line + "\n"))


def sample_project(pytester):
    pytester.mkdir("features")
    sample = readme_block("# features/sms_user.feature")
    (pytester.path / "features/sms_user.feature").write_text(sample, encoding="utf-8")
    pytester.makepyfile(test_our_features=readme_block("# test_our_features.py"))
    return sample


def test_the_readme_scenario_passes_and_a_misspelled_step_fails_with_one_message(pytester):
    sample = sample_project(pytester)
    typo = sample.replace("シナリオ: SMSの", "シナリオ: 綴りを誤った").replace("設定を開きます", "設定を開きまう")
    (pytester.path / "features/typo.feature").write_text(typo, encoding="utf-8")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=240)
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    failure = out[out.index("= FAILURES =") + len("= FAILURES ="):out.index("short test summary info")]
    line = typo.splitlines().index("    もし 「佐藤」がポータルにログインしてセキュア・ログイン設定を開きまう") + 1
    body = [l for l in failure.splitlines()[1:] if l.strip() and not l.startswith(("_", "-", "="))]
    assert body == [
        "Undefined step: もし 「佐藤」がポータルにログインしてセキュア・ログイン設定を開きまう",
        f"  at {pytester.path / 'features/typo.feature'}:{line} (scenario: 綴りを誤ったユーザーもセキュア・ログイン設定でオプトアウト中と確認できます)",
        "  closest defined steps:",
        "    「{user}」がポータルにログインしてセキュア・ログイン設定を開きます",
    ] + body[4:]
    assert "Traceback" not in failure and "scenario.py" not in failure


CAPTION_CHECK = '''
import re
from playwright.sync_api import expect
from pytest_bdd import then


@then("キャプションにこのステップが表示されています")
def _(page):
    expect(page.locator("#slskit-caption")).to_have_text(re.compile("ならば キャプションにこのステップが表示されています$"))
'''


@pytest.mark.skipif(not shutil.which("xvfb-run"), reason=SETUP_MISSING + "xvfb-run is installed by ./test.sh's setup")
def test_a_headed_run_shows_the_gherkin_step_being_run_in_the_caption(pytester):
    pytester.mkdir("features")
    (pytester.path / "features/caption.feature").write_text(
        "# language: ja\n機能: キャプション\n  シナリオ: 今のステップ\n"
        "    前提 クライアント・ポータルの言語は「ja」です\n"
        "    かつ SLSをオプトアウトしている主要なユーザー「佐藤」がいます\n"
        "    もし ブラウザーを開いてibkr.comに進んでください。\n"
        "    ならば キャプションにこのステップが表示されています\n", encoding="utf-8")
    pytester.makeconftest(CAPTION_CHECK)
    pytester.makepyfile(test_caption='from pytest_bdd import scenarios\n\nscenarios("features")\n')
    result = pytester.run("xvfb-run", "-a", sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--headed",
                          timeout=240)
    assert result.ret == 0, result.stdout.str()[-3000:]
    result.assert_outcomes(passed=1)


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
