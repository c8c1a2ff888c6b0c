"""One portal shared by several test processes (`--portal-url` with xdist): every test makes its
own users and moves only its own users' clock, so no test deletes another's users or moves
another's time; a portal that cannot be reached is one line, not a traceback per test."""

import pytest

from portal_client import Visitor


# --- the per-user clock of the test hook (Flask level) -----------------------------------------

def test_moving_one_users_clock_leaves_the_others_alone(hooks, app, clock):
    answer = hooks.post("/_test/clock", json={"advance": 300, "username": "alice"}).get_json()
    assert answer == {"now": clock.now() + 300, "offset": 300}
    assert hooks.post("/_test/clock", json={"advance": 0, "username": "carol"}).get_json()["offset"] == 0
    # alice's device is ten TOTP steps ahead with her; carol's code of the real now still works.
    alice, carol = Visitor(app.test_client(), clock), Visitor(app.test_client(), clock)
    alice.submit_password("alice")
    alice.get("/sso/login/code")
    assert alice.post("/sso/login/code", {"code": alice.code("alice")}).status_code == 401
    accepted = alice.post("/sso/login/code", {"code": alice.code("alice", offset_steps=10)})
    assert accepted.status_code == 303 and accepted.headers["Location"].endswith("/portal/")
    carol.submit_password("carol")
    carol.get("/sso/login/code")
    assert carol.post("/sso/login/code", {"code": carol.code("carol")}).headers["Location"].endswith("/portal/")


def test_reset_puts_every_clock_back(hooks, clock):
    hooks.post("/_test/clock", json={"advance": 60, "username": "alice"})
    hooks.post("/_test/clock", json={"advance": 60})
    hooks.post("/_test/reset", json={"users": []})
    assert (clock.offset, clock.user_offsets) == (0.0, {})


@pytest.mark.parametrize("body, problem", [
    ({"advance": "soon"}, "advance must be a number of seconds"),
    ({"advance": float("inf")}, "advance must be a number of seconds"),
    ({"advance": True}, "advance must be a number of seconds"),
    ({"advance": 30, "username": "nobody"}, "username must name an existing user"),
    ({"advance": 30, "username": ["alice"]}, "username must name an existing user"),
])
def test_a_bad_clock_request_is_refused_and_moves_nothing(hooks, clock, body, problem):
    response = hooks.post("/_test/clock", data=__import__("json").dumps(body),
                          content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"] == problem
    assert (clock.offset, clock.user_offsets) == (0.0, {})


# --- a sample project on two workers against one running portal ---------------------------------


def test_moving_a_users_clock_past_the_idle_limit_ends_their_session_only(hooks, app, clock):
    alice, carol = Visitor(app.test_client(), clock), Visitor(app.test_client(), clock)
    alice.log_in("alice")
    carol.log_in("carol")
    hooks.post("/_test/clock", json={"advance": app.config["SESSION_IDLE_SECONDS"] + 60, "username": "alice"})
    assert alice.get("/portal/").status_code == 302  # back to the login
    assert carol.get("/portal/").status_code == 200
