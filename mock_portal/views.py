"""Helpers every blueprint uses to answer: a page in the current language and the confirmation
steps the modern and the classic screens share."""
from flask import g, redirect, render_template, request, url_for

from . import access, limits, sls
from .db import get_db
from .i18n import current_lang

MAX_FIELD = limits.ID  # transitional, for mock_portal/current.py (issue 15): new code names limits.ID
# Transitional, for mock_portal/current.py (issue 15) while it moves to access.requires.
login_required = access.requires(access.PORTAL)


def render_page(template, status=200, **context):
    return render_template(template, lang=current_lang(), **context), status


def post_redirect(endpoint, **values):
    """Post/redirect/get: a reload or the back button never resubmits a form."""
    return redirect(url_for(endpoint, **values), code=303)


def shown_confirmation(new_opted_out, screen=None):
    """The confirmation named in ?confirmation=, or the error key to show instead of it. With
    `screen`, only a confirmation that screen opened."""
    cid = request.args.get("confirmation", "")[:limits.ID]
    if not cid:
        return None, None
    row, error = sls.lookup(get_db(), g.session["session_id"], g.user, cid, screen)
    if row is not None and bool(row["new_opted_out"]) != new_opted_out:
        return None, "error.confirmation_unknown"  # not a confirmation this page offers
    return row, error


def answer_confirmation(action, path, page, done_endpoint, notice, **kw):
    """OK or Cancel on a confirmation: `action` (sls.confirm or sls.cancel) or the refusal's page."""
    target = request.form.get("target")
    try:
        action(get_db(), g.session["session_id"], g.user, request.form.get("confirmation", "")[:limits.ID],
               path=path, expected_target=target[:limits.ID] if target is not None else None, **kw)
    except sls.Refused as refusal:
        return page(refusal.status, error=refusal.key)
    return post_redirect(done_endpoint, notice=notice)
