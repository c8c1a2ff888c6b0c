"""`slskit screenshots`: one PNG per article step and an index.html walkthrough, the way the
article illustrates each step, rendered from the embedded portal."""
import html
import os
import tempfile

from .flow import ARTICLE_STEPS, PortalUser, cancel_sls_opt_out
from .live import LivePortal
from .users import demo_user_entry

VIEWPORT = {"width": 1100, "height": 680}
TITLE = {"ja": "セキュア・ログイン・システムのオプトアウトを解約する", "en": "Cancel a Secure Login System opt-out"}


def _index(lang, files):
    items = "\n".join(
        f'<li><p>{html.escape(text)}</p><img src="{name}" alt="{html.escape(text)}" width="{VIEWPORT["width"]}"></li>'
        for name, text in zip(files, ARTICLE_STEPS[lang]))
    return (f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{TITLE[lang]}</title>'
            '<style>body{font-family:sans-serif;max-width:1140px;margin:2rem auto}'
            'img{border:1px solid #ccc;max-width:100%}li{margin-bottom:2rem}</style></head>'
            f'<body><h1>{TITLE[lang]}</h1><ol>\n{items}\n</ol></body></html>\n')


def render_walkthrough(browser, lang, out_dir):
    """Run the flow for the demo user of `lang` and save the screen after each step."""
    os.makedirs(out_dir, exist_ok=True)
    entry = demo_user_entry(lang)
    files = []
    with tempfile.TemporaryDirectory(prefix="slskit-shots-") as tmp, \
            LivePortal(os.path.join(tmp, "portal.sqlite"), test_hooks=False) as portal:
        context = browser.new_context(viewport=VIEWPORT, locale=lang, reduced_motion="reduce")
        page = context.new_page()

        def shoot(step):
            name = f"step-{step.number}.png"
            page.screenshot(path=os.path.join(out_dir, name), animations="disabled", caret="hide")
            files.append(name)

        cancel_sls_opt_out(page, portal.base_url, PortalUser.from_scenario(entry), lang=lang, on_done=shoot)
        context.close()
    with open(os.path.join(out_dir, "index.html"), "w", encoding="utf-8") as f:
        f.write(_index(lang, files))
    return [os.path.join(out_dir, name) for name in files]
