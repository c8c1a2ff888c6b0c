"""Today's login page (LOGIN_PAGE 'current') at the Flask level: the page's structure as
login automation finds it, the JSON its script reads, and the login's rules through it. The
browser tests run its script (tests/e2e/test_login_page.py and the Gherkin specification)."""
import re
from contextlib import closing

import pytest

from mock_portal import db, scenario
from mock_portal.login import todays_page
from html_reading import parse
from portal_client import EXTRA_USERS, JSON, USERS, Script, Visitor, text


@pytest.fixture
def current_app_(app):
    app.config["LOGIN_PAGE"] = "current"
    return app


@pytest.fixture
def script(current_app_, clock):
    return Script(current_app_.test_client(), clock)


def labelled_ids(html):
    return {label.attrs["for"] for label in parse(html).find_all("label", for_=True)}


def test_the_page_holds_every_block_and_the_live_pages_names(script):
    html = text(script.get("/sso/login"))
    page = parse(html)
    blocks = page.find_all("div", class_="xyzblock")
    assert {b.attrs["class"].split()[1] for b in blocks} == {
        "xyzblock-" + block for block in ("username", "error", "multiplesf", "silver", "notification", "manualibkey",
                                          "temp", "bronze", "mobileapproval", "ibkeypromo", "loading")}
    assert page.find("form", class_="xyzform-username") is not None
    for field, name in (("xyz-field-username", "username"), ("xyz-field-password", "password"), ("toggle1", "paperSwitch")):
        assert page.find("input", id=field, name=name) is not None, field
    assert page.find("button", class_="btn btn-lg btn-primary xyz-button-login") is not None
    assert page.find("select", class_="form-control xyz-multipleselect") is not None
    # The later steps' inputs are in the page from the start, hidden, after the username block ...
    username_at = html.index("xyzblock-username")
    for later in ("xyz-field-silver-response", "xyz-field-gold-response", "xyz-field-temp-response",
                  "xyz-field-bronze-response"):
        assert html.index(f'id="{later}"') > username_at
    for block in blocks:
        assert ("hidden" in block.attrs) == (not block.matches(class_="xyzblock-username")), block
    # ... and every one of them has a label, so get_by_label finds it.
    inputs = {e.attrs["id"] for e in page.find_all(id=True) if e.tag in ("input", "select")}
    assert inputs and inputs <= labelled_ids(html)
    assert page.find("script", src="/static/login.js") is not None


def test_the_seed_page_stays_the_default(visitor):
    html = text(visitor.get("/sso/login"))
    assert 'id="username"' in html and "xyzblock" not in html


@pytest.mark.parametrize("where", ["cookie", "scenario"])
def test_a_browser_or_the_scenario_chooses_the_page(app, clock, where):
    visitor = Visitor(app.test_client(), clock)
    if where == "cookie":
        visitor.client.set_cookie(todays_page.COOKIE, "current")
    else:
        with closing(db.connect(app.config["DATABASE"])) as conn:
            scenario.replace(conn, {**scenario.demo(), "login_page": "current"}, app.config["PASSWORD_HASH_METHOD"])
    assert "xyz-field-username" in text(visitor.get("/sso/login"))
    assert "xyz-field-username" in text(visitor.get("/sso/Login?forwardTo=22&RL=1&ip2loc=on"))


def test_a_cookie_naming_no_page_is_ignored(script):
    script.client.set_cookie(todays_page.COOKIE, "tomorrow")
    assert "xyz-field-username" in text(script.get("/sso/login"))


def test_a_scenario_with_a_login_page_that_does_not_exist_is_refused():
    with pytest.raises(scenario.ScenarioError, match="login_page: must be 'seed' or 'current'"):
        scenario.validate({**scenario.demo(), "login_page": "live"})


def test_a_wrong_password_answers_the_error_the_live_page_shows_and_opens_no_session(current_app_, clock):
    english = Script(current_app_.test_client(), clock)
    status, body = english.password("carol", "not the password", lang="en")
    assert status == 401
    assert body["step"] == "username" and body["error"] == "Invalid username password combination"
    assert english.get("/portal/").status_code == 302


def test_password_then_code_through_the_script_lands_in_the_portal(script):
    script.get("/sso/login")
    before = script.csrf
    status, body = script.password("alice")
    assert status == 200 and body["step"] == "silver" and body["resend"] is False
    assert body["prompt"] == "認証アプリに表示されている6桁のコードを入力してください。"
    assert body["csrf_token"] != before  # the password rotated the session
    status, body = script.answer("/sso/login/code", {"code": script.code("alice")})
    assert (status, body["step"], body["redirect"]) == (200, "done", "/portal/")
    assert "ログアウト" in text(script.get("/portal/"))


def test_a_wrong_code_keeps_the_code_block_with_its_error_and_the_right_one_then_works(script):
    script.password("alice")
    status, body = script.answer("/sso/login/code", {"code": "000000" if script.code("alice") != "000000" else "111111"})
    assert status == 401 and body["step"] == "silver" and body["error"]
    status, body = script.answer("/sso/login/code", {"code": script.code("alice")})
    assert body["step"] == "done"


def test_a_replayed_code_is_refused_on_todays_page_too(current_app_, clock):
    first, second = (Script(current_app_.test_client(), clock) for _ in range(2))
    first.password("alice")
    code = first.code("alice")
    assert first.answer("/sso/login/code", {"code": code})[1]["step"] == "done"
    second.password("alice")
    status, body = second.answer("/sso/login/code", {"code": code})
    assert status == 401 and body["step"] == "silver" and "既に使用" in body["error"]


def test_a_user_with_several_devices_picks_one_by_the_pickers_value(current_app_, clock, conn):
    conn.execute("INSERT INTO devices (username, type, config) VALUES ('alice', 'ibkey', ?)",
                 ('{"type": "ibkey", "ibkey_secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"}',))
    conn.commit()
    script = Script(current_app_.test_client(), clock)
    status, body = script.password("alice")
    assert body["step"] == "choose"
    assert [d["value"] for d in body["devices"]] == ["4", "5.2a"]
    assert [d["label"] for d in body["devices"]] == ["モバイル認証アプリ", "IB Key（IBKRモバイル）"]
    status, body = script.answer("/sso/login/device", {"device": "9.9"})
    assert status == 400 and body["step"] == "choose" and body["error"]
    status, body = script.answer("/sso/login/device", {"device": "5.2a"})
    assert body["step"] == "notification" and re.fullmatch(r"[0-9]{6}", body["challenge"])
    status, body = script.answer("/sso/login/device", {"device": "4"})
    assert body["step"] == "silver"
    assert script.answer("/sso/login/code", {"code": script.code("alice")})[1]["step"] == "done"


def test_ten_failures_lock_the_username_on_todays_page_as_on_the_seeds(script):
    for _ in range(9):
        assert script.password("alice", "wrong")[1]["error"] == "ユーザー名またはパスワードが正しくありません。"
    status, body = script.password("alice", "wrong")
    assert status == 401 and "ロック" in body["error"]
    assert "ロック" in script.password("alice")[1]["error"]  # the right password too, while locked


def test_a_code_without_a_pending_login_sends_the_script_back_to_the_username_block(script):
    script.get("/sso/login")
    status, body = script.answer("/sso/login/code", {"code": "123456"})
    assert status == 401 and body["step"] == "username" and body["error"]


def test_a_request_without_its_csrf_token_is_refused_in_json_and_changes_nothing(script):
    script.get("/sso/login")
    status, body = script.answer("/sso/login", {"username": "alice", "password": USERS["alice"]["password"]}, csrf=False)
    assert status == 400 and body["error"] and body["step"] == "error"
    assert script.get("/portal/").status_code == 302


def test_a_cross_site_post_is_refused_in_json(script):
    script.get("/sso/login")
    response = script.post("/sso/login", {"username": "alice", "password": USERS["alice"]["password"]},
                           headers={**JSON, "Origin": "https://evil.example"})
    assert response.status_code == 400 and response.get_json()["step"] == "error"


def test_the_gateway_login_on_todays_page_ends_on_client_login_succeeds(current_app_, clock):
    script = Script(current_app_.test_client(), clock)
    html = text(script.get("/sso/Login?forwardTo=22&RL=1&ip2loc=on"))
    assert 'name="target" value="gateway"' in html and 'lang="en"' in html
    script.password("alice", target="gateway")
    status, body = script.answer("/sso/login/code", {"code": script.code("alice")})
    assert body["redirect"] == "/sso/Dispatcher"
    assert "Client login succeeds" in text(script.get(body["redirect"]))


def test_without_script_the_username_form_still_logs_in_through_the_seeds_code_screen(current_app_, clock):
    visitor = Visitor(current_app_.test_client(), clock)
    visitor.get("/sso/login")
    response = visitor.post("/sso/login", {"username": "alice", "password": USERS["alice"]["password"]})
    assert response.status_code == 303 and response.headers["Location"].endswith("/sso/login/code")


def test_an_opted_out_users_trading_login_on_todays_page_asks_for_no_code(script):
    status, body = script.password("alice", target="trading")
    assert (body["step"], body["redirect"]) == ("done", "/portal/trading")


def test_english_users_see_the_live_pages_english(current_app_, clock, extra_users):
    script = Script(current_app_.test_client(), clock)
    html = text(script.get("/sso/login?lang=en"))
    assert parse(html).find("button", class_="xyz-button-login").text == "Login"
    assert 'data-paper-text="Simulated Login"' in html and ">Select Type<" in html
    status, body = script.password("dave", lang="en")
    assert body["prompt"] == "Enter the 6-digit code shown in your authenticator app."
    assert EXTRA_USERS[0]["username"] == "dave"


def test_the_paper_switch_with_a_live_user_is_refused_clearly_and_counts_no_failure(current_app_, clock, conn):
    script = Script(current_app_.test_client(), clock)
    script.get("/sso/login?lang=en")
    status, body = script.answer("/sso/login", {"username": "carol", "password": USERS["carol"]["password"],
                                                "paperSwitch": "on"})
    assert status == 401 and body["step"] == "username"
    assert body["error"].startswith("You have selected the Paper Trading Mode")
    assert conn.execute("SELECT count(*) FROM login_failures").fetchone()[0] == 0
    assert script.password("carol", lang="en")[1]["step"] == "silver"


def test_two_devices_of_one_type_can_each_be_picked(current_app_, clock, conn):
    conn.execute("INSERT INTO devices (username, type, config) VALUES ('alice', 'sms', ?), ('alice', 'sms', ?)",
                 ('{"type": "sms", "phone": "+81 90-1111-2222"}', '{"type": "sms", "phone": "+81 90-3333-4444"}'))
    conn.commit()
    script = Script(current_app_.test_client(), clock)
    status, body = script.password("alice")
    assert [d["value"] for d in body["devices"]] == ["4", "4.2", "4.2#2"]
    assert [d["label"] for d in body["devices"][1:]] == ["SMS（末尾 2222 の携帯電話）", "SMS（末尾 4444 の携帯電話）"]
    status, body = script.answer("/sso/login/device", {"device": "4.2#2"})
    assert body["step"] == "silver" and body["resend"] is True
    texts = conn.execute("SELECT phone FROM sms_outbox").fetchall()
    assert [t["phone"] for t in texts] == ["+81 90-3333-4444"]  # the second phone got the code
