"""A login through a Client Portal Gateway in one call: what every gateway user (IBeam, ibind,
EasyIB, one's own scripts) does once before their programs use its API. Today's login page in a
browser, as a person fills it (the kit's page objects and authenticator app), then the gateway's
own word that its session is authenticated (`/v1/api/iserver/auth/status`).

    from flows import log_in_to_gateway
    status = log_in_to_gateway("https://127.0.0.1:5000", "tanaka01", "...", "BASE32SECRET",
                               cacert="/path/slskit-gateway-cert.pem")

`slskit gateway-login` is the same on the command line, the plugin's `gateway_login` fixture the
same in a test (docs/gateway-login.md).
"""
import json
import re
import ssl
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager

from .devices import AuthenticatorApp
from .portal_http import LANDING

AUTH_STATUS = "/v1/api/iserver/auth/status"
# What the gateway's login route speaks unless asked otherwise, so the labels the page objects read.
LANG = "en"
UNTRUSTED = ("its certificate is not one this machine trusts; give the gateway's own as cacert (--cacert FILE; "
             "`slskit serve --gateway` prints where it is)")


class GatewayLoginError(RuntimeError):
    """The login did not leave the gateway with an authenticated session: one line saying why."""


def log_in_to_gateway(url, username, password, totp_secret, *, paper=False, cacert=None, browser=None,
                      browser_path=None, timeout=30):
    """Log in at the gateway at `url` in a browser, with the user's authenticator app (its
    base32 `totp_secret`); `paper`: the page's paper switch first. Returns the gateway's auth
    status once it says the session is authenticated; raises GatewayLoginError otherwise.

    `cacert`: the gateway's certificate, which the API check trusts (the browser accepts it, as
    the real gateway's users' browsers do). `browser`: a Playwright Browser to use (a test's);
    without it one is launched and closed, found as the kit finds Chromium (or `browser_path`).
    `timeout`: seconds for each step."""
    url = gateway_url(url)
    trust = trusting(cacert)
    device = authenticator_app(totp_secret)
    auth_status(url, trust)  # a gateway, before any browser starts
    with _browser(browser, browser_path) as launched:
        context = launched.new_context(ignore_https_errors=True, locale=LANG)
        try:
            page = context.new_page()
            page.set_default_timeout(timeout * 1000)
            _log_in(page, url, username, password, device, paper, timeout)
        finally:
            context.close()
    status = auth_status(url, trust)
    if status.get("authenticated") is not True:
        raise GatewayLoginError(f"the login at {url} finished, but the gateway's session is not authenticated "
                                f"(GET {AUTH_STATUS}: {json.dumps(status)[:200]})")
    return status


def gateway_url(url):
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the gateway's URL must be http(s)://HOST:PORT, not {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def trusting(cacert):
    """The TLS trust for the API check: `cacert` alone, or the system's."""
    try:
        return ssl.create_default_context(cafile=cacert) if cacert else ssl.create_default_context()
    except (OSError, ssl.SSLError) as e:
        raise ValueError(f"the certificate {cacert} cannot be read as PEM ({getattr(e, 'strerror', None) or e})") \
            from None


def authenticator_app(totp_secret):
    try:
        app = AuthenticatorApp(totp_secret or "")
    except ValueError:  # binascii.Error is one
        app = None
    if app is None or not app.key:
        raise ValueError("the TOTP secret is not base32 (the user's authenticator app secret, "
                         "as the scenario's totp_secret)") from None
    return app


def auth_status(url, trust, timeout=30):
    """The gateway's `authStatus`: its own answer once a session is open, or
    {"authenticated": False, ...} while it has none (its 401). Anything else is not a gateway."""
    request = urllib.request.Request(url + AUTH_STATUS, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=trust) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    except urllib.error.URLError as e:
        if isinstance(e.reason, ssl.SSLCertVerificationError):
            raise GatewayLoginError(f"cannot trust the gateway at {url}: {UNTRUSTED}") from None
        raise GatewayLoginError(f"cannot reach the gateway at {url} ({e.reason}); is it running?") from None
    except (OSError, ValueError) as e:  # a connection dropped mid-answer, a malformed status line
        raise GatewayLoginError(f"cannot reach the gateway at {url} ({e}); is it running?") from None
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if status == 200 and isinstance(answer, dict) and isinstance(answer.get("authenticated"), bool):
        return answer
    if status == 401 and isinstance(answer, dict):  # the gateway's answer to any call without a session
        return {**answer, "authenticated": False}
    raise GatewayLoginError(f"{url} is not a Client Portal Gateway: GET {AUTH_STATUS} answered {status}"
                            + ("" if isinstance(answer, dict) else " without JSON"))


@contextmanager
def _browser(browser, browser_path):
    if browser is not None:
        yield browser
        return
    from .browser import BrowserDidNotStart, launched_chromium
    try:
        with launched_chromium(browser_path) as launched:
            yield launched
    except BrowserDidNotStart as e:
        raise GatewayLoginError(str(e)) from None


def _log_in(page, url, username, password, device, paper, timeout):
    """Today's login page, from the gateway's `/` as its users open it, to "Client login succeeds"."""
    from playwright.sync_api import Error as PlaywrightError, expect

    from .pages import LoginPage, LoginRefused
    from .pages.public import expect_answer, refused
    try:
        page.goto(url + "/")
        login = LoginPage(page, LANG).expect_loaded()
        code_page = login.log_in(username, password, paper=paper)
        if not paper:  # a paper login asks for no security device (docs/gateway.md)
            with expect_answer(code_page, "/sso/login/code") as answer:
                code_page.authenticate(device)
            refused(code_page, answer)  # a wrong code fails with the page's own alert, at once
        expect(page).to_have_url(re.compile(re.escape(LANDING["gateway"]) + "$"), timeout=timeout * 1000)
    except LoginRefused as e:
        raise GatewayLoginError(f"the gateway refused the login of {username}: {e.said}") from None
    except (PlaywrightError, AssertionError) as e:
        shown = " / ".join(line.strip() for line in str(e).splitlines()[:2] if line.strip())
        raise GatewayLoginError(f"the login of {username} at {url} did not finish: {shown}") from None
