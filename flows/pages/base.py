"""What every page object shares: the page, the language's labels, a highlight for demos."""
import re

from playwright.sync_api import Locator, Page

from ..labels import LABELS


def containing(text):
    """An accessible-name matcher for the contract's "name contains"."""
    return re.compile(re.escape(text))


class Screen:
    """A screen or dialog of the portal in one language."""

    def __init__(self, page: Page, lang: str = "ja"):
        self.page = page
        self.lang = lang
        self.labels = LABELS[lang]

    def click(self, locator: Locator):
        """Click as a person would; a headed demo's highlighter hooks in here."""
        highlighter = getattr(self.page, "_slskit_highlight", None)
        if highlighter is not None:
            highlighter(locator)
        locator.click()
