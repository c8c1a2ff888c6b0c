"""Fixtures that extend pytest-playwright's own of the same name (each asks for the original).

The plugin registers this module in pytest_configure, after pytest-playwright, so these win;
a team's conftest.py can still override them in turn.
"""
import inspect
import os

import pytest
from playwright.sync_api import BrowserType

from . import browser as discovery


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, pytestconfig, playwright, browser_name):
    """pytest-playwright's launch arguments plus a Chromium that works on this machine."""
    if browser_name not in (None, "chromium") or browser_type_launch_args.get("channel"):
        return browser_type_launch_args
    if pytestconfig.getoption("--connect"):
        # The browser runs where the server is: only an explicit path is sent along (the
        # server must allow it with `playwright run-server --unsafe`).
        explicit = pytestconfig.getoption("--browser-path") or os.environ.get(discovery.ENV_VAR)
        if not explicit:
            return browser_type_launch_args
        # With connect_options these go to the server as JSON in a header, where the protocol's
        # camelCase name is the one the server reads (a snake_case key is silently dropped).
        args = [*discovery.launch_args(), *browser_type_launch_args.get("args", [])]
        return {**browser_type_launch_args, "executablePath": explicit, "args": args}
    found = discovery.launch_options(playwright, pytestconfig.getoption("--browser-path"),
                                     headless=browser_type_launch_args.get("headless", True))
    found.pop("headless")
    args = [*found.pop("args"), *browser_type_launch_args.get("args", [])]
    return {**found, **browser_type_launch_args, "args": args}


@pytest.fixture(scope="session")
def connect_options(pytestconfig):
    url = pytestconfig.getoption("--connect")
    if not url:
        return None
    # Playwright renamed connect()'s first parameter from ws_endpoint to endpoint.
    key = "endpoint" if "endpoint" in inspect.signature(BrowserType.connect).parameters else "ws_endpoint"
    return {key: url}

@pytest.fixture(scope="session")
def launch_browser(launch_browser, pytestconfig, playwright):
    cdp = pytestconfig.getoption("--cdp")
    if not cdp:
        return launch_browser
    return lambda **kwargs: playwright.chromium.connect_over_cdp(cdp)

@pytest.fixture(scope="session")
def base_url(portal_server):
    """pytest-playwright's base_url is the portal's, so `page.goto("/")` works."""
    return portal_server.base_url
