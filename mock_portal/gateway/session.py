"""The Client Portal Gateway's one session: as with the real gateway, the session lives in the
gateway, not in a cookie. Once a browser has logged in through it (`open_session`, called by the
login), every local program's call is authenticated, cookies or not. One session at a time:
another login replaces it, a logout ends it (`end_session`), and it ends when no call came for
GATEWAY_SESSION_IDLE_SECONDS; any call keeps it alive, /tickle being the one made for that.
What a login opens it is access.py's to say (`gateway_holds`: one that passed the security device).
"""
import secrets
import sqlite3

from flask import current_app

from .. import access, events, storage
from ..clock import now_for
from ..db import get_db


def open_session(conn, username, factors, now, passcode_issued_at=None):
    """A login through the gateway finished: it becomes the gateway's one session (replacing any
    other), its brokerage session opened as the gateway does by itself after a login."""
    conn.execute("INSERT OR REPLACE INTO gateway_session (slot, session, username, factors, authenticated_at,"
                 " last_seen, brokerage, passcode_issued_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
                 (secrets.token_hex(16), username, factors, now, now, 1, passcode_issued_at))
    events.log("gateway.session_opened", username=username, factors=factors)


def end_session(conn, username=None):
    """End the gateway's session (the API's logout), or only if it is `username`'s (that user's
    logout in the browser: another user's later login is not theirs to end)."""
    row = conn.execute("SELECT username FROM gateway_session").fetchone()
    if row is not None and username in (None, row["username"]):
        conn.execute("DELETE FROM gateway_session")
        events.log("gateway.session_ended", username=row["username"])


def holder():
    """Whose the gateway's session is, without touching it (the journal and faults ask)."""
    row = get_db().execute("SELECT username FROM gateway_session").fetchone()
    return row["username"] if row is not None else None


def current(conn):
    """The session, its idle time reset by this call; None when there is none or it idled out."""
    row = conn.execute("SELECT * FROM gateway_session").fetchone()
    if row is None:
        return None
    now = now_for(row["username"])  # that user's time: the test clock moves it
    if now - row["last_seen"] > current_app.config["GATEWAY_SESSION_IDLE_SECONDS"] \
            or not access.gateway_holds(row["factors"], row["passcode_issued_at"], now):  # KB69's reach ended
        conn.execute("DELETE FROM gateway_session")
        events.log("gateway.session_expired", username=row["username"])
        return None
    try:
        conn.execute("UPDATE gateway_session SET last_seen = ?", (now,))
    except sqlite3.OperationalError as e:
        if not storage.tolerated(e):
            raise  # a full disk or a read-only file: the call is still answered, its idle reset waits
    return conn.execute("SELECT * FROM gateway_session").fetchone()


def open_brokerage(conn):
    """Open the brokerage session (again)."""
    conn.execute("UPDATE gateway_session SET brokerage = 1")
    return conn.execute("SELECT * FROM gateway_session").fetchone()
