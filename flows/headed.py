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
      el.style.cssText = 'position:fixed;left:0;right:0;bottom:0;z-index:99999;padding:12px 20px;' +
        'background:rgba(20,30,45,.92);color:#fff;font:16px/1.5 sans-serif;pointer-events:none';
      document.documentElement.appendChild(el);
    }
    el.textContent = text;
  };
  window.__slskitCaption = draw;
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', draw); else draw();
})();"""


def no_display_message():
    """None when a headed browser can open a window, else one sentence saying how to get one."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return ("slskit demo --headed needs a display and none is set (DISPLAY is empty): run it under "
                "`xvfb-run slskit demo --headed` (apt-get install xvfb) or drop --headed.")
    return None


class Presenter:
    """Keeps the caption on every page of the flow and outlines what is about to be clicked."""

    def __init__(self, page, lang):
        self.page, self.lang = page, lang
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
        locator.highlight()
