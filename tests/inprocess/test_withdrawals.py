"""Withdrawal limits by security device (KB1131) and the device that authenticates a withdrawal
setting its limit (KB2895), at Flask level: the account screen's figures, a withdrawal from the
form to the device, refused above the limit with the limit named, the rolling one-day and five-day
windows on the user's clock, and bad input that changes nothing."""
import re

import pytest

from flows.portal_http import confirmation_id
from mock_portal import funds, i18n
from mock_portal.sessions import COOKIE
from portal_client import Visitor, text
from references_users import answer, device_id, log_in

FORM = "/portal/account/withdrawal"
DAY = 24 * 3600


pytestmark = pytest.mark.usefixtures("reference_users")


def accepted(conn, username):
    return [r["amount_cents"] for r in conn.execute(
        "SELECT amount_cents FROM withdrawals WHERE username = ? AND state = 'accepted' ORDER BY accepted_at", (username,))]


def cont(visitor, amount, device, currency="USD"):
    visitor.get(FORM)
    return visitor.post(FORM, {"amount": amount, "currency": currency, "device": str(device)})


def withdraw(visitor, conn, username, amount, kind="authenticator_app"):
    """The whole request: Continue, OK, the device's answer. The last answer (not followed)."""
    response = cont(visitor, amount, device_id(conn, username, kind))
    if response.status_code != 303:
        return response
    cid = confirmation_id(text(visitor.get(response.headers["Location"])))
    ok = visitor.post(f"{FORM}/confirm", {"confirmation": cid, "target": username})
    assert ok.status_code == 303, text(ok)
    page = text(visitor.get(ok.headers["Location"]))
    visitor.clock.advance(30)
    return visitor.post(f"{FORM}/authenticate", {"withdrawal": cid, "code": answer(username, kind, page, visitor.clock)})


def test_the_account_screen_of_an_opted_out_user_shows_the_no_device_pair(visitor):
    log_in(visitor, "olga")
    page = text(visitor.get("/portal/account"))
    row = re.search(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td></tr>', page)
    assert row.groups() == ("セキュリティデバイスなし（オプトアウト中）", "50,000米ドル", "100,000米ドル")
    assert "10,000米ドル" not in page and "1,000,000米ドル" not in page  # the made-up figures are gone
    assert "300,000米ドル" in page  # equity and what may be withdrawn


def test_an_enrolled_user_sees_each_devices_pair_and_the_reserve_of_a_physical_device(visitor, app, clock):
    log_in(visitor, "pia")
    page = text(visitor.get("/portal/account"))
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td></tr>', page)
    assert rows == [("Mobile Authenticator App", "USD 200,000", "USD 600,000"),
                    ("Digital Security Card+", "Unlimited", "Unlimited")]
    funds_rows = dict(re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td></tr>', page))
    assert funds_rows["Equity"] == "USD 50,000" and funds_rows["Held for security devices"] == "USD 20"
    assert funds_rows["Available for withdrawal"] == "USD 49,980"
    walt = Visitor(app.test_client(), clock)
    log_in(walt, "walt")
    limits = text(walt.get("/portal/current/settings/secure-login/withdrawal-limits"))
    assert re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td></tr>', limits) == [
        ("Mobile Authenticator App", "USD 200,000", "USD 600,000"), ("IB Key", "USD 1,000,000", "USD 1,000,000")]


def test_a_withdrawal_under_the_limit_is_accepted_and_one_over_it_refused_naming_it(visitor, conn):
    log_in(visitor, "olga")
    done = withdraw(visitor, conn, "olga", "40,000")
    assert done.status_code == 303 and done.headers["Location"].startswith("/portal/account?notice=withdrawn")
    assert accepted(conn, "olga") == [40_000_00]
    refused = cont(visitor, "20000", device_id(conn, "olga", "authenticator_app"))
    assert refused.status_code == 409
    assert i18n.translate("error.withdrawal_over_day_limit", "ja", device="セキュリティデバイスなし（オプトアウト中）",
                          limit="50,000米ドル", left="10,000米ドル", amount="20,000米ドル") in text(refused)
    assert accepted(conn, "olga") == [40_000_00]
    assert conn.execute("SELECT COUNT(*) FROM withdrawals WHERE username = 'olga'").fetchone()[0] == 1
    assert withdraw(visitor, conn, "olga", "10000").status_code == 303  # exactly what is left
    assert accepted(conn, "olga") == [40_000_00, 10_000_00]


def test_the_five_day_window_runs_on_the_users_clock(visitor, conn, clock):
    log_in(visitor, "olga")
    assert withdraw(visitor, conn, "olga", "50000").status_code == 303
    clock.advance(DAY)  # the one-day window has moved on, the five-day one has not
    log_in(visitor, "olga")
    assert withdraw(visitor, conn, "olga", "50000").status_code == 303
    clock.advance(DAY)
    log_in(visitor, "olga")
    refused = cont(visitor, "1", device_id(conn, "olga", "authenticator_app"))
    assert refused.status_code == 409 and "5日間で100,000米ドル" in text(refused) and "残りは0米ドル" in text(refused)
    clock.advance(3 * DAY)  # five days after the first one
    log_in(visitor, "olga")
    assert withdraw(visitor, conn, "olga", "50000").status_code == 303
    assert accepted(conn, "olga") == [50_000_00] * 3


def test_the_device_that_authenticates_the_withdrawal_sets_its_limit(visitor, conn):
    """KB2895: with the authenticator app 300,000 is over its USD 200,000 a day; with IB Key it is not."""
    log_in(visitor, "walt")
    refused = cont(visitor, "300000", device_id(conn, "walt", "authenticator_app"))
    assert refused.status_code == 409 and "USD 200,000 per day" in text(refused)
    done = withdraw(visitor, conn, "walt", "300000", kind="ibkey")
    assert done.status_code == 303 and "withdrawal-limits?notice=withdrawn" in done.headers["Location"]
    assert [r["limit_key"] for r in conn.execute("SELECT limit_key FROM withdrawals WHERE state = 'accepted'")] == ["ibkey"]


@pytest.mark.parametrize("amount, key", [
    ("1e9", "error.amount_invalid"), ("-500", "error.amount_not_positive"), ("abc", "error.amount_invalid"),
    ("", "error.amount_missing"), ("0", "error.amount_not_positive"), ("12.345", "error.amount_invalid"),
    ("1,00", "error.amount_invalid"), ("+5", "error.amount_invalid"), ("9" * 16, "error.amount_too_large"),
    ("１e９", "error.amount_invalid"), ("NaN", "error.amount_invalid"), ("0x10", "error.amount_invalid")])
def test_a_bad_amount_gets_a_clear_error_and_changes_nothing(visitor, conn, amount, key):
    log_in(visitor, "olga")
    refused = cont(visitor, amount, device_id(conn, "olga", "authenticator_app"))
    assert refused.status_code == 400
    assert i18n.CATALOGS["ja"][key].split("%(")[0] in text(refused)
    assert conn.execute("SELECT COUNT(*) FROM withdrawals").fetchone()[0] == 0


@pytest.mark.parametrize("typed, cents", [("1500", 1500_00), ("1,500.5", 1500_50), ("１，０００", 1000_00),
                                          (" 0.01 ", 1), ("1000000.00", 1_000_000_00)])
def test_amounts_as_people_type_them(typed, cents):
    assert funds.parse_amount(typed) == (cents, None)


def test_an_unknown_currency_or_device_is_refused(visitor, conn):
    log_in(visitor, "olga")
    assert cont(visitor, "100", device_id(conn, "olga", "authenticator_app"), currency="JPY").status_code == 400
    assert cont(visitor, "100", device_id(conn, "walt", "ibkey")).status_code == 400  # another user's device
    assert conn.execute("SELECT COUNT(*) FROM withdrawals").fetchone()[0] == 0


def test_a_double_submit_withdraws_once(visitor, conn):
    log_in(visitor, "olga")
    response = cont(visitor, "1000", device_id(conn, "olga", "authenticator_app"))
    cid = confirmation_id(text(visitor.get(response.headers["Location"])))
    first = visitor.post(f"{FORM}/confirm", {"confirmation": cid})
    second = visitor.post(f"{FORM}/confirm", {"confirmation": cid})
    assert first.headers["Location"] == second.headers["Location"]
    page = text(visitor.get(first.headers["Location"]))
    visitor.clock.advance(30)
    code = answer("olga", "authenticator_app", page, visitor.clock)
    assert visitor.post(f"{FORM}/authenticate", {"withdrawal": cid, "code": code}).status_code == 303
    again = visitor.post(f"{FORM}/authenticate", {"withdrawal": cid, "code": code})
    assert again.status_code == 303 and "already_withdrawn" in again.headers["Location"]
    assert "この出金はすでに受け付けています" in text(visitor.get(again.headers["Location"]))
    assert accepted(conn, "olga") == [1000_00]


def test_a_stale_confirmation_is_refused_and_changes_nothing(visitor, conn, clock, app_like):
    log_in(visitor, "olga")
    response = cont(visitor, "1000", device_id(conn, "olga", "authenticator_app"))
    cid = confirmation_id(text(visitor.get(response.headers["Location"])))
    clock.advance(301)
    stale = visitor.post(f"{FORM}/confirm", {"confirmation": cid})
    assert stale.status_code == 409 and i18n.CATALOGS["ja"]["error.confirmation_expired"] in text(stale)
    assert conn.execute("SELECT state FROM withdrawals").fetchone()[0] == "confirming"
    # A confirmation of the run before a restart is stale too.
    response = cont(visitor, "1000", device_id(conn, "olga", "authenticator_app"))
    cid = confirmation_id(text(visitor.get(response.headers["Location"])))
    restarted = Visitor(app_like(BOOT_ID="another run").test_client(), clock)
    restarted.client.set_cookie(COOKIE, visitor.client.get_cookie(COOKIE).value)
    restarted.csrf = visitor.csrf
    assert restarted.post(f"{FORM}/confirm", {"confirmation": cid}).status_code == 409
    assert accepted(conn, "olga") == []


def test_someone_elses_confirmation_is_unknown_and_cancel_spends_ones_own(visitor, other_visitor, conn):
    log_in(visitor, "olga")
    response = cont(visitor, "1000", device_id(conn, "olga", "authenticator_app"))
    cid = confirmation_id(text(visitor.get(response.headers["Location"])))
    log_in(other_visitor, "pia")
    other_visitor.get("/portal/account")
    assert other_visitor.post(f"{FORM}/confirm", {"confirmation": cid}).status_code == 400
    tampered = visitor.post(f"{FORM}/confirm", {"confirmation": cid, "target": "pia"})
    assert tampered.status_code == 403
    cancelled = visitor.post(f"{FORM}/cancel", {"confirmation": cid}, follow_redirects=True)
    assert "出金を取り消しました" in text(cancelled)
    assert visitor.post(f"{FORM}/confirm", {"confirmation": cid}).status_code == 409
    assert accepted(conn, "olga") == []


def test_a_wrong_code_accepts_nothing(visitor, conn):
    log_in(visitor, "olga")
    response = cont(visitor, "1000", device_id(conn, "olga", "authenticator_app"))
    cid = confirmation_id(text(visitor.get(response.headers["Location"])))
    visitor.post(f"{FORM}/confirm", {"confirmation": cid})
    refused = visitor.post(f"{FORM}/authenticate", {"withdrawal": cid, "code": "000000"})
    assert refused.status_code == 401 and accepted(conn, "olga") == []


def test_the_reserve_is_taken_off_what_may_be_withdrawn(visitor, conn):
    log_in(visitor, "pia")
    refused = cont(visitor, "49,990", device_id(conn, "pia", "dsc_plus"))
    assert refused.status_code == 409 and "USD 49,980 available" in text(refused) and "USD 20 held" in text(refused)
    assert withdraw(visitor, conn, "pia", "49980", kind="dsc_plus").status_code == 303


def test_a_trading_only_session_requests_no_withdrawal(app, clock, conn):
    """Rights follow factors: an opted-out user's trading login (the password alone) is refused."""
    trading = Visitor(app.test_client(), clock)
    asked, _ = trading.log_in_trading("alice")
    assert asked is False
    for response in (trading.get(FORM), trading.post(FORM, {"amount": "10", "currency": "USD", "device": "1"}),
                     trading.get("/portal/account")):
        assert response.status_code == 403
    assert conn.execute("SELECT COUNT(*) FROM withdrawals").fetchone()[0] == 0


def test_requests_never_accepted_are_pruned_and_accepted_ones_kept(app, visitor, conn, clock):
    log_in(visitor, "olga")
    assert withdraw(visitor, conn, "olga", "100").status_code == 303
    cont(visitor, "200", device_id(conn, "olga", "authenticator_app"))  # opened, never answered
    clock.advance(24 * 3600 + 120)
    Visitor(app.test_client(), clock).get("/")  # any request prunes
    assert [tuple(r) for r in conn.execute("SELECT amount_cents, state FROM withdrawals")] == [(100_00, "accepted")]
