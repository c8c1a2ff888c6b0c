"""The `slskit` command as the tests run it: this interpreter's `python -m flows.cli`, its output
captured as text; and the one line a refused `slskit gateway-login` says."""
import subprocess
import sys

SLSKIT = [sys.executable, "-m", "flows.cli"]


def run(*args, prefix=(), timeout=120, **kw):
    """`slskit ARGS` to its end (`prefix`: a command that wraps it; `kw`: subprocess.run's, e.g. env)."""
    return subprocess.run([*prefix, *SLSKIT, *args], capture_output=True, text=True, timeout=timeout, **kw)


def one_line(result, text, code=1):
    """`slskit gateway-login` refused with exit `code`, saying `text` in one line on stderr, nothing on stdout."""
    assert result.returncode == code, result.stderr
    assert result.stderr == f"slskit gateway-login: {text}\n"
    assert result.stdout == ""
