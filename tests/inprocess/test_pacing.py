"""The gateway's pacing (mock_portal/gateway/pacing.py): the brokerage's documented limits, 429,
the penalty box, all on the user's test clock, which only moves when a test moves it."""
import pytest

from mock_portal.gateway import pacing
from portal_client import Visitor


@pytest.fixture
def paced(app_like):
    return app_like(GATEWAY=True, TEST_HOOKS=True, GATEWAY_PACING=True)


@pytest.fixture
def api(paced):
    client = paced.test_client(use_cookies=False)

    def call(method, path, address="127.0.0.1"):
        response = client.open(path, method=method, environ_base={"REMOTE_ADDR": address})
        assert response.mimetype == "application/json" and response.status_code < 500, response.get_data()
        return response.status_code
    return call


@pytest.fixture
def logged_in(paced, clock):
    """alice's session in the gateway, and her clock: (seconds) -> moves her time only."""
    Visitor(paced.test_client(), clock).log_in("alice")

    def advance(seconds):
        paced.config["CLOCK"].advance(seconds, "alice")
    return advance


def test_twenty_tickles_in_one_second_answer_19_times_429(api, logged_in):
    statuses = [api("GET", "/v1/api/tickle") for _ in range(20)]
    assert statuses == [200] + [429] * 19  # GET /tickle: 1 a second; the second one boxes the address


def test_twenty_posted_tickles_in_one_second_meet_the_global_limit(api, logged_in):
    """The table names GET /tickle; the description's POST /tickle (IBeam's, ibind's, EasyIB's)
    meets the global 10 a second: IBeam's recovery posts two tickles within milliseconds."""
    statuses = [api("POST", "/v1/api/tickle") for _ in range(20)]
    assert statuses == [200] * 10 + [429] * 10  # the eleventh boxes the address


def test_without_pacing_twenty_tickles_are_twenty_answers(app_like, clock):
    unpaced = app_like(GATEWAY=True)
    Visitor(unpaced.test_client(), clock).log_in("alice")
    client = unpaced.test_client(use_cookies=False)
    assert [client.post("/v1/api/tickle").status_code for _ in range(20)] == [200] * 20


def test_the_penalty_box_holds_every_route_for_15_minutes_of_the_users_time(api, logged_in):
    assert [api("GET", "/v1/api/tickle") for _ in range(2)] == [200, 429]
    logged_in(60)  # a minute later, another route: still in the box
    assert api("GET", "/v1/api/iserver/accounts") == 429
    logged_in(pacing.PENALTY_SECONDS - 60 - 1)
    assert api("POST", "/v1/api/iserver/auth/status") == 429
    logged_in(1)  # 15 minutes after the violation: out, and the session is gone by then (6 idle minutes)
    assert api("POST", "/v1/api/iserver/auth/status") == 401


def test_another_address_is_not_in_the_box(api, logged_in):
    assert [api("GET", "/v1/api/tickle") for _ in range(2)] == [200, 429]
    assert api("POST", "/v1/api/iserver/auth/status", address="127.0.0.1") == 429
    assert api("POST", "/v1/api/iserver/auth/status", address="192.168.1.20") == 200


def test_the_global_limit_is_ten_requests_a_second(api, logged_in):
    assert [api("POST", "/v1/api/iserver/auth/status") for _ in range(11)] == [200] * 10 + [429]


def test_spaced_as_documented_nothing_is_refused(api, logged_in):
    assert api("GET", "/v1/api/sso/validate") == 200
    for second in range(60):  # a minute of a tickle a second, the accounts every 5 s
        assert api("GET", "/v1/api/tickle") == 200, second
        assert api("POST", "/v1/api/iserver/auth/status") == 200, second
        if second % 5 == 0:
            assert api("GET", "/v1/api/portfolio/accounts") == 200, second
        logged_in(1)
    assert api("GET", "/v1/api/sso/validate") == 200  # a minute after the first


def test_ibeams_portal_route_is_the_same_endpoint(api, logged_in):
    assert api("GET", "/v1/api/sso/validate") == 200
    assert api("GET", "/v1/portal/sso/validate") == 429  # /sso/validate: 1 a minute, whichever route


@pytest.mark.parametrize("path, seconds", [("/v1/api/sso/validate", 60), ("/v1/api/portfolio/accounts", 5),
                                           ("/v1/api/tickle", 1)])
def test_each_endpoints_limit_is_its_documented_interval(app_like, clock, path, seconds):
    for wait, expected in ((seconds, 200), (seconds - 0.5, 429)):
        gateway = app_like(GATEWAY=True, GATEWAY_PACING=True)
        clock.advance(30)
        Visitor(gateway.test_client(), clock).log_in("alice")
        client = gateway.test_client(use_cookies=False)
        assert client.get(path).status_code == 200  # the table's method
        clock.advance(wait)
        assert client.get(path).status_code == expected, (path, wait)


def test_without_a_session_nothing_is_counted(api):
    assert [api("POST", "/v1/api/tickle") for _ in range(20)] == [401] * 20


def test_a_new_session_starts_with_fresh_windows(paced, api, logged_in, clock):
    assert api("GET", "/v1/api/sso/validate") == 200
    assert api("POST", "/v1/api/logout") == 200
    clock.advance(30)  # the next login's code
    Visitor(paced.test_client(), clock).log_in("alice")
    assert api("GET", "/v1/api/sso/validate") == 200  # a minute has not passed, but it is another session


def test_a_429_is_json_and_in_the_journal(paced, logged_in):
    client = paced.test_client(use_cookies=False)
    client.get("/v1/api/tickle")
    refused = client.get("/v1/api/tickle")
    assert refused.status_code == 429 and refused.get_json()["statusCode"] == 429
    assert "Too Many Requests" in refused.get_json()["error"]
    journal = client.get("/_test/requests", query_string={"path": "/v1/api/tickle"}).get_json()["requests"]
    assert [e["status"] for e in journal] == [200, 429]


def test_a_reset_empties_the_box(paced, api, logged_in):
    assert [api("GET", "/v1/api/tickle") for _ in range(2)] == [200, 429]
    paced.test_client().post("/_test/reset", json={"users": []})
    assert api("POST", "/v1/api/tickle") == 401  # no box; no session either (the reset ended it)
