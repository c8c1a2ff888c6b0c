"""When the database cannot store (mock_portal/storage.py): a lock held past the bounded wait, a
file that refuses writes. A request that needs to write gets 503 with Retry-After and one sentence
in the user's language (JSON for the test hooks, the gateway's API and today's login page), reads
go on, nothing is half-written. Every connection is made `query_only` here (SQLite then refuses
each write as it refuses one on a read-only file); a real server on a full or read-only disk:
tests/served/test_full_disk.py.
"""
import sqlite3
import time

import pytest

from flows.users import new_user_entry
from mock_portal import create_app, db, i18n, storage
from mock_portal.gateway import session as gateway_session
from portal_client import Visitor, opted_out, text


CANNOT_STORE = {lang: i18n.CATALOGS[lang]["error.cannot_store"] for lang in i18n.LANGS}
BOUND_SECONDS = 5  # a refusal comes at once, never after a wait


@pytest.fixture
def cannot_store(monkeypatch):
    """From now on every new database connection refuses writes (SQLITE_READONLY)."""
    def refuse_writes():
        real = db.connect

        def connect(path):
            conn = real(path)
            conn.execute("PRAGMA query_only = ON")
            return conn
        monkeypatch.setattr(db, "connect", connect)
    return refuse_writes


@pytest.mark.parametrize("username, lang", [("alice", "ja"), ("carol", "en")])
def test_a_change_gets_503_in_the_users_language_while_pages_still_open(visitor, conn, cannot_store,
                                                                        username, lang):
    visitor.log_in(username)
    audit_rows = conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    cannot_store()
    assert visitor.get("/portal/settings/secure-login").status_code == 200  # a read needs no write
    response = visitor.press_continue()
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert CANNOT_STORE[lang] in text(response) and f'lang="{lang}"' in text(response)
    assert opted_out(conn, username)
    assert conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == audit_rows


def test_a_new_visitors_login_page_says_so_and_todays_login_script_gets_json(app, clock, cannot_store):
    script = Visitor(app.test_client(), clock)
    script.get("/sso/login?lang=en")  # its anonymous session (the CSRF token) is stored before
    cannot_store()
    page = Visitor(app.test_client(), clock).get("/sso/login?lang=en")  # a new one needs a write
    assert page.status_code == 503 and CANNOT_STORE["en"] in text(page)
    answer = script.post("/sso/login", {"username": "carol", "password": "carol pass 3"},
                         headers={"Accept": "application/json"})
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "60"
    assert answer.get_json()["error"] == CANNOT_STORE["en"]


def test_the_test_hooks_and_the_gateway_api_answer_json(app, conn, clock, cannot_store):
    hooks = create_app({**app.config, "TEST_HOOKS": True}).test_client()
    gateway_app = create_app({**app.config, "GATEWAY": True})
    api = gateway_app.test_client(use_cookies=False)
    with gateway_app.app_context():  # a browser's login through the gateway left its session
        gateway_session.open_session(conn, "alice", "password+device", clock.now())
    cannot_store()
    added = hooks.post("/_test/users", json={"users": [new_user_entry("en")]})
    assert added.status_code == 503 and added.headers["Retry-After"] == "60"
    assert added.get_json() == {"error": CANNOT_STORE["en"], "reason": "read_only"}
    assert api.get("/v1/api/iserver/auth/status").status_code == 200  # its idle touch waits
    opened = api.post("/v1/api/iserver/auth/ssodh/init", json={})
    assert opened.status_code == 503 and opened.headers["Retry-After"] == "60"
    assert opened.get_json() == {"error": CANNOT_STORE["en"], "statusCode": 503}


def test_a_lock_held_past_the_wait_gets_503_busy_in_bounded_time(visitor, conn, monkeypatch):
    visitor.log_in("carol")
    monkeypatch.setattr(db, "LOCK_WAIT_SECONDS", 0.3)
    conn.execute("BEGIN IMMEDIATE")  # another writer holds the lock and does not let go
    try:
        started = time.monotonic()
        response = visitor.press_continue()
        waited = time.monotonic() - started
    finally:
        conn.execute("ROLLBACK")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert i18n.CATALOGS["en"]["error.busy"] in text(response)
    assert 0.3 <= waited < BOUND_SECONDS


@pytest.mark.parametrize("message, why", [("database or disk is full", "full"),
                                          ("attempt to write a readonly database", "read_only"),
                                          ("disk I/O error", "io_error"), ("database is locked", "busy"),
                                          ("no such table: x", None)])
def test_without_sqlite_error_codes_the_message_says_why(message, why):
    # Python 3.10's sqlite3 errors carry no sqlite_errorcode (the kit supports 3.10).
    error = sqlite3.OperationalError(message)
    assert getattr(error, "sqlite_errorcode", None) is None and storage.reason(error) == why
