"""A real `slskit serve` in its own process on a free loopback port, as other teams run it.

    with LivePortal(db_path, test_hooks=True) as portal:
        portal.reset({"users": [...]})
        page.goto(portal.url("/"))

A server in another process cannot see a test's monkeypatches: state and clock are reset over
HTTP through the test-only hooks, which this class turns on explicitly.
"""
import json
import os
import re
import selectors
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

READY = re.compile(r"Serving on (http://\S+)")


class PortalError(RuntimeError):
    pass


class PortalClient:
    """The test-only hooks of a running portal, over HTTP."""

    def __init__(self, base_url):
        self.base_url = base_url.rstrip("/")

    def url(self, path="/"):
        return self.base_url + path

    def _call(self, method, path, payload=None):
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(self.url(path), data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as e:
            body = e.read().decode(errors="replace")
            if e.code == 404 and path.startswith("/_test/") and method == "POST":
                raise PortalError(f"{self.base_url} has no test hooks; start it with "
                                  "`slskit serve --enable-test-hooks` to let tests reset it") from None
            raise PortalError(f"{method} {path} answered {e.code}: {body[:300]}") from None

    def reset(self, scenario):
        """Replace all state with `scenario` (a dict with a 'users' list)."""
        return self._call("POST", "/_test/reset", scenario)

    def add_users(self, users):
        return self._call("POST", "/_test/users", {"users": users})

    def advance_clock(self, seconds):
        return self._call("POST", "/_test/clock", {"advance": seconds})

    def user_state(self, username):
        return self._call("GET", f"/_test/users/{username}")


class LivePortal(PortalClient):
    """Start `slskit serve --port 0` and wait for its `Serving on` line."""

    def __init__(self, database, scenario_path=None, test_hooks=True, host="127.0.0.1",
                 startup_timeout=30, extra_args=()):
        self.database, self.scenario_path = database, scenario_path
        self.command = [sys.executable, "-m", "flows.cli", "serve", "--host", host, "--port", "0",
                        "--db", database, *extra_args]
        if scenario_path:
            self.command += ["--scenario", scenario_path]
        if test_hooks:  # a test server: resettable, and no scrypt cost on every user and login
            self.command += ["--enable-test-hooks", "--fast-password-hash"]
        self.startup_timeout = startup_timeout
        self.process = None
        super().__init__("")

    def start(self):
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        # The server's log goes to a file beside its database: an unread pipe could fill and stall it.
        self.log_path = self.database + ".log"
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=log,
                                            text=True, env=env)
        self.base_url = self._wait_ready()
        return self

    def _wait_ready(self):
        deadline = time.monotonic() + self.startup_timeout
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=deadline - time.monotonic()):
                break
            line = self.process.stdout.readline()
            if not line:  # the process ended before it was ready
                with open(self.log_path, encoding="utf-8", errors="replace") as log:
                    err = log.read().strip()
                raise PortalError(f"slskit serve exited with {self.process.wait()}: {err}")
            match = READY.search(line)
            if match:
                return match.group(1).rstrip("/")
        self.stop()
        raise PortalError(f"slskit serve printed no 'Serving on' line within {self.startup_timeout} s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process:
            self.process.stdout.close()
        return self.process.returncode if self.process else None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
