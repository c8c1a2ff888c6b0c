"""The brokerage's pacing limits on the gateway's /v1 API (GATEWAY_PACING; `slskit serve --gateway`
turns it on, `--no-pacing` leaves it off), read on the user's test clock, so a test moves time
instead of sleeping. The figures and their public sources: docs/gateway-network.md.

- A global limit per session: 10 requests a second through the gateway.
- Per-endpoint limits (the brokerage's table, for the routes the gateway serves), for the method
  the table names: GET /tickle 1 a second, GET /sso/validate 1 a minute, GET /portfolio/accounts 1
  in 5 seconds. POST /tickle, which the API description and IBeam, ibind and EasyIB use, meets the
  global limit: IBeam's recovery posts two tickles within milliseconds (reauthenticate, then its
  status check), and no public report has its users meet a 429 for it.
- A request over a limit answers 429, and its address goes into the penalty box for 15 minutes:
  every request from it answers 429 until then, on every route of the API.

The limits count the requests made while the gateway holds a session (they are the session's);
a request without one answers 401 as before, unless its address is in the penalty box. Time is
the session user's (`now_for(username)`), the box's the user's under whom it was earned.
"""
import re
import threading
from collections import deque

from flask import abort, current_app, request

from .. import events
from ..clock import now_for
from ..db import get_db

GLOBAL_LIMIT = (10, 1.0)  # requests, seconds
ENDPOINT_LIMITS = {("GET", "/tickle"): (1, 1.0), ("GET", "/sso/validate"): (1, 60.0),
                   ("GET", "/portfolio/accounts"): (1, 5.0)}
PENALTY_SECONDS = 15 * 60
# /v1/api/... and IBeam's /v1/portal/... are the same endpoints.
ENDPOINT = re.compile(r"^/v1/(?:api|portal)(/.*)$")


class Pacing:
    """What each session has sent lately, and the addresses in the penalty box."""

    def __init__(self):
        self._lock = threading.Lock()  # waitress serves on several threads
        self._sent = {}    # (session, endpoint or None for the global limit) -> deque of times admitted
        self._boxed = {}   # address -> (until, username whose clock measures it)

    def admit(self, address, holder, method, endpoint):
        """None if the request may go on; else why not, in a few words. `holder` is the
        gateway session's row (None without one)."""
        with self._lock:
            boxed = self._boxed.get(address)
            if boxed is not None:
                until, username = boxed
                if now_for(username) < until:
                    return "the penalty box"
                del self._boxed[address]
            if holder is None:
                return None
            username, now = holder["username"], now_for(holder["username"])
            windows = [((holder["session"], None), GLOBAL_LIMIT)]
            if (method, endpoint) in ENDPOINT_LIMITS:
                windows.append(((holder["session"], endpoint), ENDPOINT_LIMITS[method, endpoint]))
            for key, (most, seconds) in windows:
                sent = self._sent.setdefault(key, deque())
                while sent and sent[0] <= now - seconds:
                    sent.popleft()
                if len(sent) >= most:
                    self._boxed[address] = (now + PENALTY_SECONDS, username)
                    return f"{most} in {seconds:g} s" + (f" on {endpoint}" if key[1] else "")
            for key, _ in windows:
                self._sent[key].append(now)
            self._forget_ended(holder["session"])
            return None

    def _forget_ended(self, current):
        """Another session's windows are over once it has ended: one session at a time."""
        for key in [k for k in self._sent if k[0] != current]:
            del self._sent[key]

    def clear(self):
        with self._lock:
            self._sent.clear()
            self._boxed.clear()


def of(app=None):
    return (app or current_app).extensions["slskit_pacing"]


def _check():
    """before_request on /v1/ (after the access layer, before the API's own session check)."""
    if not request.path.startswith("/v1/"):
        return None
    match = ENDPOINT.match(request.path)
    # Whose session it is, without touching it (its idle time is the API's to reset).
    holder = get_db().execute("SELECT session, username FROM gateway_session").fetchone()
    reason = of().admit(request.remote_addr or "", holder, request.method, match.group(1) if match else None)
    if reason is not None:
        events.log("gateway.paced", reason=reason, path=request.path,
                   **({"username": holder["username"]} if holder is not None else {}))
        abort(429, description=f"Too Many Requests: pacing ({reason})")
    return None


def init_app(app):
    app.extensions["slskit_pacing"] = Pacing()
    if app.config["GATEWAY_PACING"]:
        app.before_request(_check)
