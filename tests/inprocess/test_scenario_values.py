"""One representation for every scenario value: what the loader accepts is normalised once and
works at login; what could not work is refused at load with one line naming the entry."""
import json
import re
from contextlib import closing

import pyotp
import pytest

from flows.devices import DigitalSecurityCard, IBKey, read_challenge
from mock_portal import db, scenario
from portal_client import Visitor, text


SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
WRITTEN_DOWN = "jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp"  # groups, lower case: how secrets get copied


def user(username, device, password="pass word 1"):
    return {"username": username, "password": password, "account_id": "U7000001", "primary": True,
            "locale": "en", "sls_opted_out": True, "devices": [device]}


@pytest.mark.parametrize("written", [WRITTEN_DOWN, SECRET.lower(), SECRET + "======", " " + SECRET + "\n",
                                     "JBSW\u3000Y3DP EHPK3PXPJBSWY3DPEHPK3PXP"])
def test_a_secret_is_stored_in_one_form(written):
    stored = scenario.validate({"users": [user("u1", {"type": "authenticator_app", "totp_secret": written})]})
    assert stored["users"][0]["devices"][0]["totp_secret"] == SECRET


def test_validate_leaves_its_input_alone():
    entry = user("u1", {"type": "authenticator_app", "totp_secret": WRITTEN_DOWN})
    before = json.dumps(entry)
    scenario.validate({"users": [entry]})
    assert json.dumps(entry) == before


def log_in_to_code_page(app, clock, username):
    visitor = Visitor(app.test_client(), clock)
    visitor.get("/sso/login?lang=en")
    response = visitor.post("/sso/login", {"username": username, "password": "pass word 1"})
    assert response.status_code == 303, text(response)
    return visitor, visitor.get("/sso/login/code")


@pytest.mark.parametrize("device, answer", [
    ({"type": "authenticator_app", "totp_secret": WRITTEN_DOWN},
     lambda page, clock: pyotp.TOTP(SECRET).generate_otp(int(clock.now() // 30))),
    ({"type": "ibkey", "ibkey_secret": WRITTEN_DOWN},
     lambda page, clock: IBKey(SECRET).response(read_challenge(text(page)))),
    ({"type": "dsc_plus", "card_secret": WRITTEN_DOWN, "pin": "1234"},
     lambda page, clock: DigitalSecurityCard(SECRET, "1234").response(read_challenge(text(page)))),
], ids=["authenticator_app", "ibkey", "dsc_plus"])
def test_a_secret_written_in_groups_works_at_login(app, clock, device, answer):
    with closing(db.connect(app.config["DATABASE"])) as conn:
        scenario.add_users(conn, [user("grouped", device)], app.config["PASSWORD_HASH_METHOD"])
    visitor, page = log_in_to_code_page(app, clock, "grouped")
    response = visitor.post("/sso/login/code", {"code": answer(page, clock)})
    assert response.status_code == 303 and response.headers["Location"].endswith("/portal/"), text(response)


@pytest.mark.parametrize("password, problem", [
    ("x" * 257, "users[0].password: must be at most 256 characters"),
    ("tab\there", "users[0].password: must not contain control characters"),
    ("nul\x00", "users[0].password: must not contain control characters"),
    ("\ud800", "users[0].password: must not contain control characters"),
    ("", "users[0].password: must not be empty"),
])
def test_a_password_no_login_form_could_send_is_refused(password, problem):
    with pytest.raises(scenario.ScenarioError, match=re.escape(problem)):
        scenario.validate({"users": [user("u1", {"type": "temporary_passcode"}, password=password)]})


@pytest.mark.parametrize("device", [{"type": ["authenticator_app"]}, {"type": {"x": 1}}, {"type": None}])
def test_a_device_type_of_the_wrong_kind_is_named(device):
    with pytest.raises(scenario.ScenarioError, match=r"users\[0\]\.devices\[0\]\.type: unknown device type"):
        scenario.validate({"users": [user("u1", device)]})


@pytest.mark.parametrize("content, problem", [
    (b"\xff\xfe{}", "not UTF-8 text"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b"42", "the top level must be an object"),
    (b"NaN", "the top level must be an object"),
])
def test_a_file_that_is_no_scenario_is_one_line(tmp_path, content, problem):
    path = tmp_path / "s.json"
    path.write_bytes(content)
    with pytest.raises(scenario.ScenarioError) as refused:
        scenario.load_file(str(path))
    message = str(refused.value)
    assert problem in message and str(path) in message and "\n" not in message
