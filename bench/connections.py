"""Open connections against a real `slskit serve` (loopback only, bounded):

    python -m bench.connections --idle 1000 --half-open 200            # plain HTTP (waitress)
    python -m bench.connections --idle 1000 --half-open 200 --tls      # HTTPS
    python -m bench.connections --idle 100 --serve-arg=--connection-limit=100   # one setting changed

Starts a portal, holds IDLE keep-alive connections (one request answered each, then silent),
HALF_OPEN requests whose headers never end and SILENT connections that send nothing, then times
LOGINS new visitors' whole logins (home, login page, password, code) one after another, each
bounded by --login-timeout. With --observe S it then waits up to S seconds and counts how many
held connections the server dropped. Appends a record to bench/results/connections.jsonl.
"""
import argparse
import datetime
import json
import os
import sys
import tempfile
import time

from flows.load import connections
from flows.live import LivePortal
from flows.users import new_user_entry

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.connections", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--idle", type=int, default=1000, help="idle keep-alive connections (max 5000)")
    parser.add_argument("--half-open", type=int, default=200, help="requests whose headers never end (max 2000)")
    parser.add_argument("--silent", type=int, default=0, help="connections that send nothing (max 2000)")
    parser.add_argument("--logins", type=int, default=5, help="new visitors' logins timed beside them (max 50)")
    parser.add_argument("--login-timeout", type=float, default=30, help="each request's bound, seconds (max 180)")
    parser.add_argument("--observe", type=float, default=0, help="then wait up to S s for dropped connections (max 300)")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS instead of plain HTTP")
    parser.add_argument("--serve-arg", action="append", default=[], help="an extra `slskit serve` argument")
    parser.add_argument("--label", default="", help="what this run measures, kept in the record")
    parser.add_argument("--out", default=RESULTS)
    args = parser.parse_args(argv)
    if not (0 <= args.idle <= 5000 and 0 <= args.half_open <= 2000 and 0 <= args.silent <= 2000
            and 1 <= args.logins <= 50 and 0 < args.login_timeout <= 180 and 0 <= args.observe <= 300):
        parser.error("bounds: idle 0-5000, half-open and silent 0-2000, 1-50 logins, "
                     "login timeout up to 180 s, observe up to 300 s")
    connections.raise_open_files(args.idle + args.half_open + args.silent + 256)

    extra = (["--tls"] if args.tls else []) + args.serve_arg
    with tempfile.TemporaryDirectory(prefix="slskit-connections-") as tmp:
        with LivePortal(os.path.join(tmp, "portal.sqlite"), test_hooks=True, extra_args=extra) as portal:
            users = [new_user_entry("en", username=f"visitor{i:02d}") for i in range(args.logins + 1)]
            portal.add_users(users)  # before the crowd: the hooks need a connection too
            entry, users = users[0], users[1:]
            context = portal.ssl_context if portal.ca_file else None
            alone, alone_error = connections.timed_login(portal.base_url, entry, args.login_timeout, context)
            with connections.Crowd(portal.base_url, context) as crowd:
                started = time.perf_counter()
                crowd.open("idle", args.idle).open("half_open", args.half_open).open("silent", args.silent)
                opened_s = time.perf_counter() - started
                logins = [connections.timed_login(portal.base_url, u, args.login_timeout, context) for u in users]
                held = {kind: crowd.still_open(kind) for kind in crowd.sockets}
                dropped_after = {}
                if args.observe:
                    before = time.perf_counter()
                    held_later = {kind: crowd.still_open(kind, args.observe) for kind in crowd.sockets}
                    dropped_after = {"seconds": round(time.perf_counter() - before, 1), "still_open": held_later}
                failed = dict(crowd.failed)
                answered = crowd.answered_idle

    done = [s for s, error in logins if error is None]
    errors = [error for _, error in logins if error]
    record = {
        "when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "label": args.label, "scheme": "https" if args.tls else "http", "serve_args": args.serve_arg,
        "idle": args.idle, "half_open": args.half_open, "silent": args.silent,
        "idle_answered": answered, "connect_failed": failed, "opened_s": round(opened_s, 1),
        "still_open_after_logins": held, "login_alone_ms": round(alone * 1000, 1), "login_alone_error": alone_error,
        "logins": connections.summary(done), "login_errors": errors, "login_timeout_s": args.login_timeout,
        "dropped_after": dropped_after, "load": os.getloadavg()[0],
    }
    print(f"{record['scheme']} {' '.join(args.serve_arg)}: {args.idle} idle ({answered} answered), "
          f"{args.half_open} half-open, {args.silent} silent held in {opened_s:.1f} s; connect failures {failed}")
    print(f"login alone {record['login_alone_ms']} ms; beside them: {record['logins']} "
          f"({len(errors)} of {args.logins} unanswered within {args.login_timeout} s a request)")
    for error in errors[:3]:
        print(f"  {error}")
    if dropped_after:
        print(f"after {dropped_after['seconds']} s more, still open: {dropped_after['still_open']}")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "connections.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")
    return 1 if errors or alone_error else 0


if __name__ == "__main__":
    sys.exit(main())
