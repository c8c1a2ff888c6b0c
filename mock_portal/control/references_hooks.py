"""The control plane's hooks for what the article's references describe (docs/devices.md, "The
article's references"): compliance deciding a request to share a device (KB2481), the warehouse
delivering a Digital Security Card+ and receiving one sent back (KB1943, KB975), the help desk
taking a report of a lost one (KB1861), and a user's money as the portal holds it.

They take and answer JSON as the other hooks do (routes.py): bad input is a 400 with one line."""
from flask import jsonify

from .. import funds
from ..clock import now_for
from ..db import get_db
from ..screens import enrollment, physical_devices
from ..users import find
from .routes import _json, _text, bp


@bp.post("/sharing-requests/review")
def review_sharing_request():
    """{"username", "decision": "approve" | "decline"}: compliance decides the username's request
    to share a device that waits for review; 404 without one, 409 when an approval fails a
    KB2481 condition now (nothing is decided)."""
    data = _json()
    username = _text(data, "username")
    if data.get("decision") not in ("approve", "decline"):
        return jsonify(error="decision must be 'approve' or 'decline'"), 400
    try:
        decided = enrollment.decide_review(get_db(), username, data["decision"], now_for(username))
    except enrollment.SharingRefused as refusal:
        return jsonify(error=f"the request fails a condition now: {refusal.reason}", reason=refusal.reason), 409
    if decided is None:
        return jsonify(error="no request of this user waits for review"), 404
    return jsonify(ok=True, state="approved" if data["decision"] == "approve" else "declined")


@bp.post("/physical-devices/deliver")
def deliver_physical_device():
    """{"username"}: the card the user ordered arrives; answers its serial and the secret the card
    holds (the person's emulator needs it, with the PIN they chose)."""
    delivered = physical_devices.deliver(get_db(), _text(_json(), "username"))
    if delivered is None:
        return jsonify(error="no device of this user is on its way"), 404
    serial, card_secret = delivered
    return jsonify(serial=serial, card_secret=card_secret)


def _by_serial(action):
    try:
        row = action(get_db(), _text(_json(), "serial"))
    except physical_devices.NotPossible as e:
        return jsonify(error=str(e)), 409
    if row is None:
        return jsonify(error="no device has this serial"), 404
    return jsonify(ok=True, serial=row["serial"])


@bp.post("/physical-devices/receive")
def receive_physical_device():
    """{"serial"}: the device sent back is received; its reserve is released."""
    return _by_serial(physical_devices.receive)


@bp.post("/physical-devices/lost")
def lose_physical_device():
    """{"serial"}: the holder reports it lost; it logs in no more and its fee is charged."""
    return _by_serial(physical_devices.report_lost)


@bp.get("/users/<username>/funds")
def user_funds(username):
    """The user's account's money and physical devices, in US cents: what the account screen
    shows, for a test to check that a refusal changed nothing."""
    conn = get_db()
    user = find(conn, username)
    if user is None:
        return jsonify(error="no such user"), 404
    summary = funds.summary(conn, user["account_id"], now_for(username))
    return jsonify(
        account_id=user["account_id"], equity_cents=summary["equity"], reserved_cents=summary["reserved"],
        available_cents=summary["available"], withdrawn_day_cents=summary["withdrawn_day"],
        withdrawn_five_days_cents=summary["withdrawn_five_days"],
        withdrawals=[{"amount_cents": r["amount_cents"], "state": r["state"], "limit_key": r["limit_key"]}
                     for r in conn.execute("SELECT * FROM withdrawals WHERE username = ? ORDER BY created_at",
                                           (username,))],
        physical_devices=[{"serial": r["serial"], "type": r["type"], "state": r["state"], "ships_by": r["ships_by"],
                           "account_id": r["account_id"], "fee_cents": r["fee_cents"],
                           "reserve": "held" if r["state"] in funds.HELD else
                           {"lost": "charged", "returned": "released"}.get(r["state"])}
                          for r in conn.execute("SELECT * FROM physical_devices WHERE username = ? AND state != 'draft'"
                                                " ORDER BY created_at, serial", (username,))],
        refusals=[dict(r) for r in conn.execute("SELECT outcome, path, repeats FROM audit_log WHERE actor = ? AND"
                                                " outcome LIKE 'refused:%' ORDER BY audit_id", (username,))])
