"""Today's login page in Chromium: its script, as a person and the kit's page objects
meet it, chosen per test through the plugin's `portal_login_page`."""
import re

import pytest
from playwright.sync_api import expect

from flows.pages import HomePage, PortalMenu
from flows.users import FRESH_DEVICES, random_base32_secret


def posts(page):
    """The POSTs the page sends from now on, as (path, resource type): 'fetch' is the script's."""
    sent = []
    page.on("request", lambda r: r.method == "POST" and sent.append((r.url.split("//", 1)[1].split("/", 1)[1],
                                                                       r.resource_type)))
    return sent


@pytest.mark.parametrize("portal_login_page", ["current"])
def test_the_article_runs_on_todays_page_without_a_reload_between_the_login_steps(page, portal, portal_user,
                                                                                    article_flow, portal_login_page):
    user = portal_user(sls_opted_out=True, locale="ja")
    sent = posts(page)
    article_flow(user)
    login = [p for p in sent if p[0].startswith("sso/")]
    assert login == [("sso/login", "fetch"), ("sso/login/code", "fetch")]
    assert portal.user_state(user.username)["sls_opted_out"] == 0


@pytest.mark.parametrize("portal_login_page", ["current"])
def test_a_person_on_todays_page_meets_the_error_the_paper_switch_the_picker_and_ib_keys_notification(
        page, portal, portal_user, portal_login_page):
    devices = FRESH_DEVICES["ibkey"]() + [{"type": "authenticator_app", "totp_secret": random_base32_secret()}]
    user = portal_user(locale="en", devices=devices)
    login = HomePage(page, "en").navigate(portal.base_url).expect_loaded().choose_portal_login()
    sent = posts(page)

    # A double click on Login sends one request (the answer is slowed so that the second click
    # surely comes while the first is under way); the wrong password's error shows in its block.
    login.fill(user.username, "not the password")
    with portal.inject(user, "POST", "/sso/login", fixedDelayMilliseconds=500, count=1):
        login.submit_button.dblclick()
        expect(page.locator(".xyzblock-error .xyz-errormessage")).to_be_visible()
    expect(page.locator(".xyzblock-error .xyz-errormessage")).to_have_text("Invalid username password combination")
    expect(login.username).to_be_visible()
    assert sent == [("sso/login", "fetch")]

    # The live/paper switch names the button, and back.
    paper = page.get_by_label("Paper", exact=True)
    paper.check()
    expect(page.get_by_role("button", name="Simulated Login", exact=True)).to_be_visible()
    paper.uncheck()
    expect(login.submit_button).to_have_text("Login")

    # Enter in the password field submits; two devices: the picker, taken on change, no button.
    login.password.fill(user.password)
    login.password.press("Enter")
    picker = page.get_by_role("combobox", name="Select Second Factor Device", exact=True)
    expect(picker).to_be_visible()
    expect(picker.locator("option")).to_have_text(["Select Type", "IB Key", "Mobile Authenticator App"])
    assert picker.locator("option").evaluate_all("os => os.map(o => o.value)") == ["", "5.2a", "4"]
    picker.select_option(label="IB Key")

    # IB Key waits for the notification; "Didn't receive the notification?" shows its challenge.
    expect(page.locator(".xyzblock-notification")).to_be_visible()
    page.get_by_role("link", name="Didn't receive the notification?", exact=True).click()
    challenge = page.locator(".xyzblock-manualibkey .xyz-goldchallenge")
    expect(challenge).to_have_text(re.compile(r"^[0-9]{6}$"))
    code = page.get_by_role("textbox", name="Security Code", exact=True)
    code.fill(user.device.response(challenge.inner_text()))
    code.press("Enter")
    PortalMenu(page, "en").expect_loaded()
    assert [p for p in sent if p[0].startswith("sso/")] == [
        ("sso/login", "fetch"), ("sso/login", "fetch"), ("sso/login/device", "fetch"), ("sso/login/code", "fetch")]
