"""Three more published clients of the Client Portal Gateway, each from PyPI in a venv of its own
(scripts/setup.sh), unmodified, against `slskit serve --gateway` after a login in Chromium: no
session before the login, the session after it, the accounts, the logout. Then what the gateway
does as a network service, as ibind and EasyIB meet it: scripted answers and pacing."""
import pytest

from certificates import own_pair
from flows.portal_http import PortalError
from gateway_clients import client, log_in_through_the_gateway, verified


def test_ib_web_api_generated_from_the_older_description(gateway, gateway_user, gateway_page, tmp_path):
    before = client("ib_web_api", gateway, "iserver_auth_status_post", "tickle_post")
    assert before["steps"]["iserver_auth_status_post"]["status"] == 401
    assert before["steps"]["tickle_post"]["status"] == 401
    user = gateway_user()
    log_in_through_the_gateway(gateway_page, gateway, user)
    seen = client("ib_web_api", gateway, user=user)
    steps, account = seen["steps"], user.entry["account_id"]
    assert steps["iserver_auth_status_post"]["result"]["authenticated"] is True, seen
    assert steps["tickle_post"] == {"result": None}  # its model of tickle reads no body
    assert steps["sso_validate_get"]["result"]["user_name"] == user.username
    assert [a["accountId"] for a in steps["portfolio_accounts_get"]["result"]] == [account]
    assert steps["iserver_accounts_get"]["result"]["accounts"] == [account]
    # Its logout model is the older description's {"confirmed": bool}: the gateway's {"status": true}
    # reaches it as confirmed None (docs/gateway-network.md).
    assert steps["logout_post"] == {"result": {"confirmed": None}}
    assert steps["iserver_auth_status_post#2"]["status"] == 401  # the logout ended the session
    assert verified(seen)
    stranger_ca, _ = own_pair(tmp_path)
    stranger = client("ib_web_api", gateway, "tickle_post", ca=stranger_ca)
    assert "CERTIFICATE_VERIFY_FAILED" in stranger["steps"]["tickle_post"]["error"]  # urllib3's, after its retries


def test_ib_cp_gateway_with_the_printed_certificate_as_its_ssl(gateway, gateway_user, gateway_page):
    before = client("ib_cp_gateway", gateway, "ping_server", "get_status", "get_validate")
    assert before["steps"] == {"ping_server": {"result": False}, "get_status": {"result": None},
                               "get_validate": {"result": "Authentication failed"}}  # its words for a 401
    user = gateway_user()
    log_in_through_the_gateway(gateway_page, gateway, user)
    seen = client("ib_cp_gateway", gateway, user=user)
    steps = seen["steps"]
    assert steps["ping_server"] == {"result": True}, seen
    assert steps["get_status"]["result"]["authenticated"] is True
    assert steps["get_validate"]["result"]["USER_NAME"] == user.username
    assert [a["accountId"] for a in steps["get_accounts"]["result"]] == [user.entry["account_id"]]
    assert steps["logout"] == {"result": {"status": True}}
    assert steps["get_status#2"] == {"result": None}  # 401 after the logout
    assert verified(seen)


def test_ibkr_core_mcp_with_noauth_and_the_certificate_in_requests_ca_bundle(gateway, gateway_user, gateway_page,
                                                                              tmp_path):
    before = client("ibkr_core_mcp", gateway, "is_gateway_reachable", "ping", "is_authenticated")
    # Its reachability probe is GET /tickle, and a 401 counts as up: up, without a session.
    assert before["steps"] == {"is_gateway_reachable": {"result": True}, "ping": {"result": False},
                               "is_authenticated": {"result": False}}
    assert [(w["method"], w["path"], w["status"]) for w in before["wire"]][0] == ("GET", "/v1/api/tickle", 401)
    user = gateway_user()
    log_in_through_the_gateway(gateway_page, gateway, user)
    seen = client("ibkr_core_mcp", gateway, user=user)
    steps, account = seen["steps"], user.entry["account_id"]
    assert steps["ping"] == {"result": True}, seen
    assert steps["get_auth_status"]["result"]["authenticated"] is True
    assert steps["tickle"] == {"result": True}
    assert steps["validate_sso"]["result"]["USER_NAME"] == user.username
    assert [a["account_id"] for a in steps["get_accounts"]["result"]] == [account]
    assert steps["get_brokerage_accounts"]["result"]["accounts"] == [account]
    assert steps["logout"] == {"result": {"status": True}}
    assert steps["ping#2"] == {"result": False}
    assert ("GET", "/v1/api/iserver/auth/status") in {(w["method"], w["path"]) for w in seen["wire"]}
    assert verified(seen)
    # It turns verification off, but REQUESTS_CA_BUNDLE wins: a certificate not the gateway's fails.
    stranger_ca, _ = own_pair(tmp_path)
    stranger = client("ibkr_core_mcp", gateway, "tickle", "get_auth_status", ca=stranger_ca)
    assert stranger["steps"]["tickle"] == {"result": False}
    assert "SSLError" in stranger["steps"]["get_auth_status"]["error"]


def test_ibind_sees_a_scripted_login_loop_three_times_then_the_real_answer(gateway, gateway_user, gateway_page):
    user = gateway_user()
    log_in_through_the_gateway(gateway_page, gateway, user)
    loop = {"jsonBody": {"authenticated": False, "competing": False, "connected": True, "message": ""}}
    with gateway.scripted(user, "POST", "/v1/api/iserver/auth/status", [loop] * 3) as scenario:
        seen = client("ibind", gateway, *["check_auth_status"] * 4, user=user)
        assert [s["state"] for s in gateway.scenarios() if s["name"] == scenario] == ["3"]
    assert [seen["steps"][k] for k in ("check_auth_status", "check_auth_status#2", "check_auth_status#3",
                                       "check_auth_status#4")] == [{"result": r} for r in (False, False, False, True)]
    journal = gateway.requests(user, "POST", "/v1/api/iserver/auth/status")
    assert [bool(e["stub"]) for e in journal] == [True, True, True, False]
    with pytest.raises(PortalError) as refused:
        gateway.add_stub({"request": {"urlPath": "/v1/api/tickle"}, "response": {"jsonbody": {}}})
    assert "response.jsonbody is not a field of a stub's response" in str(refused.value)
    assert "\n" not in str(refused.value)


def test_pacing_as_ibind_and_easyib_meet_it_and_the_penalty_box_on_the_users_clock(gateway, gateway_user,
                                                                                     gateway_page, browser):
    # The penalty box holds the whole address, every test's: the gateway's reset for each test empties it.
    user = gateway_user()
    log_in_through_the_gateway(gateway_page, gateway, user)
    seen = client("ibind", gateway, "validate", "validate", "tickle", user=user)
    assert seen["steps"]["validate"]["result"]["USER_NAME"] == user.username
    assert seen["steps"]["validate#2"]["status"] == 429  # /sso/validate: 1 a minute
    assert seen["steps"]["tickle"]["status"] == 429  # the penalty box: every route
    gateway.advance_clock(15 * 60, user)
    # Out of the box after 15 minutes of the user's time, to a session that idled out meanwhile.
    assert client("ibind", gateway, "tickle", user=user)["steps"]["tickle"]["status"] == 401
    # EasyIB's constructor reads /portfolio/accounts; its get_accounts() right after is a second
    # read within 5 s: over the limit, as on the real gateway (docs/gateway-network.md).
    later = browser.new_context(ignore_https_errors=True, locale="en")  # the first browser is still logged in
    try:
        log_in_through_the_gateway(later.new_page(), gateway, user)
    finally:
        later.close()
    easyib = client("easyib", gateway, "get_accounts", user=user)
    assert easyib["construct"]["result"]["id"] == user.entry["account_id"]
    assert easyib["steps"]["get_accounts"]["result"]["statusCode"] == 429
    assert [w["status"] for w in easyib["wire"]] == [200, 429]
