"""Helpers every blueprint uses to answer: a page in the current language, a login guard."""
import functools

from flask import abort, g, redirect, render_template, url_for

from .i18n import current_lang


def render_page(template, status=200, **context):
    return render_template(template, lang=current_lang(), **context), status


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None:
            if g.get("session_expired"):
                return redirect(url_for("home.index", notice="session_expired", lang=current_lang()))
            return redirect(url_for("auth.login"))
        return view(*args, **kwargs)
    return wrapped


def post_redirect(endpoint, **values):
    """Post/redirect/get: a reload or the back button never resubmits a form."""
    return redirect(url_for(endpoint, **values), code=303)
