"""`slskit serve`: the portal behind waitress, a production WSGI server, on one SQLite file."""
import errno
import os
import signal
import sys
from contextlib import closing

from waitress.server import create_server

from . import create_app, db, scenario


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


def build_app(database, scenario_path=None, test_hooks=False, extra_config=None):
    """Validate the scenario before the database is touched, then build the app on it."""
    loaded = None
    if scenario_path:
        try:
            loaded = scenario.load_file(scenario_path)
        except scenario.ScenarioError as e:
            raise StartError(f"slskit serve: bad scenario file {e}", 2) from None
    config = {"DATABASE": os.path.abspath(database), "TEST_HOOKS": test_hooks,
              "SEED_DEMO": loaded is None, **(extra_config or {})}
    app = create_app(config)
    if loaded is not None:
        with closing(db.connect(app.config["DATABASE"])) as conn:
            scenario.replace(conn, loaded, app.config["PASSWORD_HASH_METHOD"])
    return app


def _stop(signum, frame):
    # SIGTERM ends the server the way Ctrl-C does: close the socket, exit 0.
    raise KeyboardInterrupt


def serve(host="127.0.0.1", port=5000, database=None, scenario_path=None, test_hooks=False,
          extra_config=None, out=sys.stdout):
    """Bind, print the one `Serving on` line, run until SIGINT/SIGTERM, return 0."""
    app = build_app(database or default_database(), scenario_path, test_hooks, extra_config)
    try:
        server = create_server(app, host=host, port=port, threads=8, ident="slskit")
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise StartError(f"slskit serve: port {port} on {host} is already in use; "
                             "choose another with --port (or --port 0 for a free one)", 1) from None
        raise StartError(f"slskit serve: cannot listen on {host}:{port} ({e.strerror})", 1) from None
    shown = f"[{server.effective_host}]" if ":" in str(server.effective_host) else server.effective_host
    try:
        signal.signal(signal.SIGTERM, _stop)
        print(f"Serving on http://{shown}:{server.effective_port}", file=out, flush=True)
        server.run()  # returns on KeyboardInterrupt (Ctrl-C, or SIGTERM through _stop)
    except KeyboardInterrupt:  # a signal that came before run() took over
        pass
    finally:
        server.close()
    return 0
