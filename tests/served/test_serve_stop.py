"""How `slskit serve` stops: SIGINT and SIGTERM however it was started (`nohup slskit serve ... &`
starts it with SIGINT ignored), its lock file removed by a clean stop, and a lock file left by a
server that did not stop cleanly taken over with one line saying so. A live server's lock is
still refused: tests/served/test_serve_refusals.py."""
import os
import re
import selectors
import signal
import subprocess
import sys
import time

import pytest

from flows.live import LivePortal
from slskit_command import SLSKIT


def as_nohup_in_the_background():
    # What `nohup CMD &` hands its command in a shell without job control: SIGINT (and SIGQUIT)
    # ignored by `&`, SIGHUP ignored by nohup. An ignored signal stays ignored across exec.
    for signum in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)


def serving_line(process, timeout=30):
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while selector.select(max(deadline - time.monotonic(), 0)):
        line = process.stdout.readline()
        if not line:
            break
        if re.match(r"Serving on http://", line):
            return line
    raise AssertionError(f"no 'Serving on' line; stderr: {process.stderr.read() if process.poll() is not None else ''}")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_server_started_as_nohup_does_stops_cleanly_on_the_signal_and_removes_its_lock(tmp_path, signum):
    database = str(tmp_path / "db.sqlite")
    process = subprocess.Popen([*SLSKIT, "serve", "--port", "0", "--db", database], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, preexec_fn=as_nohup_in_the_background)
    try:
        serving_line(process)
        with open(database + ".lock") as lock:
            assert lock.read() == str(process.pid)  # held while it serves
        process.send_signal(signum)
        assert process.wait(15) == 0
        assert process.stderr.read() == ""
        assert not os.path.exists(database + ".lock")
        assert sorted(os.listdir(tmp_path)) == ["db.sqlite"]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


def a_pid_not_running():
    ended = subprocess.Popen([sys.executable, "-c", ""])
    ended.wait()
    return ended.pid


def test_a_lock_left_by_a_server_that_did_not_stop_is_taken_over_with_one_line(tmp_path):
    database = str(tmp_path / "db.sqlite")
    dead = a_pid_not_running()
    with open(database + ".lock", "w") as lock:
        lock.write(str(dead))
    with LivePortal(database, test_hooks=False, fast_password_hash=True) as portal:
        with open(database + ".lock") as lock:
            assert lock.read() == str(portal.process.pid)
        with open(portal.log_path) as log:
            said = log.read().splitlines()
        assert said == [f"slskit serve: taking over {database}.lock, left by pid {dead}, which is not running: "
                        "that server did not stop cleanly"]
    assert not os.path.exists(database + ".lock")


def test_a_killed_servers_lock_is_taken_over_by_the_next(tmp_path):
    database = str(tmp_path / "db.sqlite")
    first = LivePortal(database, test_hooks=False, fast_password_hash=True).start()
    first.process.kill()  # no clean stop: its lock file stays, its lock died with it
    first.process.wait()
    first.stop()
    assert os.path.exists(database + ".lock")
    with LivePortal(database, test_hooks=False, fast_password_hash=True) as second:
        with open(second.log_path) as log:
            assert f"left by pid {first.process.pid}, which is not running" in log.read()
    assert not os.path.exists(database + ".lock")
