"""Housekeeping: what has expired leaves the database, so no table only grows.

At most once a minute of the portal's clock, the first request deletes expired sessions,
confirmations, challenges, SMS texts, old failed logins and ended locks, withdrawal requests never
accepted and device requests never placed. What a person may still
be told about (their session expired, this confirmation was already used or has expired, the
text on the phone) is kept KEPT_SECONDS longer; an anonymous session (a login form's CSRF token,
nobody to tell) goes as soon as it idles out, and there are never more than
ANONYMOUS_SESSIONS_MAX of them: a flood of page views replaces the oldest.
"""
import sqlite3

from flask import current_app

from . import storage
from .db import get_db, transaction

PRUNE_EVERY = 60          # seconds of the portal's clock between two prunings
KEPT_SECONDS = 24 * 3600  # how long an expired session, an answered confirmation, a text is kept
ANONYMOUS = "username IS NULL AND pending_user IS NULL AND paper_user IS NULL"  # no login, none under way


def prune(conn, now, config):
    """Delete what has expired by `now`; returns the number of rows deleted per table."""
    idle, window = config["SESSION_IDLE_SECONDS"], config["LOCKOUT_WINDOW_SECONDS"]
    statements = [
        ("sessions", f"DELETE FROM sessions WHERE last_seen < ? AND {ANONYMOUS}", now - idle),
        ("sessions", "DELETE FROM sessions WHERE last_seen < ?", now - idle - KEPT_SECONDS),
        ("confirmations", "DELETE FROM confirmations WHERE created_at < ?", now - KEPT_SECONDS),
        ("challenges", "DELETE FROM challenges WHERE created_at < ? OR session_id NOT IN"
                       " (SELECT session_id FROM sessions)", now - KEPT_SECONDS),
        ("sms_outbox", "DELETE FROM sms_outbox WHERE at < ?", now - KEPT_SECONDS),
        ("login_failures", "DELETE FROM login_failures WHERE at <= ?", now - window),
        # Failures before a lock's end were paid for by it; once they are out of the window, so is it.
        ("lockouts", "DELETE FROM lockouts WHERE locked_until <= ?", now - window),
        # A withdrawal never accepted, a device request never placed: an accepted one is money moved.
        ("withdrawals", "DELETE FROM withdrawals WHERE state != 'accepted' AND created_at < ?", now - KEPT_SECONDS),
        ("physical_devices", "DELETE FROM physical_devices WHERE state = 'draft' AND created_at < ?",
         now - KEPT_SECONDS),
    ]
    deleted = {}
    with transaction(conn):
        for table, sql, before in statements:
            deleted[table] = deleted.get(table, 0) + conn.execute(sql, (before,)).rowcount
    return deleted


def bound_anonymous(conn, limit):
    """Keep the `limit` most recently seen anonymous sessions, delete the rest."""
    conn.execute(f"DELETE FROM sessions WHERE {ANONYMOUS} AND session_id NOT IN"
                 f" (SELECT session_id FROM sessions WHERE {ANONYMOUS} ORDER BY last_seen DESC LIMIT ?)",
                 (limit,))


def _maybe_prune():
    """before_request: prune when the last pruning is PRUNE_EVERY seconds old."""
    now = current_app.config["CLOCK"].now_for(None)
    state = current_app.extensions.setdefault("slskit_housekeeping", {"pruned_at": None})
    if state["pruned_at"] is not None and now - state["pruned_at"] < PRUNE_EVERY:
        return
    state["pruned_at"] = now
    try:
        prune(get_db(), now, current_app.config)
    except sqlite3.OperationalError as e:
        if not storage.tolerated(e):
            raise  # a full disk or a read-only file: the request goes on, the pruning waits a minute


def init_app(app):
    app.before_request(_maybe_prune)
