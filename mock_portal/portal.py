"""The logged-in Client Portal: left menu, User Settings, Secure Login Settings (steps 4-7),
the opt-out agreement (the reverse direction), the account page, message center and audit log."""
import json

from flask import Blueprint, g, redirect, request, url_for

from . import enrollment, limits, sls
from .access import PORTAL, PRIMARY_USER, SECURITY_CANCEL, SECURITY_CHANGE, TRADING, requires
from .db import get_db
from .views import answer_confirmation, post_redirect, render_page, shown_confirmation

bp = Blueprint("portal", __name__, url_prefix="/portal")

NOTICES = {"updated": "notice.sls_updated", "cancelled": "notice.change_cancelled",
           "opted_out": "notice.sls_opted_out"}


@bp.get("/")
@requires(PORTAL)
def index():
    if enrollment.revision_of(get_db(), g.user["username"]) == "current":
        return redirect(url_for("current.index"))  # the article's current revision (mock_portal/current.py)
    return render_page("portal_home.html")


@bp.get("/trading")
@requires(TRADING)
def trading():
    return render_page("trading.html", restricted=bool(g.user["sls_opted_out"]))


@bp.get("/account")
@requires(PORTAL)
def account():
    """What the account may do: restricted while the user is opted out of SLS."""
    return render_page("account.html", section="account", restricted=bool(g.user["sls_opted_out"]),
                       limits=sls.restrictions(g.user["sls_opted_out"]))


@bp.get("/messages")
@requires(PORTAL)
def messages():
    rows = [{"at": r["at"], "key": r["key"], "params": json.loads(r["params"])}
            for r in sls.messages_of(get_db(), g.user["username"])]
    return render_page("messages.html", section="messages", messages=rows)


@bp.get("/audit")
@requires(PRIMARY_USER)
def audit():
    """The account's audit log, for its primary user only."""
    return render_page("audit.html", section="audit", rows=sls.audit_rows(get_db(), g.user["account_id"]))


@bp.get("/settings/")
@requires(PORTAL)
def settings():
    return render_page("settings.html", section="settings")


@bp.get("/settings/user")
@requires(PORTAL)
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
    return request.form.get("target", g.user["username"])[:limits.ID]


def _check_own_setting(path="modern"):
    """The modern screens change the actor's own setting only; anything else is tampering.
    Raises Refused (audited) when the actor may not change it."""
    db = get_db()
    target = _form_target()
    if target != g.user["username"]:
        sls.refuse_tampered(db, g.user, target, path)
    sls.check_permission(db, g.user, target, path)


@bp.get("/settings/secure-login")
@requires(PORTAL)
def secure_login():
    confirmation, error = shown_confirmation(new_opted_out=False, screen="portal.secure_login")
    if error:
        return _secure_login_page(409, error=error)
    return _secure_login_page(confirmation=confirmation)


@bp.post("/settings/secure-login")
@requires(SECURITY_CHANGE)
def secure_login_continue():
    """Continue (次に進む): nothing changes yet, a confirmation is opened."""
    try:
        _check_own_setting()
        if request.form.get("choice") != "always_use_device":
            return _secure_login_page(400, error="error.choose_option")
        cid = sls.start_change(get_db(), g.session["session_id"], g.user, g.user["username"],
                               new_opted_out=False, path="modern", screen="portal.secure_login")
    except sls.Refused as refusal:
        return _secure_login_page(refusal.status, error=refusal.key)
    return post_redirect("portal.secure_login", confirmation=cid)


@bp.post("/settings/secure-login/confirm")
@requires(SECURITY_CHANGE)
def secure_login_confirm():
    """OK: the one request that changes the stored state."""
    return answer_confirmation(sls.confirm, "modern", _secure_login_page,
                               "portal.secure_login", "updated", new_opted_out=False, screen="portal.secure_login")


@bp.post("/settings/secure-login/cancel")
@requires(SECURITY_CANCEL)
def secure_login_cancel():
    return answer_confirmation(sls.cancel, "modern", _secure_login_page,
                               "portal.secure_login", "cancelled", screen="portal.secure_login")


# The reverse direction: an enrolled primary user opts out again, only through the agreement.

def _opt_out_page(status=200, error=None, confirmation=None, signature=""):
    db = get_db()
    user = db.execute("SELECT * FROM users WHERE username = ?", (g.user["username"],)).fetchone()
    return render_page(
        "opt_out.html", status, section="settings", user=user, error=error, confirmation=confirmation,
        may_change=bool(user["is_primary"]), allowed=sls.allowed_users(db, user["account_id"]),
        signature=signature, notice=NOTICES.get(request.args.get("notice")))


@bp.get("/settings/secure-login/opt-out")
@requires(PORTAL)
def opt_out():
    confirmation, error = shown_confirmation(new_opted_out=True, screen="portal.opt_out")
    if error:
        return _opt_out_page(409, error=error)
    return _opt_out_page(confirmation=confirmation)


@bp.post("/settings/secure-login/opt-out")
@requires(SECURITY_CHANGE)
def opt_out_continue():
    """The agreement's Continue: the box ticked and the username typed, then a confirmation."""
    signature = request.form.get("signature", "")[:limits.ID].strip()
    try:
        _check_own_setting()
        if request.form.get("agree") != "yes":
            return _opt_out_page(400, error="error.agreement_unchecked", signature=signature)
        if signature != g.user["username"]:
            return _opt_out_page(400, error="error.agreement_signature", signature=signature)
        cid = sls.start_change(get_db(), g.session["session_id"], g.user, g.user["username"],
                               new_opted_out=True, path="modern", screen="portal.opt_out")
    except sls.Refused as refusal:
        return _opt_out_page(refusal.status, error=refusal.key)
    return post_redirect("portal.opt_out", confirmation=cid)


@bp.post("/settings/secure-login/opt-out/confirm")
@requires(SECURITY_CHANGE)
def opt_out_confirm():
    return answer_confirmation(sls.confirm, "modern", _opt_out_page,
                               "portal.secure_login", "opted_out", new_opted_out=True, screen="portal.opt_out")


@bp.post("/settings/secure-login/opt-out/cancel")
@requires(SECURITY_CANCEL)
def opt_out_cancel():
    return answer_confirmation(sls.cancel, "modern", _opt_out_page,
                               "portal.secure_login", "cancelled", screen="portal.opt_out")
