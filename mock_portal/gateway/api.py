"""The gateway's session API under /v1 (the blueprint): each route answers by the gateway's one
session (mock_portal/gateway/session.py), never by a caller's cookie; without a session every
route answers 401 JSON. Its brokerage session's state (session.STATES, and a login elsewhere's
`elsewhere`) decides the status every answer carries. Its shapes and every fact behind them,
with their public sources, are in docs/gateway.md.
"""
import hashlib
import json

from flask import Blueprint, abort, current_app, g, request

from .. import i18n, sessions, users
from ..access import GATEWAY_API, blueprint_rule
from ..db import get_db
from . import session

bp = Blueprint("gateway", __name__, url_prefix="/v1")
blueprint_rule(bp, GATEWAY_API)  # the access layer lets everyone through; `_the_session` decides

# What the gateway says about itself: plainly a mock's, in the real fields' formats.
MAC = "02:00:00:00:00:01"  # a locally administered address, no vendor's
SERVER_INFO = {"serverName": "slskit", "serverVersion": "Build 10.30.1, slskit mock"}
HARDWARE_INFO = f"00000000|{MAC}"
# /sso/validate's features and region, as the reference's example has them.
FEATURES = {"env": "PROD", "wlms": True, "realtime": True, "bond": True, "optionChains": True,
            "calendar": True, "newMf": True}
LOGIN_TYPES = {False: 1, True: 2}  # LOGIN_TYPE: 1 live, 2 paper
# What auth/status's `fail` says after ssodh/init without compete while another login has the
# brokerage session (Voyz/ibeam#73; docs/gateway.md).
FORCE_COMPETE = "Force compete capability must be used together with compete flag"


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
    return _millis(session.expires_in(row))


def _authenticated(row):
    return row["brokerage"] == "up"


def _competing(row):
    return _authenticated(row) and row["elsewhere"] is not None


def _auth_status(row):
    """The brokerage session's status, in every answer that carries one (docs/gateway.md's table)."""
    authenticated, competing = _authenticated(row), _competing(row)
    return {"authenticated": authenticated, "competing": competing, "connected": row["brokerage"] != "reset",
            "established": authenticated and not competing, "message": "", "MAC": MAC,
            "serverInfo": dict(SERVER_INFO) if authenticated else {"serverName": None, "serverVersion": None},
            "fail": FORCE_COMPETE if row["brokerage"] == "yielded" else "", "hardware_info": HARDWARE_INFO}


def _account(row):
    """The account the session trades: the user's, or their paper account's."""
    conn = get_db()
    if row["paper"]:
        return users.paper_of(conn, row["username"])["account_id"]
    return users.find(conn, row["username"])["account_id"]


# --- every route: the gateway's session, and a body the API can read -------------------------

@bp.before_request
def _the_session():
    g.gateway = session.current(get_db())
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

@bp.route("/api/tickle", methods=["GET", "POST"])  # GET: ibkr-core-mcp's reachability probe
def tickle():
    row = g.gateway
    if row["brokerage"] == "no_session":
        return _answer({"error": "no session"})
    return _answer({"session": row["session"], "ssoExpires": _expires_ms(row), "collission": False,
                    "userId": _user_id(row["login_name"]), "hmds": {"error": "no bridge"},
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
    # Scripts also send it in the query (?compete=true&publish=true: docs/gateway.md).
    compete = body.get("compete") is True or request.args.get("compete") == "true"
    row, passed = session.initialise(get_db(), g.gateway, compete)
    return _answer({**_auth_status(row), "passed": passed})


@bp.post("/api/iserver/reauthenticate")
@bp.post("/portal/iserver/reauthenticate")  # IBeam's route, with ?force=true
def reauthenticate():
    session.reauthenticate(get_db(), g.gateway)
    return _answer({"message": "triggered"})


@bp.get("/api/sso/validate")
@bp.get("/portal/sso/validate")  # IBeam's route
def validate():
    row = g.gateway
    name, paper = row["login_name"], bool(row["paper"])
    user = users.find(get_db(), row["username"])
    return _answer({
        "USER_ID": _user_id(name), "USER_NAME": name, "RESULT": True,
        "AUTH_TIME": _millis(row["authenticated_at"]),
        "SF_ENABLED": row["factors"] == sessions.PASSWORD_AND_DEVICE,  # the login passed the device
        "IS_FREE_TRIAL": False, "CREDENTIAL": name, "IP": request.remote_addr or "",
        "EXPIRES": _expires_ms(row),
        # The SLS state (access.gateway_holds says why); a paper login requires no second factor.
        "QUALIFIED_FOR_MOBILE_AUTH": False if paper else not user["sls_opted_out"],
        "LANDING_APP": "PORTAL",
        "IS_MASTER": False, "lastAccessed": _millis(row["last_seen"]), "LOGIN_TYPE": LOGIN_TYPES[paper],
        "PAPER_USER_NAME": name if paper else "",  # a string in the description: empty for a live login
        "features": dict(FEATURES), "region": "NJ",
    })


@bp.post("/api/logout")
def logout():
    session.end_session(get_db())
    return _answer({"status": True})


@bp.get("/api/portfolio/accounts")
def portfolio_accounts():
    row = g.gateway
    account = _account(row)
    return _answer([{
        "id": account, "PrepaidCrypto-Z": False, "PrepaidCrypto-P": False,
        # An account's attribute, not the session's state: true in the description's example (a DU account).
        "brokerageAccess": True, "accountId": account, "accountVan": account,
        "accountTitle": "", "displayName": account, "accountAlias": None,
        "accountStatus": _millis(row["authenticated_at"]),  # the reference's is a time; the scenario has none
        "currency": "USD", "type": "DEMO" if row["paper"] else "INDIVIDUAL", "tradingType": "STKCASH", "businessType": "INDEPENDENT",
        "ibEntity": "IBLLC-US", "faclient": False, "clearingStatus": "O", "covestor": False,
        "noClientTrading": False, "trackVirtualFXPortfolio": False,
        "parent": {"mmc": [], "accountId": "", "isMParent": False, "isMChild": False, "isMultiplex": False},
        "desc": account,
    }])


@bp.get("/api/iserver/accounts")
def iserver_accounts():
    row = g.gateway
    if row["brokerage"] in session.DOWN_ON_PURPOSE:
        abort(400, description="Bad Request: no bridge")  # the brokerage session was never opened
    if not _authenticated(row):
        abort(401, description="not authenticated")
    if _competing(row):
        return _answer({})
    account = _account(row)
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
        "sessionId": f"{row['session'][:8]}.{row['session'][8:16]}", "isFT": False, "isPaper": bool(row["paper"]),
    })
