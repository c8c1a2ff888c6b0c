"""The article's references end to end, in ja and en: real Chromium against a live `slskit serve`,
through the page objects and the flows (flows/references.py) to the stored state."""
import pytest
from playwright.sync_api import expect

from flows import request_replacement_dsc_plus, request_withdrawal, return_device, share_device_with
from flows.devices import device_for
from flows.labels import LABELS, device_name
from flows.pages import PortalMenu
from flows.pages.physical_device import ReturnFormPage
from flows.pages.withdrawal import FundsScreen, WithdrawalPage
from flows.references import open_current_secure_login_system, open_withdrawal
from flows.users import random_base32_secret

IDENTITY = {"birth_date": "1985-06-15", "citizenship": "JP", "residence": "JP", "id_number": "passport TK0000001"}
USD = {"ja": lambda n: f"{n:,}米ドル", "en": lambda n: f"USD {n:,}"}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_opted_out_users_withdrawal_meets_the_no_device_limits(portal, portal_user, log_in, lang):
    user = portal_user(locale=lang, sls_opted_out=True, equity_usd=400_000)
    page = log_in(user)
    account = PortalMenu(page, lang).open_account()
    account.expect_no_device_limits(USD[lang](50_000), USD[lang](100_000))
    expect(account.amount("available_for_withdrawal")).to_have_text(USD[lang](400_000))

    refused = request_withdrawal(page, portal.base_url, user, "50,000.01")
    assert not refused.accepted and USD[lang](50_000) in refused.message  # the message names the limit
    assert portal.funds_of(user.username)["withdrawals"] == []

    accepted = request_withdrawal(page, portal.base_url, user, "45,000")
    assert accepted.accepted and isinstance(accepted.screen, FundsScreen)
    expect(accepted.screen.amount("available_for_withdrawal")).to_have_text(USD[lang](355_000))
    money = portal.funds_of(user.username)
    assert money["withdrawn_day_cents"] == 45_000_00 and [w["limit_key"] for w in money["withdrawals"]] == ["none"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_device_used_sets_the_limit(portal, portal_user, log_in, lang):
    """KB2895: an IB Key user with an authenticator app too; the app's USD 200,000 a day refuses
    what IB Key's USD 1,000,000 accepts."""
    devices = [{"type": "ibkey", "ibkey_secret": random_base32_secret()},
               {"type": "authenticator_app", "totp_secret": random_base32_secret()}]
    user = portal_user(locale=lang, sls_opted_out=False, devices=devices, equity_usd=2_000_000)
    ibkey, authenticator = user.device, device_for(devices[1], clock=user.clock)
    page = log_in(user)
    account = PortalMenu(page, lang).open_account()
    account.expect_limits(device_name(lang, ibkey), USD[lang](1_000_000), USD[lang](1_000_000))
    account.expect_limits(device_name(lang, authenticator), USD[lang](200_000), USD[lang](600_000))
    refused = request_withdrawal(page, portal.base_url, user, "300000", device=authenticator)
    assert not refused.accepted and USD[lang](200_000) in refused.message
    assert request_withdrawal(page, portal.base_url, user, "300000", device=ibkey).accepted
    assert [w["limit_key"] for w in portal.funds_of(user.username)["withdrawals"] if w["state"] == "accepted"] == ["ibkey"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_bad_amounts_get_clear_errors_and_change_nothing(portal, portal_user, log_in, lang):
    user = portal_user(locale=lang, equity_usd=1_000)
    page = log_in(user)
    form = open_withdrawal(page, portal.base_url, lang)
    for amount in ("1e9", "-100", "abc"):
        form.fill(amount).submit()
        expect(form.error).to_be_visible()
        expect(form.dialog).to_have_count(0)
    assert portal.funds_of(user.username)["withdrawals"] == []


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_replacement_dsc_plus_is_requested_activated_and_returned(portal, portal_user, log_in, lang):
    """KB1943 to KB975: the request, the card delivered and activated, its reserve on the account
    screen, then sent back and received: the reserve released."""
    user = portal_user(locale=lang, sls_opted_out=False, portal_revision="current", equity_usd=1_500_000)
    page = log_in(user)
    address = {"street": "1-2-3 Ginza", "city": "Tokyo", "postal_code": "104-0061", "country": "JP"}
    replacement = request_replacement_dsc_plus(page, portal.base_url, user, "2580", address=address)
    assert replacement.card is not None and replacement.ships_by
    limits = open_current_secure_login_system(page, portal.base_url, lang).open_withdrawal_limits()
    expect(limits.reserves).to_have_count(1)
    expect(limits.reserves.first).to_contain_text(replacement.serial)
    expect(limits.amount("held_for_devices")).to_have_text(USD[lang](20))
    expect(limits.amount("available_for_withdrawal")).to_have_text(USD[lang](1_499_980))
    limits.expect_limits("デジタル・セキュリティ・カード+" if lang == "ja" else "Digital Security Card+",
                         LABELS[lang]["unlimited"], LABELS[lang]["unlimited"])

    form = ReturnFormPage.open_from(open_current_secure_login_system(page, portal.base_url, lang), replacement.serial)
    page.wait_for_load_state("load")  # print.js (at the page's end) has run: its handler is on the button
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")  # no dialog
    form.click(form.print_button)
    assert page.evaluate("() => window.printed") == 1  # Print opens the browser's print dialog

    enrollment = return_device(page, portal.base_url, user, replacement.serial)
    enrollment.expect_physical_state(replacement.serial, "returned")
    money = portal.funds_of(user.username)
    assert money["reserved_cents"] == 0 and money["equity_cents"] == 1_500_000_00
    assert [d["reserve"] for d in money["physical_devices"]] == ["released"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_device_is_shared_only_between_one_persons_usernames(page, portal, portal_user, log_in, lang):
    """KB2481 (a): the other username of someone else is refused; the same person's is shared."""
    holder = portal_user(locale=lang, sls_opted_out=False, identity=IDENTITY)
    stranger = portal_user(locale=lang, sls_opted_out=False, identity={**IDENTITY, "id_number": "passport ZZ9"})
    user = portal_user(locale=lang, sls_opted_out=True, portal_revision="current", identity=IDENTITY)
    page = log_in(user)
    refused = share_device_with(page, portal.base_url, user, stranger)
    assert refused.outcome == "refused" and stranger.username in refused.message
    assert portal.user_state(user.username)["sls_opted_out"] == 1
    shared = share_device_with(page, portal.base_url, user, holder)
    assert shared.outcome == "shared"
    assert portal.user_state(user.username)["sls_opted_out"] == 0
    assert sorted(d["usernames"] for d in portal.devices_of(user.username) if d["usernames"][0] == holder.username) == \
        [[holder.username, user.username]]


def test_a_sharing_request_waits_for_review_until_the_hook_approves_it(portal, portal_user, log_in):
    holder = portal_user(locale="en", sls_opted_out=False, identity=IDENTITY, sharing_review=True)
    user = portal_user(locale="en", sls_opted_out=True, portal_revision="current", identity=IDENTITY)
    page = log_in(user)
    waiting = share_device_with(page, portal.base_url, user, holder)
    assert waiting.outcome == "in_review" and "Compliance" in waiting.message
    portal.review_sharing_request(user.username, "approve")
    page.reload()
    waiting.screen.expect_enrolled()


def test_a_trading_only_session_requests_no_withdrawal_and_no_device(portal, portal_user, log_in):
    """Rights follow factors: the password alone (an opted-out user's trading login) opens neither."""
    user = portal_user(locale="en", sls_opted_out=True, portal_revision="current", equity_usd=2_000_000)
    page = log_in(user, target="trading")
    for path in ("/portal/account/withdrawal", "/portal/current/settings/secure-login/physical-device"):
        response = page.goto(portal.url(path))
        assert response.status == 403, path
    expect(WithdrawalPage(page, "en").heading).to_have_count(0)
