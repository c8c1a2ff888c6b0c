"""The Client Portal Gateway's one session: as with the real gateway, the session lives in the
gateway, not in a cookie. Once a browser has logged in through it (`open_session`, called by the
login), every local program's call is authenticated, cookies or not. One session at a time:
another login through the gateway replaces it, a logout ends it (`end_session`). It lives on the
user's clock (docs/gateway.md, "A session's life"):

- it ends when no call came for GATEWAY_SESSION_IDLE_SECONDS (any call keeps it alive, /tickle
  being the one made for that), and GATEWAY_SESSION_MAX_SECONDS after its login whatever calls came;
- the daily reset of the user's region (resets.py) ends its brokerage session, not the session.

Its brokerage session is in one of STATES. A login of the same login name elsewhere (another
platform, the portal's own login, `login_elsewhere`) takes that brokerage session: `elsewhere`
names the platform until ssodh/init with compete takes it back (`initialise`).
What a login opens it is access.py's to say (`gateway_holds`).
"""
import secrets
import sqlite3

from flask import current_app

from .. import access, events, storage, users
from ..clock import now_for
from ..db import get_db
from . import resets

# The brokerage session's states (the gateway_session.brokerage column):
#   up          authenticated, or competing while `elsewhere` names a platform
#   not_up      "Client login succeeds", then not authenticated until ssodh/init or reauthenticate
#   no_session  the same, with /tickle answering {"error":"no session"}
#   yielded     ssodh/init without compete while the brokerage session is elsewhere
#   reset       the daily reset ended it; the session lives on
STATES = ("up", "not_up", "no_session", "yielded", "reset")
DOWN_ON_PURPOSE = ("not_up", "no_session")  # the scenario's brokerage_session, the test hook's states


def open_session(conn, username, factors, now, passcode_issued_at=None, login_name=None, paper=False):
    """A login through the gateway finished: it becomes the gateway's one session (replacing any
    other). The gateway opens its brokerage session by itself after a login, unless the user's
    `brokerage_session` option keeps it down; a login name's brokerage session is one, and this
    one takes it from wherever it was."""
    state = users.login_options(conn, username)["brokerage_session"]
    conn.execute("INSERT OR REPLACE INTO gateway_session (slot, session, username, login_name, paper, factors,"
                 " authenticated_at, last_seen, brokerage, brokerage_since, elsewhere, passcode_issued_at)"
                 " VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
                 (secrets.token_hex(16), username, login_name or username, int(paper), factors, now, now, state, now,
                  passcode_issued_at))
    events.log("gateway.session_opened", username=username, factors=factors, paper=paper, brokerage=state)


def end_session(conn, login_name=None):
    """End the gateway's session (the API's logout), or only if its login name is `login_name`
    (that login's logout in the browser: another login's later session is not theirs to end)."""
    row = conn.execute("SELECT username, login_name FROM gateway_session").fetchone()
    if row is not None and login_name in (None, row["login_name"]):
        conn.execute("DELETE FROM gateway_session")
        events.log("gateway.session_ended", username=row["username"])


def holder():
    """Whose the gateway's session is, without touching it (the journal and faults ask)."""
    row = get_db().execute("SELECT username FROM gateway_session").fetchone()
    return row["username"] if row is not None else None


def _ended(row, now):
    """Why the session has ended by `now`, or None."""
    config = current_app.config
    if now - row["last_seen"] > config["GATEWAY_SESSION_IDLE_SECONDS"]:
        return "idle"
    if now - row["authenticated_at"] >= config["GATEWAY_SESSION_MAX_SECONDS"]:
        return "maximum_life"
    if not access.gateway_holds(row["factors"], row["passcode_issued_at"], now):
        return "passcode_reach"  # KB69's reach ended
    return None


def current(conn):
    """The session, its idle time reset by this call; None when there is none or it has ended.
    A daily reset since its brokerage session took its state leaves that brokerage session 'reset'."""
    row = conn.execute("SELECT * FROM gateway_session").fetchone()
    if row is None:
        return None
    now = now_for(row["username"])  # that user's time: the test clock moves it
    if (reason := _ended(row, now)) is not None:
        conn.execute("DELETE FROM gateway_session")
        events.log("gateway.session_expired", username=row["username"], reason=reason)
        return None
    try:
        if row["brokerage"] != "reset":
            region = users.login_options(conn, row["username"])["reset_region"]
            reset_at = resets.next_reset(row["brokerage_since"], region)
            if reset_at <= now:
                conn.execute("UPDATE gateway_session SET brokerage = 'reset', brokerage_since = ?", (reset_at,))
                events.log("gateway.daily_reset", username=row["username"], region=region)
        conn.execute("UPDATE gateway_session SET last_seen = ?", (now,))
    except sqlite3.OperationalError as e:
        if not storage.tolerated(e):
            raise  # a full disk or a read-only file: the call is still answered, its idle reset waits
    return conn.execute("SELECT * FROM gateway_session").fetchone()


def expires_in(row):
    """Seconds until the session ends if no call comes: its idle limit or its maximum life,
    whichever is first (tickle's ssoExpires, sso/validate's EXPIRES)."""
    config = current_app.config
    now = now_for(row["username"])
    return max(0.0, min(row["last_seen"] + config["GATEWAY_SESSION_IDLE_SECONDS"],
                        row["authenticated_at"] + config["GATEWAY_SESSION_MAX_SECONDS"]) - now)


def _set_brokerage(conn, row, state, **columns):
    fields = {"brokerage": state, "brokerage_since": now_for(row["username"]), **columns}
    conn.execute(f"UPDATE gateway_session SET {', '.join(f'{k} = ?' for k in fields)}", tuple(fields.values()))
    events.log("gateway.brokerage", username=row["username"], state=state, was=row["brokerage"])
    return conn.execute("SELECT * FROM gateway_session").fetchone()


def initialise(conn, row, compete):
    """ssodh/init: open the brokerage session. While a login elsewhere has it, only `compete`
    takes it back (the other is disconnected); without it, this one yields: (row, passed)."""
    if row["elsewhere"] is not None and not compete:
        return _set_brokerage(conn, row, "yielded"), False
    return _set_brokerage(conn, row, "up", elsewhere=None), True


def reauthenticate(conn, row):
    """Reopen the brokerage session while the session is valid; a login elsewhere keeps it."""
    if row["elsewhere"] is not None or row["brokerage"] == "up":
        return row
    return _set_brokerage(conn, row, "up")


def login_elsewhere(conn, name, platform):
    """A login of `name` on another platform takes its brokerage session: True when it was the
    gateway's session's (which then shows it competing)."""
    row = conn.execute("SELECT * FROM gateway_session").fetchone()
    if row is None or row["login_name"] != name:
        return False
    conn.execute("UPDATE gateway_session SET elsewhere = ?", (platform,))
    events.log("gateway.login_elsewhere", username=row["username"], platform=platform)
    return True


def take_down(conn, username, state):
    """The test hook: the user's gateway session's brokerage session goes down (`state`, one of
    DOWN_ON_PURPOSE) now; False when the gateway's session is not the user's (or their paper login's)."""
    row = conn.execute("SELECT * FROM gateway_session").fetchone()
    if row is None or username not in (row["username"], row["login_name"]):
        return False
    _set_brokerage(conn, row, state)
    return True
