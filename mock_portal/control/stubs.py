"""Scripted answers (TEST_HOOKS only): a status, a body and headers for a route and a user,
instead of the portal's own answer, in WireMock's terms (its stub mappings and scenarios).

    POST /_test/stubs
    {"request":  {"method": "POST", "urlPath": "/v1/api/iserver/auth/status", "username": "tanaka01"},
     "response": {"status": 200, "jsonBody": {"authenticated": false}, "headers": {"X-Why": "test"}},
     "scenarioName": "login loop", "requiredScenarioState": "Started", "newScenarioState": "2",
     "priority": 5}

request:  `method` (any without it), `urlPath` (exact) or `urlPathPattern` (a regular expression
          matched from the path's start), `username` (whose request, as the journal's `username`;
          every visitor's without it), as a fault's (faults.py).
response: `status` (200-599, 200 by default), `jsonBody` (any JSON) or `body` (text), `headers`
          (names and values as text; not the ones that frame the answer: Content-Length,
          Transfer-Encoding, Connection). Content-Type is application/json with jsonBody and
          text/plain with body unless `headers` names one.
scenario: a stub with `scenarioName` belongs to that scenario, which starts in the state
          "Started"; with `requiredScenarioState` it answers only in that state, and
          `newScenarioState` is the state the scenario moves to when it answered. Three stubs
          Started -> 2 -> 3 -> done answer the first three requests; the fourth, matching none,
          gets the portal's own answer.
`priority`: 1 is first (WireMock's; 5 by default); among equals the newest stub answers.

A request a stub answered is not handled (nothing is stored, no pacing counts it); the journal's
`stub` names the stub. Anything else in a stub is refused with one line (400).
"""
import re
import secrets
import threading

from flask import current_app, g, json, jsonify, request

from . import journal
from .routes import BadInput, _json, bp

STARTED = "Started"  # WireMock's first state of every scenario
MAX_STUBS = 1_000
FRAMING = {"content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "trailer"}
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
FIELDS = {"request", "response", "scenarioName", "requiredScenarioState", "newScenarioState", "priority"}
REQUEST_FIELDS = {"method", "urlPath", "urlPathPattern", "username"}
RESPONSE_FIELDS = {"status", "jsonBody", "body", "headers"}


class BadStub(BadInput):
    """A stub the hook refuses; the message is the one line answered with 400."""


def _unknown(given, known, where):
    extra = sorted(set(given) - known)
    if extra:
        raise BadStub(f"{where}{extra[0]} is not a field of a stub's {where.rstrip('.') or 'top level'}"
                      f" (known: {', '.join(sorted(known))})")


def _text(value, name, empty=False):
    if not isinstance(value, str) or (not empty and not value):
        raise BadStub(f"{name} must be {'a' if empty else 'a non-empty'} string")
    return value


def _headers(headers):
    if not isinstance(headers, dict):
        raise BadStub("response.headers must be an object of names and values")
    for name, value in headers.items():
        if not HEADER_NAME.match(name):
            raise BadStub(f"response.headers: {name!r} is not a header name")
        if name.lower() in FRAMING:
            raise BadStub(f"response.headers: {name} frames the answer; the server sets it")
        if not isinstance(value, str) or any(ord(c) < 32 and c != "\t" or ord(c) > 126 for c in value):
            raise BadStub(f"response.headers.{name} must be printable ASCII text")
    return dict(headers)


def parse(data):
    """A posted stub as stored, or BadStub naming the first problem."""
    if not isinstance(data, dict) or not isinstance(data.get("request", {}), dict) \
            or not isinstance(data.get("response"), dict):
        raise BadStub('a stub is {"request": {...}, "response": {...}}')
    _unknown(data, FIELDS, "")
    match, response = data.get("request", {}), data["response"]
    _unknown(match, REQUEST_FIELDS, "request.")
    _unknown(response, RESPONSE_FIELDS, "response.")
    for name in REQUEST_FIELDS & set(match):
        _text(match[name], f"request.{name}")
    if "urlPath" in match and "urlPathPattern" in match:
        raise BadStub("request: urlPath or urlPathPattern, not both")
    try:
        pattern = re.compile(match["urlPathPattern"]) if "urlPathPattern" in match else None
    except re.error as e:
        raise BadStub(f"request.urlPathPattern is not a regular expression ({e})") from None
    if (match.get("urlPath") or "/").startswith(journal.HOOKS.rstrip("/")):
        raise BadStub("the test hooks are never stubbed")
    status = response.get("status", 200)
    if isinstance(status, bool) or not isinstance(status, int) or not 200 <= status <= 599:
        raise BadStub("response.status must be a status from 200 to 599")
    if "jsonBody" in response and "body" in response:
        raise BadStub("response: jsonBody or body, not both")
    if "body" in response:
        _text(response["body"], "response.body", empty=True)
    if status in (204, 304) and ("jsonBody" in response or response.get("body")):
        raise BadStub(f"response: a {status} has no body")
    headers = _headers(response.get("headers", {}))
    scenario = data.get("scenarioName")
    if scenario is not None:
        _text(scenario, "scenarioName")
    for name in ("requiredScenarioState", "newScenarioState"):
        if name in data:
            if scenario is None:
                raise BadStub(f"{name} needs a scenarioName")
            _text(data[name], name)
    priority = data.get("priority", 5)
    if isinstance(priority, bool) or not isinstance(priority, int) or not 1 <= priority <= 1_000_000:
        raise BadStub("priority must be a whole number from 1 (first) to 1000000")
    return {
        "id": secrets.token_hex(8), "method": match.get("method", "").upper() or None,
        "urlPath": match.get("urlPath"), "urlPathPattern": pattern, "username": match.get("username"),
        "status": status, "body": _body(response), "headers": headers, "scenario": scenario,
        "required": data.get("requiredScenarioState"), "new": data.get("newScenarioState"),
        "priority": priority, "spec": data,
    }


def _body(response):
    """(bytes, content type) of the scripted answer."""
    if "jsonBody" in response:
        try:
            return json.dumps(response["jsonBody"], separators=(",", ":"), allow_nan=False).encode(), "application/json"
        except (ValueError, RecursionError):
            raise BadStub("response.jsonBody must be JSON a client can read (no NaN or Infinity)") from None
    if "body" in response:
        return response["body"].encode(), "text/plain; charset=utf-8"
    return b"", None


class Stubs:
    def __init__(self):
        self._stubs = []      # newest last
        self._states = {}     # scenario name -> its state
        self._lock = threading.Lock()
        self._added = 0       # the order stubs came in: among equal priorities the newest answers

    def add(self, data):
        stub = parse(data)
        with self._lock:
            if len(self._stubs) >= MAX_STUBS:
                raise BadStub(f"at most {MAX_STUBS} stubs at once; DELETE some first")
            self._added += 1
            stub["added"] = self._added
            self._stubs.append(stub)
            if stub["scenario"] is not None:
                self._states.setdefault(stub["scenario"], STARTED)
        return stub

    def listed(self, username=None):
        with self._lock:
            return [{"id": s["id"], **s["spec"]} for s in self._stubs
                    if username is None or s["username"] == username]

    def remove(self, stub_id=None, username=None):
        """Remove one stub by id, every stub of `username`, or all; the number removed. A
        scenario no stub names any more is forgotten with its state."""
        with self._lock:
            kept = [s for s in self._stubs if not (
                (stub_id is not None and s["id"] == stub_id)
                or (stub_id is None and (username is None or s["username"] == username)))]
            removed = len(self._stubs) - len(kept)
            self._stubs = kept
            named = {s["scenario"] for s in kept}
            self._states = {name: state for name, state in self._states.items() if name in named}
        return removed

    def clear(self):
        self.remove()

    def scenarios(self):
        with self._lock:
            return [{"name": name, "state": state,
                     "possibleStates": sorted({STARTED} | {s[k] for s in self._stubs if s["scenario"] == name
                                                          for k in ("required", "new") if s[k]})}
                    for name, state in sorted(self._states.items())]

    def reset_scenarios(self):
        with self._lock:
            self._states = {name: STARTED for name in self._states}

    def __bool__(self):
        return bool(self._stubs)

    def take(self, method, path, username):
        """The stub that answers this request (its scenario moved on), or None."""
        with self._lock:
            matching = [s for s in self._stubs
                        if s["method"] in (None, method)
                        and (s["urlPath"] is None or s["urlPath"] == path)
                        and (s["urlPathPattern"] is None or s["urlPathPattern"].match(path))
                        and (s["username"] is None or s["username"] == username)
                        and (s["required"] is None or self._states.get(s["scenario"]) == s["required"])]
            if not matching:
                return None
            stub = min(matching, key=lambda s: (s["priority"], -s["added"]))
            if stub["new"] is not None:
                self._states[stub["scenario"]] = stub["new"]
            return stub


def of(app=None):
    return (app or current_app).extensions["slskit_stubs"]


def _apply():
    """before_request, after the faults: the scripted answer instead of the portal's."""
    if request.path.startswith(journal.HOOKS) or not of():  # no stub: not even whose request it is
        return None
    stub = of().take(request.method, request.path, journal.whose())
    if stub is None:
        return None
    g.stub_applied = stub["id"]
    body, content_type = stub["body"]
    response = current_app.response_class(body, stub["status"])
    if content_type is None:
        del response.headers["Content-Type"]
    else:
        response.headers["Content-Type"] = content_type
    for name, value in stub["headers"].items():
        response.headers[name] = value
    return response


def init_app(app):
    app.extensions["slskit_stubs"] = Stubs()
    app.before_request(_apply)


@bp.record_once
def _with_stubs(state):
    """On an app that mounts the hooks itself, after the journal and the faults (routes.py)."""
    if "slskit_stubs" not in state.app.extensions:
        init_app(state.app)


# The routes (the table: mock_portal/control/__init__.py).

@bp.post("/stubs")
def add_stub():
    stub = of().add(_json())
    return jsonify(id=stub["id"]), 201


@bp.get("/stubs")
def stubs_listed():
    return jsonify(stubs=of().listed(request.args.get("username")))


@bp.delete("/stubs")
def remove_stubs():
    """?username=: remove that user's stubs (all without it)."""
    return jsonify(removed=of().remove(username=request.args.get("username")))


@bp.delete("/stubs/<stub_id>")
def remove_stub(stub_id):
    if not of().remove(stub_id=stub_id):
        return jsonify(error="no such stub"), 404
    return jsonify(removed=1)


@bp.get("/scenarios")
def scenarios_listed():
    return jsonify(scenarios=of().scenarios())


@bp.post("/scenarios/reset")
def reset_scenarios():
    """Every scenario back to "Started"."""
    of().reset_scenarios()
    return jsonify(ok=True)
