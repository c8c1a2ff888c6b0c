"""The request journal, faults on purpose and the hooks' key, at the Flask level: an
app per test with its hooks, Flask's test client for the visitors. A dropped connection is a
server's business: Flask's client meets the exception the servers turn into a closed socket; the
browser tests (tests/e2e/test_steering_flows.py) meet the closed socket itself."""

import pytest

from mock_portal.control import faults
from portal_client import SECURE_LOGIN_SETTINGS, Visitor


SECRETS = ("alice pass 1", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "csrf_token", "slskit_session")


@pytest.fixture
def hooked(app_like):
    return app_like(TEST_HOOKS=True)


@pytest.fixture
def hooks(hooked):
    client = hooked.test_client()

    def call(method, path, json=None, **kw):
        response = client.open(path, method=method, json=json, **kw)
        return response.status_code, response.get_json()
    return call


@pytest.fixture
def alice(hooked, clock):
    return Visitor(hooked.test_client(), clock)


def journal(hooks, **query):
    status, body = hooks("GET", "/_test/requests", query_string=query)
    assert status == 200, body
    return body["requests"]


def test_the_journal_names_what_a_login_and_an_ok_sent_and_no_secret(hooks, alice):
    alice.log_in("alice")
    cid = alice.open_confirmation()
    alice.post(f"{SECURE_LOGIN_SETTINGS}/confirm", {"confirmation": cid})
    sent = [(e["method"], e["path"], e["status"]) for e in journal(hooks, username="alice")]
    assert sent == [("POST", "/sso/login", 303), ("GET", "/sso/login/code", 200), ("POST", "/sso/login/code", 303),
                    ("GET", "/portal/", 200), ("GET", SECURE_LOGIN_SETTINGS, 200), ("POST", SECURE_LOGIN_SETTINGS, 303),
                    ("GET", SECURE_LOGIN_SETTINGS, 200), ("POST", f"{SECURE_LOGIN_SETTINGS}/confirm", 303)]
    ok = journal(hooks, username="alice", method="post", path=f"{SECURE_LOGIN_SETTINGS}/confirm")
    assert len(ok) == 1 and ok[0]["endpoint"] == "seed.secure_login_confirm" and ok[0]["entry"] == "portal"
    assert [e["query"] for e in journal(hooks, username="alice", path=SECURE_LOGIN_SETTINGS)] == [[], [], ["confirmation"]]
    assert journal(hooks, path="^/sso/")[0]["username"] is None  # the login page, before anyone is named
    everything = str(journal(hooks))
    code, token = alice.code("alice"), alice.csrf
    cookie = alice.client.get_cookie("slskit_session").value
    assert not any(secret in everything for secret in (*SECRETS, code, token, cookie, cid))


def test_the_journal_is_filtered_by_time_and_forgets_one_users_entries(hooks, alice, hooked, clock):
    alice.log_in("alice")
    bob = Visitor(hooked.test_client(), clock)
    bob.log_in("bob")
    middle = journal(hooks, username="bob")[0]["at"]
    assert all(e["at"] >= middle for e in journal(hooks, since=middle))
    assert hooks("DELETE", "/_test/requests", query_string={"username": "alice"})[0] == 200
    assert journal(hooks, username="alice") == [] and len(journal(hooks, username="bob")) == 4
    assert hooks("GET", "/_test/requests", query_string={"since": "yesterday"})[0] == 400
    assert hooks("GET", "/_test/requests", query_string={"path": "^(["})[0] == 400


def test_a_status_fault_answers_the_portals_error_page_for_that_user_only(hooks, alice, hooked, clock):
    alice.log_in("alice")
    bob = Visitor(hooked.test_client(), clock)
    bob.log_in("bob")
    status, body = hooks("POST", "/_test/faults", {"request": {"method": "GET", "urlPath": SECURE_LOGIN_SETTINGS,
                                                                "username": "alice"},
                                                    "response": {"status": 503}, "count": 1})
    assert status == 201
    refused = alice.get(SECURE_LOGIN_SETTINGS)
    assert refused.status_code == 503 and 'role="alert"' in refused.get_data(as_text=True)
    assert bob.get(SECURE_LOGIN_SETTINGS).status_code == 200  # not bob's fault
    assert alice.get(SECURE_LOGIN_SETTINGS).status_code == 200  # count 1: gone after once
    entry = journal(hooks, username="alice", path=SECURE_LOGIN_SETTINGS)[0]
    assert entry["status"] == 503 and entry["fault"].endswith("status 503")
    assert hooks("GET", "/_test/faults")[1]["faults"] == []


def test_a_dropped_connection_before_handling_changes_nothing_and_after_handling_keeps_the_change(
        hooks, alice, conn):
    alice.log_in("alice")
    cid = alice.open_confirmation()
    form = {"confirmation": cid, "csrf_token": alice.csrf}
    hooks("POST", "/_test/faults", {"request": {"urlPath": f"{SECURE_LOGIN_SETTINGS}/confirm", "username": "alice"},
                                    "response": {"fault": "CONNECTION_DROPPED", "when": "before"}, "count": 1})
    with pytest.raises(faults.DroppedConnection):
        alice.client.post(f"{SECURE_LOGIN_SETTINGS}/confirm", data=form)
    assert conn.execute("SELECT sls_opted_out FROM users WHERE username = 'alice'").fetchone()[0] == 1
    hooks("POST", "/_test/faults", {"request": {"urlPath": f"{SECURE_LOGIN_SETTINGS}/confirm", "username": "alice"},
                                    "response": {"fault": "CONNECTION_DROPPED"}, "count": 1})
    with pytest.raises(faults.DroppedConnection):
        alice.client.post(f"{SECURE_LOGIN_SETTINGS}/confirm", data=form)
    assert conn.execute("SELECT sls_opted_out FROM users WHERE username = 'alice'").fetchone()[0] == 0
    retry = alice.post(f"{SECURE_LOGIN_SETTINGS}/confirm", {"confirmation": cid})
    assert retry.headers["Location"].endswith("notice=already_done")
    assert conn.execute("SELECT count(*) FROM audit_log WHERE actor = 'alice'").fetchone()[0] == 1
    oks = journal(hooks, username="alice", path=f"{SECURE_LOGIN_SETTINGS}/confirm")
    assert [(e["status"], (e["fault"] or "").split(": ")[-1]) for e in oks] == [
        (None, "CONNECTION_DROPPED before"), (None, "CONNECTION_DROPPED after"), (303, "")]


def test_a_truncated_response_sends_half_the_body(hooks, alice):
    alice.log_in("alice")
    whole = alice.get(SECURE_LOGIN_SETTINGS).get_data()
    hooks("POST", "/_test/faults", {"request": {"urlPath": SECURE_LOGIN_SETTINGS, "username": "alice"},
                                    "response": {"fault": "TRUNCATED_RESPONSE"}})
    response = alice.client.get(SECURE_LOGIN_SETTINGS)
    with pytest.raises(faults.DroppedConnection):
        response.get_data()
    assert hooks("DELETE", "/_test/faults", query_string={"username": "alice"})[1] == {"removed": 1}
    assert len(alice.get(SECURE_LOGIN_SETTINGS).get_data()) == len(whole)


def test_a_fixed_delay_and_a_distribution_are_taken_and_journaled(hooks, alice):
    alice.log_in("alice")
    hooks("POST", "/_test/faults", {"request": {"username": "alice", "urlPath": SECURE_LOGIN_SETTINGS},
                                    "response": {"fixedDelayMilliseconds": 120}, "count": 1})
    hooks("POST", "/_test/faults", {"request": {"username": "alice", "urlPathPattern": "^/portal/$"}, "count": 1,
                                    "response": {"delayDistribution": {"type": "uniform", "lower": 50, "upper": 60}}})
    alice.get(SECURE_LOGIN_SETTINGS)
    alice.get("/portal/")
    first, second = journal(hooks, username="alice", path="^/portal/(settings/secure-login)?$")[-2:]
    assert first["duration_ms"] >= 120 and "fixedDelayMilliseconds" in first["fault"]
    assert second["duration_ms"] >= 50 and "uniform" in second["fault"]


def test_a_probability_of_zero_never_happens_and_every_fault_can_be_removed(hooks, alice):
    alice.log_in("alice")
    status, body = hooks("POST", "/_test/faults", {"request": {"username": "alice"}, "probability": 0,
                                                   "response": {"status": 500}})
    assert alice.get(SECURE_LOGIN_SETTINGS).status_code == 200
    assert hooks("DELETE", f"/_test/faults/{body['id']}")[0] == 200
    assert hooks("DELETE", f"/_test/faults/{body['id']}")[0] == 404


@pytest.mark.parametrize("fault, error", [
    ({"response": {}}, "response needs a delay, a status or a fault"),
    ({"response": {"status": 200}}, "response.status must be an error status, 400-599"),
    ({"response": {"status": 503, "fault": "EMPTY_RESPONSE"}}, "response: a status or a fault, not both"),
    ({"response": {"fault": "EXPLODE"}}, "response.fault must be one of"),
    ({"response": {"fixedDelayMilliseconds": 10 ** 9}}, "fixedDelayMilliseconds must be a number from 0 to 60000"),
    ({"response": {"status": 503}, "probability": 2}, "probability must be a number from 0 to 1"),
    ({"response": {"status": 503}, "count": 0}, "count must be a whole number of times, 1 or more"),
    ({"request": {"urlPathPattern": "(["}, "response": {"status": 503}}, "request.urlPathPattern is not"),
    ({"response": {"fault": "EMPTY_RESPONSE", "when": "before"}}, "response.when is 'before' or 'after'"),
    (["not", "an", "object"], "the body must be a JSON object"),
])
def test_a_fault_the_hook_cannot_take_is_refused_in_one_line(hooks, fault, error):
    status, body = hooks("POST", "/_test/faults", fault)
    assert status == 400 and body["error"].startswith(error)


def test_a_fault_reaches_the_static_files_of_the_user_it_is_for(hooks, alice, hooked, clock):
    alice.log_in("alice")
    hooks("POST", "/_test/faults", {"request": {"urlPathPattern": "^/static/", "username": "alice"},
                                    "response": {"status": 500}})
    assert alice.get("/static/portal.css").status_code == 500
    assert Visitor(hooked.test_client(), clock).get("/static/portal.css").status_code == 200  # anonymous: not alice
    assert journal(hooks, username="alice", path="/static/portal.css")[0]["status"] == 500


def test_a_fault_on_the_gateways_api_answers_json(app_like, clock):
    gateway = app_like(TEST_HOOKS=True, GATEWAY=True)
    client, browser = gateway.test_client(), Visitor(gateway.test_client(), clock)
    browser.log_in("alice")
    client.post("/_test/faults", json={"request": {"urlPath": "/v1/api/tickle", "username": "alice"},
                                       "response": {"status": 503}, "count": 1})
    refused = client.post("/v1/api/tickle")
    assert refused.status_code == 503 and refused.get_json()["statusCode"] == 503
    assert client.post("/v1/api/tickle").status_code == 200
    tickles = client.get("/_test/requests", query_string={"username": "alice", "path": "/v1/api/tickle"}).get_json()
    assert [(e["status"], e["entry"]) for e in tickles["requests"]] == [(503, "gateway"), (200, "gateway")]


def test_with_a_key_every_hook_call_needs_it(app_like):
    keyed = app_like(TEST_HOOKS=True, TEST_HOOKS_KEY="s3cret key")
    client = keyed.test_client()
    refused = client.get("/_test/requests")
    assert refused.status_code == 401 and "X-Slskit-Test-Hooks-Key" in refused.get_json()["error"]
    assert client.get("/_test/requests", headers={"X-Slskit-Test-Hooks-Key": "s3cret kez"}).status_code == 401
    assert client.get("/_test/requests", headers={"X-Slskit-Test-Hooks-Key": "s3cret key"}).status_code == 200
    assert client.get("/sso/login").status_code == 200  # the portal itself needs no key


def test_without_hooks_there_is_no_journal_and_no_fault(visitor, app):
    assert "slskit_journal" not in app.extensions and "slskit_faults" not in app.extensions
    assert visitor.get("/_test/requests").status_code == 404
