"""The logged-in Client Portal: left menu, User Settings, Secure Login Settings (steps 4-7),
the opt-out agreement (the reverse direction), the account page, message center and audit log."""
import json

from flask import Blueprint, abort, g, request

from . import sls
from .auth import recent_login_required
from .db import get_db
from .views import (MAX_FIELD, answer_confirmation, login_required, post_redirect, render_page,
                    shown_confirmation)

bp = Blueprint("portal", __name__, url_prefix="/portal")

NOTICES = {"updated": "notice.sls_updated", "cancelled": "notice.change_cancelled",
           "opted_out": "notice.sls_opted_out"}


@bp.get("/")
@login_required
def index():
    return render_page("portal_home.html")


@bp.get("/trading")
@login_required
def trading():
    return render_page("trading.html", restricted=bool(g.user["sls_opted_out"]))


@bp.get("/account")
@login_required
def account():
    """What the account may do: restricted while the user is opted out of SLS."""
    return render_page("account.html", section="account", restricted=bool(g.user["sls_opted_out"]),
                       limits=sls.restrictions(g.user["sls_opted_out"]))


@bp.get("/messages")
@login_required
def messages():
    rows = [{"at": r["at"], "key": r["key"], "params": json.loads(r["params"])}
            for r in sls.messages_of(get_db(), g.user["username"])]
    return render_page("messages.html", section="messages", messages=rows)


@bp.get("/audit")
@login_required
def audit():
    """The account's audit log, for its primary user only."""
    if not g.user["is_primary"]:
        abort(403, description="error.audit_primary_only")
    return render_page("audit.html", section="audit", rows=sls.audit_rows(get_db(), g.user["account_id"]))


@bp.get("/settings/")
@login_required
def settings():
    return render_page("settings.html", section="settings")


@bp.get("/settings/user")
@login_required
def user_settings():
    return render_page("user_settings.html", section="settings")


def _secure_login_page(status=200, error=None, confirmation=None):
    db = get_db()
    user = db.execute("SELECT * FROM users WHERE username = ?", (g.user["username"],)).fetchone()
    return render_page(
        "secure_login.html", status, section="settings", user=user, error=error,
        confirmation=confirmation, may_change=bool(user["is_primary"]),
        allowed=sls.allowed_users(db, user["account_id"]),
        notice=NOTICES.get(request.args.get("notice")))


def _form_target():
    """The user the form names (a hidden field); absent means the actor."""
    return request.form.get("target", g.user["username"])[:MAX_FIELD]


def _check_own_setting(path="modern"):
    """The modern screens change the actor's own setting only; anything else is tampering.
    Raises Refused (audited) when the actor may not change it."""
    db = get_db()
    target = _form_target()
    if target != g.user["username"]:
        sls.refuse_tampered(db, g.user, target, path)
    sls.check_permission(db, g.user, target, path)


@bp.get("/settings/secure-login")
@login_required
def secure_login():
    confirmation, error = shown_confirmation(new_opted_out=False)
    if error:
        return _secure_login_page(409, error=error)
    return _secure_login_page(confirmation=confirmation)


@bp.post("/settings/secure-login")
@login_required
@recent_login_required
def secure_login_continue():
    """Continue (次に進む): nothing changes yet, a confirmation is opened."""
    try:
        _check_own_setting()
        if request.form.get("choice") != "always_use_device":
            return _secure_login_page(400, error="error.choose_option")
        cid = sls.start_change(get_db(), g.session["session_id"], g.user, g.user["username"],
                               new_opted_out=False, path="modern")
    except sls.Refused as refusal:
        return _secure_login_page(refusal.status, error=refusal.key)
    return post_redirect("portal.secure_login", confirmation=cid)


@bp.post("/settings/secure-login/confirm")
@login_required
@recent_login_required
def secure_login_confirm():
    """OK: the one request that changes the stored state."""
    return answer_confirmation(sls.confirm, "modern", _secure_login_page,
                               "portal.secure_login", "updated", new_opted_out=False)


@bp.post("/settings/secure-login/cancel")
@login_required
def secure_login_cancel():
    return answer_confirmation(sls.cancel, "modern", _secure_login_page,
                               "portal.secure_login", "cancelled")


# The reverse direction: an enrolled primary user opts out again, only through the agreement.

def _opt_out_page(status=200, error=None, confirmation=None, signature=""):
    db = get_db()
    user = db.execute("SELECT * FROM users WHERE username = ?", (g.user["username"],)).fetchone()
    return render_page(
        "opt_out.html", status, section="settings", user=user, error=error, confirmation=confirmation,
        may_change=bool(user["is_primary"]), allowed=sls.allowed_users(db, user["account_id"]),
        signature=signature, notice=NOTICES.get(request.args.get("notice")))


@bp.get("/settings/secure-login/opt-out")
@login_required
def opt_out():
    confirmation, error = shown_confirmation(new_opted_out=True)
    if error:
        return _opt_out_page(409, error=error)
    return _opt_out_page(confirmation=confirmation)


@bp.post("/settings/secure-login/opt-out")
@login_required
@recent_login_required
def opt_out_continue():
    """The agreement's Continue: the box ticked and the username typed, then a confirmation."""
    signature = request.form.get("signature", "")[:MAX_FIELD].strip()
    try:
        _check_own_setting()
        if request.form.get("agree") != "yes":
            return _opt_out_page(400, error="error.agreement_unchecked", signature=signature)
        if signature != g.user["username"]:
            return _opt_out_page(400, error="error.agreement_signature", signature=signature)
        cid = sls.start_change(get_db(), g.session["session_id"], g.user, g.user["username"],
                               new_opted_out=True, path="modern")
    except sls.Refused as refusal:
        return _opt_out_page(refusal.status, error=refusal.key)
    return post_redirect("portal.opt_out", confirmation=cid)


@bp.post("/settings/secure-login/opt-out/confirm")
@login_required
@recent_login_required
def opt_out_confirm():
    return answer_confirmation(sls.confirm, "modern", _opt_out_page,
                               "portal.secure_login", "opted_out", new_opted_out=True)


@bp.post("/settings/secure-login/opt-out/cancel")
@login_required
def opt_out_cancel():
    return answer_confirmation(sls.cancel, "modern", _opt_out_page,
                               "portal.secure_login", "cancelled")
