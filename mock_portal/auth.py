"""Login: username and password, then the security device (article step 3), and logout."""
from flask import Blueprint, current_app, g, redirect, request, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from . import devices, sessions
from .db import get_db
from .i18n import current_lang
from .views import post_redirect, render_page

bp = Blueprint("auth", __name__, url_prefix="/sso")

TARGETS = ("portal", "trading")
LANDING = {"portal": "portal.index", "trading": "portal.trading"}
MAX_FIELD = 256


def _dummy_hash():
    # Unknown usernames still pay for one hash check, so timing does not tell them apart.
    cache = current_app.extensions.setdefault("slskit_dummy_hash", {})
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in cache:
        cache[method] = generate_password_hash("not a password", method=method)
    return cache[method]


def _target():
    target = request.values.get("target", "portal")
    return target if target in TARGETS else "portal"


@bp.get("/login")
def login():
    if g.user is not None:
        return redirect(url_for(LANDING[_target()]))
    sessions.ensure(current_lang())
    return render_page("login.html", target=_target())


@bp.post("/login")
def login_submit():
    username = request.form.get("username", "")[:MAX_FIELD].strip()
    password = request.form.get("password", "")[:MAX_FIELD]
    target = _target()
    if not username or not password:
        return render_page("login.html", 400, error="error.login_missing", username=username, target=target)
    user = get_db().execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
    ok = check_password_hash(user["password_hash"] if user else _dummy_hash(), password)
    if user is None or not ok:
        return render_page("login.html", 401, error="error.login_failed", username=username, target=target)
    if target == "trading" and user["sls_opted_out"]:
        # An opted-out user's trading login asks for no security device: the risk the article names.
        sessions.rotate(user["locale"], username=user["username"], auth_at=current_app.config["CLOCK"].now(),
                        login_target=target)
        return post_redirect(LANDING[target])
    sessions.rotate(current_lang(), pending_user=user["username"], login_target=target)
    return post_redirect("auth.second_factor")


def _pending_user():
    if g.session is None or not g.session["pending_user"]:
        return None
    return get_db().execute("SELECT * FROM users WHERE username = ?", (g.session["pending_user"],)).fetchone()


@bp.get("/login/code")
def second_factor():
    user = _pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    device = devices.devices_of(get_db(), user["username"])[0]
    return render_page("second_factor.html", device=device)


@bp.post("/login/code")
def second_factor_submit():
    user = _pending_user()
    if user is None:
        return render_page("login.html", 401, error="error.login_expired", target="portal")
    db = get_db()
    device = devices.devices_of(db, user["username"])[0]
    outcome = devices.verify(db, device, request.form.get("code", "")[:MAX_FIELD], current_app.config["CLOCK"].now())
    if outcome != "ok":
        current_app.logger.info("security code refused", extra={"outcome": outcome})
        error = "error.code_replayed" if outcome == "replayed" else "error.code_invalid"
        return render_page("second_factor.html", 401, device=device, error=error)
    target = g.session["login_target"]
    sessions.rotate(user["locale"], username=user["username"], auth_at=current_app.config["CLOCK"].now(),
                    login_target=target)
    return post_redirect(LANDING[target])


@bp.post("/logout")
def logout():
    lang = current_lang()
    sessions.end()
    return post_redirect("home.index", notice="logged_out", lang=lang)
