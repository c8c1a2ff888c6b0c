"""Many open connections on a real `slskit serve`, and a new visitor's login beside them.

Loopback only, bounded in count and time: `Crowd` opens `idle` keep-alive connections (one
request answered each, then silent, as a browser keeps them), `half_open` requests whose headers
never end (a slow or stuck client) and `silent` connections that send nothing (a preconnect; over
TLS, no ClientHello); `timed_login` then logs a fresh user in (password and code) and times it.
Used by tests/served/test_connections.py (a few hundred) and `python -m bench.connections` (thousands).
"""
import resource
import selectors
import socket
import ssl
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pyotp

from ..portal_http import HttpVisitor

IDLE_REQUEST = "GET /static/portal.css HTTP/1.1\r\nHost: {host}\r\n\r\n"
# Headers without their blank line: the server waits for the rest, which never comes.
HALF_OPEN_REQUEST = ("POST /sso/login HTTP/1.1\r\nHost: {host}\r\n"
                     "Content-Type: application/x-www-form-urlencoded\r\n")


def raise_open_files(needed):
    """Lift this process's soft limit on open files towards `needed` (at most the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Crowd:
    """The held connections; `close()` (or the with-block's end) closes every one."""

    def __init__(self, base_url, ssl_context=None, connect_timeout=10):
        parts = urlsplit(base_url)
        self.address, self.host = (parts.hostname, parts.port), parts.netloc
        if parts.hostname not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError(f"loopback only, not {parts.hostname}")
        self.ssl_context = ssl_context if parts.scheme == "https" else None
        self.connect_timeout = connect_timeout
        self.sockets = {"idle": [], "half_open": [], "silent": []}
        self.failed = {"idle": 0, "half_open": 0, "silent": 0}  # could not even connect (or handshake)
        self.answered_idle = 0

    def _connect(self, kind, first_bytes):
        try:
            sock = socket.create_connection(self.address, timeout=self.connect_timeout)
            if self.ssl_context and kind != "silent":
                sock = self.ssl_context.wrap_socket(sock, server_hostname="localhost")
            if first_bytes:
                sock.sendall(first_bytes.format(host=self.host).encode())
            return sock
        except (OSError, ssl.SSLError):
            return None

    def open(self, kind, count, workers=16, deadline_seconds=60):
        """Open `count` connections of `kind` ('idle', 'half_open', 'silent'), a few at a time."""
        first = {"idle": IDLE_REQUEST, "half_open": HALF_OPEN_REQUEST, "silent": ""}[kind]
        deadline = time.monotonic() + deadline_seconds
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(lambda: None if time.monotonic() > deadline else self._connect(kind, first))
                       for _ in range(count)]
            for future in futures:
                sock = future.result()
                if sock is None:
                    self.failed[kind] += 1
                else:
                    self.sockets[kind].append(sock)
        if kind == "idle":
            # An answer comes within a second or never (a server that stopped accepting): 15 s bounds it.
            self.answered_idle += _read_answers(self.sockets["idle"], min(15.0, deadline - time.monotonic()))
        return self

    def still_open(self, kind, wait=0.0):
        """How many of `kind` the server has not closed (after waiting up to `wait` seconds for it to)."""
        return len(self.sockets[kind]) - _count_closed(self.sockets[kind], wait)

    def close(self):
        for socks in self.sockets.values():
            for sock in socks:
                sock.close()
            socks.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _read_answers(socks, seconds):
    """Read each idle connection's answer (a response head with its body) within `seconds`;
    the connections stay open. Returns how many were answered."""
    selector = selectors.DefaultSelector()
    pending = {}
    for sock in socks:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
        pending[sock] = b""
    answered, deadline = 0, time.monotonic() + max(0.0, seconds)
    while pending and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=max(0.0, deadline - time.monotonic())):
            sock = key.fileobj
            try:
                chunk = sock.recv(65536)
                while chunk and isinstance(sock, ssl.SSLSocket) and sock.pending():
                    chunk += sock.recv(65536)  # TLS records already decrypted: select() cannot see them
            except (ssl.SSLWantReadError, BlockingIOError):
                continue
            except OSError:
                chunk = b""
            pending[sock] += chunk
            if not chunk or _complete(pending[sock]):
                answered += bool(chunk)
                selector.unregister(sock)
                del pending[sock]
    selector.close()
    for sock in socks:
        sock.setblocking(True)
    return answered


def _complete(data):
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return True


def _count_closed(socks, wait):
    """Connections the server closed: readable with nothing (or a reset), within `wait` seconds."""
    selector = selectors.DefaultSelector()
    for sock in socks:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
    closed, deadline = set(), time.monotonic() + wait
    while True:
        for key, _ in selector.select(timeout=max(0.0, deadline - time.monotonic())):
            sock = key.fileobj
            try:
                data = sock.recv(65536)
            except (ssl.SSLWantReadError, BlockingIOError):
                continue
            except OSError:
                data = b""
            if not data:
                closed.add(sock)
                selector.unregister(sock)
        if len(closed) == len(socks) or time.monotonic() >= deadline:
            break
    selector.close()
    for sock in socks:
        sock.setblocking(True)
    return len(closed)


def timed_login(base_url, entry, timeout, ssl_context=None):
    """A new visitor's whole login (home, login page, password, code): (seconds, error or None)."""
    visitor = HttpVisitor(base_url, timeout=timeout, ssl_context=ssl_context)
    started = time.perf_counter()
    try:
        visitor.log_in(entry["username"], entry["password"],
                       pyotp.TOTP(entry["devices"][0]["totp_secret"]).now(), entry["locale"])
        error = None
    except Exception as e:  # a timeout is the finding, not a crash of the measurement
        error = f"{type(e).__name__}: {e}"[:200]
    return time.perf_counter() - started, error


def summary(seconds):
    """Median and max in ms of what completed."""
    if not seconds:
        return {"n": 0}
    return {"n": len(seconds), "median_ms": round(statistics.median(seconds) * 1000, 1),
            "max_ms": round(max(seconds) * 1000, 1)}
