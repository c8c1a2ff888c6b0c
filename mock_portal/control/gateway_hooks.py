"""The control plane's hooks for the gateway's session as its users fight with it (docs/gateway.md):
a login of the same username elsewhere, the brokerage session going down, a user's login options,
and the phone's answer to an approval in IBKR Mobile. Routes on the hooks' blueprint (the table:
control/__init__.py); their input is checked as routes.py checks its own."""
from flask import jsonify

from .. import scenario, users
from ..db import get_db, transaction
from ..gateway import session as gateway_session
from .routes import BadInput, _json, _text, bp

# The platforms a login elsewhere stands for: the trading platform (TWS), IBKR Mobile, the
# Client Portal in another browser, and another Client Portal Gateway with the same credentials.
PLATFORMS = ("tws", "mobile", "portal", "gateway")


def _username(data, paper_too=False):
    """The body's username, which must name a user (or, with `paper_too`, a paper username)."""
    username = _text(data, "username")
    conn = get_db()
    if users.find(conn, username) is None and not (paper_too and users.find_paper(conn, username) is not None):
        raise BadInput("username must name an existing user" + (" or paper username" if paper_too else ""))
    return username


@bp.post("/login-elsewhere")
def login_elsewhere():
    """{"username": U, "platform": "tws" | "mobile" | "portal" | "gateway"}: U logs in on that
    platform, which takes U's one brokerage session. Answers whether the gateway's session was
    U's, and so shows it competing now."""
    data = _json()
    username = _username(data, paper_too=True)
    if data.get("platform") not in PLATFORMS:
        raise BadInput(f"platform must be one of {', '.join(PLATFORMS)}")
    return jsonify(competing=gateway_session.login_elsewhere(get_db(), username, data["platform"]))


@bp.post("/brokerage-session")
def brokerage_session():
    """{"username": U, "state": "not_up" | "no_session"}: the brokerage session of U's gateway
    session goes down now, as after a login whose brokerage side never came up; ssodh/init or
    reauthenticate brings it back. 409 when the gateway's session is not U's."""
    data = _json()
    username = _username(data, paper_too=True)
    if data.get("state") not in gateway_session.DOWN_ON_PURPOSE:
        raise BadInput(f"state must be one of {', '.join(gateway_session.DOWN_ON_PURPOSE)}")
    if not gateway_session.take_down(get_db(), username, data["state"]):
        return jsonify(error="the gateway's session is not this user's"), 409
    return jsonify(ok=True)


@bp.post("/login-options")
def login_options():
    """{"username": U, and any of the scenario's login options}: what U's next logins meet.
    Answers all of U's options; a bad one changes none."""
    data = _json()
    username = _username(data)
    for key in data:
        if key != "username" and key not in scenario.LOGIN_OPTIONS:
            raise BadInput(f"unknown key {key!r} (login options: {', '.join(scenario.LOGIN_OPTIONS)})")
    options = {key: value for key, value in data.items() if key != "username"}
    problem = next(scenario.option_errors("body", options), None)
    if problem:
        raise BadInput(problem)
    conn = get_db()
    with transaction(conn):
        stored = users.set_login_options(conn, username, **options)
    return jsonify(stored)


@bp.post("/mobile-approval")
def mobile_approval():
    """{"username": U, "decision": "approve" | "deny"}: the phone answers the newest login of U
    waiting for an approval in IBKR Mobile; 404 when none waits."""
    data = _json()
    username = _text(data, "username")
    if not username:
        raise BadInput("username must name the user whose login waits")
    if data.get("decision") not in ("approve", "deny"):
        raise BadInput("decision must be 'approve' or 'deny'")
    conn = get_db()
    answered = conn.execute(
        "UPDATE sessions SET mobile_approval = ? WHERE session_id = (SELECT session_id FROM sessions"
        " WHERE pending_user = ? AND mobile_approval = 'pending' ORDER BY created_at DESC LIMIT 1)",
        ("approved" if data["decision"] == "approve" else "denied", username)).rowcount
    if not answered:
        return jsonify(error="no login of this user is waiting for an approval in IBKR Mobile"), 404
    return jsonify(ok=True)
