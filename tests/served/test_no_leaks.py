"""The leak check that ./test.sh runs the suite under (scripts/no_leaks.py)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest


NO_LEAKS = Path(__file__).resolve().parents[2] / "scripts" / "no_leaks.py"
pytestmark = pytest.mark.skipif(not NO_LEAKS.exists(), reason="checks the repository's scripts/ (not in the wheel)")


def check(command):
    return subprocess.run([sys.executable, str(NO_LEAKS), *command], capture_output=True, text=True,
                          env={**os.environ, "SLSKIT_LEAK_GRACE": "1"}, timeout=60)


def test_a_command_that_leaves_nothing_running_keeps_its_exit_status():
    assert check(["sh", "-c", "exit 3"]).returncode == 3


def test_a_process_left_running_fails_the_check_and_is_stopped():
    result = check(["sh", "-c", "sleep 300 >/dev/null 2>&1 & echo $!"])
    assert result.returncode == 1
    pid = int(result.stdout.split()[0])
    # Listed by its pid; its command line is sleep's, or the shell's if it was caught between fork
    # and exec (as on a loaded machine), which also names the sleep.
    listed = [line for line in result.stderr.splitlines() if f" {pid}: " in line]
    assert listed and "sleep 300" in listed[0], result.stderr
    try:  # stopped: gone, or a zombie (its parent, the shell, has ended and init reaps it)
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        state = "gone"
    assert state in ("gone", "Z", "X"), state
