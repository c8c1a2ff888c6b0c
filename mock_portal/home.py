"""The public home page with its login menu (article step 1-2)."""
from flask import Blueprint, request

from .access import ANYONE, requires
from .responses import render_page

bp = Blueprint("home", __name__)

NOTICES = {"logged_out": "notice.logged_out", "session_expired": "error.session_expired"}


@bp.get("/")
@requires(ANYONE)
def index():
    return render_page("home.html", notice=NOTICES.get(request.args.get("notice")))
