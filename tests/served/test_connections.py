"""Every request bounded: many open connections do not stop a new visitor's login, a
client that never finishes its request is dropped, and a log nobody reads stalls no request.
A real `slskit serve` on loopback, a few hundred connections, each test bounded in time; the
thousands are `python -m bench.connections` (bench/results/connections.md).
"""
import re
import subprocess
import sys
import time

import pytest

from flows.live import KIT_HOME, LivePortal
from flows.load import connections
from flows.portal_http import HttpVisitor
from flows.users import new_user_entry


IDLE, HALF_OPEN = 300, 100  # three times waitress's default limit of 100 connections


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_login_completes_beside_hundreds_of_idle_and_half_open_connections(tmp_path, scheme):
    connections.raise_open_files(IDLE + HALF_OPEN + 256)
    extra = ["--request-timeout", "1"] + (["--tls"] if scheme == "https" else [])
    with LivePortal(str(tmp_path / "portal.sqlite"), extra_args=extra) as portal:
        entry = new_user_entry("en")
        portal.add_users([entry])
        context = portal.ssl_context if portal.ca_file else None
        with connections.Crowd(portal.base_url, context) as crowd:
            crowd.open("idle", IDLE).open("half_open", HALF_OPEN)
            assert crowd.failed == {"idle": 0, "half_open": 0, "silent": 0}
            seconds, error = connections.timed_login(portal.base_url, entry, timeout=10, ssl_context=context)
            assert error is None and seconds < 3, (seconds, error)
            # A client that has not finished its request within --request-timeout is dropped.
            assert crowd.still_open("half_open", wait=8) == 0
            assert crowd.still_open("idle") == IDLE and crowd.answered_idle == IDLE


def test_a_log_nobody_reads_stalls_no_request(tmp_path):
    """The reported case: a logged-out client posting to the Secure Login screen again and again
    got one request unanswered after ~300 refusals, when the server's stderr (a pipe nobody
    read) filled at 64 KB with their log lines; the log now never blocks a request."""
    server = subprocess.Popen([sys.executable, "-m", "flows.cli", "serve", "--port", "0", "--db",
                               str(tmp_path / "portal.sqlite"), "--fast-password-hash"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=KIT_HOME)
    try:
        base_url = re.search(r"Serving on (\S+)", server.stdout.readline().decode()).group(1)
        visitor = HttpVisitor(base_url, timeout=5)
        visitor.get("/sso/login")
        deadline = time.monotonic() + 60
        for _ in range(600):  # ~200 bytes of log each: twice what a pipe holds
            visitor.post("/portal/settings/secure-login", {"choice": "always_use_device"})
            assert time.monotonic() < deadline
        assert max(seconds for *_, seconds in visitor.statuses) < 5
    finally:
        server.terminate()
        _, log = server.communicate(timeout=30)
    assert log.count(b'"access.refused"') >= 600  # every line still written once read


@pytest.mark.parametrize("args, problem", [
    (["--connection-limit", "0"], "--connection-limit 0 is outside 1-100000"),
    (["--idle-timeout", "-1"], "--idle-timeout -1 is outside (0, 86400] seconds"),
    (["--request-timeout", "0"], "--request-timeout 0 is outside (0, 3600] seconds"),
])
def test_a_limit_out_of_range_is_refused_in_one_line(tmp_path, args, problem):
    result = subprocess.run([sys.executable, "-m", "flows.cli", "serve", "--port", "0", "--db",
                             str(tmp_path / "portal.sqlite"), *args], capture_output=True, text=True,
                            cwd=KIT_HOME, timeout=60)
    assert result.returncode == 2 and problem in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "portal.sqlite").exists()


def test_a_slow_answer_is_not_cut_by_the_request_bound_of_the_request_pipelined_behind_it(tmp_path):
    """The request bound times a client sending its request, not the portal answering the one
    before it: a 1.5 s answer with the next request half sent behind it, under a 0.5 s bound."""
    import socket
    with LivePortal(str(tmp_path / "portal.sqlite"), extra_args=["--request-timeout", "0.5"]) as portal:
        host, port = portal.base_url.split("//")[1].split(":")
        with portal.inject(method="GET", path="/", fixedDelayMilliseconds=1500, count=1):
            with socket.create_connection((host, int(port)), timeout=10) as client:
                client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HT")  # the next one, half sent
                answer = b""
                while b"</html>" not in answer:
                    chunk = client.recv(65536)
                    assert chunk, f"closed after {len(answer)} bytes: {answer[:80]!r}"
                    answer += chunk
        assert answer.startswith(b"HTTP/1.1 200")
