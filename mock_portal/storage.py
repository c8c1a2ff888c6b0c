"""When the database cannot store: a full disk, a file or filesystem turned read-only
while the server runs, a lock held past the bounded wait (db.LOCK_WAIT_SECONDS).

A request that needs to write then gets 503 with Retry-After and one sentence in the user's
language (JSON for the test hooks, the gateway's /v1 API and today's login page's script),
never a 500 or a wait without end. SQLite rolls the failed statement or transaction back, so
nothing is half-written; reads go on (the housekeeping and the session's last-seen touch that
ride on them are skipped), and the next request after space returns simply writes again: a
connection is opened per request, so nothing needs a restart.
"""
import sqlite3

from flask import current_app, jsonify, request
from werkzeug.exceptions import ServiceUnavailable

from . import events
from .i18n import translate

# sqlite3's primary result codes (sqlite.org/rescode.html)
FULL, READONLY, IOERR, CANTOPEN, BUSY, LOCKED = 13, 8, 10, 14, 5, 6
CANNOT_STORE = {FULL: "full", READONLY: "read_only", IOERR: "io_error", CANTOPEN: "cannot_open"}
RETRY_AFTER = {"error.cannot_store": 60, "error.busy": 5}  # seconds
# Python 3.10's sqlite3 gives no sqlite_errorcode (3.11 does): SQLite's own messages then say it.
MESSAGES = (("database or disk is full", "full"), ("readonly database", "read_only"),
            ("disk i/o error", "io_error"), ("unable to open database", "cannot_open"),
            ("database is locked", "busy"), ("database table is locked", "busy"))


def reason(exc):
    """'full', 'read_only', 'io_error', 'cannot_open', 'busy', or None for any other error."""
    if not isinstance(exc, sqlite3.OperationalError):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        message = str(exc).lower()
        return next((why for text, why in MESSAGES if text in message), None)
    code &= 0xFF
    if code in CANNOT_STORE:
        return CANNOT_STORE[code]
    if code in (BUSY, LOCKED):
        return "busy"
    return None


def tolerated(exc):
    """Whether a write a read only rides along with (housekeeping, last-seen) may be skipped."""
    return reason(exc) is not None


def refuse(exc):
    """The app's handler for sqlite3.OperationalError: 503 with Retry-After when the database
    cannot store or stayed locked; any other error goes on as it would (a 500)."""
    why = reason(exc)
    if why is None:
        raise exc
    events.log("storage.refused", reason=why, method=request.method, path=request.path)
    key = "error.busy" if why == "busy" else "error.cannot_store"
    if request.path.startswith("/_test/"):
        response = jsonify(error=translate(key, "en"), reason=why)
        response.status_code = 503
    else:  # the app's one error page: the user's language, JSON for /v1/ and today's login script
        response = current_app.make_response(current_app.handle_http_exception(ServiceUnavailable(key)))
    response.headers["Retry-After"] = str(RETRY_AFTER[key])
    return response
