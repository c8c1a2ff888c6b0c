"""A real `slskit serve` whose database is on a small tmpfs of its own in a private mount namespace:
filled, or its files made immutable from outside through /proc/PID/root, while it serves. Writes
get 503 with Retry-After in the user's language, reads go on, nothing is half-written, and once the
disk is writable again logins work without a restart."""

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import closing

import pyotp
import pytest

from flows.live import LivePortal
from flows.portal_http import HttpVisitor
from flows.users import new_user_entry
from mock_portal import i18n


CANNOT_STORE = {lang: i18n.CATALOGS[lang]["error.cannot_store"] for lang in i18n.LANGS}
BOUND_SECONDS = 5  # a refusal comes at once, never after a wait

def namespace():
    """How to enter a private mount namespace here, or a skip saying why there is none."""
    command = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "--user", "--map-root-user", "-m"]
    if shutil.which("unshare") is None or subprocess.run(
            [*command, "true"], capture_output=True).returncode != 0:
        pytest.skip("no private mount namespace can be made here (unshare -m refused): "
                    "no small filesystem of the test's own to fill")
    return command


@pytest.fixture
def confined(tmp_path):
    """A test server whose --db folder is an 8 MB tmpfs only it sees; yields (portal, folder as
    the test reaches it through /proc/PID/root)."""
    folder = tmp_path / "data"
    folder.mkdir()
    portal = LivePortal(str(folder / "portal.sqlite"), test_hooks=True)
    portal.command = [*namespace(), "sh", "-c", f'mount -t tmpfs -o size=8m slskit-test "{folder}" && exec "$0" "$@"',
                      *portal.command]
    with portal:
        yield portal, f"/proc/{portal.process.pid}/root{folder}"


def ask(portal, path, data=None, headers=None):
    """(status, headers, body, seconds) of one request."""
    request = urllib.request.Request(portal.base_url + path, data=data, headers=headers or {},
                                     method="POST" if data is not None else "GET")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as e:
        answer = e.code, e.headers, e.read().decode()
    return (*answer, time.monotonic() - started)


def logged_in_visitor(portal):
    """A fresh user, logged in over HTTP (the login writes: a session, the code's step)."""
    entry = new_user_entry("ja")
    portal.add_users([entry])
    visitor = HttpVisitor(portal.base_url)
    visitor.log_in(entry["username"], entry["password"], pyotp.TOTP(entry["devices"][0]["totp_secret"]).now(), "ja")
    return visitor


def fill(path):
    """Write `path` until the filesystem has not one byte left."""
    with open(path, "wb", buffering=0) as f:
        for size in (1 << 20, 1 << 12, 1):
            try:
                while f.write(b"\0" * size):
                    pass
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise


def integrity(database):
    with closing(sqlite3.connect(database, timeout=10)) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def expect_refused_but_readable(portal, visitor):
    """What the portal answers while it cannot store: 503s at once, the logged-in page still shown."""
    status, headers, body, seconds = ask(portal, "/sso/login?lang=en")
    assert (status, headers["Retry-After"]) == (503, "60") and CANNOT_STORE["en"] in body
    assert seconds < BOUND_SECONDS
    status, headers, body, seconds = ask(portal, "/_test/users", json.dumps({"users": [new_user_entry("en")]}).encode(),
                                         {"Content-Type": "application/json"})
    assert status == 503 and json.loads(body)["error"] == CANNOT_STORE["en"] and seconds < BOUND_SECONDS
    status, _ = visitor.get("/portal/settings/secure-login")
    assert status == 200  # a read needs no write
    status, body = visitor.post("/portal/settings/secure-login", {"choice": "always_use_device"})
    assert status == 503 and CANNOT_STORE["ja"] in body
    assert all(seconds < BOUND_SECONDS for *_, seconds in visitor.statuses)


def test_a_full_disk_refuses_writes_keeps_reads_and_recovers_without_a_restart(confined):
    portal, folder = confined
    visitor = logged_in_visitor(portal)
    database = os.path.join(folder, "portal.sqlite")
    with closing(sqlite3.connect(database, timeout=10)) as conn:  # an empty WAL: every write needs new space
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    fill(os.path.join(folder, "filler"))
    expect_refused_but_readable(portal, visitor)
    os.remove(os.path.join(folder, "filler"))
    logged_in_visitor(portal)  # logins work again, on the same server
    assert integrity(database) == "ok"
    assert portal.process.poll() is None  # the same server all along


def test_a_database_made_read_only_while_serving_refuses_writes_and_recovers(confined):
    portal, folder = confined
    visitor = logged_in_visitor(portal)
    database = os.path.join(folder, "portal.sqlite")
    files = [database + suffix for suffix in ("", "-wal", "-shm") if os.path.exists(database + suffix)]
    # Immutable: no write goes through, not even root's on files already open. (A remount
    # read-only is refused while the server holds them open for writing; chmod does not stop root.)
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", *files], capture_output=True).returncode:
        pytest.skip("chattr +i is refused here (no CAP_LINUX_IMMUTABLE, or a tmpfs without file flags)")
    try:
        expect_refused_but_readable(portal, visitor)
    finally:
        subprocess.run(["chattr", "-i", *files], check=True, capture_output=True)
    logged_in_visitor(portal)  # logins work again, on the same server
    assert integrity(database) == "ok"
    assert portal.process.poll() is None
