"""The one login holds up to attack: ten failures lock a username for 24 hours, known or not, and
a wrong username and a wrong password cost the same one hash check and say the same; the current
revision's other-username link is that same login (mock_portal/login/checks.py)."""
import re

from mock_portal import create_app
from mock_portal.login import checks
from portal_client import Visitor, text


DAY = 24 * 3600


# --- the lock ----------------------------------------------------------------------------------

def test_ten_failures_lock_the_username_even_for_the_right_password(visitor):
    assert "パスワードが正しくありません" in text(visitor.fail_password("alice", 9))
    tenth = visitor.fail_password("alice")
    assert tenth.status_code == 401 and "24時間ロックされています" in text(tenth)
    right = visitor.submit_password("alice")
    assert right.status_code == 401 and "24時間ロックされています" in text(right)


def test_nine_failures_do_not_lock(visitor):
    visitor.fail_password("alice", 9)
    assert visitor.submit_password("alice").status_code == 303


def test_the_lock_ends_after_24_hours(visitor, clock):
    visitor.fail_password("alice", 10)
    clock.advance(DAY - 60)
    assert visitor.submit_password("alice").status_code == 401
    clock.advance(120)
    assert visitor.submit_password("alice").status_code == 303


def test_failures_older_than_24_hours_do_not_count(visitor, clock):
    visitor.fail_password("alice", 9)
    clock.advance(DAY + 1)
    visitor.fail_password("alice")
    assert visitor.submit_password("alice").status_code == 303


def test_unknown_usernames_lock_the_same_way(visitor):
    responses = [visitor.fail_password("nobody") for _ in range(10)]
    known = [visitor.fail_password("alice") for _ in range(10)]
    # Same statuses and messages, failure by failure: the lock tells nothing about existence.
    assert [(r.status_code, "ロック" in text(r)) for r in responses] == \
        [(r.status_code, "ロック" in text(r)) for r in known]
    assert "ロック" in text(responses[-1]) and "ロック" not in text(responses[-2])


def test_the_count_survives_a_restart(app, clock, visitor):
    visitor.fail_password("alice", 10)
    restarted = Visitor(create_app(app.config).test_client(), clock)
    assert restarted.submit_password("alice").status_code == 401


def test_wrong_codes_count_towards_the_lock(visitor):
    for _ in range(10):
        visitor.submit_password("alice")
        visitor.get("/sso/login/code")
        assert visitor.post("/sso/login/code", {"code": "abcdef"}).status_code == 401
    response = visitor.submit_password("alice")
    assert response.status_code == 401 and "ロック" in text(response)


def test_a_successful_login_starts_the_count_afresh(visitor, other_visitor):
    visitor.fail_password("alice", 9)
    other_visitor.log_in("alice")
    visitor.fail_password("alice", 9)
    assert visitor.submit_password("alice").status_code == 303


# --- wrong username and wrong password look alike ----------------------------------------------

def test_unknown_user_and_wrong_password_pay_one_hash_check_each(visitor, monkeypatch):
    calls = []
    real = checks.check_password_hash
    monkeypatch.setattr(checks, "check_password_hash", lambda h, p: calls.append(h) or real(h, p))
    wrong = visitor.submit_password("alice", "not the password")
    unknown = visitor.submit_password("nobody", "not the password")
    assert len(calls) == 2 and calls[0] != calls[1]  # the stored hash, then the dummy one
    assert calls[1].split("$")[0] == calls[0].split("$")[0]  # same method and cost: same timing class
    assert wrong.status_code == unknown.status_code == 401
    error = re.compile(r'role="alert">([^<]+)<')
    assert error.search(text(wrong)).group(1) == error.search(text(unknown)).group(1)


