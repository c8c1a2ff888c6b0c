"""The request journal (TEST_HOOKS only): what each request asked and what it got, for
a test to ask "was OK posted exactly once?", as WireMock's request journal and MockServer's verify.

Each entry: `id`, `at` (epoch seconds), `method`, `path`, `query` (the names only), `status` (None
when a fault left the client without an answer), `duration_ms`, `username` (whose request it is:
mock_portal/clock.py's notion, or the gateway's session for /v1/), `entry` (where that session
entered: portal, trading or gateway), `endpoint`, `fault` (what mock_portal/control/faults.py did to it)
and `stub` (the scripted answer mock_portal/control/stubs.py gave instead, by its id).
Never a body, a query value, a header or a cookie: no password, code, secret or CSRF token can
reach it. The hooks' own calls are not journaled. Held in memory, newest last: at most
MAX_ENTRIES, none older than MAX_AGE_SECONDS.
"""
import re
import threading
import time
from collections import deque

from flask import current_app, g, request

from .. import timing

MAX_ENTRIES = 10_000
MAX_AGE_SECONDS = 24 * 3600
HOOKS = "/_test/"


class Journal:
    def __init__(self):
        self._entries = deque(maxlen=MAX_ENTRIES)
        self._lock = threading.Lock()  # waitress serves requests on several threads
        self._next_id = 1

    def add(self, entry):
        with self._lock:
            entry["id"] = self._next_id
            self._next_id += 1
            self._entries.append(entry)
            while self._entries and self._entries[0]["at"] < entry["at"] - MAX_AGE_SECONDS:
                self._entries.popleft()

    def query(self, username=None, method=None, path=None, since=None):
        """Entries matching every given filter, oldest first. `path`: exact, or a regular
        expression when it starts with ^ (WireMock's urlPath / urlPathPattern)."""
        pattern = re.compile(path) if path and path.startswith("^") else None
        with self._lock:
            entries = list(self._entries)
        return [e for e in entries
                if (username is None or e["username"] == username)
                and (method is None or e["method"] == method.upper())
                and (path is None or (pattern.match(e["path"]) if pattern else e["path"] == path))
                and (since is None or e["at"] >= since)]

    def clear(self, username=None):
        """Forget one user's entries (a shared portal's other users keep theirs), or all."""
        with self._lock:
            kept = [e for e in self._entries if username is not None and e["username"] != username]
            self._entries.clear()
            self._entries.extend(kept)


def of(app=None):
    return (app or current_app).extensions["slskit_journal"]


def whose():
    """The username a request acts for: its session's (logged in, or a login in progress), the
    login form's, or for the gateway's API the gateway session's."""
    session = g.get("session")
    if session is not None and (session["username"] or session["pending_user"]):
        return session["username"] or session["pending_user"]
    if request.path.startswith("/v1/"):
        from ..gateway import session
        return session.holder()
    if request.method == "POST" and request.endpoint == "auth.login_submit":
        username = request.form.get("username")
        return username if isinstance(username, str) and username else None
    return None


def _record(response):
    if request.path.startswith(HOOKS):
        return response
    session = g.get("session")
    split = g.get("server_timing") or timing.split()
    dropped = request.environ.get("slskit.drop")
    of().add({
        "at": time.time(), "method": request.method, "path": request.path,
        "query": sorted(request.args.keys()),
        "status": None if dropped in ("before", "after") else response.status_code,
        "duration_ms": round(split["total"], 1), "timing": split,
        "username": whose(), "entry": "gateway" if request.path.startswith("/v1/") else
        (session["login_target"] if session is not None and session["username"] else None),
        "endpoint": request.endpoint, "fault": g.get("fault_applied"), "stub": g.get("stub_applied"),
    })
    return response


def init_app(app):
    app.extensions["slskit_journal"] = Journal()
    app.after_request(_record)  # the request's time is timing.py's (Server-Timing): one clock
