"""A physical security device from the current revision's Secure Login System (KB1943, KB975):
Request Physical Device, the summary, the confirmation with the estimated shipping date, the
activation with the card's PIN and challenge, and the printable return form. Each screen opens
from the Secure Login System page (`open_from(enrollment_page)`)."""
from playwright.sync_api import expect

from .base import Screen
from .current import EnrollmentPage

ADDRESS_FIELDS = ("street", "city", "postal_code", "country")


class RequestPhysicalDevicePage(Screen):
    """The shipping address (Change Address), a 4-digit PIN twice, the account on which the fee is
    held; Continue. Fill and submit are separate so a negative test reads `error` after `submit`."""

    shown_by = "heading"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.heading = page.get_by_role("heading", name=self.labels["request_physical_device"], exact=True, level=1)
        self.shipping = page.get_by_role("region", name=self.labels["shipping_address"], exact=True)
        self.change_address_link = page.get_by_role("link", name=self.labels["change_address"], exact=True)
        self.address = {key: page.get_by_role("textbox", name=self.labels[f"address_{key}"], exact=True)
                        for key in ADDRESS_FIELDS}
        self.pin = page.get_by_label(self.labels["pin"], exact=True)
        self.pin_again = page.get_by_label(self.labels["pin_again"], exact=True)
        self.account = page.get_by_role("combobox", name=self.labels["reserve_account"], exact=True)
        self.continue_button = page.get_by_role("button", name=self.labels["continue"], exact=True)
        self.error = page.get_by_role("alert")

    @classmethod
    def open_from(cls, enrollment_page):
        """Secure Login System > Request Physical Device."""
        enrollment_page.click(enrollment_page.request_physical_device_link)
        return enrollment_page.next(cls).expect_loaded()

    def change_address(self, address):
        """Change Address, then the new one ({street, city, postal_code, country})."""
        if not self.address["street"].is_visible():
            self.click(self.change_address_link)
        for key in ADDRESS_FIELDS:
            self.address[key].fill(address[key])
        return self

    def fill(self, pin, pin_again=None, account=None):
        self.pin.fill(pin)
        self.pin_again.fill(pin if pin_again is None else pin_again)
        if account is not None:
            self.account.select_option(account)
        return self

    def submit(self):
        self.click(self.continue_button)
        return self

    def continue_(self):
        """Continue: the summary (a refusal fails with the page's own message)."""
        self.submit()
        summary = self.next(PhysicalDeviceSummaryPage)
        expect(summary.heading.or_(self.error)).to_be_visible()
        if self.error.is_visible():
            raise AssertionError(f"the request was refused: {self.error.inner_text().strip()}")
        return summary.expect_loaded()


class PhysicalDeviceSummaryPage(Screen):
    """The request as it will be placed: Back or Continue."""

    shown_by = "heading"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.heading = page.get_by_role("heading", name=self.labels["review_request"], exact=True, level=1)
        self.back_button = page.get_by_role("button", name=self.labels["back"], exact=True)
        self.continue_button = page.get_by_role("button", name=self.labels["continue"], exact=True)
        self.details = page.get_by_role("table")

    def back(self):
        self.click(self.back_button)
        return self.next(RequestPhysicalDevicePage).expect_loaded()

    def continue_(self):
        self.click(self.continue_button)
        return self.next(RequestReceivedPage).expect_loaded()


class RequestReceivedPage(Screen):
    """The confirmation: the serial number, the estimated shipping date; OK."""

    shown_by = "heading"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.heading = page.get_by_role("heading", name=self.labels["request_received"], exact=True, level=1)
        self.ships_by = page.locator("#ships-by")
        self.ok_button = page.get_by_role("button", name=self.labels["ok"], exact=True)

    def shipping_date(self):
        return self.ships_by.get_attribute("datetime")

    def ok(self):
        self.click(self.ok_button)
        return self.next(EnrollmentPage).expect_loaded()


class ActivationPage(Screen):
    """Activate your Digital Security Card+: the card's response to the challenge, with its PIN."""

    shown_by = "heading"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.heading = page.get_by_role("heading", name=self.labels["activate_dsc_plus"], exact=True, level=1)
        self.code = page.get_by_role("textbox", name=self.labels["security_code"], exact=True)
        self.activate_button = page.get_by_role("button", name=self.labels["activate"], exact=True)
        self.error = page.get_by_role("alert")

    @classmethod
    def open_from(cls, enrollment_page, serial):
        """The Secure Login System's Activate beside the delivered card: its challenge."""
        enrollment_page.click(enrollment_page.activate_button(serial))
        return enrollment_page.next(cls).expect_loaded()

    def activate(self, card):
        """The card (flows.devices.DigitalSecurityCard) answers the challenge: back on the Secure
        Login System, where it is now one of the user's devices."""
        expect(self.code).to_be_visible()
        self.code.fill(card.answer(self.page))
        self.click(self.activate_button)
        return self.next(EnrollmentPage).expect_loaded()


class ReturnFormPage(Screen):
    """The Secure Login Device Return Form: the holder's details and the serial, to print; then
    "I have sent the device"."""

    shown_by = "heading"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.heading = page.get_by_role("heading", name=self.labels["return_form_heading"], exact=True, level=1)
        self.details = page.get_by_role("table")
        self.serial = page.locator("#return-serial")
        self.print_button = page.get_by_role("button", name=self.labels["print_card"], exact=True)
        self.sent_back_button = page.get_by_role("button", name=self.labels["sent_back"], exact=True)
        self.error = page.get_by_role("alert")

    @classmethod
    def open_from(cls, enrollment_page, serial):
        enrollment_page.click(enrollment_page.return_form_link(serial))
        return enrollment_page.next(cls).expect_loaded()

    def expect_details(self, *texts):
        for shown in texts:
            expect(self.details).to_contain_text(shown)
        return self

    def sent_back(self):
        self.click(self.sent_back_button)
        return self.next(EnrollmentPage).expect_loaded()
