"""`slskit serve`: the portal behind waitress, a production WSGI server, on one SQLite file
(HTTPS too, on waitress's own event loop: mock_portal/serving.py; its certificate: mock_portal/tls.py).

It refuses what it cannot serve before anything is written, in one line and a non-zero exit
(2 for a bad argument or file, 1 for a port or database another server holds): a port outside
0-65535, a host that does not resolve, a --db that is a directory, not SQLite, damaged (a quick
integrity check), read-only or in a read-only folder, a bad scenario file, a --tls-cert/--tls-key
pair that cannot serve TLS. One server per database file: a lock beside it (FILE.lock, holding
the server's pid) is held while it serves.
"""
import errno
import fcntl
import ipaddress
import os
import signal
import socket
import sqlite3
import sys
from contextlib import closing
from urllib.parse import quote

from . import create_app, db, scenario, serving

# `tls` (cryptography: ~55 ms) is imported only where HTTPS is asked for: a plain
# server starts as fast as before.


class StartError(Exception):
    """The server cannot start; the message is the one line to print, `code` the exit status."""

    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


# For test servers: hashing cost is not what a test exercises, and scrypt (~125 ms a hash here)
# dominated logins and user set-up. The served default stays scrypt.
FAST_PASSWORD_HASH = "pbkdf2:sha256:1000"


def default_database():
    return os.path.join(os.getcwd(), "instance", "portal.sqlite")


def _refuse(message, code=2):
    raise StartError(f"slskit serve: {message}", code)


def check_address(host, port):
    """A port in 0-65535 (never wrapped around) and a host that resolves."""
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        _refuse(f"--port {port} is outside 0-65535 (0 picks a free port)")
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as e:
        _refuse(f"--host {host!r} does not resolve ({getattr(e, 'strerror', None) or e})")


def is_loopback(host, port):
    """Whether every address `host` resolves to is a loopback one (0.0.0.0 and :: are not)."""
    addresses = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    return all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses)


def check_hooks_key(host, port, test_hooks, key):
    """The test hooks can reset the portal and slow or break every visitor: served beyond
    loopback, they need a key (issue 21)."""
    if key is not None and not key.strip():
        _refuse("--test-hooks-key is empty")
    if key and not test_hooks:
        _refuse("--test-hooks-key without --enable-test-hooks: there are no hooks to lock")
    if test_hooks and not key and not is_loopback(host, port):
        _refuse(f"--enable-test-hooks on {host}, which is not loopback, needs --test-hooks-key KEY "
                "(or SLSKIT_TEST_HOOKS_KEY): anyone who reaches the port could reset the portal")


SQLITE_HEADER = b"SQLite format 3\x00"


def check_database(path):
    """Refuse, before anything is written, a --db that cannot hold the portal's state."""
    folder = os.path.dirname(path)
    if os.path.isdir(path):
        _refuse(f"--db {path} is a directory, not a database file")
    if os.path.exists(folder) and not os.path.isdir(folder):
        _refuse(f"--db {path}: {folder} is not a folder")
    if os.path.isdir(folder) and not os.access(folder, os.W_OK | os.X_OK):
        _refuse(f"--db {path}: its folder is read-only (the database writes its journal beside it)")
    if not os.path.exists(path):
        return
    if not os.access(path, os.R_OK | os.W_OK):
        _refuse(f"--db {path} is read-only")
    try:
        with open(path, "rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as e:
        _refuse(f"--db {path} cannot be read ({e.strerror})")
    if not header:
        return  # an empty file is an empty database
    if header != SQLITE_HEADER:
        _refuse(f"--db {path} is not an SQLite database")
    try:
        with closing(sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True)) as conn:
            problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
    except sqlite3.Error as e:
        problems = [str(e)]
    if problems != ["ok"]:
        _refuse(f"--db {path} is damaged ({problems[0]}); restore it or start with a new file")


def check_certificate(cert_path, key_path):
    """One's own --tls-cert and --tls-key: both or neither, a PEM pair that serves TLS today."""
    if (cert_path is None) != (key_path is None):
        _refuse("--tls-cert and --tls-key go together: give both, or neither for a self-signed one")
    if cert_path is not None:
        from . import tls
        if reason := tls.problem(cert_path, key_path):
            _refuse(reason)


def hold(path):
    """Lock FILE.lock beside the database for as long as this process serves it; the second
    server on the same file is refused (the first keeps its sessions and state)."""
    try:
        lock = open(path + ".lock", "a+")
    except OSError as e:
        _refuse(f"--db {path}: cannot open its lock file {path}.lock ({e.strerror})")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.seek(0)
        holder = lock.read().strip() or "unknown"
        lock.close()
        _refuse(f"--db {path} is already served by another slskit serve (pid {holder}); "
                "stop it or choose another --db", 1)
    lock.seek(0)
    lock.truncate()
    lock.write(str(os.getpid()))
    lock.flush()
    return lock


def load_scenario(path):
    try:
        return scenario.load_file(path)
    except scenario.ScenarioError as e:
        raise StartError(f"slskit serve: bad scenario file {e}", 2) from None


def build_app(database, scenario_path=None, test_hooks=False, extra_config=None):
    """Validate the scenario before the database is touched, then build the app on it and seed
    it, the one place that does (as flaskr's init-db): the scenario's users, or on a new, empty
    database the built-in demo scenario; an existing database without --scenario is left as it is."""
    loaded = load_scenario(scenario_path) if scenario_path else None
    app = create_app({"DATABASE": os.path.abspath(database), "TEST_HOOKS": test_hooks, **(extra_config or {})})
    with closing(db.connect(app.config["DATABASE"])) as conn:
        if loaded is None and db.is_empty(conn):
            loaded = scenario.demo()
        if loaded is not None:
            scenario.replace(conn, loaded, app.config["PASSWORD_HASH_METHOD"])
    return app


def _stop(signum, frame):
    # SIGTERM ends the server the way Ctrl-C does: close the socket, exit 0.
    raise KeyboardInterrupt


def serve(host="127.0.0.1", port=5000, database=None, scenario_path=None, test_hooks=False,
          extra_config=None, out=sys.stdout, https=False, tls_cert=None, tls_key=None, test_hooks_key=None,
          limits=serving.Limits()):
    """Bind, print the one `Serving on` line, run until SIGINT/SIGTERM, return 0. With `https`
    or one's own tls_cert and tls_key it speaks HTTPS only, and first prints where its
    certificate is (the kit's self-signed one is made beside the database and reused)."""
    database = os.path.abspath(database or default_database())
    tls_cert, tls_key = (os.path.abspath(p) if p else None for p in (tls_cert, tls_key))
    check_address(host, port)
    if reason := limits.problem():
        _refuse(reason)
    check_hooks_key(host, port, test_hooks, test_hooks_key)
    if test_hooks and test_hooks_key:
        extra_config = {**(extra_config or {}), "TEST_HOOKS_KEY": test_hooks_key}
    check_certificate(tls_cert, tls_key)
    check_database(database)
    try:
        os.makedirs(os.path.dirname(database), exist_ok=True)
    except OSError as e:
        _refuse(f"--db {database}: cannot create its folder ({e.strerror})")
    with hold(database):
        app = build_app(database, scenario_path, test_hooks, extra_config)
        db.keep_open(app)  # a full disk must not fail reads (mock_portal/storage.py)
        if tls_cert:
            return _serve(app, host, port, out, limits, (tls_cert, tls_key), "given with --tls-cert")
        if https:
            from . import tls
            try:
                certificate = tls.self_signed(os.path.dirname(database))
            except OSError as e:
                _refuse(f"--db {database}: cannot write its TLS certificate beside it ({e.strerror})")
            return _serve(app, host, port, out, limits, certificate, tls.SELF_SIGNED)
        return _serve(app, host, port, out, limits)


def _serve(app, host, port, out, limits, certificate=None, about=""):
    """waitress (mock_portal/serving.py); with a (cert, key) `certificate`, speaking TLS only."""
    try:
        server = serving.create_server(app, host, port, limits, certificate=certificate)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise StartError(f"slskit serve: port {port} on {host} is already in use; "
                             "choose another with --port (or --port 0 for a free one)", 1) from None
        raise StartError(f"slskit serve: cannot listen on {host}:{port} ({e.strerror})", 1) from None
    shown = f"[{server.effective_host}]" if ":" in str(server.effective_host) else server.effective_host
    try:
        signal.signal(signal.SIGTERM, _stop)
        if certificate:
            print(f"TLS certificate: {certificate[0]} ({about})", file=out, flush=True)
        scheme = "https" if certificate else "http"
        print(f"Serving on {scheme}://{shown}:{server.effective_port}", file=out, flush=True)
        server.run()  # waitress returns on KeyboardInterrupt (Ctrl-C, or SIGTERM through _stop)
    except KeyboardInterrupt:  # a signal that came before run()
        pass
    finally:
        server.close()
    return 0
