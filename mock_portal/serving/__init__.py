"""`slskit serve`: the portal behind waitress, a production WSGI server, on one SQLite file.

    startup.py      what is checked before anything is written, and the database's lock
    connections.py  how connections are held: waitress's limits, a request's time bound, TLS on its loop
    tls.py          the certificate of `--gateway` and `--tls`
"""
import errno
import os
import signal
import sys
from contextlib import closing

from .. import create_app, db, scenario
from . import connections
from .startup import (StartError, _refuse, check_address, check_certificate, check_database, check_hooks_key,
                      load_scenario, lock_database)

# For test servers: hashing cost is not what a test exercises, and scrypt (~125 ms a hash here)
# dominated logins and user set-up. The served default stays scrypt.
FAST_PASSWORD_HASH = "pbkdf2:sha256:1000"

__all__ = ["FAST_PASSWORD_HASH", "StartError", "build_app", "serve"]


def default_database():
    return os.path.join(os.getcwd(), "instance", "portal.sqlite")


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
    # SIGINT and SIGTERM end the server the way Ctrl-C does: close the socket, exit 0.
    raise KeyboardInterrupt


def serve(host="127.0.0.1", port=5000, database=None, scenario_path=None, test_hooks=False,
          extra_config=None, out=sys.stdout, https=False, tls_cert=None, tls_key=None, test_hooks_key=None,
          limits=connections.Limits()):
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
    with lock_database(database):
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
    """waitress (connections.py); with a (cert, key) `certificate`, speaking TLS only."""
    try:
        server = connections.create_server(app, host, port, limits, certificate=certificate)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise StartError(f"slskit serve: port {port} on {host} is already in use; "
                             "choose another with --port (or --port 0 for a free one)", 1) from None
        raise StartError(f"slskit serve: cannot listen on {host}:{port} ({e.strerror})", 1) from None
    shown = f"[{server.effective_host}]" if ":" in str(server.effective_host) else server.effective_host
    try:
        # Both signals are its own, however it was started: `nohup slskit serve ... &` starts it
        # with SIGINT ignored, which Python would otherwise leave ignored.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, _stop)
        if certificate:
            print(f"TLS certificate: {certificate[0]} ({about})", file=out, flush=True)
        scheme = "https" if certificate else "http"
        print(f"Serving on {scheme}://{shown}:{server.effective_port}", file=out, flush=True)
        server.run()  # waitress returns on KeyboardInterrupt (_stop)
    except KeyboardInterrupt:  # a signal that came before run()
        pass
    finally:
        server.close()
    return 0
