"""Who may open what: every route's access rule, and the login guards, in one place.

A server-side session records what its login passed and where it entered (mock_portal/sessions.py):
`factors` is 'password' or 'password+device', `login_target` the entry point (portal, trading or
gateway), `passcode_issued_at` the issue time of a KB69 temporary passcode when one was used.
Rights follow the factors, and nothing but the route's rule grants them:

    ANYONE           public pages, the login forms, logout, static files
    LOGIN_PENDING    the code step of a login whose password was accepted
    TRADING          the trading screen: any finished login, the password alone included (an
                     opted-out user's trading login skips the device: the article's risk)
    PORTAL           Client Portal and classic pages, messages, the gateway's success page: a
                     login that passed the security device
    PRIMARY_USER     PORTAL, for the account's primary user only (the audit log)
    SECURITY_CHANGE  PORTAL and a recent login (Continue and OK of a Secure Login change): an older
                     login first confirms with the device, then returns to the same screen
    SECURITY_CANCEL  PORTAL (Cancel of such a change); refusals of both are audited
    CODE_CARD        the current revision's code card (see it, save it): PORTAL, and for a KB69
                     passcode login the one screen it keeps after 2 days
    CODE_CARD_ISSUE  CODE_CARD and a recent login: issuing a card adds a second factor
    DEVICE_ORDER     PORTAL and a recent login: a physical device ordered, activated, sent back
    REAUTH           the re-authentication before a change: PORTAL, or a KB69 card-only session
    GATEWAY_DONE     the gateway's "Client login succeeds": PORTAL, or a paper login
    LOGIN_DONE       the step after a finished login (the IB Key promotion's Continue): any
                     finished login, the password alone and a paper login included
    GATEWAY_API      the gateway's /v1 API: open here; it answers by the gateway's own session,
                     which only a login that passed the device, or a paper login, opens (`gateway_holds`)
    TEST_HOOK        the /_test/ hooks, mounted only with TEST_HOOKS

A paper login (factors 'paper') logs no user in: its session names the paper username only, so
every rule but those with `paper` refuses it as it refuses a visitor.

KB69 applies to every screen: a session that logged in with a temporary passcode opens the trading
screen for 2 days after the passcode's issue and the Client Portal for 12, whatever page it asks for.

A NEW route declares its rule next to its route decorator:

    from .access import PORTAL, requires

    @bp.get("/settings/something")
    @requires(PORTAL)
    def something(): ...

or a whole blueprint at once, after creating it: `blueprint_rule(bp, PORTAL)` (a view's own
`@requires` wins); a view added with `bp.add_url_rule` is passed as `requires(PORTAL)(view)`. A
screen that changes the SLS state through a confirmation gets its four routes and their rules from
`confirmations.register`. A rule is a `Rule(...)` defined here, never in a blueprint. The one
before_request hook `check` enforces it; a route without a rule is refused (403), and
tests/inprocess/test_route_matrix.py fails naming the route until it has a rule and an expectation there.
Templates ask `may_open(endpoint)` before showing a link.
"""
from dataclasses import dataclass

from flask import abort, current_app, g, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from . import events, limits, sessions, sls, users
from .clock import now
from .db import get_db
from .i18n import current_lang
from .login import devices, todays_page


@dataclass(frozen=True)
class Rule:
    """What a route needs. `login`: 'none', 'pending' (a password accepted, the code owed), 'any'
    (a finished login, whatever its factors) or 'device' (a login that passed the device).
    `reach`: which of a KB69 temporary passcode's reaches it needs, 'trading', 'portal' or 'card'
    (the code card page).
    `primary`: the account's primary user only, else `not_primary` is the message. `recent`: a
    recent login (re-authentication otherwise). `audited`: a refused POST of a known user is written to the audit log.
    `paper`: a paper login's session opens it too."""
    name: str
    login: str = "none"
    paper: bool = False
    reach: str = "portal"
    primary: bool = False
    not_primary: str = "error.not_primary"
    recent: bool = False
    audited: bool = False


ANYONE = Rule("anyone")
LOGIN_PENDING = Rule("login_pending", login="pending")
TRADING = Rule("trading", login="any", reach="trading")
PORTAL = Rule("portal", login="device")
PRIMARY_USER = Rule("primary_user", login="device", primary=True, not_primary="error.audit_primary_only")
SECURITY_CHANGE = Rule("security_change", login="device", recent=True, audited=True)
SECURITY_CANCEL = Rule("security_cancel", login="device", audited=True)
TEST_HOOK = Rule("test_hook")
# The current revision's Online Security Code Card page: a Client Portal page that a KB69 temporary
# passcode's portal-only window (days 3-12) still opens, when nothing else of the portal is.
CODE_CARD = Rule("code_card", login="device", reach="card")
# Issuing a card adds a second factor to the user: an older login first confirms with the device
# it has, as before any security change.
CODE_CARD_ISSUE = Rule("code_card_issue", login="device", reach="card", recent=True)
# The re-authentication: PORTAL, and the KB69 card-only session too, whose one change (issuing
# its card) may ask for it.
REAUTH = Rule("reauth", login="device", reach="card")
# A physical security device ordered, activated or sent back (KB1943, KB975): the user's own, so
# any user of the account, but a change of the user's devices: an older login first confirms with
# the device it has, as before any security change.
DEVICE_ORDER = Rule("device_order", login="device", recent=True)
# The Client Portal Gateway's /v1 API (mock_portal/gateway/): local programs call it without
# cookies; the blueprint answers by the gateway's session (401 JSON without one), never by the
# caller's portal session, so the access layer lets everyone through.
GATEWAY_API = Rule("gateway_api")
# The gateway's "Client login succeeds" page, where a paper login lands too.
GATEWAY_DONE = Rule("gateway_done", login="device", paper=True)
# What follows a finished login on today's login page (the IB Key promotion's Continue): any
# finished login, wherever it entered, a paper login included.
LOGIN_DONE = Rule("login_done", login="any", reach="trading", paper=True)

_BY_BLUEPRINT = {}
_BY_ENDPOINT = {"static": ANYONE}  # Flask's own route for static files


def requires(rule):
    """Decorator: the view's access rule (checked by `check`, before the view runs)."""
    def mark(view):
        view.access_rule = rule
        return view
    return mark


def blueprint_rule(bp, rule):
    """Every view of `bp` without its own `@requires` needs `rule`."""
    _BY_BLUEPRINT[bp.name] = rule


def rule_for(endpoint):
    """The rule of an endpoint of the current app, or None when it has none."""
    if endpoint in _BY_ENDPOINT:
        return _BY_ENDPOINT[endpoint]
    view = current_app.view_functions.get(endpoint)
    rule = getattr(view, "access_rule", None)
    if rule is None and "." in endpoint:
        rule = _BY_BLUEPRINT.get(endpoint.rsplit(".", 1)[0])
    return rule


def _problem(rule):
    """Why the current session may not open a route with `rule`: (reason, status, catalog key),
    or None. Side-effect free: templates ask it through `may_open`."""
    if rule.login == "none":
        return None
    if rule.paper and g.session is not None and g.session["factors"] == sessions.PAPER:
        return None
    if rule.login == "pending":
        if g.session is None or not g.session["pending_user"]:
            return "no_pending_login", 401, "error.login_expired"
        return None
    if g.user is None:
        return "no_login", 401, "error.session_expired"
    if rule.login == "device" and g.session["factors"] != sessions.PASSWORD_AND_DEVICE:
        return "device_required", 403, "error.device_required"
    issued = g.session["passcode_issued_at"]
    if issued is not None:
        reach = devices.passcode_reach(issued, now())
        if not reach:
            return "passcode_expired", 401, "error.temporary_passcode_expired"
        needed = "portal" if rule.reach == "card" else rule.reach
        if needed not in reach:
            return "passcode_portal_only", 403, "error.temporary_passcode_portal_only"
        if "trading" not in reach and rule.reach != "card" and \
                users.revision_of(get_db(), g.user["username"]) == "current":
            # KB69 in the current revision: after 2 days, only to print or save the card.
            return "passcode_card_only", 403, "error.temporary_passcode_card_only"
    if rule.primary and not g.user["is_primary"]:
        return "not_primary", 403, rule.not_primary
    return None


def may_open(endpoint):
    """For templates: whether the current session may open `endpoint` (hides links it may not)."""
    rule = rule_for(endpoint)
    return rule is not None and _problem(rule) is None


def _audit_path():
    return request.blueprint if request.blueprint in ("classic", "current") else "seed"


def _audit_refusal(username, reason):
    """A refused POST of a security change by a known user goes to the audit log, like every
    other refused attempt (mock_portal/sls.py)."""
    conn = get_db()
    target = sls.target_of(conn, request.form.get("confirmation", "")[:limits.ID],
                           request.form.get("target", "")[:limits.ID])
    sls.refuse(conn, username, target, _audit_path(), reason)


def _refused(rule_name, reason, username=None):
    events.log("access.refused", endpoint=request.endpoint, rule=rule_name, reason=reason,
               method=request.method, **({"username": username} if username else {}))


def check():
    """before_request: the route's rule, else the refusal. Unknown routes answer 404/405 first."""
    if request.url_rule is None:
        return None
    rule = rule_for(request.endpoint)
    if rule is None:
        _refused(None, "no_rule")
        abort(403)
    if rule is TEST_HOOK or rule is GATEWAY_API:
        return None  # the hooks' suite, or the gateway's session, decides; an expired cookie says nothing
    if request.method == "POST" and g.get("session_expired"):
        # Whatever the route: one clear message instead of a CSRF complaint, audited when known.
        _refused(rule.name, "session_expired", g.expired_username)
        if rule.audited and g.expired_username:
            _audit_refusal(g.expired_username, "session_expired")
        abort(401, description="error.session_expired")
    problem = _problem(rule)
    if problem is None:
        if rule.recent:
            return require_recent_login()
        return None
    reason, status, key = problem
    username = g.user["username"] if g.user is not None else None
    _refused(rule.name, reason, username)
    if reason == "no_pending_login":
        if request.method == "POST" and todays_page.wants_json():  # today's page: back to its first block
            return todays_page.answer("username", status, key)
        if request.method == "POST":
            return render_template("login/seed.html", lang=current_lang(), error=key, target="portal"), status
        return redirect(url_for("auth.login"))
    if reason == "no_login":
        if g.get("session_expired"):
            return redirect(url_for("home.index", notice="session_expired", lang=current_lang()))
        return redirect(url_for("auth.login", **({"target": "trading"} if rule.reach == "trading" else {})))
    if request.method == "POST" and rule.audited and reason in sls.REFUSAL_REASONS:
        _audit_refusal(username, reason)
    if reason == "passcode_expired":
        sessions.end()
    abort(status, description=key)


# --- what a login through the Client Portal Gateway gives its API clients (mock_portal/gateway/) --

def gateway_holds(factors, passcode_issued_at=None, now=None):
    """Whether a finished login with `factors` opens the gateway's session for its API clients.

    The brokerage: "The login process to the Client Portal API Gateway is the same as to Client
    Portal. As the Client Portal has access to sensitive information and banking functionalities,
    two-factor authentication is mandatory for login." (IBKR Campus, Web API v1.0 documentation,
    Authentication FAQ; docs/gateway.md). So only a login that passed the security device does,
    whatever the user's SLS state: the gateway's login page asks an opted-out user for the device
    too (login_submit skips it for the trading login only), and a password-only trading login on
    the gateway's server leaves the API at 401. Nothing public says more about the opt-out and
    the gateway; the kit shows it to API clients as sso/validate's QUALIFIED_FOR_MOBILE_AUTH
    ("Returns if the customer requires two factor authentication"): false while the user is opted
    out, true after the article's flow (a choice, said so in docs/gateway.md).

    KB69: a login with a temporary passcode opens it only while the passcode still reaches the
    trading platform (its first 2 days), and the session ends with that reach (gateway.py).

    A paper login opens it with the password alone: paper trading credentials ask no second
    factor (the IBeam maintainer in Voyz/ibeam#131, an EasyIB user in utilmon/EasyIB#12;
    docs/gateway.md), whatever the SLS state of the user whose paper account it is."""
    if factors == sessions.PAPER:
        return True
    if factors != sessions.PASSWORD_AND_DEVICE:
        return False
    return passcode_issued_at is None or "trading" in devices.passcode_reach(passcode_issued_at, now)


# --- re-authentication before a security change ------------------------------------------------

def _back_path():
    """Where the re-authentication returns: the same screen, with the same confirmation open."""
    back = _nearest_page(request.path.removesuffix("/confirm"))
    cid = request.form.get("confirmation", "")[:limits.ID]
    if request.path.endswith("/confirm") and cid.replace("-", "").replace("_", "").isalnum():
        back += f"?confirmation={cid}"
    return back


def _nearest_page(path):
    """`path` if a page answers GET there, else the closest one above it (a POST-only action such
    as removing a device returns to the screen it was on, not to a 405)."""
    urls = current_app.url_map.bind("localhost")
    while path.count("/") > 1:
        try:
            urls.match(path, method="GET")
            return path
        except RequestRedirect:
            return path
        except HTTPException:
            path = path.rstrip("/").rsplit("/", 1)[0] or "/"
    return path


def require_recent_login():
    """A login older than REAUTH_MAX_AGE_SECONDS first confirms with the device: the redirect to
    the re-authentication, or None when the login is recent."""
    at = now()
    auth_at = g.session["auth_at"]
    if auth_at is not None and at - auth_at <= current_app.config["REAUTH_MAX_AGE_SECONDS"]:
        return None
    conn = get_db()
    device, _ = devices.chosen(conn, g.user["username"], g.session["device_id"])
    sessions.update(device_id=device["device_id"] if device else None)
    if device is not None:
        devices.start(conn, g.session["session_id"], device, at, current_lang())
    events.log("reauth.required", username=g.user["username"])
    return redirect(url_for("auth.reauth", next=_back_path()), code=303)


def init_app(app):
    app.before_request(check)
    app.jinja_env.globals["may_open"] = may_open
