"""How `slskit serve` holds its connections: waitress, with limits a shared portal needs.

waitress reads each request whole on its one event loop before a worker thread sees it, so an
idle keep-alive connection or a request still arriving costs a socket, never one of the 8
threads (bench/results/connections.md). Its defaults do not fit a portal a team's browsers
share: at most 100 connections (the 101st visitor then waits for the 2-minute channel timeout),
select() (which fails above file descriptor 1024) and no bound on how long a client may take to
send a request. Here: `Limits.connections` held at once, poll(), the open-file limit raised to
match, and a client that has not finished its request within `Limits.request_seconds` of its
first byte is dropped. HTTPS is spoken on the same loop (`TlsChannel`), so the same holds there.
"""
import errno
import logging
import resource
import socket
import ssl
import sys
import time
from dataclasses import dataclass

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server as waitress_server

from ..events import NeverBlocks

SPARE_FILES = 64  # beside the connections: the database, its WAL and lock, the log, the listener


@dataclass(frozen=True)
class Limits:
    """The connection limits `slskit serve` takes (--connection-limit, --idle-timeout, --request-timeout)."""
    connections: int = 2000      # open at once; beyond it a new one waits in the listen backlog
    idle_seconds: float = 120    # a keep-alive connection silent this long is closed (waitress's own default)
    request_seconds: float = 10  # from a request's first byte to its last, else the client is dropped

    def problem(self):
        """Why these limits cannot serve, as the one line's words, or None."""
        if not 1 <= self.connections <= 100_000:
            return f"--connection-limit {self.connections} is outside 1-100000"
        if not 0 < self.idle_seconds <= 86_400:
            return f"--idle-timeout {self.idle_seconds:g} is outside (0, 86400] seconds"
        if not 0 < self.request_seconds <= 3_600:
            return f"--request-timeout {self.request_seconds:g} is outside (0, 3600] seconds"
        return None


def open_files_for(connections):
    """Raise this process's soft open-file limit so `connections` fit (at most to the hard
    limit, 1024 on many machines otherwise); returns how many connections fit under it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = connections + SPARE_FILES
    if soft != resource.RLIM_INFINITY and soft < want:
        soft = want if hard == resource.RLIM_INFINITY else min(want, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return connections if soft == resource.RLIM_INFINITY else min(connections, soft - SPARE_FILES)


class BoundedChannel(HTTPChannel):
    """waitress's connection, timing each request from its first byte; `readable()` runs on
    every turn of the event loop (at least once a second), where an overdue one is closed."""

    request_seconds = Limits.request_seconds
    request_started = None

    def received(self, data):
        before = self.request
        result = super().received(data)
        if self.request is None:
            self.request_started = None
        elif self.request is not before:  # a request began in this data (perhaps after one it completed)
            self.request_started = time.monotonic()
        return result

    def readable(self):
        if self.request_started is not None:
            if self.requests or self.total_outbufs_len:
                # Still answering earlier requests (waitress reads no more meanwhile): a pipelined
                # request's time starts once they are answered, not while a slow answer is sent.
                self.request_started = time.monotonic()
            elif time.monotonic() - self.request_started > self.request_seconds:
                self.will_close = True  # the loop closes it on its next turn (writable() says so)
                self.request_started = None
        return super().readable()


# What cheroot, the kit's first HTTPS server, answered to plain HTTP on the TLS port; clients know it.
PLAIN_HTTP_REFUSAL = b"The client sent a plain HTTP request, but this server only speaks HTTPS on this port."
PLAIN_HTTP_ANSWER = (b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(PLAIN_HTTP_REFUSAL), PLAIN_HTTP_REFUSAL))
HEAD_LIMIT = 65536


class TlsChannel(BoundedChannel):
    """A BoundedChannel speaking TLS on waitress's event loop: the handshake is read and written
    as the bytes come, so a client that stays silent, or stops half-way, holds a socket and never
    the loop or a thread (cheroot does the handshake on its accepting thread, cherrypy/cheroot#748).
    Until the handshake ends it counts as an unfinished request (dropped after request_seconds).
    The handshake moves on when the client's bytes arrive: the server's own flight (an ECDSA
    certificate, ~1 KB) goes out whole into any socket buffer, so it never waits to write.
    Plain HTTP is told apart by its first byte and answered with a clear 400."""

    context = None  # the server's ssl.SSLContext
    state = "new"   # new -> handshake -> tls; or plain (an HTTP request to refuse)
    plain = b""

    def __init__(self, server, sock, addr, adj, map=None):
        super().__init__(server, sock, addr, adj, map)
        self.request_started = time.monotonic()

    def handle_read(self):
        if self.state == "new":
            self._begin()
        if self.state == "plain":
            return self._refuse_plain_http()
        if self.state == "handshake":
            try:
                self.socket.do_handshake()
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                return
            except OSError:  # a failed or abandoned handshake: nothing to answer
                return self.handle_close()
            self.state, self.request_started = "tls", None
        if self.state == "tls":
            self._read_tls()

    def _begin(self):
        try:
            first = self.socket.recv(1, socket.MSG_PEEK)
        except BlockingIOError:
            return
        except OSError:
            first = b""
        if not first:
            self.handle_close()
        elif first.isalpha():  # a method (GET, POST, ...), never a TLS record's type
            self.state = "plain"
        else:
            self.socket = self.context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)
            self.state = "handshake"

    def _refuse_plain_http(self):
        """Read the request's head, then answer 400 and close: with nothing left unread, the client
        gets the answer, not a reset."""
        try:
            chunk = self.socket.recv(HEAD_LIMIT)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        self.plain += chunk
        if chunk and b"\r\n\r\n" not in self.plain and len(self.plain) < HEAD_LIMIT:
            return
        try:
            self.socket.send(PLAIN_HTTP_ANSWER)
        except OSError:
            pass
        self.handle_close()

    def _read_tls(self):
        try:
            data = self.socket.recv(self.adj.recv_bytes)
            while data and self.socket.pending():  # decrypted already: poll() cannot see it
                data += self.socket.recv(self.socket.pending())
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
            return
        except OSError:
            data = b""
        if data:
            self.last_activity = time.time()
            self.received(data)
        else:  # the client closed (or broke) the connection: as waitress does for plain HTTP
            self.connected = False
            self.will_close = True

    def send(self, data, do_close=True):
        try:
            return super().send(data, do_close)
        except (ssl.SSLWantWriteError, ssl.SSLWantReadError):
            return 0
        except ssl.SSLError:
            if do_close:
                self.handle_close()
            return 0


def _log_without_blocking():
    """waitress's own warnings (the connection limit reached, a queue of tasks) go out as the
    portal's log does: a stderr nobody reads must not stall its event loop."""
    log = logging.getLogger("waitress")
    if not log.handlers:
        handler = NeverBlocks(sys.stderr)
        handler.setFormatter(logging.Formatter("%(name)s %(levelname)s: %(message)s"))
        log.addHandler(handler)
        log.propagate = False


def tls_context(cert_path, key_path):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context


def create_server(app, host, port, limits=Limits(), threads=8, certificate=None):
    """waitress on (host, port) with `limits` (a port of 0: a free one); with a (cert, key)
    `certificate` it speaks HTTPS only."""
    connections = open_files_for(limits.connections)
    if connections < 1:  # a hard open-file limit too low for even one visitor beside the spares
        raise OSError(errno.EMFILE, f"the open-file limit leaves no room for a connection (ulimit -n, at least "
                                    f"{SPARE_FILES + 1})")
    _log_without_blocking()
    fields = {"request_seconds": limits.request_seconds}
    if certificate:
        fields["context"] = tls_context(*certificate)
    channel = type("BoundedChannel", (TlsChannel if certificate else BoundedChannel,), fields)
    server = waitress_server(app, host=host, port=port, threads=threads, ident="slskit",
                             url_scheme="https" if certificate else "http",
                             asyncore_use_poll=True, channel_timeout=limits.idle_seconds,
                             # maintenance (the idle timeout's check) runs this often
                             cleanup_interval=max(1, min(30, int(limits.idle_seconds // 4))))
    shared = getattr(server, "map", None) or server._map  # several listeners (a host with two addresses) share one
    for listener in [d for d in shared.values() if isinstance(d, BaseWSGIServer)]:
        listener.channel_class = channel
        # waitress counts its listeners and its wake-up pipe among the connections
        listener.adj.connection_limit = connections + len(shared)
    return server
