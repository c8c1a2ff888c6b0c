"""What the opt-out really changes: the trading login skips the security code and the account is
restricted; cancelling it brings the code back and lifts the restrictions."""

from html_reading import parse
from portal_client import text


def rows(page):
    """Every table row with a row header: {its header: [its cells]}."""
    return {row.find("th").text: [cell.text for cell in row.find_all("td")]
            for row in parse(page).find_all("tr") if row.find("th", scope="row")}


def limit(page, item):
    found = rows(page)
    assert item in found, f"no row {item!r}"
    return found[item][0]


def withdrawal_limits(page, device):
    """A device's row of the withdrawal limits (KB1131): (per day, over five days)."""
    found = rows(page)
    assert device in found, f"no withdrawal limits for {device!r}"
    return tuple(found[device][:2])


def cancel_opt_out(visitor, username):
    cid = visitor.open_confirmation()
    assert visitor.post("/portal/settings/secure-login/confirm", {"confirmation": cid}).status_code == 303


def test_opted_out_users_trading_login_asks_for_no_code(visitor):
    asked, page = visitor.log_in_trading("alice")
    assert not asked
    assert parse(text(page)).find("h1").text == "取引"
    assert "ピンクシートやOTCBB銘柄の注文はできません" in text(page)


def test_the_portal_login_asks_an_opted_out_user_for_the_code(visitor):
    response = visitor.submit_password("alice")
    assert response.status_code == 303 and response.headers["Location"].endswith("/sso/login/code")
    assert visitor.get("/portal/").status_code == 302  # the password alone opens nothing


def test_after_cancelling_the_opt_out_the_trading_login_asks_for_the_code(app, clock, visitor):
    visitor.log_in("alice")
    cancel_opt_out(visitor, "alice")
    clock.advance(30)  # a fresh TOTP step for the second login
    trader = type(visitor)(app.test_client(), clock)
    asked, page = trader.log_in_trading("alice")
    assert asked
    assert parse(text(page)).find("h1").text == "取引" and "OTCBB" not in text(page)


def test_opted_out_account_is_restricted(visitor):
    visitor.log_in("alice")
    page = text(visitor.get("/portal/account"))
    assert "オプトアウトしているため、この口座には次の制限があり" in page
    assert limit(page, "ピンクシート・OTCBB銘柄の注文") == "不可"
    assert withdrawal_limits(page, "セキュリティデバイスなし（オプトアウト中）") == ("50,000米ドル", "100,000米ドル")


def test_cancelling_the_opt_out_lifts_the_restrictions(visitor):
    visitor.log_in("alice")
    cancel_opt_out(visitor, "alice")
    page = text(visitor.get("/portal/account"))
    assert "この口座には制限がありません" in page
    assert limit(page, "ピンクシート・OTCBB銘柄の注文") == "可"
    assert withdrawal_limits(page, "モバイル認証アプリ") == ("200,000米ドル", "600,000米ドル")
    assert "セキュリティデバイスなし" not in page


def test_restrictions_in_english(visitor):
    visitor.log_in("carol")
    page = text(visitor.get("/portal/account"))
    assert limit(page, "Pink Sheet and OTCBB orders") == "Not allowed"
    assert withdrawal_limits(page, "No security device (opted out)") == ("USD 50,000", "USD 100,000")


def test_restrictions_follow_the_viewing_users_own_setting(visitor, extra_users):
    visitor.log_in("dave")  # enrolled, in alice's account
    assert limit(text(visitor.get("/portal/account")), "Pink Sheet and OTCBB orders") == "Allowed"
