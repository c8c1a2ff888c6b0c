"""The public site: home page and its login menu, the login and security-code screens."""
from playwright.sync_api import expect

from ..labels import device_name
from .base import Screen


class HomePage(Screen):
    """ibkr.com's home page (article step 1) with the ログイン menu (step 2)."""

    shown_by = "login_menu_button"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.login_menu_button = page.get_by_role("button", name=self.labels["home_login"], exact=True)
        self.portal_login_link = page.get_by_role("link", name=self.labels["portal_login"], exact=True)
        self.trading_login_link = page.get_by_role("link", name=self.labels["trading_login"], exact=True)

    def navigate(self, base_url):
        self.page.goto(f"{base_url.rstrip('/')}/?lang={self.lang}")
        return self

    def choose_portal_login(self):
        self.click(self.login_menu_button)
        self.click(self.portal_login_link)
        return self.next(LoginPage).expect_loaded()

    def choose_trading_login(self):
        self.click(self.login_menu_button)
        self.click(self.trading_login_link)
        return self.next(LoginPage).expect_loaded()


class LoginRefused(AssertionError):
    """The portal refused a step of the login; `said` is the page's own alert."""

    def __init__(self, status, said):
        super().__init__(f"the portal refused the login (HTTP {status}) -- the page says: {said}")
        self.status, self.said = status, said


def expect_answer(screen, path):
    """A context manager around a submit: the portal's answer to the POST to `path` (the seed's
    forms navigate, today's page posts them by script). A refusal fails as soon as it comes,
    with the page's own alert, not after a wait for the next step."""
    return screen.page.expect_response(
        lambda r: r.request.method == "POST" and r.url.split("?")[0].endswith(path))


def refused(screen, answer):
    if answer.value.status >= 400:
        expect(screen.error).to_be_visible()
        raise LoginRefused(answer.value.status, screen.error.inner_text().strip())


class LoginPage(Screen):
    """Username and password. Fill and submit are separate so negative tests can stop half-way."""

    shown_by = "username"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.username = page.get_by_label(self.labels["username"], exact=True)
        self.password = page.get_by_label(self.labels["password"], exact=True)
        self.submit_button = login_button(page, self.labels)
        self.error = page.get_by_role("alert")
        # Today's login page only: the live/paper switch, ticked through its label as people do.
        self.paper_switch = page.get_by_role("checkbox", name=self.labels["paper_switch"], exact=True)
        self.paper_switch_label = page.get_by_text(self.labels["paper_switch"], exact=True)

    def fill(self, username, password):
        self.username.fill(username)
        self.password.fill(password)
        return self

    def choose_paper_trading(self):
        """Today's page's paper switch, through its label; its Login button then says Simulated Login."""
        self.click(self.paper_switch_label)
        expect(self.paper_switch).to_be_checked()
        expect(self.page.get_by_role("button", name=self.labels["simulated_login"], exact=True)).to_be_visible()
        return self

    def submit(self):
        self.click(self.submit_button)

    def log_in(self, username, password, paper=False):
        """Fill, submit and go on to the security-device step; `paper`: today's page's paper
        switch first. A refused login fails as soon as the portal answers (LoginRefused)."""
        self.fill(username, password)
        if paper:
            self.choose_paper_trading()
        with expect_answer(self, "/sso/login") as answer:
            self.submit()
        refused(self, answer)
        return self.next(SecondFactorPage)


def login_button(page, labels):
    """The login's submit button: ログイン / Log In on the seed's screens, ログイン / Login on
    today's page (where only the shown step's button counts), 模擬ログイン / Simulated Login there
    while its paper switch is on."""
    button = page.get_by_role("button", name=labels["log_in"], exact=True)
    for name in [name for name in (labels["xyz_login"], labels["simulated_login"]) if name != labels["log_in"]]:
        button = button.or_(page.get_by_role("button", name=name, exact=True))
    return button


class SecondFactorPage(Screen):
    """The security-device step: with several devices, first セカンド・ファクター・デバイスの選択;
    then the code the device shows (or its answer to the page's challenge) goes into
    セキュリティ・コード. The re-authentication before a security change is the same screen."""

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.device_select = page.get_by_role("combobox", name=self.labels["select_device"], exact=True)
        self.choose_button = page.get_by_role("button", name=self.labels["continue"], exact=True)
        # A role query sees only what is shown: today's page holds a code field per kind of
        # device, the others hidden.
        self.code = page.get_by_role("textbox", name=self.labels["security_code"], exact=True)
        self.submit_button = login_button(page, self.labels)
        self.resend_button = page.get_by_role("button", name=self.labels["resend_code"], exact=True)
        self.push_approved_button = page.get_by_role("button", name=self.labels["push_approved"], exact=True)
        # IB Key on today's login page waits for the notification first; this link shows the challenge.
        self.no_notification = page.get_by_role("link", name=self.labels["no_notification"], exact=True)
        self.error = page.get_by_role("alert")
        self.notice = page.get_by_role("status")
        # How the step is recognised: whichever of its first controls the device shows.
        self.shown = self.code.or_(self.device_select).or_(self.no_notification)

    def expect_loaded(self):
        expect(self.shown).to_be_visible()
        return self

    def choose_device(self, device):
        """Pick `device` (an emulator) in the combobox and go on to its code step."""
        self.device_select.select_option(label=device_name(self.lang, device))
        if self.choose_button.count():  # today's page takes the choice as it is made
            self.click(self.choose_button)
        expect(self.code.or_(self.push_approved_button)).to_be_visible()
        return self

    def fill(self, code):
        self.code.fill(code)
        return self

    def submit(self):
        self.click(self.submit_button)

    def request_new_code(self):
        """セキュリティ・コードの再送: the previous code stops working."""
        self.click(self.resend_button)
        expect(self.notice).to_be_visible()
        return self

    def authenticate(self, device):
        self.expect_loaded()
        if self.device_select.is_visible():
            self.choose_device(device)
        if not self.code.is_visible() and self.no_notification.is_visible():
            self.click(self.no_notification)  # today's page: IB Key answers the challenge instead
            expect(self.code).to_be_visible()
        self.fill(device.answer(self.page))
        self.submit()
