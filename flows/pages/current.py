"""The article's current revision of the Client Portal: the User menu, Settings, the
User Settings section, Security, Secure Login System, the three enrollment choices and each
choice's own screens."""
import re

from playwright.sync_api import expect

from ..devices import CodeCard
from ..labels import device_name
from ..portal_http import hooks_of_page
from .base import ConfirmationDialog, LoggedInScreen, Screen, containing
from .public import LoginPage, SecondFactorPage
from .withdrawal import WithdrawalLimitsPage

CHOICES = ("ibkr_mobile", "without_ibkr_mobile", "other_username")


class CurrentPortal(LoggedInScreen):
    """The logged-in portal of the current revision: the User menu (head and shoulders, top
    right) that opens Settings (article step 4), and Log Out."""

    shown_by = "user_menu"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.user_menu = page.get_by_role("button", name=self.labels["user_menu"], exact=True)
        self.settings = page.get_by_role("navigation", name=self.labels["user_menu"], exact=True).get_by_role(
            "link", name=self.labels["settings"], exact=True)

    def open_settings(self):
        self.click(self.user_menu)
        self.click(self.settings)
        return self.next(CurrentSettingsPage).expect_loaded()


class CurrentSettingsPage(Screen):
    """Settings: under the User Settings section, Security, then Secure Login System (step 5)."""

    shown_by = "security"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.user_settings = page.get_by_role("region", name=self.labels["user_settings"], exact=True)
        self.security = self.user_settings.get_by_role("region", name=self.labels["security"], exact=True)
        self.secure_login_system = self.security.get_by_role(
            "link", name=self.labels["secure_login_system"], exact=True)

    def open_secure_login_system(self):
        self.click(self.secure_login_system)
        return self.next(EnrollmentPage).expect_loaded()


class EnrollmentPage(Screen):
    """Secure Login System: "Select one of the radio buttons below to enroll your secure login
    device", Continue (step 6); for an enrolled user the devices and what they serve."""

    shown_by = "heading"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.heading = page.get_by_role("heading", name=self.labels["secure_login_system"], exact=True, level=1)
        self.radios = {choice: page.get_by_role("radio", name=self.labels[f"choice_{choice}"], exact=True)
                       for choice in CHOICES}
        self.continue_button = page.get_by_role("button", name=self.labels["continue"], exact=True)
        self.not_required_heading = page.get_by_role("heading", name=self.labels["not_required"], exact=True)
        self.required_heading = page.get_by_role("heading", name=self.labels["required"], exact=True)
        self.devices = page.get_by_role("list", name=self.labels["secure_login_devices"], exact=True)
        self.error = page.get_by_role("alert")
        self.notice = page.get_by_role("status")
        # The article's references: Withdrawal Limits, Request Physical Device, the physical devices.
        self.withdrawal_limits_link = page.get_by_role("link", name=self.labels["withdrawal_limits"], exact=True)
        self.request_physical_device_link = page.get_by_role(
            "link", name=self.labels["request_physical_device"], exact=True)
        self.physical_devices = page.get_by_role("list", name=self.labels["physical_devices"], exact=True)

    def expect_opted_out(self):
        expect(self.not_required_heading).to_be_visible()
        return self

    def expect_enrolled(self):
        expect(self.required_heading).to_be_visible()
        return self

    def choose(self, choice):
        """Select one of the three radio buttons: ibkr_mobile, without_ibkr_mobile, other_username."""
        self.check(self.radios[choice])
        return self

    def continue_(self, choice):
        self.click(self.continue_button)
        return self.next(EnrollmentConfirmation, choice).expect_loaded()

    def device(self, text):
        """The device list's entry whose text contains `text` (a device name, a username)."""
        return self.devices.get_by_role("listitem").filter(has_text=text)

    def physical_device(self, serial):
        """The physical devices list's entry of a serial number."""
        return self.physical_devices.get_by_role("listitem").filter(has_text=serial)

    def expect_physical_state(self, serial, state):
        """`state`: ordered, delivered, active, in_return, returned or lost."""
        expect(self.physical_device(serial)).to_contain_text(self.labels[f"state_{state}"])
        return self

    def open_withdrawal_limits(self):
        self.click(self.withdrawal_limits_link)
        return self.next(WithdrawalLimitsPage).expect_loaded()

    def activate_button(self, serial):
        return self.physical_device(serial).get_by_role("button", name=containing(self.labels["activate"]))

    def return_form_link(self, serial):
        return self.physical_device(serial).get_by_role("link", name=containing(self.labels["return_form"]))

    def remove_device(self, text):
        """Stop the device serving this username (the other usernames it serves keep it)."""
        self.click(self.device(text).get_by_role("button"))
        expect(self.notice).to_be_visible()
        return self


class EnrollmentConfirmation(ConfirmationDialog):
    """The in-page confirmation (step 7): OK goes on to the chosen choice's own screen, Cancel
    back to Secure Login System."""

    returns_to = EnrollmentPage

    def __init__(self, page, lang="ja", choice=None, highlight=None):
        super().__init__(page, lang, highlight)
        self.choice = choice

    def ok(self):
        self.click(self.ok_button)
        screen = {"ibkr_mobile": IBKeyActivationPage, "without_ibkr_mobile": CodeCardPage,
                  "other_username": OtherUsernameLoginPage}[self.choice]
        return self.next(screen).expect_loaded()


class IBKeyActivationPage(Screen):
    """IBKR Mobile: the QR code and the activation code; then "I have activated IB Key"."""

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.heading = page.get_by_role("heading", name=self.labels["activate_ibkey"], exact=True)
        self.qr_code = page.get_by_role("img", name=self.labels["ibkey_qr_code"], exact=True)
        self.activation_code = page.locator("#activation-code")
        self.activated_button = page.get_by_role("button", name=self.labels["ibkey_activated"], exact=True)
        self.error = page.get_by_role("alert")

    def expect_loaded(self):
        expect(self.qr_code).to_be_visible()
        expect(self.activation_code).to_have_text(re.compile(r"^[0-9]{8}$"))
        return self

    def activated(self):
        self.click(self.activated_button)
        return self.next(EnrollmentPage).expect_loaded()


class CodeCardPage(Screen):
    """The Online Security Code Card: index → code, Print and Save, valid 21 days."""

    shown_by = "card"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.heading = page.get_by_role("heading", name=self.labels["code_card"], exact=True)
        self.card = page.get_by_role("table", name=self.labels["code_card"], exact=True)
        self.print_button = page.get_by_role("button", name=self.labels["print_card"], exact=True)
        self.save_link = page.get_by_role("link", name=self.labels["save_card"], exact=True)
        self.issue_button = page.get_by_role("button", name=self.labels["issue_card"], exact=True)

    def issue(self):
        """A user without a card (KB69: a temporary passcode's last 10 days) has one made."""
        self.click(self.issue_button)
        return self.expect_loaded()

    def read(self):
        """The card as printed: what the person keeps."""
        return CodeCard.from_html(self.page.content())

    def save(self, path):
        """Save: the card's text file, downloaded to `path`; returns the card it holds."""
        with self.page.expect_download() as download:
            self.click(self.save_link)
        download.value.save_as(path)
        with open(path, encoding="utf-8") as f:
            return CodeCard.from_text(f.read())


class CurrentSecondFactorPage(SecondFactorPage):
    """The current revision's code step: the seed's, except that IB Key waits for the notification
    on the phone, and the link "Didn't receive the notification?" switches to challenge/response."""

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.no_notification = page.get_by_role("link", name=self.labels["no_notification"], exact=True)

    def expect_notification(self):
        expect(self.no_notification).to_be_visible()
        return self

    def authenticate(self, device):
        """As at the seed's step; IB Key (chosen in the combobox first, if the user has several
        devices) answers the challenge after "Didn't receive the notification?"."""
        if device.type != "ibkey":
            return super().authenticate(device)
        expect(self.no_notification.or_(self.device_select)).to_be_visible()
        if self.device_select.is_visible():
            self.device_select.select_option(label=device_name(self.lang, device))
            self.click(self.choose_button)
        self.expect_notification().respond_to_challenge(device)

    def approve_on_phone(self, device):
        """The person approves the notification in IBKR Mobile, then says so on the page."""
        device.answer_push(hooks_of_page(self.page))
        self.click(self.push_approved_button)

    def respond_to_challenge(self, device):
        """No notification came: the challenge is shown instead, and IB Key answers it."""
        self.click(self.no_notification)
        expect(self.code).to_be_visible()
        self.fill(device.answer(self.page))
        self.submit()


class OtherUsernameLoginPage(LoginPage):
    """Log in with the other username (and then its device), whose device will serve both."""

    shown_by = "heading"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.heading = page.get_by_role("heading", name=self.labels["other_username_login"], exact=True)

    def log_in(self, username, password):
        self.fill(username, password)
        self.submit()
        return self.next(SecondFactorPage)
