"""The public site: home page and its login menu, the login and security-code screens."""
from playwright.sync_api import expect

from .base import Screen


class HomePage(Screen):
    """ibkr.com's home page (article step 1) with the ログイン menu (step 2)."""

    def __init__(self, page, lang="ja"):
        super().__init__(page, lang)
        self.login_menu_button = page.get_by_role("button", name=self.labels["home_login"], exact=True)
        self.portal_login_link = page.get_by_role("link", name=self.labels["portal_login"], exact=True)
        self.trading_login_link = page.get_by_role("link", name=self.labels["trading_login"], exact=True)

    def navigate(self, base_url):
        self.page.goto(f"{base_url.rstrip('/')}/?lang={self.lang}")
        return self

    def expect_loaded(self):
        expect(self.login_menu_button).to_be_visible()
        return self

    def choose_portal_login(self):
        self.click(self.login_menu_button)
        self.click(self.portal_login_link)
        return LoginPage(self.page, self.lang).expect_loaded()

    def choose_trading_login(self):
        self.click(self.login_menu_button)
        self.click(self.trading_login_link)
        return LoginPage(self.page, self.lang).expect_loaded()


class LoginPage(Screen):
    """Username and password. Fill and submit are separate so negative tests can stop half-way."""

    def __init__(self, page, lang="ja"):
        super().__init__(page, lang)
        self.username = page.get_by_label(self.labels["username"], exact=True)
        self.password = page.get_by_label(self.labels["password"], exact=True)
        self.submit_button = page.get_by_role("button", name=self.labels["log_in"], exact=True)
        self.error = page.get_by_role("alert")

    def expect_loaded(self):
        expect(self.username).to_be_visible()
        return self

    def fill(self, username, password):
        self.username.fill(username)
        self.password.fill(password)
        return self

    def submit(self):
        self.click(self.submit_button)

    def log_in(self, username, password):
        self.fill(username, password)
        self.submit()
        return SecondFactorPage(self.page, self.lang)


class SecondFactorPage(Screen):
    """The security-device step: the code the device shows goes into セキュリティ・コード."""

    def __init__(self, page, lang="ja"):
        super().__init__(page, lang)
        self.code = page.get_by_label(self.labels["security_code"], exact=True)
        self.submit_button = page.get_by_role("button", name=self.labels["log_in"], exact=True)
        self.error = page.get_by_role("alert")

    def expect_loaded(self):
        expect(self.code).to_be_visible()
        return self

    def fill(self, code):
        self.code.fill(code)
        return self

    def submit(self):
        self.click(self.submit_button)

    def authenticate(self, device):
        self.expect_loaded()
        self.fill(device.answer(self.page))
        self.submit()
