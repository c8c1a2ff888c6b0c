"""How every view answers: a page in the current language, or a redirect after a POST."""
from flask import redirect, render_template, url_for

from .i18n import current_lang


def render_page(template, status=200, **context):
    return render_template(template, lang=current_lang(), **context), status


def post_redirect(endpoint, **values):
    """Post/redirect/get: a reload or the back button never resubmits a form."""
    return redirect(url_for(endpoint, **values), code=303)
