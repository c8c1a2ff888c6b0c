"""A gateway login in one call, against `slskit serve --gateway`: `slskit gateway-login` (its own
Chromium), `flows.log_in_to_gateway` and the plugin's `gateway_login` fixture (the test's browser)
log in on today's login page and leave the gateway's session authenticated for every local
program; a wrong password, a wrong code, a locked user and a paper login of a live user are one
line and exit 1. The examples of docs/gateway-login.md: ibind, EasyIB and IBeam after it."""
import pytest

import flows
from flows.portal_http import HttpVisitor
from flows.users import random_base32_secret
from gateway_clients import client
from slskit_command import one_line, run
from test_ibeam import needs_ibeam, run_ibeam


def gateway_login(gateway, user, *args, username=None, password=None, secret=None):
    return run("gateway-login", "--url", gateway.base_url, "--username", username or user.username,
               "--password", password or user.password,
               "--totp-secret", secret or user.entry["devices"][0]["totp_secret"],
               "--cacert", gateway.ca_file, *args, timeout=180)


def test_the_command_logs_in_and_the_gateways_session_is_authenticated(gateway, gateway_user):
    user = gateway_user()
    assert gateway.call_gateway("GET", "/v1/api/iserver/auth/status")[0] == 401  # no session before
    result = gateway_login(gateway, user)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (f"logged in to the gateway at {gateway.base_url} as {user.username} (live): "
                             "its session is authenticated\n")
    assert result.stderr == ""
    status, answer = gateway.call_gateway("GET", "/v1/api/iserver/auth/status")
    assert status == 200 and answer["authenticated"] is True
    assert gateway.call_gateway("GET", "/v1/api/sso/validate")[1]["USER_NAME"] == user.username


def test_a_user_with_several_devices_is_logged_in_with_the_authenticator_app(gateway, gateway_user):
    # Today's device picker first: the command chooses "Mobile Authenticator App".
    user = gateway_user(devices=[{"type": "ibkey", "ibkey_secret": random_base32_secret()},
                                 {"type": "authenticator_app", "totp_secret": random_base32_secret()}])
    result = gateway_login(gateway, user, secret=user.entry["devices"][1]["totp_secret"])
    assert result.returncode == 0, result.stderr
    assert gateway.call_gateway("GET", "/v1/api/sso/validate")[1]["USER_NAME"] == user.username


def test_a_wrong_password_is_one_line(gateway, gateway_user):
    user = gateway_user()
    # Begins with a dash, as a person's password may: it still reaches the login page as the password.
    one_line(gateway_login(gateway, user, password="-not the password"),
             f"the gateway refused the login of {user.username}: Invalid username password combination")
    assert gateway.call_gateway("GET", "/v1/api/iserver/auth/status")[0] == 401


def test_a_wrong_code_is_one_line(gateway, gateway_user):
    user = gateway_user()
    one_line(gateway_login(gateway, user, secret=random_base32_secret()),
             f"the gateway refused the login of {user.username}: The security code is not valid.")
    assert gateway.call_gateway("GET", "/v1/api/iserver/auth/status")[0] == 401


def test_a_locked_user_is_one_line(gateway, gateway_user):
    user = gateway_user()
    visitor = HttpVisitor(gateway.base_url, ssl_context=gateway.ssl_context)
    visitor.get("/sso/login?lang=en")
    for _ in range(10):  # ten failures lock the username (mock_portal/login/lockout.py)
        visitor.post("/sso/login", {"username": user.username, "password": "wrong", "target": "gateway"})
    one_line(gateway_login(gateway, user),
             f"the gateway refused the login of {user.username}: Too many failed logins: this username is locked "
             "for 24 hours.")


def test_a_live_user_with_paper_gets_the_portals_paper_mode_refusal(gateway, gateway_user):
    # The paper switch is ticked through its label; the scenario's user is a live user.
    user = gateway_user()
    one_line(gateway_login(gateway, user, "--paper"),
             f"the gateway refused the login of {user.username}: You have selected the Paper Trading Mode, but the "
             "specified user is a Live Account user. Please select the correct Login mode.")


def test_a_paper_user_logs_in_in_paper_mode_and_the_session_is_a_paper_session(gateway, gateway_user):
    user = gateway_user(paper=True)
    paper = user.entry["paper"]
    result = gateway_login(gateway, user, "--paper", username=paper["username"], password=paper["password"])
    assert result.returncode == 0, result.stderr
    assert f"as {paper['username']} (paper)" in result.stdout
    validated = gateway.call_gateway("GET", "/v1/api/sso/validate")[1]
    assert (validated["LOGIN_TYPE"], validated["PAPER_USER_NAME"]) == (2, paper["username"])


def test_the_python_call_logs_in_in_the_tests_browser_and_raises_flows_own_error(gateway, gateway_user, browser):
    user = gateway_user()
    with pytest.raises(flows.GatewayLoginError, match="Invalid username password combination"):
        flows.log_in_to_gateway(gateway.base_url, user.username, "wrong", user.entry["devices"][0]["totp_secret"],
                                cacert=gateway.ca_file, browser=browser)
    status = flows.log_in_to_gateway(gateway.base_url, user.username, user.password,
                                     user.entry["devices"][0]["totp_secret"], cacert=gateway.ca_file, browser=browser)
    assert status["authenticated"] is True and status["competing"] is False
    assert browser.contexts == []  # its context is closed


def test_the_fixture_logs_in_and_ibind_sees_the_session(gateway, gateway_user, gateway_login):
    user = gateway_user()
    assert client("ibind", gateway, "check_health")["steps"]["check_health"] == {"result": False}
    gateway_login(gateway.base_url, user.username, user.password, user.entry["devices"][0]["totp_secret"],
                  cacert=gateway.ca_file)
    seen = client("ibind", gateway, "check_health", "validate")
    assert seen["steps"]["check_health"] == {"result": True}, seen
    assert seen["steps"]["validate"]["result"]["USER_NAME"] == user.username


def test_easyib_builds_on_the_commands_login(gateway, gateway_user):
    user = gateway_user()
    assert gateway_login(gateway, user).returncode == 0
    seen = client("easyib", gateway, "get_auth_status")
    assert seen["construct"]["result"]["id"] == user.entry["account_id"], seen
    assert seen["steps"]["get_auth_status"]["result"]["authenticated"] is True


def test_ibeams_own_checks_see_the_commands_login(gateway, gateway_user, tmp_path):
    needs_ibeam()
    user = gateway_user()
    assert gateway_login(gateway, user).returncode == 0
    # IBeam's maintenance asks the same status: authenticated and not competing, it does not log in itself.
    outcome, log = run_ibeam(gateway, tmp_path, user, SLSKIT_IBEAM_LOGIN="0", SLSKIT_IBEAM_STATUS="1",
                             SLSKIT_GATEWAY_CA=gateway.ca_file)
    assert outcome["status"] == "AUTHENTICATED" and outcome["authenticated"] is True, log[-3000:]
    assert outcome["competing"] is False and outcome["validate"] is True
