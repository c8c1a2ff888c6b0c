"""Failed logins per username, known or not: ten within 24 hours lock it for 24 hours.

Stored in the database, so a restart does not reset the count. Unknown usernames are counted
and locked the same way, so neither the count nor the lock tells whether a username exists.
"""
from flask import current_app

from .. import limits
from ..db import transaction


def _settings():
    c = current_app.config
    return c["LOCKOUT_MAX_FAILURES"], c["LOCKOUT_WINDOW_SECONDS"], c["LOCKOUT_SECONDS"]


def is_locked(conn, username, now):
    row = conn.execute("SELECT locked_until FROM lockouts WHERE username = ?", (username[:limits.USERNAME],)).fetchone()
    return row is not None and now < row["locked_until"]


def record_failure(conn, username, now):
    """Count one failure; returns True when this one locks the username."""
    name = username[:limits.USERNAME]
    limit, window, lock_for = _settings()
    with transaction(conn):
        conn.execute("DELETE FROM login_failures WHERE at <= ?", (now - window,))  # keep the table small
        conn.execute("INSERT INTO login_failures (username, at) VALUES (?, ?)", (name, now))
        ended = conn.execute("SELECT locked_until FROM lockouts WHERE username = ?", (name,)).fetchone()
        # Failures before the end of a previous lock were paid for by that lock.
        since = max(now - window, ended["locked_until"] if ended else float("-inf"))
        count = conn.execute("SELECT COUNT(*) FROM login_failures WHERE username = ? AND at > ?",
                             (name, since)).fetchone()[0]
        if count >= limit:
            conn.execute("INSERT OR REPLACE INTO lockouts (username, locked_at, locked_until) VALUES (?, ?, ?)",
                         (name, now, now + lock_for))
            return True
    return False


def clear(conn, username):
    """A successful login starts the count afresh."""
    conn.execute("DELETE FROM login_failures WHERE username = ?", (username[:limits.USERNAME],))
