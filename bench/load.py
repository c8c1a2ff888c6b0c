"""The longer load and fault run against a real `slskit serve` (loopback only, bounded):

    python -m bench.load --users 150 --threads 16            # load, then the checks
    python -m bench.load --users 150 --threads 16 --kill-after 40   # SIGKILL mid-load, restart

Every user is distinct and does one full flow over HTTP (login with password and code,
Continue, then Cancel, OK, or the same OK twice at once). Afterwards: no 5xx, every stored
state matches its audit rows and confirmations (read from the SQLite file read-only), every
acknowledged OK is stored, PRAGMA integrity_check is ok and the journal is WAL. With
--kill-after N the server is SIGKILLed after N acknowledged changes and started again on the
same --db, and the checks run against the restarted server's file. Exits 1 on any problem.
Appends a record to bench/results/load.jsonl.
"""
import argparse
import datetime
import json
import os
import signal
import sys
import tempfile
import threading

import pyotp

from flows import load as loadlib
from flows.portal_http import HttpVisitor

from . import servers

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=150, help="distinct users, one flow each (max 2000)")
    parser.add_argument("--threads", type=int, default=16, help="simultaneous flows (max 64)")
    parser.add_argument("--max-seconds", type=float, default=180, help="no flow starts after this")
    parser.add_argument("--kill-after", type=int, default=0, metavar="N",
                        help="SIGKILL the server after N acknowledged changes, then restart it")
    parser.add_argument("--fast-hash", action="store_true",
                        help="serve with the test servers' cheap hash (--fast-password-hash) instead of scrypt")
    parser.add_argument("--out", default=RESULTS)
    args = parser.parse_args(argv)
    if not (1 <= args.users <= 2000 and 1 <= args.threads <= 64 and 0 < args.max_seconds <= 600):
        parser.error("bounds: 1-2000 users, 1-64 threads, at most 600 s")

    problems = []
    with tempfile.TemporaryDirectory(prefix="slskit-load-") as tmp:
        database = os.path.join(tmp, "portal.sqlite")
        portal = servers.portal(database, fast_hash=args.fast_hash)
        restarted = None
        try:
            portal.reset({"users": []})
            users = loadlib.make_users(args.users)
            loadlib.add_users(portal, users)
            commits = threading.Semaphore(0)
            outcomes, result = [], {}

            def on_outcome(outcome):
                outcomes.append(outcome)
                if outcome.committed:
                    commits.release()

            loader = threading.Thread(target=lambda: result.update(wall=loadlib.run_load(
                portal.base_url, users, args.threads, args.max_seconds, on_outcome)[1]))
            loader.start()
            killed_after = None
            if args.kill_after:
                for _ in range(args.kill_after):
                    if not commits.acquire(timeout=args.max_seconds):
                        problems.append(f"fewer than {args.kill_after} changes acknowledged in time")
                        break
                killed_after = sum(o.committed for o in outcomes)
                portal.process.send_signal(signal.SIGKILL)
                portal.process.wait(15)
                portal.stop()
            loader.join(args.max_seconds + 120)
            if loader.is_alive():
                problems.append("the load did not finish within its bound")
            if killed_after is not None:
                restarted = servers.portal(database, fast_hash=args.fast_hash)
                entry = loadlib.make_users(1, prefix="after")[0][0]
                restarted.add_users([entry])
                try:
                    HttpVisitor(restarted.base_url).cancel_sls_opt_out(
                        entry, pyotp.TOTP(entry["devices"][0]["totp_secret"]).now())
                except AssertionError as e:
                    problems.append(f"the restarted server refused a new flow: {e}")
            else:
                problems += [f"{o.entry['username']}: {o.error!r}" for o in outcomes if o.error]

            table = loadlib.latency_table(outcomes)
            problems += [f"5xx: {e}" for e in loadlib.server_errors(outcomes)]
            consistency, rows = loadlib.stored_consistency(database, [e["username"] for e, _ in users])
            problems += consistency + loadlib.expected_problems(outcomes, rows)
            health = loadlib.database_health(database)
            if health != ("ok", "wal"):
                problems.append(f"database health {health}")
        finally:
            if restarted:
                restarted.stop()
            portal.stop()

    requests = sum(len(o.requests) for o in outcomes)
    wall = result.get("wall", 0)
    print(f"{args.users} users, {args.threads} threads, {requests} requests in {wall:.1f} s "
          f"({requests / wall if wall else 0:.0f} req/s); hash {'pbkdf2 1000' if args.fast_hash else 'scrypt'}")
    if args.kill_after:
        interrupted = sum(1 for o in outcomes if o.error)
        print(f"SIGKILL after {killed_after} acknowledged changes; {interrupted} flows interrupted; restarted on the same --db")
    print(loadlib.format_latency(table))
    print(f"enrolled {sum(r['enrolled'] for r in rows.values())} of {len(rows)}; "
          f"integrity_check={health[0]} journal_mode={health[1]}")
    print("PROBLEMS:\n  " + "\n  ".join(problems) if problems else "no problems: no 5xx, nothing lost or doubled")
    record = {"when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "users": args.users, "threads": args.threads, "fast_hash": args.fast_hash,
              "kill_after": args.kill_after, "killed_after": killed_after, "requests": requests,
              "wall_s": round(wall, 2), "latency_ms": table, "health": health, "problems": problems}
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "load.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
