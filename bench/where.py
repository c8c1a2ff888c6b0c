"""Where the time goes: one change at a time, the cost of a browser start, a new context, a
navigation to a static page and to the portal's home page, and the kit's whole flow.

    python -m bench.where --runs 10            # prints a table, appends to bench/results/where.jsonl

Each configuration is a Chromium binary plus extra flags on top of the kit's own
(flows.browser.launch_args). The portal is served both stock and with the proposed test
configuration (fast password hash, cacheable stylesheet), so the server's share shows too.
"""
import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import time

from . import servers, variants

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
CONFIGS = [  # name, executable, extra flags
    ("wrapper /usr/bin/chromium", "/usr/bin/chromium", []),
    ("binary /usr/lib/chromium/chromium", "/usr/lib/chromium/chromium", []),
    ("wrapper + --disable-gpu", "/usr/bin/chromium", ["--disable-gpu"]),
    ("headless-shell", "/usr/bin/chromium-headless-shell", []),
    ("headless-shell + --disable-gpu", "/usr/bin/chromium-headless-shell", ["--disable-gpu"]),
]


def ms(samples):
    return round(statistics.median(samples) * 1000, 1)


def measure(pw, executable, extra, portal, static, runs, fast_portal):
    from flows.browser import launch_args
    options = {"executable_path": executable, "args": [*launch_args(), *extra]}
    started = time.perf_counter()
    browser = pw.chromium.launch(**options)
    launch = time.perf_counter() - started
    out = {"launch": [launch], "context": [], "goto_static": [], "goto_home": [], "kit_flow": [],
           "kit_flow_fast_server": []}
    try:
        for i in range(runs + 1):  # the first round warms up and is dropped
            t = time.perf_counter()
            context = browser.new_context()
            page = context.new_page()
            c = time.perf_counter() - t
            t = time.perf_counter()
            page.goto(static.base_url + f"/?n={i}")
            s = time.perf_counter() - t
            t = time.perf_counter()
            page.goto(portal.base_url + "/?lang=ja")
            h = time.perf_counter() - t
            context.close()
            flows = []
            for server in (portal, fast_portal):
                context = browser.new_context()
                page = context.new_page()
                entry = servers.fresh_user(server)
                t = time.perf_counter()
                variants.kit(page, server.base_url, entry)
                flows.append(time.perf_counter() - t)
                context.close()
            if i:
                for key, value in zip(("context", "goto_static", "goto_home", "kit_flow", "kit_flow_fast_server"),
                                      (c, s, h, *flows)):
                    out[key].append(value)
    finally:
        browser.close()
    return {k: ms(v) for k, v in out.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.where", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--out", default=RESULTS)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright
    rows = {}
    with tempfile.TemporaryDirectory(prefix="slskit-where-") as tmp:
        portal = servers.portal(os.path.join(tmp, "stock.sqlite"), fast_hash=False)  # scrypt, as served
        fast = servers.portal(os.path.join(tmp, "fast.sqlite"), fast_hash=True)
        static = servers.static_server(tmp)
        try:
            with sync_playwright() as pw:
                for name, executable, extra in CONFIGS:
                    if not os.path.exists(executable):
                        print(f"  skip {name}: {executable} is not installed", file=sys.stderr)
                        continue
                    rows[name] = measure(pw, executable, extra, portal, static, args.runs, fast)
                    print(f"  {name}: {rows[name]}", file=sys.stderr, flush=True)
        finally:
            static.stop()
            fast.stop()
            portal.stop()
    cols = ("launch", "context", "goto_static", "goto_home", "kit_flow", "kit_flow_fast_server")
    print(f"\n{'configuration (median ms)':34}" + "".join(f"{c:>21}" for c in cols))
    for name, row in rows.items():
        print(f"{name:34}" + "".join(f"{row[c]:>21}" for c in cols))
    record = {"when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "runs": args.runs, "rows": rows,
              "note": "kit_flow_fast_server: slskit serve --fast-password-hash"}
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "where.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
