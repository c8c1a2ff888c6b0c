"""The kit's Gherkin steps in a team's project that only installed the kit (through pytester):
the team's own scenarios run as pytest-bdd runs them, the documented sample scenario passes and a
misspelled step fails with one message (docs/gherkin.md's samples), a headed run shows the step being run in its caption."""
import re
import shutil
import sys
from pathlib import Path

import pytest

from setup_skips import SETUP_MISSING


def test_a_teams_own_scenarios_run_as_pytest_bdd_runs_them(pytester):
    # No portal, no caption, pytest-bdd's own error for an undefined step: the kit's hooks touch
    # only scenarios with at least one of its sentences.
    pytester.makefile(".feature", own="Feature: ours\n  Scenario: ours\n    Given our own step\n    Then our own chek\n")
    pytester.makepyfile(test_own='''
from pytest_bdd import given, scenarios

scenarios("own.feature")


@given("our own step")
def _(request):
    assert "portal" not in request.fixturenames
''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*StepDefinitionNotFoundError: Step definition is not found: Then \"our own chek\"*"])
    assert "Undefined step:" not in result.stdout.str()


GHERKIN_PAGE = Path(__file__).resolve().parents[2] / "docs" / "gherkin.md"


def readme_block(first_line):
    """The fenced block of docs/gherkin.md that starts with `first_line`: what a team copies."""
    blocks = re.findall(r"^```\w*\n(.*?)^```", GHERKIN_PAGE.read_text(encoding="utf-8"), re.M | re.S)
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
