"""Fixtures that extend pytest-playwright's own of the same name (each asks for the original).

The plugin registers this module in pytest_configure, after pytest-playwright, so these win;
a team's conftest.py can still override them in turn.
"""
import pytest

from . import browser as discovery


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, pytestconfig, playwright, browser_name):
    """pytest-playwright's launch arguments plus a Chromium that works on this machine."""
    if browser_name not in (None, "chromium") or pytestconfig.getoption("--connect") \
            or browser_type_launch_args.get("channel"):
        return browser_type_launch_args
    found = discovery.launch_options(playwright, pytestconfig.getoption("--browser-path"))
    args = [*found.pop("args"), *browser_type_launch_args.get("args", [])]
    return {**found, **browser_type_launch_args, "args": args}

@pytest.fixture(scope="session")
def connect_options(pytestconfig):
    url = pytestconfig.getoption("--connect")
    return {"ws_endpoint": url} if url else None

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
