"""The kit as a guest in another team's environment: sample projects run by pytester.

A team's own Playwright tests (its own site, --base-url, launch arguments, expect() timeout)
run exactly as they do without the kit; its own top-level `flows` package stays its own; the
portal fixtures, where asked for, still work, and log_in lands on the portal's start page.
"""
import http.server
import json
import os
import threading

import pytest

from flows.browser import BrowserNotFound, find_chromium, managed_chromium
from slskit_plugin import PORTAL_FIXTURES


OWN_SITE_TEST = '''
import json, os
from playwright.sync_api import expect


def test_our_own_page(page, base_url, browser_type_launch_args, browser_context_args, set_up_so_far):
    page.goto("/")
    expect(page.get_by_role("heading", name="Our own site")).to_be_visible()
    record = {"test": "own", "base_url": base_url, "page_url": page.url,
              "launch": browser_type_launch_args,
              "context": {k: v for k, v in browser_context_args.items() if k != "record_video_dir"},
              "expect_timeout": expect._timeout, "set_up": sorted(set_up_so_far)}
    with open(os.environ["GUEST_RECORD"], "a") as f:
        f.write(json.dumps(record) + "\\n")
'''
# Which fixtures were set up (a portal that starts unasked would show here), and a team's own
# override of browser_context_args.
RECORDING_CONFTEST = '''
import pytest

SET_UP = []


def pytest_fixture_setup(fixturedef, request):
    SET_UP.append(fixturedef.argname)


@pytest.fixture
def set_up_so_far():
    return SET_UP


# pytest-playwright's documented way to change context options, at session scope.
@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-GB"}
'''
PORTAL_TEST = '''
import json, os
from playwright.sync_api import expect


def test_a_portal_test_beside_it(page, portal, base_url):
    page.goto("/?lang=en")  # relative: this test's context has the portal's base_url
    record = {"test": "portal", "base_url": base_url, "page_url": page.url,
              "portal_url": portal.base_url, "expect_timeout": expect._timeout}
    with open(os.environ["GUEST_RECORD"], "a") as f:
        f.write(json.dumps(record) + "\\n")
'''


class OwnSite(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<!doctype html><title>ours</title><h1>Our own site</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def own_site():
    """The team's own tiny HTTP server."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), OwnSite)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(10)


def system_chromium(headless):
    try:
        return find_chromium(None, headless=headless)
    except BrowserNotFound:  # a machine with only Playwright's own (Ubuntu's is a snap)
        return None


@pytest.fixture
def playwrights_own_chromium(tmp_path, monkeypatch, playwright):
    """Playwright's own Chromium, so pytest-playwright runs without the kit and the kit has
    nothing to help with: installed, or else this machine's linked into a registry of its own."""
    if managed_chromium(playwright, headless=True) and managed_chromium(playwright, headless=False):
        return
    managed = playwright.chromium.executable_path  # <registry>/chromium-REV/chrome-linux64/chrome
    revision = managed.split("chromium-")[-1].split("/")[0]
    registry = tmp_path / "registry"
    full = registry / f"chromium-{revision}" / "chrome-linux64" / "chrome"
    shell = registry / f"chromium_headless_shell-{revision}" / "chrome-headless-shell-linux64" / "chrome-headless-shell"
    for link, headless in ((full, False), (shell, True)):
        link.parent.mkdir(parents=True)
        link.symlink_to(os.path.realpath(system_chromium(headless)))
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(registry))


def records(path):
    found = [json.loads(line) for line in path.read_text().splitlines()]
    path.unlink()
    return {r["test"]: r for r in found}


@pytest.fixture
def team_project(pytester, monkeypatch, tmp_path):
    pytester.makepyfile(test_own_site=OWN_SITE_TEST)
    pytester.makeconftest(RECORDING_CONFTEST)
    record = tmp_path / "record.jsonl"
    monkeypatch.setenv("GUEST_RECORD", str(record))
    return record


def run(pytester, *args):
    # A process of its own, as a team runs pytest: Playwright's soft assertions cannot nest in
    # this one's, and expect()'s timeout is the process's.
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=240)


def test_a_teams_own_playwright_tests_run_as_without_the_kit(pytester, team_project, own_site,
                                                             playwrights_own_chromium):
    run(pytester, "-p", "no:slskit", "--base-url", own_site).assert_outcomes(passed=1)
    without_kit = records(team_project)["own"]

    pytester.makepyfile(test_portal_beside=PORTAL_TEST)
    # A doctest beside them: an item with no fixtures at all.
    pytester.makepyfile(helpers='def double(n):\n    """\n    >>> double(2)\n    4\n    """\n    return 2 * n\n')
    run(pytester, "--base-url", own_site, "--doctest-modules").assert_outcomes(passed=3)
    with_kit = records(team_project)

    own = with_kit["own"]
    assert PORTAL_FIXTURES.isdisjoint(own.pop("set_up"))  # no portal started for it
    without_kit.pop("set_up")
    assert own == without_kit  # base_url, the page's URL, launch and context arguments, expect()
    assert own["base_url"] == own_site and own["page_url"] == own_site + "/"
    assert own["context"]["locale"] == "en-GB"  # the team's own session-scoped override
    assert own["expect_timeout"] is None  # Playwright's own 5 s
    portal = with_kit["portal"]
    assert portal["page_url"].startswith(portal["portal_url"] + "/") and portal["portal_url"] != own_site
    assert portal["base_url"] == own_site  # the fixture stays the team's; only the context's is the portal's
    assert portal["expect_timeout"] == 10_000


def test_without_playwrights_chromium_the_kit_finds_one_and_video_works(pytester, team_project, own_site, tmp_path, monkeypatch):
    if not system_chromium(headless=True):
        pytest.skip("no system Chromium here: without Playwright's own there would be nothing to find")
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "empty-registry"))
    failing = run(pytester, "-p", "no:slskit", "--base-url", own_site)
    failing.assert_outcomes(errors=1)
    failing.stdout.fnmatch_lines(["*Executable doesn't exist*"])

    result = run(pytester, "--base-url", own_site, "--video", "on", "--output", "artifacts")
    result.assert_outcomes(passed=1)
    own = records(team_project)["own"]
    assert own["launch"]["executable_path"] == system_chromium(headless=True)
    videos = list((pytester.path / "artifacts").rglob("*.webm"))
    assert len(videos) == 1 and videos[0].stat().st_size > 0
    # The system ffmpeg, linked where Playwright looks for its own: nothing was downloaded.
    linked = list((tmp_path / "empty-registry").glob("ffmpeg-*/ffmpeg-linux"))
    assert len(linked) == 1 and linked[0].is_symlink()


TEAM_FLOWS_TEST = '''
import flows
from playwright.sync_api import expect
from slskit_plugin import kit


def test_our_flows_is_ours():
    assert flows.OWNER == "the team"


def test_log_in_lands_on_the_portals_start_page(log_in, portal_user, portal):
    user = portal_user(locale="en")
    page = log_in(user)
    assert page.url == portal.url("/portal/")
    kit("pages").PortalMenu(page, "en").expect_loaded()
    page.goto("/portal/settings/user")  # relative: the context's base_url is the portal's
    kit("pages").UserSettingsPage(page, "en").expect_loaded()
    assert flows.OWNER == "the team" and kit().__name__ != "flows"
'''


def test_a_team_with_its_own_flows_package_keeps_it(pytester):
    pytester.mkpydir("flows").joinpath("__init__.py").write_text('OWNER = "the team"\n')
    pytester.makepyfile(test_team=TEAM_FLOWS_TEST)
    # `python -m pytest` in the project: its `flows` comes first on sys.path.
    run(pytester).assert_outcomes(passed=2)
