"""Every combination of browser settings docs/browser.md lists, in a team's project run by pytester:
the browser that runs, and the one line that says which setting wins where two conflict. This
machine has no Playwright download (each test makes sure with an empty registry): the browsers
are the system's, found by the kit."""
import json

import pytest

from flows.browser import MISSING, BrowserNotFound, find_chromium
from slskit_plugin import BROWSER_ENV_VAR


RECORDING_TEST = '''
import json, os


def test_a_page(page, browser_type_launch_args):
    page.set_content("<h1>ok</h1>")
    assert page.inner_text("h1") == "ok"
    with open(os.environ["LAUNCH_RECORD"], "w") as f:
        json.dump(browser_type_launch_args, f)
'''
# What the kit hands pytest-playwright, without launching it.
LAUNCH_ARGS_ONLY = '''
import json, os


def test_launch_args(browser_type_launch_args):
    with open(os.environ["LAUNCH_RECORD"], "w") as f:
        json.dump(browser_type_launch_args, f)
'''
THEIR_OWN_EXECUTABLE = '''
import pytest


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/opt/our-chrome/chrome"}
'''
NOT_A_BROWSER = "/nonexistent/chromium"


def system_chromium(headless):
    try:
        return find_chromium(None, headless=headless)
    except BrowserNotFound:
        return None


@pytest.fixture
def full_chromium():
    path = system_chromium(headless=False)
    if not path:
        pytest.skip("no system Chromium here: these runs need one in place of Playwright's download")
    return path


@pytest.fixture
def project(pytester, monkeypatch, tmp_path):
    """A team's project on a machine without Playwright's download, recording the launch args."""
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "empty-registry"))
    monkeypatch.delenv(BROWSER_ENV_VAR, raising=False)
    record = tmp_path / "launch.json"
    monkeypatch.setenv("LAUNCH_RECORD", str(record))
    return record


def run(pytester, *args):
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=240)


def header(result):
    """The kit's lines in the run's header."""
    return [line for line in result.stdout.lines if line.startswith("slskit: ")]


@pytest.mark.parametrize("options, environment, said", [
    pytest.param(["--slskit-browser-path", "{full}"], {}, [], id="path"),
    pytest.param([], {BROWSER_ENV_VAR: "{full}"}, [], id="environment"),
    pytest.param(["--slskit-browser-path", "{full}"], {BROWSER_ENV_VAR: NOT_A_BROWSER},
                 [f"slskit: --slskit-browser-path {{full}} wins over {BROWSER_ENV_VAR}={NOT_A_BROWSER}: "
                  "the command line is this run's own"], id="path-and-environment"),
    # The issue's own command line.
    pytest.param(["--browser-channel", "chromium", "--slskit-browser-path", "{full}"], {},
                 ["slskit: --slskit-browser-path {full} wins over --browser-channel chromium: it names the "
                  "Chromium to launch outright (without it the channel would run)"], id="path-and-channel"),
    pytest.param(["--browser-channel", "chrome"], {BROWSER_ENV_VAR: "{full}"},
                 [f"slskit: {BROWSER_ENV_VAR}={{full}} wins over --browser-channel chrome: it names the "
                  "Chromium to launch outright (without it the channel would run)"], id="environment-and-channel"),
])
def test_the_kits_browser_setting_runs_and_the_header_names_what_it_wins_over(
        pytester, project, full_chromium, options, environment, said, monkeypatch):
    for name, value in environment.items():
        monkeypatch.setenv(name, value.format(full=full_chromium))
    pytester.makepyfile(test_own=RECORDING_TEST)
    result = run(pytester, *[option.format(full=full_chromium) for option in options])
    result.assert_outcomes(passed=1)
    launched = json.loads(project.read_text())
    assert launched["executable_path"] == full_chromium and "channel" not in launched, launched
    assert header(result) == [line.format(full=full_chromium) for line in said]
    assert "BrowserSettingWarning" not in result.stdout.str()


def test_channel_chromium_without_playwrights_download_runs_the_kits_chromium_and_says_so(
        pytester, project, full_chromium):
    pytester.makepyfile(test_own=RECORDING_TEST)
    result = run(pytester, "--browser-channel", "chromium")
    result.assert_outcomes(passed=1)
    launched = json.loads(project.read_text())
    # The full browser the channel names, not the headless shell a plain headless run gets.
    assert launched["executable_path"] == full_chromium and "channel" not in launched, launched
    result.stdout.fnmatch_lines(["*BrowserSettingWarning: Playwright's own Chromium, which the channel 'chromium' "
                                 f"asks for, is not installed here: {full_chromium} runs in its place"])
    assert header(result) == []


@pytest.mark.parametrize("options", [[], ["--browser-channel", "chromium"]], ids=["no-option", "channel-chromium"])
def test_with_no_browser_at_all_the_run_says_how_to_install_one(pytester, project, monkeypatch, tmp_path, options):
    monkeypatch.setenv("PATH", str(tmp_path / "no-browsers-here"))
    pytester.makepyfile(test_own=RECORDING_TEST)
    result = run(pytester, *options)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"E * flows.browser.BrowserNotFound: {MISSING}"])
    assert "Executable doesn't exist at" not in result.stdout.str() and "ms-playwright" not in result.stdout.str()


def test_a_branded_channel_is_left_to_playwright(pytester, project):
    pytester.makepyfile(test_own=LAUNCH_ARGS_ONLY)
    result = run(pytester, "--browser-channel", "chrome")
    result.assert_outcomes(passed=1)
    assert json.loads(project.read_text()) == {"channel": "chrome"}
    assert header(result) == []


def test_the_projects_own_executable_has_the_last_word_and_an_unused_kit_setting_is_named(
        pytester, project, full_chromium, monkeypatch, tmp_path):
    theirs = system_chromium(headless=True)  # another browser than the kit's setting names
    pytester.makeconftest(THEIR_OWN_EXECUTABLE.replace("/opt/our-chrome/chrome", theirs))
    pytester.makepyfile(test_own=RECORDING_TEST)
    monkeypatch.setenv(BROWSER_ENV_VAR, full_chromium)
    result = run(pytester)
    result.assert_outcomes(passed=1)
    assert json.loads(project.read_text())["executable_path"] == theirs
    result.stdout.fnmatch_lines([f"*BrowserSettingWarning: {BROWSER_ENV_VAR}={full_chromium} is not used: your own "
                                 f"browser_type_launch_args names executable_path='{theirs}', and a project's own "
                                 "fixture has the last word"])

    # Without any browser the kit could find, the project's own still runs: no word from the kit.
    monkeypatch.delenv(BROWSER_ENV_VAR)
    monkeypatch.setenv("PATH", str(tmp_path / "no-browsers-here"))
    result = run(pytester)
    result.assert_outcomes(passed=1)
    assert json.loads(project.read_text())["executable_path"] == theirs
    assert "BrowserSettingWarning" not in result.stdout.str()


def test_the_kits_setting_wins_over_a_channel_the_projects_own_fixture_names_and_says_so(
        pytester, project, full_chromium, monkeypatch):
    pytester.makeconftest(THEIR_OWN_EXECUTABLE.replace('"executable_path": "/opt/our-chrome/chrome"',
                                                       '"channel": "chrome"'))
    pytester.makepyfile(test_own=RECORDING_TEST)
    monkeypatch.setenv(BROWSER_ENV_VAR, full_chromium)
    result = run(pytester)
    result.assert_outcomes(passed=1)  # Playwright launches the executable given with a channel
    assert json.loads(project.read_text())["executable_path"] == full_chromium
    result.stdout.fnmatch_lines([f"*BrowserSettingWarning: {BROWSER_ENV_VAR}={full_chromium} wins over "
                                 "channel='chrome' in your own browser_type_launch_args: it names the Chromium "
                                 "to launch outright"])


@pytest.mark.parametrize("options, said", [
    pytest.param(["--browser", "firefox", "--slskit-browser-path", NOT_A_BROWSER],
                 f"slskit: --slskit-browser-path {NOT_A_BROWSER} names a Chromium, so it is not used for "
                 "--browser firefox: Playwright's own runs there", id="firefox"),
    pytest.param(["--slskit-cdp", "http://127.0.0.1:9", "--slskit-browser-path", NOT_A_BROWSER,
                  "--browser-channel", "chromium", "--slskit-connect", "ws://127.0.0.1:9/"],
                 f"slskit: --slskit-cdp wins over --slskit-browser-path {NOT_A_BROWSER} and --browser-channel "
                 "chromium and --slskit-connect: the tests use the Chromium already running at "
                 "http://127.0.0.1:9, nothing is launched or connected to", id="cdp"),
])
def test_a_setting_that_another_makes_unused_is_named_in_the_header(pytester, project, options, said):
    pytester.makepyfile(test_own=RECORDING_TEST)
    result = run(pytester, "--collect-only", *options)
    assert result.ret == 0
    assert header(result) == [said]
