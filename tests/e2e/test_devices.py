"""The article's flow end to end with each security device's emulator, in ja and en: real
Chromium, real `slskit serve`. The temporary passcode's user also holds an authenticator app,
so that case goes through the device combobox first."""
import pytest
from playwright.sync_api import expect

from flows import cancel_sls_opt_out
from flows.pages import HomePage
from flows.users import FRESH_DEVICES


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("kind", list(FRESH_DEVICES))
def test_article_flow_with_each_security_device(page, portal, portal_user, kind, lang):
    user = portal_user(sls_opted_out=True, locale=lang, devices=FRESH_DEVICES[kind]())
    assert user.device.type == kind
    steps = cancel_sls_opt_out(page, portal.base_url, user)
    assert [s.number for s in steps] == [1, 2, 3, 4, 5, 6, 7]
    assert portal.user_state(user.username)["sls_opted_out"] == 0
    log_path = getattr(portal, "log_path", None)
    if log_path:  # the server this session started: its log holds none of the user's secrets
        with open(log_path, encoding="utf-8") as log:
            written = log.read()
        assert user.username in written
        secrets_of_user = [user.password] + [v for d in user.entry["devices"] for k, v in d.items() if k != "type"]
        assert [s for s in secrets_of_user if s in written] == []


def test_request_new_code_in_the_browser(page, portal, portal_user):
    user = portal_user(locale="en", devices=FRESH_DEVICES["sms"]())
    login = HomePage(page, "en").navigate(portal.base_url).choose_portal_login()
    code_page = login.log_in(user.username, user.password).expect_loaded()
    first = user.device.answer(page)
    code_page.request_new_code()
    expect(code_page.notice).to_contain_text("A new Security Code was sent")
    newest = user.device.answer(page)
    if first != newest:
        code_page.fill(first).submit()
        expect(code_page.error).to_contain_text("replaced by a new one")
    code_page.fill(newest).submit()
    expect(page.get_by_role("button", name="Log Out")).to_be_visible()
