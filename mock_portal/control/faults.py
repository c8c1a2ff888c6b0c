"""Faults and latency on purpose (TEST_HOOKS only), for proving a client against a slow
or broken portal, as WireMock's stub faults and Toxiproxy's toxics do.

A fault is posted to /_test/faults in WireMock's shape, a `request` to match and a `response` to
give instead of (or besides) the portal's own:

    {"request": {"method": "POST", "urlPath": "/portal/settings/secure-login/confirm",
                 "username": "tanaka01"},
     "response": {"fault": "CONNECTION_DROPPED", "when": "after"},
     "probability": 1.0, "count": 1}

request:  `method` (default any), `urlPath` (exact) or `urlPathPattern` (a regular expression the
          path matches from its start), `username` (whose request: mock_portal/control/journal.py `whose`;
          without it, every visitor's, which only a portal of one's own should do).
response: `fixedDelayMilliseconds`, or `delayDistribution` {"type": "uniform", "lower", "upper"}
          or {"type": "lognormal", "median", "sigma"} (milliseconds; Toxiproxy's latency and
          jitter), before the request is handled; and at most one of
          `status`: that status, with the portal's own error page (or JSON for the gateway's API,
                    the hooks and today's login page's script), the request not handled;
          `fault`:  CONNECTION_DROPPED (`when` before: the request is not handled; after: it is,
                    and its answer never leaves), EMPTY_RESPONSE (the same as dropped after), or
                    TRUNCATED_RESPONSE (handled, the headers and half the body sent, then closed).
`probability` (0-1, Toxiproxy's toxicity) and `count` (how many times, then it is gone) apply to
the whole fault. Every request a fault touched says so in the journal (`fault`).

A dropped connection closes the socket without a byte of answer: waitress (plain HTTP and TLS
alike, mock_portal/serving/connections.py) takes it for a client that went away and closes it, as a network
would. It is a close, not a TCP reset: WSGI does not hand the socket to the application.
"""
import math
import random
import re
import secrets
import threading
import time

from flask import Response, abort, current_app, g, request
from waitress.channel import ClientDisconnected

from . import journal

FAULTS = ("CONNECTION_DROPPED", "EMPTY_RESPONSE", "TRUNCATED_RESPONSE")
MAX_DELAY_MS = 60_000  # a request waits at most a minute: every request stays bounded
MAX_FAULTS = 1_000


class BadFault(ValueError):
    """A fault the hook refuses; the message is the one line answered with 400."""


class DroppedConnection(ClientDisconnected):
    """Raised out of the WSGI application: waitress then closes the connection silently."""


def _number(value, name, low, high):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not low <= value <= high:
        raise BadFault(f"{name} must be a number from {low} to {high}")
    return float(value)


def _delay(response):
    if "fixedDelayMilliseconds" in response:
        return ("fixed", _number(response["fixedDelayMilliseconds"], "fixedDelayMilliseconds", 0, MAX_DELAY_MS))
    spec = response.get("delayDistribution")
    if spec is None:
        return None
    if not isinstance(spec, dict) or spec.get("type") not in ("uniform", "lognormal"):
        raise BadFault("delayDistribution must be {\"type\": \"uniform\" | \"lognormal\", ...}")
    if spec["type"] == "uniform":
        lower = _number(spec.get("lower"), "delayDistribution.lower", 0, MAX_DELAY_MS)
        upper = _number(spec.get("upper"), "delayDistribution.upper", lower, MAX_DELAY_MS)
        return ("uniform", lower, upper)
    return ("lognormal", _number(spec.get("median"), "delayDistribution.median", 0, MAX_DELAY_MS),
            _number(spec.get("sigma"), "delayDistribution.sigma", 0, 10))


def parse(data):
    """A posted fault as stored, or BadFault naming the first problem."""
    if not isinstance(data, dict) or not isinstance(data.get("request", {}), dict) \
            or not isinstance(data.get("response"), dict):
        raise BadFault('a fault is {"request": {...}, "response": {...}}')
    match, response = data.get("request", {}), data["response"]
    for name in ("method", "urlPath", "urlPathPattern", "username"):
        if name in match and not isinstance(match[name], str):
            raise BadFault(f"request.{name} must be a string")
    try:
        pattern = re.compile(match["urlPathPattern"]) if "urlPathPattern" in match else None
    except re.error as e:
        raise BadFault(f"request.urlPathPattern is not a regular expression ({e})") from None
    outcome = [name for name in ("status", "fault") if name in response]
    if len(outcome) > 1:
        raise BadFault("response: a status or a fault, not both")
    status = response.get("status")
    if status is not None and (isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599):
        raise BadFault("response.status must be an error status, 400-599")
    fault = response.get("fault")
    if fault is not None and fault not in FAULTS:
        raise BadFault(f"response.fault must be one of {', '.join(FAULTS)}")
    when = response.get("when", "after")
    if when not in ("before", "after") or (fault != "CONNECTION_DROPPED" and "when" in response):
        raise BadFault("response.when is 'before' or 'after', for CONNECTION_DROPPED only")
    delay = _delay(response)
    if delay is None and status is None and fault is None:
        raise BadFault("response needs a delay, a status or a fault")
    count = data.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise BadFault("count must be a whole number of times, 1 or more")
    return {
        "id": secrets.token_hex(8), "method": match.get("method", "").upper() or None,
        "urlPath": match.get("urlPath"), "urlPathPattern": pattern, "username": match.get("username"),
        "delay": delay, "status": status, "fault": fault, "when": when if fault == "CONNECTION_DROPPED" else None,
        "probability": _number(data.get("probability", 1.0), "probability", 0, 1), "count": count,
        "spec": data,
    }


class Faults:
    def __init__(self):
        self._faults = []
        self._lock = threading.Lock()

    def add(self, data):
        fault = parse(data)
        with self._lock:
            if len(self._faults) >= MAX_FAULTS:
                raise BadFault(f"at most {MAX_FAULTS} faults at once; DELETE some first")
            self._faults.append(fault)
        return fault

    def listed(self, username=None):
        with self._lock:
            return [{"id": f["id"], **f["spec"], "remaining": f["count"]} for f in self._faults
                    if username is None or f["username"] == username]

    def remove(self, fault_id=None, username=None):
        """Remove one fault by id, every fault of `username`, or all; the number removed."""
        with self._lock:
            kept = [f for f in self._faults if not (
                (fault_id is not None and f["id"] == fault_id)
                or (fault_id is None and (username is None or f["username"] == username)))]
            removed = len(self._faults) - len(kept)
            self._faults = kept
        return removed

    def take(self, method, path, username):
        """The faults this request meets (each taken once from its count)."""
        taken = []
        with self._lock:
            for fault in list(self._faults):
                if fault["method"] not in (None, method) \
                        or (fault["urlPath"] is not None and fault["urlPath"] != path) \
                        or (fault["urlPathPattern"] is not None and not fault["urlPathPattern"].match(path)) \
                        or (fault["username"] is not None and fault["username"] != username) \
                        or random.random() >= fault["probability"]:
                    continue
                taken.append(fault)
                if fault["count"] is not None:
                    fault["count"] -= 1
                    if fault["count"] == 0:
                        self._faults.remove(fault)
        return taken


def of(app=None):
    return (app or current_app).extensions["slskit_faults"]


def _delay_seconds(delay):
    if delay[0] == "fixed":
        return delay[1] / 1000
    if delay[0] == "uniform":
        return random.uniform(delay[1], delay[2]) / 1000
    return min(MAX_DELAY_MS, delay[1] * math.exp(random.gauss(0, delay[2]))) / 1000


def _apply():
    """before_request (after the session is known): the delays, then a status or a drop."""
    if request.path.startswith(journal.HOOKS):
        return None
    taken = of().take(request.method, request.path, journal.whose())
    if not taken:
        return None
    g.fault_applied = "; ".join(_describe(f) for f in taken)
    delay = sum(_delay_seconds(f["delay"]) for f in taken if f["delay"])
    if delay:
        time.sleep(min(delay, MAX_DELAY_MS / 1000))  # slow on purpose; all of a request's faults, at most a minute
    for fault in taken:
        if fault["status"]:
            abort(fault["status"])
        if fault["fault"] == "CONNECTION_DROPPED" and fault["when"] == "before":
            request.environ["slskit.drop"] = "before"
            return Response(status=204)  # never sent: the request is not handled
        if fault["fault"]:
            request.environ["slskit.drop"] = "truncate" if fault["fault"] == "TRUNCATED_RESPONSE" else "after"
    return None


def _describe(fault):
    parts = []
    if fault["delay"]:
        parts.append({"fixed": "fixedDelayMilliseconds", "uniform": "delayDistribution uniform",
                      "lognormal": "delayDistribution lognormal"}[fault["delay"][0]])
    if fault["status"]:
        parts.append(f"status {fault['status']}")
    if fault["fault"]:
        parts.append(fault["fault"] + (f" {fault['when']}" if fault["when"] else ""))
    return f"{fault['id']}: {', '.join(parts)}"


class Dropping:
    """WSGI middleware around the Flask app: carries out a drop or a truncation that `_apply`
    marked, after the app has (or has not) handled the request."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        body = self.app(environ, start_response)
        drop = environ.get("slskit.drop")
        if drop is None:
            return body
        if drop in ("before", "after"):
            if hasattr(body, "close"):
                body.close()
            raise DroppedConnection(f"dropped on purpose ({drop} the request was handled)")
        return self._truncated(body)

    @staticmethod
    def _truncated(body):
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        yield data[:max(1, len(data) // 2)]  # at least a byte: the headers go out with it
        raise DroppedConnection("truncated on purpose")


def init_app(app):
    app.extensions["slskit_faults"] = Faults()
    app.before_request(_apply)
    app.wsgi_app = Dropping(app.wsgi_app)
