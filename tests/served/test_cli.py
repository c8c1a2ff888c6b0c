"""`slskit serve` and `slskit demo` as other teams and CI call them: real processes."""
import json
import os
import signal
import socket
import sqlite3

import pytest

from flows.live import LivePortal, PortalError
from mock_portal.serving import build_app
from portal_client import SCENARIO, USERS
from slskit_command import run


def write(path, data):
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_serve_prints_the_line_and_exits_0_on_sigterm(tmp_path):
    portal = LivePortal(str(tmp_path / "db.sqlite"), test_hooks=False).start()
    assert portal.base_url.startswith("http://127.0.0.1:")
    portal.process.send_signal(signal.SIGTERM)
    assert portal.process.wait(15) == 0
    portal.stop()


def test_serve_without_test_hooks_has_no_reset_route(tmp_path):
    with LivePortal(str(tmp_path / "db.sqlite"), test_hooks=False, fast_password_hash=True) as portal:
        with pytest.raises(PortalError, match="--enable-test-hooks"):
            portal.reset({"users": []})


def test_a_new_database_gets_the_demo_scenario(tmp_path):
    database = tmp_path / "db.sqlite"
    with LivePortal(str(database), test_hooks=True) as portal:
        assert portal.user_state("tanaka01")["sls_opted_out"] == 1


def test_scenario_replaces_all_users_and_state_survives_a_restart(tmp_path):
    database, scenario = str(tmp_path / "db.sqlite"), write(tmp_path / "s.json", SCENARIO)
    with LivePortal(database, scenario_path=scenario) as portal:
        assert portal.user_state("alice")["is_primary"] == 1
        with pytest.raises(PortalError, match="404"):
            portal.user_state("tanaka01")
    with sqlite3.connect(database) as conn:  # a change made while it was down must be kept as stored
        conn.execute("UPDATE users SET sls_opted_out = 0 WHERE username = 'alice'")
    with LivePortal(database) as portal:  # no --scenario: an existing database is left as it is
        assert portal.user_state("alice")["sls_opted_out"] == 0


@pytest.mark.parametrize("mutate, expected", [
    (lambda s: s["users"][0].update(colour="red"), "users[0]: unknown key 'colour'"),
    (lambda s: s["users"][1].update(locale="fr"), "users[1].locale: must be 'ja' or 'en'"),
    (lambda s: s["users"][2]["devices"][0].update(totp_secret="SHORT"), "users[2].devices[0].totp_secret"),
    (lambda s: s["users"][1].update(primary=True), "users[1].primary: account U1000001 already has"),
    (lambda s: s["users"][0].update(primary=False), "account U1000001 has no primary user"),
    (lambda s: s["users"][2]["devices"][0].update(type="carrier_pigeon"), "unknown device type 'carrier_pigeon'"),
    (lambda s: s["users"].append(dict(s["users"][0])), "users[3].username: 'alice' appears twice"),
])
def test_a_bad_scenario_stops_the_start_and_leaves_the_database_untouched(tmp_path, mutate, expected):
    database = tmp_path / "db.sqlite"
    build_app(str(database), write(tmp_path / "good.json", SCENARIO))  # a database in use, made in-process
    before = database.read_bytes()
    bad = json.loads(json.dumps(SCENARIO))
    mutate(bad)
    path = write(tmp_path / "bad.json", bad)
    result = run("serve", "--port", "0", "--db", str(database), "--scenario", path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and path in lines[0] and expected in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert database.read_bytes() == before


def test_a_scenario_that_is_not_json_names_the_file_and_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"users": [\n  {"username": }\n]}')
    result = run("serve", "--port", "0", "--db", str(tmp_path / "db.sqlite"), "--scenario", str(path))
    assert result.returncode == 2
    assert str(path) in result.stderr and "line 2" in result.stderr
    assert not (tmp_path / "db.sqlite").exists()


def test_a_port_in_use_is_one_clear_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port), "--db", str(tmp_path / "db.sqlite"))
    assert result.returncode == 1
    assert result.stderr.strip() == (f"slskit serve: port {port} on 127.0.0.1 is already in use; "
                                     "choose another with --port (or --port 0 for a free one)")


def test_headed_demo_without_a_display_says_how_to_get_one():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = run("demo", "--headed", env=env)
    assert result.returncode == 2
    assert "xvfb-run" in result.stderr and "Traceback" not in result.stderr


def test_demo_with_a_missing_explicit_browser_says_how_to_install_one(tmp_path):
    result = run("demo", "--browser-path", str(tmp_path / "no-such-chrome"))
    assert result.returncode == 2
    assert "is not an executable file" in result.stderr and "Traceback" not in result.stderr


def test_demo_with_a_browser_that_does_not_start_is_one_line_and_exit_1():
    result = run("demo", "--browser-path", "/bin/false")
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("slskit demo: /bin/false did not start: ") and result.stderr.count("\n") == 1, \
        result.stderr


@pytest.mark.parametrize("args, expected", [
    (["demo", "--base-url", "http://127.0.0.1:9", "--username", "u", "--password", "p", "--totp-secret", "not base32!"],
     "slskit demo: --totp-secret is not valid base32"),
    (["demo", "--username", "u", "--password", "p", "--totp-secret", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"],
     "slskit demo: --username needs --base-url"),
    (["demo", "--slow-mo", "-5"], "slskit demo: argument --slow-mo: must be 0 or more, not -5"),
    (["screenshots", "--out", "FILE"], "slskit screenshots: --out FILE is a file; give a folder"),
])
def test_a_rough_edge_is_one_line(tmp_path, args, expected):
    (tmp_path / "FILE").write_text("not a folder")
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(expected), result.stderr


def test_version_names_the_distribution():
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("slskit "), result.stderr


@pytest.mark.parametrize("login_page", ["seed", "current"])
def test_a_failing_demo_step_shows_the_pages_own_alert(tmp_path, login_page):
    with LivePortal(str(tmp_path / "db.sqlite"), test_hooks=False, fast_password_hash=True) as portal:
        result = run("demo", "--lang", "en", "--base-url", portal.base_url, "--username", "smith01",
                     "--password", "not the password", "--totp-secret", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
                     "--login-page", login_page)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("slskit demo: FAIL at step 3"), result.stderr
    assert "the page says:" in lines[0] and "password" in lines[0].split("the page says:")[1], result.stderr


def test_slskit_serve_portal_revision_current_shows_it_to_every_user(tmp_path):
    """A real `slskit serve --portal-revision current`: a user whose scenario names no revision
    lands on the current revision's portal, with its User menu."""
    import pyotp

    from flows.live import LivePortal
    from flows.portal_http import HttpVisitor
    entry = {**USERS["carol"]}
    with LivePortal(str(tmp_path / "db.sqlite"), extra_args=["--portal-revision", "current"]) as portal:
        portal.add_users([entry])
        visitor = HttpVisitor(portal.base_url)
        home = visitor.log_in("carol", entry["password"], pyotp.TOTP(entry["devices"][0]["totp_secret"]).now(), "en")
    assert 'aria-label="User menu"' in home and "/portal/current/settings" in home
