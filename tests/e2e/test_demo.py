"""`slskit demo`: the article's flow run and its stored state verified; a portal it cannot reach is
one line; headed, a person can follow it: a caption with the current article step on every page,
and the element about to be clicked outlined."""
import shutil
import socket
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from flows import cancel_sls_opt_out
from flows.flow import ARTICLE_STEPS
from flows.headed import Presenter
from setup_skips import SETUP_MISSING


def run(*args, **kw):
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True, timeout=120, **kw)


def test_the_caption_follows_the_article_steps_across_pages(page, portal, portal_user):
    user = portal_user(locale="en")
    presenter = Presenter(page, "en")
    highlighted, seen = [], []
    caption = page.locator("#slskit-caption")

    def check(step):
        # After each step, the page it led to still shows that step's caption.
        expect(caption).to_have_text(f"Step {step.number} / 7 — {ARTICLE_STEPS['en'][step.number - 1]}")
        box, viewport = caption.bounding_box(), page.viewport_size
        assert box["y"] + box["height"] <= viewport["height"] and box["width"] <= viewport["width"]
        seen.append(step.number)

    cancel_sls_opt_out(page, portal.base_url, user, on_start=presenter.caption, on_done=check,
                       highlight=highlighted.append)
    assert seen == [1, 2, 3, 4, 5, 6, 7]
    assert len(highlighted) >= 9  # every click of the flow, from the login menu to OK


@pytest.mark.skipif(not shutil.which("xvfb-run"), reason=SETUP_MISSING + "xvfb-run is installed by ./test.sh's setup")
def test_headed_demo_runs_in_a_real_window_on_a_virtual_display():
    result = subprocess.run(["xvfb-run", "-a", sys.executable, "-m", "flows.cli", "demo", "--headed", "--lang", "ja"],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert "verified on screen and in the database" in result.stdout


def test_demo_runs_the_article_and_verifies_the_stored_state():
    result = run("demo", "--lang", "en")
    assert result.returncode == 0, result.stderr
    steps = [line for line in result.stdout.splitlines() if line.strip().startswith("step ")]
    assert len(steps) == 7 and "Click OK to finish." in steps[-1]
    assert "verified on screen and in the database" in result.stdout


def test_an_unreachable_base_url_is_one_line():
    with socket.socket() as unused:  # a port nothing listens on: bound, never listening
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}"
        result = run("demo", "--base-url", url)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"slskit demo: cannot reach the portal at {url}")
