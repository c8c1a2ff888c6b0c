"""ja/en message catalogs: gettext .po files under translations/, keyed by message id.

The .po files are the one place for every visible string; templates and views look keys up
through `gettext`. A key missing from a catalog shows as the key itself, which the tests look for.
"""
from importlib import resources

from babel.messages.pofile import read_po
from flask import g, request

LANGS = ("ja", "en")
DEFAULT_LANG = "ja"


def _load(lang):
    path = resources.files("mock_portal").joinpath(f"translations/{lang}/LC_MESSAGES/messages.po")
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang)
    return {m.id: m.string for m in catalog if m.id and m.string}


CATALOGS = {lang: _load(lang) for lang in LANGS}


def current_lang():
    """The user's locale once logged in, else ?lang=, else the session's (or the just expired
    one's), else ja."""
    user = g.get("user")
    if user is not None:
        return user["locale"]
    asked = request.args.get("lang")
    if asked in LANGS:
        return asked
    session = g.get("session")
    if session is not None and session["lang"] in LANGS:
        return session["lang"]
    if g.get("expired_lang") in LANGS:
        return g.expired_lang
    return DEFAULT_LANG


def translate(key, lang=None, **params):
    text = CATALOGS[lang or current_lang()].get(key, key)
    return text % params if params else text


def gettext(key, **params):
    return translate(key, **params)


def ngettext(singular, plural, n, **params):
    return translate(singular if n == 1 else plural, n=n, **params)


def init_app(app):
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(gettext, ngettext, newstyle=True)
    app.jinja_env.globals["current_lang"] = current_lang
