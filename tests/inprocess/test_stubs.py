"""Scripted answers in the test hooks (mock_portal/control/stubs.py): WireMock's stubs and
scenarios, in the journal like every fault, refused in one line when malformed, gone after a reset."""
import collections
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal_client import Visitor


@pytest.fixture
def gateway(app_like):
    return app_like(GATEWAY=True, TEST_HOOKS=True, GATEWAY_PACING=True)


@pytest.fixture
def hooks(gateway):
    client = gateway.test_client()

    def call(method, path, body=None, **kw):
        response = client.open(path, method=method, json=body, **kw)
        return response.status_code, response.get_json()
    return call


@pytest.fixture
def alice(gateway, clock):
    Visitor(gateway.test_client(), clock).log_in("alice")
    return gateway.test_client(use_cookies=False)


def loop(n, username="alice", path="/v1/api/iserver/auth/status", scenario="login loop"):
    """WireMock's "the first n answers are X, then the real one": n stubs in a chain of states."""
    states = ["Started"] + [f"after {i}" for i in range(1, n + 1)]
    return [{"request": {"method": "POST", "urlPath": path, "username": username},
             "response": {"status": 200, "jsonBody": {"authenticated": False, "competing": False, "connected": True,
                                                      "message": f"scripted {i + 1}"}},
             "scenarioName": scenario, "requiredScenarioState": states[i], "newScenarioState": states[i + 1]}
            for i in range(n)]


def test_three_scripted_answers_then_the_real_one(hooks, alice):
    ids = [hooks("POST", "/_test/stubs", stub)[1]["id"] for stub in loop(3)]
    answers = [alice.post("/v1/api/iserver/auth/status") for _ in range(5)]
    assert [a.get_json()["authenticated"] for a in answers] == [False, False, False, True, True]
    assert [a.get_json().get("message") for a in answers[:3]] == ["scripted 1", "scripted 2", "scripted 3"]
    assert all(a.status_code == 200 and a.mimetype == "application/json" for a in answers)
    status, scenarios = hooks("GET", "/_test/scenarios")
    assert scenarios["scenarios"] == [{"name": "login loop", "state": "after 3",
                                       "possibleStates": ["Started", "after 1", "after 2", "after 3"]}]
    journal = hooks("GET", "/_test/requests?username=alice&path=/v1/api/iserver/auth/status")[1]["requests"]
    assert [e["stub"] for e in journal] == ids + [None, None]  # which stub answered, as faults are journaled
    hooks("POST", "/_test/scenarios/reset")
    assert alice.post("/v1/api/iserver/auth/status").get_json()["message"] == "scripted 1"


def test_a_stub_without_a_scenario_answers_every_time_until_removed(hooks, alice):
    status, made = hooks("POST", "/_test/stubs", {
        "request": {"method": "GET", "urlPathPattern": "^/v1/api/portfolio/", "username": "alice"},
        "response": {"status": 503, "body": "upstream gone", "headers": {"Retry-After": "2"}}})
    assert status == 201
    for _ in range(2):
        answer = alice.get("/v1/api/portfolio/accounts")
        assert answer.status_code == 503 and answer.get_data() == b"upstream gone"
        assert answer.headers["Retry-After"] == "2" and answer.mimetype == "text/plain"
    assert hooks("DELETE", f"/_test/stubs/{made['id']}") == (200, {"removed": 1})
    assert alice.get("/v1/api/portfolio/accounts").status_code == 200
    assert hooks("DELETE", f"/_test/stubs/{made['id']}")[0] == 404


def test_a_stub_is_one_users(hooks, gateway, alice, clock):
    hooks("POST", "/_test/stubs", {"request": {"urlPath": "/v1/api/tickle", "username": "bob"},
                                   "response": {"status": 500, "jsonBody": {"error": "bob's"}}})
    assert alice.post("/v1/api/tickle").status_code == 200  # alice holds the gateway's session
    assert hooks("GET", "/_test/stubs?username=bob")[1]["stubs"][0]["request"]["username"] == "bob"
    assert hooks("GET", "/_test/stubs?username=alice")[1]["stubs"] == []
    assert hooks("DELETE", "/_test/stubs?username=bob") == (200, {"removed": 1})


def test_priority_then_the_newest_answers(hooks, alice):
    for priority, text in ((5, "old"), (5, "new"), (9, "low")):
        hooks("POST", "/_test/stubs", {"request": {"urlPath": "/v1/api/tickle"}, "priority": priority,
                                       "response": {"jsonBody": {"which": text}}})
    assert alice.post("/v1/api/tickle").get_json() == {"which": "new"}
    hooks("POST", "/_test/stubs", {"request": {"urlPath": "/v1/api/tickle"}, "priority": 1,
                                   "response": {"jsonBody": {"which": "first"}}})
    assert alice.post("/v1/api/tickle").get_json() == {"which": "first"}


def test_a_scripted_answer_is_not_handled_and_not_paced(hooks, alice):
    hooks("POST", "/_test/stubs", {"request": {"urlPath": "/v1/api/logout"}, "response": {"jsonBody": {"status": True}}})
    assert [alice.post("/v1/api/logout").status_code for _ in range(12)] == [200] * 12  # over 10/s: not counted
    hooks("DELETE", "/_test/stubs")
    assert alice.post("/v1/api/tickle").status_code == 200  # the session is still there: logout never ran


def test_a_reset_removes_stubs_and_scenarios(hooks, alice):
    for stub in loop(2):
        hooks("POST", "/_test/stubs", stub)
    assert hooks("POST", "/_test/reset", {"users": []})[0] == 200
    assert hooks("GET", "/_test/stubs")[1] == {"stubs": []} and hooks("GET", "/_test/scenarios")[1] == {"scenarios": []}


def test_the_hooks_are_never_stubbed(hooks):
    status, body = hooks("POST", "/_test/stubs", {"request": {"urlPathPattern": "^/"}, "response": {"status": 500}})
    assert status == 201
    assert hooks("GET", "/_test/stubs")[0] == 200  # answered by the hook, not the stub
    assert hooks("POST", "/_test/stubs", {"request": {"urlPath": "/_test/reset"}, "response": {}})[0] == 400


@pytest.mark.parametrize("stub, error", [
    (["a", "list"], "the body must be a JSON object"),
    ({"request": {"urlPath": "/v1/api/tickle"}}, 'a stub is {"request": {...}, "response": {...}}'),
    ({"reponse": {"status": 200}, "response": {}}, "reponse is not a field of a stub's top level"),
    ({"response": {"jsonbody": {}}}, "response.jsonbody is not a field of a stub's response"),
    ({"request": {"path": "/x"}, "response": {}}, "request.path is not a field of a stub's request"),
    ({"request": {"urlPath": 5}, "response": {}}, "request.urlPath must be a non-empty string"),
    ({"request": {"urlPath": "/a", "urlPathPattern": "/a"}, "response": {}}, "request: urlPath or urlPathPattern"),
    ({"request": {"urlPathPattern": "(["}, "response": {}}, "request.urlPathPattern is not a regular expression"),
    ({"response": {"status": 99}}, "response.status must be a status from 200 to 599"),
    ({"response": {"status": True}}, "response.status must be a status from 200 to 599"),
    ({"response": {"jsonBody": {}, "body": ""}}, "response: jsonBody or body, not both"),
    ({"response": {"body": 5}}, "response.body must be a string"),
    ({"response": {"jsonBody": float("nan")}}, "response.jsonBody must be JSON a client can read"),
    ({"response": {"status": 204, "jsonBody": {}}}, "response: a 204 has no body"),
    ({"response": {"headers": ["X-A"]}}, "response.headers must be an object"),
    ({"response": {"headers": {"Content-Length": "3"}}}, "response.headers: Content-Length frames the answer"),
    ({"response": {"headers": {"X-A": "a\r\nSet-Cookie: x=1"}}}, "response.headers.X-A must be printable ASCII"),
    ({"response": {"headers": {"X A": "1"}}}, "response.headers: 'X A' is not a header name"),
    ({"response": {}, "requiredScenarioState": "Started"}, "requiredScenarioState needs a scenarioName"),
    ({"response": {}, "scenarioName": ""}, "scenarioName must be a non-empty string"),
    ({"response": {}, "priority": 0}, "priority must be a whole number from 1"),
])
def test_a_malformed_stub_is_refused_in_one_line(hooks, stub, error):
    status, body = hooks("POST", "/_test/stubs", stub)
    assert status == 400 and body["error"].startswith(error) and "\n" not in body["error"], body
    assert hooks("GET", "/_test/stubs")[1] == {"stubs": []}  # nothing half-stored


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=12)
FIELDS = st.sampled_from(["request", "response", "scenarioName", "requiredScenarioState", "newScenarioState",
                          "priority", "status", "jsonBody", "body", "headers", "urlPath", "method", "username"])


# Near-valid stubs too, so that many are taken and answer the requests below.
SHAPED = st.fixed_dictionaries(
    {"request": st.fixed_dictionaries({}, optional={
        "urlPath": st.sampled_from(["/v1/api/tickle", "/sso/login", "/"]), "method": st.sampled_from(["GET", "POST"])}),
     "response": st.fixed_dictionaries({}, optional={
         "status": st.sampled_from([200, 401, 429, 503, 204, 99]), "jsonBody": JSON,
         "headers": st.dictionaries(st.sampled_from(["X-A", "Retry-After", "Set-Cookie", "Content-Length"]),
                                    st.sampled_from(["1", "a=b", "caf\u00e9"]), max_size=2)})},
    optional={"scenarioName": st.sampled_from(["s", "t"]), "requiredScenarioState": st.sampled_from(["Started", "2"]),
              "newScenarioState": st.sampled_from(["2", "3"]), "priority": st.integers(0, 10)})


def test_any_stub_is_taken_or_refused_in_one_line_and_never_breaks_an_answer(gateway):
    client = gateway.test_client()  # TESTING: an exception in the app would raise here
    taken = collections.Counter()

    @settings(max_examples=100, deadline=None, derandomize=True, database=None)
    @given(stub=SHAPED | st.dictionaries(FIELDS, JSON | st.dictionaries(FIELDS, JSON, max_size=4), max_size=5))
    def check(stub):
        made = client.post("/_test/stubs", data=json.dumps(stub), content_type="application/json")
        assert made.status_code in (201, 400), made.get_data()
        if made.status_code == 400:
            assert "\n" not in made.get_json()["error"] and client.get("/_test/stubs").get_json() == {"stubs": []}
        for method, path in (("POST", "/v1/api/tickle"), ("GET", "/sso/login"), ("GET", "/")):
            answer = client.open(path, method=method)
            assert answer.status_code < 500 or (made.status_code == 201
                                                and answer.status_code == stub["response"]["status"])
        client.delete("/_test/stubs")
        taken[made.status_code == 201] += 1

    check()
    assert taken[True] >= 10 and taken[False] >= 10, taken  # both kinds were tried
