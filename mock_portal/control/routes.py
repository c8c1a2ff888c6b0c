"""The control plane's routes under /_test/ (the table: mock_portal/control/__init__.py).

They check their input as the scenario loader does: a body that is not a JSON object, a field of
the wrong type, a number that is not finite or out of range get 400 and a one-line reason
({"error": ...}); nothing they accept can make a later request fail."""
import hmac
import math
import re

from flask import Blueprint, abort, current_app, jsonify, request

from .. import scenario, sls
from ..access import TEST_HOOK, blueprint_rule
from ..clock import now_for
from ..db import get_db
from ..login import devices
from ..screens import enrollment
from . import faults, journal

bp = Blueprint("hooks", __name__, url_prefix="/_test")
blueprint_rule(bp, TEST_HOOK)  # mounted only when asked for; open to the test suite that asked


MAX_ADVANCE = 100 * 365 * 24 * 3600  # the clock moves forward, at most a century ahead of real time


class BadInput(ValueError):
    """A hook's input it refuses; the message is the one line answered with 400."""


@bp.errorhandler(BadInput)
@bp.errorhandler(scenario.ScenarioError)
@bp.errorhandler(faults.BadFault)
def _bad_input(e):
    return jsonify(error=str(e)), 400


KEY_HEADER = "X-Slskit-Test-Hooks-Key"


@bp.record_once
def _with_journal_and_faults(state):
    """The hooks come with their journal and faults, also on an app that mounts this blueprint
    itself (create_app sets them up earlier, right after the session is known)."""
    if "slskit_journal" not in state.app.extensions:
        journal.init_app(state.app)
        faults.init_app(state.app)


@bp.before_request
def _require_key():
    """With TEST_HOOKS_KEY (a portal served beyond loopback: mock_portal/serving/), every hook
    call carries it; compared in constant time."""
    key = current_app.config["TEST_HOOKS_KEY"]
    if key is None:
        return None
    given = request.headers.get(KEY_HEADER, "")
    if not hmac.compare_digest(given.encode("utf-8", "surrogatepass"), key.encode("utf-8")):
        return jsonify(error=f"the test hooks need their key in the {KEY_HEADER} header"), 401
    return None


def _json():
    """The body as a JSON object."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        data = None
    if not isinstance(data, dict):
        raise BadInput("the body must be a JSON object (Content-Type: application/json)")
    return data


def _text(data, name):
    value = data.get(name, "")
    if not isinstance(value, str):
        raise BadInput(f"{name} must be a string")
    return value


@bp.post("/reset")
def reset():
    """Replace all state with the posted scenario (empty users list allowed)."""
    scenario.replace(get_db(), _json(), current_app.config["PASSWORD_HASH_METHOD"])
    current_app.config["CLOCK"].reset()
    journal.of().clear()
    faults.of().remove()
    for part in ("slskit_stubs", "slskit_pacing"):  # the scripted answers; the gateway's pacing
        if part in current_app.extensions:
            current_app.extensions[part].clear()
    return jsonify(ok=True)


@bp.post("/users")
def add_users():
    scenario.add_users(get_db(), _json().get("users", []), current_app.config["PASSWORD_HASH_METHOD"])
    return jsonify(ok=True)


@bp.post("/clock")
def move_clock():
    """{"advance": seconds, "username": ...}: move that user's time only (suites sharing a
    portal stay apart), or everyone's without a username. Answers the user's now and offset,
    which their device emulators take over."""
    data, clock = _json(), current_app.config["CLOCK"]
    advance, username = data.get("advance", 0), data.get("username")
    if isinstance(advance, bool) or not isinstance(advance, (int, float)) or not math.isfinite(advance):
        return jsonify(error="advance must be a number of seconds"), 400
    if username is not None and (not isinstance(username, str) or sls.user_state(get_db(), username) is None):
        return jsonify(error="username must name an existing user"), 400
    ahead = clock.offset_for(username) if username is not None else \
        max([clock.offset] + [clock.offset_for(u) for u in list(clock.user_offsets)])
    if advance < 0 or ahead + advance > MAX_ADVANCE:
        return jsonify(error=f"advance must be 0 or more, and the clock at most {MAX_ADVANCE} seconds"
                             " (a century) ahead"), 400
    clock.advance(float(advance), username)
    return jsonify(now=clock.now_for(username), offset=clock.offset_for(username))


@bp.get("/users/<username>")
def user_state(username):
    state = sls.user_state(get_db(), username)
    if state is None:
        abort(404)
    return jsonify(state)


# Playing the user's devices: the phone that receives the SMS and answers the IB Key
# notification, and the help desk that issues a temporary passcode (KB69).

@bp.get("/sms")
def sms_outbox():
    """The texts "sent" to ?phone=, newest first: what the phone shows."""
    rows = get_db().execute("SELECT body, code, at FROM sms_outbox WHERE phone = ? ORDER BY sms_id DESC",
                            (request.args.get("phone", ""),)).fetchall()
    return jsonify(messages=[dict(r) for r in rows])


@bp.post("/ibkey/push")
def ibkey_push():
    """{"username": ..., "decision": "approve" | "deny"}: answer the pending notification."""
    data = _json()
    username = _text(data, "username")
    if data.get("decision") not in ("approve", "deny"):
        return jsonify(error="decision must be 'approve' or 'deny'"), 400
    if not devices.answer_push(get_db(), username, data["decision"]):
        return jsonify(error="no pending IB Key notification for this user"), 404
    return jsonify(ok=True)


@bp.get("/users/<username>/devices")
def user_devices(username):
    """The user's security devices (secrets left out) and every username each serves."""
    conn = get_db()
    return jsonify(devices=[{"device_id": d["device_id"], "type": d["type"], "usernames": enrollment.holders(conn, d)}
                            for d in devices.devices_of(conn, username)])


@bp.post("/ibkey/activate")
def ibkey_activate():
    """{"activation_code": ...}: IBKR Mobile activates IB Key with the code the portal shows
    (as text and in its QR code); answers the new device's secret, which the phone keeps."""
    activated = enrollment.activate_ibkey(get_db(), _text(_json(), "activation_code"))
    if activated is None:
        return jsonify(error="no IB Key activation is waiting for this code"), 404
    username, secret = activated
    return jsonify(username=username, ibkey_secret=secret)


@bp.post("/temporary-passcode")
def temporary_passcode():
    """{"username": ...}: issue a temporary passcode; 409 when the rules refuse one now."""
    try:
        username = _text(_json(), "username")
        passcode = devices.issue_temporary_passcode(get_db(), username,
                                                    now_for(username))
    except devices.NotIssued as e:
        return jsonify(error=str(e)), 409
    return jsonify(passcode=passcode)


# The request journal and faults on purpose (journal.py, faults.py).

def _since():
    raw = request.args.get("since")
    if raw is None:
        return None
    try:
        since = float(raw)
    except ValueError:
        raise BadInput("since must be epoch seconds (a journal entry's `at`)") from None
    if not math.isfinite(since):
        raise BadInput("since must be epoch seconds (a journal entry's `at`)")
    return since


@bp.get("/requests")
def requests_made():
    """?username=&method=&path=&since=: the journal's entries, oldest first (newest last); `path`
    exact, or a regular expression starting with ^."""
    args = request.args
    try:
        entries = journal.of().query(args.get("username"), args.get("method"), args.get("path"), _since())
    except re.error as e:
        raise BadInput(f"path is not a regular expression ({e})") from None
    return jsonify(requests=entries)


@bp.delete("/requests")
def forget_requests():
    """?username=: forget that user's entries (all without it)."""
    journal.of().clear(request.args.get("username"))
    return jsonify(ok=True)


@bp.post("/faults")
def add_fault():
    fault = faults.of().add(_json())
    return jsonify(id=fault["id"]), 201


@bp.get("/faults")
def faults_listed():
    return jsonify(faults=faults.of().listed(request.args.get("username")))


@bp.delete("/faults")
def remove_faults():
    """?username=: remove that user's faults (all without it)."""
    return jsonify(removed=faults.of().remove(username=request.args.get("username")))


@bp.delete("/faults/<fault_id>")
def remove_fault(fault_id):
    if not faults.of().remove(fault_id=fault_id):
        return jsonify(error="no such fault"), 404
    return jsonify(removed=1)
