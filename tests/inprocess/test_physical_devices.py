"""A replacement Digital Security Card+ (KB1943), its reserve and fee (KB1861) and its return
(KB975), at Flask level: the request with its address, PIN and account, the summary and the
confirmation, delivery and activation through the hooks and the card's challenge, sending it
back and receiving it, a lost one charged; bad input and double submits that change nothing."""
import json
import re
from datetime import date, datetime, timezone

import pytest

from flows.devices import DigitalSecurityCard, read_challenge
from mock_portal import funds, i18n
from mock_portal.screens import physical_devices
from portal_client import Visitor, text
from references_users import CARD, log_in

SLS = "/portal/current/settings/secure-login"
REQUEST = f"{SLS}/physical-device"
FORM = {"pin": "2580", "pin_again": "2580", "account": "U4000002"}


@pytest.fixture(autouse=True)
def pia_on_the_current_revision(reference_users, conn):
    """The reference users, and pia on the article's current revision."""
    conn.execute("INSERT INTO portal_revisions (username, revision) VALUES ('pia', 'current')")


def rows(conn, username="walt"):
    return [dict(r) for r in conn.execute("SELECT * FROM physical_devices WHERE username = ? ORDER BY created_at",
                                          (username,))]


def money_of(hooks, username):
    return hooks.get(f"/_test/users/{username}/funds").get_json()


def continue_request(visitor, **form):
    visitor.get(REQUEST)
    return visitor.post(REQUEST, {**FORM, **form})


def order(visitor):
    """The form's Continue, the summary's Continue: the confirmation page."""
    summary = continue_request(visitor)
    assert summary.status_code == 303, text(summary)
    request_id = summary.headers["Location"].split("request=")[1]
    placed = visitor.post(f"{REQUEST}/summary", {"request": request_id})
    assert placed.status_code == 303, text(placed)
    return request_id, visitor.get(placed.headers["Location"])


def test_an_eligible_user_sees_the_form_and_others_why_not(app, visitor, clock, conn):
    log_in(visitor, "walt")
    sls_page = text(visitor.get(SLS))
    assert f'href="{REQUEST}"' in sls_page and "Request Physical Device" in sls_page
    form = text(visitor.get(REQUEST))
    assert 'name="pin"' in form and "1-2-3 Ginza" in form and "Change Address" in form
    opted_out = Visitor(app.test_client(), clock)
    log_in(opted_out, "ken")
    assert f'href="{REQUEST}"' not in text(opted_out.get(SLS))  # enrolled users only (ibkrguides)
    page = text(opted_out.get(REQUEST))
    assert i18n.CATALOGS["en"]["error.physical_device_enroll_first"] in page and 'name="pin"' not in page
    poor = Visitor(app.test_client(), clock)
    log_in(poor, "pia")
    page = text(poor.get(REQUEST))  # the account's equity, before its reserves
    assert i18n.translate("error.physical_device_equity", "en", required="USD 1,000,000", equity="USD 50,000") in page
    assert poor.post(REQUEST, FORM).status_code == 409 and [r["state"] for r in rows(conn, "pia")] == ["active"]


def test_the_request_from_the_form_to_the_confirmation_holds_the_reserve(visitor, conn, hooks, clock):
    log_in(visitor, "walt")
    summary = continue_request(visitor)
    page = text(visitor.get(summary.headers["Location"]))
    assert "1-2-3 Ginza, Tokyo 104-0061, JP" in page and "U4000002" in page and "USD 20" in page
    assert [r["state"] for r in rows(conn)] == ["draft"] and money_of(hooks, "walt")["reserved_cents"] == 0
    request_id = summary.headers["Location"].split("request=")[1]
    placed = visitor.post(f"{REQUEST}/summary", {"request": request_id})
    again = visitor.post(f"{REQUEST}/summary", {"request": request_id})  # a double submit
    assert placed.headers["Location"] == again.headers["Location"]
    confirmation = text(visitor.get(placed.headers["Location"]))
    [row] = rows(conn)
    assert row["state"] == "ordered" and re.fullmatch(r"DSC[0-9]{9}", row["serial"])
    expected = physical_devices.ships_by(clock.now())
    assert f'<time id="ships-by" datetime="{expected}">' in confirmation and row["serial"] in confirmation
    assert date.fromisoformat(expected).weekday() < 5
    assert (date.fromisoformat(expected) - datetime.fromtimestamp(clock.now(), timezone.utc).date()).days >= 5
    money = money_of(hooks, "walt")
    assert money["reserved_cents"] == 20_00 and money["available_cents"] == 3_000_000_00 - 20_00
    assert "Ordered" in text(visitor.get(SLS))
    assert i18n.CATALOGS["en"]["error.physical_device_in_progress"] in text(visitor.get(REQUEST))  # one at a time


def test_the_card_arrives_and_is_activated_with_its_pin_and_challenge(app, visitor, conn, hooks, clock):
    log_in(visitor, "walt")
    order(visitor)
    delivered = hooks.post("/_test/physical-devices/deliver", json={"username": "walt"}).get_json()
    card = DigitalSecurityCard(delivered["card_secret"], FORM["pin"])
    page = text(visitor.get(SLS))
    assert "Delivered" in page and f"{REQUEST}/{delivered['serial']}/activate" in page
    started = visitor.post(f"{REQUEST}/{delivered['serial']}/activate", {})
    page = text(visitor.get(started.headers["Location"]))
    wrong = visitor.post(f"{REQUEST}/{delivered['serial']}/activate/response", {"code": "12345678"})
    assert wrong.status_code == 401 and read_challenge(text(wrong)) != read_challenge(page)  # spent
    assert [r["state"] for r in rows(conn)] == ["delivered"]
    right = visitor.post(f"{REQUEST}/{delivered['serial']}/activate/response",
                         {"code": card.response(read_challenge(text(wrong)))})
    assert right.status_code == 303 and right.headers["Location"].endswith("notice=activated")
    again = visitor.post(f"{REQUEST}/{delivered['serial']}/activate/response", {"code": "00000000"})
    assert again.status_code == 303  # a second submit finds it active
    assert [r["state"] for r in rows(conn)] == ["active"]
    kinds = [r[0] for r in conn.execute("SELECT type FROM devices WHERE username = 'walt' ORDER BY device_id")]
    assert kinds == ["authenticator_app", "ibkey", "dsc_plus"]
    # It logs walt in: chosen in the combobox, the challenge answered with the PIN.
    clock.advance(30)
    other = Visitor(app.test_client(), clock)
    other.get("/sso/login")
    other.post("/sso/login", {"username": "walt", "password": "walt pass"})
    other.get("/sso/login/code")
    dsc = conn.execute("SELECT device_id FROM devices WHERE username = 'walt' AND type = 'dsc_plus'").fetchone()[0]
    page = text(other.post("/sso/login/device", {"device": str(dsc)}, follow_redirects=True))
    assert other.post("/sso/login/code", {"code": card.response(read_challenge(page))}).status_code == 303


def test_change_address_keeps_the_new_one_and_back_keeps_the_request(visitor, conn):
    log_in(visitor, "walt")
    assert 'name="street"' in text(visitor.get(f"{REQUEST}?address=change"))
    new = {"street": "5 Main St", "city": "Springfield", "postal_code": "12345", "country": "us"}
    summary = continue_request(visitor, **new)
    page = text(visitor.get(summary.headers["Location"]))
    assert "5 Main St, Springfield 12345, US" in page
    request_id = summary.headers["Location"].split("request=")[1]
    back = text(visitor.get(f"{REQUEST}?request={request_id}"))  # Back: the form with the request's address
    assert "5 Main St" in back and f'name="request" value="{request_id}"' in back
    again = visitor.post(REQUEST, {**FORM, "request": request_id, "pin": "8642", "pin_again": "8642"})
    assert again.headers["Location"].endswith(request_id) and len(rows(conn)) == 1
    assert json.loads(rows(conn)[0]["config"])["pin"] == "8642"


@pytest.mark.parametrize("form, key", [
    ({"pin": "abcd", "pin_again": "abcd"}, "error.pin_digits"),
    ({"pin": "12345", "pin_again": "12345"}, "error.pin_digits"),
    ({"pin": "12", "pin_again": "12"}, "error.pin_digits"),
    ({"pin": "2580", "pin_again": "2581"}, "error.pin_mismatch"),
    ({"pin": "1111", "pin_again": "1111"}, "error.pin_weak"),
    ({"pin": "1234", "pin_again": "1234"}, "error.pin_weak"),
    ({"pin": "9876", "pin_again": "9876"}, "error.pin_weak"),
    ({"account": "U9999999"}, "error.choose_account"),
    ({"street": "", "city": "Tokyo", "postal_code": "1", "country": "JP"}, "error.address_missing"),
    ({"street": "1 A", "city": "Tokyo", "postal_code": "1", "country": "Japan"}, "error.address_country"),
])
def test_bad_input_gets_its_own_error_and_requests_nothing(visitor, conn, form, key):
    log_in(visitor, "walt")
    refused = continue_request(visitor, **form)
    assert refused.status_code == 400 and i18n.CATALOGS["en"][key] in text(refused)
    assert rows(conn) == []


def test_a_pin_typed_in_full_width_digits_is_the_same_pin(visitor, conn):
    log_in(visitor, "walt")
    assert continue_request(visitor, pin="２５８０", pin_again="2580").status_code == 303
    assert json.loads(rows(conn)[0]["config"])["pin"] == "2580"


def test_a_stale_request_is_refused_and_orders_nothing(visitor, conn, clock):
    log_in(visitor, "walt")
    summary = continue_request(visitor)
    request_id = summary.headers["Location"].split("request=")[1]
    clock.advance(301)
    stale = visitor.post(f"{REQUEST}/summary", {"request": request_id})
    assert stale.status_code == 409 and i18n.CATALOGS["en"]["error.confirmation_expired"] in text(stale)
    assert [r["state"] for r in rows(conn)] == ["draft"]


def test_the_return_form_then_in_return_then_received_releases_the_reserve(visitor, conn, hooks):
    log_in(visitor, "pia")
    [card] = rows(conn, "pia")
    assert money_of(hooks, "pia")["reserved_cents"] == 20_00  # a scenario's DSC+: held from the start
    sls_page = text(visitor.get(SLS))
    assert card["serial"] in sls_page and "Active" in sls_page
    form = text(visitor.get(f"{REQUEST}/{card['serial']}/return"))
    for shown in ("Secure Login Device Return Form", "pia", "U4000003", card["serial"], "padded envelope", "USPS Express"):
        assert shown in form, shown
    sent = visitor.post(f"{REQUEST}/{card['serial']}/return", {})
    assert sent.status_code == 303 and visitor.post(f"{REQUEST}/{card['serial']}/return", {}).status_code == 303
    assert [r["state"] for r in rows(conn, "pia")] == ["in_return"]
    assert [r[0] for r in conn.execute("SELECT type FROM devices WHERE username = 'pia'")] == ["authenticator_app"]
    assert "In return" in text(visitor.get(SLS)) and money_of(hooks, "pia")["reserved_cents"] == 20_00
    assert hooks.post("/_test/physical-devices/receive", json={"serial": card["serial"]}).status_code == 200
    money = money_of(hooks, "pia")
    assert money["reserved_cents"] == 0 and money["equity_cents"] == 50_000_00 and money["available_cents"] == 50_000_00
    assert money["physical_devices"][0]["reserve"] == "released"
    assert hooks.post("/_test/physical-devices/receive", json={"serial": card["serial"]}).status_code == 409


def test_a_users_last_device_is_not_sent_back(app, visitor, conn):
    conn.execute("DELETE FROM devices WHERE username = 'pia' AND type = 'authenticator_app'")
    clock = visitor.clock
    clock.advance(30)
    visitor.get("/sso/login")
    visitor.post("/sso/login", {"username": "pia", "password": "pia pass"})
    page = text(visitor.get("/sso/login/code"))
    visitor.post("/sso/login/code", {"code": DigitalSecurityCard(CARD["secret"], CARD["pin"]).response(read_challenge(page))})
    [card] = rows(conn, "pia")
    assert 'name="csrf_token"' in text(visitor.get(f"{REQUEST}/{card['serial']}/return"))
    refused = visitor.post(f"{REQUEST}/{card['serial']}/return", {})
    assert refused.status_code == 409 and i18n.CATALOGS["en"]["error.last_device"] in text(refused)
    assert [r["state"] for r in rows(conn, "pia")] == ["active"]


def test_a_lost_device_is_charged_and_logs_in_no_more(visitor, conn, hooks):
    [card] = rows(conn, "pia")
    assert hooks.post("/_test/physical-devices/lost", json={"serial": card["serial"]}).status_code == 200
    money = money_of(hooks, "pia")
    assert money["equity_cents"] == 50_000_00 - 20_00 and money["reserved_cents"] == 0
    assert money["physical_devices"][0]["reserve"] == "charged"
    assert [r[0] for r in conn.execute("SELECT type FROM devices WHERE username = 'pia'")] == ["authenticator_app"]
    assert hooks.post("/_test/physical-devices/lost", json={"serial": card["serial"]}).status_code == 409
    assert hooks.post("/_test/physical-devices/lost", json={"serial": "DSC000000000"}).status_code == 404
    log_in(visitor, "pia")
    assert "its fee of USD 20 was charged" in text(visitor.get("/portal/messages"))


def test_nothing_to_deliver_is_a_404(hooks):
    assert hooks.post("/_test/physical-devices/deliver", json={"username": "walt"}).status_code == 404


def test_a_trading_only_session_requests_no_device(app, clock, conn):
    trading = Visitor(app.test_client(), clock)
    trading.log_in_trading("alice")
    for response in (trading.get(REQUEST), trading.post(REQUEST, FORM), trading.post(f"{REQUEST}/summary", {})):
        assert response.status_code == 403
    assert conn.execute("SELECT COUNT(*) FROM physical_devices WHERE state != 'active'").fetchone()[0] == 0


def test_an_older_login_confirms_with_its_device_before_ordering(visitor, conn, clock):
    log_in(visitor, "walt")
    clock.advance(16 * 60)
    asked = continue_request(visitor)
    assert asked.status_code == 303 and "/sso/reauth" in asked.headers["Location"]
    assert rows(conn) == []


def test_the_fee_and_the_eligibility_are_the_sources(app):
    assert funds.FEES["dsc_plus"] == 20 and funds.DSC_PLUS_EQUITY_USD == 1_000_000
    assert physical_devices.ships_by(datetime(2027, 1, 15, tzinfo=timezone.utc).timestamp()) == "2027-01-22"  # a Friday


def test_a_get_of_any_new_screen_without_its_request_changes_nothing(visitor, conn):
    """A current-revision user opening each screen bare (a bookmark, a reload): a page or the way to
    one, never a refusal or a change."""
    log_in(visitor, "walt")
    before = (rows(conn), conn.execute("SELECT COUNT(*) FROM withdrawals").fetchone()[0])
    for path in (REQUEST, f"{REQUEST}/summary", f"{REQUEST}/requested", "/portal/account/withdrawal",
                 "/portal/account/withdrawal/authenticate", f"{SLS}/withdrawal-limits", "/portal/account"):
        assert visitor.get(path).status_code in (200, 302, 303, 404), path
    assert (rows(conn), conn.execute("SELECT COUNT(*) FROM withdrawals").fetchone()[0]) == before
