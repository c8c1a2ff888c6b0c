"""What every page object shares (the page, the language's labels, the highlighter a headed demo
passes in) and the screens the seed revision's and the classic portal share: the confirmation dialog and
the notice a user who may not change the setting sees."""
import re

from playwright.sync_api import Locator, Page, expect

from ..labels import LABELS


def containing(text):
    """An accessible-name matcher for the contract's "name contains"."""
    return re.compile(re.escape(text))


class Screen:
    """A screen or dialog of the portal in one language. `highlight(locator)`, when given (a
    headed demo's `Presenter.highlight`), outlines each element just before it is used, and is
    handed on to every screen this one leads to (`next`)."""

    # The attribute (a locator) whose showing identifies the screen, as Keycloak's page objects
    # know their page's id; a screen that needs more than one look overrides expect_loaded().
    shown_by = None

    def __init__(self, page: Page, lang: str = "ja", highlight=None):
        self.page = page
        self.lang = lang
        self.labels = LABELS[lang]
        self.highlight = highlight

    def expect_loaded(self):
        """Wait until the screen shows what identifies it; returns the screen."""
        if self.shown_by is None:
            raise NotImplementedError(f"{type(self).__name__} has neither shown_by nor expect_loaded()")
        expect(getattr(self, self.shown_by)).to_be_visible()
        return self

    def next(self, screen_class, *args):
        """The screen this one leads to: same page, language and highlighter."""
        screen = screen_class(self.page, self.lang, *args)
        screen.highlight = self.highlight
        return screen

    def _point_at(self, locator: Locator):
        if self.highlight is not None:
            self.highlight(locator)

    def click(self, locator: Locator):
        """Click as a person would."""
        self._point_at(locator)
        locator.click()

    def check(self, locator: Locator):
        """Select a radio or tick a checkbox as a person would."""
        self._point_at(locator)
        locator.check()


class LoggedInScreen(Screen):
    """A screen of the logged-in portal, either generation: its ログアウト button."""

    shown_by = "log_out_button"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.log_out_button = page.get_by_role("button", name=self.labels["log_out"], exact=True)

    def log_out(self):
        self.click(self.log_out_button)


class NotAllowedNotice:
    """Mixin for the screens with radios and 次に進む (the seed revision's and the classic portal's): a user who may not
    change the setting sees a notice naming every user who may, and no radio, no 次に進む.
    Call `_locate_not_allowed()` in `__init__`; the screen has a `continue_button`."""

    def _locate_not_allowed(self):
        self.not_allowed = self.page.get_by_role("region", name=self.labels["not_allowed"], exact=True)
        self.allowed_users = self.page.get_by_role("list", name=self.labels["allowed_users"], exact=True)

    def expect_not_allowed(self, allowed):
        expect(self.not_allowed).to_be_visible()
        expect(self.allowed_users.get_by_role("listitem")).to_have_text(allowed)
        expect(self.page.get_by_role("radio")).to_have_count(0)
        expect(self.continue_button).to_have_count(0)
        return self


class ConfirmationDialog(Screen):
    """The in-page confirmation of a settings change (article step 7): OK or キャンセル, then
    back on the screen named by `returns_to` (each portal's subclass sets it)."""

    returns_to = None
    shown_by = "dialog"

    def __init__(self, page, lang="ja", highlight=None):
        super().__init__(page, lang, highlight)
        self.dialog = page.get_by_role("dialog")
        self.ok_button = self.dialog.get_by_role("button", name=self.labels["ok"], exact=True)
        self.cancel_button = self.dialog.get_by_role("button", name=self.labels["cancel"], exact=True)

    def ok(self):
        self.click(self.ok_button)
        return self.next(self.returns_to).expect_loaded()

    def cancel(self):
        self.click(self.cancel_button)
        return self.next(self.returns_to).expect_loaded()
