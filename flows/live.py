"""A real `slskit serve` in its own process on a free loopback port, as other teams run it.

    with LivePortal(db_path, test_hooks=True) as portal:
        portal.add_users([...])
        page.goto(portal.url("/"))

A server in another process cannot see a test's monkeypatches: users and clock are set over
HTTP through the test-only hooks (`flows.portal_http.TestHooks`), which this class turns on
explicitly. Over HTTPS (`extra_args=["--gateway"]` or `["--tls"]`) the certificate it printed is
`ca_file`, and the hooks trust it alone (`ssl_context`).
"""
import os
import re
import selectors
import signal
import ssl
import subprocess
import sys
import time

from .portal_http import PortalError, TestHooks

KIT_HOME = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the folder holding `flows`
READY = re.compile(r"Serving on (https?://\S+)")
CERTIFICATE = re.compile(r"^TLS certificate: (.+) \(")  # printed before READY when it speaks HTTPS


class LivePortal(TestHooks):
    """Start `slskit serve --port 0` and wait for its `Serving on` line."""

    def __init__(self, database, scenario_path=None, test_hooks=True, host="127.0.0.1",
                 startup_timeout=30, extra_args=(), fast_password_hash=None):
        database = os.path.abspath(database)
        scenario_path = os.path.abspath(scenario_path) if scenario_path else None
        self.database, self.scenario_path = database, scenario_path
        self.command = [sys.executable, "-m", "flows.cli", "serve", "--host", host, "--port", "0",
                        "--db", database, *extra_args]
        if scenario_path:
            self.command += ["--scenario", scenario_path]
        if test_hooks:  # a test server: resettable
            self.command += ["--enable-test-hooks"]
        # A test server, or a throwaway one (screenshots): no scrypt cost on every user and login.
        if test_hooks if fast_password_hash is None else fast_password_hash:
            self.command += ["--fast-password-hash"]
        self.startup_timeout = startup_timeout
        self.process = None
        super().__init__("")
        self.ca_file = None  # the certificate an https server printed, for clients to trust
        self.printed = []  # the lines it printed up to `Serving on` (the certificate, --gateway-conf's)

    def start(self):
        # `-m flows.cli` must not find a team's own `flows` in the working directory: the server
        # starts in the folder that holds the kit's `flows` (PYTHONSAFEPATH alone needs Python 3.11).
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONSAFEPATH": "1"}
        # The server's log goes to a file beside its database: an unread pipe could fill and stall it.
        self.log_path = self.database + ".log"
        with open(self.log_path, "ab") as log:
            # Unbuffered bytes: a buffered reader would take the certificate line and the ready
            # line in one read, and then wait on the pipe for a line it already holds.
            self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=log,
                                            bufsize=0, env=env, cwd=KIT_HOME)
        self.base_url = self._wait_ready()
        if self.ssl_context or self.key:  # the device emulators' hooks (hooks_of_page) trust it too
            TestHooks._known[self.base_url] = (self.key, self.ssl_context)
        return self

    def _wait_ready(self):
        deadline = time.monotonic() + self.startup_timeout
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=deadline - time.monotonic()):
                break
            line = self.process.stdout.readline().decode(errors="replace")
            if not line:  # the process ended before it was ready
                with open(self.log_path, encoding="utf-8", errors="replace") as log:
                    err = log.read().strip()
                raise PortalError(f"slskit serve exited with {self.process.wait()}: {err}")
            self.printed.append(line.rstrip("\n"))
            if match := CERTIFICATE.match(line):
                self.ca_file = match.group(1)
                self.ssl_context = ssl.create_default_context(cafile=self.ca_file)
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
