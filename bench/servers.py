"""Start the portal (stock or with the proposed test configuration) and the floor's page."""
import os
import sys

from flows.live import LivePortal
from flows.users import new_user_entry

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The servers run `python -m bench....` in a subprocess: let it find this package from anywhere.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))


def portal(database, fast_hash=True):
    """A started `slskit serve` with test hooks, as the plugin runs it (cheap password hash), or
    with scrypt as served to people (`fast_hash=False`), to measure what the hash costs."""
    live = LivePortal(database, test_hooks=True)
    if not fast_hash:
        live.command.remove("--fast-password-hash")
    return live.start()


def static_server(folder):
    """The floor's page; a LivePortal-like handle (`base_url`, `stop()`)."""
    live = LivePortal(os.path.join(folder, "static"), test_hooks=False)
    live.command = [sys.executable, "-m", "bench.static_server"]
    return live.start()


def fresh_user(client, locale="ja"):
    """A new opted-out primary user, added through the test hook (never waits for a TOTP step)."""
    entry = new_user_entry(locale, sls_opted_out=True)
    client.add_users([entry])
    return entry
