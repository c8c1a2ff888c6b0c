"""The Client Portal Gateway's session API (/v1/...), mounted only with GATEWAY (issue 19).

As with the real gateway, the session lives in the gateway, not in a cookie: once a browser has
logged in through it (`hold`, called by mock_portal/auth.py), every local program's call is
authenticated, cookies or not. One session at a time: another login replaces it, a logout ends
it (`release`), and it ends when no call came for GATEWAY_SESSION_IDLE_SECONDS; any call keeps it
alive, /tickle being the one made for that. Without it every route answers 401 JSON. What a
login opens it is access.py's to say (`gateway_holds`: one that passed the security device).

Shapes and behaviour, with their sources (docs/gateway.md lists them for users):
- IBKR Campus, "Web API v1.0 Documentation" (cpapi-v1), https://www.interactivebrokers.com/campus/
  ibkr-api-page/cpapi-v1/ (copies in the code index: read_file ids 65999093934, 56935610016):
  "Sessions will time out after approximately 6 minutes without sending new requests or
  maintaining the /tickle endpoint at least every 5 minutes" (hence 6 minutes idle, create_app);
  "The Client Portal Gateway will automatically initialize the brokerage session" (hence `hold`
  opens it); the sso/validate fields and example; /portfolio/accounts and /iserver/accounts.
- The gateway's own swagger ("Client Portal Web API" 1.0.0, basePath /v1/api, as shipped in the
  ib_client crate: https://rust-digger.code-maven.com/src/ib_client-1.0.0/doc.json; also
  goraxe/rust-ibkr-cpapi docs/SessionApi.md): POST /tickle ("If the gateway has not received any
  requests for several minutes an open session will automatically timeout"), POST
  /iserver/auth/status, POST /iserver/reauthenticate, POST /logout, GET /sso/validate.
- https://interactivebrokers.github.io/cpwebapi/ (the gateway's first docs): "If left inactive a
  session will timeout within a few minutes. It can be kept alive by calling /portal/sso/validate".
- The tickle's fields, `collission` spelled so: docs.rs ibkr-cp-api-client src/models/tickle.rs
  (session, ssoExpires, collission, userId, iserver.authStatus{MAC, authenticated, competing,
  connected, message, serverInfo{serverName, serverVersion}, fail}); `hmds` {"error": ...} in the
  generated SuccessfulTickleResponse model and Go clients in the index (id 508998119).
- The brokerage session's body {"publish", "compete"}: the BrokerageSessionInitRequest model;
  Voyz/ibind ibind/client/ibkr_client_mixins/session_mixin.py (initialize_brokerage_session).
  Its answer adds `hardware_info` ("Machine ID|MAC": ibkrguides.com/releasenotes/api/cp-web/
  latest-2023.htm) and `passed` (swagger InlineResponse2002, docs.rs ib 3.0.0).
- Observed answers (index ids 6948065005, 59080673154): auth status {authenticated, competing,
  connected, message, MAC, serverInfo, hardware_info}; logout {"status": true}; reauthenticate
  {"message":"triggered"}. API errors are {"error": ..., "statusCode": N} (e.g. {"error": "Invalid
  headers", "statusCode": 400} in a login script, index id 70905502554).
- The clients: Voyz/ibeam ibeam/src/var.py (its routes, /v1/portal/sso/validate and
  /v1/portal/iserver/reauthenticate?force=true among them) and src/handlers/http_handler.py (401
  = no session; POSTs without a body; reads iserver.authStatus, collission, session, ssoExpires,
  RESULT); Voyz/ibind session_mixin.py check_health (tickle's iserver.authStatus; 401 = not
  authenticated); utilmon/EasyIB src/easyib/easyib.py (GET portfolio/accounts, [0]["accountId"]).
"""
import hashlib
import json
import secrets
import sqlite3

from flask import Blueprint, abort, current_app, g, request

from . import access, events, i18n, sessions, storage
from .access import GATEWAY_API, blueprint_rule
from .db import get_db

bp = Blueprint("gateway", __name__, url_prefix="/v1")
blueprint_rule(bp, GATEWAY_API)  # the access layer lets everyone through; `_the_session` decides

# What the gateway says about itself: plainly a mock's, in the real fields' formats.
MAC = "02:00:00:00:00:01"  # a locally administered address, no vendor's
SERVER_INFO = {"serverName": "slskit", "serverVersion": "Build 10.30.1, slskit mock"}
HARDWARE_INFO = f"00000000|{MAC}"
# /sso/validate's features and region, as the reference's example has them.
FEATURES = {"env": "PROD", "wlms": True, "realtime": True, "bond": True, "optionChains": True,
            "calendar": True, "newMf": True}
LOGIN_LIVE = 1  # LOGIN_TYPE: 1 live, 2 paper; the scenario's users are live users


# --- the session store, for mock_portal/auth.py and the routes ----------------------------------

def hold(conn, username, factors, now, passcode_issued_at=None):
    """A login through the gateway finished: it becomes the gateway's one session (replacing any
    other), its brokerage session opened as the gateway does by itself after a login."""
    conn.execute("INSERT OR REPLACE INTO gateway_session (slot, session, username, factors, authenticated_at,"
                 " last_seen, brokerage, passcode_issued_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
                 (secrets.token_hex(16), username, factors, now, now, 1, passcode_issued_at))
    events.log("gateway.session_held", username=username, factors=factors)


def release(conn, username=None):
    """End the gateway's session (the API's logout), or only if it is `username`'s (that user's
    logout in the browser: another user's later login is not theirs to end)."""
    row = conn.execute("SELECT username FROM gateway_session").fetchone()
    if row is not None and username in (None, row["username"]):
        conn.execute("DELETE FROM gateway_session")
        events.log("gateway.session_released", username=row["username"])


def _now(username):
    return current_app.config["CLOCK"].now_for(username)  # that user's time: the test clock moves it


def holder():
    """Whose the gateway's session is, without touching it (the journal and faults ask)."""
    row = get_db().execute("SELECT username FROM gateway_session").fetchone()
    return row["username"] if row is not None else None


def _current(conn):
    """The session, its idle time reset by this call; None when there is none or it idled out."""
    row = conn.execute("SELECT * FROM gateway_session").fetchone()
    if row is None:
        return None
    now = _now(row["username"])
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


def _set_brokerage(conn, row):
    """Open the brokerage session (again)."""
    conn.execute("UPDATE gateway_session SET brokerage = 1")
    return conn.execute("SELECT * FROM gateway_session").fetchone()


# --- answers -------------------------------------------------------------------------------------

def _answer(body, status=200):
    """JSON as the gateway writes it: compact, nothing after it (logout is exactly {"status":true})."""
    return current_app.response_class(json.dumps(body, separators=(",", ":")), status,
                                      mimetype="application/json")


def json_error(exc):
    """An HTTP error under /v1/ as the API's errors look, never a page (mock_portal/__init__.py)."""
    description = exc.description if isinstance(exc.description, str) else ""
    if description.startswith("error."):
        message = i18n.translate(description, "en")  # a portal refusal (CSRF, origin) in plain words
    elif description and description != type(exc).description:
        message = description  # this module's own reason
    else:
        message = exc.name  # werkzeug's default: "Not Found", "Method Not Allowed"...
    response = _answer({"error": message, "statusCode": exc.code}, exc.code)
    if exc.code == 405 and getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def _millis(seconds):
    return int(seconds * 1000)


def _user_id(username):
    """A stable 9-digit USER_ID for the username (the scenario has no numeric ids)."""
    return 100_000_000 + int.from_bytes(hashlib.sha256(username.encode()).digest()[:4], "big") % 900_000_000


def _expires_ms(row):
    idle = current_app.config["GATEWAY_SESSION_IDLE_SECONDS"]
    return max(0, _millis(row["last_seen"] + idle - _now(row["username"])))


def _auth_status(row):
    return {"authenticated": bool(row["brokerage"]), "competing": False, "connected": True, "message": "",
            "MAC": MAC, "serverInfo": dict(SERVER_INFO), "fail": "", "hardware_info": HARDWARE_INFO}


def _user(conn, row):
    return conn.execute("SELECT * FROM users WHERE username = ?", (row["username"],)).fetchone()


# --- every route: the gateway's session, and a body the API can read -------------------------

@bp.before_request
def _the_session():
    g.gateway = _current(get_db())
    if g.gateway is None:
        abort(401, description="not authenticated")
    g.body = _json_body() if request.method == "POST" else {}


def _json_body():
    """The posted JSON, {} without a body (IBeam posts none); 400 for a body that is not JSON."""
    raw = request.get_data(cache=True)  # more than MAX_CONTENT_LENGTH: 413 before it is read
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        abort(400, description="Bad Request: the body is not valid JSON")


# --- the routes ----------------------------------------------------------------------------------

@bp.post("/api/tickle")
def tickle():
    row = g.gateway
    return _answer({"session": row["session"], "ssoExpires": _expires_ms(row), "collission": False,
                    "userId": _user_id(row["username"]), "hmds": {"error": "no bridge"},
                    "iserver": {"authStatus": _auth_status(row)}})


@bp.route("/api/iserver/auth/status", methods=["GET", "POST"])
def auth_status():
    return _answer(_auth_status(g.gateway))


@bp.post("/api/iserver/auth/ssodh/init")
def ssodh_init():
    body = g.body
    if not isinstance(body, dict):
        abort(400, description="Bad Request: the body must be a JSON object")
    for name in ("publish", "compete"):
        if name in body and not isinstance(body[name], bool):
            abort(400, description=f"Bad Request: {name} must be true or false")
    row = _set_brokerage(get_db(), g.gateway)
    return _answer({**_auth_status(row), "passed": True})


@bp.post("/api/iserver/reauthenticate")
@bp.post("/portal/iserver/reauthenticate")  # IBeam's route, with ?force=true
def reauthenticate():
    _set_brokerage(get_db(), g.gateway)
    return _answer({"message": "triggered"})


@bp.get("/api/sso/validate")
@bp.get("/portal/sso/validate")  # IBeam's route
def validate():
    row = g.gateway
    username = row["username"]
    user = _user(get_db(), row)
    return _answer({
        "USER_ID": _user_id(username), "USER_NAME": username, "RESULT": True,
        "AUTH_TIME": _millis(row["authenticated_at"]),
        "SF_ENABLED": row["factors"] == sessions.PASSWORD_AND_DEVICE,  # the login passed the device
        "IS_FREE_TRIAL": False, "CREDENTIAL": username, "IP": request.remote_addr or "",
        "EXPIRES": _expires_ms(row),
        "QUALIFIED_FOR_MOBILE_AUTH": not user["sls_opted_out"],  # the SLS state: access.gateway_holds says why
        "LANDING_APP": "PORTAL",
        "IS_MASTER": False, "lastAccessed": _millis(row["last_seen"]), "LOGIN_TYPE": LOGIN_LIVE,
        "PAPER_USER_NAME": None,  # a live login; the scenario names no paper username
        "features": dict(FEATURES), "region": "NJ",
    })


@bp.post("/api/logout")
def logout():
    release(get_db())
    return _answer({"status": True})


@bp.get("/api/portfolio/accounts")
def portfolio_accounts():
    row = g.gateway
    account = _user(get_db(), row)["account_id"]
    return _answer([{
        "id": account, "PrepaidCrypto-Z": False, "PrepaidCrypto-P": False,
        "brokerageAccess": bool(row["brokerage"]), "accountId": account, "accountVan": account,
        "accountTitle": "", "displayName": account, "accountAlias": None,
        "accountStatus": _millis(row["authenticated_at"]),  # the reference's is a time; the scenario has none
        "currency": "USD", "type": "INDIVIDUAL", "tradingType": "STKCASH", "businessType": "INDEPENDENT",
        "ibEntity": "IBLLC-US", "faclient": False, "clearingStatus": "O", "covestor": False,
        "noClientTrading": False, "trackVirtualFXPortfolio": False,
        "parent": {"mmc": [], "accountId": "", "isMParent": False, "isMChild": False, "isMultiplex": False},
        "desc": account,
    }])


@bp.get("/api/iserver/accounts")
def iserver_accounts():
    row = g.gateway
    account = _user(get_db(), row)["account_id"]
    return _answer({
        "accounts": [account],
        "acctProps": {account: {"hasChildAccounts": False, "supportsCashQty": True, "noFXConv": False,
                                "isProp": False, "supportsFractions": True, "allowCustomerTime": False}},
        "aliases": {account: account},
        "allowFeatures": {"showGFIS": True, "allowFXConv": True, "allowTypeAhead": True,
                          "snapshotRefreshTimeout": 30, "liteUser": False, "allowCrypto": False,
                          "allowedAssetTypes": "STK,OPT,FUT,CASH,BOND,FUND"},
        "chartPeriods": {"STK": ["*"]}, "groups": [], "profiles": [],
        "selectedAccount": account, "serverInfo": dict(SERVER_INFO),
        "sessionId": f"{row['session'][:8]}.{row['session'][8:16]}", "isFT": False, "isPaper": False,
    })
