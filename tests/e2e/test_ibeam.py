"""IBeam (Voyz/ibeam), the login automation IBKR users already run, logs in to the mock with
its own LoginHandler and PyOTP handler, unmodified, at its default gateway route and targets.

IBeam pins packages that clash with this project's (Pillow 9.5, selenium 4.12), so it lives in
its own environment: `python -m venv .venv-ibeam && .venv-ibeam/bin/pip install ibeam`
(or set SLSKIT_IBEAM_PYTHON to an interpreter that has it). It drives the system Chromium
through /usr/bin/chromedriver under a virtual display (Xvfb), as it does in its container."""
import fcntl
import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

import socket_bridge
from setup_skips import SETUP_MISSING


TESTS = Path(__file__).resolve().parents[1]  # IBeam's script; the repository above it
IBEAM_PYTHON = os.environ.get("SLSKIT_IBEAM_PYTHON", str(TESTS.parent / ".venv-ibeam" / "bin" / "python"))
CHROMEDRIVER = "/usr/bin/chromedriver"
IBEAM_LOCK = Path(tempfile.gettempdir()) / "slskit-ibeam.lock"


def ibeam_available():
    if not os.path.exists(IBEAM_PYTHON) or not shutil.which("Xvfb"):
        return SETUP_MISSING + f"IBeam needs its environment at {IBEAM_PYTHON} and Xvfb (scripts/setup.sh installs both)"
    if not os.path.exists(CHROMEDRIVER):
        # The setup installs chromium-driver where the distribution has one (Debian), not Ubuntu's snap.
        return "IBeam needs /usr/bin/chromedriver, which this distribution does not package usably"
    return None


def needs_ibeam():
    """Skip the test unless IBeam can run here (ibeam_available's reason)."""
    reason = ibeam_available()
    if reason:
        pytest.skip(reason)


@functools.cache
def private_network():
    """The command prefix that gives IBeam a network namespace of its own, where its Chrome takes
    port 9222 without meeting another run's: `unshare --net` as root (CI here), a user namespace
    where the system allows one; None elsewhere (e.g. GitHub's ubuntu-24.04, which restricts user
    namespaces): then runs take turns."""
    if not shutil.which("unshare"):
        return None
    prefix = ["unshare", "--net"] if os.geteuid() == 0 else ["unshare", "--user", "--map-root-user", "--net"]
    works = subprocess.run([*prefix, "true"], capture_output=True).returncode == 0
    return prefix if works else None


@contextmanager
def bridge_from(directory, base_url):
    """A Unix socket file that leads to the portal: what IBeam's namespace connects to."""
    path = Path(directory) / "portal.sock"
    address = (base_url.split("//")[1].split(":")[0], int(base_url.rsplit(":", 1)[1].split("/")[0]))
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.listen()
    socket_bridge.serve(listener, lambda: socket.create_connection(address))
    try:
        yield path
    finally:
        listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        listener.close()


@contextmanager
def one_at_a_time():
    # Without a namespace, two runs at once (xdist workers) would drive each other's browser on
    # port 9222: a lock shared by every process on this machine.
    with open(IBEAM_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def run_ibeam(portal, tmp_path, user, password=None, **extra):
    env = {**os.environ, "IBEAM_GATEWAY_BASE_URL": portal.base_url, "IBEAM_ACCOUNT": user.username,
           "IBEAM_PASSWORD": password or user.password, "IBEAM_TWO_FA_HANDLER": "PYOTP",
           "IBEAM_PYOTP_SECRET": user.entry["devices"][0]["totp_secret"],
           "IBEAM_CHROME_DRIVER_PATH": CHROMEDRIVER, "IBEAM_OUTPUTS_DIR": str(tmp_path),
           "IBEAM_INPUTS_DIR": str(tmp_path), "IBEAM_LOG_TO_FILE": "False",
           # Its defaults wait 5-30 s before each submit against a real site's races; the mock has none.
           "IBEAM_MIN_PRESUBMIT_BUFFER": "0",
           # ... and up to 8 s for a fresh code near a step's end; the mock, like the real site,
           # accepts the previous step's code.
           "IBEAM_PYOTP_EXPIRY_BUFFER_SECONDS": "0", **extra}
    env.pop("PYTHONPATH", None)
    # IBeam puts its Chrome profile in the temp dir under a fixed name: one dir a run. A short
    # one, since Chrome's socket path must fit in 108 bytes (xdist's tmp_path does not).
    profile_tmp = tempfile.mkdtemp(prefix="ibeam-")
    env["TMPDIR"] = profile_tmp
    command = [IBEAM_PYTHON, str(TESTS / "ibeam_login.py")]
    namespace = private_network()
    try:
        with (bridge_from(profile_tmp, portal.base_url) if namespace else one_at_a_time()) as portal_socket:
            if namespace:
                env["SLSKIT_PORTAL_SOCKET"] = str(portal_socket)
                command = namespace + command
            run = subprocess.Popen(command, env=env, cwd=tmp_path, text=True, start_new_session=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            try:
                stdout, stderr = run.communicate(timeout=240)
            finally:
                # Whatever IBeam left in its process group (a Chrome, chromedriver) goes with it,
                # whether it ended or timed out.
                try:
                    os.killpg(run.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                if run.returncode is None:
                    run.communicate()
    finally:
        shutil.rmtree(profile_tmp, ignore_errors=True)
    assert run.returncode == 0, stderr[-3000:]
    return json.loads(stdout.strip().splitlines()[-1]), stderr


@pytest.fixture
def ibeam(portal, tmp_path):
    needs_ibeam()
    return lambda user, **kw: run_ibeam(portal, tmp_path, user, **kw)


def test_ibeam_logs_in_with_its_pyotp_handler(ibeam, portal, portal_user):
    user = portal_user(locale="en")
    outcome, log = ibeam(user)
    assert outcome == {"success": True, "shutdown": False, "failed_attempts": 0}, log[-3000:]
    assert 'Webpage displayed "Client login succeeds"' in log
    events = [row["outcome"] for row in portal.user_state(user.username)["audit"]]
    assert events == []  # a login changes no setting


def test_ibeam_sees_the_error_it_knows_and_counts_the_failure(ibeam, portal_user):
    user = portal_user(locale="en")
    outcome, log = ibeam(user, password="wrong password", IBEAM_MAX_IMMEDIATE_ATTEMPTS="1")
    assert outcome["success"] is False and outcome["failed_attempts"] == 1, log[-3000:]
    assert "Error displayed by the login webpage: Invalid username password combination" in log
