"""The article's rules end to end through the page objects: real Chromium, real `slskit serve`."""

import pytest
from playwright.sync_api import expect

from flows.flow import (cancel_sls_opt_out, cancel_sls_opt_out_classic, log_in_through_the_portal, log_in_to_trading,
                        open_secure_login_system, opt_out_with_agreement)
from flows.pages import ClassicPortal, PortalMenu, SecureLoginSettingsPage


def test_secondary_user_sees_who_may_change_the_setting_and_no_radio(page, portal, portal_user):
    primary = portal_user(sls_opted_out=True, locale="ja")
    secondary = portal_user(sls_opted_out=True, primary=False, account_id=primary.entry["account_id"], locale="ja")
    menu = log_in_through_the_portal(page, portal.base_url, secondary)
    settings = open_secure_login_system(menu).open_settings().expect_opted_out()
    settings.expect_not_allowed([primary.username])


def test_secondary_user_sees_the_notice_on_the_classic_page_too(portal, portal_user, log_in):
    primary = portal_user(sls_opted_out=True, locale="en")
    secondary = portal_user(sls_opted_out=True, primary=False, account_id=primary.entry["account_id"], locale="en")
    page = log_in(secondary)
    page.goto(portal.url("/portal/"))
    opt_out_page = ClassicPortal.open_from(PortalMenu(page, "en")).open_sls_opt_out()
    opt_out_page.expect_not_allowed([primary.username])
    opt_out_page.expect_status(secondary.username, opted_out=True)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_primary_user_opts_another_user_back_in_on_the_classic_portal(page, portal, portal_user, lang):
    primary = portal_user(sls_opted_out=False, locale=lang)
    secondary = portal_user(sls_opted_out=True, primary=False, account_id=primary.entry["account_id"], locale=lang)
    opt_out_page = cancel_sls_opt_out_classic(page, portal.base_url, primary, secondary.username)
    opt_out_page.expect_status(primary.username, opted_out=False)
    expect(opt_out_page.radio_for(secondary.username)).to_have_count(0)
    assert portal.user_state(secondary.username)["sls_opted_out"] == 0
    # Back in the new portal, the audit log names the classic path and the message center the change.
    menu = ClassicPortal(page, lang).back_to_new_portal()
    audit = menu.open_audit_log()
    expect(audit.rows.first).to_contain_text(secondary.username)
    expect(audit.rows.first).to_contain_text("クラシック・ポータル" if lang == "ja" else "Classic Portal")
    messages = menu.open_message_center()
    expect(messages.messages).to_have_count(1)
    expect(messages.messages.first).to_contain_text(secondary.username)


def test_cancel_in_the_classic_confirmation_changes_nothing(portal, portal_user, log_in):
    user = portal_user(sls_opted_out=True, locale="ja")
    page = log_in(user)
    page.goto(portal.url("/classic/"))
    opt_out_page = ClassicPortal(page, "ja").open_sls_opt_out()
    opt_out_page = opt_out_page.choose_user(user.username).continue_().cancel()
    expect(opt_out_page.notice).to_contain_text("変更はキャンセルされました")
    opt_out_page.expect_status(user.username, opted_out=True)
    assert portal.user_state(user.username)["sls_opted_out"] == 1


def test_after_the_documented_flow_a_trading_login_asks_for_the_code(page, new_context, portal, portal_user):
    user = portal_user(sls_opted_out=True, locale="ja")
    assert log_in_to_trading(page, portal.base_url, user) is False  # the risk the article names
    expect(page.get_by_role("note")).to_contain_text("ピンクシートやOTCBB銘柄の注文はできません")
    # The password alone opens the trading screen only: no Client Portal page, no menu to one.
    expect(page.get_by_role("navigation")).to_have_count(0)
    page.goto(portal.url("/portal/account"))
    expect(page.get_by_role("alert")).to_contain_text("セキュリティ・デバイスを使ってクライアント・ポータルにログインしてください")

    flow_page = new_context().new_page()
    cancel_sls_opt_out(flow_page, portal.base_url, user)
    PortalMenu(flow_page, "ja").open_account().expect_unrestricted()

    # The same user logs in again: the portal and the device both move one TOTP step on.
    portal.advance_clock(30, user)
    trading_page = new_context().new_page()
    assert log_in_to_trading(trading_page, portal.base_url, user) is True
    PortalMenu(trading_page, "ja").open_account().expect_unrestricted()


def test_enrolled_primary_user_opts_out_again_through_the_agreement(page, portal, portal_user):
    user = portal_user(sls_opted_out=False, locale="en")
    settings = opt_out_with_agreement(page, portal.base_url, user)
    expect(settings.notice).to_contain_text("You opted out of the Secure Login System")
    assert portal.user_state(user.username)["sls_opted_out"] == 1
    PortalMenu(page, "en").open_account().expect_restricted()


def test_the_agreement_refuses_a_wrong_signature(portal, portal_user, log_in):
    user = portal_user(sls_opted_out=False, locale="ja")
    page = log_in(user)
    page.goto(portal.url("/portal/settings/secure-login"))
    agreement = SecureLoginSettingsPage(page, "ja").expect_enrolled().open_opt_out_agreement()
    agreement.accept("someone-else").submit()
    expect(agreement.error).to_contain_text("ユーザー名を正確に入力してください")
    assert portal.user_state(user.username)["sls_opted_out"] == 0
