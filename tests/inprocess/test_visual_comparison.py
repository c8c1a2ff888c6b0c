"""The screenshot comparison itself (tests/visual_diff.py), on a committed baseline."""


import pytest
from PIL import Image
from visual_diff import BASELINES, MAX_DIFF_PIXEL_RATIO, changed_share


def test_the_comparison_sees_pixels_not_bytes(tmp_path):
    """The check itself, on a committed baseline: the same pixels in another PNG encoding pass,
    so does a shift of every colour below THRESHOLD (a renderer's anti-aliasing drift); a changed
    patch above the tolerance fails and is marked red in the diff image."""
    baseline = next(BASELINES.glob("*/ja/step-1.png"), None)
    if baseline is None:
        pytest.skip("no visual baselines in tests/e2e/baselines/ (they are the repository's, not the wheel's)")
    with Image.open(baseline) as image:
        same = image.convert("RGB")
    same.save(tmp_path / "same.png", compress_level=1)
    assert (tmp_path / "same.png").read_bytes() != baseline.read_bytes()
    assert changed_share(baseline, tmp_path / "same.png", tmp_path / "diff-same.png") == 0.0
    assert not (tmp_path / "diff-same.png").exists()

    same.point(lambda v: max(v - 6, 0)).save(tmp_path / "drift.png")
    assert changed_share(baseline, tmp_path / "drift.png", tmp_path / "diff-drift.png") == 0.0

    changed = same.copy()
    changed.paste((0, 0, 0) if same.getpixel((10, 10))[0] > 127 else (255, 255, 255), (0, 0, 60, 60))
    changed.save(tmp_path / "changed.png")
    share = changed_share(baseline, tmp_path / "changed.png", tmp_path / "diff-changed.png")
    assert share > MAX_DIFF_PIXEL_RATIO
    with Image.open(tmp_path / "diff-changed.png") as diff:
        assert diff.convert("RGB").getpixel((10, 10)) == (255, 0, 0)
