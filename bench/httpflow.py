"""The article's flow as plain HTTP requests (no browser): what the server alone costs.

One `HttpVisitor` per person keeps its own cookies, like a browser profile. Every answer's
status is recorded, so a caller can assert that no request got a 5xx.
"""
import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CONFIRMATION = re.compile(r'name="confirmation" value="([^"]+)"')
ENROLLED = {"ja": "<h1>取引にセキュアログインが必要です</h1>", "en": "<h1>Secure Login is required for trading</h1>"}
NOT_REQUIRED = {"ja": "<h1>取引にセキュアログインが必要ではありません</h1>",
                "en": "<h1>Secure Login is not required for trading</h1>"}


class FlowError(AssertionError):
    pass


class HttpVisitor:
    """urllib with a cookie jar; redirects (303 after POST) are followed as a browser does."""

    def __init__(self, base_url, timeout=30):
        self.base = base_url.rstrip("/")
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
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
        match = CSRF.search(body)
        if match:
            self.csrf = match.group(1)
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
        self.expect(*self.get("/portal/settings/secure-login"), contains=NOT_REQUIRED[lang])
        body = self.expect(*self.post("/portal/settings/secure-login", {"choice": "always_use_device"}),
                           contains="<dialog open")
        return CONFIRMATION.search(body).group(1)

    def confirm(self, confirmation):
        return self.post("/portal/settings/secure-login/confirm", {"confirmation": confirmation})

    def cancel_sls_opt_out(self, user_entry, code):
        """Home to OK; raises unless the answer shows the enrolled heading."""
        lang = user_entry["locale"]
        self.log_in(user_entry["username"], user_entry["password"], code, lang)
        confirmation = self.open_confirmation(lang)
        return self.expect(*self.confirm(confirmation), contains=ENROLLED[lang])
