"""Today's login page around the password and the code, as the gateway's users meet it
(docs/gateway.md): its live/paper switch and each wrong mode's message, the "approve in IBKR
Mobile" step, the IB Key promotion after the login, and the gateway's "Client login succeeds"."""
from playwright.sync_api import expect

from .base import Screen
from .public import LoginPage, SecondFactorPage


class TodaysLoginPage(LoginPage):
    """The username block with its live/paper switch (`#toggle1`, whose label IBeam clicks:
    LoginPage.choose_paper_trading), each wrong mode's message, a paper login."""

    def submit_refused(self, expected_key):
        """Submit and wait for the refusal the labels name (`live_mode_refused`...)."""
        self.submit()
        expect(self.error).to_have_text(self.labels[expected_key])
        return self

    def log_in_to_paper(self, username, password):
        """Paper mode, the paper username's credentials: no security device is asked for."""
        self.fill(username, password).choose_paper_trading().submit()
        return self


class MobileApprovalStep(Screen):
    """"Approve the login in IBKR Mobile" (`.login-step-notification`): the page goes on by itself
    once the phone approves (`TestHooks.answer_mobile_approval`), or the code is used instead."""

    shown_by = "heading"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.heading = page.get_by_role("heading", name=self.labels["mobile_approval"], exact=True)
        self.use_code_link = page.get_by_role("link", name=self.labels["mobile_use_code"], exact=True)

    def use_code(self):
        self.click(self.use_code_link)
        return self.next(SecondFactorPage).expect_loaded()


class IbkeyPromotionScreen(Screen):
    """The IB Key promotion after the login: its Continue (`a.ibkey-promo-skip`) is enabled after
    2 seconds, which Playwright's click waits for."""

    shown_by = "heading"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.heading = page.get_by_role("heading", name=self.labels["ibkey_promotion"], exact=True)
        self.continue_link = page.get_by_role("link", name=self.labels["promotion_continue"], exact=True)

    def continue_(self):
        """Continue, done when the promotion has gone: its click posts first and the page moves on
        after the answer, so a step that ended at the click would end mid-way."""
        self.click(self.continue_link)
        expect(self.heading).to_be_hidden()


class ClientLoginSucceeds(Screen):
    """The gateway's page after its login: "Client login succeeds", which IBeam looks for."""

    shown_by = "status"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.status = page.locator("pre", has_text=self.labels["client_login_succeeds"])
