"""Visual regression: each article step's screen, in the seed's revision and the current one
(LANG/current-CHOICE/), against a committed baseline, with a tolerance.

Baselines are kept per browser major version (tests/e2e/baselines/chromium-MAJOR/LANG/) and compared
as Playwright's toHaveScreenshot compares: a pixel counts as changed when its perceived colour
difference (YIQ, pixelmatch's scale) is above THRESHOLD, and a screen fails when more than
MAX_DIFF_PIXEL_RATIO of its pixels changed (pixelmatch's anti-aliasing allowance is left out,
which is stricter). Measured (bench/results/visual-tolerance.md): Chromium 156.0.8078.108 and .114
drew 41 of the 42 screens byte for byte the same and one pixel of the 42nd differently (colour
difference 0.011); two runs on one build, nothing. A one-letter change of a heading changes 144
pixels at 0.2, a link's colour 468, one word 7,838. So THRESHOLD = 0.2 (Playwright's default)
and MAX_DIFF_PIXEL_RATIO = 0.0001 (75 pixels of a 1100x680 screen): a patch release passes, any
of those changes fails (an added full stop, 30 pixels, does not).

A build whose major has no baselines skips, saying so with the command that records them:
`./test.sh tests/e2e/test_visual.py --update-visual-baselines` (commit them to keep them), which
is also how an intended UI change is accepted. In CI (CI=true) it fails instead, so a new
browser cannot switch the check off unseen.
"""
import os
from pathlib import Path

import pytest

from flows.command.screenshots import VIEWPORT, render_walkthrough
from flows.pages.current import CHOICES
from setup_skips import skip_until_set_up
from visual_diff import BASELINES, MAX_DIFF_PIXEL_RATIO, changed_share


RECORD = "./test.sh tests/e2e/test_visual.py --update-visual-baselines"
# The current revision's screens that change on every run: the IB Key activation code and its QR
# code, the code card's codes and its validity date (the demo users' names and accounts are fixed).
CURRENT_MASK = ("#activation-code", ".activation img", "table.code-card", "#card-validity")
# Steps 1-5 are the same screens whatever the choice: kept once, with IBKR Mobile's.
CURRENT_SCREENS = {"ibkr_mobile": slice(0, 8), "without_ibkr_mobile": slice(5, 8), "other_username": slice(5, 8)}
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_article_screens_match_their_baselines(browser, tmp_path, lang, pytestconfig):
    folder = baseline_folder(browser, pytestconfig)
    shots = render_walkthrough(browser, lang, str(tmp_path))
    assert len(shots) == 7
    expect_baselines(folder, pytestconfig, tmp_path, shots, lang)


@pytest.mark.parametrize("choice", CHOICES)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_current_revision_screens_match_their_baselines(browser, tmp_path, lang, choice, pytestconfig):
    folder = baseline_folder(browser, pytestconfig)
    shots = render_walkthrough(browser, lang, str(tmp_path), revision="current", choice=choice, mask=CURRENT_MASK)
    assert len(shots) == 8
    expect_baselines(folder, pytestconfig, tmp_path, shots[CURRENT_SCREENS[choice]], f"{lang}/current-{choice}")


def baseline_folder(browser, pytestconfig):
    """tests/e2e/baselines/<browser>-<major>/; where there is none (and none is being recorded), a skip
    that says how to record them, or in CI a failure."""
    key = f"{browser.browser_type.name}-{browser.version.split('.')[0]}"
    folder = BASELINES / key
    if not folder.is_dir() and not pytestconfig.getoption("--update-visual-baselines"):
        missing = f"no visual baselines for {key} (this build is {browser.version}) in {folder}: record them with {RECORD}"
        if os.environ.get("CI") == "true":
            pytest.fail(missing, pytrace=False)
        skip_until_set_up(missing)
    return folder


def expect_baselines(folder, pytestconfig, tmp_path, shots, where):
    """Each shot against folder/<where>/ (recorded there with --update-visual-baselines)."""
    folder = folder / where
    if pytestconfig.getoption("--update-visual-baselines"):
        folder.mkdir(parents=True, exist_ok=True)
        for shot in shots:
            (folder / Path(shot).name).write_bytes(Path(shot).read_bytes())
    problems = []
    for shot in shots:
        name = Path(shot).name
        baseline = folder / name
        if not baseline.exists():
            problems.append(f"{where}/{name}: no baseline (record it with {RECORD})")
            continue
        share = changed_share(baseline, shot, tmp_path / f"diff-{name}")
        if share > MAX_DIFF_PIXEL_RATIO:
            problems.append(f"{where}/{name}: {share:.3%} of pixels changed; red marks them in {tmp_path / ('diff-' + name)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("change", [
    "const h = document.querySelector('h1'); h.textContent = h.textContent.replace('e', 'a')",
    "document.querySelector('a').style.color = '#0a58ca'",
], ids=["a-letter-of-the-heading", "a-links-colour"])
def test_a_changed_screen_fails_its_baseline(browser, portal_url, tmp_path, pytestconfig, change):
    """A deliberate change of a real screen (one letter of step 1's heading, a link's colour)
    fails the comparison with its baseline, which the same screen unchanged passes."""
    baseline = baseline_folder(browser, pytestconfig) / "en" / "step-1.png"
    if not baseline.exists():  # a new major's, which --update-visual-baselines is recording now
        skip_until_set_up(f"no {baseline} yet: run again once {RECORD} has recorded it")
    context = browser.new_context(viewport=VIEWPORT, locale="en", reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(f"{portal_url}/?lang=en")  # step 1's screen: the home page
        page.screenshot(path=tmp_path / "same.png", animations="disabled", caret="hide")
        page.evaluate(change)
        page.screenshot(path=tmp_path / "changed.png", animations="disabled", caret="hide")
    finally:
        context.close()
    assert changed_share(baseline, tmp_path / "same.png", tmp_path / "diff-same.png") <= MAX_DIFF_PIXEL_RATIO
    assert changed_share(baseline, tmp_path / "changed.png", tmp_path / "diff-changed.png") > MAX_DIFF_PIXEL_RATIO
    assert (tmp_path / "diff-changed.png").exists()


