"""The Secure Login System state and the rules for changing it.

Continue records a pending confirmation; only OK on that confirmation changes the stored
state, exactly once. Every change and every refused attempt by a known user is audited.
"""
import json
import secrets

from flask import current_app, g

from . import users
from .clock import now
from .db import transaction

CONFIRMATION_TTL = 300  # seconds an unanswered confirmation stays valid
# Refusals fold (refuse()): a repeat within this long of a row's last one counts on that row, and
# once a user's refusals made REFUSED_ROWS rows within REFUSED_ROWS_WINDOW, the rest of one reason
# and path count on the newest such row, however old: at most REFUSED_ROWS new rows an hour.
REFUSAL_FOLD_SECONDS = 600
REFUSED_ROWS = 10
REFUSED_ROWS_WINDOW = 3600
# Where a change was made, as the audit log records it: the seed revision's Secure Login Settings, the
# classic portal's SLS Opt Out page, the current revision's Secure Login System page.
PATHS = ("seed", "classic", "current")
# Every reason a refusal is audited with; each has an audit.outcome.refused.<reason> catalog key.
REFUSAL_REASONS = ("not_primary", "foreign_user", "target_mismatch", "no_change", "confirmation_unknown",
                   "confirmation_used", "confirmation_expired", "session_expired", "device_required",
                   "enroll_with_device", "not_same_person", "temporary_device", "less_secure_device")


class Refused(Exception):
    """A change the rules do not allow; `key` is the catalog message, `status` the HTTP code,
    `reason` what the audit row records."""

    def __init__(self, key, status=409, reason=None, target=None):
        super().__init__(key)
        self.key, self.status, self.reason, self.target = key, status, reason, target


class AlreadyDone(Exception):
    """OK again on a confirmation this session's OK already carried out (a double submit, a retry
    after a connection dropped once the change was made): the same request twice, not a refused
    attempt. Nothing changes, nothing more is audited; the screen says the change was made."""


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


def account_users(conn, account_id):
    return conn.execute("SELECT * FROM users WHERE account_id = ? ORDER BY is_primary DESC, username",
                        (account_id,)).fetchall()


def refuse(conn, actor_name, target_name, path, reason):
    """Record a refused attempt by a known user (the caller raises). Every attempt is counted,
    but a client that keeps being refused cannot grow the log: a repeat (same target, path and
    reason within REFUSAL_FOLD_SECONDS of the row's last one) adds to that row's `repeats` and
    `last_at`; and once the user's refusals made REFUSED_ROWS rows within REFUSED_ROWS_WINDOW, a
    refusal of the same reason and path counts on the newest such row, however old, whatever the
    target (a form may name any; the row keeps the first). So at most REFUSED_ROWS new rows a user
    an hour, plus one per reason and path never refused before."""
    clock = current_app.config["CLOCK"]
    target, outcome = target_name or actor_name, "refused:" + reason
    refused = "actor = ? AND outcome LIKE 'refused:%'"
    now = clock.now()
    with transaction(conn):
        row = conn.execute(f"SELECT audit_id FROM audit_log WHERE {refused} AND COALESCE(last_at, at) >= ?"
                           " AND target = ? AND path = ? AND outcome = ? ORDER BY audit_id DESC LIMIT 1",
                           (actor_name, clock.iso(now - REFUSAL_FOLD_SECONDS), target, path, outcome)).fetchone()
        if row is None and conn.execute(f"SELECT COUNT(*) FROM audit_log WHERE {refused} AND at >= ?",
                                        (actor_name, clock.iso(now - REFUSED_ROWS_WINDOW))).fetchone()[0] >= REFUSED_ROWS:
            row = conn.execute(f"SELECT audit_id FROM audit_log WHERE {refused} AND path = ? AND outcome = ?"
                               " ORDER BY audit_id DESC LIMIT 1", (actor_name, path, outcome)).fetchone()
        if row is None:
            _audit(conn, actor_name, target, None, None, path, outcome)
        else:
            conn.execute("UPDATE audit_log SET repeats = repeats + 1, last_at = ? WHERE audit_id = ?",
                         (clock.iso(), row["audit_id"]))


def check_permission(conn, actor, target_name, path):
    """Raise (after auditing) unless `actor` may change `target_name`'s setting; return the target."""
    target = users.find(conn, target_name)
    if target is None or target["account_id"] != actor["account_id"]:
        refuse(conn, actor["username"], target_name, path, "foreign_user")
        raise Refused("error.forbidden", 403, "foreign_user", target_name)
    if not may_change(actor, target):
        refuse(conn, actor["username"], target_name, path, "not_primary")
        raise Refused("error.not_primary", 403, "not_primary", target_name)
    return target


def refuse_tampered(conn, actor, target_name, path):
    """A form named another user where only the actor (or the confirmation's user) may stand."""
    refuse(conn, actor["username"], target_name, path, "target_mismatch")
    raise Refused("error.target_mismatch", 403, "target_mismatch", target_name)


def start_change(conn, session_id, actor, target_name, new_opted_out, path, screen):
    """Continue: check the rules and record a pending confirmation; return its id. `screen` (the
    endpoint of the page that opened it) is the only one that shows and answers it."""
    target = check_permission(conn, actor, target_name, path)
    if bool(target["sls_opted_out"]) == bool(new_opted_out):
        refuse(conn, actor["username"], target_name, path, "no_change")
        raise Refused("error.no_change", 409, "no_change", target_name)
    cid = secrets.token_urlsafe(24)
    with transaction(conn):
        conn.execute(
            "INSERT INTO confirmations (confirmation_id, session_id, actor, target, new_opted_out,"
            " path, screen, boot_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (cid, session_id, actor["username"], target_name, int(new_opted_out), path, screen,
             current_app.config["BOOT_ID"], now()))
    return cid


def _find(conn, confirmation_id):
    return conn.execute("SELECT * FROM confirmations WHERE confirmation_id = ?", (confirmation_id,)).fetchone()


def target_of(conn, confirmation_id, form_target):
    """The user a refused POST was about: its confirmation's target, else the form's, else unknown."""
    row = _find(conn, confirmation_id) if confirmation_id else None
    return row["target"] if row else form_target or None


def _problem(row, session_id, actor_name, screen):
    """Why this session cannot answer the confirmation on `screen`: (catalog key, status, reason) or None.
    Only the screen that opened a confirmation shows and answers it."""
    if row is None or row["session_id"] != session_id or row["actor"] != actor_name or row["screen"] != screen:
        return "error.confirmation_unknown", 400, "confirmation_unknown"
    if row["state"] != "pending":
        return "error.confirmation_used", 409, "confirmation_used"
    if row["boot_id"] != current_app.config["BOOT_ID"] or \
            now() - row["created_at"] > CONFIRMATION_TTL:
        return "error.confirmation_expired", 409, "confirmation_expired"
    return None


def own_request(row):
    """Whether `row` (a withdrawal, a device order) is this session's own, of its user."""
    return row is not None and row["session_id"] == g.session["session_id"] and row["username"] == g.user["username"]


def request_problem(row, states, since="created_at"):
    """Why this session cannot go on with the request `row` (a withdrawal, a device order): (catalog
    key, status) or None. Another session's or user's is unknown; one past `states` is used; a stale
    one (older than a confirmation lives since `since`, or opened before a restart) has expired."""
    if not own_request(row):
        return "error.confirmation_unknown", 400
    if row["state"] not in states:
        return "error.confirmation_used", 409
    if row["boot_id"] != current_app.config["BOOT_ID"] or now() - row[since] > CONFIRMATION_TTL:
        return "error.confirmation_expired", 409
    return None


def done_here(conn, session_id, actor, confirmation_id, screen):
    """Whether this session's OK on `screen` already carried out the confirmation."""
    row = _find(conn, confirmation_id) if confirmation_id else None
    return row is not None and row["state"] == "done" and row["session_id"] == session_id \
        and row["actor"] == actor["username"] and row["screen"] == screen


def lookup(conn, session_id, actor, confirmation_id, screen):
    """For showing a confirmation (a GET, e.g. after the back button): (row, None) or (None, error key)."""
    row = _find(conn, confirmation_id)
    problem = _problem(row, session_id, actor["username"], screen)
    return (None, problem[0]) if problem else (row, None)


def _answerable(conn, session_id, actor, confirmation_id, expected_target, new_opted_out, screen):
    row = _find(conn, confirmation_id)
    problem = _problem(row, session_id, actor["username"], screen)
    if problem is None and new_opted_out is not None and bool(row["new_opted_out"]) != bool(new_opted_out):
        problem = "error.confirmation_unknown", 400, "confirmation_unknown"
    if problem:
        raise Refused(*problem, target=row["target"] if row is not None else expected_target)
    if expected_target is not None and expected_target != row["target"]:
        raise Refused("error.target_mismatch", 403, "target_mismatch", expected_target)
    return row


def _audited(conn, actor, path, action):
    """Run `action`; a refusal is written to the audit log before it reaches the caller."""
    try:
        return action()
    except Refused as refusal:
        if refusal.reason:
            refuse(conn, actor["username"], refusal.target, path, refusal.reason)
        raise


def confirm(conn, session_id, actor, confirmation_id, *, screen, path="seed", expected_target=None):
    """OK on `screen`: apply the pending change once, atomically, with its audit row and messages.
    `expected_target` is the user the submitted form names; a mismatch refuses."""
    def apply():
        with transaction(conn):
            if done_here(conn, session_id, actor, confirmation_id, screen):
                raise AlreadyDone(confirmation_id)
            row = _answerable(conn, session_id, actor, confirmation_id, expected_target, None, screen)
            conn.execute("UPDATE confirmations SET state = 'done' WHERE confirmation_id = ?", (confirmation_id,))
            target = users.find(conn, row["target"])
            if target is None or not may_change(actor, target):
                return Refused("error.forbidden", 403, "not_primary", row["target"])
            old, new = bool(target["sls_opted_out"]), bool(row["new_opted_out"])
            if old == new:  # changed meanwhile by another confirmation: spend this one, change nothing
                return Refused("error.no_change", 409, "no_change", target["username"])
            conn.execute("UPDATE users SET sls_opted_out = ? WHERE username = ?", (int(new), target["username"]))
            _audit(conn, actor["username"], target["username"], state_name(old), state_name(new),
                   row["path"], "changed")
            key = "message.sls_opted_out" if new else "message.sls_enrolled"
            for who in {actor["username"], target["username"]}:
                _message(conn, who, key, target=target["username"], actor=actor["username"])
        return target["username"], new

    def apply_or_raise():
        outcome = apply()
        if isinstance(outcome, Refused):
            raise outcome
        return outcome
    return _audited(conn, actor, path, apply_or_raise)


def cancel(conn, session_id, actor, confirmation_id, *, screen, path="seed", expected_target=None):
    """Cancel: the confirmation is spent, nothing else changes."""
    def spend():
        with transaction(conn):
            _answerable(conn, session_id, actor, confirmation_id, expected_target, None, screen)
            conn.execute("UPDATE confirmations SET state = 'cancelled' WHERE confirmation_id = ?",
                         (confirmation_id,))
    return _audited(conn, actor, path, spend)


def audit_rows(conn, account_id):
    """The account's audit rows, newest first: everything its users did or tried."""
    return conn.execute(
        "SELECT a.* FROM audit_log a JOIN users u ON u.username = a.actor"
        " WHERE u.account_id = ? ORDER BY a.audit_id DESC", (account_id,)).fetchall()


def user_state(conn, username):
    """A user's stored SLS state and audit trail, or None for an unknown user: what the test
    hook answers and what `slskit demo` checks at the end."""
    row = conn.execute("SELECT username, account_id, is_primary, locale, sls_opted_out FROM users"
                       " WHERE username = ?", (username,)).fetchone()
    if row is None:
        return None
    audit = [dict(r) for r in conn.execute(
        "SELECT at, actor, target, old_state, new_state, path, outcome, repeats, last_at FROM audit_log"
        " WHERE actor = ? OR target = ? ORDER BY audit_id", (username, username))]
    return {**dict(row), "audit": audit}


def messages_of(conn, username):
    return conn.execute("SELECT * FROM messages WHERE username = ? ORDER BY message_id DESC",
                        (username,)).fetchall()


RESTRICTIONS = ("otc_orders",)  # the withdrawal limits are the devices' (mock_portal/funds.py)


def restrictions(opted_out):
    """What the account may do while its user is opted out of SLS, and what it may do otherwise:
    (catalog key of the item, catalog key of its value) pairs."""
    state = "restricted" if opted_out else "standard"
    return [(f"account.limit.{item}", f"account.limit.{item}.{state}") for item in RESTRICTIONS]
