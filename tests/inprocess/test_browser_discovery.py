"""Browser discovery: an explicit setting, Playwright's managed Chromium, then `chromium` on PATH;
wrappers Playwright cannot drive are passed over; ffmpeg for --video where Playwright looks."""
import os
import stat

import pytest

from flows import browser


class FakePlaywright:
    """Only the one attribute discovery reads: where Playwright's own Chromium would be."""

    def __init__(self, path):
        self.chromium = type("BrowserType", (), {"executable_path": path})()


def make_executable(path, content=b"\x7fELF"):
    """A stand-in for a browser binary (ELF magic), or a script with `content`."""
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.fixture
def bin_dir(tmp_path, monkeypatch):
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.delenv(browser.ENV_VAR, raising=False)
    return folder


def test_explicit_setting_wins(bin_dir, tmp_path):
    explicit = make_executable(tmp_path / "my-chrome")
    make_executable(bin_dir / "chromium")
    managed = make_executable(tmp_path / "managed")
    assert browser.find_chromium(FakePlaywright(managed), explicit) == explicit


def test_environment_variable_is_an_explicit_setting(bin_dir, tmp_path, monkeypatch):
    explicit = make_executable(tmp_path / "env-chrome")
    monkeypatch.setenv(browser.ENV_VAR, explicit)
    assert browser.find_chromium(FakePlaywright(None)) == explicit


def test_managed_chromium_comes_before_the_system_one(bin_dir, tmp_path):
    make_executable(bin_dir / "chromium")
    managed = make_executable(tmp_path / "managed")
    assert browser.find_chromium(FakePlaywright(managed), headless=False) is None  # None: Playwright launches its own


def test_system_chromium_on_path_is_the_last_resort(bin_dir, tmp_path):
    system = make_executable(bin_dir / "chromium")
    assert browser.find_chromium(FakePlaywright(str(tmp_path / "not-installed"))) == system


def test_no_browser_is_one_sentence_saying_how_to_install_one(bin_dir, tmp_path):
    with pytest.raises(browser.BrowserNotFound) as error:
        browser.find_chromium(FakePlaywright(str(tmp_path / "not-installed")))
    message = str(error.value)
    assert "apt-get install chromium" in message and message.count(". ") == 0 and message.endswith(".")


def test_a_wrong_explicit_path_is_refused_not_ignored(bin_dir, tmp_path):
    make_executable(bin_dir / "chromium")
    with pytest.raises(browser.BrowserNotFound, match="not an executable file"):
        browser.find_chromium(None, str(tmp_path / "missing"))


def test_chromium_gets_playwrights_no_sandbox_and_the_closed_network_flags():
    args = browser.launch_args()
    for flag in ("--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"):
        assert flag in args


def test_headless_runs_prefer_the_headless_shell(bin_dir, tmp_path):
    make_executable(bin_dir / "chromium")
    shell = make_executable(bin_dir / "chromium-headless-shell")
    assert browser.find_chromium(FakePlaywright(None), headless=True) == shell


def test_headed_runs_use_the_full_browser(bin_dir, tmp_path):
    full = make_executable(bin_dir / "chromium")
    make_executable(bin_dir / "chromium-headless-shell")
    assert browser.find_chromium(FakePlaywright(None), headless=False) == full
    assert browser.launch_options(FakePlaywright(None), headless=False)["executable_path"] == full


def test_a_wrapper_that_execs_the_browser_is_launched_as_it_is(bin_dir, tmp_path):
    make_executable(tmp_path / "chromium-real")
    wrapper = make_executable(bin_dir / "chromium", f'#!/bin/sh\nFLAGS=""\nexec {tmp_path}/chromium-real $FLAGS "$@"\n')
    assert browser.find_chromium(FakePlaywright(None), headless=False) == wrapper


def test_a_wrapper_that_runs_the_browser_as_its_child_is_passed_over_for_that_browser(bin_dir, tmp_path):
    real = make_executable(tmp_path / "chromium-headless-shell-real")
    make_executable(bin_dir / "chromium-headless-shell", f'#!/bin/sh -e\n\n{real} "$@"\n')
    assert browser.find_chromium(FakePlaywright(None), headless=True) == real


def test_snaps_are_refused_with_the_reason(bin_dir, tmp_path):
    make_executable(bin_dir / "chromium-browser", '#!/bin/sh\nexec /snap/bin/chromium "$@"\n')
    with pytest.raises(browser.BrowserNotFound) as error:
        browser.find_chromium(FakePlaywright(None), headless=False)
    assert "chromium-browser is a snap" in str(error.value) and "Playwright" in str(error.value)


def test_a_script_that_starts_no_browser_is_refused(bin_dir, tmp_path):
    make_executable(bin_dir / "chromium", '#!/bin/sh\necho "install chromium first" >&2\nexit 1\n')
    with pytest.raises(browser.BrowserNotFound, match="starts no browser"):
        browser.find_chromium(FakePlaywright(None), headless=False)


def test_headless_runs_need_playwrights_headless_shell_to_use_playwrights_own(bin_dir, tmp_path):
    system = make_executable(bin_dir / "chromium")
    (tmp_path / "chromium-1255" / "chrome-linux64").mkdir(parents=True)
    managed = make_executable(tmp_path / "chromium-1255" / "chrome-linux64" / "chrome")
    assert browser.find_chromium(FakePlaywright(managed), headless=False) is None
    assert browser.find_chromium(FakePlaywright(managed), headless=True) == system
    (tmp_path / "chromium_headless_shell-1255" / "chrome-headless-shell-linux64").mkdir(parents=True)
    make_executable(tmp_path / "chromium_headless_shell-1255" / "chrome-headless-shell-linux64" / "chrome-headless-shell")
    assert browser.find_chromium(FakePlaywright(managed), headless=True) is None


def test_ffmpeg_on_path_is_linked_where_playwright_looks(bin_dir, tmp_path, monkeypatch):
    monkeypatch.delenv(browser.FFMPEG_ENV_VAR, raising=False)
    playwright = FakePlaywright(str(tmp_path / "registry" / "chromium-1255" / "chrome-linux64" / "chrome"))
    with pytest.raises(browser.BrowserNotFound, match="apt-get install ffmpeg"):
        browser.provide_ffmpeg(playwright)
    ffmpeg = make_executable(bin_dir / "ffmpeg")
    assert browser.provide_ffmpeg(playwright) == ffmpeg
    target = browser.playwright_ffmpeg_path(playwright)
    assert target.parent.parent == tmp_path / "registry" and os.path.realpath(target) == ffmpeg
    assert browser.provide_ffmpeg(playwright) == ffmpeg  # twice is harmless


def test_playwrights_own_ffmpeg_is_left_alone(bin_dir, tmp_path):
    make_executable(bin_dir / "ffmpeg")
    playwright = FakePlaywright(str(tmp_path / "chromium-1255" / "chrome-linux64" / "chrome"))
    target = browser.playwright_ffmpeg_path(playwright)
    target.parent.mkdir(parents=True)
    own = make_executable(target)
    assert browser.provide_ffmpeg(playwright) == own and not target.is_symlink()


def test_playwrights_headless_shell_alone_serves_headless_runs(bin_dir, tmp_path):
    """`playwright install --only-shell`: no full Chromium, and headless runs need none."""
    make_executable(bin_dir / "chromium")
    (tmp_path / "chromium_headless_shell-1255" / "chrome-headless-shell-linux64").mkdir(parents=True)
    shell = make_executable(tmp_path / "chromium_headless_shell-1255" / "chrome-headless-shell-linux64"
                            / "chrome-headless-shell")
    missing = str(tmp_path / "chromium-1255" / "chrome-linux64" / "chrome")
    assert browser.managed_chromium(FakePlaywright(missing), headless=True) == shell
    assert browser.find_chromium(FakePlaywright(missing), headless=True) is None  # Playwright's own
    assert browser.managed_chromium(FakePlaywright(missing), headless=False) is None


def test_before_playwright_1_49_headless_runs_use_its_full_chromium(bin_dir, tmp_path, monkeypatch):
    make_executable(bin_dir / "chromium")
    (tmp_path / "chromium-1124" / "chrome-linux").mkdir(parents=True)
    managed = make_executable(tmp_path / "chromium-1124" / "chrome-linux" / "chrome")
    monkeypatch.setattr(browser, "_playwright_version", lambda: (1, 45))
    assert browser.managed_chromium(FakePlaywright(managed), headless=True) == managed
    monkeypatch.setattr(browser, "_playwright_version", lambda: (1, 49))
    assert browser.managed_chromium(FakePlaywright(managed), headless=True) is None


def test_the_plugins_header_reads_the_same_variable_as_discovery():
    # The plugin names it itself: its run header comes before the kit is imported.
    from slskit_plugin import BROWSER_ENV_VAR
    assert BROWSER_ENV_VAR == browser.ENV_VAR
