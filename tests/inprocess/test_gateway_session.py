"""The gateway's session as its users fight with it (docs/gateway.md), at the Flask level: paper
accounts and the live/paper switch, competing logins, a brokerage session not yet up, the session's
life on the user's clock, and the screens of today's login page that break scripts."""
import pytest

from mock_portal import scenario
from mock_portal.gateway import resets
from portal_client import USERS, Script


IDLE = 6 * 60
LIVE_MODE_ERROR = ("You have selected the Live Account Mode, but the specified user is a Paper Trading user. "
                   "Please select the correct Login mode.")  # word for word: Voyz/ibeam login_handler.py
FORCE_COMPETE = "Force compete capability must be used together with compete flag"
PAPER = {"username": "erinpaper", "password": "erin paper 6", "account_id": "DU6000006"}
ERIN = {"username": "erin", "password": "erin pass 6", "account_id": "U6000006", "primary": True, "locale": "en",
        "sls_opted_out": True, "devices": [{"type": "authenticator_app", "totp_secret": "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"}],
        "paper": PAPER}
KNOWN = {**USERS, "erin": ERIN}


class Person(Script):
    """The page's script, for erin too (portal_client's users are the base scenario's)."""
    users = KNOWN


@pytest.fixture
def gateway_app(app_like):
    return app_like(GATEWAY=True, TEST_HOOKS=True)


@pytest.fixture
def add(gateway_app, conn):
    """Add scenario users (with their paper accounts and login options)."""
    def make(*entries):
        scenario.add_users(conn, list(entries), gateway_app.config["PASSWORD_HASH_METHOD"])
    return make


@pytest.fixture
def erin(add):
    add(ERIN)
    return ERIN


@pytest.fixture
def api(gateway_app):
    """A local program: no cookies."""
    client = gateway_app.test_client(use_cookies=False)

    def call(method, path, **kw):
        response = client.open(path, method=method, **kw)
        assert response.mimetype == "application/json" and response.status_code < 500, response.data[:300]
        return response.status_code, response.get_json()
    return call


@pytest.fixture
def hook(gateway_app):
    client = gateway_app.test_client()

    def call(path, body):
        response = client.post(path, json=body)
        assert response.mimetype == "application/json" and response.status_code < 500
        return response.status_code, response.get_json()
    return call


@pytest.fixture
def script(gateway_app, clock):
    return Person(gateway_app.test_client(), clock)


def gateway_login(script, username, password=None, paper=False, lang="en"):
    """Today's login page at the gateway (/sso/Login), as its script posts it: the password, then
    the code unless the answer is already the last one. The last answer."""
    script.get(f"/sso/Login?forwardTo=22&RL=1&ip2loc=on&lang={lang}")
    fields = {"username": username, "password": password or KNOWN[username]["password"], "target": "gateway",
              **({"paperSwitch": "on", "loginType": "2"} if paper else {"loginType": "1"})}
    status, body = script.answer("/sso/login", fields)
    if body["step"] == "silver":
        status, body = script.answer("/sso/login/code", {"code": script.code(username)})
    return status, body


def status_of(api):
    status, body = api("POST", "/v1/api/iserver/auth/status")
    assert status == 200
    return body


def not_authenticated(answer):
    assert answer == (401, {"error": "not authenticated", "statusCode": 401})


def sessions_of(conn):
    return conn.execute("SELECT username, paper_user FROM sessions WHERE username IS NOT NULL"
                        " OR paper_user IS NOT NULL").fetchall()


# --- paper accounts ------------------------------------------------------------------------------

def test_a_paper_login_asks_for_no_device_and_every_answer_shows_a_paper_session(script, api, erin):
    status, body = gateway_login(script, PAPER["username"], PAPER["password"], paper=True)
    assert (status, body["step"], body["redirect"]) == (200, "done", "/sso/Dispatcher")  # no code step
    assert "Client login succeeds" in script.get("/sso/Dispatcher").get_data(as_text=True)
    validate = api("GET", "/v1/portal/sso/validate")[1]
    assert validate["LOGIN_TYPE"] == 2 and validate["PAPER_USER_NAME"] == PAPER["username"]
    assert validate["USER_NAME"] == validate["CREDENTIAL"] == PAPER["username"]
    assert validate["SF_ENABLED"] is False and validate["QUALIFIED_FOR_MOBILE_AUTH"] is False
    accounts = api("GET", "/v1/api/iserver/accounts")[1]
    assert accounts["isPaper"] is True and accounts["accounts"] == [PAPER["account_id"]]
    assert accounts["selectedAccount"] == PAPER["account_id"]
    portfolio = api("GET", "/v1/api/portfolio/accounts")[1]
    assert [(a["accountId"], a["type"]) for a in portfolio] == [(PAPER["account_id"], "DEMO")]
    auth = api("POST", "/v1/api/tickle")[1]["iserver"]["authStatus"]
    assert auth["authenticated"] is True and auth["established"] is True and auth["competing"] is False
    # The paper login logged no user in: the portal's screens are a live user's.
    assert script.get("/portal/").status_code == 302


def test_a_live_session_says_live_everywhere(script, api, erin):
    gateway_login(script, "erin")
    validate = api("GET", "/v1/api/sso/validate")[1]
    assert validate["LOGIN_TYPE"] == 1 and validate["PAPER_USER_NAME"] == "" and validate["USER_NAME"] == "erin"
    accounts = api("GET", "/v1/api/iserver/accounts")[1]
    assert accounts["isPaper"] is False and accounts["accounts"] == ["U6000006"]
    assert api("GET", "/v1/api/portfolio/accounts")[1][0]["type"] == "INDIVIDUAL"


@pytest.mark.parametrize("lang,text", [("en", LIVE_MODE_ERROR), ("ja", "ライブ口座モードが選択されていますが")])
def test_a_paper_username_in_live_mode_gets_its_message_and_nothing_is_stored(script, api, conn, erin, lang, text):
    script.get(f"/sso/Login?forwardTo=22&RL=1&ip2loc=on&lang={lang}")
    status, body = script.answer("/sso/login", {"username": PAPER["username"], "password": PAPER["password"],
                                                "target": "gateway", "loginType": "1"})
    assert status == 401 and body["step"] == "username" and body["error"].startswith(text)
    assert sessions_of(conn) == [] and conn.execute("SELECT count(*) FROM login_failures").fetchone()[0] == 0
    not_authenticated(api("POST", "/v1/api/tickle"))
    # IBeam's answer to it: the switch, and the same form again.
    status, body = script.answer("/sso/login", {"username": PAPER["username"], "password": PAPER["password"],
                                                "target": "gateway", "paperSwitch": "on", "loginType": "2"})
    assert body["step"] == "done" and api("POST", "/v1/api/tickle")[0] == 200


@pytest.mark.parametrize("lang,text", [("en", "You have selected the Paper Trading Mode, but the specified user is"
                                              " a Live Account user."), ("ja", "ペーパー取引モードが選択されていますが")])
def test_a_live_user_with_a_paper_account_in_paper_mode_gets_its_message(script, api, conn, erin, lang, text):
    script.get(f"/sso/Login?forwardTo=22&RL=1&ip2loc=on&lang={lang}")
    status, body = script.answer("/sso/login", {"username": "erin", "password": ERIN["password"], "target": "gateway",
                                                "paperSwitch": "on", "loginType": "2"})
    assert status == 401 and body["error"].startswith(text)
    assert sessions_of(conn) == [] and conn.execute("SELECT count(*) FROM login_failures").fetchone()[0] == 0


def test_the_script_kept_login_type_alone_chooses_paper_mode(script, erin):
    status, body = script.password(PAPER["username"], PAPER["password"], target="gateway", loginType="2")
    assert body["step"] == "done"


def test_a_wrong_paper_password_is_the_usual_refusal_and_counts(script, conn, erin):
    status, body = script.password(PAPER["username"], "not it", target="gateway", paperSwitch="on", lang="en")
    assert status == 401 and body["error"] == "Invalid username password combination"
    assert conn.execute("SELECT username FROM login_failures").fetchall()[0]["username"] == PAPER["username"]


def test_without_the_gateway_a_paper_login_is_refused_clearly(app, clock, conn, add):
    add(ERIN)
    script = Person(app.test_client(), clock)
    status, body = script.password(PAPER["username"], PAPER["password"], paperSwitch="on", lang="en")
    assert status == 401 and "slskit serve --gateway" in body["error"] and sessions_of(conn) == []


def test_a_paper_session_lives_on_its_users_clock_and_the_browsers_logout_ends_it(script, api, clock, erin):
    gateway_login(script, PAPER["username"], PAPER["password"], paper=True)
    clock.advance(IDLE + 1, "bob")
    assert api("POST", "/v1/api/tickle")[0] == 200
    script.get("/sso/Login?forwardTo=22&RL=1&ip2loc=on")
    script.post("/sso/logout")
    not_authenticated(api("POST", "/v1/api/tickle"))
    gateway_login(script, PAPER["username"], PAPER["password"], paper=True)
    clock.advance(IDLE + 1, "erin")
    not_authenticated(api("POST", "/v1/api/tickle"))


# --- the scenario's paper accounts and login options ---------------------------------------------

def entry(name, **extra):
    return {"username": name, "password": f"{name} pass 1", "account_id": "U7000007", "primary": True, "locale": "en",
            "sls_opted_out": False, "devices": [{"type": "authenticator_app",
                                                  "totp_secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"}], **extra}


@pytest.mark.parametrize("users,problem", [
    ([entry("u1", paper="p1")], "users[0].paper: must be an object with username, password and account_id"),
    ([entry("u1", paper={"username": "p1", "password": "x"})], "users[0].paper: missing 'account_id'"),
    ([entry("u1", paper={**PAPER, "pin": "1"})], "users[0].paper: unknown key 'pin'"),
    ([entry("u1", paper={**PAPER, "account_id": "U6000006"})], "users[0].paper.account_id: must look like DU1234567"),
    ([entry("u1", paper={**PAPER, "username": "has space"})], "users[0].paper.username: must be 1-64"),
    ([entry("u1", paper={**PAPER, "password": ""})], "users[0].paper.password: must not be empty"),
    ([entry("u1", paper={**PAPER, "username": "u1"})], "users[0].paper.username: 'u1' appears twice"),
    ([entry("u1"), entry("u2", primary=False, paper={**PAPER, "username": "u1"})], "users[1].paper.username: 'u1'"),
    ([entry("u1", paper=PAPER), {**entry("u2", paper=PAPER), "account_id": "U8000008"}],
     "users[1].paper.username: 'erinpaper' appears twice"),
    ([entry("u1", paper=PAPER), {**entry("u2", paper={**PAPER, "username": "other"}), "account_id": "U8000008"}],
     "users[1].paper.account_id: DU6000006 is already the paper account of account U7000007"),
    ([entry("u1", brokerage_session="down")], 'users[0].brokerage_session: must be "up", "not_up" or "no_session"'),
    ([entry("u1", ibkey_promotion="yes")], "users[0].ibkey_promotion: must be false or true"),
    ([entry("u1", mobile_approval=1)], "users[0].mobile_approval: must be false or true"),
    ([entry("u1", reset_region="mars")], 'users[0].reset_region: must be "north_america", "europe" or "asia_pacific"'),
])
def test_a_bad_paper_account_or_login_option_is_one_line_naming_it(users, problem):
    with pytest.raises(scenario.ScenarioError) as refused:
        scenario.validate({"users": users})
    assert str(refused.value).startswith(problem) and "\n" not in str(refused.value)


def test_paper_usernames_are_one_namespace_with_the_stored_users_and_nothing_is_half_stored(gateway_app, conn, add):
    add(ERIN)
    hash_method = gateway_app.config["PASSWORD_HASH_METHOD"]
    for clash in (entry("u1", paper={**PAPER, "username": "alice", "account_id": "DU7000007"}),
                  entry("erinpaper"), entry("u2", paper={**PAPER, "account_id": "DU7000007"})):
        with pytest.raises(scenario.ScenarioError, match="appears twice"):
            scenario.add_users(conn, [entry("fine"), clash], hash_method)
    assert conn.execute("SELECT count(*) FROM users WHERE username IN ('fine', 'u1', 'u2')").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM paper_accounts").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM login_options").fetchone()[0] == 0


def test_the_login_options_hook_changes_only_what_it_is_given(hook, erin):
    assert hook("/_test/login-options", {"username": "erin", "mobile_approval": True}) == (200, {
        "brokerage_session": "up", "ibkey_promotion": False, "mobile_approval": True, "reset_region": "north_america"})
    for body, problem in (({"username": "erin", "colour": "red"}, "unknown key 'colour'"),
                          ({"username": "erin", "reset_region": "mars", "ibkey_promotion": True}, "reset_region"),
                          ({"username": "nobody", "ibkey_promotion": True}, "username must name an existing user"),
                          ({"username": PAPER["username"], "ibkey_promotion": True}, "existing user")):
        status, answer = hook("/_test/login-options", body)
        assert status == 400 and problem in answer["error"]
    assert hook("/_test/login-options", {"username": "erin"})[1]["ibkey_promotion"] is False  # nothing half-stored


# --- competing logins --------------------------------------------------------------------------

def test_a_login_elsewhere_shows_competing_then_init_without_compete_yields_and_compete_takes_it_back(
        script, api, hook, erin):
    gateway_login(script, "erin")
    session = api("POST", "/v1/api/tickle")[1]["session"]
    assert hook("/_test/login-elsewhere", {"username": "erin", "platform": "tws"}) == (200, {"competing": True})
    auth = status_of(api)
    assert (auth["authenticated"], auth["competing"], auth["connected"], auth["established"]) == (True, True, True, False)
    assert api("POST", "/v1/api/tickle")[1]["iserver"]["authStatus"]["competing"] is True
    assert api("GET", "/v1/api/iserver/accounts") == (200, {})  # Voyz/ibeam#40
    assert api("POST", "/v1/portal/iserver/reauthenticate?force=true") == (200, {"message": "triggered"})
    assert status_of(api)["competing"] is True  # reauthenticate does not take it back (#40)

    status, init = api("POST", "/v1/api/iserver/auth/ssodh/init", json={"publish": True, "compete": False})
    assert status == 200 and init["passed"] is False and init["authenticated"] is False
    auth = status_of(api)
    assert (auth["authenticated"], auth["competing"], auth["connected"], auth["fail"]) == (False, False, True,
                                                                                       FORCE_COMPETE)
    assert auth["serverInfo"] == {"serverName": None, "serverVersion": None}
    not_authenticated(api("GET", "/v1/api/iserver/accounts"))
    assert api("GET", "/v1/api/portfolio/accounts")[0] == 200  # the portfolio still answers when yielded
    api("POST", "/v1/api/iserver/auth/ssodh/init")  # IBeam's init, no body: still yielded
    assert status_of(api)["fail"] == FORCE_COMPETE

    status, init = api("POST", "/v1/api/iserver/auth/ssodh/init", json={"publish": True, "compete": True})
    assert init["passed"] is True and init["authenticated"] and not init["competing"] and init["established"]
    assert status_of(api)["fail"] == "" and api("GET", "/v1/api/iserver/accounts")[1]["accounts"] == ["U6000006"]
    assert api("POST", "/v1/api/tickle")[1]["session"] == session  # the same session all along


def test_compete_in_the_query_takes_it_back_too(script, api, hook, erin):
    gateway_login(script, "erin")
    hook("/_test/login-elsewhere", {"username": "erin", "platform": "mobile"})
    assert api("POST", "/v1/api/iserver/auth/ssodh/init?compete=true&publish=true")[1]["competing"] is False


def test_the_portals_own_login_of_the_same_user_competes_and_a_gateway_login_takes_over(
        gateway_app, script, api, clock, erin):
    gateway_login(script, "erin")
    session = api("POST", "/v1/api/tickle")[1]["session"]
    clock.advance(30)
    Person(gateway_app.test_client(), clock).log_in("erin")  # the home page's Portal Login
    auth = status_of(api)
    assert auth["competing"] is True and api("POST", "/v1/api/tickle")[1]["session"] == session
    clock.advance(30)
    gateway_login(Person(gateway_app.test_client(), clock), "erin")  # the gateway's own login again
    tickle = api("POST", "/v1/api/tickle")[1]
    assert tickle["session"] != session and tickle["iserver"]["authStatus"]["competing"] is False


def test_a_login_elsewhere_of_another_name_changes_nothing(script, api, hook, erin):
    gateway_login(script, PAPER["username"], PAPER["password"], paper=True)
    assert hook("/_test/login-elsewhere", {"username": "erin", "platform": "portal"}) == (200, {"competing": False})
    assert status_of(api)["competing"] is False  # the live username's session is not the paper one's
    assert hook("/_test/login-elsewhere", {"username": PAPER["username"], "platform": "tws"})[1]["competing"] is True
    assert status_of(api)["competing"] is True


@pytest.mark.parametrize("body,problem", [
    ({"username": "erin"}, "platform must be one of tws, mobile, portal, gateway"),
    ({"username": "erin", "platform": "fax"}, "platform must be one of"),
    ({"username": "nobody", "platform": "tws"}, "username must name an existing user or paper username"),
    ({"username": 7, "platform": "tws"}, "username must be a string"),
])
def test_a_bad_login_elsewhere_is_a_json_400_and_changes_nothing(script, api, hook, erin, body, problem):
    gateway_login(script, "erin")
    status, answer = hook("/_test/login-elsewhere", body)
    assert status == 400 and problem in answer["error"]
    assert status_of(api)["competing"] is False


# --- the brokerage session not yet up ----------------------------------------------------------

@pytest.mark.parametrize("init", ["ssodh", "reauthenticate"])
def test_a_brokerage_session_not_up_after_the_login_until_init_or_reauthenticate(script, api, add, init):
    add({**ERIN, "brokerage_session": "not_up"})
    status, body = gateway_login(script, "erin")
    assert body["redirect"] == "/sso/Dispatcher"  # "Client login succeeds" all the same
    auth = status_of(api)
    assert (auth["authenticated"], auth["connected"], auth["established"], auth["competing"]) == (False, True, False,
                                                                                              False)
    assert auth["serverInfo"] == {"serverName": None, "serverVersion": None}
    tickle = api("POST", "/v1/api/tickle")[1]
    assert tickle["hmds"] == {"error": "no bridge"} and tickle["iserver"]["authStatus"] == auth
    assert api("GET", "/v1/api/iserver/accounts") == (400, {"error": "Bad Request: no bridge", "statusCode": 400})
    assert api("GET", "/v1/api/portfolio/accounts")[0] == 200
    assert api("GET", "/v1/api/sso/validate")[1]["RESULT"] is True
    if init == "ssodh":
        assert api("POST", "/v1/api/iserver/auth/ssodh/init", json={"publish": True, "compete": True})[1]["passed"]
    else:
        assert api("POST", "/v1/portal/iserver/reauthenticate?force=true") == (200, {"message": "triggered"})
    auth = status_of(api)
    assert auth["authenticated"] and auth["established"] and auth["serverInfo"]["serverName"] == "slskit"


def test_the_no_session_flavour_answers_tickle_as_the_threads_quote(script, api, add):
    add({**ERIN, "brokerage_session": "no_session"})
    gateway_login(script, "erin")
    assert api("POST", "/v1/api/tickle") == (200, {"error": "no session"})  # Voyz/ibeam#268
    auth = status_of(api)
    assert auth["authenticated"] is False and auth["connected"] is True
    api("POST", "/v1/api/iserver/auth/ssodh/init")
    assert api("POST", "/v1/api/tickle")[1]["iserver"]["authStatus"]["authenticated"] is True


def test_the_brokerage_session_hook_takes_the_current_one_down(script, api, hook, erin, gateway_app, clock):
    gateway_login(script, "erin")
    assert hook("/_test/brokerage-session", {"username": "erin", "state": "not_up"}) == (200, {"ok": True})
    assert status_of(api)["authenticated"] is False
    assert hook("/_test/brokerage-session", {"username": "erin", "state": "up"})[0] == 400
    assert hook("/_test/brokerage-session", {"username": "alice", "state": "not_up"})[0] == 409
    api("POST", "/v1/api/iserver/reauthenticate")
    assert status_of(api)["authenticated"] is True


# --- a session's life on the user's clock --------------------------------------------------------

END_ANSWERS = [("POST", "/v1/api/tickle"), ("POST", "/v1/api/iserver/reauthenticate"),
               ("POST", "/v1/portal/iserver/reauthenticate?force=true"), ("POST", "/v1/api/iserver/auth/ssodh/init"),
               ("GET", "/v1/portal/sso/validate"), ("GET", "/v1/api/iserver/auth/status")]


def test_the_idle_limit_ends_the_session_and_every_route_then_answers_401(script, api, clock, erin):
    gateway_login(script, "erin")
    clock.advance(IDLE + 1, "erin")
    for method, path in END_ANSWERS:
        not_authenticated(api(method, path))


def test_sso_expires_counts_down_to_the_maximum_life_which_ends_the_session(script, api, clock, erin, gateway_app):
    gateway_login(script, "erin")
    seen = []
    for _ in range(24 * 12 - 1):  # a tickle every 5 minutes for 24 hours less 5 minutes
        clock.advance(300, "erin")
        status, tickle = api("POST", "/v1/api/tickle")
        assert status == 200
        seen.append(tickle["ssoExpires"])
    assert seen[0] == IDLE * 1000  # the idle limit, while the maximum life is further away
    assert seen[-1] == 300 * 1000  # 24 h after the login less the 23 h 55 min gone: 5 minutes
    assert api("GET", "/v1/api/sso/validate")[1]["EXPIRES"] == 300 * 1000
    clock.advance(300, "erin")  # exactly 24 hours after the login
    for method, path in END_ANSWERS:
        not_authenticated(api(method, path))


# Hand-counted from IBKR's system status page's table (docs/gateway.md), for a login on Monday
# 2027-01-18 12:00 ET (17:00 UTC): the next reset of each region, in seconds after it.
MONDAY_NOON_ET = 1_800_000_000 + 3 * 24 * 3600 + 9 * 3600  # the frozen clock starts Friday 03:00 ET
FRIDAY_NOON_ET = 1_800_000_000 + 9 * 3600
NEXT_RESET = [
    ("north_america", MONDAY_NOON_ET, 12 * 3600 + 15 * 60),  # Tuesday 00:15 ET
    ("europe", MONDAY_NOON_ET, 12 * 3600 + 25 * 60),  # Tuesday 06:25 CET = 00:25 ET
    ("asia_pacific", MONDAY_NOON_ET, 3 * 3600 + 45 * 60),  # Tuesday 04:45 HKT = Monday 15:45 ET
    ("north_america", FRIDAY_NOON_ET, 11 * 3600),  # the weekend's: Friday 23:00 ET
    # Saturday 04:45 HKT (Friday 15:45 ET) is no daily reset's day: the weekend's, Friday 23:00 ET
    ("asia_pacific", FRIDAY_NOON_ET, 11 * 3600),
]


@pytest.mark.parametrize("region,login_at,after", NEXT_RESET)
def test_the_next_reset_of_each_region(region, login_at, after):
    assert resets.next_reset(login_at, region) == login_at + after


@pytest.mark.parametrize("region,login_at,after", NEXT_RESET[:3])
def test_the_daily_reset_of_the_users_region_ends_the_brokerage_session_and_init_opens_it_again(
        gateway_app, script, api, clock, add, region, login_at, after):
    gateway_app.config["GATEWAY_SESSION_IDLE_SECONDS"] = 24 * 3600  # only the reset happens here
    add({**ERIN, "reset_region": region})
    clock.advance(login_at - clock.now())
    gateway_login(script, "erin")
    clock.advance(after - 1, "erin")
    assert status_of(api)["connected"] is True
    clock.advance(1, "erin")
    tickle = api("POST", "/v1/api/tickle")[1]
    auth = tickle["iserver"]["authStatus"]
    assert (auth["authenticated"], auth["connected"], auth["established"]) == (False, False, False)  # Voyz/ibeam#131
    assert tickle["ssoExpires"] > 0  # the session itself lives on
    assert api("GET", "/v1/portal/sso/validate")[1]["RESULT"] is True
    not_authenticated(api("GET", "/v1/api/iserver/accounts"))
    assert api("POST", "/v1/portal/iserver/reauthenticate?force=true") == (200, {"message": "triggered"})
    assert status_of(api)["connected"] is True and status_of(api)["authenticated"] is True


def test_a_reset_after_init_counts_from_the_init(gateway_app, script, api, clock, add):
    gateway_app.config["GATEWAY_SESSION_IDLE_SECONDS"] = 24 * 3600
    add({**ERIN, "reset_region": "asia_pacific"})
    clock.advance(MONDAY_NOON_ET - clock.now())
    gateway_login(script, "erin")
    clock.advance(4 * 3600, "erin")  # past Tuesday 04:45 HKT
    api("POST", "/v1/api/iserver/auth/ssodh/init")
    clock.advance(4 * 3600, "erin")  # 8 hours after the login: no reset since the init (the next: 20:15 HKT)
    assert status_of(api)["authenticated"] is True


# --- the screens that break scripts ------------------------------------------------------------

def test_the_ib_key_promotion_holds_the_gateway_session_back_until_its_continue(script, api, add, conn):
    add({**ERIN, "ibkey_promotion": True})
    status, body = gateway_login(script, "erin")
    assert body["step"] == "promo"
    not_authenticated(api("POST", "/v1/api/tickle"))  # not clicking Continue: not authenticated (ibeam PR #69)
    status, body = script.answer("/sso/login/continue")
    assert (body["step"], body["redirect"]) == ("done", "/sso/Dispatcher")
    assert api("POST", "/v1/api/tickle")[0] == 200
    session = api("POST", "/v1/api/tickle")[1]["session"]
    assert script.answer("/sso/login/continue")[1]["step"] == "done"  # a second Continue opens nothing new
    assert api("POST", "/v1/api/tickle")[1]["session"] == session


def test_the_skip_cookie_skips_the_promotion_on_the_portals_login_but_not_the_gateways(gateway_app, clock, add):
    add({**ERIN, "ibkey_promotion": True})
    portal = Person(gateway_app.test_client(), clock)
    portal.client.set_cookie("SKIP_IBKEY_PROMO", "True")
    portal.password("erin")
    assert portal.answer("/sso/login/code", {"code": portal.code("erin")})[1]["step"] == "done"
    clock.advance(30)
    gateway = Person(gateway_app.test_client(), clock)
    gateway.client.set_cookie("SKIP_IBKEY_PROMO", "true")
    assert gateway_login(gateway, "erin")[1]["step"] == "promo"  # IBeam's commit de645c0


def test_a_paper_login_meets_its_users_promotion_too(script, api, add):
    add({**ERIN, "ibkey_promotion": True})
    assert gateway_login(script, PAPER["username"], PAPER["password"], paper=True)[1]["step"] == "promo"
    script.answer("/sso/login/continue")
    assert api("GET", "/v1/api/sso/validate")[1]["LOGIN_TYPE"] == 2


def test_the_mobile_approval_step_waits_for_the_phone_then_logs_in(script, api, hook, add, conn):
    add({**ERIN, "mobile_approval": True})
    status, body = script.password("erin", target="gateway", lang="en")
    assert body["step"] == "mobile" and "IBKR Mobile" in body["prompt"]
    assert conn.execute("SELECT count(*) FROM challenges").fetchone()[0] == 0  # no code is asked for meanwhile
    assert script.answer("/sso/login/mobile")[1]["step"] == "mobile"
    assert hook("/_test/mobile-approval", {"username": "erin", "decision": "approve"}) == (200, {"ok": True})
    status, body = script.answer("/sso/login/mobile")
    assert (body["step"], body["redirect"]) == ("done", "/sso/Dispatcher")
    validate = api("GET", "/v1/api/sso/validate")[1]
    assert validate["USER_NAME"] == "erin" and validate["SF_ENABLED"] is True
    assert hook("/_test/mobile-approval", {"username": "erin", "decision": "approve"})[0] == 404  # nothing waits


def test_a_denied_approval_refuses_and_counts_and_a_late_one_expires(script, api, hook, add, conn, clock):
    add({**ERIN, "mobile_approval": True})
    script.password("erin", target="gateway", lang="en")
    hook("/_test/mobile-approval", {"username": "erin", "decision": "deny"})
    status, body = script.answer("/sso/login/mobile")
    assert status == 401 and body["step"] == "username" and "denied" in body["error"]
    assert conn.execute("SELECT count(*) FROM login_failures").fetchone()[0] == 1
    script.password("erin", target="gateway", lang="en")
    clock.advance(3 * 60 + 1, "erin")
    hook("/_test/mobile-approval", {"username": "erin", "decision": "approve"})
    status, body = script.answer("/sso/login/mobile")
    assert status == 401 and "in time" in body["error"]
    not_authenticated(api("POST", "/v1/api/tickle"))


def test_the_mobile_approval_can_give_way_to_the_code(script, add):
    add({**ERIN, "mobile_approval": True})
    script.password("erin", target="gateway")
    status, body = script.answer("/sso/login/mobile", {"use_code": "1"})
    assert body["step"] == "silver"
    assert script.answer("/sso/login/mobile")[1]["step"] == "silver"  # a late poll: the code step stays
    assert script.answer("/sso/login/code", {"code": script.code("erin")})[1]["step"] == "done"


@pytest.mark.parametrize("body", [{"username": "erin", "decision": "maybe"}, {"decision": "approve"}, []])
def test_a_bad_mobile_approval_is_a_json_400(hook, erin, body):
    assert hook("/_test/mobile-approval", body)[0] == 400


def test_a_database_file_of_an_older_version_gets_the_new_gateway_session_table(tmp_path):
    from contextlib import closing

    from mock_portal import db
    path = str(tmp_path / "old.sqlite")
    with closing(db.connect(path)) as conn:
        conn.execute("CREATE TABLE gateway_session (slot INTEGER PRIMARY KEY, session TEXT, username TEXT,"
                     " factors TEXT, authenticated_at REAL, last_seen REAL, brokerage INTEGER, passcode_issued_at REAL)")
        conn.execute("INSERT INTO gateway_session VALUES (1, 'ab', 'alice', 'password+device', 1, 1, 1, NULL)")
        db.init_schema(conn)
        columns = {r[1] for r in conn.execute("PRAGMA table_info(gateway_session)")}
        assert {"login_name", "paper", "brokerage_since", "elsewhere"} <= columns
        assert conn.execute("SELECT count(*) FROM gateway_session").fetchone()[0] == 0  # its old session ended
        db.init_schema(conn)  # and a file of this version keeps its table
        assert {r[1] for r in conn.execute("PRAGMA table_info(gateway_session)")} == columns
