"""Rights follow factors (mock_portal/access.py): an opted-out user's trading login without the
security device opens the trading screen only; a temporary passcode's age (KB69) limits every
screen its session opens; a confirmation is answered only on the screen that opened it."""
import json
from contextlib import closing

import pytest

from mock_portal import db, scenario
from html_reading import parse
from portal_client import SECURE_LOGIN_SETTINGS, USERS, opted_out, text


CLASSIC = "/classic/account/security/secure-login/opt-out"
CLIENT_PORTAL_PAGES = ("/portal/", "/portal/account", "/portal/messages", "/portal/audit", "/portal/settings/",
                       "/portal/settings/user", SECURE_LOGIN_SETTINGS, f"{SECURE_LOGIN_SETTINGS}/opt-out", "/classic/", "/classic/account",
                       "/classic/account/security", "/classic/account/security/secure-login", CLASSIC,
                       "/sso/Dispatcher", "/sso/reauth")
DEVICE_REQUIRED = {"ja": "セキュリティ・デバイスを使ってクライアント・ポータルにログインしてください",
                   "en": "log in to the Client Portal with your security device"}


@pytest.fixture
def one_factor(visitor):
    """alice (opted out, primary) logged in to the trading platform with her password alone."""
    asked, page = visitor.log_in_trading("alice")
    assert not asked and parse(text(page)).find("h1").text == "取引"
    return visitor


def audit_outcomes(conn, actor):
    return [r[0] for r in conn.execute("SELECT outcome FROM audit_log WHERE actor = ? ORDER BY audit_id", (actor,))]


def test_a_one_factor_trading_login_shows_no_link_to_the_client_portal(one_factor):
    page = text(one_factor.get("/portal/trading"))
    for path in ("/portal/account", "/portal/messages", "/portal/audit", "/portal/settings/", "/classic/"):
        assert f'href="{path}"' not in page
    assert "ログアウト" in page  # logging out stays possible


@pytest.mark.parametrize("path", CLIENT_PORTAL_PAGES)
def test_a_one_factor_trading_login_opens_no_client_portal_page(one_factor, path):
    response = one_factor.get(path)
    assert response.status_code == 403, (path, response.status_code)
    assert DEVICE_REQUIRED["ja"] in text(response)


@pytest.mark.parametrize("path, form", [
    (SECURE_LOGIN_SETTINGS, {"choice": "always_use_device"}),
    (f"{SECURE_LOGIN_SETTINGS}/confirm", {"confirmation": "x"}),
    (f"{SECURE_LOGIN_SETTINGS}/opt-out", {"agree": "yes", "signature": "alice"}),
    (CLASSIC, {"target": "bob"}),
    (f"{CLASSIC}/confirm", {"confirmation": "x", "target": "bob"}),
    (f"{CLASSIC}/cancel", {"confirmation": "x", "target": "bob"}),
])
def test_a_one_factor_trading_login_changes_no_security_setting_and_is_audited(one_factor, conn, path, form):
    response = one_factor.post(path, form)
    assert response.status_code == 403 and DEVICE_REQUIRED["ja"] in text(response)
    assert opted_out(conn, "alice") and opted_out(conn, "bob")
    assert audit_outcomes(conn, "alice") == ["refused:device_required"]
    assert conn.execute("SELECT COUNT(*) FROM confirmations").fetchone()[0] == 0


def test_a_one_factor_session_logs_in_with_the_device_to_open_the_portal(one_factor):
    # The login page is offered again (not a redirect to a page it may not open).
    assert one_factor.get("/sso/login").status_code == 200
    one_factor.clock.advance(30)
    one_factor.log_in("alice")
    assert one_factor.get("/portal/account").status_code == 200


def test_the_gateway_login_page_is_offered_to_a_one_factor_session(one_factor):
    page = one_factor.get("/sso/Login?forwardTo=22&RL=1&ip2loc=on")
    assert page.status_code == 200 and 'name="password"' in text(page)


def test_a_full_login_opens_the_trading_screen_and_the_portal(visitor):
    visitor.log_in("alice")
    for path in ("/portal/trading", "/portal/account", "/classic/", "/sso/Dispatcher"):
        assert visitor.get(path).status_code == 200, path


def test_an_enrolled_users_trading_login_with_the_device_opens_the_portal(visitor, extra_users):
    asked, page = visitor.log_in_trading("dave")
    assert asked and parse(text(page)).find("h1").text == "Trading"
    assert visitor.get("/portal/account").status_code == 200


def test_refusals_are_logged_without_secrets(one_factor, portal_events):
    one_factor.get("/portal/account")
    refused = [e for e in portal_events() if e["event"] == "access.refused"]
    assert [(e["endpoint"], e["reason"], e["username"]) for e in refused] == [
        ("seed.account", "device_required", "alice")]
    assert USERS["alice"]["password"] not in json.dumps(refused)


# --- KB69: a temporary passcode's age limits every screen of its session -----------------------

TOM = {"username": "tom", "password": "tom pass 8", "account_id": "U3000004", "primary": True, "locale": "ja",
       "sls_opted_out": False, "devices": [{"type": "temporary_passcode"}]}


@pytest.fixture
def tom_passcode(app):
    from mock_portal.login import devices
    with closing(db.connect(app.config["DATABASE"])) as c:
        scenario.add_users(c, [TOM], app.config["PASSWORD_HASH_METHOD"])
        return devices.issue_temporary_passcode(c, "tom", app.config["CLOCK"].now())


def log_in_tom(visitor, passcode, target):
    visitor.get(f"/sso/login?target={target}")
    visitor.post("/sso/login", {"username": "tom", "password": TOM["password"], "target": target})
    visitor.get("/sso/login/code")
    return visitor.post("/sso/login/code", {"code": passcode})


def test_a_passcode_session_loses_the_trading_screen_after_two_days(visitor, clock, tom_passcode):
    assert log_in_tom(visitor, tom_passcode, "trading").status_code == 303
    assert visitor.get("/portal/trading").status_code == 200
    for _ in range(2 * 24 * 2 + 1):  # kept busy: the session never idles out
        clock.advance(30 * 60 - 1)
        visitor.get("/portal/")
    refused = visitor.get("/portal/trading")
    assert refused.status_code == 403 and "取引プラットフォームにはログインできません" in text(refused)
    assert visitor.get("/portal/account").status_code == 200  # the Client Portal stays open


def test_a_passcode_session_older_than_two_days_is_refused_the_trading_screen_in_the_portal(
        visitor, clock, tom_passcode):
    clock.advance(3 * 24 * 3600)
    response = log_in_tom(visitor, tom_passcode, "portal")
    assert response.status_code == 303 and response.headers["Location"].endswith("/portal/")
    assert visitor.get("/portal/").status_code == 200
    assert visitor.get("/portal/trading").status_code == 403


def test_a_passcode_session_ends_when_the_passcode_expires(visitor, clock, tom_passcode):
    clock.advance(12 * 24 * 3600 - 60)
    log_in_tom(visitor, tom_passcode, "portal")
    assert visitor.get("/portal/").status_code == 200
    clock.advance(120)
    expired = visitor.get("/portal/")
    assert expired.status_code == 401 and "有効期限が切れました" in text(expired)
    assert visitor.get("/portal/").status_code == 302  # the session is gone: back to the login


# --- a confirmation is answered only on the screen that opened it ------------------------------

def test_a_classic_confirmation_is_not_answered_on_the_seed_revisions_screen(visitor, conn):
    visitor.log_in("alice")
    cid = visitor.open_classic_confirmation("alice")
    response = visitor.post(f"{SECURE_LOGIN_SETTINGS}/confirm", {"confirmation": cid})
    assert response.status_code == 400 and "この確認は無効です" in text(response)
    assert opted_out(conn, "alice")
    assert visitor.get(f"{SECURE_LOGIN_SETTINGS}?confirmation={cid}").status_code == 409  # nor shown there
    assert visitor.post(f"{CLASSIC}/confirm", {"confirmation": cid, "target": "alice"}).status_code == 303
    assert not opted_out(conn, "alice")


def test_a_seed_revision_confirmation_is_not_answered_on_the_classic_screen(visitor, conn):
    visitor.log_in("alice")
    cid = visitor.open_confirmation()
    response = visitor.post(f"{CLASSIC}/confirm", {"confirmation": cid, "target": "alice"})
    assert response.status_code == 400 and opted_out(conn, "alice")
    cancel = visitor.post(f"{CLASSIC}/cancel", {"confirmation": cid, "target": "alice"})
    assert cancel.status_code == 400
    assert visitor.post(f"{SECURE_LOGIN_SETTINGS}/confirm", {"confirmation": cid}).status_code == 303
    assert not opted_out(conn, "alice")
