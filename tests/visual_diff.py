"""How a screenshot is compared with its baseline, as Playwright's toHaveScreenshot compares: a
pixel counts as changed when its perceived colour difference (YIQ, pixelmatch's scale) is above
THRESHOLD; a screen fails when more than MAX_DIFF_PIXEL_RATIO of its pixels changed. Why these
values: tests/e2e/test_visual.py and bench/results/visual-tolerance.md."""
from pathlib import Path

from PIL import Image, ImageMath


BASELINES = Path(__file__).parent / "e2e" / "baselines"
THRESHOLD = 0.2               # Playwright's `threshold`: perceived colour difference, 0-1
MAX_DIFF_PIXEL_RATIO = 0.0001  # Playwright's `maxDiffPixelRatio`
# pixelmatch's colour distance: 35215 is the largest squared YIQ difference (black against white).
MAX_YIQ_DELTA = 35215


def _yiq_delta(a, b):
    """Per pixel, pixelmatch's squared YIQ difference of two RGB images (an 'F' image)."""
    (r1, g1, b1), (r2, g2, b2) = ([band.convert("F") for band in image.split()] for image in (a, b))

    def delta(e):
        dr, dg, db = e["r1"] - e["r2"], e["g1"] - e["g2"], e["b1"] - e["b2"]
        y = 0.29889531 * dr + 0.58662247 * dg + 0.11448223 * db
        i = 0.59597799 * dr - 0.27417610 * dg - 0.32180189 * db
        q = 0.21147017 * dr - 0.52261711 * dg + 0.31114694 * db
        return 0.5053 * y * y + 0.299 * i * i + 0.1957 * q * q
    return ImageMath.lambda_eval(delta, r1=r1, g1=g1, b1=b1, r2=r2, g2=g2, b2=b2)


def changed_share(baseline, actual, diff_path):
    if Path(baseline).read_bytes() == Path(actual).read_bytes():
        return 0.0  # the same PNG file is the same pixels: no need to decode and compare both
    with Image.open(baseline) as a, Image.open(actual) as b:
        if a.size != b.size:
            return 1.0
        a, b = a.convert("RGB"), b.convert("RGB")
        limit = MAX_YIQ_DELTA * THRESHOLD ** 2
        mask = ImageMath.lambda_eval(lambda e: (e["d"] > limit) * 255, d=_yiq_delta(a, b)).convert("L")
        changed = mask.histogram()[255]
        if changed:
            Image.composite(Image.new("RGB", a.size, (255, 0, 0)), b, mask).save(diff_path)
        return changed / (a.size[0] * a.size[1])
