"""A physical security device from the current revision's Secure Login System (docs/devices.md,
"The article's references"):

    KB1943  Request Physical Device > the shipping address (Change Address) > a 4-digit PIN, twice
            > the account on which the fee is held > Continue > the summary (Back / Continue)
            > the confirmation with the estimated shipping date > OK
            ... the card arrives (a test hook) > Activate: its PIN and the challenge
    KB1861  its fee held as a reserve from the order until it is returned; charged when lost
    KB975   the printable Secure Login Device Return Form > sent back ("in return") > received
            (a test hook): the reserve released

Only a Digital Security Card+ is ordered (KB975: older cards are replaced by one); its challenge
and response are the dsc_plus device type's (mock_portal/login/devices.py).
"""
import base64
import json
import secrets
from datetime import datetime, timedelta, timezone

from flask import Blueprint, abort, current_app, g, redirect, request, url_for

from .. import events, funds, limits, scenario, sls, users
from ..access import DEVICE_ORDER, PORTAL, requires
from ..clock import now
from ..db import get_db, transaction
from ..login import devices
from ..responses import post_redirect, render_page
from .current import current_revision

bp = Blueprint("physical", __name__, url_prefix="/portal/current/settings/secure-login/physical-device")

TYPE = "dsc_plus"
SHIPPING_BUSINESS_DAYS = 5  # the estimated shipping date: no public source gives one (docs/devices.md)
ADDRESS_FIELDS = scenario.ADDRESS_KEYS
# Weak PINs: one digit four times, or four in a row up or down (0123, 9876).
WEAK_PINS = {d * 4 for d in "0123456789"} | {"0123456789"[i:i + 4] for i in range(7)} | \
    {"9876543210"[i:i + 4] for i in range(7)}


def _row(request_id):
    return get_db().execute("SELECT * FROM physical_devices WHERE request_id = ?", (request_id,)).fetchone()


def _by_serial(serial):
    """The logged-in user's physical device of that serial, or 404."""
    row = get_db().execute("SELECT * FROM physical_devices WHERE serial = ? AND username = ?",
                           (serial[:limits.ID], g.user["username"])).fetchone()
    if row is None:
        abort(404)
    return row


def shipping_address(conn, username):
    """The address on file (the scenario's `shipping_address`), or None."""
    row = conn.execute("SELECT shipping_address FROM user_profiles WHERE username = ?", (username,)).fetchone()
    return json.loads(row["shipping_address"]) if row is not None and row["shipping_address"] else None


def eligibility(conn, user):
    """Why `user` may not order a DSC+ now: (catalog key, params), or None. Enrolled first
    (ibkrguides.com), the account's equity (KB1943), one order at a time."""
    if user["sls_opted_out"]:
        return "error.physical_device_enroll_first", {}
    if conn.execute("SELECT 1 FROM physical_devices WHERE username = ? AND state IN ('ordered', 'delivered')",
                    (user["username"],)).fetchone():
        return "error.physical_device_in_progress", {}
    equity = funds.equity(conn, user["account_id"])
    if equity < funds.DSC_PLUS_EQUITY_USD * funds.USD:
        return "error.physical_device_equity", {"required": funds.money(funds.DSC_PLUS_EQUITY_USD * funds.USD),
                                                "equity": funds.money(max(0, equity))}
    return None


def _draft_problem(row):
    """Why this session cannot go on with the request `row`: (catalog key, status) or None."""
    return sls.request_problem(row, ("draft",))


def _open_draft(given):
    """The request the form was opened or sent with (`request` in `given`), while this session may
    go on with it; None otherwise (a new request)."""
    draft = _row(given.get("request", "")[:limits.ID])
    return None if draft is None or _draft_problem(draft) else draft


def _request_page(status=200, error=None, error_params=None, draft=None, change=False, address=None):
    db = get_db()
    user = users.find(db, g.user["username"])
    problem = eligibility(db, user)
    if problem and error is None:
        error, error_params = problem
    on_file = json.loads(draft["address"]) if draft is not None else shipping_address(db, user["username"])
    return render_page("physical/request.html", status, user=user, eligible=problem is None, error=error,
                       error_params=error_params, address=address or on_file or {},
                       has_address=on_file is not None, change=change or on_file is None, draft=draft,
                       fee=funds.money(funds.FEES[TYPE] * funds.USD), ADDRESS_FIELDS=ADDRESS_FIELDS)


@bp.get("")
@requires(PORTAL)
@current_revision
def request_form():
    """Request Physical Device: the address, Change Address (?address=change), the PIN, the account;
    Back from the summary (?request=) brings its address and account."""
    draft = _open_draft(request.args)
    return _request_page(draft=draft, change=request.args.get("address") == "change")


def _typed_pin(raw):
    """A PIN as typed: four ASCII or full-width digits (the login's rule for a typed code)."""
    return devices._digits(raw, 4)


def _address_from_form():
    """The changed address (all its fields), or (None, the refusal) ."""
    address = {key: " ".join(request.form.get(key, "")[:limits.ADDRESS_FIELD].split()) for key in ADDRESS_FIELDS}
    if not all(address.values()):
        return address, "error.address_missing"
    address["country"] = address["country"].upper()
    if not scenario.COUNTRY.match(address["country"]):
        return address, "error.address_country"
    return address, None


@bp.post("")
@requires(DEVICE_ORDER)
@current_revision
def request_continue():
    """Continue: the address, the PIN (twice) and the account checked; the summary comes next.
    Nothing is ordered yet."""
    db = get_db()
    user = users.find(db, g.user["username"])
    draft = _open_draft(request.form)
    changing = "street" in request.form
    address = json.loads(draft["address"]) if draft is not None else shipping_address(db, user["username"])
    page = lambda status, key: _request_page(status, error=key, draft=draft, change=changing,  # noqa: E731
                                             address=typed if changing else None)
    typed = None
    if eligibility(db, user):
        return _request_page(409)
    if changing:
        typed, refused = _address_from_form()
        if refused:
            return page(400, refused)
        address = typed
    if address is None:
        return page(400, "error.address_missing")
    if request.form.get("account") != user["account_id"]:
        return page(400, "error.choose_account")
    pin = _typed_pin(request.form.get("pin", "")[:limits.FIELD])
    if pin is None:
        return page(400, "error.pin_digits")
    if _typed_pin(request.form.get("pin_again", "")[:limits.FIELD]) != pin:
        return page(400, "error.pin_mismatch")
    if pin in WEAK_PINS:
        return page(400, "error.pin_weak")
    config = json.dumps({"type": TYPE, "pin": pin})
    with transaction(db):
        if draft is not None:
            db.execute("UPDATE physical_devices SET address = ?, config = ?, created_at = ? WHERE request_id = ?",
                       (json.dumps(address), config, now(), draft["request_id"]))
            request_id = draft["request_id"]
        else:
            request_id = secrets.token_urlsafe(24)
            db.execute("INSERT INTO physical_devices (request_id, username, account_id, type, fee_cents, config,"
                       " address, session_id, boot_id, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?)",
                       (request_id, user["username"], user["account_id"], TYPE, funds.FEES[TYPE] * funds.USD, config,
                        json.dumps(address), g.session["session_id"], current_app.config["BOOT_ID"], now()))
    return post_redirect("physical.summary", request=request_id)


@bp.get("/summary")
@requires(PORTAL)
@current_revision
def summary():
    """The request as it will be placed: Back (to change it) or Continue."""
    row = _row(request.args.get("request", "")[:limits.ID])
    if row is None:
        return redirect(url_for("physical.request_form"))  # no request to sum up: the form
    if row["state"] == "ordered" and sls.own_request(row):
        return post_redirect("physical.requested", request=row["request_id"])
    problem = _draft_problem(row)
    if problem:
        return _request_page(problem[1], error=problem[0])
    return render_page("physical/summary.html", request_row=row, address=json.loads(row["address"]),
                       fee=funds.money(row["fee_cents"]))


def ships_by(at):
    """The estimated shipping date: SHIPPING_BUSINESS_DAYS weekdays after `at` (UTC)."""
    day, left = datetime.fromtimestamp(at, timezone.utc).date(), SHIPPING_BUSINESS_DAYS
    while left:
        day += timedelta(days=1)
        left -= day.weekday() < 5
    return day.isoformat()


@bp.post("/summary")
@requires(DEVICE_ORDER)
@current_revision
def place_order():
    """The summary's Continue: the order is placed, once; its reserve is held from now (KB1861)."""
    db = get_db()
    request_id = request.form.get("request", "")[:limits.ID]
    with transaction(db):
        row = _row(request_id)
        if sls.own_request(row) and row["state"] != "draft":
            ordered = True  # Continue twice: the first placed it
        else:
            ordered = False
            problem = _draft_problem(row)
            if problem:
                return _request_page(problem[1], error=problem[0])
            user = users.find(db, g.user["username"])
            if eligibility(db, user):
                return _request_page(409)
            secret = base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")
            config = {**json.loads(row["config"]), "card_secret": secret}
            db.execute("UPDATE physical_devices SET state = 'ordered', serial = ?, ordered_at = ?, ships_by = ?,"
                       " config = ?, changed_at = ? WHERE request_id = ? AND state = 'draft'",
                       (scenario.new_serial(), now(), ships_by(now()), json.dumps(config), now(), request_id))
    if not ordered:
        events.log("physical_device.ordered", username=g.user["username"], device_type=TYPE)
    return post_redirect("physical.requested", request=request_id)


@bp.get("/requested")
@requires(PORTAL)
@current_revision
def requested():
    """The confirmation: the serial, the estimated shipping date, the reserve; OK."""
    row = _row(request.args.get("request", "")[:limits.ID])
    if row is None or row["username"] != g.user["username"] or row["state"] == "draft":
        abort(404)
    return render_page("physical/requested.html", device=row, fee=funds.money(row["fee_cents"]))


# --- the card arrives: Activate with its PIN and the challenge -------------------------------------

@bp.post("/<serial>/activate")
@requires(DEVICE_ORDER)
@current_revision
def activation_start(serial):
    """Activate: a challenge for the card (issued by this POST, never by a GET)."""
    row = _by_serial(serial)
    if row["state"] == "active":
        return post_redirect("current.secure_login", notice="activated")
    if row["state"] != "delivered":
        return _activation_page(row, 409, error="error.physical_device_not_delivered")
    _new_challenge(row)
    return post_redirect("physical.activation", serial=row["serial"])


def _new_challenge(row):
    get_db().execute("UPDATE physical_devices SET challenge = ? WHERE request_id = ?",
                     (f"{secrets.randbelow(10**6):06d}", row["request_id"]))


def _activation_page(row, status=200, error=None):
    row = _row(row["request_id"])
    return render_page("physical/activate.html", status, device=row, error=error)


@bp.get("/<serial>/activate")
@requires(PORTAL)
@current_revision
def activation(serial):
    row = _by_serial(serial)
    if row["state"] == "active":
        return redirect(url_for("current.secure_login"))
    return _activation_page(row)


@bp.post("/<serial>/activate/response")
@requires(DEVICE_ORDER)
@current_revision
def activation_response(serial):
    """The card's response to the challenge with its PIN: the card is now one of the user's devices.
    A wrong response spends the challenge; a second submit of a right one finds it active."""
    db = get_db()
    row = _by_serial(serial)
    if row["state"] == "active":
        return post_redirect("current.secure_login", notice="activated")
    if row["state"] != "delivered":
        return _activation_page(row, 409, error="error.physical_device_not_delivered")
    if not row["challenge"]:
        return _activation_page(row, 400, error="error.code_no_challenge")
    config = json.loads(row["config"])
    typed = devices._digits(request.form.get("code", "")[:limits.FIELD], 8)
    expected = devices.dsc_response(config["card_secret"], config["pin"], row["challenge"])
    if typed is None or not secrets.compare_digest(typed, expected):
        _new_challenge(row)
        events.log("physical_device.activation_refused", username=g.user["username"])
        return _activation_page(row, 401, error="error.code_invalid")
    with transaction(db):
        still = db.execute("SELECT state FROM physical_devices WHERE request_id = ?", (row["request_id"],)).fetchone()
        if still["state"] == "delivered":
            device_id = db.execute("INSERT INTO devices (username, type, config) VALUES (?, ?, ?)",
                                   (row["username"], TYPE, json.dumps({"type": TYPE, "card_secret": config["card_secret"],
                                                                       "pin": config["pin"]}))).lastrowid
            db.execute("UPDATE physical_devices SET state = 'active', device_id = ?, challenge = NULL, changed_at = ?"
                       " WHERE request_id = ?", (device_id, now(), row["request_id"]))
    events.log("physical_device.activated", username=g.user["username"], device_type=TYPE)
    return post_redirect("current.secure_login", notice="activated")


# --- KB975: the return form, and sending the device back -------------------------------------------

RETURNABLE = ("delivered", "active")


@bp.get("/<serial>/return")
@requires(PORTAL)
@current_revision
def return_form(serial):
    """The Secure Login Device Return Form, to print and pack with the device."""
    row = _by_serial(serial)
    if row["state"] == "ordered":
        abort(404)  # not received yet: nothing to send back
    return _return_page(row)


def _return_page(row, status=200, error=None):
    db = get_db()
    user = users.find(db, row["username"])
    address = json.loads(row["address"]) if row["address"] else shipping_address(db, user["username"])
    return render_page("physical/return_form.html", status, device=row, user=user, address=address,
                       returnable=row["state"] in RETURNABLE, fee=funds.money(row["fee_cents"]), error=error)


@bp.post("/<serial>/return")
@requires(DEVICE_ORDER)
@current_revision
def send_back(serial):
    """"I have sent the device": it no longer logs in, and is "in return" until it is received."""
    db = get_db()
    row = _by_serial(serial)
    if row["state"] in ("in_return", "returned"):
        return post_redirect("current.secure_login", notice="sent_back")
    if row["state"] not in RETURNABLE:
        abort(404)
    with transaction(db):
        if row["device_id"] is not None:
            owned = devices.devices_of(db, row["username"])
            if [d["device_id"] for d in owned] == [row["device_id"]]:
                return _return_page(row, 409, error="error.last_device")
            db.execute("DELETE FROM devices WHERE device_id = ?", (row["device_id"],))
        db.execute("UPDATE physical_devices SET state = 'in_return', changed_at = ? WHERE request_id = ?"
                   " AND state IN ('delivered', 'active')", (now(), row["request_id"]))
    events.log("physical_device.sent_back", username=g.user["username"], device_type=row["type"])
    return post_redirect("current.secure_login", notice="sent_back")


# --- what the help desk and the warehouse do (mock_portal/control/references_hooks.py) --------------

class NotPossible(Exception):
    """A hook's request the device's state does not allow; the message says why."""


def deliver(conn, username):
    """The ordered card arrives: (serial, card_secret), or None when none is on its way."""
    with transaction(conn):
        row = conn.execute("SELECT * FROM physical_devices WHERE username = ? AND state = 'ordered'"
                           " ORDER BY ordered_at DESC LIMIT 1", (username,)).fetchone()
        if row is None:
            return None
        conn.execute("UPDATE physical_devices SET state = 'delivered', changed_at = ? WHERE request_id = ?",
                     (now(), row["request_id"]))
    return row["serial"], json.loads(row["config"])["card_secret"]


def receive(conn, serial):
    """The returned device is received: the reserve is released (KB975, KB1861)."""
    with transaction(conn):
        row = conn.execute("SELECT * FROM physical_devices WHERE serial = ?", (serial,)).fetchone()
        if row is None:
            return None
        if row["state"] != "in_return":
            raise NotPossible(f"the device {serial} is {row['state']}, not in return")
        conn.execute("UPDATE physical_devices SET state = 'returned', changed_at = ? WHERE request_id = ?",
                     (now(), row["request_id"]))
        sls._message(conn, row["username"], "message.physical_device_received", serial=serial)
    return row


def report_lost(conn, serial):
    """The holder reports the device lost (by phone, KB70): it logs in no more, its fee is charged."""
    with transaction(conn):
        row = conn.execute("SELECT * FROM physical_devices WHERE serial = ?", (serial,)).fetchone()
        if row is None:
            return None
        if row["state"] not in ("ordered", "delivered", "active"):
            raise NotPossible(f"the device {serial} is {row['state']}: only a device held or on its way is lost")
        if row["device_id"] is not None:
            conn.execute("DELETE FROM devices WHERE device_id = ?", (row["device_id"],))
        conn.execute("UPDATE physical_devices SET state = 'lost', changed_at = ? WHERE request_id = ?",
                     (now(), row["request_id"]))
        sls._message(conn, row["username"], "message.physical_device_lost", serial=serial,
                     fee=funds.money(row["fee_cents"], users.find(conn, row["username"])["locale"]))
    return row
