"""`slskit serve` refuses what it cannot serve: one line, a non-zero exit, no traceback, and the
database file untouched. One server per database file."""
import json
import os
import shutil
import subprocess

import pyotp
import pytest

from database_files import digest, sqlite_file
from flows.live import LivePortal
from flows.portal_http import HttpVisitor
from portal_client import SCENARIO
from slskit_command import run


@pytest.mark.parametrize("content, problem", [
    (b"\xff\xfe{\"users\": []}", "not UTF-8 text"),
    (b"[" * 50_000 + b"]" * 50_000, "nested too deeply"),
    (b"12345", "the top level must be an object"),
])
def test_a_scenario_that_is_no_scenario_is_refused_and_the_database_kept(tmp_path, content, problem):
    database = sqlite_file(str(tmp_path / "db.sqlite"))
    before = digest(database)
    (tmp_path / "s.json").write_bytes(content)
    result = run("serve", "--port", "0", "--db", database, "--scenario", str(tmp_path / "s.json"))
    assert result.returncode == 2 and problem in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert digest(database) == before


@pytest.mark.parametrize("args, problem", [
    (["--port", "99999"], "--port 99999 is outside 0-65535"),
    (["--host", "no-such-host.invalid"], "does not resolve"),
    (["--db", "."], "is a directory"),
])
def test_the_command_refuses_in_one_line_without_a_traceback(tmp_path, args, problem):
    result = run("serve", "--port", "0", *args) if "--port" not in args else run("serve", *args)
    assert result.returncode == 2, result.stderr
    assert problem in result.stderr and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stdout == ""


def read_only(mounted):
    """Run `slskit serve` with `mounted` bind-mounted read-only (root ignores file modes, so a
    private mount namespace makes it read-only); as another user, the file modes do it."""
    if os.geteuid() != 0:
        os.chmod(mounted, 0o555 if os.path.isdir(mounted) else 0o444)
        return ()
    if shutil.which("unshare") is None or subprocess.run(
            ["unshare", "-m", "true"], capture_output=True).returncode != 0:
        pytest.skip("no private mount namespace here to make a path read-only as root")
    return ("unshare", "-m", "sh", "-c", f'mount --bind -o ro "{mounted}" "{mounted}" && exec "$0" "$@"')


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_database_or_folder_is_refused(tmp_path, what):
    folder = tmp_path / "data"
    folder.mkdir()
    database = sqlite_file(str(folder / "db.sqlite"))
    before = digest(database)
    prefix = read_only(database if what == "file" else str(folder))
    result = run("serve", "--port", "0", "--db", database, prefix=prefix)
    assert result.returncode == 2, result.stderr
    assert ("is read-only" if what == "file" else "its folder is read-only") in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert digest(database) == before


def test_a_second_server_on_the_same_database_is_refused_and_the_first_keeps_its_sessions(tmp_path):
    database = str(tmp_path / "db.sqlite")
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps(SCENARIO), encoding="utf-8")
    alice = SCENARIO["users"][0]
    with LivePortal(database, scenario_path=str(scenario)) as first:
        visitor = HttpVisitor(first.base_url)
        visitor.log_in("alice", alice["password"], pyotp.TOTP(alice["devices"][0]["totp_secret"]).now())
        before = digest(database)
        second = run("serve", "--port", "0", "--db", database, "--scenario", str(scenario))
        assert second.returncode == 1
        assert "is already served by another slskit serve" in second.stderr
        assert second.stderr.count("\n") == 1 and "Traceback" not in second.stderr
        assert digest(database) == before  # no reset to the scenario, no session dropped
        status, page = visitor.get("/portal/settings/secure-login")
        assert status == 200 and "alice" in page  # the first server's session still works
    with LivePortal(database) as third:  # once the first has stopped, the file is free again
        assert third.user_state("alice")["is_primary"] == 1
