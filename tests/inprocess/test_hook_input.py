"""The test hooks check their input as the scenario loader does: 400 with a one-line reason for
a wrong shape, type or number, and nothing they accept makes a later request fail."""
import json

import pytest

from mock_portal import control
from portal_client import Visitor


POST_HOOKS = ("/_test/reset", "/_test/users", "/_test/clock", "/_test/ibkey/push", "/_test/temporary-passcode",
              "/_test/ibkey/activate", "/_test/login-elsewhere", "/_test/brokerage-session", "/_test/login-options",
              "/_test/mobile-approval", "/_test/stubs", "/_test/sharing-requests/review",
              "/_test/physical-devices/deliver", "/_test/physical-devices/receive", "/_test/physical-devices/lost")


def post(hooks, path, body):
    raw = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return hooks.post(path, data=raw, content_type="application/json")


def one_line_error(response):
    error = response.get_json()["error"]
    assert response.status_code == 400 and error and "\n" not in error and "Traceback" not in error
    return error


@pytest.mark.parametrize("path", POST_HOOKS)
@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"42", b'"users"', b"null",
                                  b"[" * 100_000 + b"]" * 100_000], ids=["text", "list", "number", "string",
                                                                          "null", "deep"])
def test_a_body_that_is_not_a_json_object_is_refused(hooks, path, body):
    assert "must be a JSON object" in one_line_error(post(hooks, path, body))


@pytest.mark.parametrize("path, body, problem", [
    ("/_test/ibkey/push", {"username": ["alice"], "decision": "approve"}, "username must be a string"),
    ("/_test/ibkey/push", {"username": "alice", "decision": 1}, "decision must be 'approve' or 'deny'"),
    ("/_test/temporary-passcode", {"username": {"name": "alice"}}, "username must be a string"),
    ("/_test/ibkey/activate", {"activation_code": 123456}, "activation_code must be a string"),
    ("/_test/users", {"users": {"username": "x"}}, "'users' must be a list"),
    ("/_test/reset", {"users": [{"username": 1}]}, "users[0]"),
    ("/_test/sharing-requests/review", {"username": "alice", "decision": "yes"}, "decision must be 'approve' or"),
    ("/_test/sharing-requests/review", {"username": 7, "decision": "approve"}, "username must be a string"),
    ("/_test/physical-devices/deliver", {"username": None}, "username must be a string"),
    ("/_test/physical-devices/receive", {"serial": 12}, "serial must be a string"),
    ("/_test/physical-devices/lost", {"serial": ["DSC1"]}, "serial must be a string"),
    ("/_test/users", {"users": [{"username": "x", "equity_usd": "lots"}]}, "users[0]"),
])
def test_a_field_of_the_wrong_type_is_named(hooks, path, body, problem):
    assert problem in one_line_error(post(hooks, path, body))


@pytest.mark.parametrize("advance", [-1, -1e9, control.routes.MAX_ADVANCE + 1, 1e308])
def test_the_clock_moves_forward_by_a_sane_amount_only(hooks, clock, advance):
    assert "advance must be 0 or more" in one_line_error(post(hooks, "/_test/clock", {"advance": advance}))
    assert clock.offset == 0.0


def test_the_clock_is_never_moved_past_a_century_in_steps(hooks, clock):
    assert post(hooks, "/_test/clock", {"advance": control.routes.MAX_ADVANCE}).status_code == 200
    one_line_error(post(hooks, "/_test/clock", {"advance": 1}))
    one_line_error(post(hooks, "/_test/clock", {"advance": 1, "username": "alice"}))
    assert clock.offset == control.routes.MAX_ADVANCE and clock.user_offsets == {}


def test_after_the_largest_advance_every_page_still_answers(app, hooks, clock):
    post(hooks, "/_test/clock", {"advance": control.routes.MAX_ADVANCE})
    visitor = Visitor(app.test_client(), clock)
    visitor.log_in("alice")
    for path in ("/", "/portal/", "/portal/messages", "/portal/audit", "/classic/"):
        assert visitor.get(path).status_code == 200, path


def test_a_refused_reset_changes_nothing(hooks, conn):
    before = conn.execute("SELECT username FROM users ORDER BY username").fetchall()
    one_line_error(post(hooks, "/_test/reset", {"users": [{"username": "x"}]}))
    assert conn.execute("SELECT username FROM users ORDER BY username").fetchall() == before
