"""The slskit pytest plugin (entry point `pytest11`): a guest in every test run of the environment.

    def test_opted_out_user_cancels_the_opt_out(page, portal, portal_user):
        user = portal_user(sls_opted_out=True)
        cancel_sls_opt_out(page, portal.base_url, user)

It composes with pytest-playwright, which owns the browser, its options and the browser/context/
page fixtures. What this plugin changes reaches only the tests that ask for a portal fixture
(PORTAL_FIXTURES): their portal starts when first asked for, their browser context's base_url is
the portal's and `expect()` waits 10 s. Every other test runs as it would without the kit, with
one exception that only turns a failure into a run: when Playwright's own Chromium is not
installed (pytest-playwright would fail with "Executable doesn't exist"), the kit's browser
discovery supplies one; --slskit-browser-path or $SLSKIT_CHROMIUM asks for it outright.

Loading this module imports nothing but pytest. The kit (`flows`) is imported through `kit()`,
never before the tests are collected: only then is it known whether the importable `flows` is the
kit's (then the fixtures use it, and a test that imports `flows` gets the same objects) or a
team's own package, which stays theirs while the fixtures use a private copy of the kit's
(docs/plugin.md).
"""
import importlib
import importlib.util
import os
import sys
import types
import warnings
from pathlib import Path

import pytest

# A test that asks for any of these (directly or through its own fixtures) is a portal test.
PORTAL_FIXTURES = frozenset({"portal_server", "portal", "portal_url", "portal_user", "log_in",
                             "logged_in_page", "article_flow", "portal_login_page"})
# The cookie by which a browser asks the portal for one of its login pages (mock_portal/login/todays_page.py).
LOGIN_PAGE_COOKIE = "slskit_login_page"
# A loaded CI machine can take longer than Playwright's 5 s for one page; a wait that ends early
# is a flake, one that lasts longer costs nothing when the page is on time.
PORTAL_EXPECT_TIMEOUT_MS = 10_000
KIT_DIR = Path(__file__).resolve().parent / "flows"  # installed beside this module
PRIVATE_NAME = "_slskit_flows"
LAUNCH_DECIDED = pytest.StashKey[dict]()  # browser name -> what browser_type_launch_args decided
BROWSER_ENV_VAR = "SLSKIT_CHROMIUM"  # flows.browser.ENV_VAR, named here too: the header comes before the kit


def kit(module=None):
    """The kit's `flows` package, or one of its modules (`kit("live")`): `flows` itself wherever
    the importable `flows` is the kit's; where a team's own `flows` package shadows it, a private
    copy (`_slskit_flows`), the one every fixture uses. A test in such a project reaches the
    kit's steps the same way: `from slskit_plugin import kit; kit().cancel_sls_opt_out(...)`."""
    package = _kit_package()
    return importlib.import_module(f"{package.__name__}.{module}") if module else package


def _kit_package():
    private = sys.modules.get(PRIVATE_NAME)
    if private is not None:  # the run's choice is made once
        return private
    package = sys.modules.get("flows")
    if package is None and _is_kit(_importable_flows()):
        package = importlib.import_module("flows")
    if package is not None and _is_kit(getattr(package, "__spec__", None)):
        return package
    return _load_private_copy()


def _importable_flows():
    """What `import flows` would load now, without loading it."""
    try:
        return importlib.util.find_spec("flows")
    except (ImportError, ValueError):
        return None


def _is_kit(spec):
    origin = getattr(spec, "origin", None)
    return bool(origin) and Path(origin).resolve().parent == KIT_DIR


def _load_private_copy():
    spec = importlib.util.spec_from_file_location(PRIVATE_NAME, KIT_DIR / "__init__.py",
                                                  submodule_search_locations=[str(KIT_DIR)])
    package = importlib.util.module_from_spec(spec)
    sys.modules[PRIVATE_NAME] = package
    try:
        spec.loader.exec_module(package)
    except BaseException:
        del sys.modules[PRIVATE_NAME]
        raise
    return package


def is_portal_test(item_or_request):
    # Items of other plugins (doctests, linters' checks) may have no fixtures at all.
    return not PORTAL_FIXTURES.isdisjoint(getattr(item_or_request, "fixturenames", ()))


def pytest_addoption(parser):
    group = parser.getgroup("slskit", "slskit: the mock Client Portal (portal fixtures)")
    group.addoption("--portal-url", default=os.environ.get("SLSKIT_PORTAL_URL"),
                    help="run against an already running portal (its test hooks must be enabled "
                         "with `slskit serve --enable-test-hooks`) instead of starting one")
    group.addoption("--portal-lang", choices=("ja", "en"), default="ja",
                    help="language of the users the fixtures create (default ja)")
    group.addoption("--portal-login-page", choices=("seed", "current"), default=None,
                    help="the login page the portal tests' browsers meet: the seed's two screens or "
                         "today's one page (default: the portal's own, `slskit serve --login-page`)")
    group.addoption("--portal-ca", default=None, metavar="FILE",
                    help="the certificate an https --portal-url is trusted by (`slskit serve --gateway` or "
                         "--tls prints it); its browsers accept it as a user of the real gateway does")
    group.addoption("--portal-test-hooks-key", default=None, metavar="KEY",
                    help="the key of a --portal-url portal's test hooks (`slskit serve --test-hooks-key`; "
                         "also $SLSKIT_TEST_HOOKS_KEY)")
    group.addoption("--slskit-browser-path", default=None, metavar="PATH",
                    help="the Chromium to launch (also $SLSKIT_CHROMIUM); without it the kit looks "
                         "for one only when Playwright's own Chromium is not installed")
    group.addoption("--slskit-connect", action="append", default=None, metavar="WS_URL",
                    help="use a remote browser: a `playwright run-server` at ws://HOST:PORT/; several "
                         "(comma-separated or repeated) spread xdist workers over them: gwN uses the "
                         "Nth, round the list")
    group.addoption("--slskit-cdp", default=None, metavar="URL",
                    help="use an already running Chromium through its DevTools endpoint")
    group.addoption("--slskit-trace-screencast", choices=("on", "off"), default="on",
                    help="off: traces of --tracing keep every action's DOM snapshots (what the trace "
                         "viewer shows) but no screencast frames, which cost about a third more "
                         "browser time in every test, failing or not (default on, as pytest-playwright)")
    group.addoption("--slskit-expect-timeout", type=float, default=None, metavar="MS",
                    help=f"how long expect() waits, in every test (default: {PORTAL_EXPECT_TIMEOUT_MS} "
                         "in the tests that use the portal, Playwright's own 5000 in the others)")


class BrowserSettingWarning(UserWarning):
    """The kit's browser setting meets one of the project's own fixture (which wins where both
    name an executable), or a browser runs in place of the one asked for (docs/browser.md)."""


def kit_browser_setting(config):
    """(path, how it was given): --slskit-browser-path, else $SLSKIT_CHROMIUM, else (None, None)."""
    path = config.getoption("--slskit-browser-path")
    if path:
        return path, f"--slskit-browser-path {path}"
    path = os.environ.get(BROWSER_ENV_VAR)
    return (path, f"{BROWSER_ENV_VAR}={path}") if path else (None, None)


def pytest_report_header(config):
    """One line for each browser setting that goes unused, naming the one that wins and why:
    what the options and the environment say, known before any browser starts."""
    explicit, named = kit_browser_setting(config)
    channel = config.getoption("--browser-channel", None)
    cdp = config.getoption("--slskit-cdp")
    if cdp:
        unused = [named, channel and f"--browser-channel {channel}", remote_browser(config) and "--slskit-connect"]
        unused = [setting for setting in unused if setting]
        return [f"slskit: --slskit-cdp wins over {' and '.join(unused)}: the tests use the Chromium already "
                f"running at {cdp}, nothing is launched or connected to"] if unused else []
    said = []
    path, environment = config.getoption("--slskit-browser-path"), os.environ.get(BROWSER_ENV_VAR)
    if path and environment and path != environment:
        said.append(f"slskit: {named} wins over {BROWSER_ENV_VAR}={environment}: the command line is this run's own")
    if explicit and channel:
        said.append(f"slskit: {named} wins over --browser-channel {channel}: it names the Chromium to launch "
                    "outright (without it the channel would run)")
    others = [name for name in config.getoption("--browser", None) or [] if name != "chromium"]
    if explicit and others:
        said.append(f"slskit: {named} names a Chromium, so it is not used for --browser {' and '.join(others)}: "
                    "Playwright's own runs there")
    return said


def remote_browser(config):
    """The run-server this process connects to: with several, one server per xdist worker
    (gwN takes the Nth, round the list), so a pool of browser machines shares the load."""
    endpoints = [url.strip() for value in config.getoption("--slskit-connect") or []
                 for url in value.split(",") if url.strip()]
    if not endpoints:
        return None
    worker = getattr(config, "workerinput", {}).get("workerid", "gw0")
    return endpoints[int(worker.removeprefix("gw")) % len(endpoints)]


def pytest_configure(config):
    # Registered after pytest-playwright, so these fixtures take precedence over its own.
    config.pluginmanager.register(browser_fixtures(), "slskit-browser")


def pytest_sessionstart(session):
    # xdist's controller imports no test, so nothing can show it another `flows`: it takes the kit
    # now, and checks --portal-url before its workers start (its own hook comes last).
    if session.config.pluginmanager.has_plugin("dsession"):
        _take_the_kit(session.config, [])


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # The tests are imported, and with them whichever `flows` they import (pytest has put their
    # folders on sys.path): the first moment `kit()` can tell whether `flows` is the kit's.
    _take_the_kit(config, items)


def _take_the_kit(config, items):
    url = config.getoption("--portal-url")
    if url and not hasattr(config, "workerinput"):  # once, in the process that was started
        portal_http = kit("portal_http")
        try:
            _portal_hooks(config, url).check_reachable()
        except portal_http.PortalError as e:  # one line now, not a traceback in every test
            raise pytest.UsageError(f"--portal-url: {e}") from None
    # The article's Gherkin steps, wherever pytest-bdd runs (it may be disabled with -p no:pytest-bdd).
    if config.pluginmanager.hasplugin("pytest-bdd"):
        steps = kit("steps")
        if not config.pluginmanager.is_registered(steps):
            config.pluginmanager.register(steps, "slskit-steps")
        steps.mark_kit_scenarios(items)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    timeout = item.config.getoption("--slskit-expect-timeout")
    if timeout is None and is_portal_test(item):
        timeout = PORTAL_EXPECT_TIMEOUT_MS
    if timeout is None:
        return (yield)
    from playwright.sync_api import expect
    before = getattr(expect, "_timeout", None)  # a team's own set_options(), put back afterwards
    expect.set_options(timeout=timeout)
    try:
        return (yield)
    finally:
        expect.set_options(timeout=before)


def browser_fixtures():
    """pytest-playwright's fixtures of the same names, each extending the original it asks for;
    a module of their own, registered in pytest_configure (after pytest-playwright) so they win."""

    @pytest.fixture(scope="session")
    def browser_type_launch_args(browser_type_launch_args, pytestconfig, playwright, browser_name):
        """Unchanged, unless the kit's browser setting names a Chromium, or Playwright has none of
        its own here for a run that asks for no other browser (docs/browser.md has every case).
        A project's own fixture of this name wraps this one: what it returns has the last word."""
        decided = pytestconfig.stash.setdefault(LAUNCH_DECIDED, {})
        decided[browser_name] = {}
        if browser_name not in (None, "chromium") or pytestconfig.getoption("--slskit-cdp"):
            return browser_type_launch_args  # the run's header said so if a kit setting goes unused
        discovery = kit("browser")
        explicit, named = kit_browser_setting(pytestconfig)
        args = dict(browser_type_launch_args)
        if explicit:
            args.pop("channel", None)  # the run's header named the --browser-channel it wins over
        elif "executable_path" in args or args.get("channel") not in (None, "chromium"):
            # A browser of the project's own, or a branded one (chrome, msedge): Playwright finds
            # it or says where it looked.
            return browser_type_launch_args
        if pytestconfig.getoption("--slskit-connect"):
            # The browser runs where the server is: only an explicit path is sent along (the
            # server must allow it with `playwright run-server --unsafe`).
            if not explicit:
                return browser_type_launch_args
            decided[browser_name] = {"executable": explicit, "named": named}
            # With connect_options these go to the server as JSON in a header, where the protocol's
            # camelCase name is the one the server reads (a snake_case key is silently dropped).
            return {**args, "executablePath": explicit, "args": [*discovery.launch_args(), *args.get("args", [])]}
        # The channel "chromium" asks for the full browser (in its new headless mode), not the
        # headless shell a plain headless run gets.
        full = args.pop("channel", None) == "chromium"
        headless = args.get("headless", True) and not full
        if not explicit and discovery.managed_chromium(playwright, headless):
            return browser_type_launch_args  # Playwright's own works: nothing to help with
        try:
            found = discovery.launch_options(None, explicit, headless=headless)
        except discovery.BrowserNotFound as e:
            if explicit:
                raise
            # Said when a browser is launched without one: the project's own fixture may name one.
            decided[browser_name] = {"missing": e}
            return browser_type_launch_args
        if explicit:
            decided[browser_name] = {"executable": found["executable_path"], "named": named}
        elif full:
            warnings.warn(BrowserSettingWarning(
                "Playwright's own Chromium, which the channel 'chromium' asks for, is not installed here: "
                f"{found['executable_path']} runs in its place"), stacklevel=1)
        found.pop("headless")
        return {**found, **args, "args": [*found.pop("args"), *args.get("args", [])]}

    @pytest.fixture(scope="session")
    def connect_options(connect_options, pytestconfig):
        url = remote_browser(pytestconfig)
        if not url:
            return connect_options
        from playwright.sync_api import BrowserType
        import inspect
        # Playwright renamed connect()'s first parameter from ws_endpoint to endpoint.
        key = "endpoint" if "endpoint" in inspect.signature(BrowserType.connect).parameters else "ws_endpoint"
        return {key: url}

    @pytest.fixture(scope="session")
    def launch_browser(launch_browser, pytestconfig, playwright, browser_type_launch_args, browser_name):
        cdp = pytestconfig.getoption("--slskit-cdp")
        if cdp:
            return lambda **kwargs: playwright.chromium.connect_over_cdp(cdp)
        # What the kit decided, against the launch arguments as the project's own fixture left them.
        decided = pytestconfig.stash.get(LAUNCH_DECIDED, {}).get(browser_name, {})
        final = browser_type_launch_args
        executable = final.get("executable_path") or final.get("executablePath")
        if "missing" in decided and not executable and final.get("channel") in (None, "chromium"):
            raise decided["missing"]  # the kit's sentence, not Playwright's about its own download
        if "named" in decided and executable != decided["executable"]:
            warnings.warn(BrowserSettingWarning(
                f"{decided['named']} is not used: your own browser_type_launch_args names executable_path="
                f"{executable!r}, and a project's own fixture has the last word"), stacklevel=1)
        elif "named" in decided and final.get("channel"):
            warnings.warn(BrowserSettingWarning(
                f"{decided['named']} wins over channel={final['channel']!r} in your own browser_type_launch_args: "
                "it names the Chromium to launch outright"), stacklevel=1)
        return launch_browser

    @pytest.fixture(scope="session")
    def playwright(playwright, pytestconfig):
        """Playwright, with an ffmpeg for --video where Playwright's own is not installed."""
        if pytestconfig.getoption("--video", default="off") != "off":
            kit("browser").provide_ffmpeg(playwright)
        return playwright

    @pytest.fixture
    def new_context(_slskit_portal_context_args, new_context, pytestconfig, request):
        # Asks for _slskit_portal_context_args to set it up before pytest-playwright's new_context.
        login_page = request.getfixturevalue("portal_login_page") if is_portal_test(request) else None
        if login_page:
            new_context = _asking_for_login_page(new_context, request.getfixturevalue("portal_server").base_url,
                                                 login_page)
        if (pytestconfig.getoption("--slskit-trace-screencast") == "on"
                or pytestconfig.getoption("--tracing", default="off") == "off"):
            return new_context

        from slugify import slugify  # pytest-playwright's own dependency, for its trace titles

        def without_screencast(**kwargs):
            context = new_context(**kwargs)
            # pytest-playwright has started tracing with screencast frames; before any page
            # exists, the same trace starts again without them (it is saved as usual on close).
            context.tracing.stop()
            context.tracing.start(title=slugify(request.node.nodeid), snapshots=True, sources=True)
            return context
        return without_screencast

    @pytest.fixture
    def _slskit_portal_context_args(request):
        """In a portal test, the browser context's base_url is the portal's, so
        `page.goto("/portal/")` works; a test's own browser_context_args marker still wins."""
        if not is_portal_test(request):
            return
        url = request.getfixturevalue("portal_server").base_url
        own = request.node.get_closest_marker("browser_context_args")
        # A browser cannot be handed a CA file: an https portal's own certificate is accepted.
        secure = {"ignore_https_errors": True} if url.startswith("https://") else {}
        kwargs = {"base_url": url, **secure, **(own.kwargs if own else {})}
        # pytest-playwright reads the closest marker only: this one goes first.
        request.node.add_marker(pytest.mark.browser_context_args(**kwargs), append=False)

    holder = types.ModuleType(f"{__name__}.browser_fixtures")
    vars(holder).update({name: value for name, value in locals().items() if name != "holder"})
    return holder


def _portal_hooks(config, url):
    """The hooks of the --portal-url portal, with its key and (https) its certificate."""
    import ssl
    ca = config.getoption("--portal-ca")
    return kit("portal_http").TestHooks(url, key=config.getoption("--portal-test-hooks-key"),
                                        ssl_context=ssl.create_default_context(cafile=ca) if ca else None)


@pytest.fixture(scope="session")
def portal_server(pytestconfig, tmp_path_factory):
    """The portal for this session (per xdist worker): started on a free port with its own
    temporary database, or the one named by --portal-url."""
    live = kit("live")
    url = pytestconfig.getoption("--portal-url")
    if url:
        yield _portal_hooks(pytestconfig, url)
        return
    folder = tmp_path_factory.mktemp("portal")
    with live.LivePortal(str(folder / "portal.sqlite"), test_hooks=True) as portal:
        yield portal


def _asking_for_login_page(new_context, base_url, login_page):
    """`new_context` whose contexts meet `login_page` on the portal at `base_url`."""
    def make(**kwargs):
        context = new_context(**kwargs)
        context.add_cookies([{"name": LOGIN_PAGE_COOKIE, "value": login_page, "url": base_url}])
        return context
    return make


@pytest.fixture
def portal_login_page(pytestconfig):
    """The login page this test's browser meets: 'seed', 'current' or None (the portal's own
    choice). A test that names it can run on both:
    `@pytest.mark.parametrize("portal_login_page", ["seed", "current"])`."""
    return pytestconfig.getoption("--portal-login-page")


@pytest.fixture(scope="session")
def portal_lang(pytestconfig):
    return pytestconfig.getoption("--portal-lang")


@pytest.fixture
def portal(portal_server):
    """The portal as it is, never reset: each test makes fresh users of its own (random names,
    their own accounts, their own clock offset), so tests sharing one portal (xdist workers,
    --portal-url) never delete each other's users or move each other's clock."""
    return portal_server


@pytest.fixture
def portal_url(portal):
    return portal.base_url


@pytest.fixture
def portal_user(portal, portal_lang):
    """Factory: `portal_user(sls_opted_out=True, primary=True, locale=..., account_id=..., devices=[...])`
    adds a fresh user through the test hook and returns a `PortalUser` with its device emulator."""
    users, flow = kit("users"), kit("flow")

    def make(**fields):
        fields.setdefault("locale", portal_lang)
        entry = users.new_user_entry(**fields)
        portal.add_users([entry])
        return flow.PortalUser.from_scenario(entry)
    return make


@pytest.fixture
def log_in(new_context, portal, tmp_path):
    """Factory: `log_in(user)` logs in over HTTP once, saves the storage state and returns a new
    page of a context built from it, on the portal's start page: logged in without the UI."""
    portal_http = kit("portal_http")

    def open_page(user, target="portal"):
        state = portal_http.save_logged_in_state(new_context, portal.base_url, user,
                                                 tmp_path / f"{user.username}-state.json", target)
        page = new_context(storage_state=state).new_page()
        # The login page sends a logged-in user on to where a login with this target lands.
        page.goto(portal.url(f"/sso/login?target={target}"))
        return page
    return open_page


@pytest.fixture
def logged_in_page(log_in, portal_user):
    """A page of a fresh opted-out primary user, logged in on the portal's start page; the user
    is `page.portal_user`."""
    user = portal_user()
    page = log_in(user)
    page.portal_user = user
    return page


@pytest.fixture
def article_flow(page, portal):
    """The documented flow bound to this test's page and portal: `article_flow(user)`."""
    return lambda user, lang=None: kit("flow").cancel_sls_opt_out(page, portal.base_url, user, lang=lang)


@pytest.fixture
def gateway_login(browser):
    """Factory: `gateway_login(url, username, password, totp_secret, paper=False, cacert=None)`
    logs in through the Client Portal Gateway at `url` in this run's browser (its own context,
    closed afterwards) and returns the gateway's auth status once its session is authenticated;
    raises `flows.GatewayLoginError` with one line otherwise (docs/gateway-login.md).

        def test_our_client_sees_the_session(gateway_login):
            gateway_login("https://127.0.0.1:5000", "tanaka01", password, secret, cacert="cert.pem")
            assert OurClient("https://127.0.0.1:5000/v1/api/").healthy()
    """
    gateway = kit("gateway")

    def log_in(url, username, password, totp_secret, **options):
        return gateway.log_in_to_gateway(url, username, password, totp_secret, browser=browser, **options)
    return log_in

