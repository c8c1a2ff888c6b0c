"""The portal over HTTP, without a browser: the one place that reads its forms and speaks to
its test hooks. The plugin, the device emulators, the bench and the tests all come here.

- `csrf_token(html)`, `confirmation_id(html)`, `device_choices(html)`: what a form carries.
- `TestHooks(base_url)`: the `/_test/` routes of a portal started with `--enable-test-hooks`
  (users, per-user clock, state, the phone / help desk the device emulators play, the journal,
  faults and scripted answers).
- `log_in_over_http(request, base_url, user)` and `save_logged_in_state(...)`: the login forms
  through a Playwright request context, so the session cookie lands in the browser context.
- `HttpVisitor(base_url)`: urllib with a cookie jar, the article's flow as plain requests
  (the bench's floor, the load tests).
"""
import contextlib
import http.cookiejar
import json
import os
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request

from .labels import LABELS

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CONFIRMATION = re.compile(r'name="confirmation" value="([^"]+)"')
DEVICE_OPTION = re.compile(r'<option value="([0-9]+)" data-device-type="([a-z_]+)"')


def csrf_token(html):
    """The form's CSRF token, or None on a page without a form."""
    match = CSRF.search(html)
    return match.group(1) if match else None


def confirmation_id(html):
    """The open confirmation dialog's id, or None."""
    match = CONFIRMATION.search(html)
    return match.group(1) if match else None


def device_choices(html):
    """The device combobox's (option value, device type) pairs; empty with one device."""
    return DEVICE_OPTION.findall(html)


def enrolled_heading(lang):
    """The heading the settings page shows once the user is enrolled again."""
    return f"<h1>{LABELS[lang]['required']}</h1>"


def not_required_heading(lang):
    return f"<h1>{LABELS[lang]['not_required']}</h1>"


class PortalError(RuntimeError):
    """The portal did not answer as a test set-up needs: one line saying why; `status` is the
    HTTP status it answered, if it answered."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


class TestHooks:
    """The test-only hooks of a running portal, over HTTP. Every call is about named users, so
    suites sharing one portal (`--portal-url`, xdist workers) never touch each other's state."""

    __test__ = False  # a client, not a pytest test class
    KEY_HEADER = "X-Slskit-Test-Hooks-Key"
    _known = {}  # base URL -> (key, ssl_context), for the hooks a page's device emulators reach

    def __init__(self, base_url, timeout=30, ssl_context=None, key=None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        known_key, known_context = self._known.get(self.base_url, (None, None))
        self.ssl_context = ssl_context or known_context  # an https portal's trust (LivePortal: its certificate)
        # A portal serving its hooks beyond loopback wants their key (`slskit serve --test-hooks-key`).
        self.key = key or known_key or os.environ.get("SLSKIT_TEST_HOOKS_KEY") or None
        if self.base_url and (self.key or self.ssl_context):
            self._known[self.base_url] = (self.key, self.ssl_context)

    def url(self, path="/"):
        return self.base_url + path

    def _call(self, method, path, payload=None):
        data = json.dumps(payload).encode() if payload is not None else None
        headers = {"Content-Type": "application/json", **({self.KEY_HEADER: self.key} if self.key else {})}
        request = urllib.request.Request(self.url(path), data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout, context=self.ssl_context) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as e:
            body = e.read().decode(errors="replace")
            try:  # a hook's own refusal is JSON with the reason
                reason = json.loads(body)["error"]
            except (ValueError, KeyError, TypeError):
                reason = None
            if e.code == 404 and reason is None and method == "POST":
                raise PortalError(f"{self.base_url} has no test hooks; start it with "
                                  "`slskit serve --enable-test-hooks` to let tests set it up") from None
            raise PortalError(f"{method} {path} answered {e.code}: {reason or body[:300]}", e.code) from None
        except (urllib.error.URLError, OSError) as e:
            raise PortalError(f"cannot reach the portal at {self.base_url} "
                              f"({getattr(e, 'reason', e)}); is it running?") from None

    def check_reachable(self):
        """Raise PortalError (one line) unless a portal with test hooks answers."""
        self._call("POST", "/_test/users", {"users": []})
        return self

    def reset(self, scenario):
        """Replace ALL state with `scenario` (a dict with a 'users' list): only for a portal this
        suite owns alone; shared portals get `add_users` of fresh users instead."""
        return self._call("POST", "/_test/reset", scenario)

    def add_users(self, users):
        return self._call("POST", "/_test/users", {"users": users})

    def advance_clock(self, seconds, user):
        """Move `user`'s time on the portal by `seconds`, and their device emulators' with it
        (one offset for both, as Keycloak's testsuite does); other users' time stays put."""
        answer = self._call("POST", "/_test/clock", {"advance": seconds, "username": user.username})
        user.clock.offset = answer["offset"]
        return answer

    def user_state(self, username):
        return self._call("GET", f"/_test/users/{urllib.parse.quote(username)}")

    # The things the device emulators receive from the portal.
    def sms_messages(self, phone):
        """The texts sent to `phone`, newest first."""
        return self._call("GET", "/_test/sms?" + urllib.parse.urlencode({"phone": phone}))["messages"]

    def answer_ibkey_push(self, username, decision="approve"):
        return self._call("POST", "/_test/ibkey/push", {"username": username, "decision": decision})

    def issue_temporary_passcode(self, username):
        return self._call("POST", "/_test/temporary-passcode", {"username": username})["passcode"]

    def devices_of(self, username):
        """The user's security devices: [{"device_id", "type", "usernames"}], secrets left out."""
        return self._call("GET", f"/_test/users/{urllib.parse.quote(username)}/devices")["devices"]

    def activate_ibkey(self, activation_code):
        """IBKR Mobile activating IB Key with the code the portal shows (the current revision):
        {"username", "ibkey_secret"} of the new device."""
        return self._call("POST", "/_test/ibkey/activate", {"activation_code": activation_code})

    # What the article's references leave to the brokerage's people and post (docs/devices.md).
    def review_sharing_request(self, username, decision="approve"):
        """Compliance decides `username`'s request to share a device that waits for review."""
        return self._call("POST", "/_test/sharing-requests/review", {"username": username, "decision": decision})

    def deliver_physical_device(self, username):
        """The Digital Security Card+ `username` ordered arrives: {"serial", "card_secret"}."""
        return self._call("POST", "/_test/physical-devices/deliver", {"username": username})

    def receive_physical_device(self, serial):
        """The device sent back is received: its reserve is released."""
        return self._call("POST", "/_test/physical-devices/receive", {"serial": serial})

    def report_physical_device_lost(self, serial):
        """The holder reports the device lost: it logs in no more, its fee is charged."""
        return self._call("POST", "/_test/physical-devices/lost", {"serial": serial})

    def funds_of(self, username):
        """The user's account's money in US cents, withdrawals and physical devices."""
        return self._call("GET", f"/_test/users/{urllib.parse.quote(username)}/funds")

    # What was asked of the portal, and faults on purpose (docs/steering.md).
    def requests(self, user=None, method=None, path=None, since=None):
        """The request journal's entries for `user` (a PortalUser or a username), oldest first;
        `path` exact, or a regular expression starting with ^."""
        query = {k: v for k, v in (("username", _name(user)), ("method", method), ("path", path),
                                   ("since", since)) if v is not None}
        return self._call("GET", "/_test/requests?" + urllib.parse.urlencode(query))["requests"]

    def forget_requests(self, user=None):
        return self._call("DELETE", "/_test/requests?" + urllib.parse.urlencode(
            {"username": _name(user)} if user is not None else {}))

    def verify(self, user, times, method, path):
        """Assert that `user` sent `method` `path` exactly `times` times (WireMock's verify);
        the failure lists what was sent."""
        seen = self.requests(user, method, path)
        if len(seen) != times:
            sent = "; ".join(f"{e['method']} {e['path']} -> {e['status']}" + (f" ({e['fault']})" if e["fault"] else "")
                             for e in self.requests(user)[-20:])
            raise AssertionError(f"expected {times} {method} of {path} by {_name(user)}, saw {len(seen)}: "
                                 f"{sent or 'no request at all'}")
        return seen

    def add_fault(self, fault):
        """Post a fault (mock_portal/control/faults.py's shape); its id."""
        return self._call("POST", "/_test/faults", fault)["id"]

    def remove_fault(self, fault_id):
        return self._call("DELETE", f"/_test/faults/{urllib.parse.quote(fault_id)}")

    # The gateway's session as its users fight with it (docs/gateway.md).
    def log_in_elsewhere(self, user, platform="tws"):
        """`user` (a PortalUser, a username or a paper username) logs in on `platform` (tws,
        mobile, portal, gateway): whether the gateway's session was theirs and now competes."""
        return self._call("POST", "/_test/login-elsewhere", {"username": _name(user), "platform": platform})["competing"]

    def take_brokerage_session_down(self, user, state="not_up"):
        """The brokerage session of `user`'s gateway session goes down now ('not_up', 'no_session')."""
        return self._call("POST", "/_test/brokerage-session", {"username": _name(user), "state": state})

    def set_login_options(self, user, **options):
        """What `user`'s next logins meet: brokerage_session, ibkey_promotion, mobile_approval,
        reset_region (the scenario's keys). Answers all of the user's options."""
        return self._call("POST", "/_test/login-options", {"username": _name(user), **options})

    def answer_mobile_approval(self, user, decision="approve"):
        """The phone approves (or denies) `user`'s login waiting in IBKR Mobile."""
        return self._call("POST", "/_test/mobile-approval", {"username": _name(user), "decision": decision})

    def call_gateway(self, method, path, payload=None):
        """A local program's call of the gateway's API (`slskit serve --gateway`), without cookies:
        (status, JSON body), an error status included."""
        data = json.dumps(payload).encode() if payload is not None else (b"" if method == "POST" else None)
        request = urllib.request.Request(self.url(path), data=data, method=method,
                                         headers={"Content-Type": "application/json"} if payload is not None else {})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout, context=self.ssl_context) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    @contextlib.contextmanager
    def inject(self, user=None, method=None, path=None, probability=None, count=None, **response):
        """A fault for `user`'s requests (every visitor's without one) while the block runs,
        always removed after it: `with portal.inject(user, "POST", "/portal/...", status=503): ...`.
        `response`: fixedDelayMilliseconds, delayDistribution, status, fault, when. `path` exact,
        or a regular expression starting with ^."""
        match = {k: v for k, v in (("username", _name(user)), ("method", method)) if v is not None}
        if path is not None:
            match["urlPathPattern" if path.startswith("^") else "urlPath"] = path
        fault = {"request": match, "response": response,
                 **({"probability": probability} if probability is not None else {}),
                 **({"count": count} if count is not None else {})}
        fault_id = self.add_fault(fault)
        try:
            yield fault_id
        finally:
            _remove_if_there(self.remove_fault, fault_id)  # a counted fault may be gone already

    # Scripted answers (docs/steering.md): WireMock's stubs and scenarios.
    def add_stub(self, stub):
        """Post a stub (mock_portal/control/stubs.py's shape); its id."""
        return self._call("POST", "/_test/stubs", stub)["id"]

    def stubs(self, user=None):
        query = {"username": _name(user)} if user is not None else {}
        return self._call("GET", "/_test/stubs?" + urllib.parse.urlencode(query))["stubs"]

    def remove_stub(self, stub_id):
        return self._call("DELETE", f"/_test/stubs/{urllib.parse.quote(stub_id)}")

    def remove_stubs(self, user=None):
        query = {"username": _name(user)} if user is not None else {}
        return self._call("DELETE", "/_test/stubs?" + urllib.parse.urlencode(query))["removed"]

    def scenarios(self):
        """[{"name", "state", "possibleStates"}] of every scenario."""
        return self._call("GET", "/_test/scenarios")["scenarios"]

    def reset_scenarios(self):
        return self._call("POST", "/_test/scenarios/reset", {})

    @contextlib.contextmanager
    def scripted(self, user, method, path, answers, scenario=None):
        """`user`'s next len(answers) requests of `method` `path` get these answers, in order, then
        the portal's own: a scenario of stubs, Started -> 1 -> 2 ... (WireMock's way), always
        removed after the block. Each answer: {"status", "jsonBody" or "body", "headers"}.
        `path` exact, or a regular expression starting with ^.

            with portal.scripted(user, "POST", "/v1/api/iserver/auth/status",
                                 [{"jsonBody": {"authenticated": False}}] * 3) as name: ...
        """
        name = scenario or f"{_name(user)} {method} {path} {secrets.token_hex(4)}"
        match = {"method": method, "username": _name(user),
                 "urlPathPattern" if path.startswith("^") else "urlPath": path}
        states = ["Started"] + [str(n) for n in range(1, len(answers) + 1)]
        made = []
        try:
            for n, answer in enumerate(answers):
                made.append(self.add_stub({"request": match, "response": answer, "scenarioName": name,
                                           "requiredScenarioState": states[n], "newScenarioState": states[n + 1]}))
            yield name
        finally:
            for stub_id in made:
                _remove_if_there(self.remove_stub, stub_id)  # a reset may have removed it


def _name(user):
    return getattr(user, "username", user)


def _remove_if_there(remove, item_id):
    try:
        remove(item_id)
    except PortalError as e:
        if e.status != 404:
            raise


def hooks_of_page(page):
    """The test hooks of the portal `page` is on."""
    parts = urllib.parse.urlsplit(page.url)
    return TestHooks(f"{parts.scheme}://{parts.netloc}")


def _form_token(response):
    token = csrf_token(response.text())
    if token is None:
        raise AssertionError(f"no CSRF token on {response.url} (status {response.status})")
    return token


# Where a login for each entry point lands (a path of the portal's, mock_portal/login/routes.py LANDING).
LANDING = {"portal": "/portal/", "trading": "/portal/trading", "gateway": "/sso/Dispatcher"}


def log_in_over_http(request, base_url, user, target="portal"):
    """Password and security code through the login forms' POSTs with a Playwright request
    context (`context.request`), so the session cookie lands in that context exactly as a UI
    login leaves it. Every device type works: the combobox is answered with the user's device,
    whose emulator reads the challenge from the code page (or the SMS/passcode from the hooks).
    Raises AssertionError if the password or the code is refused."""
    base = base_url.rstrip("/")
    page = request.get(f"{base}/sso/login?lang={user.locale}&target={target}")
    response = request.post(f"{base}/sso/login", form={
        "csrf_token": _form_token(page), "username": user.username, "password": user.password, "target": target})
    if "/sso/login/code" not in response.url:
        if target == "trading" and response.ok:
            return response
        raise AssertionError(f"password refused for {user.username} (status {response.status})")
    choices = device_choices(response.text())
    if choices:  # several devices: choose the emulated one first
        device_id = next((i for i, kind in choices if kind == user.device.type), None)
        if device_id is None:
            raise AssertionError(f"{user.username} has no {user.device.type} device to choose")
        response = request.post(f"{base}/sso/login/device",
                                form={"csrf_token": _form_token(response), "device": device_id})
    if "?respond=challenge" in response.text():  # the current revision's IB Key waits for a notification
        response = request.get(f"{base}/sso/login/code?respond=challenge")
    code = user.device.respond(response.text(), TestHooks(base))
    response = request.post(f"{base}/sso/login/code", form={"csrf_token": _form_token(response), "code": code})
    if not response.ok or LANDING[target] not in response.url:
        raise AssertionError(f"security code refused for {user.username} (status {response.status})")
    return response


def save_logged_in_state(new_context, base_url, user, path, target="portal"):
    """Log in over HTTP in a scratch context from `new_context()` and save its storage state to
    `path`, for contexts that start logged in (`new_context(storage_state=path)`)."""
    scratch = new_context()
    try:
        log_in_over_http(scratch.request, base_url, user, target)
        scratch.storage_state(path=str(path))
    finally:
        scratch.close()
    return str(path)


class FlowError(AssertionError):
    pass


class HttpVisitor:
    """One person's browser profile as urllib with a cookie jar: redirects (303 after POST) are
    followed as a browser does, and every answer's status is recorded, so a caller can assert
    that no request got a 5xx."""

    def __init__(self, base_url, timeout=30, ssl_context=None):
        self.base = base_url.rstrip("/")
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  urllib.request.HTTPSHandler(context=ssl_context))
        self.csrf = None
        self.statuses = []      # (method, path, status, seconds) of every request, redirects included
        self.last_body = ""

    def _open(self, method, path, form=None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                status, body = response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read().decode("utf-8", errors="replace")
        self.statuses.append((method, path, status, time.perf_counter() - started))
        self.last_body = body
        self.csrf = csrf_token(body) or self.csrf
        return status, body

    def get(self, path):
        return self._open("GET", path)

    def post(self, path, form):
        return self._open("POST", path, {"csrf_token": self.csrf or "", **form})

    def expect(self, status, body, want_status=200, contains=None):
        if status != want_status or (contains and contains not in body):
            raise FlowError(f"expected {want_status}{' with ' + repr(contains) if contains else ''}, "
                            f"got {status}: {body[:200]!r}")
        return body

    # The article's steps, one request (and its redirect) each.
    def log_in(self, username, password, code, lang="ja"):
        self.expect(*self.get(f"/?lang={lang}"))
        self.expect(*self.get(f"/sso/login?lang={lang}"))
        self.expect(*self.post("/sso/login", {"username": username, "password": password, "target": "portal"}),
                    contains='name="code"')
        return self.expect(*self.post("/sso/login/code", {"code": code}), contains="/sso/logout")

    def open_confirmation(self, lang="ja"):
        self.expect(*self.get("/portal/settings/"))
        self.expect(*self.get("/portal/settings/user"))
        self.expect(*self.get("/portal/settings/secure-login"), contains=not_required_heading(lang))
        body = self.expect(*self.post("/portal/settings/secure-login", {"choice": "always_use_device"}),
                           contains="<dialog open")
        return confirmation_id(body)

    def confirm(self, confirmation):
        return self.post("/portal/settings/secure-login/confirm", {"confirmation": confirmation})

    def cancel_sls_opt_out(self, user_entry, code):
        """Home to OK; raises unless the answer shows the enrolled heading."""
        lang = user_entry["locale"]
        self.log_in(user_entry["username"], user_entry["password"], code, lang)
        confirmation = self.open_confirmation(lang)
        return self.expect(*self.confirm(confirmation), contains=enrolled_heading(lang))
