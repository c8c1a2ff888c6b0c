"""The logged-in Client Portal: menu, User Settings, Secure Login Settings, the confirmation."""
from playwright.sync_api import expect

from .base import Screen, containing


class PortalMenu(Screen):
    """The left menu (article step 4: 設定 > ユーザー設定) and the Log Out button."""

    def __init__(self, page, lang="ja"):
        super().__init__(page, lang)
        self.settings = page.get_by_role("link", name=self.labels["settings"], exact=True).or_(
            page.get_by_role("button", name=self.labels["settings"], exact=True))
        self.user_settings = page.get_by_role("link", name=self.labels["user_settings"], exact=True)
        self.log_out_button = page.get_by_role("button", name=self.labels["log_out"], exact=True)

    def expect_loaded(self):
        expect(self.log_out_button).to_be_visible()
        return self

    def open_user_settings(self):
        self.click(self.settings)
        self.click(self.user_settings)
        return UserSettingsPage(self.page, self.lang).expect_loaded()

    def log_out(self):
        self.click(self.log_out_button)


class UserSettingsPage(Screen):
    """User Settings: the セキュリティ box with the gear beside セキュア・ログイン・システム."""

    def __init__(self, page, lang="ja"):
        super().__init__(page, lang)
        self.security = page.get_by_role("region", name=self.labels["security"], exact=True)
        self.secure_login_system_gear = self.security.get_by_role(
            "button", name=containing(self.labels["secure_login_system"]))

    def expect_loaded(self):
        expect(self.security).to_be_visible()
        return self

    def open_secure_login_system(self):
        self.click(self.secure_login_system_gear)
        return SecureLoginSettingsBox(self.page, self.lang).expect_loaded()


class SecureLoginSettingsBox(Screen):
    """The セキュア・ログイン設定 box that the gear opens (article step 5)."""

    def __init__(self, page, lang="ja"):
        super().__init__(page, lang)
        self.box = page.get_by_role("region", name=self.labels["secure_login_settings"], exact=True)
        self.settings_icon = self.box.get_by_role("button", name=containing(self.labels["secure_login_settings"]))

    def expect_loaded(self):
        expect(self.box).to_be_visible()
        return self

    def open_settings(self):
        self.click(self.settings_icon)
        return SecureLoginSettingsPage(self.page, self.lang)


class SecureLoginSettingsPage(Screen):
    """The settings screen: 取引にセキュアログインが必要ではありません, the radio, 次に進む (step 6)."""

    def __init__(self, page, lang="ja"):
        super().__init__(page, lang)
        self.not_required_heading = page.get_by_role("heading", name=self.labels["not_required"], exact=True)
        self.required_heading = page.get_by_role("heading", name=self.labels["required"], exact=True)
        self.always_use_device = page.get_by_role("radio", name=self.labels["always_use_device"], exact=True)
        self.continue_button = page.get_by_role("button", name=self.labels["continue"], exact=True)
        self.error = page.get_by_role("alert")
        self.notice = page.get_by_role("status")

    def expect_opted_out(self):
        expect(self.not_required_heading).to_be_visible()
        return self

    def expect_enrolled(self):
        expect(self.required_heading).to_be_visible()
        return self

    def choose_always_use_device(self):
        highlighter = getattr(self.page, "_slskit_highlight", None)
        if highlighter is not None:
            highlighter(self.always_use_device)
        self.always_use_device.check()
        return self

    def continue_(self):
        self.click(self.continue_button)
        return ConfirmationDialog(self.page, self.lang).expect_loaded()


class ConfirmationDialog(Screen):
    """The in-page confirmation of the settings update (step 7): OK or キャンセル."""

    def __init__(self, page, lang="ja"):
        super().__init__(page, lang)
        self.dialog = page.get_by_role("dialog")
        self.ok_button = self.dialog.get_by_role("button", name=self.labels["ok"], exact=True)
        self.cancel_button = self.dialog.get_by_role("button", name=self.labels["cancel"], exact=True)

    def expect_loaded(self):
        expect(self.dialog).to_be_visible()
        return self

    def ok(self):
        self.click(self.ok_button)
        return SecureLoginSettingsPage(self.page, self.lang)

    def cancel(self):
        self.click(self.cancel_button)
        return SecureLoginSettingsPage(self.page, self.lang)
