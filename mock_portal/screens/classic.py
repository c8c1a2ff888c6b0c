"""The classic Client Portal: top menu 口座管理 > セキュリティー > セキュア・ログイン・システム >
セキュリティディバイスの解約(SLSオプトアウト), where the primary user opts any user of the account
back in. Plain links and server-rendered pages: every click works as soon as it is visible."""
from flask import Blueprint, g, request

from .. import limits, sls
from ..access import PORTAL, requires
from ..db import get_db
from ..responses import render_page
from . import confirmations

bp = Blueprint("classic", __name__, url_prefix="/classic")

NOTICES = {"updated": "notice.sls_updated", "cancelled": "notice.change_cancelled",
           "already_done": "notice.change_already_made"}
# The top menu's path, one level per page: (endpoint, catalog key of the link).
MENU = [("classic.manage_account", "classic.menu.manage_account"),
        ("classic.security", "classic.menu.security"),
        ("classic.secure_login_system", "classic.menu.secure_login_system"),
        ("classic.sls_opt_out", "classic.menu.sls_opt_out")]


def _menu_page(level, template="classic/menu.html", status=200, **context):
    """A classic page with the top menu opened down to `level` (0 = only 口座管理)."""
    return render_page(template, status, menu=MENU[:level + 1], level=level, **context)


@bp.get("/")
@requires(PORTAL)
def index():
    return render_page("classic/home.html", menu=MENU[:1], level=-1)


@bp.get("/account")
@requires(PORTAL)
def manage_account():
    return _menu_page(1, heading="classic.menu.manage_account")


@bp.get("/account/security")
@requires(PORTAL)
def security():
    return _menu_page(2, heading="classic.menu.security")


@bp.get("/account/security/secure-login")
@requires(PORTAL)
def secure_login_system():
    return _menu_page(3, heading="classic.menu.secure_login_system")


def _opt_out_page(status=200, error=None, confirmation=None):
    db = get_db()
    return _menu_page(
        3, "classic/sls_opt_out.html", status, users=sls.account_users(db, g.user["account_id"]),
        may_change=bool(g.user["is_primary"]), allowed=sls.allowed_users(db, g.user["account_id"]),
        error=error, confirmation=confirmation, notice=NOTICES.get(request.args.get("notice")))


def _user_chosen():
    """次に進む with the radio of the user to opt back in."""
    target = request.form.get("target", "")[:limits.ID]
    if not target:
        sls.check_permission(get_db(), g.user, g.user["username"], "classic")
        return _opt_out_page(400, error="error.choose_user")
    return target


confirmations.register(bp, "/account/security/secure-login/opt-out", "sls_opt_out", page=_opt_out_page,
                       begin=_user_chosen, path="classic", new_opted_out=False,
                       done="classic.sls_opt_out", ok_notice="updated")
