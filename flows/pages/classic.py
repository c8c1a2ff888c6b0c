"""The classic Client Portal (the article's note): the top menu down to the SLS Opt Out page,
the users' radios, 次に進む and the confirmation."""

from playwright.sync_api import expect

from .base import Screen, containing
from .portal import ConfirmationDialog


class ClassicPortal(Screen):
    """The classic top menu: 口座管理 > セキュリティー > セキュア・ログイン・システム >
    セキュリティディバイスの解約(SLSオプトアウト), and the way back to the new portal."""

    def __init__(self, page, lang="ja"):
        super().__init__(page, lang)
        self.manage_account = page.get_by_role("link", name=self.labels["manage_account"], exact=True)
        self.security = page.get_by_role("link", name=self.labels["classic_security"], exact=True)
        self.secure_login_system = page.get_by_role("link", name=self.labels["secure_login_system"], exact=True)
        self.sls_opt_out = page.get_by_role("link", name=self.labels["sls_opt_out"], exact=True)
        self.back_to_modern = page.get_by_role("link", name=self.labels["back_to_modern"], exact=True)

    def expect_loaded(self):
        expect(self.manage_account).to_be_visible()
        return self

    def open_sls_opt_out(self):
        for link in (self.manage_account, self.security, self.secure_login_system, self.sls_opt_out):
            self.click(link)
        return ClassicOptOutPage(self.page, self.lang).expect_loaded()

    def back_to_modern_portal(self):
        from .portal import PortalMenu
        self.click(self.back_to_modern)
        return PortalMenu(self.page, self.lang).expect_loaded()


class ClassicOptOutPage(Screen):
    """セキュリティディバイスの解約(SLSオプトアウト): every user of the account with their status, a
    radio beside each opted-out user, 次に進む."""

    def __init__(self, page, lang="ja"):
        super().__init__(page, lang)
        self.heading = page.get_by_role("heading", name=self.labels["sls_opt_out"], exact=True)
        self.users = page.get_by_role("table", name=self.labels["classic_users"], exact=True)
        self.continue_button = page.get_by_role("button", name=self.labels["continue"], exact=True)
        self.not_allowed = page.get_by_role("region", name=self.labels["not_allowed"], exact=True)
        self.allowed_users = page.get_by_role("list", name=self.labels["allowed_users"], exact=True)
        self.error = page.get_by_role("alert")
        self.notice = page.get_by_role("status")

    def expect_loaded(self):
        expect(self.heading).to_be_visible()
        return self

    def radio_for(self, username):
        return self.page.get_by_role("radio", name=containing(username))

    def status_of(self, username):
        row = self.users.get_by_role("row").filter(has=self.page.get_by_role("rowheader", name=containing(username)))
        return row.get_by_role("cell").first

    def expect_status(self, username, opted_out):
        expect(self.status_of(username)).to_have_text(
            self.labels["status_opted_out" if opted_out else "status_enrolled"])
        return self

    def expect_not_allowed(self, allowed):
        """The notice instead of the radios: it names every user allowed to change the setting."""
        expect(self.not_allowed).to_be_visible()
        expect(self.allowed_users.get_by_role("listitem")).to_have_text(allowed)
        expect(self.page.get_by_role("radio")).to_have_count(0)
        expect(self.continue_button).to_have_count(0)
        return self

    def choose_user(self, username):
        highlighter = getattr(self.page, "_slskit_highlight", None)
        if highlighter is not None:
            highlighter(self.radio_for(username))
        self.radio_for(username).check()
        return self

    def continue_(self):
        self.click(self.continue_button)
        return ClassicConfirmationDialog(self.page, self.lang).expect_loaded()


class ClassicConfirmationDialog(ConfirmationDialog):
    """The classic page's confirmation: OK or キャンセル, back on the SLS Opt Out page."""

    def ok(self):
        self.click(self.ok_button)
        return ClassicOptOutPage(self.page, self.lang).expect_loaded()

    def cancel(self):
        self.click(self.cancel_button)
        return ClassicOptOutPage(self.page, self.lang).expect_loaded()
