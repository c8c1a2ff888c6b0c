"""What has expired leaves the database (mock_portal/housekeeping.py): sessions, confirmations,
challenges and texts; anonymous page views cannot grow it without bound."""
from contextlib import closing

import pytest

from mock_portal import db, housekeeping, scenario
from portal_client import Visitor


TABLES = ("sessions", "confirmations", "challenges", "sms_outbox", "login_failures", "lockouts")
SMS_USER = {"username": "sam", "password": "sam pass 6", "account_id": "U3000002", "primary": True,
            "locale": "en", "sls_opted_out": True, "devices": [{"type": "sms", "phone": "+81 90-1234-5678"}]}


def counts(conn):
    return {table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in TABLES}


@pytest.fixture
def busy(app, clock, conn):
    """A portal after a busy hour: 30 anonymous login-page views, logins, a confirmation, texts,
    failed logins and a lock."""
    with closing(db.connect(app.config["DATABASE"])) as c:
        scenario.add_users(c, [SMS_USER], app.config["PASSWORD_HASH_METHOD"])
    for _ in range(30):
        Visitor(app.test_client(), clock).get("/sso/login")
    alice = Visitor(app.test_client(), clock)
    alice.log_in("alice")
    alice.open_confirmation()
    sam = Visitor(app.test_client(), clock)
    sam.submit_password("sam", SMS_USER["password"])
    sam.post("/sso/login/code/resend")
    guesser = Visitor(app.test_client(), clock)
    for _ in range(app.config["LOCKOUT_MAX_FAILURES"]):
        guesser.submit_password("nobody", "wrong")
    return counts(conn)


def test_everything_expired_is_pruned_once_the_clock_has_moved_past_it(app, clock, conn, busy):
    assert busy["sessions"] > 30 and all(busy[t] > 0 for t in TABLES), busy
    clock.advance(app.config["LOCKOUT_WINDOW_SECONDS"] + app.config["LOCKOUT_SECONDS"]
                  + housekeeping.KEPT_SECONDS + 60)
    Visitor(app.test_client(), clock).get("/")  # any request prunes
    assert counts(conn) == dict.fromkeys(TABLES, 0)


def test_anonymous_sessions_go_once_idle_and_logins_stay_a_while_to_be_told(app, clock, conn, busy):
    clock.advance(app.config["SESSION_IDLE_SECONDS"] + housekeeping.PRUNE_EVERY + 1)
    alice_back = Visitor(app.test_client(), clock)
    alice_back.get("/")
    remaining = conn.execute("SELECT username, pending_user FROM sessions").fetchall()
    assert sorted(r["username"] or r["pending_user"] for r in remaining) == ["alice", "sam"]


def test_a_user_whose_session_expired_is_still_told_so(app, clock, visitor):
    visitor.log_in("alice")
    clock.advance(app.config["SESSION_IDLE_SECONDS"] + housekeeping.PRUNE_EVERY + 1)
    Visitor(app.test_client(), clock).get("/")  # a pruning ran meanwhile
    response = visitor.get("/portal/")
    assert response.status_code == 302 and "notice=session_expired" in response.headers["Location"]


def test_a_flood_of_anonymous_page_views_keeps_the_newest_only(app, clock, conn):
    app.config["ANONYMOUS_SESSIONS_MAX"] = 10
    visitors = [Visitor(app.test_client(), clock) for _ in range(30)]
    for v in visitors:
        clock.advance(1)
        v.get("/sso/login")
    assert conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 10
    # The newest visitor's form still works: its session is one of those kept.
    newest = visitors[-1]
    response = newest.post("/sso/login", {"username": "alice", "password": "alice pass 1"})
    assert response.status_code == 303


def test_pruning_runs_at_most_once_a_minute(app, clock, conn, monkeypatch):
    calls = []
    real = housekeeping.prune
    monkeypatch.setattr(housekeeping, "prune", lambda *a: calls.append(a) or real(*a))
    client = app.test_client()
    for _ in range(5):
        client.get("/")
    clock.advance(housekeeping.PRUNE_EVERY)
    client.get("/")
    assert len(calls) == 2
