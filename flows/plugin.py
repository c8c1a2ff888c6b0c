"""The slskit pytest plugin (registered through the `pytest11` entry point).

It composes with pytest-playwright: that plugin owns the browser, its options (--headed,
--slowmo, --browser-channel, --tracing, --video, --screenshot, --output) and the
browser/context/page fixtures; this one finds a Chromium that works here, runs the mock
portal, and gives each test a known state and users made through the reset hook.

    def test_opted_out_user_cancels_the_opt_out(page, portal_url, portal_user):
        user = portal_user(sls_opted_out=True)
        cancel_sls_opt_out(page, portal_url, user)
"""
import importlib
import os

import pytest
from playwright.sync_api import expect

from . import browser as discovery
from .flow import PortalUser, cancel_sls_opt_out
from .live import LivePortal
from .portal_http import TestHooks, save_logged_in_state
from .users import new_user_entry


def pytest_addoption(parser):
    group = parser.getgroup("slskit", "slskit: the mock Client Portal")
    group.addoption("--portal-url", default=os.environ.get("SLSKIT_PORTAL_URL"),
                    help="run against an already running portal (its test hooks must be enabled "
                         "with `slskit serve --enable-test-hooks`) instead of starting one")
    group.addoption("--portal-lang", choices=("ja", "en"), default="ja",
                    help="language of the users the fixtures create (default ja)")
    group.addoption("--browser-path", default=None,
                    help=f"the Chromium to launch (default: ${discovery.ENV_VAR}, Playwright's, then `chromium` on PATH)")
    group.addoption("--connect", default=None, metavar="WS_URL",
                    help="use a remote browser: a `playwright run-server` at ws://HOST:PORT/")
    group.addoption("--cdp", default=None, metavar="URL",
                    help="use an already running Chromium through its DevTools endpoint")
    group.addoption("--expect-timeout", type=float, default=10_000, metavar="MS",
                    help="how long expect() assertions wait (default 10000; Playwright's own is 5000)")


def pytest_configure(config):
    # A loaded CI machine can take longer than Playwright's 5 s for one page; a wait that ends
    # early is a flake, one that lasts longer costs nothing when the page is on time.
    expect.set_options(timeout=config.getoption("--expect-timeout"))
    config.addinivalue_line("markers", "e2e: drives a real browser against a live portal server")
    # Registered after pytest-playwright, so these fixtures take precedence over its own.
    config.pluginmanager.register(importlib.import_module("flows.browser_fixtures"), "slskit-browser")


@pytest.fixture(scope="session")
def portal_server(pytestconfig, tmp_path_factory):
    """The portal for this session (per xdist worker): started on a free port with its own
    temporary database, or the one named by --portal-url."""
    url = pytestconfig.getoption("--portal-url")
    if url:
        yield TestHooks(url)
        return
    folder = tmp_path_factory.mktemp("portal")
    with LivePortal(str(folder / "portal.sqlite"), test_hooks=True) as portal:
        yield portal


@pytest.fixture(scope="session")
def portal_lang(pytestconfig):
    return pytestconfig.getoption("--portal-lang")


@pytest.fixture
def portal(portal_server):
    """The portal, reset to no users at all: each test makes the users it needs."""
    portal_server.reset({"users": []})
    return portal_server


@pytest.fixture
def portal_url(portal):
    return portal.base_url


@pytest.fixture
def portal_user(portal, portal_lang):
    """Factory: `portal_user(sls_opted_out=True, primary=True, locale=..., account_id=..., devices=[...])`
    adds a fresh user through the reset hook and returns a `PortalUser` with its device emulator."""
    def make(**fields):
        fields.setdefault("locale", portal_lang)
        entry = new_user_entry(**fields)
        portal.add_users([entry])
        return PortalUser.from_scenario(entry)
    return make


@pytest.fixture
def log_in(new_context, portal, tmp_path):
    """Factory: `log_in(user)` logs in over HTTP once, saves the storage state and returns a new
    page of a context built from it: logged in without going through the UI."""
    def open_page(user, target="portal"):
        state = save_logged_in_state(new_context, portal.base_url, user,
                                     tmp_path / f"{user.username}-state.json", target)
        return new_context(storage_state=state).new_page()
    return open_page


@pytest.fixture
def logged_in_page(log_in, portal_user):
    """A page of a fresh opted-out primary user, logged in; the user is `page.portal_user`."""
    user = portal_user()
    page = log_in(user)
    page.portal_user = user
    return page


@pytest.fixture
def article_flow(page, portal):
    """The documented flow bound to this test's page and portal: `article_flow(user)`."""
    return lambda user, lang=None: cancel_sls_opt_out(page, portal.base_url, user, lang=lang)
