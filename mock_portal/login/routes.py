"""Login: username and password, then the security device (article step 3); re-authentication
with the device before a security change when the login is old; logout.

The code step is shared by both: a user with several devices first picks one in a combobox,
then sees that device's prompt (a challenge, an SMS, an IB Key notification, a passcode).
"""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, redirect, request, url_for

from .. import events, limits, sessions, users
from ..access import ANYONE, LOGIN_PENDING, PORTAL, REAUTH, gateway_holds, may_open, requires
from ..clock import now
from ..db import get_db
from ..i18n import current_lang
from ..responses import post_redirect, render_page
from ..screens import enrollment
from . import checks, devices, lockout, todays_page

bp = Blueprint("auth", __name__, url_prefix="/sso")

TARGETS = ("portal", "trading", "gateway")
LANDING = {"portal": "seed.index", "trading": "seed.trading", "gateway": "auth.gateway_succeeded"}
# The code step, for a login and for a re-authentication: (URL, endpoint) of its page, the device
# choice, the code and the resend (their routes: _register_code_step); its forms post to these.
CODE_STEPS = {
    "login": {"page": ("/login/code", "second_factor"), "device": ("/login/device", "choose_device"),
              "code": ("/login/code", "second_factor_submit"), "resend": ("/login/code/resend", "resend_code")},
    "reauth": {"page": ("/reauth", "reauth"), "device": ("/reauth/device", "reauth_device"),
               "code": ("/reauth", "reauth_submit"), "resend": ("/reauth/resend", "reauth_resend")},
}
ENDPOINTS = {purpose: {step: f"auth.{endpoint}" for step, (_, endpoint) in steps.items()}
             for purpose, steps in CODE_STEPS.items()}


def _target():
    target = request.values.get("target", "portal")
    return target if target in TARGETS else "portal"


def _field(name):
    value = request.form.get(name, "")
    return value[:limits.FIELD] if isinstance(value, str) else ""


@bp.get("/login")
@requires(ANYONE)
def login():
    if g.user is not None and may_open(LANDING[_target()]):
        return redirect(url_for(LANDING[_target()]))
    sessions.ensure(current_lang())
    return render_page(todays_page.template(get_db()), target=_target())


@bp.get("/Login")
@requires(ANYONE)
def gateway_login():
    """The Client Portal Gateway's login route (/sso/Login?forwardTo=22&RL=1&ip2loc=on), which
    login automation such as IBeam opens; English unless ?lang= says otherwise."""
    if g.user is not None and may_open(LANDING["gateway"]):
        return redirect(url_for(LANDING["gateway"]))
    lang = request.args.get("lang") if request.args.get("lang") in ("ja", "en") else "en"
    sessions.ensure(lang)
    return render_page(todays_page.template(get_db()), target="gateway")


@bp.get("/Dispatcher")
@requires(PORTAL)
def gateway_succeeded():
    return render_page("login/gateway_succeeded.html")


@bp.post("/login")
@requires(ANYONE)
def login_submit():
    username = " ".join(_field("username").split())  # control characters and runs of spaces are not names
    password = _field("password")
    target = _target()
    if not username or not password:
        return _login_refused(400, "error.login_missing", username, target)
    db, at = get_db(), now()
    user, refused = checks.password(db, username, password, at, target=target)
    if refused:
        return _login_refused(401, refused, username, target)
    if request.form.get("paperSwitch"):
        # Today's page's live/paper switch: the scenario's users are live users (docs/gateway.md).
        events.log("login.refused", reason="paper_mode", username=username)
        return _login_refused(401, "error.login_paper_mode", username, target)
    if target == "trading" and user["sls_opted_out"]:
        # An opted-out user's trading login asks for no security device: the risk the article names.
        # The session records it, and opens the trading screen only (mock_portal/access.py).
        sessions.rotate(user["locale"], username=user["username"], auth_at=at, login_target=target,
                        factors=sessions.PASSWORD)
        lockout.clear(db, username)
        events.log("login.succeeded", username=username, target=target, device_type=None)
        return _landed(target)
    owned = devices.devices_of(db, user["username"])
    # A code card waiting for its first use is what the next login asks for (mock_portal/screens/enrollment.py).
    chosen = enrollment.card_owed(db, user["username"]) or (owned[0] if len(owned) == 1 else None)
    sessions.rotate(current_lang(), pending_user=user["username"], login_target=target,
                    factors=sessions.PASSWORD, device_id=chosen["device_id"] if chosen else None)
    if chosen is not None:
        devices.start(db, g.session["session_id"], chosen, at, current_lang())
    events.log("login.password_accepted", username=username, target=target)
    if todays_page.wants_json():  # today's page: the code step's block comes in the same answer
        return _code_page("login", user)
    return post_redirect("auth.second_factor")


def _login_refused(status, error, username, target):
    """The login form again with its error: the page the visitor met, or the JSON its script reads."""
    if todays_page.wants_json():
        return todays_page.answer("username", status, error)
    return render_page(todays_page.template(get_db()), status, error=error, username=username, target=target)


def _landed(target):
    """A finished login goes where it entered (today's page's script follows `redirect`)."""
    session, at = g.session, now()
    if current_app.config["GATEWAY"] and gateway_holds(session["factors"], session["passcode_issued_at"], at):
        from ..gateway import session as gateway_session  # its one session
        gateway_session.open_session(get_db(), session["username"], session["factors"], at,
                                     session["passcode_issued_at"])
    if todays_page.wants_json():
        return todays_page.answer("done", redirect=url_for(LANDING[target]))
    return post_redirect(LANDING[target])


# --- the code step, for a login and for a re-authentication ------------------------------------

def _pending_user():
    return users.find(get_db(), g.session["pending_user"])


def _chosen_device(user):
    return devices.chosen(get_db(), user["username"], g.session["device_id"])


def _next_path():
    """Where a re-authentication returns: a page of the portal itself, never another site."""
    path = request.values.get("next", "")[:limits.FIELD]
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not path.startswith(("/portal/", "/classic/")) or "//" in path:
        return url_for("seed.index")
    return path


def _code_page(purpose, user, status=200, error=None, notice=None):
    device, owned = _chosen_device(user)
    challenge = devices.current_challenge(get_db(), g.session["session_id"], device) if device else None
    if todays_page.wants_json():
        return todays_page.code_step(device, owned, challenge, status, error, notice)
    return render_page("login/second_factor.html", status, purpose=purpose, urls=ENDPOINTS[purpose], device=device,
                       devices=owned, challenge=challenge, error=error, notice=notice,
                       next=_next_path() if purpose == "reauth" else None,
                       ibeam_hooks=purpose == "login",
                       push_first=_push_first(user, device), respond_by_challenge=_respond_by_challenge())


def _respond_by_challenge():
    return request.values.get("respond") == "challenge"


def _push_first(user, device):
    """The current revision's IB Key step waits for the notification first; its "did not receive
    the notification" link (?respond=challenge) shows the challenge instead."""
    return device is not None and device["type"] == "ibkey" and not _respond_by_challenge() \
        and users.revision_of(get_db(), user["username"]) == "current"


def _choose(purpose, user):
    raw = _field("device")
    owned = devices.devices_of(get_db(), user["username"])
    # The seed's combobox names a device by its id; today's picker by its type's value.
    if todays_page.wants_json():
        device = todays_page.device_by_value(owned, raw)
    else:
        device = next((d for d in owned if raw.isascii() and raw.isdigit() and d["device_id"] == int(raw)), None)
    if device is None:
        return _code_page(purpose, user, 400, error="error.choose_device")
    sessions.update(device_id=device["device_id"])
    devices.start(get_db(), g.session["session_id"], device, now(), current_lang())
    if todays_page.wants_json():
        return _code_page(purpose, user)
    return post_redirect(ENDPOINTS[purpose]["page"], **({"next": _next_path()} if purpose == "reauth" else {}))


def _resend(purpose, user):
    """セキュリティ・コードの再送 (and a new challenge): the previous one stops working."""
    device, _ = _chosen_device(user)
    if device is None or device["type"] not in devices.CHALLENGED:
        return _code_page(purpose, user, 400, error="error.choose_device")
    devices.start(get_db(), g.session["session_id"], device, now(), current_lang())
    events.log("code.resent", username=user["username"], device_type=device["type"])
    return _code_page(purpose, user, notice="notice.code_resent" if device["type"] == "sms" else "notice.new_challenge")


def _submit(purpose, user):
    db, at = get_db(), now()
    device, _ = _chosen_device(user)
    if device is None:
        return _code_page(purpose, user, 400, error="error.choose_device")
    target = g.session["login_target"]
    answer = None if request.form.get("push") else _field("code")
    refused = checks.device_step(db, g.session["session_id"], user["username"], device, answer, at, target, purpose)
    if refused:
        return _code_page(purpose, user, 401, error=refused)
    issued = devices.passcode_issued_at(db, device)  # KB69: its session's reach follows the passcode's age
    if purpose == "reauth":
        sessions.update(auth_at=at, device_id=None, passcode_issued_at=issued)
        if todays_page.wants_json():
            return todays_page.answer("done", redirect=_next_path())
        return redirect(_next_path(), code=303)
    sessions.rotate(user["locale"], username=user["username"], auth_at=at, login_target=target,
                    factors=sessions.PASSWORD_AND_DEVICE, passcode_issued_at=issued)
    events.log("login.succeeded", username=user["username"], target=target, device_type=device["type"])
    return _landed(target)


def _register_code_step(purpose, rule, whose):
    """The code step's four routes for `purpose` (CODE_STEPS), each needing `rule`; `whose()` is
    the user it is for: the pending login's, or the logged-in one re-authenticating."""
    handlers = {"page": _code_page, "device": _choose, "code": _submit, "resend": _resend}
    for step, (url, endpoint) in CODE_STEPS[purpose].items():
        def view(handler=handlers[step]):
            return handler(purpose, whose())
        bp.add_url_rule(url, endpoint, requires(rule)(view), methods=["GET" if step == "page" else "POST"])


_register_code_step("login", LOGIN_PENDING, _pending_user)
_register_code_step("reauth", REAUTH, lambda: g.user)


@bp.post("/logout")
@requires(ANYONE)
def logout():
    lang = current_lang()
    if g.user is not None:
        events.log("logout", username=g.user["username"])
        if current_app.config["GATEWAY"]:  # the browser's logout ends the gateway's session too
            from ..gateway import session as gateway_session
            gateway_session.end_session(get_db(), g.user["username"])
    sessions.end()
    return post_redirect("home.index", notice="logged_out", lang=lang)
