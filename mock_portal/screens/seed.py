"""The logged-in Client Portal: left menu, User Settings, Secure Login Settings (steps 4-7),
the opt-out agreement (the reverse direction), the account page, message center and audit log."""
import json

from flask import Blueprint, g, redirect, request, url_for

from .. import funds, limits, sls, users
from ..access import PORTAL, PRIMARY_USER, TRADING, requires
from ..db import get_db
from ..responses import render_page
from . import confirmations, withdrawals

bp = Blueprint("seed", __name__, url_prefix="/portal")

NOTICES = {"updated": "notice.sls_updated", "cancelled": "notice.change_cancelled",
           "opted_out": "notice.sls_opted_out", "already_done": "notice.change_already_made"}
ACCOUNT_NOTICES = withdrawals.NOTICES


@bp.get("/")
@requires(PORTAL)
def index():
    if users.revision_of(get_db(), g.user["username"]) == "current":
        return redirect(url_for("current.index"))  # the article's current revision (mock_portal/screens/current.py)
    return render_page("seed/home.html")


@bp.get("/trading")
@requires(TRADING)
def trading():
    return render_page("seed/trading.html", restricted=bool(g.user["sls_opted_out"]))


@bp.get("/account")
@requires(PORTAL)
def account():
    """What the account may do: restricted while the user is opted out of SLS; its withdrawal
    limits by device and what may be withdrawn (mock_portal/funds.py)."""
    return render_page("seed/account.html", section="account", restricted=bool(g.user["sls_opted_out"]),
                       limits=sls.restrictions(g.user["sls_opted_out"]), **withdrawals.funds_context(get_db(), g.user),
                       notice=ACCOUNT_NOTICES.get(request.args.get("notice")))


@bp.get("/messages")
@requires(PORTAL)
def messages():
    rows = [{"at": r["at"], "key": r["key"], "params": json.loads(r["params"])}
            for r in sls.messages_of(get_db(), g.user["username"])]
    return render_page("seed/messages.html", section="messages", messages=rows)


@bp.get("/audit")
@requires(PRIMARY_USER)
def audit():
    """The account's audit log, for its primary user only."""
    return render_page("seed/audit.html", section="audit", rows=sls.audit_rows(get_db(), g.user["account_id"]))


@bp.get("/settings/")
@requires(PORTAL)
def settings():
    return render_page("seed/settings.html", section="settings")


@bp.get("/settings/user")
@requires(PORTAL)
def user_settings():
    return render_page("seed/user_settings.html", section="settings")


def _secure_login_page(status=200, error=None, confirmation=None):
    db = get_db()
    user = users.find(db, g.user["username"])
    return render_page(
        "seed/secure_login.html", status, section="settings", user=user, error=error,
        confirmation=confirmation, may_change=bool(user["is_primary"]),
        allowed=sls.allowed_users(db, user["account_id"]),
        notice=NOTICES.get(request.args.get("notice")))


def _form_target():
    """The user the form names (a hidden field); absent means the actor."""
    return request.form.get("target", g.user["username"])[:limits.ID]


def _check_own_setting(path="seed"):
    """The seed revision's screens change the actor's own setting only; anything else is tampering.
    Raises Refused (audited) when the actor may not change it; returns the actor's username."""
    db = get_db()
    target = _form_target()
    if target != g.user["username"]:
        sls.refuse_tampered(db, g.user, target, path)
    sls.check_permission(db, g.user, target, path)
    return target


def _always_use_device():
    """Continue on the Secure Login Settings: the radio 常にセキュアログイン・デバイスを使用."""
    target = _check_own_setting()
    if request.form.get("choice") != "always_use_device":
        return _secure_login_page(400, error="error.choose_option")
    return target


confirmations.register(bp, "/settings/secure-login", "secure_login", page=_secure_login_page,
                       begin=_always_use_device, path="seed", new_opted_out=False,
                       done="seed.secure_login", ok_notice="updated")


# The reverse direction: an enrolled primary user opts out again, only through the agreement.

def _opt_out_page(status=200, error=None, confirmation=None, signature=""):
    db = get_db()
    user = users.find(db, g.user["username"])
    return render_page(
        "seed/opt_out.html", status, section="settings", user=user, error=error, confirmation=confirmation,
        may_change=bool(user["is_primary"]), allowed=sls.allowed_users(db, user["account_id"]),
        signature=signature, notice=NOTICES.get(request.args.get("notice")),
        no_device_limits=[funds.money(cents) for cents in funds.limits_of(funds.NO_DEVICE)])


def _agreement_signed():
    """The agreement's Continue: the box ticked and the username typed."""
    signature = request.form.get("signature", "")[:limits.ID].strip()
    target = _check_own_setting()
    if request.form.get("agree") != "yes":
        return _opt_out_page(400, error="error.agreement_unchecked", signature=signature)
    if signature != g.user["username"]:
        return _opt_out_page(400, error="error.agreement_signature", signature=signature)
    return target


confirmations.register(bp, "/settings/secure-login/opt-out", "opt_out", page=_opt_out_page,
                       begin=_agreement_signed, path="seed", new_opted_out=True,
                       done="seed.secure_login", ok_notice="opted_out")
