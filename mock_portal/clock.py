"""The portal's notion of now. Tests inject one they can move; a live server moves it over
the test-only hook, never by sleeping.

Besides the offset for everyone, a test hook can move one user's time alone (`advance(s,
username)`): suites sharing one portal (xdist workers, `--portal-url`) then never move each
other's clock. A request is that user's once it names them: their session, or the login form.
"""
import threading
import time
from datetime import datetime, timezone

from flask import current_app, g, has_request_context, request


def _whose_request():
    """The user the current request acts for, as far as the clock needs to know."""
    session = g.get("session") if has_request_context() else None
    if session is not None and (session["username"] or session["pending_user"]):
        return session["username"] or session["pending_user"]
    return request.form.get("username") if has_request_context() and request.method == "POST" else None


def now():
    """The portal's now for the current request: its user's time, which a test may have moved."""
    return current_app.config["CLOCK"].now()


def now_for(username):
    """`username`'s now, outside a request of theirs (the gateway's session, a hook's answer)."""
    return current_app.config["CLOCK"].now_for(username)


class Clock:
    def __init__(self, source=time.time, offset=0.0):
        self.source = source
        self.offset = offset
        self.user_offsets = {}  # username -> seconds, set only through the test hook
        self._moving = threading.Lock()  # waitress serves hook calls on several threads

    def now(self):
        return self.now_for(_whose_request() if self.user_offsets else None)

    def now_for(self, username):
        return self.source() + self.offset_for(username)

    def offset_for(self, username):
        return self.offset + self.user_offsets.get(username, 0.0)

    def advance(self, seconds, username=None):
        """Move everyone's time, or only `username`'s."""
        with self._moving:
            if username is None:
                self.offset += seconds
            else:
                self.user_offsets[username] = self.user_offsets.get(username, 0.0) + seconds

    def reset(self):
        with self._moving:
            self.offset = 0.0
            self.user_offsets.clear()

    def iso(self, seconds=None):
        """Now (or `seconds` since the epoch) as the audit log writes it."""
        return datetime.fromtimestamp(self.now() if seconds is None else seconds, timezone.utc).isoformat(timespec="seconds")


class FrozenClock(Clock):
    """A clock that only moves when told to (Flask-level tests)."""

    def __init__(self, start=1_800_000_000.0):
        super().__init__(source=lambda: start)
