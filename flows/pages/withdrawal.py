"""A withdrawal and its limits by security device (KB1131, KB2895): the funds a screen shows (the
seed revision's account screen, the current revision's Withdrawal Limits page), the request's form,
its confirmation and the device step that authenticates it."""
from playwright.sync_api import expect

from .base import ConfirmationDialog, Screen


class FundsScreen(Screen):
    """A screen with the withdrawal limits by device and the account's funds; after a withdrawal
    the screen it lands on, with its notice."""

    shown_by = "limits_table"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.limits_table = page.get_by_role("table", name=self.labels["withdrawal_limits_by_device"], exact=True)
        self.funds_table = page.get_by_role("table", name=self.labels["funds"], exact=True)
        self.reserves = page.get_by_role("list", name=self.labels["reserves"], exact=True).get_by_role("listitem")
        self.request_withdrawal_link = page.get_by_role("link", name=self.labels["request_withdrawal"], exact=True)
        self.notice = page.get_by_role("status")

    def _cells(self, table, row_name):
        """The cells of `table`'s row whose header is `row_name`."""
        return table.get_by_role("row").filter(
            has=self.page.get_by_role("rowheader", name=row_name, exact=True)).get_by_role("cell")

    def limits_of(self, device_label):
        """The cells (per day, over five days) of a device's row, by the name the table gives it."""
        return self._cells(self.limits_table, device_label)

    def expect_limits(self, device_label, per_day, over_five_days):
        expect(self.limits_of(device_label)).to_have_text([per_day, over_five_days])
        return self

    def expect_no_device_limits(self, per_day, over_five_days):
        """An opted-out user's one row: no security device."""
        expect(self.limits_table.locator("tbody").get_by_role("row")).to_have_count(1)
        return self.expect_limits(self.labels["no_device_opted_out"], per_day, over_five_days)

    def amount(self, row_key):
        """A row of the funds: 'equity', 'held_for_devices', 'available_for_withdrawal'."""
        return self._cells(self.funds_table, self.labels[row_key])

    def request_withdrawal(self):
        self.click(self.request_withdrawal_link)
        return self.next(WithdrawalPage).expect_loaded()


class WithdrawalLimitsPage(FundsScreen):
    """The current revision's Secure Login System > Withdrawal Limits."""

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.heading = page.get_by_role("heading", name=self.labels["withdrawal_limits"], exact=True, level=1)

    def expect_loaded(self):
        expect(self.heading).to_be_visible()
        return super().expect_loaded()


class WithdrawalPage(Screen):
    """Request a Withdrawal: the amount, the currency, the device that authenticates it; Continue.
    Fill and submit are separate so a negative test reads `error` after `submit`."""

    shown_by = "heading"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.heading = page.get_by_role("heading", name=self.labels["withdrawal_heading"], exact=True, level=1)
        self.amount = page.get_by_role("textbox", name=self.labels["amount"], exact=True)
        self.currency = page.get_by_role("combobox", name=self.labels["currency"], exact=True)
        self.device = page.get_by_role("combobox", name=self.labels["withdrawal_device"], exact=True)
        self.continue_button = page.get_by_role("button", name=self.labels["continue"], exact=True)
        self.dialog = page.get_by_role("dialog")
        self.error = page.get_by_role("alert")
        self.notice = page.get_by_role("status")

    def fill(self, amount, device_label=None, currency="USD"):
        """`device_label`: the combobox option naming the device (flows.labels.device_name)."""
        self.amount.fill(amount)
        self.currency.select_option(currency)
        if device_label is not None:
            self.device.select_option(label=device_label)
        return self

    def submit(self):
        """Continue, without expecting the confirmation (a refusal shows `error` instead)."""
        self.click(self.continue_button)
        expect(self.dialog.or_(self.error)).to_be_visible()
        return self

    def continue_(self):
        """Continue: the confirmation, or this screen with the refusal (`error`)."""
        self.submit()
        if self.error.is_visible():
            return self
        return self.next(WithdrawalConfirmation).expect_loaded()


class WithdrawalConfirmation(ConfirmationDialog):
    """The confirmation: OK goes on to the device that authenticates the withdrawal."""

    returns_to = WithdrawalPage

    def ok(self):
        self.click(self.ok_button)
        return self.next(WithdrawalAuthenticationPage).expect_loaded()


class WithdrawalAuthenticationPage(Screen):
    """The chosen device's code step for the withdrawal: its challenge (or text, or code), then
    Submit. Accepted lands on a FundsScreen with a notice; refused, on the form with an alert."""

    shown_by = "code"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.heading = page.get_by_role("heading", name=self.labels["withdrawal_authenticate"], exact=True)
        self.code = page.get_by_role("textbox", name=self.labels["security_code"], exact=True)
        self.submit_button = page.get_by_role("button", name=self.labels["withdrawal_submit"], exact=True)
        self.error = page.get_by_role("alert")

    def authenticate(self, device):
        """The device's answer typed and submitted: the screen the portal answers with."""
        self.code.fill(device.answer(self.page))
        self.click(self.submit_button)
        funds, form = self.next(FundsScreen), self.next(WithdrawalPage)
        expect(funds.notice.or_(form.error).or_(self.error)).to_be_visible()
        if funds.notice.is_visible():
            return funds
        return form if form.heading.is_visible() else self
