"""`slskit serve --gateway` as the people who automate this login meet it: HTTPS with
the gateway's self-signed certificate, today's login page in a browser, then the session API
through real clients, each from PyPI in a venv of its own (scripts/setup.sh installs them):
ibind and EasyIB with the printed certificate as their only trust anchor, and IBeam configured as
its users configure it for today's page, with its own status checks after its login."""
from playwright.sync_api import expect

from certificates import own_pair
from flows.flow import open_secure_login_system
from flows.pages import LoginPage, PortalMenu, SecondFactorPage
from flows.users import random_base32_secret
from gateway_clients import IBEAM_TODAYS_PAGE, client, log_in_through_the_gateway, verified
from test_ibeam import needs_ibeam, run_ibeam


def test_ibind_meets_no_session_then_the_browsers_and_ends_it(gateway, gateway_user, gateway_page, tmp_path):
    user = gateway_user()
    before = client("ibind", gateway, "check_health", "tickle")
    assert before["steps"]["check_health"] == {"result": False}
    assert before["steps"]["tickle"]["status"] == 401
    log_in_through_the_gateway(gateway_page, gateway, user)
    seen = client("ibind", gateway, user=user)
    steps = seen["steps"]
    assert steps["check_health"] == {"result": True}, seen
    assert steps["tickle"]["result"]["iserver"]["authStatus"]["authenticated"] is True
    assert steps["validate"]["result"]["USER_NAME"] == user.username
    assert steps["validate"]["result"]["SF_ENABLED"] is True
    assert [a["accountId"] for a in steps["portfolio_accounts"]["result"]] == [user.entry["account_id"]]
    assert steps["receive_brokerage_accounts"]["result"]["selectedAccount"] == user.entry["account_id"]
    assert steps["logout"] == {"result": {"status": True}}
    assert steps["check_health#2"] == {"result": False}  # the logout ended the gateway's session
    assert verified(seen), seen["wire"]  # every exchange verified the certificate ...
    stranger_ca, _ = own_pair(tmp_path)
    stranger = client("ibind", gateway, "tickle", ca=stranger_ca)
    assert "SSLError" in stranger["steps"]["tickle"]["error"]  # ... which a certificate not the gateway's fails


def test_easyib_builds_on_the_session_and_reads_the_scenarios_account(gateway, gateway_user, gateway_page):
    before = client("easyib", gateway, "ping_server")
    assert "error" in before["construct"]  # its constructor reads an account: there is no session yet
    user = gateway_user()
    log_in_through_the_gateway(gateway_page, gateway, user)
    seen = client("easyib", gateway, user=user)
    assert seen["construct"]["result"]["id"] == user.entry["account_id"], seen
    assert seen["steps"]["ping_server"]["result"]["iserver"]["authStatus"]["authenticated"] is True
    assert seen["steps"]["get_auth_status"]["result"]["authenticated"] is True
    assert seen["steps"]["ping_server#2"]["result"]["statusCode"] == 401  # after its log_out


def test_ibeam_logs_in_on_todays_page_with_its_users_settings_and_its_own_checks_see_the_session(
        gateway, gateway_user, tmp_path):
    needs_ibeam()
    # Two devices: today's picker first, where IBeam chooses by the option's text.
    user = gateway_user(devices=[{"type": "authenticator_app", "totp_secret": random_base32_secret()},
                                 {"type": "ibkey", "ibkey_secret": random_base32_secret()}])
    outcome, log = run_ibeam(gateway, tmp_path, user, SLSKIT_IBEAM_STATUS="1",
                             SLSKIT_GATEWAY_CA=gateway.ca_file, **IBEAM_TODAYS_PAGE)
    assert outcome["success"] is True and outcome["failed_attempts"] == 0, log[-3000:]
    assert 'Webpage displayed "Client login succeeds"' in log
    assert outcome["status"] == "AUTHENTICATED" and outcome["authenticated"] is True
    assert outcome["validate"] is True
    assert outcome["logout_body"] == '{"status":true}'  # what IBeam's strategy compares, byte for byte
    assert outcome["status_after_logout"] != "AUTHENTICATED"


def test_the_gateway_asks_an_opted_out_user_for_the_device_before_and_after_the_article(
        gateway, gateway_user, gateway_page):
    """The brokerage documents two-factor authentication as mandatory for a gateway login
    (access.gateway_holds): the opted-out user is asked for the device; API clients see the
    opt-out as QUALIFIED_FOR_MOBILE_AUTH false, and true once the article's steps 4-7 are done."""
    user = gateway_user(sls_opted_out=True)
    page = gateway_page
    log_in_through_the_gateway(page, gateway, user)  # the device's code was asked for, and given
    validate = client("ibind", gateway, "validate")["steps"]["validate"]["result"]
    assert validate["SF_ENABLED"] is True and validate["QUALIFIED_FOR_MOBILE_AUTH"] is False
    # The article's steps 4-7 in the same browser, through the gateway's portal.
    page.goto(gateway.base_url + "/portal/")
    settings = open_secure_login_system(PortalMenu(page, "en").expect_loaded()).open_settings().expect_opted_out()
    settings.choose_always_use_device().continue_().ok().expect_enrolled()
    assert gateway.user_state(user.username)["sls_opted_out"] == 0
    PortalMenu(page, "en").log_out()
    assert client("ibind", gateway, "check_health")["steps"]["check_health"] == {"result": False}
    gateway.advance_clock(30, user)  # the next login's code: the last one is spent (no replay)
    log_in_through_the_gateway(page, gateway, user)
    validate = client("ibind", gateway, "validate")["steps"]["validate"]["result"]
    assert validate["QUALIFIED_FOR_MOBILE_AUTH"] is True


def test_an_opted_out_users_password_alone_opens_no_gateway_session(gateway, gateway_user, gateway_page):
    user = gateway_user(sls_opted_out=True)
    page = gateway_page
    page.goto(gateway.base_url + "/sso/Login?forwardTo=22&RL=1&ip2loc=on")
    LoginPage(page, "en").log_in(user.username, user.password)
    expect(SecondFactorPage(page, "en").code).to_be_visible()  # the gateway asks for the device
    assert client("ibind", gateway, "check_health")["steps"]["check_health"] == {"result": False}


def test_ibind_meets_a_503_from_tickle_as_unhealthy_and_the_next_tickle_healthy(gateway, gateway_user, gateway_page):
    user = gateway_user()
    log_in_through_the_gateway(gateway_page, gateway, user)
    with gateway.inject(user, "POST", "/v1/api/tickle", status=503, count=1):
        seen = client("ibind", gateway, "check_health", "check_health")
    assert seen["steps"]["check_health"] == {"result": False}  # the gateway said 503: not healthy
    assert seen["steps"]["check_health#2"] == {"result": True}  # the fault was once
    assert [w["status"] for w in seen["wire"]] == [503, 200]
    tickles = gateway.requests(user, "POST", "/v1/api/tickle")
    assert [(e["status"], bool(e["fault"])) for e in tickles] == [(503, True), (200, False)]
