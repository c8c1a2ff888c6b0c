"""The public home page with its login menu (article step 1-2)."""
from flask import Blueprint, current_app, redirect, request

from ..access import ANYONE, requires
from ..responses import render_page

bp = Blueprint("home", __name__)

NOTICES = {"logged_out": "notice.logged_out", "session_expired": "error.session_expired"}
# Where the Client Portal Gateway's root leads (https://localhost:5000/): its login, as IBeam opens it.
GATEWAY_LOGIN = "/sso/Login?forwardTo=22&RL=1&ip2loc=on"


@bp.get("/")
@requires(ANYONE)
def index():
    if current_app.config["GATEWAY"] and "notice" not in request.args:  # a notice is still shown here
        return redirect(GATEWAY_LOGIN)
    return render_page("home/index.html", notice=NOTICES.get(request.args.get("notice")))
