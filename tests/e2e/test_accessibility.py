"""Every screen passes an axe-core scan with no serious or critical violations (ja and en)."""
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from flows.current import log_in_with_the_other_username
from flows.labels import LABELS
from flows.pages import HomePage, LoginPage, PortalMenu, SecureLoginSettingsPage
from flows.pages.current import CHOICES, CurrentPortal, CurrentSettingsPage, EnrollmentPage
from flows.pages.physical_device import ActivationPage, RequestPhysicalDevicePage, ReturnFormPage
from flows.references import open_current_secure_login_system, open_withdrawal


AXE = Axe()
PORTAL_SCREENS = ["/portal/", "/portal/settings/", "/portal/settings/user", "/portal/settings/secure-login",
                  "/portal/account", "/portal/messages", "/portal/audit", "/portal/trading",
                  "/classic/", "/classic/account", "/classic/account/security",
                  "/classic/account/security/secure-login", "/classic/account/security/secure-login/opt-out"]


def with_axe(page):
    """axe-core in every document of the page's context, added by the browser as each one loads:
    one registration a context instead of evaluating its 500 kB script again on every screen."""
    page.context.add_init_script(AXE.axe_script)
    return page


def serious_violations(page, screen):
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{screen}: {v['id']} ({v['impact']}) {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_screen_passes_axe(page, portal, portal_user, log_in, lang):
    found = []
    home = HomePage(with_axe(page), lang).navigate(portal.base_url)
    home.click(home.login_menu_button)
    expect(home.portal_login_link).to_be_visible()
    found += serious_violations(page, "home with the login menu open")
    home.click(home.portal_login_link)
    login = LoginPage(page, lang).expect_loaded()
    found += serious_violations(page, "login")
    login.fill("nobody", "wrong").submit()
    expect(login.error).to_be_visible()
    found += serious_violations(page, "login with an error")
    user = portal_user(sls_opted_out=True, locale=lang)
    login.log_in(user.username, user.password).expect_loaded()
    found += serious_violations(page, "security code")

    portal_page = with_axe(log_in(user))
    for path in PORTAL_SCREENS:
        portal_page.goto(portal.url(path))
        found += serious_violations(portal_page, path)
    portal_page.goto(portal.url("/portal/"))
    box = PortalMenu(portal_page, lang).open_user_settings().open_secure_login_system()
    found += serious_violations(portal_page, "Secure Login Settings box open")
    dialog = box.open_settings().choose_always_use_device().continue_()
    found += serious_violations(portal_page, "confirmation dialog")
    dialog.ok().expect_enrolled()
    found += serious_violations(portal_page, "enrolled settings screen")

    secondary = portal_user(primary=False, account_id=user.entry["account_id"], locale=lang)
    other = with_axe(log_in(secondary))
    other.goto(portal.url("/portal/settings/secure-login"))
    found += serious_violations(other, "secondary user's notice")
    other.goto(portal.url("/portal/no-such-page"))
    found += serious_violations(other, "not found")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_screen_of_the_current_revision_passes_axe(page, portal, portal_user, log_in, lang):
    found = []
    holder = portal_user(locale=lang, sls_opted_out=False)  # the other username's device
    for choice in CHOICES:  # a user each: a choice's end screen is reached once
        user = portal_user(locale=lang, portal_revision="current")
        portal_page = with_axe(log_in(user))
        portal_page.goto(portal.url("/portal/"))
        menu = CurrentPortal(portal_page, lang).expect_loaded()
        menu.click(menu.user_menu)
        expect(menu.settings).to_be_visible()
        found += serious_violations(portal_page, f"{choice}: User menu open")
        menu.click(menu.settings)
        settings = CurrentSettingsPage(portal_page, lang).expect_loaded()
        found += serious_violations(portal_page, f"{choice}: Settings")
        enrollment = settings.open_secure_login_system().expect_opted_out()
        found += serious_violations(portal_page, f"{choice}: Secure Login System with the three choices")
        confirmation = enrollment.choose(choice).continue_(choice)
        found += serious_violations(portal_page, f"{choice}: confirmation")
        end = confirmation.ok()
        found += serious_violations(portal_page, f"{choice}: end screen ({type(end).__name__})")
    # The other username's login ends on Secure Login System enrolled, with the devices it serves.
    log_in_with_the_other_username(portal_page, end, user, other_user=holder)
    found += serious_violations(portal_page, "enrolled, with the devices")
    assert not found, "\n".join(found)


def test_the_gear_icons_have_accessible_names(logged_in_page, portal):
    labels = LABELS["ja"]
    logged_in_page.goto(portal.url("/portal/settings/user"))
    gear = logged_in_page.get_by_role("region", name=labels["security"], exact=True).get_by_role("button")
    expect(gear).to_have_accessible_name("セキュア・ログイン・システムの設定")
    gear.click()
    icon = logged_in_page.get_by_role("region", name=labels["secure_login_settings"], exact=True).get_by_role("button")
    expect(icon).to_have_accessible_name("セキュア・ログイン設定を変更")
    icon.click()
    SecureLoginSettingsPage(logged_in_page, "ja").expect_opted_out()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_screen_of_the_references_passes_axe(portal, portal_user, log_in, lang):
    """The withdrawal's form, confirmation, refusal and device step; the Withdrawal Limits page; a
    DSC+ request's form (Change Address), summary and confirmation, its activation and return form."""
    found = []
    user = portal_user(locale=lang, sls_opted_out=False, portal_revision="current", equity_usd=2_000_000)
    page = with_axe(log_in(user))
    form = open_withdrawal(page, portal.base_url, lang)
    found += serious_violations(page, "withdrawal form")
    form.fill("1e9").submit()
    found += serious_violations(page, "withdrawal refused")
    step = form.fill("100").continue_()
    found += serious_violations(page, "withdrawal confirmation")
    step.ok()
    found += serious_violations(page, "withdrawal device step")
    enrollment = open_current_secure_login_system(page, portal.base_url, lang)
    enrollment.open_withdrawal_limits()
    found += serious_violations(page, "Withdrawal Limits")
    enrollment = open_current_secure_login_system(page, portal.base_url, lang)
    request = RequestPhysicalDevicePage.open_from(enrollment)
    request.change_address({"street": "1 A", "city": "Tokyo", "postal_code": "100-0001", "country": "JP"})
    found += serious_violations(page, "Request Physical Device, Change Address")
    summary = request.fill("2580").continue_()
    found += serious_violations(page, "its summary")
    received = summary.continue_()
    found += serious_violations(page, "its confirmation")
    enrollment = received.ok()
    serial = portal.funds_of(user.username)["physical_devices"][0]["serial"]
    portal.deliver_physical_device(user.username)
    page.reload()
    found += serious_violations(page, "Secure Login System with a delivered card")
    ActivationPage.open_from(enrollment.expect_physical_state(serial, "delivered"), serial)
    found += serious_violations(page, "activation")
    page.goto(portal.url("/portal/current/settings/secure-login"))
    ReturnFormPage.open_from(EnrollmentPage(page, lang).expect_loaded(), serial)
    found += serious_violations(page, "return form")
    assert not found, "\n".join(found)
