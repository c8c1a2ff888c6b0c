"""The log never holds a password, a code, a secret or a session id; every answer's security
headers."""
import io
import json
import logging

import pytest

from portal_client import SECURE_LOGIN_SETTINGS, USERS, opted_out


@pytest.fixture
def log_lines():
    """Everything the portal's loggers write during the test."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    loggers = [logging.getLogger(), logging.getLogger("mock_portal.events"), logging.getLogger("mock_portal")]
    for logger in loggers:
        logger.addHandler(handler)
    yield lambda: stream.getvalue().splitlines()
    for logger in loggers:
        logger.removeHandler(handler)


def test_the_log_holds_no_password_code_secret_or_session_id(visitor, log_lines, conn):
    visitor.fail_password("alice")
    visitor.submit_password("alice")
    visitor.get("/sso/login/code")
    code = visitor.code("alice")
    visitor.post("/sso/login/code", {"code": "000000" if code != "000000" else "111111"})
    visitor.post("/sso/login/code", {"code": code})
    session_id = visitor.client.get_cookie("slskit_session").value
    cid = visitor.open_confirmation()
    visitor.post(f"{SECURE_LOGIN_SETTINGS}/confirm", {"confirmation": cid})
    assert not opted_out(conn, "alice")
    lines = log_lines()
    events = [json.loads(line) for line in lines]
    assert {"login.refused", "code.refused", "login.succeeded"} <= {e["event"] for e in events}
    assert all(e["ts"].endswith("Z") for e in events)  # UTC
    everything = "\n".join(lines)
    for secret in (USERS["alice"]["password"], "not the password", code, USERS["alice"]["devices"][0]["totp_secret"],
                   session_id, visitor.csrf, cid):
        assert secret not in everything


@pytest.mark.parametrize("path", ["/", "/sso/login", "/no-such-page"])
def test_every_answer_forbids_plugins_and_a_base_element(visitor, path):
    """The CSP: only the portal's own scripts and styles, no <object>/<embed>, no <base> to redirect
    relative links and form targets (today's login page's login.js is a same-origin script)."""
    policy = visitor.get(path).headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
