"""The article's current revision of the Client Portal, beside the seed revision's:

    User menu (head and shoulders, top right) > Settings > User Settings > Security >
    Secure Login System > one of three radio buttons > Continue > the confirmation (OK)

then each choice's own screens up to its end state (enrollment.py). A user sees this revision when
the scenario or `slskit serve --portal-revision current` says so; the seed revision's screens stay
the default.
"""
import functools
import json
from datetime import datetime, timezone

from flask import Blueprint, Response, abort, g, redirect, request, url_for

from .. import events, limits, sls, users
from ..access import CODE_CARD, CODE_CARD_ISSUE, PORTAL, SECURITY_CANCEL, SECURITY_CHANGE, requires
from ..clock import now
from ..db import get_db, transaction
from ..i18n import current_lang, translate
from ..login import checks, code_card, devices
from ..responses import post_redirect, render_page
from . import enrollment
from .confirmations import shown_confirmation

bp = Blueprint("current", __name__, url_prefix="/portal/current")

NOTICES = {"cancelled": "notice.change_cancelled", "enrolled": "notice.sls_updated",
           "removed": "notice.device_removed", "in_review": "notice.sharing_in_review",
           "activated": "notice.physical_device_activated", "sent_back": "notice.physical_device_sent_back"}
# Where OK leads, per choice.
NEXT_SCREEN = {"ibkr_mobile": "current.ibkey_activation", "without_ibkr_mobile": "current.code_card_page",
               "other_username": "current.other_username"}
CODE_STEP_URLS = {"page": "current.other_username", "device": "current.other_username_device",
                  "code": "current.other_username_code", "resend": "current.other_username_resend"}


def current_revision(view):
    """The current revision's screens exist only for users who see that revision; the others are
    sent to their own portal."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if users.revision_of(get_db(), g.user["username"]) != "current":
            return redirect(url_for("seed.index"))
        return view(*args, **kwargs)
    return wrapped


def _date(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


@bp.get("/")
@requires(PORTAL)
@current_revision
def index():
    return render_page("current/home.html")


@bp.get("/settings")
@requires(PORTAL)
@current_revision
def settings():
    return render_page("current/settings.html")


# --- Secure Login System: the three choices, Continue, the confirmation -------------------------

def _secure_login_page(status=200, error=None, confirmation=None, choice=None):
    db = get_db()
    user = users.find(db, g.user["username"])
    owned = [(d, enrollment.holders(db, d)) for d in devices.devices_of(db, user["username"])]
    chosen = choice or (enrollment.of_confirmation(db, confirmation["confirmation_id"])["choice"]
                        if confirmation else None)
    review = enrollment.in_review(db, user["username"])
    return render_page(
        "current/secure_login.html", status, user=user, error=error, confirmation=confirmation,
        choices=enrollment.CHOICES, chosen=chosen, may_change=bool(user["is_primary"]),
        allowed=sls.allowed_users(db, user["account_id"]), devices=owned,
        pending=None if review else enrollment.pending(db, user["username"]), next_screen=NEXT_SCREEN,
        physical=physical_devices_of(db, user["username"]),
        notice=NOTICES.get(request.args.get("notice")) or ("notice.sharing_in_review" if review else None))


def physical_devices_of(conn, username):
    """The user's physical devices from their order on (drafts are no device yet), newest first."""
    return conn.execute("SELECT * FROM physical_devices WHERE username = ? AND state != 'draft'"
                        " ORDER BY created_at DESC, serial", (username,)).fetchall()


@bp.get("/settings/secure-login")
@requires(PORTAL)
@current_revision
def secure_login():
    confirmation, error = shown_confirmation(new_opted_out=False, screen=enrollment.SCREEN)
    if error:
        return _secure_login_page(409, error=error)
    return _secure_login_page(confirmation=confirmation)


@bp.post("/settings/secure-login")
@requires(SECURITY_CHANGE)
@current_revision
def secure_login_continue():
    """Continue: nothing changes yet, a confirmation of the chosen enrollment is opened."""
    db = get_db()
    choice = request.form.get("choice", "")[:limits.ID]
    try:
        target = request.form.get("target", g.user["username"])[:limits.ID]
        if target != g.user["username"]:
            sls.refuse_tampered(db, g.user, target, enrollment.PATH)
        sls.check_permission(db, g.user, target, enrollment.PATH)
        if choice not in enrollment.CHOICES:
            return _secure_login_page(400, error="error.choose_enrollment")
        cid = enrollment.start(db, g.session["session_id"], g.user, choice)
    except sls.Refused as refusal:
        return _secure_login_page(refusal.status, error=refusal.key)
    return post_redirect("current.secure_login", confirmation=cid)


def _answer(action):
    target = request.form.get("target")
    try:
        return action(get_db(), g.session["session_id"], g.user, request.form.get("confirmation", "")[:limits.ID],
                      expected_target=target[:limits.ID] if target is not None else None), None
    except sls.Refused as refusal:
        return None, _secure_login_page(refusal.status, error=refusal.key)


@bp.post("/settings/secure-login/confirm")
@requires(SECURITY_CHANGE)
@current_revision
def secure_login_confirm():
    """OK: the enrollment waits for its end state; on to the chosen choice's own screen."""
    row, refused = _answer(enrollment.confirm)
    return refused or post_redirect(NEXT_SCREEN[row["choice"]])


@bp.post("/settings/secure-login/cancel")
@requires(SECURITY_CANCEL)
@current_revision
def secure_login_cancel():
    _, refused = _answer(enrollment.cancel)
    return refused or post_redirect("current.secure_login", notice="cancelled")


@bp.post("/settings/secure-login/devices/<int:device_id>/remove")
@requires(SECURITY_CHANGE)
@current_revision
def remove_device(device_id):
    """Stop a device serving this username; the other usernames it serves keep it (KB2481). Like
    every security setting, only the account's primary user changes it (audited otherwise)."""
    try:
        sls.check_permission(get_db(), g.user, g.user["username"], enrollment.PATH)
        removed = enrollment.remove_device(get_db(), g.user["username"], device_id)
    except sls.Refused as refusal:
        return _secure_login_page(refusal.status, error=refusal.key)
    except enrollment.LastDevice:
        return _secure_login_page(409, error="error.last_device")
    if not removed:
        return _secure_login_page(404, error="error.device_unknown")
    events.log("device.removed", username=g.user["username"])
    return post_redirect("current.secure_login", notice="removed")


# --- ibkr_mobile: the activation screen ---------------------------------------------------------

def _activation_page(status=200, error=None):
    pending = enrollment.pending(get_db(), g.user["username"], "ibkr_mobile")
    if pending is None:
        return redirect(url_for("current.secure_login"))
    import segno  # the QR code image, as an SVG data URI (no file, no script: the CSP allows data:)
    qr = segno.make(enrollment.activation_payload(pending), error="m").svg_data_uri(scale=5, border=2)
    return render_page("current/ibkey_activation.html", status, enrollment=pending, qr=qr, error=error)


@bp.get("/settings/secure-login/ibkey")
@requires(PORTAL)
@current_revision
def ibkey_activation():
    return _activation_page()


@bp.post("/settings/secure-login/ibkey")
@requires(PORTAL)
@current_revision
def ibkey_activated():
    """「IB Keyを有効化しました」: done once the phone activated it, else the screen says so."""
    if enrollment.pending(get_db(), g.user["username"], "ibkr_mobile") is not None:
        return _activation_page(409, error="error.ibkey_not_activated")
    return post_redirect("current.secure_login", notice="enrolled")


# --- without_ibkr_mobile: the Online Security Code Card ------------------------------------------

def _card():
    card = enrollment.card_of(get_db(), g.user["username"])
    if card is None:
        abort(404)
    return card, json.loads(card["config"])


@bp.get("/settings/secure-login/card")
@requires(CODE_CARD)
@current_revision
def code_card_page():
    """The card to print or save; without one yet, the button that issues it (KB69: what a
    temporary passcode's last 10 days are for)."""
    card = enrollment.card_of(get_db(), g.user["username"])
    if card is None:
        return render_page("current/code_card.html", codes=None)
    config = json.loads(card["config"])
    return render_page("current/code_card.html", codes=sorted(config["codes"].items()),
                       valid_until=_date(code_card.valid_until(config)),
                       pending=enrollment.pending(get_db(), g.user["username"], "without_ibkr_mobile"))


@bp.post("/settings/secure-login/card")
@requires(CODE_CARD_ISSUE)
@current_revision
def issue_code_card():
    """A card for a user who has none (a lost device, a temporary passcode): one, never two."""
    db = get_db()
    with transaction(db):
        if enrollment.card_of(db, g.user["username"]) is None:
            enrollment.issue_card(db, g.user["username"])
    events.log("code_card.issued", username=g.user["username"])
    return post_redirect("current.code_card_page")


@bp.get("/settings/secure-login/card.txt")
@requires(CODE_CARD)
@current_revision
def code_card_download():
    """Save: the card as a text file to keep."""
    _, config = _card()
    lang = current_lang()
    header = [translate("current.card.heading", lang), g.user["username"],
              translate("current.card.valid_until", lang, date=_date(code_card.valid_until(config)))]
    return Response(code_card.as_text(config, header), mimetype="text/plain",
                    headers={"Content-Disposition": "attachment; filename=security-code-card.txt"})


# --- other_username: log in with the other username and its device ------------------------------

def _link_pending():
    return enrollment.pending(get_db(), g.user["username"], "other_username")


def _link_device(pending):
    """The other username's device chosen for this login (or its only shareable one), and all."""
    if not pending["link_username"]:
        return None, []
    owned = enrollment.shareable_devices(get_db(), pending["link_username"])
    chosen = next((d for d in owned if d["device_id"] == pending["link_device_id"]), None)
    return chosen, owned


def _link_page(pending, status=200, error=None, notice=None, error_params=None):
    device, owned = _link_device(pending)
    if device is None and not owned:
        return render_page("current/other_username.html", status, error=error, error_params=error_params,
                           username=pending["link_username"] or "")
    challenge = devices.current_challenge(get_db(), g.session["session_id"], device) if device else None
    return render_page("login/second_factor.html", status, purpose="link", urls=CODE_STEP_URLS, device=device,
                       devices=owned, challenge=challenge, error=error, error_params=error_params, notice=notice,
                       next=None, ibeam_hooks=False)


def _sharing_refused(refusal, page):
    """A KB2481 condition failed: audited as a refused change of this user's own setting, and
    shown with its own message (devices by their names, in the user's language)."""
    sls.refuse(get_db(), g.user["username"], g.user["username"], enrollment.PATH, refusal.reason)
    events.log("device.sharing_refused", username=g.user["username"], reason=refusal.reason)
    params = {k: devices.name(v) if not isinstance(v, str) else v for k, v in refusal.params.items()}
    return page(409, refusal.key, params)


def _set_link(pending, **fields):
    cols = ", ".join(f"{k} = ?" for k in fields)
    get_db().execute(f"UPDATE enrollments SET {cols} WHERE confirmation_id = ?",
                     (*fields.values(), pending["confirmation_id"]))
    return enrollment.of_confirmation(get_db(), pending["confirmation_id"])


def _start_device(pending, device):
    pending = _set_link(pending, link_device_id=device["device_id"])
    devices.start(get_db(), g.session["session_id"], device, now(), current_lang())
    return pending


def link_step(view):
    """The other username's login belongs to a pending other_username enrollment."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        pending = _link_pending()
        if pending is None or enrollment.in_review(get_db(), g.user["username"]) is not None:
            return redirect(url_for("current.secure_login"))  # a request waiting for review says so there
        return view(pending, *args, **kwargs)
    return current_revision(wrapped)


@bp.get("/settings/secure-login/other-username")
@requires(PORTAL)
@link_step
def other_username(pending):
    return _link_page(pending)


@bp.post("/settings/secure-login/other-username")
@requires(PORTAL)
@link_step
def other_username_submit(pending):
    """The other username and its password; then its device, as at a login."""
    db = get_db()
    username = " ".join(request.form.get("username", "")[:limits.FIELD].split())
    password = request.form.get("password", "")[:limits.FIELD]
    page = lambda status, key, params=None: render_page(  # noqa: E731
        "current/other_username.html", status, error=key, error_params=params, username=username)
    if not username or not password:
        return page(400, "error.login_missing")
    if username == g.user["username"]:
        return page(400, "error.other_username_same")
    # The login's own password check: the other username's lock, its timing, its failure count.
    _, refused = checks.password(db, username, password, now(), link_for=g.user["username"])
    if refused:
        return page(401, refused)
    try:
        enrollment.sharing_problem(db, g.user["username"], username)  # KB2481 (a) and (b)
    except enrollment.SharingRefused as refusal:
        return _sharing_refused(refusal, page)
    owned = enrollment.shareable_devices(db, username)
    if not owned:
        return page(409, "error.other_username_no_device")
    if len(owned) == 1:
        try:
            enrollment.sharing_problem(db, g.user["username"], username, owned[0])  # (c)
        except enrollment.SharingRefused as refusal:
            return _sharing_refused(refusal, page)
    pending = _set_link(pending, link_username=username, link_device_id=None)
    if len(owned) == 1:
        pending = _start_device(pending, owned[0])
    return post_redirect("current.other_username")


@bp.post("/settings/secure-login/other-username/device")
@requires(PORTAL)
@link_step
def other_username_device(pending):
    device_id = request.form.get("device", "")
    _, owned = _link_device(pending)
    device = next((d for d in owned if device_id.isascii() and device_id.isdigit() and d["device_id"] == int(device_id)), None)
    if device is None:
        return _link_page(pending, 400, error="error.choose_device")
    try:
        enrollment.sharing_problem(get_db(), g.user["username"], pending["link_username"], device)  # KB2481 (c)
    except enrollment.SharingRefused as refusal:
        return _sharing_refused(refusal, lambda status, key, params: _link_page(pending, status, key,
                                                                               error_params=params))
    _start_device(pending, device)
    return post_redirect("current.other_username")


@bp.post("/settings/secure-login/other-username/resend")
@requires(PORTAL)
@link_step
def other_username_resend(pending):
    device, _ = _link_device(pending)
    if device is None or device["type"] not in devices.CHALLENGED:
        return _link_page(pending, 400, error="error.choose_device")
    _start_device(pending, device)
    return _link_page(enrollment.of_confirmation(get_db(), pending["confirmation_id"]),
                      notice="notice.code_resent" if device["type"] == "sms" else "notice.new_challenge")


@bp.post("/settings/secure-login/other-username/code")
@requires(PORTAL)
@link_step
def other_username_code(pending):
    """The other username's device passed: it now serves this username too."""
    db = get_db()
    device, _ = _link_device(pending)
    if device is None:
        return _link_page(pending, 400, error="error.choose_device")
    # The login's own device step, for the other username: its lock, its count, cleared when it passes.
    answer = None if request.form.get("push") else request.form.get("code", "")[:limits.FIELD]
    refused = checks.device_step(db, g.session["session_id"], pending["link_username"], device, answer, now(),
                                 purpose="link")
    if refused:
        return _link_page(pending, 401, error=refused)
    try:  # KB2481 again: a device or a passcode may have come since the device was chosen
        enrollment.sharing_problem(db, g.user["username"], pending["link_username"], device)
    except enrollment.SharingRefused as refusal:
        return _sharing_refused(refusal, lambda status, key, params: _link_page(pending, status, key,
                                                                               error_params=params))
    if enrollment.needs_review(db, g.user["username"], pending["link_username"]):
        enrollment.ask_review(db, pending, device)
        events.log("device.sharing_in_review", username=g.user["username"], device_type=device["type"])
        return post_redirect("current.secure_login", notice="in_review")
    enrollment.link(db, pending, device)
    events.log("device.shared", username=g.user["username"], device_type=device["type"])
    return post_redirect("current.secure_login", notice="enrolled")
