"""Visual regression: each article step's screen, in the seed's revision and the current one
(LANG/current-CHOICE/), against a committed baseline, with a tolerance.

Baselines are kept per browser build (tests/baselines/chromium-VERSION/LANG/): another build
renders text a few pixels differently, and would fail every screen for no change of the UI.
A machine whose build has none skips the comparison and says so; it records its own with
`./test.sh tests/test_e2e_visual.py --update-visual-baselines` (commit them to keep them), which
is also how an intended UI change is accepted.
"""
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from flows.pages.current import CHOICES
from flows.screenshots import render_walkthrough

pytestmark = pytest.mark.e2e

BASELINES = Path(__file__).parent / "baselines"
PIXEL_THRESHOLD = 40        # a channel must move this much (of 255) for a pixel to count as changed
CHANGED_PIXELS_MAX = 0.001  # ... and at most this share of pixels may change (anti-aliasing noise)
# The current revision's screens that change on every run: the IB Key activation code and its QR
# code, the code card's codes and its validity date (the demo users' names and accounts are fixed).
CURRENT_MASK = ("#activation-code", ".activation img", "table.code-card", "#card-validity")
# Steps 1-5 are the same screens whatever the choice: kept once, with IBKR Mobile's.
CURRENT_SCREENS = {"ibkr_mobile": slice(0, 8), "without_ibkr_mobile": slice(5, 8), "other_username": slice(5, 8)}


def changed_share(baseline, actual, diff_path):
    if Path(baseline).read_bytes() == Path(actual).read_bytes():
        return 0.0  # the same PNG file is the same pixels: no need to decode and compare both
    with Image.open(baseline) as a, Image.open(actual) as b:
        if a.size != b.size:
            return 1.0
        diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
        mask = diff.convert("L").point(lambda v: 255 if v >= PIXEL_THRESHOLD else 0)
        changed = mask.histogram()[255]
        if changed:
            Image.composite(Image.new("RGB", a.size, (255, 0, 0)), b.convert("RGB"), mask).save(diff_path)
        return changed / (a.size[0] * a.size[1])


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_article_screens_match_their_baselines(browser, tmp_path, lang, pytestconfig):
    shots = render_walkthrough(browser, lang, str(tmp_path))
    assert len(shots) == 7
    expect_baselines(browser, pytestconfig, tmp_path, shots, lang)


@pytest.mark.parametrize("choice", CHOICES)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_current_revision_screens_match_their_baselines(browser, tmp_path, lang, choice, pytestconfig):
    shots = render_walkthrough(browser, lang, str(tmp_path), revision="current", choice=choice, mask=CURRENT_MASK)
    assert len(shots) == 8
    expect_baselines(browser, pytestconfig, tmp_path, shots[CURRENT_SCREENS[choice]], f"{lang}/current-{choice}")


def expect_baselines(browser, pytestconfig, tmp_path, shots, where):
    """Each shot against tests/baselines/<build>/<where>/ (recorded there with --update-visual-baselines)."""
    build = f"{browser.browser_type.name}-{browser.version}"
    folder = BASELINES / build / where
    if pytestconfig.getoption("--update-visual-baselines"):
        folder.mkdir(parents=True, exist_ok=True)
        for shot in shots:
            (folder / Path(shot).name).write_bytes(Path(shot).read_bytes())
    elif not folder.is_dir():
        pytest.skip(f"no visual baselines for this browser build ({build}) in {folder}: "
                    "record them with --update-visual-baselines")
    problems = []
    for shot in shots:
        name = Path(shot).name
        baseline = folder / name
        if not baseline.exists():
            problems.append(f"{where}/{name}: no baseline (run with --update-visual-baselines)")
            continue
        share = changed_share(baseline, shot, tmp_path / f"diff-{name}")
        if share > CHANGED_PIXELS_MAX:
            problems.append(f"{where}/{name}: {share:.2%} of pixels changed; red marks them in {tmp_path / ('diff-' + name)}")
    assert not problems, "\n".join(problems)


def test_the_comparison_sees_pixels_not_bytes(tmp_path):
    """The check itself, on a committed baseline: the same pixels in another PNG encoding pass,
    a changed patch above the tolerance fails and is marked red in the diff image."""
    baseline = next(BASELINES.glob("*/ja/step-1.png"), None)
    if baseline is None:
        pytest.skip("no visual baselines in tests/baselines/")
    with Image.open(baseline) as image:
        same = image.convert("RGB")
    same.save(tmp_path / "same.png", compress_level=1)
    assert (tmp_path / "same.png").read_bytes() != baseline.read_bytes()
    assert changed_share(baseline, tmp_path / "same.png", tmp_path / "diff-same.png") == 0.0
    assert not (tmp_path / "diff-same.png").exists()

    changed = same.copy()
    changed.paste((0, 0, 0) if same.getpixel((10, 10))[0] > 127 else (255, 255, 255), (0, 0, 60, 60))
    changed.save(tmp_path / "changed.png")
    share = changed_share(baseline, tmp_path / "changed.png", tmp_path / "diff-changed.png")
    assert share > CHANGED_PIXELS_MAX
    with Image.open(tmp_path / "diff-changed.png") as diff:
        assert diff.convert("RGB").getpixel((10, 10)) == (255, 0, 0)
