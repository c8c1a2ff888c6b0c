"""A login that holds up to attack: the lock after failed logins, one message and one hash
check for wrong usernames and wrong passwords, bad input never a 500, CSRF and origin checks on
every POST, no change through GET, re-authentication before an SLS change, and a log that
never holds a secret."""
import io
import json
import logging
import re

import pytest

from mock_portal import auth, create_app
from portal_client import USERS, Visitor, opted_out, text

DAY = 24 * 3600
MODERN = "/portal/settings/secure-login"


def fail_password(visitor, username, times=1):
    response = None
    for _ in range(times):
        response = visitor.submit_password(username, "not the password")
    return response


# --- the lock ----------------------------------------------------------------------------------

def test_ten_failures_lock_the_username_even_for_the_right_password(visitor):
    assert "パスワードが正しくありません" in text(fail_password(visitor, "alice", 9))
    tenth = fail_password(visitor, "alice")
    assert tenth.status_code == 401 and "24時間ロックされています" in text(tenth)
    right = visitor.submit_password("alice")
    assert right.status_code == 401 and "24時間ロックされています" in text(right)


def test_nine_failures_do_not_lock(visitor):
    fail_password(visitor, "alice", 9)
    assert visitor.submit_password("alice").status_code == 303


def test_the_lock_ends_after_24_hours(visitor, clock):
    fail_password(visitor, "alice", 10)
    clock.advance(DAY - 60)
    assert visitor.submit_password("alice").status_code == 401
    clock.advance(120)
    assert visitor.submit_password("alice").status_code == 303


def test_failures_older_than_24_hours_do_not_count(visitor, clock):
    fail_password(visitor, "alice", 9)
    clock.advance(DAY + 1)
    fail_password(visitor, "alice")
    assert visitor.submit_password("alice").status_code == 303


def test_unknown_usernames_lock_the_same_way(visitor):
    responses = [fail_password(visitor, "nobody") for _ in range(10)]
    known = [fail_password(visitor, "alice") for _ in range(10)]
    # Same statuses and messages, failure by failure: the lock tells nothing about existence.
    assert [(r.status_code, "ロック" in text(r)) for r in responses] == \
        [(r.status_code, "ロック" in text(r)) for r in known]
    assert "ロック" in text(responses[-1]) and "ロック" not in text(responses[-2])


def test_the_count_survives_a_restart(app, clock, visitor):
    fail_password(visitor, "alice", 10)
    restarted = Visitor(create_app(app.config).test_client(), clock)
    assert restarted.submit_password("alice").status_code == 401


def test_wrong_codes_count_towards_the_lock(visitor):
    for _ in range(10):
        visitor.submit_password("alice")
        visitor.get("/sso/login/code")
        assert visitor.post("/sso/login/code", {"code": "abcdef"}).status_code == 401
    response = visitor.submit_password("alice")
    assert response.status_code == 401 and "ロック" in text(response)


def test_a_successful_login_starts_the_count_afresh(visitor, other_visitor):
    fail_password(visitor, "alice", 9)
    other_visitor.log_in("alice")
    fail_password(visitor, "alice", 9)
    assert visitor.submit_password("alice").status_code == 303


# --- wrong username and wrong password look alike ----------------------------------------------

def test_unknown_user_and_wrong_password_pay_one_hash_check_each(visitor, monkeypatch):
    calls = []
    real = auth.check_password_hash
    monkeypatch.setattr(auth, "check_password_hash", lambda h, p: calls.append(h) or real(h, p))
    wrong = visitor.submit_password("alice", "not the password")
    unknown = visitor.submit_password("nobody", "not the password")
    assert len(calls) == 2 and calls[0] != calls[1]  # the stored hash, then the dummy one
    assert calls[1].split("$")[0] == calls[0].split("$")[0]  # same method and cost: same timing class
    assert wrong.status_code == unknown.status_code == 401
    error = re.compile(r'role="alert">([^<]+)<')
    assert error.search(text(wrong)).group(1) == error.search(text(unknown)).group(1)


# --- malformed input ---------------------------------------------------------------------------

GARBAGE_FORMS = [
    {}, {"username": "", "password": "", "code": ""},
    {"username": "a" * 100_000, "password": "b" * 100_000, "code": "9" * 100_000},
    {"username": "al\x00ice\x1b[31m", "password": "\x00\r\n", "code": "12\x0034"},
    {"code": "１２３４５６", "device": "１", "username": "ａｌｉｃｅ", "password": "ｐ"},
    {"code": "DROP TABLE users;--", "confirmation": "'; --", "target": "../../etc", "next": "//evil.example/"},
]


def post_routes(app):
    return sorted(r.rule for r in app.url_map.iter_rules()
                  if "POST" in r.methods and not r.rule.startswith("/_test") and "<" not in r.rule)


@pytest.mark.parametrize("form", GARBAGE_FORMS, ids=range(len(GARBAGE_FORMS)))
@pytest.mark.parametrize("logged_in", [False, True])
def test_garbage_forms_never_cause_a_500(app, visitor, form, logged_in):
    if logged_in:
        visitor.log_in("alice")
    for path in post_routes(app):
        response = visitor.post(path, form)
        assert response.status_code < 500, (path, response.status_code)
        assert "Traceback" not in text(response)


@pytest.mark.parametrize("body, content_type", [
    ('{"username": "alice", "password": "alice pass 1"}', "application/json"),
    ("--x\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\n12", "multipart/form-data; boundary=x"),
    ("\xff\xfe garbage", "multipart/form-data"),
    ("csrf_token=%ZZ&code=%00", "application/x-www-form-urlencoded"),
    ("<xml/>", "text/xml"),
])
def test_wrong_content_types_never_cause_a_500(app, visitor, body, content_type):
    visitor.log_in("alice")
    for path in post_routes(app):
        response = visitor.client.post(path, data=body, content_type=content_type)
        assert response.status_code < 500, (path, content_type, response.status_code)


def test_a_body_over_one_megabyte_is_refused_clearly(visitor):
    visitor.get("/sso/login")
    response = visitor.post("/sso/login", {"username": "x" * (2 * 1024 * 1024), "password": "p"})
    assert response.status_code == 413 and 'role="alert"' in text(response)


# --- CSRF, origin, GET ------------------------------------------------------------------------

def state(conn):
    """Everything a POST could change, except sessions (every page view may touch those)."""
    return {table: [tuple(r) for r in conn.execute(f"SELECT * FROM {table}")]
            for table in ("users", "devices", "confirmations", "audit_log", "messages", "challenges",
                          "sms_outbox", "temporary_passcodes", "login_failures", "lockouts")}


@pytest.fixture
def alice_at_confirmation(visitor):
    visitor.get("/sso/login")
    visitor.token_before_login = visitor.csrf  # worthless once the login rotated the session
    visitor.log_in("alice")
    return visitor.open_confirmation()


@pytest.mark.parametrize("token", ["missing", "foreign", "expired"])
def test_ok_without_the_sessions_token_is_400_and_changes_nothing(app, clock, visitor, conn, alice_at_confirmation,
                                                                   token):
    other = Visitor(app.test_client(), clock)
    other.get("/sso/login")
    tokens = {"missing": "", "foreign": other.csrf, "expired": visitor.token_before_login}
    assert tokens["expired"] != visitor.csrf
    before = state(conn)
    response = visitor.post(f"{MODERN}/confirm", {"confirmation": alice_at_confirmation, "csrf_token": tokens[token]})
    assert response.status_code == 400 and 'role="alert"' in text(response)
    assert state(conn) == before and opted_out(conn, "alice")


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"}, {"Referer": "http://evil.example/page"},
    {"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://localhost"}])
def test_a_post_from_another_origin_is_refused(visitor, conn, alice_at_confirmation, headers):
    before = state(conn)
    response = visitor.post(f"{MODERN}/confirm", {"confirmation": alice_at_confirmation}, headers=headers)
    assert response.status_code == 400 and ("別のサイト" in text(response) or "origin" in text(response).lower()
                                            or 'role="alert"' in text(response))
    assert state(conn) == before


def test_a_same_origin_post_is_accepted(visitor, conn, alice_at_confirmation):
    response = visitor.post(f"{MODERN}/confirm", {"confirmation": alice_at_confirmation},
                            headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 303 and not opted_out(conn, "alice")


def test_no_get_changes_anything(app, visitor, conn, alice_at_confirmation):
    before = state(conn)
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and "<" not in rule.rule and not rule.rule.startswith(("/_test", "/static")):
            assert visitor.get(rule.rule).status_code < 500, rule.rule
    for path in post_routes(app):
        assert visitor.get(path).status_code in (200, 302, 405), path
    assert state(conn) == before


def test_post_only_routes_refuse_get(app, visitor):
    visitor.log_in("alice")
    for path in ("/sso/logout", f"{MODERN}/confirm", "/sso/login/code/resend", "/sso/login/device"):
        assert visitor.get(path).status_code == 405, path
    assert visitor.get("/portal/").status_code == 200  # a GET of logout did not log out


# --- re-authentication before the SLS change ---------------------------------------------------

def test_an_old_login_confirms_with_the_device_before_continue(visitor, clock, conn):
    visitor.log_in("alice")
    clock.advance(16 * 60)
    response = visitor.press_continue()
    assert response.status_code == 303 and "/sso/reauth" in response.headers["Location"]
    page = text(visitor.get(response.headers["Location"]))
    assert '<label for="xyz-field-bronze-response">セキュリティ・コード</label>' in page and ">ログイン</button>" in page
    assert conn.execute("SELECT COUNT(*) FROM confirmations").fetchone()[0] == 0
    back = visitor.post("/sso/reauth", {"code": visitor.code("alice"), "next": MODERN})
    assert back.status_code == 303 and back.headers["Location"] == MODERN
    cid = visitor.open_confirmation()
    assert visitor.post(f"{MODERN}/confirm", {"confirmation": cid}).status_code == 303
    assert not opted_out(conn, "alice")


def test_a_recent_login_needs_no_reauthentication(visitor, clock):
    visitor.log_in("alice")
    clock.advance(14 * 60)
    assert visitor.press_continue().headers["Location"].startswith(MODERN)


def test_the_age_is_a_config_key_and_ok_returns_to_the_same_dialog(app, visitor, clock, conn):
    app.config["REAUTH_MAX_AGE_SECONDS"] = 60
    visitor.log_in("alice")
    cid = visitor.open_confirmation()
    clock.advance(90)
    response = visitor.post(f"{MODERN}/confirm", {"confirmation": cid})
    assert "/sso/reauth" in response.headers["Location"] and opted_out(conn, "alice")
    visitor.get(response.headers["Location"])
    wrong = visitor.post("/sso/reauth", {"code": "000000" if visitor.code("alice") != "000000" else "111111",
                                         "next": f"{MODERN}?confirmation={cid}"})
    assert wrong.status_code == 401 and opted_out(conn, "alice")
    back = visitor.post("/sso/reauth", {"code": visitor.code("alice"), "next": f"{MODERN}?confirmation={cid}"})
    assert back.headers["Location"] == f"{MODERN}?confirmation={cid}"
    assert "<dialog" in text(visitor.get(back.headers["Location"]))
    assert visitor.post(f"{MODERN}/confirm", {"confirmation": cid}).status_code == 303
    assert not opted_out(conn, "alice")


def test_reauthentication_never_sends_the_user_to_another_site(visitor, clock):
    visitor.log_in("alice")
    clock.advance(16 * 60)
    visitor.get(visitor.press_continue().headers["Location"])
    response = visitor.post("/sso/reauth", {"code": visitor.code("alice"), "next": "//evil.example/portal/"})
    assert response.headers["Location"] == "/portal/"


# --- logs --------------------------------------------------------------------------------------

@pytest.fixture
def log_lines():
    """Everything the portal's loggers write during the test."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    loggers = [logging.getLogger(), logging.getLogger("mock_portal.events"), logging.getLogger("mock_portal")]
    for logger in loggers:
        logger.addHandler(handler)
    yield lambda: stream.getvalue().splitlines()
    for logger in loggers:
        logger.removeHandler(handler)


def test_the_log_holds_no_password_code_secret_or_session_id(visitor, log_lines, conn):
    fail_password(visitor, "alice")
    visitor.submit_password("alice")
    visitor.get("/sso/login/code")
    code = visitor.code("alice")
    visitor.post("/sso/login/code", {"code": "000000" if code != "000000" else "111111"})
    visitor.post("/sso/login/code", {"code": code})
    session_id = visitor.client.get_cookie("slskit_session").value
    cid = visitor.open_confirmation()
    visitor.post(f"{MODERN}/confirm", {"confirmation": cid})
    assert not opted_out(conn, "alice")
    lines = log_lines()
    events = [json.loads(line) for line in lines]
    assert {"login.refused", "code.refused", "login.succeeded"} <= {e["event"] for e in events}
    assert all(e["ts"].endswith("Z") for e in events)  # UTC
    everything = "\n".join(lines)
    for secret in (USERS["alice"]["password"], "not the password", code, USERS["alice"]["devices"][0]["totp_secret"],
                   session_id, visitor.csrf, cid):
        assert secret not in everything


@pytest.mark.parametrize("path", ["/", "/sso/login", "/no-such-page"])
def test_every_answer_forbids_plugins_and_a_base_element(visitor, path):
    """The CSP: only the portal's own scripts and styles, no <object>/<embed>, no <base> to redirect
    relative links and form targets (today's login page's login.js is a same-origin script)."""
    policy = visitor.get(path).headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
