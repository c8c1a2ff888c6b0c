"""The Secure Login System state and the rules for changing it.

Continue records a pending confirmation; only OK on that confirmation changes the stored
state, exactly once. Every change and every refused attempt by a known user is audited.
"""
import json
import secrets

from flask import current_app

from .db import transaction

CONFIRMATION_TTL = 300  # seconds an unanswered confirmation stays valid


class Refused(Exception):
    """A change the rules do not allow; `key` is the catalog message, `status` the HTTP code."""

    def __init__(self, key, status=409):
        super().__init__(key)
        self.key, self.status = key, status


def state_name(opted_out):
    return "opted_out" if opted_out else "enrolled"


def _audit(conn, actor, target, old, new, path, outcome):
    conn.execute(
        "INSERT INTO audit_log (at, actor, target, old_state, new_state, path, outcome)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (current_app.config["CLOCK"].iso(), actor, target, old, new, path, outcome))


def _message(conn, username, key, **params):
    conn.execute("INSERT INTO messages (username, at, key, params) VALUES (?, ?, ?, ?)",
                 (username, current_app.config["CLOCK"].iso(), key, json.dumps(params)))


def may_change(actor, target):
    """Only the account's primary user changes security settings, for any user of the account."""
    return bool(actor["is_primary"]) and actor["account_id"] == target["account_id"]


def allowed_users(conn, account_id):
    return [r["username"] for r in conn.execute(
        "SELECT username FROM users WHERE account_id = ? AND is_primary = 1 ORDER BY username",
        (account_id,))]


def refuse(conn, actor, target_name, path, reason):
    """Record a refused attempt by a known user, then raise."""
    with transaction(conn):
        _audit(conn, actor["username"], target_name, None, None, path, "refused:" + reason)


def start_change(conn, session_id, actor, target_name, new_opted_out, path):
    """Continue: check the rules and record a pending confirmation; return its id."""
    target = conn.execute("SELECT * FROM users WHERE username = ?", (target_name,)).fetchone()
    if target is None or target["account_id"] != actor["account_id"]:
        refuse(conn, actor, target_name, path, "foreign_user")
        raise Refused("error.forbidden", 403)
    if not may_change(actor, target):
        refuse(conn, actor, target_name, path, "not_primary")
        raise Refused("error.not_primary", 403)
    if bool(target["sls_opted_out"]) == bool(new_opted_out):
        raise Refused("error.no_change", 409)
    cid = secrets.token_urlsafe(24)
    with transaction(conn):
        conn.execute(
            "INSERT INTO confirmations (confirmation_id, session_id, actor, target, new_opted_out,"
            " path, boot_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (cid, session_id, actor["username"], target_name, int(new_opted_out), path,
             current_app.config["BOOT_ID"], current_app.config["CLOCK"].now()))
    return cid


def pending(conn, session_id, confirmation_id):
    """The confirmation if this session may still answer it, else None."""
    row = conn.execute("SELECT * FROM confirmations WHERE confirmation_id = ?", (confirmation_id,)).fetchone()
    if row is None or row["session_id"] != session_id or row["state"] != "pending":
        return None
    if row["boot_id"] != current_app.config["BOOT_ID"]:
        return None
    if current_app.config["CLOCK"].now() - row["created_at"] > CONFIRMATION_TTL:
        return None
    return row


def _answerable(conn, session_id, actor, confirmation_id):
    row = conn.execute("SELECT * FROM confirmations WHERE confirmation_id = ?", (confirmation_id,)).fetchone()
    if row is None or row["session_id"] != session_id or row["actor"] != actor["username"]:
        raise Refused("error.confirmation_unknown", 400)
    if row["state"] != "pending":
        raise Refused("error.confirmation_used", 409)
    if pending(conn, session_id, confirmation_id) is None:
        raise Refused("error.confirmation_expired", 409)
    return row


def confirm(conn, session_id, actor, confirmation_id):
    """OK: apply the pending change once, atomically, with its audit row and messages."""
    with transaction(conn):
        row = _answerable(conn, session_id, actor, confirmation_id)
        target = conn.execute("SELECT * FROM users WHERE username = ?", (row["target"],)).fetchone()
        if target is None or not may_change(actor, target):
            raise Refused("error.forbidden", 403)
        old, new = bool(target["sls_opted_out"]), bool(row["new_opted_out"])
        conn.execute("UPDATE confirmations SET state = 'done' WHERE confirmation_id = ?", (confirmation_id,))
        if old == new:
            raise Refused("error.no_change", 409)
        conn.execute("UPDATE users SET sls_opted_out = ? WHERE username = ?", (int(new), target["username"]))
        _audit(conn, actor["username"], target["username"], state_name(old), state_name(new),
               row["path"], "changed")
        key = "message.sls_opted_out" if new else "message.sls_enrolled"
        for who in {actor["username"], target["username"]}:
            _message(conn, who, key, target=target["username"], actor=actor["username"])
    return target["username"], new


def cancel(conn, session_id, actor, confirmation_id):
    """Cancel: the confirmation is spent, nothing else changes."""
    with transaction(conn):
        _answerable(conn, session_id, actor, confirmation_id)
        conn.execute("UPDATE confirmations SET state = 'cancelled' WHERE confirmation_id = ?",
                     (confirmation_id,))
