"""The article's flow end to end: real Chromium, real `slskit serve`, real SQLite file."""
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from flows.pages import HomePage


# The article's seven steps themselves, in ja and en, are the first scenario of the specification
# (flows/features/*/1_cancel_opt_out.feature, run by test_e2e_spec.py); cancel_sls_opt_out runs the
# same actions for every device in test_e2e_devices.py.


def test_cancel_in_the_confirmation_changes_nothing(page, portal, portal_user):
    user = portal_user(sls_opted_out=True)
    from flows.flow import log_in_with_security_device, open_home, open_secure_login_system
    menu = log_in_with_security_device(page, open_home(page, portal.base_url, "ja").choose_portal_login(), user)
    settings = open_secure_login_system(menu).open_settings().expect_opted_out()
    settings = settings.choose_always_use_device().continue_().cancel()
    settings.expect_opted_out()
    expect(settings.notice).to_contain_text("変更はキャンセルされました")
    assert portal.user_state(user.username)["sls_opted_out"] == 1


def test_wrong_password_shows_the_message_in_the_page_language(page, portal, portal_user):
    user = portal_user(locale="en")
    login = HomePage(page, "en").navigate(portal.base_url).choose_portal_login()
    login.fill(user.username, "wrong password").submit()
    expect(login.error).to_have_text("Invalid username password combination")


def test_log_in_stops_at_a_refused_login_with_the_pages_words(page, portal, portal_user):
    user = portal_user(locale="en")
    login = HomePage(page, "en").navigate(portal.base_url).choose_portal_login()
    with pytest.raises(AssertionError, match=r"refused the login \(HTTP 401\) -- the page says: "
                                             r"Invalid username password combination"):
        login.log_in(user.username, "wrong password")


def test_replayed_code_is_refused_in_the_browser(page, new_context, portal, portal_user):
    user = portal_user()
    code = user.device.code()
    first = HomePage(page, "ja").navigate(portal.base_url).choose_portal_login()
    first.log_in(user.username, user.password).fill(code).submit()
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()
    other = new_context().new_page()
    second = HomePage(other, "ja").navigate(portal.base_url).choose_portal_login()
    code_page = second.log_in(user.username, user.password)
    code_page.fill(code).submit()
    expect(code_page.error).to_contain_text("既に使用されています")


def test_logged_in_page_from_saved_state_reaches_the_settings(logged_in_page, portal):
    from flows.pages import PortalMenu
    logged_in_page.goto(portal.url("/portal/"))
    box = PortalMenu(logged_in_page, "ja").open_user_settings().open_secure_login_system()
    box.open_settings().expect_opted_out()


@pytest.mark.parametrize("target, lands_on", [("portal", "/portal/"), ("gateway", "/sso/Dispatcher")])
def test_log_in_lands_where_a_login_for_its_entry_point_does(log_in, portal_user, target, lands_on):
    page = log_in(portal_user(locale="en"), target=target)
    assert urlsplit(page.url).path == lands_on
