"""Test-only hooks, mounted only when the app is configured with TEST_HOOKS (never by default):
reset the state to a scenario, add users, move the clock, read what the UI does not show."""
from flask import Blueprint, abort, current_app, jsonify, request

from . import scenario
from .db import get_db

bp = Blueprint("testing", __name__, url_prefix="/_test")


def _json():
    data = request.get_json(silent=True)
    if data is None:
        abort(400, description="error.http_400")
    return data


def _scenario_error(e):
    return jsonify(error=str(e)), 400


@bp.post("/reset")
def reset():
    """Replace all state with the posted scenario (empty users list allowed)."""
    try:
        scenario.replace(get_db(), _json(), current_app.config["PASSWORD_HASH_METHOD"])
    except scenario.ScenarioError as e:
        return _scenario_error(e)
    current_app.config["CLOCK"].offset = 0.0
    return jsonify(ok=True)


@bp.post("/users")
def add_users():
    try:
        scenario.add_users(get_db(), _json().get("users", []), current_app.config["PASSWORD_HASH_METHOD"])
    except scenario.ScenarioError as e:
        return _scenario_error(e)
    return jsonify(ok=True)


@bp.post("/clock")
def move_clock():
    current_app.config["CLOCK"].advance(float(_json().get("advance", 0)))
    return jsonify(now=current_app.config["CLOCK"].now())


@bp.get("/users/<username>")
def user_state(username):
    db = get_db()
    row = db.execute("SELECT username, account_id, is_primary, locale, sls_opted_out FROM users"
                     " WHERE username = ?", (username,)).fetchone()
    if row is None:
        abort(404)
    audit = [dict(r) for r in db.execute(
        "SELECT at, actor, target, old_state, new_state, path, outcome FROM audit_log"
        " WHERE actor = ? OR target = ? ORDER BY audit_id", (username, username))]
    return jsonify(**{k: row[k] for k in row.keys()}, audit=audit)
