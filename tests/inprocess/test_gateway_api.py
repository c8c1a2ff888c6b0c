"""The Client Portal Gateway's session API (mock_portal/gateway/), as local programs meet it:
no cookies, the session the browser's login left in the gateway, JSON for everything under /v1/."""
import json

import pytest

from mock_portal import scenario
from portal_client import SCENARIO, USERS, Visitor, text


# Every route of the API: (method, path).
ROUTES = [
    ("POST", "/v1/api/tickle"),
    ("GET", "/v1/api/iserver/auth/status"),
    ("POST", "/v1/api/iserver/auth/status"),
    ("POST", "/v1/api/iserver/auth/ssodh/init"),
    ("POST", "/v1/api/iserver/reauthenticate"),
    ("POST", "/v1/portal/iserver/reauthenticate?force=true"),
    ("GET", "/v1/api/sso/validate"),
    ("GET", "/v1/portal/sso/validate"),
    ("POST", "/v1/api/logout"),
    ("GET", "/v1/api/portfolio/accounts"),
    ("GET", "/v1/api/iserver/accounts"),
]


@pytest.fixture
def gateway_app(app_like):
    """The portal as the gateway (GATEWAY on), on the test's database and frozen clock."""
    return app_like(GATEWAY=True)


@pytest.fixture
def api(gateway_app):
    """A local program calling the API: no cookies, ever."""
    client = gateway_app.test_client(use_cookies=False)

    def call(method, path, **kw):
        response = client.open(path, method=method, **kw)
        assert response.mimetype == "application/json", text(response)
        return response.status_code, response.get_json()
    return call


@pytest.fixture
def browser(gateway_app, clock):
    return Visitor(gateway_app.test_client(), clock)


def idle(gateway_app):
    return gateway_app.config["GATEWAY_SESSION_IDLE_SECONDS"]


def assert_error(status, body, code):
    assert status == code and body["statusCode"] == code and isinstance(body["error"], str) and body["error"]


@pytest.mark.parametrize("method,path", ROUTES)
def test_every_route_answers_401_json_before_a_login(api, method, path):
    assert_error(*api(method, path), 401)


def test_after_a_browser_login_a_program_without_cookies_sees_the_session(api, browser, clock, gateway_app):
    browser.log_in("alice")
    status, tickle = api("POST", "/v1/api/tickle")
    assert status == 200
    assert set(tickle) == {"session", "ssoExpires", "collission", "userId", "hmds", "iserver"}
    assert len(tickle["session"]) == 32 and int(tickle["session"], 16) >= 0
    assert tickle["ssoExpires"] == idle(gateway_app) * 1000 and tickle["collission"] is False
    assert isinstance(tickle["userId"], int) and tickle["hmds"] == {"error": "no bridge"}
    auth = tickle["iserver"]["authStatus"]
    assert auth["authenticated"] is True and auth["competing"] is False and auth["connected"] is True
    assert auth["message"] == "" and auth["MAC"] and set(auth["serverInfo"]) == {"serverName", "serverVersion"}
    assert auth["serverInfo"]["serverVersion"].startswith("Build ")
    for method in ("GET", "POST"):
        status, body = api(method, "/v1/api/iserver/auth/status")
        assert status == 200 and body == auth and body["fail"] == ""

    for path in ("/v1/api/sso/validate", "/v1/portal/sso/validate"):
        status, validate = api("GET", path)
        assert status == 200
        assert validate["USER_NAME"] == validate["CREDENTIAL"] == "alice" and validate["RESULT"] is True
        assert validate["USER_ID"] == tickle["userId"] and validate["SF_ENABLED"] is True  # alice passed her device
        assert validate["AUTH_TIME"] == int(clock.now() * 1000) and validate["EXPIRES"] == idle(gateway_app) * 1000
        assert validate["IS_FREE_TRIAL"] is False and validate["LANDING_APP"] == "PORTAL"
        assert {"IP", "QUALIFIED_FOR_MOBILE_AUTH", "IS_MASTER", "lastAccessed", "LOGIN_TYPE",
                "PAPER_USER_NAME", "features", "region"} <= set(validate)

    status, accounts = api("GET", "/v1/api/portfolio/accounts")
    assert status == 200 and [a["accountId"] for a in accounts] == ["U1000001"]  # EasyIB reads [0]["accountId"]
    assert {"id", "accountId", "accountVan", "accountTitle", "displayName", "accountAlias", "accountStatus",
            "currency", "type", "tradingType", "faclient", "covestor", "parent", "desc"} <= set(accounts[0])
    assert accounts[0]["id"] == accounts[0]["accountVan"] == "U1000001"
    status, accounts = api("GET", "/v1/api/iserver/accounts")
    assert status == 200 and accounts["accounts"] == ["U1000001"] and accounts["selectedAccount"] == "U1000001"
    assert accounts["aliases"] == {"U1000001": "U1000001"} and "allowFeatures" in accounts


def test_the_browser_and_a_program_share_one_session(api, browser):
    browser.log_in("carol")
    from_browser = browser.client.post("/v1/api/tickle").get_json()
    assert from_browser["session"] == api("POST", "/v1/api/tickle")[1]["session"]
    status, accounts = api("GET", "/v1/api/portfolio/accounts")
    assert status == 200 and accounts[0]["accountId"] == "U2000002"


def test_logout_answers_exactly_status_true_and_ends_the_session(gateway_app, api, browser):
    browser.log_in("alice")
    response = gateway_app.test_client().post("/v1/api/logout")
    assert response.status_code == 200 and response.data == b'{"status":true}'
    assert response.mimetype == "application/json"
    for method, path in (("POST", "/v1/api/tickle"), ("GET", "/v1/api/sso/validate")):
        assert_error(*api(method, path), 401)


def test_another_login_replaces_the_session(api, browser, gateway_app, clock):
    browser.log_in("alice")
    first = api("POST", "/v1/api/tickle")[1]["session"]
    Visitor(gateway_app.test_client(), clock).log_in("bob")
    assert api("GET", "/v1/api/sso/validate")[1]["USER_NAME"] == "bob"
    assert api("POST", "/v1/api/tickle")[1]["session"] != first


def test_the_session_expires_when_idle_unless_tickled(api, browser, clock, gateway_app):
    browser.log_in("alice")
    for _ in range(3):  # three idle periods in all, each call within one
        clock.advance(idle(gateway_app) - 30)
        status, tickle = api("POST", "/v1/api/tickle")
        assert status == 200 and tickle["iserver"]["authStatus"]["authenticated"]
    clock.advance(idle(gateway_app) - 30)
    assert api("GET", "/v1/api/sso/validate")[1]["EXPIRES"] == idle(gateway_app) * 1000  # any call keeps it
    clock.advance(idle(gateway_app) + 1)
    assert_error(*api("POST", "/v1/api/tickle"), 401)
    assert_error(*api("GET", "/v1/api/portfolio/accounts"), 401)


def test_a_scenario_reset_ends_the_session_with_its_user(api, browser, conn, gateway_app):
    browser.log_in("alice")
    scenario.replace(conn, SCENARIO, gateway_app.config["PASSWORD_HASH_METHOD"])
    assert_error(*api("POST", "/v1/api/tickle"), 401)


def test_the_users_own_test_clock_moves_the_gateway_session(api, browser, clock, gateway_app):
    browser.log_in("alice")
    clock.advance(idle(gateway_app) + 1, "bob")  # someone else's time: nothing happens to alice's session
    assert api("POST", "/v1/api/tickle")[0] == 200
    clock.advance(idle(gateway_app) + 1, "alice")
    assert_error(*api("POST", "/v1/api/tickle"), 401)


def test_a_password_only_trading_login_opens_no_gateway_session(api, browser):
    # Two-factor authentication is mandatory for a gateway login (access.gateway_holds): an opted-out
    # user's trading login, which skips the device, leaves the API without a session.
    asked_for_code, _ = browser.log_in_trading("alice")
    assert not asked_for_code
    assert_error(*api("POST", "/v1/api/tickle"), 401)


def test_the_gateway_login_of_an_opted_out_user_asks_for_the_device_and_validate_shows_the_sls_state(
        api, browser, gateway_app, conn):
    browser.get("/sso/Login?forwardTo=22&RL=1&ip2loc=on")
    response = browser.post("/sso/login", {"username": "alice", "password": USERS["alice"]["password"],
                                           "target": "gateway"})
    assert response.headers["Location"].endswith("/sso/login/code")  # opted out, and still asked
    assert_error(*api("POST", "/v1/api/tickle"), 401)
    browser.get("/sso/login/code")
    browser.post("/sso/login/code", {"code": browser.code("alice")})
    validate = api("GET", "/v1/api/sso/validate")[1]
    assert validate["SF_ENABLED"] is True and validate["QUALIFIED_FOR_MOBILE_AUTH"] is False
    conn.execute("UPDATE users SET sls_opted_out = 0 WHERE username = 'alice'")
    conn.commit()
    assert api("GET", "/v1/api/sso/validate")[1]["QUALIFIED_FOR_MOBILE_AUTH"] is True


def test_a_browser_logout_ends_the_gateway_session(api, browser):
    browser.log_in("alice")
    assert api("POST", "/v1/api/tickle")[0] == 200
    browser.post("/sso/logout")
    assert_error(*api("POST", "/v1/api/tickle"), 401)


@pytest.mark.parametrize("body", [None, {}, {"publish": True, "compete": True}, {"compete": False}])
def test_ssodh_init_opens_the_brokerage_session(api, browser, body):
    browser.log_in("alice")
    status, answer = api("POST", "/v1/api/iserver/auth/ssodh/init", **({} if body is None else {"json": body}))
    assert status == 200 and answer["authenticated"] is True and answer["connected"] is True
    assert answer["competing"] is False and answer["hardware_info"].endswith(answer["MAC"])


@pytest.mark.parametrize("data", ['[true]', '"publish"', '{"publish": "yes"}', '{"compete": 1}', "{publish: true}",
                                  "publish=true"])
def test_ssodh_init_refuses_a_bad_body_with_400_json(api, browser, data):
    browser.log_in("alice")
    assert_error(*api("POST", "/v1/api/iserver/auth/ssodh/init", data=data, content_type="application/json"), 400)


@pytest.mark.parametrize("path", ["/v1/api/iserver/reauthenticate", "/v1/portal/iserver/reauthenticate?force=true"])
def test_reauthenticate_is_triggered(api, browser, path):
    browser.log_in("alice")
    assert api("POST", path) == (200, {"message": "triggered"})


def test_wrong_routes_methods_and_bodies_get_json_errors_never_html(api, browser):
    browser.log_in("alice")
    assert_error(*api("GET", "/v1/api/no/such/route"), 404)
    assert_error(*api("GET", "/v1/unknown"), 404)  # outside the blueprint's routes too
    assert_error(*api("POST", "/v1/api/portfolio/accounts"), 405)
    assert_error(*api("PUT", "/v1/api/tickle"), 405)  # GET and POST are its methods
    assert_error(*api("DELETE", "/v1/api/logout"), 405)
    assert_error(*api("POST", "/v1/api/tickle", data="{not json", content_type="application/json"), 400)
    assert_error(*api("POST", "/v1/api/tickle", data=b"\xff\xfe", content_type="application/json"), 400)
    assert_error(*api("POST", "/v1/api/tickle", data="[" * 100_000, content_type="application/json"), 400)
    assert_error(*api("POST", "/v1/api/tickle", data="x" * (1024 * 1024 + 1), content_type="application/json"), 413)
    assert api("POST", "/v1/api/tickle")[0] == 200  # none of these ended the session


def test_a_405_names_the_allowed_method(gateway_app):
    response = gateway_app.test_client().get("/v1/api/logout")
    assert response.status_code == 405 and set(response.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}
    assert json.loads(response.data) == {"error": "Method Not Allowed", "statusCode": 405}


def test_a_page_of_another_site_cannot_use_the_session(api, browser):
    browser.log_in("alice")
    assert_error(*api("POST", "/v1/api/logout", headers={"Sec-Fetch-Site": "cross-site"}), 400)
    assert_error(*api("POST", "/v1/api/logout", headers={"Origin": "https://evil.example"}), 400)
    assert api("POST", "/v1/api/tickle")[0] == 200  # still logged in


def test_without_the_gateway_v1_stays_the_portals_html_404(app):
    client = app.test_client()
    for response in (client.post("/v1/api/tickle"), client.get("/v1/api/sso/validate")):
        assert response.status_code == 404 and response.mimetype == "text/html"
    assert client.get("/").status_code == 200


def test_the_gateway_root_leads_to_its_login(gateway_app):
    response = gateway_app.test_client().get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/sso/Login?forwardTo=22&RL=1&ip2loc=on"
    assert gateway_app.test_client().get("/?notice=logged_out").status_code == 200  # the logout's notice still shows


# KB69 at the gateway: a temporary passcode opens the gateway's (trading) session only while it
# still reaches the trading platform, its first 2 days.

TOM = {"username": "tom", "password": "tom pass 8", "account_id": "U3000004", "primary": True, "locale": "en",
       "sls_opted_out": False, "devices": [{"type": "temporary_passcode"}]}


def passcode_login(gateway_app, clock, conn, days_later):
    from mock_portal.login import devices
    scenario.add_users(conn, [TOM], gateway_app.config["PASSWORD_HASH_METHOD"])
    passcode = devices.issue_temporary_passcode(conn, "tom", clock.now())
    conn.commit()
    clock.advance(days_later * 24 * 3600)
    browser = Visitor(gateway_app.test_client(), clock)
    browser.get("/sso/Login?forwardTo=22&RL=1&ip2loc=on")
    browser.post("/sso/login", {"username": "tom", "password": TOM["password"], "target": "gateway"})
    browser.get("/sso/login/code")
    return browser.post("/sso/login/code", {"code": passcode})


def test_a_temporary_passcode_past_its_trading_days_opens_no_gateway_session(api, gateway_app, clock, conn):
    landed = passcode_login(gateway_app, clock, conn, days_later=3)
    assert landed.headers["Location"].endswith("/sso/Dispatcher")  # the portal page it may still open
    assert_error(*api("POST", "/v1/api/tickle"), 401)


def test_a_temporary_passcodes_gateway_session_ends_with_its_trading_days(api, gateway_app, clock, conn):
    gateway_app.config["GATEWAY_SESSION_IDLE_SECONDS"] = 30 * 24 * 3600  # only KB69 ends it here
    passcode_login(gateway_app, clock, conn, days_later=1)
    assert api("POST", "/v1/api/tickle")[0] == 200
    clock.advance(1 * 24 * 3600 + 60)
    assert_error(*api("POST", "/v1/api/tickle"), 401)


@pytest.mark.parametrize("headers", [
    {"Origin": "null"},
    {"Origin": "http://evil.example"},
    {"Host": "evil.example:5000", "Origin": "http://evil.example:5000"},  # a rebound DNS name
    {"Host": "evil.example:5000"},
])
def test_a_foreign_or_rebound_page_cannot_post_to_the_api(api, browser, headers):
    browser.log_in("alice")
    assert_error(*api("POST", "/v1/api/logout", headers=headers), 400)
    assert api("POST", "/v1/api/tickle")[0] == 200  # the session is still there
