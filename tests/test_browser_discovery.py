"""Browser discovery: an explicit setting, Playwright's managed Chromium, then `chromium` on PATH."""
import os
import stat

import pytest

from flows import browser


class FakePlaywright:
    """Only the one attribute discovery reads: where Playwright's own Chromium would be."""

    def __init__(self, path):
        self.chromium = type("BrowserType", (), {"executable_path": path})()


def make_executable(path):
    path.write_text("#!/bin/sh\n")
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
    assert browser.find_chromium(FakePlaywright(managed)) is None  # None: Playwright launches its own


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


@pytest.mark.skipif(os.geteuid() != 0, reason="the root flags apply to root only")
def test_as_root_chromium_gets_the_closed_network_flags():
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
