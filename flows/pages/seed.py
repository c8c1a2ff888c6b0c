"""The seed revision's Client Portal: its menu, User Settings, the Secure Login Settings (the
article's steps 4-7), the opt-out agreement, and the account, messages, audit log and trading screens."""
from playwright.sync_api import expect

from .base import ConfirmationDialog, LoggedInScreen, NotAllowedNotice, Screen, containing
from .withdrawal import FundsScreen


class PortalMenu(LoggedInScreen):
    """The left menu (article step 4: 設定 > ユーザー設定) and the Log Out button."""

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.settings = page.get_by_role("link", name=self.labels["settings"], exact=True).or_(
            page.get_by_role("button", name=self.labels["settings"], exact=True))
        self.user_settings = page.get_by_role("link", name=self.labels["user_settings"], exact=True)
        self.classic_portal = page.get_by_role("link", name=self.labels["classic_portal"], exact=True).or_(
            page.get_by_role("button", name=self.labels["classic_portal"], exact=True))
        self.account = page.get_by_role("link", name=self.labels["account"], exact=True)
        self.message_center = page.get_by_role("link", name=self.labels["message_center"], exact=True)
        self.audit_log = page.get_by_role("link", name=self.labels["audit_log"], exact=True)

    def open_account(self):
        self.click(self.account)
        return self.next(AccountPage).expect_loaded()

    def open_message_center(self):
        self.click(self.message_center)
        return self.next(MessageCenterPage).expect_loaded()

    def open_audit_log(self):
        self.click(self.audit_log)
        return self.next(AuditLogPage).expect_loaded()

    def open_user_settings(self):
        self.click(self.settings)
        self.click(self.user_settings)
        return self.next(UserSettingsPage).expect_loaded()


class UserSettingsPage(Screen):
    """User Settings: the セキュリティ box with the gear beside セキュア・ログイン・システム."""

    shown_by = "security"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.security = page.get_by_role("region", name=self.labels["security"], exact=True)
        self.secure_login_system_gear = self.security.get_by_role(
            "button", name=containing(self.labels["secure_login_system"]))

    def open_secure_login_system(self):
        self.click(self.secure_login_system_gear)
        return self.next(SecureLoginSettingsBox).expect_loaded()


class SecureLoginSettingsBox(Screen):
    """The セキュア・ログイン設定 box that the gear opens (article step 5)."""

    shown_by = "box"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.box = page.get_by_role("region", name=self.labels["secure_login_settings"], exact=True)
        self.settings_icon = self.box.get_by_role("button", name=containing(self.labels["secure_login_settings"]))

    def open_settings(self):
        self.click(self.settings_icon)
        return self.next(SecureLoginSettingsPage).expect_loaded()


class SecureLoginSettingsPage(NotAllowedNotice, Screen):
    """The settings screen: 取引にセキュアログインが必要ではありません, the radio, 次に進む (step 6)."""

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.not_required_heading = page.get_by_role("heading", name=self.labels["not_required"], exact=True)
        self.required_heading = page.get_by_role("heading", name=self.labels["required"], exact=True)
        self.always_use_device = page.get_by_role("radio", name=self.labels["always_use_device"], exact=True)
        self.continue_button = page.get_by_role("button", name=self.labels["continue"], exact=True)
        self.error = page.get_by_role("alert")
        self.notice = page.get_by_role("status")
        self.opt_out_link = page.get_by_role("link", name=self.labels["opt_out_link"], exact=True)
        self._locate_not_allowed()

    def expect_loaded(self):
        expect(self.not_required_heading.or_(self.required_heading)).to_be_visible()
        return self

    def open_opt_out_agreement(self):
        self.click(self.opt_out_link)
        return self.next(OptOutAgreementPage).expect_loaded()

    def expect_opted_out(self):
        expect(self.not_required_heading).to_be_visible()
        return self

    def expect_enrolled(self):
        expect(self.required_heading).to_be_visible()
        return self

    def choose_always_use_device(self):
        self.check(self.always_use_device)
        return self

    def continue_(self):
        self.click(self.continue_button)
        return self.next(SecureLoginConfirmationDialog).expect_loaded()


class SecureLoginConfirmationDialog(ConfirmationDialog):
    """The in-page confirmation of the settings update (step 7): OK or キャンセル, back on the
    Secure Login Settings."""

    returns_to = SecureLoginSettingsPage


class OptOutAgreementPage(Screen):
    """The reverse direction: the opt-out agreement, its checkbox and the typed username."""

    shown_by = "agree"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.agree = page.get_by_role("checkbox", name=self.labels["opt_out_agree"], exact=True)
        self.signature = page.get_by_label(self.labels["opt_out_signature"], exact=True)
        self.continue_button = page.get_by_role("button", name=self.labels["continue"], exact=True)
        self.error = page.get_by_role("alert")

    def accept(self, username):
        """Tick the agreement and sign it with the username (fill only; continue_ submits)."""
        self.agree.check()
        self.signature.fill(username)
        return self

    def submit(self):
        """次に進む without expecting the confirmation (a negative test reads `error` next)."""
        self.click(self.continue_button)
        return self

    def continue_(self):
        self.submit()
        return self.next(OptOutConfirmationDialog).expect_loaded()


class OptOutConfirmationDialog(SecureLoginConfirmationDialog):
    """The opt-out's own confirmation: OK opts out, back on the Secure Login Settings."""


class AccountPage(FundsScreen):
    """口座情報: the trading and withdrawal limits the SLS opt-out imposes, the withdrawal limits by
    device and the funds (FundsScreen), and 出金を依頼する."""

    shown_by = "limits"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.limits = page.get_by_role("region", name=self.labels["limits"], exact=True)
        self.otc_orders = self.limits.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=self.labels["otc_orders"], exact=True)).get_by_role("cell")

    def expect_restricted(self):
        expect(self.otc_orders).to_have_text(self.labels["limit_not_allowed"])
        return self

    def expect_unrestricted(self):
        expect(self.otc_orders).to_have_text(self.labels["limit_allowed"])
        return self


class MessageCenterPage(Screen):
    """メッセージセンター: the notices about the user's login security."""

    shown_by = "heading"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.heading = page.get_by_role("heading", name=self.labels["message_center"], exact=True, level=1)
        self.messages = page.get_by_role("list", name=self.labels["message_center"], exact=True).get_by_role("listitem")


class AuditLogPage(Screen):
    """監査ログ: the account's audit rows (primary user only), newest first."""

    shown_by = "heading"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.heading = page.get_by_role("heading", name=self.labels["audit_log"], exact=True, level=1)
        self.rows = page.get_by_role("table", name=self.labels["audit_log"], exact=True).locator("tbody").get_by_role("row")


class TradingPage(Screen):
    """取引: where a trading platform login lands."""

    shown_by = "heading"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.heading = page.get_by_role("heading", name=self.labels["trading"], exact=True)
