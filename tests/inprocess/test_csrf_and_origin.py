"""Every POST carries the session's CSRF token and comes from the portal's own origin; no GET
changes anything."""

import pytest

from portal_client import SECURE_LOGIN_SETTINGS, Visitor, opted_out, post_routes, text


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
    response = visitor.post(f"{SECURE_LOGIN_SETTINGS}/confirm", {"confirmation": alice_at_confirmation, "csrf_token": tokens[token]})
    assert response.status_code == 400 and 'role="alert"' in text(response)
    assert state(conn) == before and opted_out(conn, "alice")


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"}, {"Referer": "http://evil.example/page"},
    {"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://localhost"}])
def test_a_post_from_another_origin_is_refused(visitor, conn, alice_at_confirmation, headers):
    before = state(conn)
    response = visitor.post(f"{SECURE_LOGIN_SETTINGS}/confirm", {"confirmation": alice_at_confirmation}, headers=headers)
    assert response.status_code == 400 and ("別のサイト" in text(response) or "origin" in text(response).lower()
                                            or 'role="alert"' in text(response))
    assert state(conn) == before


def test_a_same_origin_post_is_accepted(visitor, conn, alice_at_confirmation):
    response = visitor.post(f"{SECURE_LOGIN_SETTINGS}/confirm", {"confirmation": alice_at_confirmation},
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
    for path in ("/sso/logout", f"{SECURE_LOGIN_SETTINGS}/confirm", "/sso/login/code/resend", "/sso/login/device"):
        assert visitor.get(path).status_code == 405, path
    assert visitor.get("/portal/").status_code == 200  # a GET of logout did not log out
