"""The classic Client Portal (the article's note): the top menu down to the SLS Opt Out page,
the users' radios, 次に進む and the confirmation."""

from playwright.sync_api import expect

from .base import ConfirmationDialog, NotAllowedNotice, Screen, containing
from .seed import PortalMenu


class ClassicPortal(Screen):
    """The classic top menu: 口座管理 > セキュリティー > セキュア・ログイン・システム >
    セキュリティディバイスの解約(SLSオプトアウト), and the way back to the new portal."""

    shown_by = "manage_account"

    @classmethod
    def open_from(cls, menu):
        """クラシック・ポータル in the seed revision's menu (`PortalMenu`)."""
        menu.click(menu.classic_portal)
        return menu.next(cls).expect_loaded()

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.manage_account = page.get_by_role("link", name=self.labels["manage_account"], exact=True)
        self.security = page.get_by_role("link", name=self.labels["classic_security"], exact=True)
        self.secure_login_system = page.get_by_role("link", name=self.labels["secure_login_system"], exact=True)
        self.sls_opt_out = page.get_by_role("link", name=self.labels["sls_opt_out"], exact=True)
        self.new_portal_link = page.get_by_role("link", name=self.labels["back_to_new_portal"], exact=True)

    def open_sls_opt_out(self):
        for link in (self.manage_account, self.security, self.secure_login_system, self.sls_opt_out):
            self.click(link)
        return self.next(ClassicOptOutPage).expect_loaded()

    def back_to_new_portal(self):
        self.click(self.new_portal_link)
        return self.next(PortalMenu).expect_loaded()


class ClassicOptOutPage(NotAllowedNotice, Screen):
    """セキュリティディバイスの解約(SLSオプトアウト): every user of the account with their status, a
    radio beside each opted-out user, 次に進む."""

    shown_by = "heading"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.heading = page.get_by_role("heading", name=self.labels["sls_opt_out"], exact=True)
        self.users = page.get_by_role("table", name=self.labels["classic_users"], exact=True)
        self.continue_button = page.get_by_role("button", name=self.labels["continue"], exact=True)
        self._locate_not_allowed()
        self.error = page.get_by_role("alert")
        self.notice = page.get_by_role("status")

    def radio_for(self, username):
        return self.page.get_by_role("radio", name=containing(username))

    def status_of(self, username):
        row = self.users.get_by_role("row").filter(has=self.page.get_by_role("rowheader", name=containing(username)))
        return row.get_by_role("cell").first

    def expect_status(self, username, opted_out):
        expect(self.status_of(username)).to_have_text(
            self.labels["status_opted_out" if opted_out else "status_enrolled"])
        return self

    def choose_user(self, username):
        self.check(self.radio_for(username))
        return self

    def continue_(self):
        self.click(self.continue_button)
        return self.next(ClassicConfirmationDialog).expect_loaded()


class ClassicConfirmationDialog(ConfirmationDialog):
    """The classic page's confirmation: OK or キャンセル, back on the SLS Opt Out page."""

    returns_to = ClassicOptOutPage
