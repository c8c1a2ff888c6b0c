"""Every route × method × kind of session, allowed or refused as EXPECTED says (mock_portal/access.py).

The app's URL map is walked, so a route added later without an entry here fails the suite with
the line to add; one whose behaviour differs from its entry fails naming the route and the kind.
"Refused" means the access rule refused it (an `access.refused` event): a redirect to the login,
401 or 403. "Allowed" means the view ran; it may still refuse the form (400, 409) but never 5xx.
"""
import re
import secrets
from contextlib import closing

import pytest

from mock_portal import db, scenario
from mock_portal.sessions import COOKIE
from portal_client import USERS, Visitor


KINDS = ("anonymous", "pending", "trading_one_factor", "portal", "non_primary", "expired", "paper")
EVERYONE = frozenset(KINDS)
NOT_EXPIRED = EVERYONE - {"expired"}          # a POST of an expired session is refused whatever the route
PENDING = frozenset({"pending"})              # the code step of a login whose password was accepted
SIGNED_IN = frozenset({"trading_one_factor", "portal", "non_primary"})  # the trading screen
DEVICE = frozenset({"portal", "non_primary"})  # Client Portal, classic, gateway success, re-authentication
PRIMARY = frozenset({"portal"})
PAPER = frozenset({"paper"})                  # a paper login: no user logged in, the gateway's session only

# (endpoint, method): the kinds of session allowed through. Every route of the app has an entry.
EXPECTED = {
    ("static", "GET"): EVERYONE,
    ("home.index", "GET"): EVERYONE,
    ("auth.login", "GET"): EVERYONE,
    ("auth.login_submit", "POST"): NOT_EXPIRED,
    ("auth.gateway_login", "GET"): EVERYONE,
    ("auth.gateway_succeeded", "GET"): DEVICE | PAPER,
    ("auth.second_factor", "GET"): PENDING,
    ("auth.choose_device", "POST"): PENDING,
    ("auth.second_factor_submit", "POST"): PENDING,
    ("auth.resend_code", "POST"): PENDING,
    ("auth.mobile_approval", "POST"): PENDING,
    ("auth.login_continue", "POST"): SIGNED_IN | PAPER,  # the IB Key promotion's Continue
    ("auth.reauth", "GET"): DEVICE,
    ("auth.reauth_device", "POST"): DEVICE,
    ("auth.reauth_submit", "POST"): DEVICE,
    ("auth.reauth_resend", "POST"): DEVICE,
    ("auth.logout", "POST"): NOT_EXPIRED,
    ("seed.index", "GET"): DEVICE,
    ("seed.trading", "GET"): SIGNED_IN,
    ("seed.account", "GET"): DEVICE,
    ("seed.messages", "GET"): DEVICE,
    ("seed.audit", "GET"): PRIMARY,
    ("seed.settings", "GET"): DEVICE,
    ("seed.user_settings", "GET"): DEVICE,
    ("seed.secure_login", "GET"): DEVICE,
    ("seed.secure_login_continue", "POST"): DEVICE,
    ("seed.secure_login_confirm", "POST"): DEVICE,
    ("seed.secure_login_cancel", "POST"): DEVICE,
    ("seed.opt_out", "GET"): DEVICE,
    ("seed.opt_out_continue", "POST"): DEVICE,
    ("seed.opt_out_confirm", "POST"): DEVICE,
    ("seed.opt_out_cancel", "POST"): DEVICE,
    ("classic.index", "GET"): DEVICE,
    ("classic.manage_account", "GET"): DEVICE,
    ("classic.security", "GET"): DEVICE,
    ("classic.secure_login_system", "GET"): DEVICE,
    ("classic.sls_opt_out", "GET"): DEVICE,
    ("classic.sls_opt_out_continue", "POST"): DEVICE,
    ("classic.sls_opt_out_confirm", "POST"): DEVICE,
    ("classic.sls_opt_out_cancel", "POST"): DEVICE,
    # The article's current revision (mock_portal/screens/current.py); a seed-revision user is sent home.
    ("current.index", "GET"): DEVICE,
    ("current.settings", "GET"): DEVICE,
    ("current.secure_login", "GET"): DEVICE,
    ("current.secure_login_continue", "POST"): DEVICE,
    ("current.secure_login_confirm", "POST"): DEVICE,
    ("current.secure_login_cancel", "POST"): DEVICE,
    ("current.remove_device", "POST"): DEVICE,
    ("current.ibkey_activation", "GET"): DEVICE,
    ("current.ibkey_activated", "POST"): DEVICE,
    ("current.code_card_page", "GET"): DEVICE,
    ("current.code_card_download", "GET"): DEVICE,
    ("current.issue_code_card", "POST"): DEVICE,
    ("current.other_username", "GET"): DEVICE,
    ("current.other_username_submit", "POST"): DEVICE,
    ("current.other_username_device", "POST"): DEVICE,
    ("current.other_username_resend", "POST"): DEVICE,
    ("current.other_username_code", "POST"): DEVICE,
    # The article's references: withdrawals (seed and current revisions), a physical device (the current
    # revision's; a seed-revision user is sent home). A trading-only login requests neither.
    ("withdrawals.request_form", "GET"): DEVICE,
    ("withdrawals.request_continue", "POST"): DEVICE,
    ("withdrawals.request_confirm", "POST"): DEVICE,
    ("withdrawals.request_cancel", "POST"): DEVICE,
    ("withdrawals.authenticate", "GET"): DEVICE,
    ("withdrawals.authenticate_submit", "POST"): DEVICE,
    ("withdrawals.authenticate_resend", "POST"): DEVICE,
    ("withdrawals.limits_page", "GET"): DEVICE,
    ("physical.request_form", "GET"): DEVICE,
    ("physical.request_continue", "POST"): DEVICE,
    ("physical.summary", "GET"): DEVICE,
    ("physical.place_order", "POST"): DEVICE,
    ("physical.requested", "GET"): DEVICE,
    ("physical.activation_start", "POST"): DEVICE,
    ("physical.activation", "GET"): DEVICE,
    ("physical.activation_response", "POST"): DEVICE,
    ("physical.return_form", "GET"): DEVICE,
    ("physical.send_back", "POST"): DEVICE,
    # The test hooks: mounted only with TEST_HOOKS, then open to the suite that asked for them.
    ("hooks.reset", "POST"): EVERYONE,
    ("hooks.add_users", "POST"): EVERYONE,
    ("hooks.move_clock", "POST"): EVERYONE,
    ("hooks.user_state", "GET"): EVERYONE,
    ("hooks.sms_outbox", "GET"): EVERYONE,
    ("hooks.ibkey_push", "POST"): EVERYONE,
    ("hooks.temporary_passcode", "POST"): EVERYONE,
    ("hooks.user_devices", "GET"): EVERYONE,
    ("hooks.ibkey_activate", "POST"): EVERYONE,
    ("hooks.requests_made", "GET"): EVERYONE,
    ("hooks.forget_requests", "DELETE"): EVERYONE,
    ("hooks.add_fault", "POST"): EVERYONE,
    ("hooks.faults_listed", "GET"): EVERYONE,
    ("hooks.remove_faults", "DELETE"): EVERYONE,
    ("hooks.remove_fault", "DELETE"): EVERYONE,
    ("hooks.login_elsewhere", "POST"): EVERYONE,
    ("hooks.brokerage_session", "POST"): EVERYONE,
    ("hooks.login_options", "POST"): EVERYONE,
    ("hooks.mobile_approval", "POST"): EVERYONE,
    ("hooks.add_stub", "POST"): EVERYONE,
    ("hooks.stubs_listed", "GET"): EVERYONE,
    ("hooks.remove_stubs", "DELETE"): EVERYONE,
    ("hooks.remove_stub", "DELETE"): EVERYONE,
    ("hooks.scenarios_listed", "GET"): EVERYONE,
    ("hooks.reset_scenarios", "POST"): EVERYONE,
    ("hooks.review_sharing_request", "POST"): EVERYONE,
    ("hooks.deliver_physical_device", "POST"): EVERYONE,
    ("hooks.receive_physical_device", "POST"): EVERYONE,
    ("hooks.lose_physical_device", "POST"): EVERYONE,
    ("hooks.user_funds", "GET"): EVERYONE,
    # The gateway's /v1 API (mock_portal/gateway/), mounted with GATEWAY: open at the access layer
    # whatever the cookie says; the gateway's own session decides (401 JSON without one).
    ("gateway.tickle", "GET"): EVERYONE,
    ("gateway.tickle", "POST"): EVERYONE,
    ("gateway.auth_status", "GET"): EVERYONE,
    ("gateway.auth_status", "POST"): EVERYONE,
    ("gateway.ssodh_init", "POST"): EVERYONE,
    ("gateway.reauthenticate", "POST"): EVERYONE,
    ("gateway.validate", "GET"): EVERYONE,
    ("gateway.logout", "POST"): EVERYONE,
    ("gateway.portfolio_accounts", "GET"): EVERYONE,
    ("gateway.iserver_accounts", "GET"): EVERYONE,
}
# Values for the variable parts of a route's path.
PATH_VALUES = {"username": "alice", "filename": "portal.css", "device_id": "1", "fault_id": "0123abcd",
               "stub_id": "0123abcd", "serial": "DSC000000001"}


@pytest.fixture
def hooked_app(app_like):
    """Every route there is: the app as the gateway (its /v1 API on top of the portal's routes,
    GATEWAY's `/` and logins included) with the test hooks (routes too), on `app`'s database and clock."""
    return app_like(GATEWAY=True, TEST_HOOKS=True)


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def concrete(rule):
    missing = set(rule.arguments) - set(PATH_VALUES)
    assert not missing, f"{rule.rule}: add a sample value for {sorted(missing)} to PATH_VALUES"
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: PATH_VALUES[m.group(1)], rule.rule)


def log_in_as(kind, app, clock):
    """A visitor holding a real session of `kind`, through the login forms."""
    clock.advance(30)  # a fresh TOTP step for each login: no replay
    visitor = Visitor(app.test_client(), clock)
    if kind == "anonymous":
        visitor.get("/sso/login")
    elif kind == "pending":
        visitor.submit_password("alice")
        visitor.get("/sso/login/code")
    elif kind == "trading_one_factor":
        visitor.log_in_trading("alice")  # opted out: the password alone
    elif kind in ("portal", "expired"):
        visitor.log_in("alice")
    elif kind == "non_primary":
        visitor.log_in("bob")
    elif kind == "paper":
        with closing(db.connect(app.config["DATABASE"])) as conn:
            scenario.add_users(conn, [PAPER_USER], app.config["PASSWORD_HASH_METHOD"])
        visitor.get("/sso/Login?forwardTo=22&RL=1&ip2loc=on")
        visitor.post("/sso/login", {**PAPER_USER["paper"], "target": "gateway", "paperSwitch": "on"})
        assert visitor.get("/sso/Dispatcher").status_code == 200
        visitor.get("/sso/Login?forwardTo=22&RL=1&ip2loc=on")  # its form: the paper session's CSRF token
    return visitor


# The paper kind's user: the paper login is its paper account's.
PAPER_USER = {"username": "pat", "password": "pat pass 5", "account_id": "U5000005", "primary": True, "locale": "en",
              "sls_opted_out": False, "devices": [{"type": "authenticator_app", "totp_secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}],
              "paper": {"username": "patpaper", "password": "pat paper 5", "account_id": "DU5000005"}}


def copy_of(template, app, conn, expired=False):
    """A new visitor with a copy of `template`'s session row (a request may end or rotate it);
    `expired`: idle one second longer than SESSION_IDLE_SECONDS."""
    sid = template.client.get_cookie(COOKIE).value
    row = dict(conn.execute("SELECT * FROM sessions WHERE session_id = ?", (sid,)).fetchone())
    row["session_id"] = secrets.token_urlsafe(32)
    if expired:
        row["last_seen"] = template.clock.now() - app.config["SESSION_IDLE_SECONDS"] - 1
    conn.execute(f"INSERT INTO sessions ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                 tuple(row.values()))
    visitor = Visitor(app.test_client(), template.clock)
    visitor.client.set_cookie(COOKIE, row["session_id"])
    visitor.csrf = template.csrf
    return visitor


@pytest.fixture
def refusals(portal_events):
    """The access refusals the portal logged since the last call, as (endpoint, reason)."""
    return lambda: [(e["endpoint"], e["reason"]) for e in portal_events() if e["event"] == "access.refused"]


def test_every_route_has_an_expectation(hooked_app):
    seen = {(rule.endpoint, method) for rule, method in routes(hooked_app)}
    missing = sorted(seen - set(EXPECTED))
    assert not missing, "routes without an entry in EXPECTED (tests/inprocess/test_route_matrix.py): " + "; ".join(
        f"add ({endpoint!r}, {method!r}): <the kinds allowed>, and give the route its rule in "
        "mock_portal/access.py (@requires)" for endpoint, method in missing)
    assert not sorted(set(EXPECTED) - seen), "EXPECTED names routes the app no longer has"


@pytest.mark.parametrize("kind", KINDS)
def test_every_route_allows_and_refuses_as_expected(hooked_app, clock, conn, refusals, kind):
    template = log_in_as(kind, hooked_app, clock)
    wrong = []
    for rule, method in routes(hooked_app):
        allowed = EXPECTED.get((rule.endpoint, method))
        if allowed is None:
            continue  # reported by test_every_route_has_an_expectation
        path = concrete(rule)
        visitor = copy_of(template, hooked_app, conn, expired=kind == "expired")
        refusals()  # what the set-up logged
        response = visitor.get(path) if method == "GET" else visitor.post(path, {})
        refused = [reason for endpoint, reason in refusals() if endpoint == rule.endpoint]
        where = f"{method} {path} ({rule.endpoint}) as {kind}: {response.status_code}"
        if response.status_code >= 500:
            wrong.append(f"{where}, a server error")
        elif kind in allowed and refused:
            wrong.append(f"{where}, refused ({refused[0]}) but expected allowed")
        elif kind not in allowed and not refused:
            wrong.append(f"{where}, allowed but expected refused")
        elif refused and response.status_code not in (302, 303, 401, 403):
            wrong.append(f"{where}, a refusal must redirect to the login or answer 401/403")
    assert not wrong, "\n".join(wrong)


def test_a_route_without_a_rule_is_refused_to_everyone(app, clock, refusals):
    from flask import Blueprint
    bp = Blueprint("unruled", __name__)
    bp.add_url_rule("/unruled", "page", lambda: "should never be served")
    app.register_blueprint(bp)
    for kind in ("anonymous", "portal"):
        response = log_in_as(kind, app, clock).get("/unruled")
        assert response.status_code == 403 and b"should never" not in response.data
        assert ("unruled.page", "no_rule") in refusals()


def test_the_matrix_users_are_what_the_kinds_say():
    assert USERS["alice"]["primary"] and USERS["alice"]["sls_opted_out"]  # trading without the device
    assert not USERS["bob"]["primary"]
