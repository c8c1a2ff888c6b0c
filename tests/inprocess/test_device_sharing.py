"""KB2481 on the current revision's "I already have access to a Secure Login Device under a different
username": its three conditions, each refused with its own message (and audited) and each with a
case it allows, and a request that waits for compliance review, approved or declined by the hook.
The other username's login itself stays the login's own (tests/inprocess/test_current_revision.py)."""
import json
import re

import pyotp
import pytest

from flows.devices import IBKey, read_challenge
from flows.portal_http import confirmation_id
from mock_portal import i18n
from mock_portal.login import devices
from portal_client import USERS as BASE_USERS
from portal_client import Visitor, opted_out, text
from references_users import BY_NAME, IBKEY, TOTP, log_in

SLS = "/portal/current/settings/secure-login"
PASSWORDS = {name: user["password"] for name, user in BASE_USERS.items()}


pytestmark = pytest.mark.usefixtures("reference_users")


def add_device(conn, username, config):
    return conn.execute("INSERT INTO devices (username, type, config) VALUES (?, ?, ?)",
                        (username, config["type"], json.dumps(config))).lastrowid


def start_link(visitor, other, username="ken"):
    """ken (or `username`) chooses the third radio, OK, then the other username and its password."""
    log_in(visitor, username)
    visitor.get(SLS)
    response = visitor.post(SLS, {"choice": "other_username"})
    cid = confirmation_id(text(visitor.get(response.headers["Location"])))
    assert visitor.post(f"{SLS}/confirm", {"confirmation": cid}).status_code == 303
    visitor.get(f"{SLS}/other-username")
    password = BY_NAME[other]["password"] if other in BY_NAME else PASSWORDS[other]
    return visitor.post(f"{SLS}/other-username", {"username": other, "password": password})


def code_of(other, page, clock, kind="authenticator_app"):
    if kind == "ibkey":
        return IBKey(IBKEY).response(read_challenge(page))
    return pyotp.TOTP(TOTP[other]).at(clock.now())


def finish_link(visitor, other, kind="authenticator_app"):
    page = text(visitor.get(f"{SLS}/other-username"))
    visitor.clock.advance(30)
    return visitor.post(f"{SLS}/other-username/code", {"code": code_of(other, page, visitor.clock, kind)})


def serves(conn, username):
    return sorted((d["type"], d["username"]) for d in devices.devices_of(conn, username))


def refusals(conn, username):
    return [r[0] for r in conn.execute("SELECT outcome FROM audit_log WHERE actor = ? AND outcome LIKE 'refused:%'",
                                       (username,))]


# (a) the same person or entity

def test_a_the_same_person_by_identification_data_shares(visitor, conn):
    assert start_link(visitor, "kei").status_code == 303
    linked = finish_link(visitor, "kei")
    assert linked.status_code == 303 and linked.headers["Location"].endswith("notice=enrolled")
    assert not opted_out(conn, "ken") and ("authenticator_app", "kei") in serves(conn, "ken")


def test_a_different_identification_data_is_refused_with_its_own_message(visitor, conn):
    refused = start_link(visitor, "lee")
    assert refused.status_code == 409
    assert i18n.translate("error.sharing_not_same_person", "en", other="lee", username="ken") in text(refused)
    assert opted_out(conn, "ken") and serves(conn, "ken") == [("authenticator_app", "ken")]
    assert refusals(conn, "ken") == ["refused:not_same_person"]


def test_a_an_identity_on_one_side_only_is_not_the_same_person(visitor, conn):
    refused = start_link(visitor, "carol")  # the base scenario's carol has no identity
    assert refused.status_code == 409 and "do not belong to the same entity" in text(refused)


def test_a_one_account_is_one_entity_whatever_the_identities(visitor, conn):
    """alice and bob are users of one account: the same entity, though their people differ."""
    conn.execute("INSERT INTO portal_revisions (username, revision) VALUES ('alice', 'current')")
    for name, identity in (("alice", BY_NAME["ken"]["identity"]), ("bob", BY_NAME["lee"]["identity"])):
        conn.execute("INSERT INTO user_profiles (username, identity) VALUES (?, ?)", (name, json.dumps(identity)))
    visitor.clock.advance(30)
    visitor.submit_password("alice")
    visitor.get("/sso/login/code")
    assert visitor.post("/sso/login/code", {"code": visitor.code("alice")}).status_code == 303
    visitor.get(SLS)
    response = visitor.post(SLS, {"choice": "other_username"})
    cid = confirmation_id(text(visitor.get(response.headers["Location"])))
    visitor.post(f"{SLS}/confirm", {"confirmation": cid})
    visitor.get(f"{SLS}/other-username")
    assert visitor.post(f"{SLS}/other-username", {"username": "bob", "password": "bob pass 2"}).status_code == 303
    visitor.clock.advance(30)
    assert visitor.post(f"{SLS}/other-username/code", {"code": visitor.code("bob")}).status_code == 303
    assert not opted_out(conn, "alice")


# (b) no temporary device on either side

def test_b_a_code_card_on_the_other_side_is_refused(visitor, conn):
    add_device(conn, "kei", {"type": "security_code_card", "codes": {}, "issued_at": 0})
    refused = start_link(visitor, "kei")
    assert refused.status_code == 409
    assert i18n.translate("error.sharing_temporary_device", "en", holder="kei") in text(refused)
    assert refusals(conn, "ken") == ["refused:temporary_device"]


def test_b_a_temporary_passcode_counts_while_it_is_valid(app, visitor, conn, clock):
    add_device(conn, "ken", {"type": "temporary_passcode"})
    devices.issue_temporary_passcode(conn, "ken", clock.now())
    refused = start_link(visitor, "kei")
    assert refused.status_code == 409 and "temporary security device" in text(refused)
    clock.advance(13 * 24 * 3600)  # KB69: expired after 12 days, so no longer assigned
    again = Visitor(app.test_client(), clock)
    assert start_link(again, "kei").status_code == 303
    assert finish_link(again, "kei").status_code == 303 and not opted_out(conn, "ken")


# (c) the device shared is the most protective one involved

def test_c_a_less_secure_device_is_refused_naming_the_stronger_one(visitor, conn):
    add_device(conn, "ken", {"type": "ibkey", "ibkey_secret": IBKEY})
    refused = start_link(visitor, "kei")
    assert refused.status_code == 409
    assert i18n.translate("error.sharing_less_secure_device", "en", device="Mobile Authenticator App",
                          stronger="IB Key", holder="ken") in text(refused)
    assert refusals(conn, "ken") == ["refused:less_secure_device"]


def test_c_the_most_protective_device_is_shared_and_a_weaker_choice_refused(visitor, conn):
    ibkey = add_device(conn, "kei", {"type": "ibkey", "ibkey_secret": IBKEY})
    weaker = conn.execute("SELECT device_id FROM devices WHERE username = 'kei' AND type = 'authenticator_app'"
                          ).fetchone()[0]
    assert start_link(visitor, "kei").status_code == 303  # two devices: the combobox first
    refused = visitor.post(f"{SLS}/other-username/device", {"device": str(weaker)})
    assert refused.status_code == 409 and "Less secure device" in text(refused)
    assert visitor.post(f"{SLS}/other-username/device", {"device": str(ibkey)}).status_code == 303
    assert finish_link(visitor, "kei", kind="ibkey").status_code == 303
    assert ("ibkey", "kei") in serves(conn, "ken") and not opted_out(conn, "ken")


def test_c_a_device_that_came_meanwhile_is_checked_when_the_device_passes(visitor, conn):
    assert start_link(visitor, "kei").status_code == 303
    add_device(conn, "kei", {"type": "dsc_plus", "card_secret": IBKEY, "pin": "2468"})
    refused = finish_link(visitor, "kei")
    assert refused.status_code == 409 and "Digital Security Card+" in text(refused)
    assert opted_out(conn, "ken")


# Review: the sources say most requests are approved at once, some wait for Compliance.

def test_a_request_waits_for_review_then_the_hook_approves_it(visitor, conn, hooks):
    conn.execute("INSERT INTO user_profiles (username, sharing_review) VALUES ('kei', 1)"
                 " ON CONFLICT (username) DO UPDATE SET sharing_review = 1")
    start_link(visitor, "kei")
    waiting = finish_link(visitor, "kei")
    assert waiting.headers["Location"].endswith("notice=in_review")
    page = text(visitor.get(SLS))
    assert i18n.CATALOGS["en"]["notice.sharing_in_review"] in page and opted_out(conn, "ken")
    assert visitor.get(f"{SLS}/other-username").status_code == 302  # no second request while one waits
    assert hooks.post("/_test/sharing-requests/review", json={"username": "ken", "decision": "approve"}).status_code == 200
    assert not opted_out(conn, "ken") and ("authenticator_app", "kei") in serves(conn, "ken")
    assert hooks.post("/_test/sharing-requests/review", json={"username": "ken", "decision": "approve"}).status_code == 404
    assert "was approved" in text(visitor.get("/portal/messages"))


def test_a_declined_request_changes_nothing(visitor, conn, hooks):
    conn.execute("INSERT INTO user_profiles (username, sharing_review) VALUES ('kei', 1)"
                 " ON CONFLICT (username) DO UPDATE SET sharing_review = 1")
    start_link(visitor, "kei")
    finish_link(visitor, "kei")
    assert hooks.post("/_test/sharing-requests/review", json={"username": "ken", "decision": "decline"}).status_code == 200
    assert opted_out(conn, "ken") and serves(conn, "ken") == [("authenticator_app", "ken")]
    page = text(visitor.get(SLS))
    assert "waits for review" not in page and 'name="choice"' in page  # the three choices again


def test_an_approval_that_fails_a_condition_now_is_refused_and_decides_nothing(visitor, conn, hooks):
    conn.execute("INSERT INTO user_profiles (username, sharing_review) VALUES ('kei', 1)"
                 " ON CONFLICT (username) DO UPDATE SET sharing_review = 1")
    start_link(visitor, "kei")
    finish_link(visitor, "kei")
    add_device(conn, "kei", {"type": "security_code_card", "codes": {}, "issued_at": 0})
    answer = hooks.post("/_test/sharing-requests/review", json={"username": "ken", "decision": "approve"})
    assert answer.status_code == 409 and answer.get_json()["reason"] == "temporary_device"
    assert opted_out(conn, "ken")
    assert conn.execute("SELECT state FROM sharing_requests").fetchone()[0] == "review"


def test_every_refusal_of_sharing_speaks_both_languages():
    for key in ("error.sharing_not_same_person", "error.sharing_temporary_device", "error.sharing_less_secure_device"):
        assert re.search(r"[\u3040-\u30ff]", i18n.CATALOGS["ja"][key]) and i18n.CATALOGS["en"][key]
