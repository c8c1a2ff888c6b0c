"""Withdrawals and their limits by security device (KB1131, KB2895), from the account screen of the
seed revision and the current revision's Secure Login System (its Withdrawal Limits page):

    the form (amount, currency, the device that authenticates it) > Continue > the confirmation
    (OK / Cancel) > that device's code step > accepted, or refused above its limit

Nothing is stored but the open request until the device passes; the limits are checked at
Continue and again, atomically, when the device has passed (mock_portal/funds.py). Each screen
speaks the user's revision: the seed's left menu or the current revision's User menu.
"""
import secrets

from flask import Blueprint, current_app, g, redirect, request, url_for

from .. import events, funds, limits, sls, users
from ..access import PORTAL, requires
from ..clock import now
from ..db import get_db, transaction
from ..i18n import current_lang, translate
from ..login import checks, devices
from ..responses import post_redirect, render_page

bp = Blueprint("withdrawals", __name__)

FORM = "/portal/account/withdrawal"
CURRENCIES = ("USD",)  # the limits are in US dollars; the kit holds no exchange rates


def _current(username):
    return users.revision_of(get_db(), username) == "current"


def layout():
    """The frame of the user's revision: the seed's left menu, or the current revision's User menu."""
    return "current/base.html" if _current(g.user["username"]) else "seed/base.html"


def _limit_text(cents):
    return translate("funds.unlimited") if cents is None else funds.money(cents)


def limit_rows(conn, user):
    """The withdrawal limits the user meets, a row per device held (KB1131), or the one "no
    device" row while opted out: {name, day, five_days}."""
    if user["sls_opted_out"]:
        day, five = funds.limits_of(funds.NO_DEVICE)
        return [{"name": translate("funds.device.none"), "day": _limit_text(day), "five_days": _limit_text(five)}]
    rows = []
    for device in devices.devices_of(conn, user["username"]):
        day, five = funds.limits_of(device["type"])
        rows.append({"name": devices.name(device), "day": _limit_text(day), "five_days": _limit_text(five)})
    return rows


def funds_context(conn, user):
    """What parts/funds.html shows: the limits by device and the account's money."""
    return {"limit_rows": limit_rows(conn, user), "opted_out": bool(user["sls_opted_out"]),
            "funds": funds.summary(conn, user["account_id"], now())}


def _done(notice):
    """Where an accepted withdrawal lands: the screen its user came from."""
    if _current(g.user["username"]):
        return post_redirect("withdrawals.limits_page", notice=notice)
    return post_redirect("seed.account", notice=notice)


# --- the current revision's Withdrawal Limits page ----------------------------------------------

NOTICES = {"withdrawn": "notice.withdrawal_accepted", "already_withdrawn": "notice.withdrawal_already_accepted",
           "cancelled": "notice.withdrawal_cancelled"}


@bp.get("/portal/current/settings/secure-login/withdrawal-limits")
@requires(PORTAL)
def limits_page():
    """Secure Login System > Withdrawal Limits (the Account Management help's path)."""
    if not _current(g.user["username"]):
        return redirect(url_for("seed.account"))
    user = users.find(get_db(), g.user["username"])
    return render_page("withdrawals/limits.html", **funds_context(get_db(), user),
                       notice=NOTICES.get(request.args.get("notice")))


# --- the request: the form, Continue, the confirmation ------------------------------------------

def _form_page(status=200, error=None, error_params=None, confirmation=None, amount="", device_id=None):
    db = get_db()
    user = users.find(db, g.user["username"])
    owned = devices.devices_of(db, user["username"])
    summary = None
    if confirmation is not None:
        device = next((d for d in owned if d["device_id"] == confirmation["device_id"]), None)
        day, five = funds.limits_of(funds.limit_key(device["type"], user["sls_opted_out"])) if device else (None, None)
        summary = {"amount": funds.money(confirmation["amount_cents"]), "device": devices.name(device) if device else "",
                   "day": _limit_text(day), "five_days": _limit_text(five)}
        device_id = confirmation["device_id"]
        amount = f"{confirmation['amount_cents'] / funds.USD:.2f}"
    return render_page("withdrawals/request.html", status, layout=layout(), section="account", user=user,
                       devices=owned, currencies=CURRENCIES, amount=amount, device_id=device_id, error=error,
                       error_params=error_params, confirmation=confirmation, summary=summary,
                       funds=funds.balance(db, user["account_id"]),
                       notice=NOTICES.get(request.args.get("notice")))


def _find(withdrawal_id):
    return get_db().execute("SELECT * FROM withdrawals WHERE withdrawal_id = ?", (withdrawal_id,)).fetchone()


def _problem(row, states=("confirming",), since="created_at"):
    """Why this session cannot answer the withdrawal `row` now: (catalog key, status) or None."""
    return sls.request_problem(row, states, since)


def _form_id(name):
    return request.values.get(name, "")[:limits.ID]


@bp.get(FORM)
@requires(PORTAL)
def request_form():
    """The form; with ?confirmation= the confirmation its Continue opened."""
    cid = _form_id("confirmation")
    if not cid:
        return _form_page()
    row = _find(cid)
    problem = _problem(row)
    return _form_page(problem[1], error=problem[0]) if problem else _form_page(confirmation=row)


@bp.post(FORM)
@requires(PORTAL)
def request_continue():
    """Continue: the amount, the currency and the device checked, then a confirmation; nothing
    is withdrawn yet."""
    db = get_db()
    user = users.find(db, g.user["username"])
    raw = request.form.get("amount", "")[:limits.FIELD]
    chosen = request.form.get("device", "")[:limits.ID]
    chosen_id = int(chosen) if chosen.isascii() and chosen.isdigit() else None
    page = lambda status, key, params=None: _form_page(  # noqa: E731
        status, error=key, error_params=params, amount=raw, device_id=chosen_id)
    amount, refused = funds.parse_amount(raw)
    if refused:
        return page(400, refused, {"max": funds.money(10**funds.MAX_AMOUNT_DIGITS * funds.USD - 1)})
    if request.form.get("currency") not in CURRENCIES:
        return page(400, "error.currency_unknown")
    device = next((d for d in devices.devices_of(db, user["username"]) if d["device_id"] == chosen_id), None)
    if device is None:
        return page(400, "error.choose_device")
    over = funds.over_limit(db, user["account_id"], funds.limit_key(device["type"], user["sls_opted_out"]),
                            amount, now())
    if over:
        events.log("withdrawal.refused", username=user["username"], reason=over[0].removeprefix("error."))
        return page(409, over[0], {**over[1], "device": _limits_name(device, user)})
    withdrawal_id = secrets.token_urlsafe(24)
    with transaction(db):
        db.execute("INSERT INTO withdrawals (withdrawal_id, session_id, username, account_id, amount_cents, currency,"
                   " device_id, boot_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (withdrawal_id, g.session["session_id"], user["username"], user["account_id"], amount, "USD",
                    device["device_id"], current_app.config["BOOT_ID"], now()))
    return post_redirect("withdrawals.request_form", confirmation=withdrawal_id)


def _limits_name(device, user):
    """Whose limits a refusal names: the device's, or "no security device" while opted out."""
    return translate("funds.device.none") if user["sls_opted_out"] else devices.name(device)


def _answered(row):
    """A second OK or code of this session's own request: where the first one led."""
    if sls.own_request(row):
        if row["state"] == "accepted":
            return _done("already_withdrawn")
        if row["state"] == "authenticating":
            return post_redirect("withdrawals.authenticate", withdrawal=row["withdrawal_id"])
    return None


def _target_problem(row):
    target = request.form.get("target")
    if target is not None and row is not None and target[:limits.ID] != row["username"]:
        return "error.target_mismatch", 403
    return None


@bp.post(f"{FORM}/confirm")
@requires(PORTAL)
def request_confirm():
    """OK: on to the device that authenticates the withdrawal (its challenge or text is issued now)."""
    db = get_db()
    row = _find(_form_id("confirmation"))
    again = _answered(row)
    if again is not None:
        return again
    problem = _problem(row) or _target_problem(row)
    if problem:
        return _form_page(problem[1], error=problem[0])
    device = _device_of(row)
    if device is None:  # removed since Continue
        return _form_page(409, error="error.device_unknown")
    with transaction(db):
        moved = db.execute("UPDATE withdrawals SET state = 'authenticating', confirmed_at = ? WHERE withdrawal_id = ?"
                           " AND state = 'confirming'", (now(), row["withdrawal_id"])).rowcount
    if moved:
        devices.start(db, g.session["session_id"], device, now(), current_lang())
    return post_redirect("withdrawals.authenticate", withdrawal=row["withdrawal_id"])


@bp.post(f"{FORM}/cancel")
@requires(PORTAL)
def request_cancel():
    """Cancel: the request is spent, nothing else changes."""
    db = get_db()
    row = _find(_form_id("confirmation"))
    problem = _problem(row, states=("confirming", "authenticating")) or _target_problem(row)
    if problem:
        return _form_page(problem[1], error=problem[0])
    with transaction(db):
        db.execute("UPDATE withdrawals SET state = 'cancelled' WHERE withdrawal_id = ? AND state IN"
                   " ('confirming', 'authenticating')", (row["withdrawal_id"],))
    return post_redirect("withdrawals.request_form", notice="cancelled")


# --- the device that authenticates it ------------------------------------------------------------

def _device_of(row):
    return next((d for d in devices.devices_of(get_db(), g.user["username"]) if d["device_id"] == row["device_id"]),
                None)


def _code_page(row, status=200, error=None, notice=None):
    device = _device_of(row)
    if device is None:
        return _form_page(409, error="error.device_unknown")
    challenge = devices.current_challenge(get_db(), g.session["session_id"], device)
    return render_page("withdrawals/authenticate.html", status, layout=layout(), section="account",
                       withdrawal=row, amount=funds.money(row["amount_cents"]), device=device, challenge=challenge,
                       error=error, notice=notice)


@bp.get(f"{FORM}/authenticate")
@requires(PORTAL)
def authenticate():
    row = _find(_form_id("withdrawal"))
    if row is None:
        return redirect(url_for("withdrawals.request_form"))  # nothing to authenticate: the form
    if row["state"] == "accepted" and (done := _answered(row)) is not None:
        return done
    problem = _problem(row, states=("authenticating",), since="confirmed_at")
    return _form_page(problem[1], error=problem[0]) if problem else _code_page(row)


@bp.post(f"{FORM}/authenticate")
@requires(PORTAL)
def authenticate_submit():
    """The device passed: the withdrawal is accepted, once, if its limits still allow it."""
    db = get_db()
    row = _find(_form_id("withdrawal"))
    if row is not None and row["state"] == "accepted" and (done := _answered(row)) is not None:
        return done  # the same code sent twice: the first was accepted
    problem = _problem(row, states=("authenticating",), since="confirmed_at")
    if problem:
        return _form_page(problem[1], error=problem[0])
    device = _device_of(row)
    if device is None:
        return _form_page(409, error="error.device_unknown")
    answer = None if request.form.get("push") else request.form.get("code", "")[:limits.FIELD]
    refused = checks.device_step(db, g.session["session_id"], g.user["username"], device, answer, now(),
                                 purpose="withdrawal")
    if refused:
        return _code_page(row, 401, error=refused)
    user = users.find(db, g.user["username"])
    over = funds.accept(db, row["withdrawal_id"], funds.limit_key(device["type"], user["sls_opted_out"]), now())
    if over:
        events.log("withdrawal.refused", username=user["username"], reason=over[0].removeprefix("error."))
        return _form_page(409, error=over[0], error_params={**over[1], "device": _limits_name(device, user)})
    events.log("withdrawal.accepted", username=user["username"], device_type=device["type"])
    return _done("withdrawn")


@bp.post(f"{FORM}/authenticate/resend")
@requires(PORTAL)
def authenticate_resend():
    """A new text or challenge: the previous one stops working."""
    row = _find(_form_id("withdrawal"))
    problem = _problem(row, states=("authenticating",), since="confirmed_at")
    if problem:
        return _form_page(problem[1], error=problem[0])
    device = _device_of(row)
    if device is None or device["type"] not in devices.CHALLENGED:
        return _code_page(row, 400, error="error.choose_device")
    devices.start(get_db(), g.session["session_id"], device, now(), current_lang())
    return _code_page(row, notice="notice.code_resent" if device["type"] == "sms" else "notice.new_challenge")
