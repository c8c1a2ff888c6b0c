"""Load and faults against a real `slskit serve` subprocess (loopback only, bounded):
simultaneous logins and SLS changes lose or double nothing; a SIGKILL and a restart on the
same --db keep every committed change, refuse the confirmations of the previous run cleanly
and leave a healthy WAL database. The longer version is `python -m bench.load`.
"""
import signal
import threading

import pyotp
import pytest

from flows import load as loadlib
from flows.live import LivePortal
from flows.portal_http import HttpVisitor, enrolled_heading
from flows.users import new_user_entry


THREADS = 8


@pytest.fixture
def database(tmp_path):
    return str(tmp_path / "portal.sqlite")


@pytest.fixture
def server(database):
    with LivePortal(database, test_hooks=True) as portal:
        portal.reset({"users": []})
        yield portal


def kill(portal):
    """SIGKILL: no shutdown code runs, as in a crash or an OOM kill."""
    portal.process.send_signal(signal.SIGKILL)
    assert portal.process.wait(15) == -signal.SIGKILL
    portal.stop()


def restart(database):
    return LivePortal(database, test_hooks=True).start()


def assert_healthy(database):
    assert loadlib.database_health(database) == ("ok", "wal")


def test_simultaneous_logins_and_changes_lose_or_double_nothing(server, database):
    users = loadlib.make_users(18, prefix="sim")
    loadlib.add_users(server, users)
    outcomes, seconds = loadlib.run_load(server.base_url, users, threads=THREADS, max_seconds=60)
    print(f"\n{len(users)} users on {THREADS} threads in {seconds:.1f} s\n"
          + loadlib.format_latency(loadlib.latency_table(outcomes)))
    assert [(o.entry["username"], repr(o.error)) for o in outcomes if o.error] == []
    assert loadlib.server_errors(outcomes) == []
    problems, rows = loadlib.stored_consistency(database, [e["username"] for e, _ in users])
    assert problems == []
    assert loadlib.expected_problems(outcomes, rows) == []
    assert sum(r["enrolled"] for r in rows.values()) == 12  # 6 cancel, 6 OK, 6 OK twice at once
    assert_healthy(database)


def test_restart_keeps_committed_changes_and_refuses_old_confirmations(server, database):
    done_entry = new_user_entry("ja", sls_opted_out=True)
    open_entry = new_user_entry("ja", sls_opted_out=True)
    server.add_users([done_entry, open_entry])
    done = HttpVisitor(server.base_url)
    done.cancel_sls_opt_out(done_entry, pyotp.TOTP(done_entry["devices"][0]["totp_secret"]).now())
    half = HttpVisitor(server.base_url)
    half.log_in(open_entry["username"], open_entry["password"],
                pyotp.TOTP(open_entry["devices"][0]["totp_secret"]).now())
    confirmation = half.open_confirmation()

    kill(server)
    again = restart(database)
    try:
        # The session survives the restart (it is in the file); the confirmation does not.
        half.base = again.base_url
        status, body = half.confirm(confirmation)
        assert status == 409
        assert loadlib.CONFIRMATION_EXPIRED["ja"] in body
        assert again.user_state(done_entry["username"])["sls_opted_out"] == 0
        assert again.user_state(open_entry["username"])["sls_opted_out"] == 1
        # And the refused user can still finish from the start, on the new run.
        status, body = half.confirm(half.open_confirmation())
        assert status == 200 and enrolled_heading("ja") in body
    finally:
        again.stop()
    problems, rows = loadlib.stored_consistency(database, [done_entry["username"], open_entry["username"]])
    assert problems == [] and all(r["enrolled"] for r in rows.values())
    assert_healthy(database)


def test_sigkill_in_the_middle_of_flows_leaves_a_consistent_database(server, database):
    users = loadlib.make_users(15, prefix="mid")
    loadlib.add_users(server, users)
    commits = threading.Semaphore(0)
    outcomes = []

    def on_outcome(outcome):
        outcomes.append(outcome)
        if outcome.committed:
            commits.release()

    loader = threading.Thread(target=lambda: loadlib.run_load(
        server.base_url, users, threads=THREADS, max_seconds=60, on_outcome=on_outcome))
    loader.start()
    for _ in range(3):  # kill once three changes were acknowledged, while others are in flight
        assert commits.acquire(timeout=60), "no change was acknowledged within 60 s"
    kill(server)
    loader.join(120)
    assert not loader.is_alive()
    acknowledged = {o.entry["username"] for o in outcomes if o.committed}
    interrupted = [o for o in outcomes if o.error is not None]
    print(f"\nkilled after {len(acknowledged)} acknowledged changes; {len(interrupted)} flows interrupted")

    again = restart(database)
    try:
        problems, rows = loadlib.stored_consistency(database, [e["username"] for e, _ in users])
        assert problems == []
        assert all(rows[name]["enrolled"] for name in acknowledged)
        assert loadlib.server_errors(outcomes) == []
        assert loadlib.expected_problems(outcomes, rows) == []
        # The restarted server takes a new user's whole flow.
        entry = new_user_entry("ja", sls_opted_out=True)
        again.add_users([entry])
        HttpVisitor(again.base_url).cancel_sls_opt_out(entry, pyotp.TOTP(entry["devices"][0]["totp_secret"]).now())
    finally:
        again.stop()
    assert_healthy(database)
