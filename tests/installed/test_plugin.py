"""The plugin as another team meets it: a new project with only a test file, run by pytest in
its own process, with the options pytest-playwright users already know."""
import json
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from contextlib import ExitStack, contextmanager

import pytest

from flows.browser import chromium_path, launch_args
from flows.live import LivePortal


FIRST_TEST = '''
from flows import cancel_sls_opt_out


def test_opted_out_user_turns_two_factor_login_back_on(page, portal, portal_user):
    user = portal_user(sls_opted_out=True, locale="ja")
    cancel_sls_opt_out(page, portal.base_url, user)
    assert portal.user_state(user.username)["sls_opted_out"] == 0
'''


def run(pytester, *args):
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=240)


def test_a_new_project_with_a_ten_line_test_is_green(pytester):
    pytester.makepyfile(test_sls=FIRST_TEST)
    result = run(pytester)
    result.assert_outcomes(passed=1)


def test_two_workers_each_get_their_own_portal(pytester):
    out = pytester.path / "urls.txt"
    pytester.makepyfile(test_workers=f'''
import os, pytest

@pytest.mark.parametrize("n", range(4))
def test_server(portal, portal_user, n):
    user = portal_user()
    with open({str(out)!r}, "a") as f:
        f.write(os.environ["PYTEST_XDIST_WORKER"] + " " + portal.base_url + "\\n")
    assert portal.user_state(user.username)["sls_opted_out"] == 1
''')
    # --dist each: every worker runs every test, so both surely start their own portal.
    result = run(pytester, "-n", "2", "--dist", "each")
    result.assert_outcomes(passed=8)
    pairs = {tuple(line.split()) for line in out.read_text().splitlines()}
    workers = {w for w, _ in pairs}
    urls = {u for _, u in pairs}
    assert len(workers) == 2 and len(urls) == 2


def test_a_failing_test_leaves_a_report_with_its_trace_and_screenshot(pytester):
    pytester.makepyfile(test_fails='''
from playwright.sync_api import expect

def test_expects_the_wrong_heading(page, portal):
    page.goto(portal.url("/?lang=en"))
    expect(page.get_by_role("heading", name="No such heading")).to_be_visible(timeout=500)
''')
    # As ./test.sh runs: traces without the screencast frames.
    result = run(pytester, "--tracing", "retain-on-failure", "--slskit-trace-screencast", "off",
                 "--screenshot", "only-on-failure",
                 "--output", "artifacts", "--junitxml", "reports/junit.xml",
                 "--html", "reports/report.html", "--self-contained-html")
    result.assert_outcomes(failed=1)
    properties = {p.get("name"): p.get("value")
                  for p in ET.parse(pytester.path / "reports/junit.xml").iter("property")}
    with zipfile.ZipFile(pytester.path / properties["playwright_trace"]) as trace:
        events = [json.loads(line) for line in trace.read("trace.trace").splitlines()]
    kinds = {event.get("type") for event in events}
    assert "frame-snapshot" in kinds and "screencast-frame" not in kinds, kinds
    assert any(event.get("method") == "goto" for event in events)  # the test's own actions
    assert (pytester.path / properties["playwright_screenshot"]).stat().st_size > 0
    report = (pytester.path / "reports/report.html").read_text()
    assert "Trace" in report and "trace.zip" in report
    assert re.search(r"iVBORw0KGgo", report)  # the screenshot, embedded as PNG


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_portal_url_runs_against_a_running_portal(pytester, tmp_path, scheme):
    pytester.makepyfile(test_sls=FIRST_TEST)
    # Over HTTPS (`slskit serve --tls`): the hooks trust the printed certificate (--portal-ca), the
    # browsers accept it.
    with LivePortal(str(tmp_path / "db.sqlite"), test_hooks=True,
                    extra_args=["--tls"] if scheme == "https" else []) as running:
        assert running.base_url.startswith(f"{scheme}://")
        ca = ["--portal-ca", running.ca_file] if scheme == "https" else []
        result = run(pytester, "--portal-url", running.base_url, "--portal-lang", "en", *ca)
        result.assert_outcomes(passed=1)


def test_portal_url_without_test_hooks_is_a_clear_error(pytester, tmp_path):
    pytester.makepyfile(test_sls=FIRST_TEST)
    with LivePortal(str(tmp_path / "db.sqlite"), test_hooks=False, fast_password_hash=True) as running:
        result = run(pytester, "--portal-url", running.base_url)
    assert result.ret == pytest.ExitCode.USAGE_ERROR  # once, before any test: one line
    result.stderr.fnmatch_lines(["ERROR: --portal-url: *has no test hooks*--enable-test-hooks*"])


def _read_until(stream, pattern, timeout=30):
    selector = selectors.DefaultSelector()
    selector.register(stream, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and selector.select(deadline - time.monotonic()):
        line = stream.readline()
        if not line:
            break
        match = re.search(pattern, line)
        if match:
            return match.group(1)
    raise AssertionError(f"no line matching {pattern!r}")


@contextmanager
def running_run_server(log=subprocess.DEVNULL):
    """A local `playwright run-server`, standing in for a browser machine elsewhere; its debug
    log (each client connection it serves) goes to `log`."""
    cli = shutil.which("playwright", path=str(__import__("pathlib").Path(sys.executable).parent))
    # Its own process group: the `playwright` command runs the server in a node child, which a
    # signal to the command alone would leave running.
    process = subprocess.Popen([cli, "run-server", "--host", "127.0.0.1", "--port", "0", "--unsafe"],
                               stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True,
                               env={**os.environ, "DEBUG": "pw:server"})
    try:
        yield _read_until(process.stdout, r"Listening on (ws://\S+)")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(15)
        process.stdout.close()


@pytest.fixture
def run_server():
    with running_run_server() as endpoint:
        yield endpoint


def test_connect_runs_the_browser_through_a_run_server(pytester, run_server, playwright):
    pytester.makepyfile(test_sls=FIRST_TEST + '''
import os


def descendants(pid):
    children = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        kids = children.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def test_no_browser_runs_under_this_process(browser):
    # A launched browser would be a grandchild (through Playwright's driver); a connected one is not.
    names = [open(f"/proc/{p}/comm").read().strip() for p in descendants(os.getpid()) if os.path.exists(f"/proc/{p}/comm")]
    assert browser.is_connected() and not [n for n in names if "chrom" in n], names
''')
    result = run(pytester, "--slskit-connect", run_server, "--slskit-browser-path", chromium_path(playwright))
    result.assert_outcomes(passed=2)


def test_connect_spreads_the_workers_over_several_run_servers(pytester, tmp_path, playwright):
    out = pytester.path / "used.txt"
    pytester.makepyfile(test_pool=f'''
import os, pytest

@pytest.mark.parametrize("n", range(2))
def test_through_a_run_server(browser, connect_options, n):
    page = browser.new_page()
    page.set_content("<h1>ok</h1>")
    assert page.inner_text("h1") == "ok"
    with open({str(out)!r}, "a") as f:
        f.write(os.environ["PYTEST_XDIST_WORKER"] + " " + connect_options["endpoint"] + "\\n")
''')
    logs = [tmp_path / "server-a.log", tmp_path / "server-b.log"]
    with ExitStack() as servers:
        endpoints = [servers.enter_context(running_run_server(servers.enter_context(open(log, "w"))))
                     for log in logs]
        # --dist each: both workers surely start a browser; one endpoint comma-separated, the same
        # option repeated for the other.
        result = run(pytester, "-n", "2", "--dist", "each", "--slskit-connect", endpoints[0] + ",",
                     "--slskit-connect", endpoints[1], "--slskit-browser-path", chromium_path(playwright))
    result.assert_outcomes(passed=4)
    used = {tuple(line.split()) for line in out.read_text().splitlines()}
    assert used == {("gw0", endpoints[0]), ("gw1", endpoints[1])}
    # ... and each server really served a client: the other worker's browser is not its own.
    for log in logs:
        assert "serving connection" in log.read_text(), log.read_text()[-2000:]


def test_cdp_uses_an_already_running_chromium(pytester, tmp_path, playwright):
    # Its own process group, stopped as a whole: the browser and every helper process it started.
    process = subprocess.Popen([chromium_path(playwright), "--headless", *launch_args(), "--remote-debugging-port=0",
                                f"--user-data-dir={tmp_path / 'profile'}", "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        ws = _read_until(process.stderr, r"DevTools listening on (ws://\S+)")
        endpoint = "http://" + ws.split("/")[2]
        pytester.makepyfile(test_sls=FIRST_TEST)
        result = run(pytester, "--slskit-cdp", endpoint)
        result.assert_outcomes(passed=1)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(15)
        process.stderr.close()
