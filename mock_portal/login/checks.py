"""The login's two checks, one implementation for every login: the portal's, the trading
platform's, the gateway's and the current revision's other-username link (a login under that
username while logged in as this one).

- `password`: every attempt pays for one hash check, whether the username is known, unknown or
  locked, so the answer's timing tells none of them apart; a locked username is refused whatever
  the password, as a wrong one is; a failure counts towards the lock (login/lockout.py).
  `login_password` is the same check for the login form, which also knows paper usernames.
- `device_step`: the security device's answer (a code, or an IB Key notification approved on
  the phone); a locked username is refused; a wrong answer counts towards the lock; a right one
  starts the count afresh and is noted (KB69: another device allows the next temporary passcode;
  a pending code card's first use enrolls).

Each logs its refusals (`login.refused`, `code.refused`), never the password or the code.
"""
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from .. import events, timing, users
from ..screens import enrollment
from . import devices, lockout


def _dummy_hash():
    """What an unknown username's password is checked against: its check costs what a real one does."""
    cache = current_app.extensions.setdefault("slskit_dummy_hash", {})
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in cache:
        cache[method] = generate_password_hash("not a password", method=method)
    return cache[method]


def password(conn, username, typed, now, **log):
    """The user whose password `typed` is, or (None, the refusal's catalog key). `log`: fields the
    refusal's event adds (where the login entered, or which user asked for a link)."""
    return _check(conn, users.find(conn, username), username, typed, now, **log)


def login_password(conn, username, typed, now, **log):
    """The login form's check, which knows paper usernames too: (the user or the paper account
    whose password `typed` is, 'live' or 'paper', None), or (None, None, the refusal's catalog key).
    Which mode the form was in is the caller's to compare (login/routes.py)."""
    user = users.find(conn, username)
    paper = users.find_paper(conn, username) if user is None else None
    account, refused = _check(conn, user or paper, username, typed, now, **log)
    return account, ("paper" if paper is not None else "live") if account else None, refused


def _check(conn, user, username, typed, now, **log):
    with timing.part("hash"):
        matches = check_password_hash(user["password_hash"] if user else _dummy_hash(), typed)
    known = {"username": username} if user else {"username_known": False}
    if lockout.is_locked(conn, username, now):
        events.log("login.refused", reason="locked", **known, **log)
        return None, "error.login_locked"
    if user is None or not matches:
        locked = lockout.record_failure(conn, username, now)
        events.log("login.refused", reason="bad_credentials", locked_now=locked, **known, **log)
        return None, "error.login_locked" if locked else "error.login_failed"
    return user, None


def device_step(conn, session_id, username, device, answer, now, target="portal", purpose="login"):
    """None when `device` (one of `username`'s) passed with `answer` (the typed code, or None for
    an IB Key notification approved on the phone); else the refusal's catalog key."""
    if lockout.is_locked(conn, username, now):
        events.log("code.refused", username=username, outcome="locked", purpose=purpose)
        return "error.login_locked"
    if answer is None:
        outcome = devices.verify_push(conn, session_id, device)
    else:
        outcome = devices.verify(conn, session_id, device, answer, now, target)
    if outcome != "ok":
        locked = outcome in devices.COUNTED and lockout.record_failure(conn, username, now)
        events.log("code.refused", username=username, device_type=device["type"], outcome=outcome,
                   purpose=purpose, locked_now=bool(locked))
        return "error.login_locked" if locked else devices.OUTCOME_ERRORS[outcome]
    lockout.clear(conn, username)
    devices.note_login(conn, device)
    enrollment.note_login(conn, device)
    events.log("code.accepted", username=username, device_type=device["type"], purpose=purpose)
    return None
