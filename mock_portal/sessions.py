"""Server-side sessions and CSRF tokens.

The cookie carries only a random id; the row holds who is logged in, the pending login, the
factors the login passed and where it entered (`factors`, `login_target`: what mock_portal/access.py
grants by) and the CSRF token. Logging in replaces the row (session rotation), logging out deletes it.
"""
import hmac
import ipaddress
import secrets
import sqlite3
from urllib.parse import urlsplit

from flask import abort, current_app, g, request

from . import housekeeping, limits, storage, users
from .db import get_db, transaction

COOKIE = "slskit_session"
# What a login passed (the sessions.factors column).
PASSWORD = "password"
PASSWORD_AND_DEVICE = "password+device"
# A paper trading login: the paper username's password; the session names the paper username
# (sessions.paper_user), no user is logged in (mock_portal/access.py).
PAPER = "paper"


def _clock():
    return current_app.config["CLOCK"]


def load():
    """before_request: find the session named by the cookie, drop it when idle too long."""
    g.session, g.user, g.new_session_id, g.expired_username = None, None, None, None
    sid = request.cookies.get(COOKIE)
    if not sid or len(sid) > limits.ID:
        return
    db = get_db()
    row = db.execute("SELECT * FROM sessions WHERE session_id = ?", (sid,)).fetchone()
    if row is None:
        return
    now = _clock().now_for(row["username"] or row["pending_user"])  # that user's time (test hook)
    if now - row["last_seen"] > current_app.config["SESSION_IDLE_SECONDS"]:
        db.execute("DELETE FROM sessions WHERE session_id = ?", (sid,))
        g.session_expired = True
        g.expired_username = row["username"]  # a refused POST of an expired login is still audited
        g.expired_lang = row["lang"]  # the "session expired" page speaks the language the user had
        return
    if now - row["last_seen"] > 30:  # keep writes rare: idle time has minute resolution anyway
        try:
            db.execute("UPDATE sessions SET last_seen = ? WHERE session_id = ?", (now, sid))
        except sqlite3.OperationalError as e:
            if not storage.tolerated(e):
                raise  # a full disk or a read-only file: the page is still read, its touch waits
    g.session = row
    if row["username"]:
        g.user = users.find(db, row["username"])


def _create(db, lang, **fields):
    now = _clock().now()
    sid = secrets.token_urlsafe(32)
    row = {"session_id": sid, "csrf_token": secrets.token_urlsafe(32), "lang": lang,
           "created_at": now, "last_seen": now, **fields}
    cols = ", ".join(row)
    db.execute(f"INSERT INTO sessions ({cols}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))
    g.session = db.execute("SELECT * FROM sessions WHERE session_id = ?", (sid,)).fetchone()
    g.new_session_id = sid
    return g.session


def ensure(lang):
    """An anonymous session for pages with forms (their CSRF token lives in it)."""
    db = get_db()
    if g.session is None:
        _create(db, lang)
        housekeeping.bound_anonymous(db, current_app.config["ANONYMOUS_SESSIONS_MAX"])
        return g.session
    if g.session["lang"] != lang and not g.session["username"]:
        db.execute("UPDATE sessions SET lang = ? WHERE session_id = ?", (lang, g.session["session_id"]))
        g.session = db.execute("SELECT * FROM sessions WHERE session_id = ?",
                               (g.session["session_id"],)).fetchone()
    return g.session


def rotate(lang, **fields):
    """Replace the current session by a new id (login steps), so a fixed id is worthless."""
    db = get_db()
    with transaction(db):
        if g.session is not None:
            db.execute("DELETE FROM sessions WHERE session_id = ?", (g.session["session_id"],))
        _create(db, lang, **fields)
    if g.session["username"]:
        g.user = users.find(db, g.session["username"])
    return g.session


def update(**fields):
    """Change columns of the current session in place (the chosen device, a re-authentication)."""
    db = get_db()
    cols = ", ".join(f"{k} = ?" for k in fields)
    db.execute(f"UPDATE sessions SET {cols} WHERE session_id = ?", (*fields.values(), g.session["session_id"]))
    g.session = db.execute("SELECT * FROM sessions WHERE session_id = ?", (g.session["session_id"],)).fetchone()
    return g.session


def end():
    if g.session is not None:
        get_db().execute("DELETE FROM sessions WHERE session_id = ?", (g.session["session_id"],))
    g.session, g.user = None, None
    g.new_session_id = ""


def csrf_on_post():
    """before_request: every POST of a known route carries the session's CSRF token. The test
    hooks take JSON from test suites only; an expired session's POST is refused by access.check
    with one clear message instead of a CSRF complaint (its token died with it)."""
    if request.method != "POST" or request.url_rule is None or request.blueprint == "hooks" \
            or g.get("session_expired"):
        return
    if request.blueprint == "gateway":
        # The gateway's /v1 API: local programs without cookies, hence without a token (its session
        # is the gateway's, mock_portal/gateway/session.py). A browser page is refused unless it is the
        # gateway's own: any Origin but its own ("null" included), and any Host name but localhost
        # or an address (a rebound DNS name would make a foreign page "same origin").
        origin = request.headers.get("Origin")
        if not _same_origin() or (origin is not None and origin != f"{request.scheme}://{request.host}") \
                or not _local_host_name(request.host):
            abort(400, description="error.cross_origin")
        return
    check_csrf()


def check_csrf():
    """Same origin and the session's token, else 400."""
    if not _same_origin():
        abort(400, description="error.cross_origin")
    token = request.form.get("csrf_token", "")
    # As bytes: compare_digest raises on a str with a non-ASCII character (a 500 the scanner found).
    if g.session is None or not token or not hmac.compare_digest(token.encode(), g.session["csrf_token"].encode()):
        abort(400, description="error.csrf")


def _local_host_name(host):
    """`localhost` or an IP address (with any port): never a name that DNS could rebind."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.strip("[]")
    if name == "localhost":
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _same_origin():
    """Origin when the browser sends it, else Referer; Sec-Fetch-Site when present. A request
    with none of them (a plain HTTP client) is judged by its CSRF token alone."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return False
    here = f"{request.scheme}://{request.host}"
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        parts = urlsplit(origin)
        return f"{parts.scheme}://{parts.netloc}" == here
    referer = request.headers.get("Referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}" == here
    return True


def save_cookie(response):
    """after_request: hand out a new or rotated id; clear it after logout."""
    sid = g.get("new_session_id")
    if sid is None:
        return response
    secure = request.is_secure
    if sid:
        response.set_cookie(COOKIE, sid, httponly=True, samesite="Lax", secure=secure, path="/")
    else:
        response.delete_cookie(COOKIE, httponly=True, samesite="Lax", secure=secure, path="/")
    return response
