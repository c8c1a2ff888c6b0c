"""What `slskit serve` checks before it serves: it refuses what it cannot serve before anything is
written, in one line and a non-zero exit (2 for a bad argument or file, 1 for a port or database
another server holds): a port outside 0-65535, a host that does not resolve, a --db that is a
directory, not SQLite, damaged (a quick integrity check), read-only or in a read-only folder, a
bad scenario file, a --tls-cert/--tls-key pair that cannot serve TLS. One server per database
file: a lock beside it (FILE.lock, holding the server's pid) is held while it serves and removed
when it stops; one left by a server that did not stop is taken over, with one line saying so.
"""
import fcntl
import ipaddress
import os
import socket
import sqlite3
import sys
from contextlib import closing, contextmanager
from urllib.parse import quote

from .. import scenario


class StartError(Exception):
    """The server cannot start; the message is the one line to print, `code` the exit status."""

    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


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
    loopback, they need a key."""
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
        from . import tls  # cryptography (~55 ms) only where HTTPS is asked for
        if reason := tls.problem(cert_path, key_path):
            _refuse(reason)


@contextmanager
def lock_database(path):
    """Lock FILE.lock beside the database for as long as this process serves it, and remove it
    when the server stops: a second server on the same file is refused (the first keeps its
    sessions and state). A lock file left by a server that did not stop cleanly (its lock died
    with its process) is taken over, with one line saying so."""
    lock_path = path + ".lock"
    for _ in range(3):
        try:
            lock = open(lock_path, "a+")
        except OSError as e:
            _refuse(f"--db {path}: cannot open its lock file {lock_path} ({e.strerror})")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.seek(0)
            holder = lock.read().strip() or "unknown"
            lock.close()
            _refuse(f"--db {path} is already served by another slskit serve (pid {holder}); "
                    "stop it or choose another --db", 1)
        # A server stopping removes its file while holding the lock: the file this process
        # opened just before may be gone, and a lock on it would lock nothing.
        if _is_still(lock, lock_path):
            break
        lock.close()
    else:
        _refuse(f"--db {path}: its lock file {lock_path} keeps being replaced; is another slskit serve "
                "starting and stopping on it?", 1)
    lock.seek(0)
    left_by = lock.read().strip()
    if left_by:
        print(f"slskit serve: taking over {lock_path}, left by {_describe(left_by)}: "
              "that server did not stop cleanly", file=sys.stderr, flush=True)
    lock.seek(0)
    lock.truncate()
    lock.write(str(os.getpid()))
    lock.flush()
    try:
        yield lock
    finally:
        try:
            os.unlink(lock_path)  # before the lock goes: see _is_still
        except FileNotFoundError:
            pass
        lock.close()


def _is_still(lock, lock_path):
    """Whether `lock` (an open file) is still the file at `lock_path`."""
    try:
        return os.path.samestat(os.fstat(lock.fileno()), os.stat(lock_path))
    except FileNotFoundError:
        return False


def _describe(left_by):
    """The process a lock file names, as the takeover line says it."""
    if not left_by.isdigit():
        return f"an unreadable pid ({left_by[:40]!r})"
    try:
        os.kill(int(left_by), 0)
    except ProcessLookupError:
        return f"pid {left_by}, which is not running"
    except PermissionError:  # it exists, as another user's process
        pass
    return f"pid {left_by}, which no longer holds it"


def load_scenario(path):
    try:
        return scenario.load_file(path)
    except scenario.ScenarioError as e:
        raise StartError(f"slskit serve: bad scenario file {e}", 2) from None
