"""What a person watching a headed demo sees: a caption with the current article step and a
highlight on each element just before it is clicked."""
import json
import os
import sys

# Runs in every new document: redraws the caption the previous page stored, so it stays on
# screen across the flow's navigations without any waiting on our side.
CAPTION_INIT = """(() => {
  const draw = () => {
    const text = sessionStorage.getItem('slskit-caption');
    if (!text) return;
    let el = document.getElementById('slskit-caption');
    if (!el) {
      el = document.createElement('div');
      el.id = 'slskit-caption';
      el.setAttribute('aria-hidden', 'true');
      el.style.cssText = 'position:fixed;left:0;right:0;bottom:0;z-index:99999;padding:8px 16px;' +
        'box-sizing:border-box;background:rgba(20,30,45,.92);color:#fff;font:15px/1.4 sans-serif;' +
        'pointer-events:none';
      document.documentElement.appendChild(el);
    }
    el.textContent = text;
    // Room below the page's own content, so nothing it shows stays hidden under the caption.
    if (document.body) document.body.style.paddingBottom = el.offsetHeight + 'px';
  };
  window.__slskitCaption = draw;
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', draw); else draw();
})();"""


# The window fills a 1280x800 screen from its top left corner, and the page fills the window
# (the context has no fixed viewport), so the caption at its bottom is on screen.
WINDOW_ARGS = ["--window-position=0,0", "--window-size=1280,800"]


def no_display_message():
    """None when a headed browser can open a window, else one sentence saying how to get one."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return ("slskit demo --headed needs a display and none is set (DISPLAY is empty): run it under "
                "`xvfb-run slskit demo --headed` (apt-get install xvfb) or drop --headed.")
    return None


class Presenter:
    """Keeps the caption on every page of the flow and outlines what is about to be clicked.
    Give it a page of a context made with `no_viewport=True` in a browser launched with
    WINDOW_ARGS, so the page and its caption fit the screen."""

    def __init__(self, page, lang):
        self.page, self.lang = page, lang
        self.highlighted = None
        page.context.add_init_script(CAPTION_INIT)

    def caption(self, number, text):
        self.show(("ステップ " if self.lang == "ja" else "Step ") + f"{number} / 7 — {text}")

    def show(self, label):
        """Put `label` in the caption, now or on the first page if nothing is loaded yet."""
        if self.page.url.startswith("http"):
            self.page.evaluate("t => { sessionStorage.setItem('slskit-caption', t); sessionStorage.setItem("
                               "'slskit-caption-live', '1'); window.__slskitCaption(); }", label)
        else:  # before the first navigation: store it for the home page's init script
            # Init scripts run in order on every new document: the latest one added before the first
            # page wins, and none overwrites a caption shown since.
            self.page.context.add_init_script(
                f"if (!sessionStorage.getItem('slskit-caption-live')) sessionStorage.setItem('slskit-caption', {json.dumps(label)});")

    def highlight(self, locator):
        """Outline `locator` (Playwright's highlight, with its selector tooltip), and only it:
        left on screen, the earlier tooltips pile up over the radio and 次に進む."""
        self.clear_highlight()
        locator.highlight()
        self.highlighted = locator

    def clear_highlight(self):
        """Take the outline and its tooltip away (after each step, before the next outline)."""
        # Page.hide_highlight is recent (Playwright 1.5x); before it, each locator hid its own.
        hide = getattr(self.page, "hide_highlight", None) or getattr(self.highlighted, "hide_highlight", None)
        if hide is not None:
            hide()
        self.highlighted = None
