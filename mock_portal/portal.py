"""The logged-in Client Portal: left menu, User Settings, Secure Login Settings (steps 4-7)."""
from flask import Blueprint, abort, g, request

from . import sls
from .db import get_db
from .views import login_required, post_redirect, render_page

bp = Blueprint("portal", __name__, url_prefix="/portal")

NOTICES = {"updated": "notice.sls_updated", "cancelled": "notice.change_cancelled"}


@bp.get("/")
@login_required
def index():
    return render_page("portal_home.html")


@bp.get("/trading")
@login_required
def trading():
    return render_page("trading.html")


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


@bp.get("/settings/secure-login")
@login_required
def secure_login():
    confirmation = None
    if request.args.get("confirmation"):
        confirmation = sls.pending(get_db(), g.session["session_id"], request.args["confirmation"])
        if confirmation is None:
            return _secure_login_page(409, error="error.confirmation_expired")
    return _secure_login_page(confirmation=confirmation)


@bp.post("/settings/secure-login")
@login_required
def secure_login_continue():
    """Continue (次に進む): nothing changes yet, a confirmation is opened."""
    if request.form.get("choice") != "always_use_device":
        return _secure_login_page(400, error="error.choose_option")
    try:
        cid = sls.start_change(get_db(), g.session["session_id"], g.user, g.user["username"],
                               new_opted_out=False, path="modern")
    except sls.Refused as refusal:
        return _secure_login_page(refusal.status, error=refusal.key)
    return post_redirect("portal.secure_login", confirmation=cid)


@bp.post("/settings/secure-login/confirm")
@login_required
def secure_login_confirm():
    """OK: the one request that changes the stored state."""
    try:
        sls.confirm(get_db(), g.session["session_id"], g.user, request.form.get("confirmation", "")[:100])
    except sls.Refused as refusal:
        return _secure_login_page(refusal.status, error=refusal.key)
    return post_redirect("portal.secure_login", notice="updated")


@bp.post("/settings/secure-login/cancel")
@login_required
def secure_login_cancel():
    try:
        sls.cancel(get_db(), g.session["session_id"], g.user, request.form.get("confirmation", "")[:100])
    except sls.Refused as refusal:
        return _secure_login_page(refusal.status, error=refusal.key)
    return post_redirect("portal.secure_login", notice="cancelled")
