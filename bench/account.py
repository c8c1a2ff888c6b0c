"""Where one flow's time goes, step by step, measured in one browser:

    python -m bench.account --runs 9 --label after    # prints the table, writes bench/results/account-LABEL.json

For each of the article's seven steps, run through the kit's page objects (`cancel_sls_opt_out`):
its wall time; the document loads it made (every navigation, POST answer and redirect, as the
browser saw them); the browser's floor for that many loads (the median load of a small static
page from a static server on loopback, measured in the same browser, interleaved with the flow);
the portal's own time for the step's requests (the Server-Timing totals its request journal kept,
documents and the page's script's requests alike), of which the password hash; and what is left:
the page objects' waiting and the browser's script, layout and painting beyond a static page's.
"""
import argparse
import datetime
import json
import os
import statistics
import tempfile
import time

from . import servers

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
FLOOR_LOADS = 13  # loads of the static page per round, in a context of their own


def static_load_seconds(browser, static_url, loads=FLOOR_LOADS):
    """The median time of one document load of the static page (a new context, warm browser)."""
    context = browser.new_context()
    page = context.new_page()
    try:
        took = []
        for i in range(loads):
            started = time.perf_counter()
            page.goto(f"{static_url}/?n={i}")
            took.append(time.perf_counter() - started)
        return statistics.median(took)
    finally:
        context.close()


def run_flow(browser, portal, entry):
    """One flow through the kit: [(step, seconds, document loads, epoch start, epoch end)]."""
    from flows import PortalUser, cancel_sls_opt_out
    context = browser.new_context()
    page = context.new_page()
    loads, marks = [], {}
    page.on("response", lambda r: loads.append(time.time()) if r.request.resource_type == "document" else None)
    try:
        started = time.perf_counter()
        results = cancel_sls_opt_out(
            page, portal.base_url, PortalUser.from_scenario(entry),
            on_start=lambda number, text: marks.setdefault(number, [time.time()]),
            on_done=lambda step: marks[step.number].append(time.time()))
        flow_seconds = time.perf_counter() - started
    finally:
        context.close()
    steps = []
    for step in results:
        begin, end = marks[step.number]
        steps.append((step.number, step.seconds, sum(begin <= t <= end for t in loads), begin, end))
    return flow_seconds, steps


def server_time(portal, begin, end):
    """(total, hash) milliseconds the portal spent on the requests it answered between two instants
    (the portal serves this flow alone; a step's first pages are a visitor's, not yet a user's)."""
    entries = [e for e in portal.requests() if begin <= e["at"] <= end]
    return sum(e["timing"]["total"] for e in entries), sum(e["timing"]["hash"] for e in entries)


def account(runs, executable=None, fast_hash=True):
    """The flow's time, step by step, against the floor, on the Chromium `executable` (None: the
    kit's discovery) and a portal with the cheap hash or, `fast_hash=False`, scrypt."""
    from playwright.sync_api import sync_playwright

    from flows.browser import launch_options
    with tempfile.TemporaryDirectory(prefix="slskit-account-") as folder, sync_playwright() as pw:
        portal = servers.portal(os.path.join(folder, "portal.sqlite"), fast_hash)
        static = servers.static_server(folder)
        browser = pw.chromium.launch(**launch_options(pw, executable))
        try:
            per_step, flows, floors = {}, [], []
            for i in range(runs + 1):  # the first round warms up and is dropped
                floor = static_load_seconds(browser, static.base_url)
                entry = servers.fresh_user(portal)
                flow_seconds, steps = run_flow(browser, portal, entry)
                if not i:
                    continue
                floors.append(floor)
                flows.append((flow_seconds, sum(s[2] for s in steps)))
                for number, seconds, loads, begin, end in steps:
                    total, hashed = server_time(portal, begin, end)
                    per_step.setdefault(number, []).append((seconds, loads, total / 1000, hashed / 1000, floor))
        finally:
            browser.close()
            static.stop()
            portal.stop()
    return summarize(per_step, flows, floors)


def summarize(per_step, flows, floors):
    ms = lambda seconds: round(seconds * 1000, 1)  # noqa: E731
    rows = []
    for number in sorted(per_step):
        samples = per_step[number]
        wall = statistics.median(s[0] for s in samples)
        loads = statistics.median(s[1] for s in samples)
        floor = statistics.median(s[1] * s[4] for s in samples)
        server = statistics.median(s[2] for s in samples)
        hashed = statistics.median(s[3] for s in samples)
        rows.append({"step": number, "wall_ms": ms(wall), "loads": loads, "floor_ms": ms(floor),
                     "server_ms": ms(server), "hash_ms": ms(hashed), "left_ms": ms(wall - floor - server)})
    flow = statistics.median(f[0] for f in flows)
    loads = statistics.median(f[1] for f in flows)
    floor = statistics.median(floors) * loads
    return {"rows": rows, "flow_ms": ms(flow), "loads": loads, "static_load_ms": ms(statistics.median(floors)),
            "floor_ms": ms(floor), "flow_vs_floor": round(flow / floor, 3), "runs": len(flows)}


def print_table(result):
    print(f"{'step':>4} {'wall':>8} {'loads':>6} {'floor':>8} {'server':>8} {'(hash)':>8} {'left':>8}   ms")
    for r in result["rows"]:
        print(f"{r['step']:>4} {r['wall_ms']:>8} {r['loads']:>6} {r['floor_ms']:>8} {r['server_ms']:>8} "
              f"{r['hash_ms']:>8} {r['left_ms']:>8}")
    print(f"flow {result['flow_ms']} ms, {result['loads']} document loads; the same loads of a static page "
          f"{result['floor_ms']} ms ({result['static_load_ms']} ms each): {result['flow_vs_floor']}x the floor "
          f"({result['runs']} runs)")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.account", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--label", default="latest", help="names the result file: account-LABEL.json")
    parser.add_argument("--browser-path", help="the Chromium to launch (default: the kit's discovery)")
    args = parser.parse_args(argv)
    result = account(args.runs, args.browser_path)
    result.update(label=args.label, at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                  load_before=os.getloadavg()[0])
    print_table(result)
    with open(os.path.join(RESULTS, f"account-{args.label}.json"), "w") as f:
        json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
