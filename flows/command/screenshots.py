"""`slskit screenshots`: one PNG per article step and an index.html walkthrough, the way the
article illustrates each step, rendered from the embedded portal."""
import html
import os
import tempfile

from ..current import cancel_sls_opt_out_current, current_steps
from ..flow import ARTICLE_STEPS, PortalUser, cancel_sls_opt_out
from ..live import LivePortal
from ..users import OTHER_DEMO_USER, demo_user_entry

VIEWPORT = {"width": 1100, "height": 680}
TITLE = {"ja": "セキュア・ログイン・システムのオプトアウトを解約する", "en": "Cancel a Secure Login System opt-out"}
TITLE_CURRENT = {"ja": "セキュア・ログイン・システムに登録する（現行のクライアント・ポータル）",
                 "en": "Enroll in the Secure Login System (the current Client Portal)"}


def _index(lang, files, texts, title):
    items = "\n".join(
        f'<li><p>{html.escape(text)}</p><img src="{name}" alt="{html.escape(text)}" width="{VIEWPORT["width"]}"></li>'
        for name, text in zip(files, texts))
    return (f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
            '<style>body{font-family:sans-serif;max-width:1140px;margin:2rem auto}'
            'img{border:1px solid #ccc;max-width:100%}li{margin-bottom:2rem}</style></head>'
            f'<body><h1>{title}</h1><ol>\n{items}\n</ol></body></html>\n')


def render_walkthrough(browser, lang, out_dir, revision="seed", choice="ibkr_mobile", mask=()):
    """Run the flow for the demo user of `lang` and save the screen after each step; with
    revision='current', the current revision's steps for `choice` (IBKR Mobile by default).
    `mask`: CSS selectors of what changes on every run, painted over (the visual test's)."""
    os.makedirs(out_dir, exist_ok=True)
    entry = demo_user_entry(lang)
    files = []
    current = revision == "current"
    with tempfile.TemporaryDirectory(prefix="slskit-shots-") as tmp, \
            LivePortal(os.path.join(tmp, "portal.sqlite"), test_hooks=current and choice == "ibkr_mobile",
                       extra_args=["--portal-revision", revision], fast_password_hash=True) as portal:
        context = browser.new_context(viewport=VIEWPORT, locale=lang, reduced_motion="reduce")
        page = context.new_page()

        def shoot(step):
            name = f"step-{step.number}.png"
            page.screenshot(path=os.path.join(out_dir, name), animations="disabled", caret="hide",
                            mask=[page.locator(selector) for selector in mask])
            files.append(name)

        user = PortalUser.from_scenario(entry)
        if current:
            other = PortalUser.from_scenario(demo_user_entry(lang, OTHER_DEMO_USER)) if choice == "other_username" else None
            cancel_sls_opt_out_current(page, portal.base_url, user, choice, lang=lang, other_user=other, on_done=shoot)
        else:
            cancel_sls_opt_out(page, portal.base_url, user, lang=lang, on_done=shoot)
        context.close()
    texts, title = (current_steps(lang, choice), TITLE_CURRENT[lang]) if current else (ARTICLE_STEPS[lang], TITLE[lang])
    with open(os.path.join(out_dir, "index.html"), "w", encoding="utf-8") as f:
        f.write(_index(lang, files, texts, title))
    return [os.path.join(out_dir, name) for name in files]
