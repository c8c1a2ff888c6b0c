"""Helpers for the Flask-level tests: the base scenario (SCENARIO, EXTRA_USERS) and `Visitor`, a
person using the portal through Flask's test client (forms read with flows.portal_http)."""
import pyotp

from flows.portal_http import confirmation_id, csrf_token


SCENARIO = {"users": [
    {"username": "alice", "password": "alice pass 1", "account_id": "U1000001", "primary": True,
     "locale": "ja", "sls_opted_out": True,
     "devices": [{"type": "authenticator_app", "totp_secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"}]},
    {"username": "bob", "password": "bob pass 2", "account_id": "U1000001", "primary": False,
     "locale": "ja", "sls_opted_out": True,
     "devices": [{"type": "authenticator_app", "totp_secret": "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQ"}]},
    {"username": "carol", "password": "carol pass 3", "account_id": "U2000002", "primary": True,
     "locale": "en", "sls_opted_out": True,
     "devices": [{"type": "authenticator_app", "totp_secret": "NB2W45DFOIZA4ZLMOVZ3A2LTMJSW4ZLSEZ4HS7I5"}]},
]}
# More users for the rules' tests, added next to SCENARIO by the `extra_users` fixture (SCENARIO
# itself stays as other suites know it): dave is a second, non-primary, enrolled user of alice's
# account who speaks English.
EXTRA_USERS = [
    {"username": "dave", "password": "dave pass 4", "account_id": "U1000001", "primary": False,
     "locale": "en", "sls_opted_out": False,
     "devices": [{"type": "authenticator_app", "totp_secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}]},
]
USERS = {u["username"]: u for u in SCENARIO["users"] + EXTRA_USERS}
# The seed revision's Secure Login Settings, where the article's steps 5-7 happen.
SECURE_LOGIN_SETTINGS = "/portal/settings/secure-login"


def post_routes(app):
    """Every POST route of the portal but the test hooks', without a variable part."""
    return sorted(r.rule for r in app.url_map.iter_rules()
                  if "POST" in r.methods and not r.rule.startswith("/_test") and "<" not in r.rule)


class Visitor:
    """A person using the portal through Flask's test client (keeps cookies like a browser)."""
    users = USERS  # whose passwords and devices it knows, by username (a subclass may know more)

    def __init__(self, client, clock):
        self.client, self.clock = client, clock
        self.csrf = None

    def get(self, path, **kw):
        response = self.client.get(path, **kw)
        self.csrf = csrf_token(text(response)) or self.csrf
        return response

    def post(self, path, data=None, csrf=True, **kw):
        data = dict(data or {})
        if csrf and "csrf_token" not in data:
            data["csrf_token"] = self.csrf
        response = self.client.post(path, data=data, **kw)
        self.csrf = csrf_token(text(response)) or self.csrf
        return response

    def code(self, username, offset_steps=0):
        secret = self.users[username]["devices"][0]["totp_secret"]
        return pyotp.TOTP(secret).generate_otp(int(self.clock.now() // 30) + offset_steps)

    def submit_password(self, username, password=None):
        self.get("/sso/login")
        if password is None:
            password = self.users[username]["password"]
        return self.post("/sso/login", {"username": username, "password": password})

    def fail_password(self, username, times=1):
        """`times` logins of `username` with a wrong password; the last answer."""
        response = None
        for _ in range(times):
            response = self.submit_password(username, "not the password")
        return response

    def log_in(self, username):
        self.submit_password(username)
        self.get("/sso/login/code")
        response = self.post("/sso/login/code", {"code": self.code(username)}, follow_redirects=True)
        assert response.request.path == "/portal/", response.get_data(as_text=True)
        return response

    def log_in_trading(self, username):
        """The trading platform login: password, then the code only if the portal asks for it.
        Returns (asked_for_code, final response)."""
        self.get("/sso/login?target=trading")
        response = self.post("/sso/login", {"username": username, "password": self.users[username]["password"],
                                            "target": "trading"})
        asked = response.headers.get("Location", "").endswith("/sso/login/code")
        if asked:
            self.get("/sso/login/code")
            response = self.post("/sso/login/code", {"code": self.code(username)})
        assert response.status_code == 303, text(response)
        return asked, self.get(response.headers["Location"])

    def classic_continue(self, target):
        self.get("/classic/account/security/secure-login/opt-out")
        return self.post("/classic/account/security/secure-login/opt-out", {"target": target})

    def open_classic_confirmation(self, target):
        response = self.classic_continue(target)
        assert response.status_code == 303, text(response)
        page = self.get(response.headers["Location"])
        return confirmation_id(text(page))

    def press_continue(self):
        self.get("/portal/settings/secure-login")
        return self.post("/portal/settings/secure-login", {"choice": "always_use_device"})

    def open_confirmation(self):
        response = self.press_continue()
        assert response.status_code == 303, response.get_data(as_text=True)
        page = self.get(response.headers["Location"])
        return confirmation_id(text(page))


JSON = {"Accept": "application/json"}


class Script(Visitor):
    """What today's login page's script (static/login.js) does: post the page's forms asking for
    JSON and keep the CSRF token each answer hands out (a login step rotates the session)."""

    def answer(self, path, data=None, csrf=True):
        response = self.post(path, data, csrf=csrf, headers=JSON)
        body = response.get_json()
        assert body is not None, f"not JSON: {response.status_code} {text(response)[:200]}"
        self.csrf = body.get("csrf_token") or self.csrf
        return response.status_code, body

    def password(self, username, password=None, target=None, lang=None, **fields):
        """The username block's form; `fields`: more of it (paperSwitch, loginType)."""
        self.get("/sso/login" + (f"?lang={lang}" if lang else ""))
        typed = {"username": username,
                 "password": password if password is not None else self.users[username]["password"]}
        return self.answer("/sso/login", {**typed, **({"target": target} if target else {}), **fields})


def opted_out(conn, username):
    return bool(conn.execute("SELECT sls_opted_out FROM users WHERE username = ?", (username,)).fetchone()[0])


def text(response):
    return response.get_data(as_text=True)
