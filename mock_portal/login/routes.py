"""Login: username and password, then the security device (article step 3); re-authentication
with the device before a security change when the login is old; logout.

The code step is shared by both: a user with several devices first picks one in a combobox,
then sees that device's prompt (a challenge, an SMS, an IB Key notification, a passcode).

Today's login page adds what the live page shows around them (docs/gateway.md): its live/paper
switch (a paper account's own username logs in without a device, to the gateway), the "approve
in IBKR Mobile" step instead of the code (a user's `mobile_approval`) and the IB Key promotion
screen after the login (a user's `ibkey_promotion`), each answered in JSON to its script.
"""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, redirect, request, url_for

from .. import events, limits, sessions, users
from ..access import (ANYONE, GATEWAY_DONE, LOGIN_DONE, LOGIN_PENDING, REAUTH, gateway_holds, may_open,
                      requires)
from ..clock import now, now_for
from ..db import get_db
from ..i18n import current_lang, translate
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
# The cookie the live page's script reads to skip the IB Key promotion (Voyz/ibeam#68), which
# IBeam found the gateway does not honour (its commit de645c0): the portal's own login only.
SKIP_PROMOTION_COOKIE = "SKIP_IBKEY_PROMO"
# How long an approval in IBKR Mobile is waited for (IbcAlpha/IBC#314: the alert "times out after
# 3 minutes"), on the user's clock.
MOBILE_APPROVAL_SECONDS = 3 * 60


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
@requires(GATEWAY_DONE)
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
    user, kind, refused = checks.login_password(db, username, password, at, target=target)
    if refused:
        return _login_refused(401, refused, username, target)
    # Today's page's live/paper switch (its checkbox, and the loginType 1/2 its script keeps): each
    # wrong mode has its own message, and nothing is stored or counted.
    paper_mode = bool(request.form.get("paperSwitch")) or request.form.get("loginType") == "2"
    if paper_mode != (kind == "paper"):
        reason, key = ("paper_mode", "error.login_paper_mode") if paper_mode else ("live_mode", "error.login_live_mode")
        events.log("login.refused", reason=reason, username=username)
        return _login_refused(401, key, username, target)
    if kind == "paper":
        return _paper_login(user, target)
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
    # Today's page: a user whose logins are approved in IBKR Mobile meets that step first.
    approval = "pending" if todays_page.wants_json() and users.login_options(db, username)["mobile_approval"] \
        else None
    sessions.rotate(current_lang(), pending_user=user["username"], login_target=target,
                    factors=sessions.PASSWORD, device_id=chosen["device_id"] if chosen else None,
                    mobile_approval=approval)
    if chosen is not None and approval is None:
        devices.start(db, g.session["session_id"], chosen, at, current_lang())
    events.log("login.password_accepted", username=username, target=target)
    if approval is not None:
        return todays_page.answer("mobile", prompt=translate("mobile.prompt"))
    if todays_page.wants_json():  # today's page: the code step's block comes in the same answer
        return _code_page("login", user)
    return post_redirect("auth.second_factor")


def _paper_login(account, target):
    """A paper account's login: its password alone (docs/gateway.md), and only to the gateway,
    whose paper session it opens; the portal's screens are a live user's."""
    if not current_app.config["GATEWAY"]:
        events.log("login.refused", reason="paper_not_served", username=account["username"])
        return _login_refused(401, "error.paper_not_served", account["username"], target)
    lockout.clear(get_db(), account["username"])
    sessions.rotate(account["locale"], paper_user=account["username"], login_target="gateway",
                    factors=sessions.PAPER)
    events.log("login.succeeded", username=account["username"], target="gateway", device_type=None, paper=True)
    return _landed("gateway")


def _login_refused(status, error, username, target):
    """The login form again with its error: the page the visitor met, or the JSON its script reads."""
    if todays_page.wants_json():
        return todays_page.answer("username", status, error)
    return render_page(todays_page.template(get_db()), status, error=error, username=username, target=target)


def _whose_login(session):
    """(the user whose options and clock a finished login follows, the name it logged in with)."""
    if session["factors"] == sessions.PAPER:
        return users.find_paper(get_db(), session["paper_user"])["live_username"], session["paper_user"]
    return session["username"], session["username"]


def _landed(target):
    """A finished login goes where it entered (today's page's script follows `redirect`); on
    today's page a user whose logins meet the IB Key promotion sees it first, and arrives only
    by its Continue (`login_continue`)."""
    username, _ = _whose_login(g.session)
    if todays_page.wants_json() and users.login_options(get_db(), username)["ibkey_promotion"] \
            and not _promotion_skipped(target):
        sessions.update(promotion=1)
        events.log("login.promotion_shown", username=username, target=target)
        return todays_page.answer("promo", redirect=url_for(LANDING[target]))
    return _arrived(target)


def _promotion_skipped(target):
    return target != "gateway" and request.cookies.get(SKIP_PROMOTION_COOKIE, "").lower() == "true"


def _arrived(target):
    if current_app.config["GATEWAY"]:
        _reach_the_gateway(g.session, target)
    if todays_page.wants_json():
        return todays_page.answer("done", redirect=url_for(LANDING[target]))
    return post_redirect(LANDING[target])


def _reach_the_gateway(session, target):
    """What a finished login on the gateway's server does to the gateway's one session: a login
    through it opens it (replacing any other); the portal's own login of the name the gateway's
    session has is a login elsewhere, which that session then shows as competing."""
    from ..gateway import session as gateway_session  # its one session
    conn = get_db()
    username, name = _whose_login(session)
    at = now_for(username)
    if target != "gateway" and gateway_session.login_elsewhere(conn, name, target):
        return  # the gateway's session was this name's: it now competes
    if gateway_holds(session["factors"], session["passcode_issued_at"], at):
        gateway_session.open_session(conn, username, session["factors"], at, session["passcode_issued_at"],
                                     login_name=name, paper=session["factors"] == sessions.PAPER)


@bp.post("/login/continue")
@requires(LOGIN_DONE)
def login_continue():
    """The IB Key promotion's Continue (`a.ibkey-promo-skip`): the login arrives where it entered.
    Once arrived, a second Continue only says where."""
    target = g.session["login_target"]
    if not g.session["promotion"]:
        return todays_page.answer("done", redirect=url_for(LANDING[target]))
    sessions.update(promotion=None)
    events.log("login.promotion_continued", username=_whose_login(g.session)[0])
    return _arrived(target)


@bp.post("/login/mobile")
@requires(LOGIN_PENDING)
def mobile_approval():
    """The "approve in IBKR Mobile" step, which the page's script asks about until the phone has
    answered (the test hook plays the phone): pending, approved (the login is done: the phone is
    the second factor), denied or expired (back to the username). `use_code` leaves it for the
    device's code step."""
    db, user = get_db(), _pending_user()
    state = g.session["mobile_approval"]
    if state is None:  # already left for the code step
        return _code_page("login", user)
    if request.form.get("use_code"):
        sessions.update(mobile_approval=None)
        device, _ = _chosen_device(user)
        if device is not None:
            devices.start(db, g.session["session_id"], device, now(), current_lang())
        return _code_page("login", user)
    if state in ("pending", "approved") and now() - g.session["created_at"] > MOBILE_APPROVAL_SECONDS:
        state = "expired"  # an answer after the time is up counts for nothing
    if state in ("denied", "expired"):
        locked = state == "denied" and lockout.record_failure(db, user["username"], now())
        events.log("code.refused", username=user["username"], device_type="ibkr_mobile", outcome=f"mobile_{state}",
                   purpose="login", locked_now=bool(locked))
        lang = current_lang()
        sessions.end()
        sessions.ensure(lang)  # the username block's form needs a session for its token
        return todays_page.answer("username", 401, "error.login_locked" if locked else f"error.mobile_{state}")
    if state != "approved":
        return todays_page.answer("mobile", prompt=translate("mobile.prompt"))
    if lockout.is_locked(db, user["username"], now()):
        return todays_page.answer("username", 401, "error.login_locked")
    lockout.clear(db, user["username"])
    target = g.session["login_target"]
    sessions.rotate(user["locale"], username=user["username"], auth_at=now(), login_target=target,
                    factors=sessions.PASSWORD_AND_DEVICE)
    events.log("login.succeeded", username=user["username"], target=target, device_type="ibkr_mobile")
    return _landed(target)


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
    name = g.user["username"] if g.user is not None else g.session["paper_user"] if g.session is not None else None
    if name:
        events.log("logout", username=name)
        if current_app.config["GATEWAY"]:  # the browser's logout ends the gateway's session too
            from ..gateway import session as gateway_session
            gateway_session.end_session(get_db(), name)
    sessions.end()
    return post_redirect("home.index", notice="logged_out", lang=lang)
