"""The gateway's session as its users fight with it (docs/gateway.md), end to end: `slskit serve
--gateway`, today's login page in Chromium (ja and en), and the clients from PyPI in venvs of their
own (IBeam, ibind, EasyIB): paper accounts, competing logins, a brokerage session not yet up and
the clients' own recovery, the IB Key promotion and the approval in IBKR Mobile."""
import pytest
from playwright.sync_api import expect

from flows.pages import PortalMenu
from flows.pages.todays_page import ClientLoginSucceeds, IbkeyPromotionScreen, MobileApprovalStep, TodaysLoginPage
from gateway_clients import IBEAM_TODAYS_PAGE, client, log_in_through_the_gateway
from mock_portal.gateway import resets
from test_ibeam import needs_ibeam, run_ibeam


GATEWAY_LOGIN = "/sso/Login?forwardTo=22&RL=1&ip2loc=on"


@pytest.fixture
def page_in(browser):
    """Factory: a page of a new context in `lang`, accepting the gateway's certificate as its users do."""
    contexts = []

    def make(lang="en"):
        contexts.append(browser.new_context(ignore_https_errors=True, locale=lang))
        return contexts[-1].new_page()
    yield make
    for context in contexts:
        context.close()


def todays_login(page, gateway, lang):
    page.goto(f"{gateway.base_url}{GATEWAY_LOGIN}&lang={lang}")
    return TodaysLoginPage(page, lang).expect_loaded()


# --- paper accounts ------------------------------------------------------------------------------

def test_a_paper_user_logs_in_in_paper_mode_and_ibind_and_easyib_see_the_paper_account(gateway, gateway_user,
                                                                                       page_in):
    user = gateway_user(paper=True, sls_opted_out=True)
    paper = user.entry["paper"]
    page = page_in("en")
    todays_login(page, gateway, "en").log_in_to_paper(paper["username"], paper["password"])
    ClientLoginSucceeds(page, "en").expect_loaded()  # no security device was asked for

    steps = client("ibind", gateway, "check_health", "validate", "receive_brokerage_accounts",
                   "portfolio_accounts")["steps"]
    assert steps["check_health"] == {"result": True}
    validate = steps["validate"]["result"]
    assert (validate["LOGIN_TYPE"], validate["PAPER_USER_NAME"], validate["USER_NAME"]) == (2, paper["username"],
                                                                                           paper["username"])
    accounts = steps["receive_brokerage_accounts"]["result"]
    assert accounts["isPaper"] is True and accounts["accounts"] == [paper["account_id"]]
    assert [a["type"] for a in steps["portfolio_accounts"]["result"]] == ["DEMO"]
    gateway.advance_clock(5, user)  # pacing: /portfolio/accounts once in 5 s, and ibind has just read it
    seen = client("easyib", gateway, "clock+5", "get_accounts", user=user)  # ... as EasyIB's constructor has
    assert seen["construct"]["result"]["id"] == paper["account_id"], seen  # EasyIB trades the paper account
    assert seen["steps"]["get_accounts"]["result"][0]["type"] == "DEMO"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_each_wrong_mode_gets_its_own_message_and_nothing_is_stored(gateway, gateway_user, page_in, lang):
    user = gateway_user(locale=lang, paper=True)
    paper = user.entry["paper"]
    page = page_in(lang)
    login = todays_login(page, gateway, lang)
    login.fill(paper["username"], paper["password"]).submit_refused("live_mode_refused")
    login.choose_paper_trading().fill(user.username, user.password).submit_refused("paper_mode_refused")
    assert client("ibind", gateway, "tickle")["steps"]["tickle"]["status"] == 401  # no gateway session
    page.goto(gateway.base_url + "/portal/")
    expect(login.username).to_be_visible()  # and no login in the browser
    for name in (paper["username"], user.username):  # each refusal, as the journal saw it
        assert [e["status"] for e in gateway.requests(name, "POST", "/sso/login")] == [401]
    # Both were right about everything but the mode: the same user logs in at once, the lock untouched.
    login = todays_login(page, gateway, lang)
    login.log_in(user.username, user.password).authenticate(user.device)
    ClientLoginSucceeds(page, lang).expect_loaded()


def test_ibeam_with_its_paper_setting_logs_a_paper_user_in_and_its_checks_see_a_paper_session(
        gateway, gateway_user, tmp_path):
    needs_ibeam()
    user = gateway_user(paper=True)
    paper = user.entry["paper"]
    outcome, log = run_ibeam(gateway, tmp_path, user, password=paper["password"], IBEAM_ACCOUNT=paper["username"],
                             IBEAM_USE_PAPER_ACCOUNT="True", SLSKIT_IBEAM_STATUS="1",
                             SLSKIT_GATEWAY_CA=gateway.ca_file, **IBEAM_TODAYS_PAGE)
    assert outcome["success"] is True and outcome["failed_attempts"] == 0, log[-3000:]
    assert "Switching to paper mode" in log and 'Webpage displayed "Client login succeeds"' in log
    assert outcome["status"] == "AUTHENTICATED" and outcome["validate"] is True
    assert (outcome["validate_body"]["LOGIN_TYPE"], outcome["validate_body"]["PAPER_USER_NAME"]) == (2, paper["username"])


def test_ibeam_meets_the_live_mode_message_it_knows_and_switches_to_paper_by_itself(gateway, gateway_user, tmp_path):
    needs_ibeam()
    user = gateway_user(paper=True)
    paper = user.entry["paper"]
    outcome, log = run_ibeam(gateway, tmp_path, user, password=paper["password"], IBEAM_ACCOUNT=paper["username"],
                             SLSKIT_IBEAM_STATUS="1", SLSKIT_GATEWAY_CA=gateway.ca_file, **IBEAM_TODAYS_PAGE)
    assert outcome["success"] is True, log[-3000:]
    assert "Switching to paper mode and reattempting to submit the form" in log  # its text matched ours
    assert outcome["validate_body"]["LOGIN_TYPE"] == 2


# --- competing logins --------------------------------------------------------------------------

def test_a_login_elsewhere_shows_competing_to_ibind_and_init_with_compete_recovers(gateway, gateway_user,
                                                                                    gateway_page):
    user = gateway_user()
    log_in_through_the_gateway(gateway_page, gateway, user)
    assert gateway.log_in_elsewhere(user, "tws") is True
    steps = client("ibind", gateway, "check_health", "authentication_status")["steps"]
    assert steps["check_health"] == {"result": False}
    assert steps["authentication_status"]["result"]["competing"] is True
    steps = client("ibind", gateway, "initialize_brokerage_session", "check_health")["steps"]
    assert steps["initialize_brokerage_session"]["result"]["competing"] is False  # ibind sends compete: true
    assert steps["check_health"] == {"result": True}


def test_a_login_elsewhere_shows_competing_to_ibeams_checks(gateway, gateway_user, gateway_page, tmp_path):
    needs_ibeam()
    user = gateway_user()
    log_in_through_the_gateway(gateway_page, gateway, user)
    gateway.log_in_elsewhere(user, "mobile")
    outcome, log = run_ibeam(gateway, tmp_path, user, SLSKIT_IBEAM_LOGIN="0", SLSKIT_IBEAM_STATUS="1",
                             SLSKIT_IBEAM_LOGOUT="0", SLSKIT_GATEWAY_CA=gateway.ca_file)
    assert outcome["status"] == "COMPETING" and outcome["competing"] is True, log[-3000:]


def test_the_portals_own_login_of_the_same_username_competes_with_the_gateways(gateway, gateway_user, gateway_page,
                                                                                 page_in):
    user = gateway_user()
    log_in_through_the_gateway(gateway_page, gateway, user)
    gateway.advance_clock(30, user)  # the next login's code: the last one is spent (no replay)
    other = page_in("en")  # another browser: the portal's own login (/sso/login; the gateway's is /sso/Login)
    other.goto(gateway.base_url + "/sso/login?lang=en")
    TodaysLoginPage(other, "en").expect_loaded().log_in(user.username, user.password).authenticate(user.device)
    PortalMenu(other, "en").expect_loaded()
    status = client("ibind", gateway, "authentication_status")["steps"]["authentication_status"]["result"]
    assert status["competing"] is True and status["authenticated"] is True and status["established"] is False


# --- a brokerage session not yet up ----------------------------------------------------------

def test_ibind_and_easyib_meet_a_brokerage_session_not_up_and_their_calls_bring_it_up(gateway, gateway_user,
                                                                                      gateway_page):
    user = gateway_user(brokerage_session="not_up")
    log_in_through_the_gateway(gateway_page, gateway, user)  # "Client login succeeds" all the same
    steps = client("ibind", gateway, "check_health", "receive_brokerage_accounts", "initialize_brokerage_session",
                   "check_health")["steps"]
    assert steps["check_health"] == {"result": False}
    assert "Try calling `initialize_brokerage_session()` first" in steps["receive_brokerage_accounts"]["error"]
    assert steps["initialize_brokerage_session"]["result"]["authenticated"] is True
    assert steps["check_health#2"] == {"result": True}
    # EasyIB's own example's recovery: a tickle that says not authenticated, then its re_authenticate.
    assert gateway.take_brokerage_session_down(user) == {"ok": True}
    steps = client("easyib", gateway, "ping_server", "re_authenticate", "get_auth_status")["steps"]
    assert steps["ping_server"]["result"]["iserver"]["authStatus"]["authenticated"] is False
    assert steps["get_auth_status"]["result"]["authenticated"] is True


def test_ibeams_own_maintenance_recovers_from_a_brokerage_session_not_yet_up(gateway, gateway_user, tmp_path):
    needs_ibeam()
    user = gateway_user(brokerage_session="not_up")
    outcome, log = run_ibeam(gateway, tmp_path, user, SLSKIT_IBEAM_MAINTAIN="1", SLSKIT_GATEWAY_CA=gateway.ca_file,
                             # bounded, should it fail: 2 rounds of 5 one-second checks
                             IBEAM_MAX_STATUS_CHECK_RETRIES="5", IBEAM_MAX_REAUTHENTICATE_RETRIES="2",
                             **IBEAM_TODAYS_PAGE)
    assert outcome["success"] is True, log[-3000:]
    maintenance = outcome["maintenance"]
    # Its strategy's own first look saw the session logged in but the brokerage session not up:
    assert "Active session found but not authenticated, reauthenticating..." in log
    assert (maintenance["success"], maintenance["status"], maintenance["validate"]) == (True, "AUTHENTICATED", True)
    inits = gateway.requests(user, "POST", "/v1/api/iserver/auth/ssodh/init")
    assert [e["status"] for e in inits] == [200]  # its strategy's init after the reauthentication


# --- the screens that break scripts ------------------------------------------------------------

@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_ib_key_promotion_after_the_login_and_its_continue(gateway, gateway_user, page_in, lang):
    user = gateway_user(locale=lang, ibkey_promotion=True)
    page = page_in(lang)
    todays_login(page, gateway, lang).log_in(user.username, user.password).authenticate(user.device)
    promotion = IbkeyPromotionScreen(page, lang).expect_loaded()
    expect(page.locator("a.ibkey-promo-skip")).to_have_attribute("aria-disabled", "true")  # for 2 seconds
    assert client("ibind", gateway, "check_health")["steps"]["check_health"] == {"result": False}
    promotion.continue_()
    ClientLoginSucceeds(page, lang).expect_loaded()
    assert client("ibind", gateway, "check_health")["steps"]["check_health"] == {"result": True}


def test_the_promotion_goes_on_by_itself_after_two_minutes(gateway, gateway_user, page_in):
    user = gateway_user(ibkey_promotion=True)
    page = page_in("en")
    page.clock.install()  # the page's timers on a clock the test moves: no waiting two minutes
    todays_login(page, gateway, "en").log_in(user.username, user.password).authenticate(user.device)
    IbkeyPromotionScreen(page, "en").expect_loaded()
    page.clock.run_for("02:00")
    ClientLoginSucceeds(page, "en").expect_loaded()


def test_the_portals_own_login_skips_the_promotion_with_the_cookie_the_gateways_does_not(gateway, gateway_user,
                                                                                       page_in):
    user = gateway_user(ibkey_promotion=True)
    page = page_in("en")
    page.context.add_cookies([{"name": "SKIP_IBKEY_PROMO", "value": "true", "url": gateway.base_url}])
    page.goto(gateway.base_url + "/sso/login?lang=en")
    TodaysLoginPage(page, "en").expect_loaded().log_in(user.username, user.password).authenticate(user.device)
    PortalMenu(page, "en").expect_loaded()
    PortalMenu(page, "en").log_out()
    gateway.advance_clock(30, user)
    todays_login(page, gateway, "en").log_in(user.username, user.password).authenticate(user.device)
    IbkeyPromotionScreen(page, "en").expect_loaded()


def test_ibeam_clicks_through_the_promotion(gateway, gateway_user, tmp_path):
    needs_ibeam()
    user = gateway_user(ibkey_promotion=True)
    outcome, log = run_ibeam(gateway, tmp_path, user, SLSKIT_IBEAM_STATUS="1", SLSKIT_GATEWAY_CA=gateway.ca_file,
                             **IBEAM_TODAYS_PAGE)
    assert outcome["success"] is True, log[-3000:]
    assert "Handling IB-Key promo display..." in log and outcome["status"] == "AUTHENTICATED"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_approval_in_ibkr_mobile_waits_for_the_phone(gateway, gateway_user, page_in, lang):
    user = gateway_user(locale=lang, mobile_approval=True)
    page = page_in(lang)
    login = todays_login(page, gateway, lang)
    login.fill(user.username, user.password).submit()
    MobileApprovalStep(page, lang).expect_loaded()
    expect(page.locator(".login-step-notification")).to_be_visible()  # what IBeam waits for
    gateway.answer_mobile_approval(user)
    ClientLoginSucceeds(page, lang).expect_loaded()  # the page went on by itself
    assert client("ibind", gateway, "validate")["steps"]["validate"]["result"]["SF_ENABLED"] is True


def test_the_approval_in_ibkr_mobile_gives_way_to_the_code(gateway, gateway_user, page_in):
    user = gateway_user(mobile_approval=True)
    page = page_in("en")
    todays_login(page, gateway, "en").fill(user.username, user.password).submit()
    MobileApprovalStep(page, "en").expect_loaded().use_code().authenticate(user.device)
    ClientLoginSucceeds(page, "en").expect_loaded()


# --- a session's life on the user's clock --------------------------------------------------------

def test_the_daily_reset_then_the_maximum_life_on_the_users_clock(gateway, gateway_user, gateway_page):
    """Kept alive by a tickle every 5 minutes of the user's clock, the session meets the daily reset
    of the user's region (its brokerage session ends, the clients bring it back), then its maximum
    life, 24 hours after the login (it ends: 401)."""
    user = gateway_user(reset_region="asia_pacific")  # two resets a day: the first is within 12 hours
    log_in_through_the_gateway(gateway_page, gateway, user)
    logged_in_at = gateway.advance_clock(0, user)["now"]
    # Steps of 4 minutes, and the last one a little past the moment: the seconds the test itself
    # takes (the server's clock runs on) never carry a step past it, nor any step past the idle limit.
    reset_in = resets.next_reset(logged_in_at, "asia_pacific") - logged_in_at
    elapsed = keep_alive(gateway, user, 0, reset_in)
    gateway.advance_clock(reset_in - elapsed + 1, user)
    status, body = gateway.call_gateway("POST", "/v1/api/tickle")
    auth = body["iserver"]["authStatus"]
    assert status == 200 and (auth["connected"], auth["authenticated"]) == (False, False)
    assert client("ibind", gateway, "check_health")["steps"]["check_health"] == {"result": False}
    steps = client("easyib", gateway, "re_authenticate", "get_auth_status")["steps"]
    assert steps["get_auth_status"]["result"]["authenticated"] is True  # the session lived on: reauthenticate works
    # The region's second reset of the day ends the brokerage session again; the session lives on.
    elapsed = keep_alive(gateway, user, reset_in + 1, 24 * 3600, brokerage_up=False)
    gateway.advance_clock(24 * 3600 - elapsed + 1, user)
    assert gateway.call_gateway("POST", "/v1/api/tickle") == (401, {"error": "not authenticated", "statusCode": 401})
    assert client("ibind", gateway, "check_health")["steps"]["check_health"] == {"result": False}


def keep_alive(gateway, user, elapsed, until, brokerage_up=True):
    """Tickle every 4 minutes of `user`'s clock from `elapsed` seconds after the login until less
    than 5 minutes are left to `until` (each answered 200, and with `brokerage_up` connected); the
    seconds elapsed then."""
    while until - elapsed > 270:
        gateway.advance_clock(240, user)
        elapsed += 240
        status, body = gateway.call_gateway("POST", "/v1/api/tickle")
        assert status == 200, (elapsed, body)
        assert body["iserver"]["authStatus"]["connected"] or not brokerage_up, (elapsed, body)
    return elapsed
