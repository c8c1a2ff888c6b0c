"""The security devices a user can hold (article step 3): each type's code step at Flask level,
the device combobox for users with several, and the scenario file's fields for each type."""
import re
from contextlib import closing

import pyotp
import pytest

from flows.devices import DigitalSecurityCard, IBKey, read_challenge
from mock_portal import db, scenario
from mock_portal.login import devices
from html_reading import parse
from portal_client import Visitor, text


IBKEY_SECRET = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"
CARD_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
TOTP_SECRET = "ONSWG4TFOQYTEMZUGU3DOOBZGAYTEMZU"
DEVICE_USERS = [
    {"username": "ivy", "password": "ivy pass 5", "account_id": "U3000001", "primary": True, "locale": "ja",
     "sls_opted_out": True, "devices": [{"type": "ibkey", "ibkey_secret": IBKEY_SECRET}]},
    {"username": "sam", "password": "sam pass 6", "account_id": "U3000002", "primary": True, "locale": "en",
     "sls_opted_out": True, "devices": [{"type": "sms", "phone": "+81 90-1234-5678"}]},
    {"username": "dan", "password": "dan pass 7", "account_id": "U3000003", "primary": True, "locale": "ja",
     "sls_opted_out": True, "devices": [{"type": "dsc_plus", "card_secret": CARD_SECRET, "pin": "4321"}]},
    {"username": "tom", "password": "tom pass 8", "account_id": "U3000004", "primary": True, "locale": "ja",
     "sls_opted_out": False, "devices": [{"type": "temporary_passcode"},
                                         {"type": "authenticator_app", "totp_secret": TOTP_SECRET}]},
]
PASSWORDS = {u["username"]: u["password"] for u in DEVICE_USERS}
LOCALES = {u["username"]: u["locale"] for u in DEVICE_USERS}


@pytest.fixture(autouse=True)
def device_users(app):
    with closing(db.connect(app.config["DATABASE"])) as c:
        scenario.add_users(c, DEVICE_USERS, app.config["PASSWORD_HASH_METHOD"])


def password_step(visitor, username, target="portal"):
    visitor.get(f"/sso/login?target={target}&lang={LOCALES[username]}")
    response = visitor.post("/sso/login", {"username": username, "password": PASSWORDS[username], "target": target})
    assert response.status_code == 303, text(response)
    return visitor.get("/sso/login/code")


def lands_in_portal(response):
    return response.status_code == 303 and response.headers["Location"].endswith("/portal/")


def sms_codes(app, phone="+81 90-1234-5678"):
    return [m["code"] for m in app.test_client().get("/_test/sms", query_string={"phone": phone}).get_json()["messages"]]


@pytest.fixture
def app_hooks(app):
    """The test hooks (the phone, the help desk) on this app."""
    app.register_blueprint(__import__("mock_portal.control", fromlist=["bp"]).bp)
    return app.test_client()


# --- ibkey -------------------------------------------------------------------------------------

def test_ibkey_answers_the_challenge_shown_on_the_code_page(visitor):
    page = text(password_step(visitor, "ivy"))
    challenge = read_challenge(page)
    assert "チャレンジ・コード" in page and re.fullmatch(r"[0-9]{6}", challenge)
    response = visitor.post("/sso/login/code", {"code": IBKey(IBKEY_SECRET).response(challenge)})
    assert lands_in_portal(response)


def test_ibkey_wrong_response_is_refused_and_the_challenge_stays(visitor):
    challenge = read_challenge(text(password_step(visitor, "ivy")))
    wrong = "000000" if IBKey(IBKEY_SECRET).response(challenge) != "000000" else "111111"
    response = visitor.post("/sso/login/code", {"code": wrong})
    assert response.status_code == 401 and "セキュリティ・コードが正しくありません" in text(response)
    assert read_challenge(text(response)) == challenge


def test_ibkey_answer_to_a_replaced_challenge_is_refused(visitor):
    old = read_challenge(text(password_step(visitor, "ivy")))
    renewed = visitor.post("/sso/login/code/resend")
    assert "新しいチャレンジ・コードを表示しました" in text(renewed)
    new = read_challenge(text(renewed))
    if new != old:  # one chance in a million of the same six digits
        assert visitor.post("/sso/login/code", {"code": IBKey(IBKEY_SECRET).response(old)}).status_code == 401
    assert lands_in_portal(visitor.post("/sso/login/code", {"code": IBKey(IBKEY_SECRET).response(new)}))


@pytest.mark.parametrize("decision, status, message", [
    ("approve", 303, None), ("deny", 401, "通知は拒否されました")])
def test_ibkey_push_is_approved_or_denied_on_the_phone(app_hooks, visitor, decision, status, message):
    password_step(visitor, "ivy")
    assert app_hooks.post("/_test/ibkey/push", json={"username": "ivy", "decision": decision}).status_code == 200
    response = visitor.post("/sso/login/code", {"push": "1"})
    assert response.status_code == status
    if message:
        assert message in text(response)
    else:
        assert lands_in_portal(response)


def test_ibkey_push_not_yet_answered_says_so(visitor):
    password_step(visitor, "ivy")
    response = visitor.post("/sso/login/code", {"push": "1"})
    assert response.status_code == 401 and "まだ承認されていません" in text(response)


def test_push_hook_without_a_pending_notification_is_404(app_hooks):
    assert app_hooks.post("/_test/ibkey/push", json={"username": "ivy", "decision": "approve"}).status_code == 404


# --- sms ---------------------------------------------------------------------------------------

def test_sms_code_reaches_the_outbox_and_logs_in(app_hooks, app, visitor):
    page = text(password_step(visitor, "sam"))
    assert "Request new Security Code" in page
    codes = sms_codes(app)
    assert len(codes) == 1 and re.fullmatch(r"[0-9]{6}", codes[0])
    assert lands_in_portal(visitor.post("/sso/login/code", {"code": codes[0]}))


def test_request_new_code_invalidates_the_previous_one(app_hooks, app, visitor):
    password_step(visitor, "sam")
    first = sms_codes(app)[0]
    resent = visitor.post("/sso/login/code/resend")
    assert resent.status_code == 200 and "A new Security Code was sent" in text(resent)
    newest = sms_codes(app)[0]
    old = visitor.post("/sso/login/code", {"code": first})
    if first != newest:  # one chance in a million that both texts carry the same digits
        assert old.status_code == 401 and "replaced by a new one" in text(old)
    assert lands_in_portal(visitor.post("/sso/login/code", {"code": newest}))


def test_sms_code_expires_after_five_minutes(app_hooks, app, visitor, clock):
    password_step(visitor, "sam")
    clock.advance(devices.SMS_CODE_TTL + 1)
    response = visitor.post("/sso/login/code", {"code": sms_codes(app)[0]})
    assert response.status_code == 401 and "has expired" in text(response)


def test_opening_the_code_page_sends_nothing(app_hooks, app, visitor):
    password_step(visitor, "sam")
    for _ in range(3):
        visitor.get("/sso/login/code")
    assert len(sms_codes(app)) == 1


# --- dsc_plus ----------------------------------------------------------------------------------

def test_digital_security_card_answers_with_eight_digits(visitor):
    challenge = read_challenge(text(password_step(visitor, "dan")))
    response = DigitalSecurityCard(CARD_SECRET, "4321").response(challenge)
    assert len(response) == 8
    assert lands_in_portal(visitor.post("/sso/login/code", {"code": response}))


def test_digital_security_card_with_the_wrong_pin_is_refused(visitor):
    challenge = read_challenge(text(password_step(visitor, "dan")))
    wrong_pin = DigitalSecurityCard(CARD_SECRET, "1234").response(challenge)
    assert visitor.post("/sso/login/code", {"code": wrong_pin}).status_code == 401


def test_card_emulator_and_portal_compute_the_same_response():
    # Two independent implementations of the documented algorithm (docs/devices.md).
    for challenge in ("000000", "123456", "999999"):
        assert devices.dsc_response(CARD_SECRET, "4321", challenge) == \
            DigitalSecurityCard(CARD_SECRET, "4321").response(challenge)
    assert devices.ibkey_response(IBKEY_SECRET, "123456") == IBKey(IBKEY_SECRET).response("123456")


# --- temporary_passcode (KB69) -----------------------------------------------------------------

def issue(hooks, username="tom"):
    return hooks.post("/_test/temporary-passcode", json={"username": username})


def choose(visitor, kind):
    page = text(visitor.get("/sso/login/code"))
    device_id = parse(page).find("option", data_device_type=kind).attrs["value"]
    response = visitor.post("/sso/login/device", {"device": device_id})
    assert response.status_code == 303, text(response)
    return visitor.get("/sso/login/code")


def log_in_with_passcode(visitor, passcode, target="portal"):
    password_step(visitor, "tom", target)
    choose(visitor, "temporary_passcode")
    return visitor.post("/sso/login/code", {"code": passcode})


def test_temporary_passcode_is_upper_case_letters_and_not_issued_twice_in_a_row(app_hooks):
    first = issue(app_hooks)
    assert first.status_code == 200 and re.fullmatch(r"[A-Z]{8}", first.get_json()["passcode"])
    second = issue(app_hooks)
    assert second.status_code == 409 and "twice in a row" in second.get_json()["error"]


def test_temporary_passcode_is_issued_again_after_a_login_with_another_device(app_hooks, visitor):
    issue(app_hooks)
    password_step(visitor, "tom")
    choose(visitor, "authenticator_app")
    code = pyotp.TOTP(TOTP_SECRET).generate_otp(int(visitor.clock.now() // 30))
    assert lands_in_portal(visitor.post("/sso/login/code", {"code": code}))
    assert issue(app_hooks).status_code == 200


def test_temporary_passcode_gives_full_access_for_two_days(app_hooks, visitor, clock):
    passcode = issue(app_hooks).get_json()["passcode"]
    clock.advance(2 * 24 * 3600 - 60)
    response = log_in_with_passcode(visitor, passcode.lower(), target="trading")  # typed in lower case
    assert response.status_code == 303 and response.headers["Location"].endswith("/portal/trading")


def test_after_two_days_the_passcode_opens_the_portal_but_not_trading(app_hooks, app, clock):
    passcode = issue(app_hooks).get_json()["passcode"]
    clock.advance(3 * 24 * 3600)
    trading = log_in_with_passcode(Visitor(app.test_client(), clock), passcode, target="trading")
    assert trading.status_code == 401 and "取引プラットフォームにはログインできません" in text(trading)
    assert lands_in_portal(log_in_with_passcode(Visitor(app.test_client(), clock), passcode))


def test_after_twelve_days_the_passcode_is_refused(app_hooks, visitor, clock):
    passcode = issue(app_hooks).get_json()["passcode"]
    clock.advance(12 * 24 * 3600 + 60)
    response = log_in_with_passcode(visitor, passcode)
    assert response.status_code == 401 and "有効期限が切れました" in text(response)


def test_passcode_for_a_user_without_that_device_is_not_issued(app_hooks):
    assert issue(app_hooks, "ivy").status_code == 409


# --- several devices: the combobox -------------------------------------------------------------

def test_a_user_with_several_devices_first_picks_one(visitor):
    page = text(password_step(visitor, "tom"))
    assert '<label for="device">セカンド・ファクター・デバイスの選択</label>' in page
    assert "一時パスコード" in page and "モバイル認証アプリ" in page
    assert 'id="xyz-field-bronze-response"' not in page  # no code box before the choice
    chosen = text(choose(visitor, "authenticator_app"))
    assert "認証アプリに表示されている" in chosen and '<label for="xyz-field-bronze-response">セキュリティ・コード' in chosen


def test_someone_elses_device_cannot_be_chosen(visitor, conn):
    password_step(visitor, "tom")
    visitor.get("/sso/login/code")
    foreign = conn.execute("SELECT device_id FROM devices WHERE username = 'ivy'").fetchone()[0]
    for choice in (str(foreign), "", "x", "９"):
        response = visitor.post("/sso/login/device", {"device": choice})
        assert response.status_code == 400 and "デバイスを選択してください" in text(response)


def test_a_code_before_the_choice_is_refused_clearly(visitor):
    password_step(visitor, "tom")
    response = visitor.post("/sso/login/code", {"code": "123456"})
    assert response.status_code == 400 and "デバイスを選択してください" in text(response)


def test_one_authenticator_app_goes_straight_to_the_code(visitor):
    # The contract: one authenticator_app device, the code page directly.
    visitor.submit_password("alice")
    page = text(visitor.get("/sso/login/code"))
    assert parse(page).find("label", for_="xyz-field-bronze-response").text == "セキュリティ・コード"
    assert parse(page).find("select") is None


# --- the scenario file's fields for each type --------------------------------------------------

def user_with(device):
    return {"users": [{**DEVICE_USERS[0], "devices": [device]}]}


@pytest.mark.parametrize("device", [u["devices"][0] for u in DEVICE_USERS])
def test_every_device_type_is_a_valid_scenario_entry(device):
    scenario.validate(user_with(device))


@pytest.mark.parametrize("device, problem", [
    ({"type": "ibkey"}, "missing 'ibkey_secret'"),
    ({"type": "ibkey", "ibkey_secret": "short"}, "ibkey_secret"),
    ({"type": "sms", "phone": "call me"}, "phone number"),
    ({"type": "dsc_plus", "card_secret": CARD_SECRET}, "missing 'pin'"),
    ({"type": "dsc_plus", "card_secret": CARD_SECRET, "pin": "12"}, "4 to 8 digits"),
    ({"type": "temporary_passcode", "passcode": "ABCDEFGH"}, "unknown key 'passcode'"),
    ({"type": "sms", "phone": "+81 90-1234-5678", "carrier": "x"}, "unknown key 'carrier'"),
    ({"type": "yubikey"}, "unknown device type"),
])
def test_bad_device_entries_name_the_problem(device, problem):
    with pytest.raises(scenario.ScenarioError, match=re.escape(problem)):
        scenario.validate(user_with(device))


# --- every new screen and refusal in both languages ---------------------------------------------

@pytest.mark.parametrize("lang", ["ja", "en"])
def test_device_screens_and_refusals_are_translated(app_hooks, app, clock, conn, lang, monkeypatch):
    from test_i18n import untranslated
    conn.execute("UPDATE users SET locale = ?", (lang,))
    for name in list(LOCALES):
        monkeypatch.setitem(LOCALES, name, lang)
    seen = {}
    for name in ("ivy", "sam", "dan", "tom"):
        v = Visitor(app.test_client(), clock)
        seen[name] = password_step(v, name)
        seen[f"{name} wrong"] = v.post("/sso/login/device" if name == "tom" else "/sso/login/code", {"code": "1"})
        if name != "tom":
            seen[f"{name} resend"] = v.post("/sso/login/code/resend")
    v = Visitor(app.test_client(), clock)
    password_step(v, "ivy")
    seen["push pending"] = v.post("/sso/login/code", {"push": "1"})
    issue(app_hooks)
    for path in (f"/sso/Login?forwardTo=22&RL=1&ip2loc=on&lang={lang}",):
        seen[path] = v.get(path)
    locked = Visitor(app.test_client(), clock)
    locked.get(f"/sso/login?lang={lang}")
    for _ in range(10):
        seen["locked"] = locked.submit_password("nobody", "x")
    alice = Visitor(app.test_client(), clock)
    alice.get(f"/sso/login?lang={lang}")
    alice.log_in("alice")
    seen["gateway done"] = alice.get("/sso/Dispatcher")
    clock.advance(16 * 60)
    seen["reauth"] = alice.get(alice.press_continue().headers["Location"])
    problems = {where: bad for where, r in seen.items() if (bad := untranslated(text(r)))}
    assert problems == {}
    assert all(f'<html lang="{lang}">' in text(r) for r in seen.values())
    assert "Client login succeeds" in text(seen["gateway done"])
