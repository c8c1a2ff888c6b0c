"""Property tests (Hypothesis) of what takes outside input: the scenario loader, the test hooks
and the login forms. For any input: never a 5xx, never a traceback, and a refusal leaves the
stored state as it was (a refused login adds only its failure to the lock's count, by design).
What the loader accepts works at login.

Deterministic (derandomize) and bounded, so the suite stays quick and never flakes; raise
max_examples locally to search harder.
"""
import json
from contextlib import closing

import pyotp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_portal import control, db, scenario, serving
from portal_client import SCENARIO, Visitor, text


PROPERTY = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# --- strategies ---------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12)
SECRETS = st.sampled_from(["JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp",
                           "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP====", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"])
# Any printable password, spaces included, but nothing a person cannot type.
PASSWORDS = st.text(st.characters(exclude_categories=["Cc", "Cs"]), min_size=1, max_size=40)

valid_devices = st.one_of(
    st.fixed_dictionaries({"type": st.just("authenticator_app"), "totp_secret": SECRETS}),
    st.fixed_dictionaries({"type": st.just("ibkey"), "ibkey_secret": SECRETS}),
    st.fixed_dictionaries({"type": st.just("sms"), "phone": st.from_regex(r"\+?[0-9][0-9 -]{6,19}", fullmatch=True)}),
    st.fixed_dictionaries({"type": st.just("dsc_plus"), "card_secret": SECRETS,
                           "pin": st.from_regex(r"[0-9]{4,8}", fullmatch=True)}),
    st.just({"type": "temporary_passcode"}))
valid_users = st.fixed_dictionaries({
    "username": st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,8}", fullmatch=True),
    "password": PASSWORDS,
    "account_id": st.just("U1234567"),
    "primary": st.just(True),
    "locale": st.sampled_from(["ja", "en"]),
    "sls_opted_out": st.booleans(),
    "devices": st.lists(valid_devices, min_size=1, max_size=2),
})


@st.composite
def damaged(draw, entry):
    """`entry` with one thing wrong: a field replaced by any JSON value, removed, or one more."""
    entry = dict(entry)
    key = draw(st.sampled_from(sorted(entry) + ["(extra)"]))
    how = draw(st.sampled_from(["replace", "remove"]))
    if key == "(extra)":
        entry[draw(st.text(max_size=8))] = draw(json_values)
    elif how == "remove":
        del entry[key]
    else:
        entry[key] = draw(json_values)
    return entry


users = st.one_of(valid_users, valid_users.flatmap(damaged),
                  st.tuples(valid_users, valid_devices.flatmap(damaged)).map(lambda t: {**t[0], "devices": [t[1]]}))
def own_accounts(entries):
    """Each user the primary of an account of its own, where the entry still has those fields."""
    return [{**e, "account_id": f"U{1000000 + i}"} if isinstance(e, dict) and "account_id" in e else e
            for i, e in enumerate(entries)]


scenarios = st.one_of(st.fixed_dictionaries({"users": st.lists(users, max_size=3).map(own_accounts)}), json_values)


def stored(conn, tables=("accounts", "users", "devices", "sessions", "confirmations", "audit_log", "messages",
                         "challenges", "sms_outbox", "temporary_passcodes")):
    return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}


def no_server_error(response):
    body = response.get_data(as_text=True)
    assert response.status_code < 500, body[:300]
    assert "Traceback" not in body


# --- the scenario loader --------------------------------------------------------------------------

@PROPERTY
@given(data=scenarios)
def test_validate_answers_with_a_scenario_or_one_line(data):
    try:
        result = scenario.validate(data)
    except scenario.ScenarioError as e:
        assert str(e) and "\n" not in str(e)
        return
    assert scenario.validate(result) == result  # one form: normalising twice changes nothing


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "db.sqlite"
    with closing(db.connect(str(path))) as conn:
        db.init_schema(conn)
        scenario.replace(conn, SCENARIO, serving.FAST_PASSWORD_HASH)
    return path


def file_bytes(path):
    return [p.read_bytes() for p in sorted(path.parent.glob(path.name + "*"))]


@settings(PROPERTY, max_examples=25)
@given(content=st.one_of(st.binary(max_size=200), scenarios.map(lambda d: json.dumps(d).encode())))
def test_serve_refuses_a_scenario_file_without_touching_the_database(database, content):
    path = database.parent / "s.json"
    path.write_bytes(content)
    before = file_bytes(database)
    try:
        serving.build_app(str(database), str(path), extra_config={"PASSWORD_HASH_METHOD": serving.FAST_PASSWORD_HASH})
    except serving.StartError as e:
        assert e.code == 2 and "\n" not in str(e)
        assert file_bytes(database) == before


@PROPERTY
@given(user=users)
def test_what_the_loader_accepts_logs_in(app, clock, user):
    try:
        accepted = scenario.validate({"users": [{**user, "account_id": "U9999999", "primary": True}]})
    except scenario.ScenarioError:
        return
    entry = accepted["users"][0]
    with closing(db.connect(app.config["DATABASE"])) as conn:
        scenario.replace(conn, {"users": [entry]}, app.config["PASSWORD_HASH_METHOD"])
    clock.advance(30)
    visitor = Visitor(app.test_client(), clock)
    visitor.get("/sso/login")
    response = visitor.post("/sso/login", {"username": entry["username"], "password": entry["password"]})
    assert response.status_code == 303, text(response)  # the password the file holds is the one that works
    device = entry["devices"][0]
    if len(entry["devices"]) == 1 and device["type"] == "authenticator_app":
        visitor.get("/sso/login/code")
        code = pyotp.TOTP(device["totp_secret"]).generate_otp(int(clock.now() // 30))
        assert visitor.post("/sso/login/code", {"code": code}).status_code == 303


# --- the test hooks ------------------------------------------------------------------------------

@pytest.fixture
def hooks(app):
    app.register_blueprint(control.bp)
    client = app.test_client()
    client.get("/")  # the first request's housekeeping is done before anything is compared
    return client


@PROPERTY
@given(path=st.sampled_from(["/_test/reset", "/_test/users", "/_test/clock", "/_test/ibkey/push",
                             "/_test/temporary-passcode", "/_test/ibkey/activate"]),
       body=st.one_of(scenarios, st.fixed_dictionaries({"advance": json_values}),
                      st.fixed_dictionaries({"username": json_values, "decision": json_values}),
                      st.fixed_dictionaries({"users": st.lists(users, max_size=2)})),
       raw=st.booleans())
def test_a_hook_answers_any_body_without_breaking_a_later_request(app, hooks, conn, path, body, raw):
    before = stored(conn)
    response = hooks.post(path, data=json.dumps(body), content_type="application/json" if raw else "text/plain")
    no_server_error(response)
    if response.status_code == 400:
        assert "\n" not in response.get_json()["error"]
        assert stored(conn) == before
    for later in ("/", "/sso/login", "/sso/Login?forwardTo=22&RL=1&ip2loc=on"):
        no_server_error(hooks.get(later))
    no_server_error(hooks.post("/sso/login", data={"username": "alice", "password": "x"}))


# --- the login forms -----------------------------------------------------------------------------

form_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)


@PROPERTY
@given(form=st.dictionaries(st.sampled_from(["username", "password", "target", "next", "extra"]), form_text),
       with_csrf=st.booleans())
def test_the_password_form_refuses_anything_without_a_change(app, clock, conn, form, with_csrf):
    visitor = Visitor(app.test_client(), clock)
    visitor.get("/sso/login")
    before = stored(conn, ("users", "devices", "audit_log", "confirmations", "messages"))
    response = visitor.post("/sso/login", form, csrf=with_csrf)
    no_server_error(response)
    assert stored(conn, ("users", "devices", "audit_log", "confirmations", "messages")) == before


@PROPERTY
@given(code=form_text, field=st.sampled_from(["code", "device", "push"]),
       path=st.sampled_from(["/sso/login/code", "/sso/login/device", "/sso/login/code/resend"]))
def test_the_code_form_refuses_anything_without_a_change(app, clock, conn, code, field, path):
    visitor = Visitor(app.test_client(), clock)
    visitor.submit_password("alice")
    visitor.get("/sso/login/code")
    before = stored(conn, ("users", "devices", "audit_log", "confirmations"))
    response = visitor.post(path, {field: code})
    no_server_error(response)
    if response.status_code >= 400:
        assert stored(conn, ("users", "devices", "audit_log", "confirmations")) == before
