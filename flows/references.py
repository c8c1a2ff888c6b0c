"""The flows of the article's references, each from a logged-in page (the plugin's `log_in(user)`)
as the person clicks through it (docs/devices.md, "The article's references"):

    request_withdrawal(page, base_url, user, "60,000")         KB1131, KB2895: refused or accepted
    share_device_with(page, base_url, user, other_user)         KB2481: shared, in review or refused
    request_replacement_dsc_plus(page, base_url, user, "2580")  KB1943: requested, delivered, activated
    return_device(page, base_url, user, serial)                 KB975: sent back, received

What the brokerage's people and post do (a card delivered, a returned one received, a sharing
request reviewed) the portal's test hooks play (`slskit serve --enable-test-hooks`).
"""
from dataclasses import dataclass

from playwright.sync_api import expect

from .devices import AuthenticatorApp, DigitalSecurityCard, TOTP_STEP
from .labels import device_name
from .current import open_secure_login_system
from .flow import open_home
from .pages import PortalMenu
from .pages.current import CurrentPortal, EnrollmentPage
from .pages.physical_device import ActivationPage, RequestPhysicalDevicePage, ReturnFormPage
from .pages.public import SecondFactorPage
from .pages.withdrawal import FundsScreen
from .portal_http import hooks_of_page

SLS_PATH = "/portal/current/settings/secure-login"


@dataclass
class Withdrawal:
    """How a withdrawal request ended: accepted, or refused with the page's message."""

    accepted: bool
    message: str
    screen: object


@dataclass
class Sharing:
    """How a request to share another username's device ended: 'shared', 'in_review' or 'refused'."""

    outcome: str
    message: str
    screen: object


@dataclass
class Replacement:
    """A Digital Security Card+ requested: its serial, the estimated shipping date, and once
    delivered and activated the card itself (flows.devices.DigitalSecurityCard)."""

    serial: str
    ships_by: str
    card: object = None


def _landed(page, lang):
    """The logged-in portal as it shows: the seed revision's menu or the current revision's User menu."""
    menu, current = PortalMenu(page, lang), CurrentPortal(page, lang)
    expect(menu.account.or_(current.user_menu)).to_be_visible()
    return current if current.user_menu.is_visible() else menu


def _portal(page, base_url, lang):
    """The logged-in portal's start page."""
    page.goto(f"{base_url.rstrip('/')}/portal/")
    return _landed(page, lang)


def log_in_to_the_portal(page, base_url, user, lang=None):
    """Home, Log In > Portal Login, the password and the user's device: the seed revision's menu or
    the current revision's User menu, whichever the user's portal is."""
    login = open_home(page, base_url, lang or user.locale).choose_portal_login()
    login.log_in(user.username, user.password).authenticate(user.device)
    return _landed(page, user.locale)  # once logged in, the portal speaks the user's own locale


def open_current_secure_login_system(page, base_url, lang):
    """The current revision's User menu > Settings > Secure Login System."""
    portal = _portal(page, base_url, lang)
    if not isinstance(portal, CurrentPortal):
        raise AssertionError("this user's portal is the seed revision's: the Secure Login System page of"
                             " the current revision holds the physical devices")
    return open_secure_login_system(portal)


def open_withdrawal(page, base_url, lang):
    """The withdrawal form from the account screen (seed) or Secure Login System > Withdrawal Limits
    (current revision)."""
    portal = _portal(page, base_url, lang)
    if isinstance(portal, CurrentPortal):
        return open_secure_login_system(portal).open_withdrawal_limits().request_withdrawal()
    return portal.open_account().request_withdrawal()


def request_withdrawal(page, base_url, user, amount, device=None, lang=None, currency="USD"):
    """Request a withdrawal of `amount` (as typed: "60,000") authenticated with `device` (the user's
    emulator by default): the form, Continue, OK, the device's answer. An authenticator app's code
    is used once, so the person waits for its next one: here the user's test clock moves on by one
    step instead (TestHooks.advance_clock). Returns a Withdrawal."""
    lang = lang or user.locale
    device = device or user.device
    form = open_withdrawal(page, base_url, lang)
    form.fill(amount, device_name(lang, device), currency)
    answer = form.continue_()
    if answer is form:
        return Withdrawal(False, form.error.inner_text().strip(), form)
    step = answer.ok()
    if isinstance(device, AuthenticatorApp):
        hooks_of_page(page).advance_clock(TOTP_STEP, user)
    screen = step.authenticate(device)
    if isinstance(screen, FundsScreen):
        return Withdrawal(True, screen.notice.inner_text().strip(), screen)
    return Withdrawal(False, screen.error.inner_text().strip(), screen)


def share_device_with(page, base_url, user, other_user, lang=None):
    """KB2481 from the current revision's Secure Login System: "I already have access to a Secure
    Login Device under a different username", Continue, OK, then the other username's login with
    its device. Returns a Sharing."""
    lang = lang or user.locale
    enrollment = open_current_secure_login_system(page, base_url, lang).expect_opted_out()
    login = enrollment.choose("other_username").continue_("other_username").ok()
    login.fill(other_user.username, other_user.password)
    login.submit()
    code_step = login.next(SecondFactorPage)
    expect(code_step.shown.or_(login.error)).to_be_visible()
    if login.error.is_visible():
        return Sharing("refused", login.error.inner_text().strip(), login)
    code_step.authenticate(other_user.device)
    done = login.next(EnrollmentPage)
    expect(done.notice.or_(code_step.error)).to_be_visible()
    if code_step.error.is_visible():
        return Sharing("refused", code_step.error.inner_text().strip(), code_step)
    outcome = "in_review" if done.not_required_heading.is_visible() else "shared"
    return Sharing(outcome, done.notice.inner_text().strip(), done)


def request_replacement_dsc_plus(page, base_url, user, pin, address=None, lang=None, activate=True):
    """KB1943: Secure Login System > Request Physical Device, the address (Change Address when
    `address` is given), the PIN twice, the account, Continue, the summary's Continue, the
    confirmation's OK. With `activate`, the card then arrives (the test hook) and is activated with
    its PIN and challenge. Returns a Replacement."""
    lang = lang or user.locale
    enrollment = open_current_secure_login_system(page, base_url, lang)
    form = RequestPhysicalDevicePage.open_from(enrollment)
    if address is not None:
        form.change_address(address)
    elif form.address["street"].is_visible():
        raise AssertionError(f"{user.username} has no shipping address on file: pass address={{street, city, "
                             "postal_code, country}")
    received = form.fill(pin).continue_().continue_()
    ships_by = received.shipping_date()
    enrollment = received.ok()
    serial = _ordered_serial(page, user)
    enrollment.expect_physical_state(serial, "ordered")
    replacement = Replacement(serial, ships_by)
    if activate:
        delivered = hooks_of_page(page).deliver_physical_device(user.username)
        enrollment = _reloaded(enrollment)
        replacement.card = DigitalSecurityCard(delivered["card_secret"], pin)
        ActivationPage.open_from(enrollment, serial).activate(replacement.card).expect_physical_state(serial, "active")
    return replacement


def _reloaded(enrollment):
    """The Secure Login System page again, after what the brokerage did meanwhile (a test hook)."""
    enrollment.page.reload()
    return EnrollmentPage(enrollment.page, enrollment.lang, enrollment.highlight).expect_loaded()


def _ordered_serial(page, user):
    ordered = [d for d in hooks_of_page(page).funds_of(user.username)["physical_devices"] if d["state"] == "ordered"]
    if len(ordered) != 1:
        raise AssertionError(f"expected one device on its way to {user.username}, the portal holds {ordered}")
    return ordered[0]["serial"]


def return_device(page, base_url, user, serial, lang=None, received=True):
    """KB975: the Return Form (the holder's details and the serial), "I have sent the device", the
    device in return; with `received`, the post delivers it (the test hook) and its reserve is
    released. Returns the Secure Login System page."""
    lang = lang or user.locale
    enrollment = open_current_secure_login_system(page, base_url, lang)
    form = ReturnFormPage.open_from(enrollment, serial).expect_details(user.username, serial)
    enrollment = form.sent_back().expect_physical_state(serial, "in_return")
    if received:
        hooks_of_page(page).receive_physical_device(serial)
        enrollment = _reloaded(enrollment)
        enrollment.expect_physical_state(serial, "returned")
    return enrollment
