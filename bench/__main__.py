"""One command for the kit's speed figures, side by side in one run:

    python -m bench --runs 20                 # stock portal and launch flags
    python -m bench --runs 20 --profile full-chromium   # one change undone (also: scrypt)
    python -m bench --runs 20 --suite         # also the full suite with 1 and 2 xdist workers and one per core
    python -m bench --suite-only              # only the suite: its time and test count

Prints a table and writes bench/results/latest.json; appends the same record to
bench/results/history.jsonl. Every flow run gets a fresh opted-out user through the portal's
test hook and is checked afterwards (stored state enrolled, exactly one audit row 'changed').
Runs are interleaved (kit, bare, Selenium twice, floor, HTTP in a rotating order), in a warm
browser with a new context per run; a cold figure (browser start + context + flow) is taken
once per browser variant. "selenium" is Selenium as its users set it up by default (Selenium
Manager's driver, the full browser) in a warm driver; "selenium_same_browser" runs it on the
kit's own browser and flags, to show what WebDriver itself costs; "selenium_per_test" starts
and quits that default driver around the flow, as a test with the usual driver fixture does,
against "kit_per_test": a new context in the session's browser, the flow, the context closed.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from . import servers, variants

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
PROFILES = {  # executable None: the kit's own discovery (flows.browser): chromium-headless-shell here
    # What the kit does now (bench/README.md has the history): headless shell, a cheap password
    # hash on test servers, a cached stylesheet.
    "stock": {"fast_hash": True, "chromium_args": [], "executable": None},
    # One change undone at a time, to show what each is worth.
    "full-chromium": {"fast_hash": True, "chromium_args": [], "executable": "/usr/bin/chromium"},
    "scrypt": {"fast_hash": False, "chromium_args": [], "executable": None},
}
TARGETS = [  # (name, numerator, denominator, comparison, bound, what it says)
    ("kit_vs_bare", "kit", "bare_playwright", "<=", 1.05, "kit within 5% of bare Playwright"),
    ("selenium_vs_kit", "selenium_per_test", "kit_per_test", ">=", 3.0,
     "a test through the kit at least 3x faster than through Selenium as its users set it up"),
    ("kit_vs_floor", "kit", "floor", "<=", 1.25, "kit within 1.25x of the same document loads of a static page"),
    ("bare_vs_floor", "bare_playwright", "floor", "<=", 1.25, "bare Playwright within 1.25x of the same loads"),
    ("ui_login_vs_state", "fixture_ui_login", "fixture_state_page", ">=", 5.0,
     "logged-in page from storage state at least 5x cheaper than a UI login"),
    ("suite_1_vs_2", "suite_n1", "suite_n2", ">=", 1.6, "2 workers at least 1.6x faster than 1"),
]


def summary(samples):
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, max(0, int(round(0.9 * len(ordered) + 0.5)) - 1))]
    return {"n": len(ordered), "median_ms": round(statistics.median(ordered) * 1000, 1),
            "p90_ms": round(p90 * 1000, 1), "min_ms": round(ordered[0] * 1000, 1)}


def timed(fn, *args):
    started = time.perf_counter()
    value = fn(*args)
    return time.perf_counter() - started, value


def check_enrolled(portal, entry):
    """The stored state says enrolled and exactly one change was audited (untimed)."""
    state = portal.user_state(entry["username"])
    changed = [a for a in state["audit"] if a["outcome"] == "changed"]
    if state["sls_opted_out"] != 0 or len(changed) != 1:
        raise AssertionError(f"{entry['username']}: stored opted_out={state['sls_opted_out']}, "
                             f"{len(changed)} 'changed' audit rows")


class Bench:
    def __init__(self, args, profile):
        self.args, self.profile = args, profile
        self.samples = {}
        self.steps = []          # the kit's per-step seconds, one list per run
        self.http_requests = {}  # (method, path) -> seconds, from the plain-HTTP runs

    def add(self, name, seconds):
        self.samples.setdefault(name, []).append(seconds)

    # -- one run of each flow variant ------------------------------------------------------
    def run_playwright(self, name, fn, target):
        entry = servers.fresh_user(self.portal) if name != "floor" else None
        started = time.perf_counter()
        context = self.browser.new_context()
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            seconds, value = timed(fn, page, target, entry)
        finally:
            context.close()
        if name == "kit":  # what one test costs with the plugin: a new context in the session's browser
            self.add("kit_per_test", time.perf_counter() - started)
        if entry:
            check_enrolled(self.portal, entry)
        if name == "kit":
            self.steps.append([s.seconds for s in value])
        return seconds

    def run_selenium(self, name):
        entry = servers.fresh_user(self.portal)
        driver = self.drivers[name]
        driver.delete_all_cookies()
        seconds, _ = timed(variants.selenium, driver, self.portal.base_url, entry)
        check_enrolled(self.portal, entry)
        return seconds

    def run_selenium_per_test(self):
        """What one test costs with Selenium as its users write it: a driver (and browser) per
        test, started, driven through the flow, quit."""
        entry = servers.fresh_user(self.portal)
        started = time.perf_counter()
        driver = variants.selenium_default_driver()
        try:
            variants.selenium(driver, self.portal.base_url, entry)
        finally:
            variants.quit_selenium(driver)
        seconds = time.perf_counter() - started
        check_enrolled(self.portal, entry)
        return seconds

    def run_http(self):
        entry = servers.fresh_user(self.portal)
        seconds, statuses = timed(variants.plain_http, self.portal.base_url, entry)
        check_enrolled(self.portal, entry)
        for method, path, status, took in statuses:
            key = f"{method} {path.split('?')[0]}"
            self.http_requests.setdefault(key, []).append(took)
        return seconds

    def flows(self):
        base, static = self.portal.base_url, self.static.base_url
        runs = {
            "kit": lambda: self.run_playwright("kit", variants.kit, base),
            "bare_playwright": lambda: self.run_playwright("bare_playwright", variants.bare_playwright, base),
            "selenium": lambda: self.run_selenium("selenium"),
            "selenium_same_browser": lambda: self.run_selenium("selenium_same_browser"),
            "selenium_per_test": self.run_selenium_per_test,
            "floor": lambda: self.run_playwright("floor", variants.floor, static),
            "plain_http": self.run_http,
        }
        if self.args.no_selenium:
            runs.pop("selenium")
            runs.pop("selenium_same_browser")
            runs.pop("selenium_per_test")
        names = list(runs)
        for name in names:  # warm-up, not counted: caches, JIT, connection pools
            runs[name]()
        self.steps.clear()
        self.http_requests.clear()
        self.samples.pop("kit_per_test", None)
        for i in range(self.args.runs):
            for name in names[i % len(names):] + names[:i % len(names)]:
                self.add(name, runs[name]())
            print(f"  flows: run {i + 1}/{self.args.runs}", file=sys.stderr, flush=True)

    # -- fixtures -------------------------------------------------------------------------
    def fixtures(self):
        from flows import PortalUser
        from flows.portal_http import save_logged_in_state
        from flows.flow import log_in_with_security_device, open_home
        from flows.pages import PortalMenu

        base = self.portal.base_url
        state_path = save_logged_in_state(self.browser.new_context, base,
                                          PortalUser.from_scenario(servers.fresh_user(self.portal)),
                                          os.path.join(self.tmp, "state.json"))

        def new_context():
            context = self.browser.new_context()
            context.new_page()
            return context

        def state_page(path=state_path):
            context = self.browser.new_context(storage_state=path)
            page = context.new_page()
            page.goto(f"{base}/portal/")
            PortalMenu(page, "ja").expect_loaded()
            return context

        def log_in_fixture(user):
            # the plugin's log_in fixture: HTTP login in a scratch context, save, new context from it.
            return state_page(save_logged_in_state(self.browser.new_context, base, user,
                                                   os.path.join(self.tmp, f"{user.username}.json")))

        def ui_login(user):
            context = self.browser.new_context()
            page = context.new_page()
            log_in_with_security_device(page, open_home(page, base, "ja").choose_portal_login(), user)
            return context

        cases = {
            "fixture_new_context": lambda: timed(new_context),
            "fixture_state_page": lambda: timed(state_page),
            "fixture_log_in_http": lambda: timed(
                log_in_fixture, PortalUser.from_scenario(servers.fresh_user(self.portal))),
            "fixture_ui_login": lambda: timed(
                ui_login, PortalUser.from_scenario(servers.fresh_user(self.portal))),
        }
        names = list(cases)
        for name in names:
            cases[name]()[1].close()
        for i in range(self.args.runs):
            for name in names[i % len(names):] + names[:i % len(names)]:
                seconds, context = cases[name]()
                context.close()
                self.add(name, seconds)

    # -- cold starts ----------------------------------------------------------------------
    def cold(self):
        base = self.portal.base_url
        for name, fn in (("kit", variants.kit), ("bare_playwright", variants.bare_playwright)):
            entry = servers.fresh_user(self.portal)
            started = time.perf_counter()
            browser = self.pw.chromium.launch(**self.launch)
            launched = time.perf_counter()
            page = browser.new_context().new_page()
            fn(page, base, entry)
            done = time.perf_counter()
            browser.close()
            check_enrolled(self.portal, entry)
            self.cold_figures[name] = {"total_ms": round((done - started) * 1000, 1),
                                       "launch_ms": round((launched - started) * 1000, 1)}
        for name, start in self.selenium_drivers().items():
            entry = servers.fresh_user(self.portal)
            started = time.perf_counter()
            driver = start()
            launched = time.perf_counter()
            try:
                variants.selenium(driver, base, entry)
                done = time.perf_counter()
            finally:
                variants.quit_selenium(driver)
            check_enrolled(self.portal, entry)
            self.cold_figures[name] = {"total_ms": round((done - started) * 1000, 1),
                                       "launch_ms": round((launched - started) * 1000, 1)}
        entry = servers.fresh_user(self.portal)
        started = time.perf_counter()
        variants.plain_http(base, entry)
        self.cold_figures["plain_http"] = {"total_ms": round((time.perf_counter() - started) * 1000, 1),
                                           "launch_ms": 0.0}

    def selenium_drivers(self):
        if self.args.no_selenium:
            return {}
        return {"selenium": variants.selenium_default_driver,
                "selenium_same_browser": lambda: variants.selenium_driver(self.binary, self.profile["chromium_args"])}

    # -- the whole thing ------------------------------------------------------------------
    def run(self):
        if self.args.suite_only:
            self.binary = None
            self.cold_figures = {}
            self.suite()
            return
        from playwright.sync_api import sync_playwright

        from flows.browser import find_chromium, launch_options
        self.cold_figures = {}
        with tempfile.TemporaryDirectory(prefix="slskit-bench-") as self.tmp:
            self.portal = servers.portal(os.path.join(self.tmp, "portal.sqlite"),
                                         self.profile["fast_hash"])
            self.static = servers.static_server(self.tmp)
            try:
                with sync_playwright() as self.pw:
                    self.launch = launch_options(self.pw)
                    self.launch["args"] = [*self.launch["args"], *self.profile["chromium_args"]]
                    if self.profile["executable"]:
                        self.launch["executable_path"] = self.profile["executable"]
                    self.binary = self.launch.get("executable_path") or find_chromium(self.pw)
                    self.cold()  # first, so the page cache of the binary is as cold as we can make it
                    self.browser = self.pw.chromium.launch(**self.launch)
                    self.drivers = {}
                    try:
                        for name, start in self.selenium_drivers().items():
                            self.drivers[name] = start()
                        self.flows()
                        self.fixtures()
                    finally:
                        for driver in self.drivers.values():
                            variants.quit_selenium(driver)
                        self.browser.close()
            finally:
                self.static.stop()
                self.portal.stop()
        if self.args.suite:
            self.suite()

    def suite(self):
        """The whole suite as ./test.sh runs it (without reports), with 1 and 2 workers and one per
        core (./test.sh's, where that is another number); each run
        also goes to results/suite.jsonl with its test count and the load around it."""
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                                text=True).stdout.strip()
        self.suite_outcomes = {}
        os.makedirs(self.args.out, exist_ok=True)
        for workers in sorted({1, 2, len(os.sched_getaffinity(0))}):  # nproc: ./test.sh's
            command = [sys.executable, "-m", "pytest", "-q", "-n", str(workers), "-p", "no:randomly"]
            load_before = [round(x, 2) for x in os.getloadavg()]
            started = time.perf_counter()
            done = subprocess.run(command, cwd=root, capture_output=True, text=True)
            seconds = time.perf_counter() - started
            last = (done.stdout.strip().splitlines() or [""])[-1]
            tests = suite_count(last)
            print(f"  suite -n {workers}: {seconds:.1f} s, {tests} tests  ({last})", file=sys.stderr, flush=True)
            self.samples[f"suite_n{workers}"] = [seconds]
            outcome = {"exit": done.returncode, "summary": last, "seconds": round(seconds, 1), "tests": tests,
                       "load_before": load_before, "load_after": [round(x, 2) for x in os.getloadavg()]}
            self.suite_outcomes[f"n{workers}"] = outcome
            with open(os.path.join(self.args.out, "suite.jsonl"), "a", encoding="utf-8") as f:
                f.write(json.dumps({"when": datetime.datetime.now(datetime.timezone.utc).isoformat(
                    timespec="seconds"), "commit": commit, "workers": workers, **outcome,
                    "note": self.args.note}) + "\n")


def suite_count(summary_line):
    """Tests run, from pytest's last line ("262 passed, 3 skipped in 58.1s")."""
    import re
    return sum(int(n) for n, what in re.findall(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed)",
                                                summary_line))


def ratios_and_targets(stats):
    out = []
    for name, num, den, op, bound, what in TARGETS:
        if num not in stats or den not in stats:
            out.append({"name": name, "what": what, "ratio": None, "bound": bound, "op": op, "met": None})
            continue
        ratio = stats[num]["median_ms"] / stats[den]["median_ms"]
        met = ratio <= bound if op == "<=" else ratio >= bound
        # The best runs, less disturbed by whatever else the machine runs (judged on medians).
        best = stats[num]["min_ms"] / stats[den]["min_ms"]
        out.append({"name": name, "what": what, "ratio": round(ratio, 2), "ratio_of_min": round(best, 2),
                    "bound": bound, "op": op, "met": met, "of": f"{num} / {den} (medians)"})
    return out


def print_table(record):
    stats = record["stats"]
    print(f"\nslskit bench  profile={record['profile']}  runs={record['runs']}  {record['when']}")
    print(f"{'what':28} {'median ms':>10} {'p90 ms':>10} {'min ms':>10} {'cold ms':>10} {'n':>4}")
    for name, s in stats.items():
        cold = record["cold"].get(name, {}).get("total_ms", "")
        print(f"{name:28} {s['median_ms']:>10} {s['p90_ms']:>10} {s['min_ms']:>10} {cold:>10} {s['n']:>4}")
    if record.get("kit_steps_median_ms"):
        print("kit steps (median ms): " + "  ".join(f"{i + 1}:{ms}" for i, ms in
                                                   enumerate(record["kit_steps_median_ms"])))
    if record.get("http_requests_median_ms"):
        print("server answers over plain HTTP (median ms, redirect included): " + "  ".join(
            f"{k} {v}" for k, v in record["http_requests_median_ms"].items()))
    print(f"\nload average at the end: {record.get('load_average')}")
    print(f"{'ratio':20} {'median':>7} {'of min':>7}  target       result")
    for t in record["targets"]:
        value = "-" if t["ratio"] is None else f"{t['ratio']:.2f}"
        best = "-" if t.get("ratio_of_min") is None else f"{t['ratio_of_min']:.2f}"
        result = "not measured" if t["met"] is None else ("MET" if t["met"] else "MISSED")
        print(f"{t['name']:20} {value:>7} {best:>7}  {t['op']} {t['bound']:<9} {result:12} {t['what']}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each variant (default 10)")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="stock")
    parser.add_argument("--suite", action="store_true", help="also time the full suite with -n 1, -n 2 and ./test.sh's one per core")
    parser.add_argument("--suite-only", action="store_true", help="only the suite (-n 1, -n 2, one per core), no flows")
    parser.add_argument("--no-selenium", action="store_true")
    parser.add_argument("--note", default="", help="a word for the history (what changed)")
    parser.add_argument("--out", default=RESULTS)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    profile = PROFILES[args.profile]
    bench = Bench(args, profile)
    started = time.perf_counter()
    bench.run()
    stats = {name: summary(s) for name, s in bench.samples.items()}
    record = {
        "when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "profile": args.profile, "profile_settings": profile, "note": args.note, "runs": args.runs,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "chromium": bench.binary and subprocess.run([bench.binary, "--version"], capture_output=True,
                                                                text=True).stdout.strip()[-40:],
                    "chromedriver": shutil.which("chromedriver")},
        "stats": stats, "cold": bench.cold_figures,
        "kit_steps_median_ms": [round(statistics.median(col) * 1000, 1) for col in zip(*bench.steps)],
        "http_requests_median_ms": {k: round(statistics.median(v) * 1000, 1)
                                    for k, v in bench.http_requests.items()},
        "suite": getattr(bench, "suite_outcomes", None),
        "targets": ratios_and_targets(stats),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "wall_s": round(time.perf_counter() - started, 1),
    }
    print_table(record)
    if not args.suite_only:  # where the kit's flow spends its time, step by step
        from . import account
        record["account"] = account.account(args.runs, profile["executable"], profile["fast_hash"])
        print("\nthe flow's account (python -m bench.account):")
        account.print_table(record["account"])
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "latest.json"), "w", encoding="utf-8") as f:
        json.dump(record, f, ensure_ascii=False, indent=2)
    with open(os.path.join(args.out, "history.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
