"""Bounded load on a real `slskit serve` over plain HTTP, and the checks that follow it.

Loopback only: every URL comes from a LivePortal this process started on 127.0.0.1. The work
is a fixed list of users (each a full login, Continue, then OK -- sometimes sent twice at once
-- or Cancel), run by a fixed number of threads, each request with a timeout, the whole with a
deadline. Used by tests/served/test_load_restart.py (small) and `python -m bench.load` (larger).
"""
import sqlite3
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pyotp

from ..portal_http import HttpVisitor
from ..users import new_user_entry

CONFIRMATION_EXPIRED = {"ja": "確認の有効期限が切れました", "en": "This confirmation has expired"}


def make_users(count, locale="ja", prefix="load"):
    """Distinct opted-out primary users, each on its own account; what each one will do."""
    users = []
    for i in range(count):
        entry = new_user_entry(locale, sls_opted_out=True, username=f"{prefix}{i:04d}")
        action = ("cancel", "ok", "double_ok")[i % 3]
        users.append((entry, action))
    return users


def add_users(client, users, batch=20):
    for i in range(0, len(users), batch):
        client.add_users([entry for entry, _ in users[i:i + batch]])


class Outcome:
    """What one user's flow saw: every request's status and time, and how OK was answered."""

    def __init__(self, entry, action):
        self.entry, self.action = entry, action
        self.requests = []      # (method, path, status, seconds)
        self.ok_statuses = []   # final statuses of the OK posts (after redirects)
        self.error = None       # an exception (a refused connection when the server is killed)
        self.committed = False  # an OK was answered with the enrolled page


def run_user(base_url, entry, action, deadline):
    outcome = Outcome(entry, action)
    visitor = HttpVisitor(base_url, timeout=30)
    try:
        if time.monotonic() > deadline:
            raise TimeoutError("deadline passed before this user started")
        visitor.log_in(entry["username"], entry["password"],
                       pyotp.TOTP(entry["devices"][0]["totp_secret"]).now(), entry["locale"])
        confirmation = visitor.open_confirmation(entry["locale"])
        if action == "cancel":
            visitor.post("/portal/settings/secure-login/cancel", {"confirmation": confirmation})
        elif action == "ok":
            status, body = visitor.confirm(confirmation)
            outcome.ok_statuses.append(status)
            outcome.committed = status == 200
        else:  # the same OK twice at once: one change, one clean refusal
            results, twin_errors = [], []

            def twin_confirm():
                # An exception here (the server killed between the two posts) is this flow's
                # error too; left in the thread it would vanish and the flow look half-answered.
                try:
                    results.append(visitor.confirm(confirmation))
                except Exception as e:
                    twin_errors.append(e)

            twin = threading.Thread(target=twin_confirm)
            twin.start()
            results.append(visitor.confirm(confirmation))
            twin.join(60)
            if twin_errors:
                raise twin_errors[0]
            outcome.ok_statuses = sorted(s for s, _ in results)
            outcome.committed = 200 in outcome.ok_statuses
    except Exception as e:  # recorded, judged by the caller (a kill mid-flow makes some)
        outcome.error = e
    outcome.requests = list(visitor.statuses)
    return outcome


def run_load(base_url, users, threads=8, max_seconds=120, on_outcome=None):
    """Run every user's flow on `threads` threads; returns (outcomes, wall seconds).
    `on_outcome(outcome)` is called as each user's flow ends (from its worker thread)."""
    deadline = time.monotonic() + max_seconds
    started = time.perf_counter()

    def one(entry, action):
        outcome = run_user(base_url, entry, action, deadline)
        if on_outcome:
            on_outcome(outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(one, entry, action) for entry, action in users]
        outcomes = [f.result(timeout=max_seconds + 60) for f in futures]
    return outcomes, time.perf_counter() - started


def server_errors(outcomes):
    return [(o.entry["username"], m, p, s) for o in outcomes for m, p, s, _ in o.requests if s >= 500]


def latency_table(outcomes):
    """Percentiles per kind of request, in ms."""
    by_kind = {}
    for o in outcomes:
        for method, path, status, seconds in o.requests:
            by_kind.setdefault(f"{method} {path.split('?')[0]}", []).append(seconds)
    table = {}
    for kind, samples in sorted(by_kind.items()):
        ordered = sorted(samples)
        pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
        table[kind] = {"n": len(ordered), "p50": round(statistics.median(ordered) * 1000, 1),
                       "p90": round(pick(0.90) * 1000, 1), "p99": round(pick(0.99) * 1000, 1),
                       "max": round(ordered[-1] * 1000, 1)}
    return table


def format_latency(table):
    lines = [f"{'request':48} {'n':>5} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}"]
    for kind, row in table.items():
        lines.append(f"{kind:48} {row['n']:>5} {row['p50']:>8} {row['p90']:>8} {row['p99']:>8} {row['max']:>8}")
    return "\n".join(lines)


def read_only(database):
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    conn.row_factory = sqlite3.Row
    return conn


def stored_consistency(database, usernames):
    """Per user: stored state, 'changed' audit rows, done confirmations. Problems as strings:
    every change audited exactly once, no audit row without its change, states agree."""
    problems, rows = [], {}
    conn = read_only(database)
    try:
        for name in usernames:
            user = conn.execute("SELECT sls_opted_out FROM users WHERE username = ?", (name,)).fetchone()
            changed = conn.execute("SELECT old_state, new_state FROM audit_log WHERE target = ? "
                                   "AND outcome = 'changed' ORDER BY audit_id", (name,)).fetchall()
            done = conn.execute("SELECT COUNT(*) FROM confirmations WHERE target = ? AND state = 'done'",
                                (name,)).fetchone()[0]
            if user is None:
                problems.append(f"{name}: missing")
                continue
            enrolled = user["sls_opted_out"] == 0
            rows[name] = {"enrolled": enrolled, "changed": len(changed), "done": done}
            if enrolled and [tuple(r) for r in changed] != [("opted_out", "enrolled")]:
                problems.append(f"{name}: enrolled with audit {[tuple(r) for r in changed]}")
            if not enrolled and changed:
                problems.append(f"{name}: still opted out but audited {[tuple(r) for r in changed]}")
            if done != (1 if enrolled else 0):
                problems.append(f"{name}: enrolled={enrolled} with {done} done confirmations")
    finally:
        conn.close()
    return problems, rows


def expected_problems(outcomes, rows):
    """Against what each user asked for and was told (only for outcomes without an error)."""
    problems = []
    for o in outcomes:
        name, row = o.entry["username"], rows.get(o.entry["username"])
        if o.error is not None or row is None:
            continue
        if o.action == "cancel" and row["enrolled"]:
            problems.append(f"{name}: cancelled but enrolled")
        if o.action == "ok" and (o.ok_statuses != [200] or not row["enrolled"]):
            problems.append(f"{name}: OK answered {o.ok_statuses}, enrolled={row['enrolled']}")
        # The second OK is the same request again: it says the change was made.
        if o.action == "double_ok" and (o.ok_statuses != [200, 200] or not row["enrolled"]):
            problems.append(f"{name}: double OK answered {o.ok_statuses}, enrolled={row['enrolled']}")
        if o.committed and not row["enrolled"]:
            problems.append(f"{name}: OK was answered as done but the change is not stored")
    return problems


def database_health(database):
    conn = read_only(database)
    try:
        return (conn.execute("PRAGMA integrity_check").fetchone()[0],
                conn.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        conn.close()
