"""Run a command, then fail if any process it started is still running: a browser, a driver,
a `slskit serve`, a `playwright run-server`, ...

    python scripts/no_leaks.py python -m pytest -n 2
    python scripts/no_leaks.py python -m bench --runs 1

Every process the command starts inherits a tag in its environment (browsers too: Playwright
and chromedriver pass theirs on), so what is found is this command's and no one else's on a
shared machine. Found ones are listed, then stopped (so they do not pile up), and the exit
status is 1. Linux only (/proc).
"""
import os
import secrets
import signal
import subprocess
import sys
import time

TAG = "SLSKIT_LEAK_CHECK"
# A process that is ending may outlive its parent by a moment (a browser's helpers exit after it).
GRACE_SECONDS = float(os.environ.get("SLSKIT_LEAK_GRACE", 10))
KILL_WAIT_SECONDS = 10  # how long a SIGKILLed process may take to end


PF_KTHREAD = 0x00200000  # /proc/PID/stat's flags: a kernel thread (no environment, ever)


def environment(pid):
    """A process's environment. One caught in the middle of an exec reads as empty for a moment
    (its memory is being replaced): read again until it has one, unless it never will (a kernel
    thread, or a process that has ended). Without this a fresh leak could pass unseen."""
    with open(f"/proc/{pid}/environ", "rb") as f:
        env = f.read()
    for _ in range(40):
        if env or never_has_environment(pid):
            return env
        time.sleep(0.005)
        with open(f"/proc/{pid}/environ", "rb") as f:
            env = f.read()
    return env


def never_has_environment(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
    except OSError:
        return True
    return fields[0] in ("Z", "X") or int(fields[6]) & PF_KTHREAD


def tagged(value):
    needle = f"{TAG}={value}".encode()
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if needle not in environment(pid).split(b"\0"):
                continue
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                found[int(pid)] = f.read().replace(b"\0", b" ").decode(errors="replace").strip()[:200]
        except OSError:  # ended meanwhile, or not ours to read
            continue
    return found


def main(command):
    value = secrets.token_hex(8)
    status = subprocess.call(command, env={**os.environ, TAG: value})
    leaked = until_empty(lambda: tagged(value), GRACE_SECONDS, 0.5)
    if not leaked:
        return status
    print(f"[no_leaks] {len(leaked)} process(es) started by `{' '.join(command)}` still run after it ended:",
          file=sys.stderr)
    for pid, cmdline in sorted(leaked.items()):
        print(f"[no_leaks]   {pid}: {cmdline}", file=sys.stderr)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    # SIGKILL is delivered, not done: on a loaded machine a killed process still runs its exit for
    # a moment. Return once each has ended (gone, or a zombie waiting for a parent that is not us).
    running = until_empty(lambda: [pid for pid in leaked if not ended(pid)], KILL_WAIT_SECONDS, 0.05)
    for pid in running:
        print(f"[no_leaks]   {pid} still runs {KILL_WAIT_SECONDS} s after SIGKILL", file=sys.stderr)
    return 1


def until_empty(read, seconds, interval):
    """Call read() every `interval` until it returns nothing or `seconds` pass; its last answer."""
    deadline = time.monotonic() + seconds
    found = read()
    while found and time.monotonic() < deadline:
        time.sleep(interval)
        found = read()
    return found


def ended(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] in ("Z", "X")
    except OSError:
        return True


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
