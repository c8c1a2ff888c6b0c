"""The `slskit` command line: `serve` the mock portal, run the article's flow as a `demo`,
render its `screenshots`."""
import argparse
import json
import os
import sqlite3
import sys
import tempfile
import time

from .browser import BrowserNotFound

DEMO_USERS = {"ja": "tanaka01", "en": "smith01"}


def _serve(args):
    from mock_portal.server import FAST_PASSWORD_HASH, StartError, serve
    try:
        return serve(args.host, args.port, args.db, args.scenario, test_hooks=args.enable_test_hooks,
                     extra_config={"PASSWORD_HASH_METHOD": FAST_PASSWORD_HASH} if args.fast_password_hash else None)
    except StartError as e:
        print(e, file=sys.stderr)
        return e.code


def _demo_user(lang, args):
    from mock_portal.scenario import demo
    entry = next(u for u in demo()["users"] if u["username"] == DEMO_USERS[lang])
    if args.username:
        secret = args.totp_secret or os.environ.get("SLSKIT_TOTP_SECRET")
        if not (args.password and secret):
            raise SystemExit("slskit demo: --username needs --password and --totp-secret (or SLSKIT_TOTP_SECRET)")
        entry = {**entry, "username": args.username, "password": args.password, "locale": lang,
                 "devices": [{"type": "authenticator_app", "totp_secret": secret}]}
    return entry


def _stored_opted_out(database, username):
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        row = conn.execute("SELECT sls_opted_out FROM users WHERE username = ?", (username,)).fetchone()
    return None if row is None else bool(row[0])


def _demo(args):
    from playwright.sync_api import Error as PlaywrightError, expect, sync_playwright

    from .browser import launch_options
    from .flow import PortalUser, cancel_sls_opt_out
    from .headed import Presenter, no_display_message
    from .live import LivePortal, PortalError
    from .pages import SecureLoginSettingsPage

    if args.headed and (message := no_display_message()):
        print(message, file=sys.stderr)
        return 2
    entry = _demo_user(args.lang, args)
    user = PortalUser.from_scenario(entry)
    with tempfile.TemporaryDirectory(prefix="slskit-demo-") as tmp, sync_playwright() as p:
        portal = None
        try:
            # The browser is looked for first: without one there is no point starting a portal.
            options = launch_options(p, args.browser_path, headless=not args.headed, slow_mo=args.slow_mo)
            if args.base_url:
                base_url = args.base_url.rstrip("/")
            else:
                database = os.path.join(tmp, "portal.sqlite")
                portal = LivePortal(database, test_hooks=False).start()
                base_url = portal.base_url
            print(f"Portal: {base_url}  user: {user.username}  language: {args.lang}", flush=True)
            started = time.perf_counter()
            browser = p.chromium.launch(**options)
            page = browser.new_context(locale=args.lang).new_page()
            page.set_default_timeout(15_000)
            expect.set_options(timeout=15_000)  # a loaded machine is slow, not wrong
            presenter = Presenter(page, args.lang) if args.headed else None
            current = {}

            def on_start(number, text):
                current.update(number=number, text=text)
                if presenter:
                    presenter.caption(number, text)

            def on_done(step):
                print(f"  step {step.number}  {step.seconds * 1000:7.0f} ms  {step.text}", flush=True)

            try:
                cancel_sls_opt_out(page, base_url, user, lang=args.lang, on_start=on_start, on_done=on_done)
            except (PlaywrightError, AssertionError) as e:
                detail = " / ".join(line.strip() for line in str(e).splitlines()[:4] if line.strip())
                print(f"FAIL at step {current.get('number')} ({current.get('text')}): {detail}", file=sys.stderr)
                return 1
            page.reload()  # the heading now comes from the stored state, not from the POST's answer
            SecureLoginSettingsPage(page, user.locale).expect_enrolled()
            browser.close()
            if portal is not None and _stored_opted_out(portal.database, user.username) is not False:
                print("FAIL: the portal's database does not show the user enrolled", file=sys.stderr)
                return 1
            print(f"OK: {user.username} is enrolled in the Secure Login System again "
                  f"(verified on screen{'' if portal is None else ' and in the database'}); "
                  f"{time.perf_counter() - started:.1f} s in all", flush=True)
            return 0
        except BrowserNotFound as e:
            print(f"slskit demo: {e}", file=sys.stderr)
            return 2
        except PortalError as e:
            print(f"slskit demo: {e}", file=sys.stderr)
            return 1
        except (PlaywrightError, AssertionError) as e:
            print(f"FAIL: {str(e).splitlines()[0]}", file=sys.stderr)
            return 1
        finally:
            if portal is not None:
                portal.stop()


def _screenshots(args):
    from playwright.sync_api import sync_playwright

    from .browser import launch_options
    from .screenshots import render_walkthrough
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(**launch_options(p, args.browser_path))
            files = render_walkthrough(browser, args.lang, args.out)
            browser.close()
    except BrowserNotFound as e:
        print(f"slskit screenshots: {e}", file=sys.stderr)
        return 2
    print(f"{len(files)} screenshots and index.html in {args.out}")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="slskit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the mock Client Portal")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000, help="0 picks a free port")
    serve.add_argument("--db", help="the SQLite file holding all state (default: instance/portal.sqlite)")
    serve.add_argument("--scenario", help="a scenario JSON file that replaces all users on start")
    serve.add_argument("--enable-test-hooks", action="store_true",
                       help="mount /_test/ (reset, users, clock) for test suites; never on by default")
    serve.add_argument("--fast-password-hash", action="store_true",
                       help="for test servers: hash passwords cheaply (pbkdf2, 1000 rounds) instead of scrypt")
    serve.set_defaults(func=_serve)

    demo = sub.add_parser("demo", help="run the article's flow in Chromium against the portal")
    demo.add_argument("--headed", action="store_true", help="show the browser with step captions")
    demo.add_argument("--slow-mo", type=float, default=0, metavar="MS", help="pause between actions")
    demo.add_argument("--lang", choices=("ja", "en"), default="ja")
    demo.add_argument("--base-url", help="a running portal (default: start an embedded one)")
    demo.add_argument("--browser-path", help="the Chromium to launch (default: discovered)")
    demo.add_argument("--username", help="with --base-url: whose opt-out to cancel")
    demo.add_argument("--password")
    demo.add_argument("--totp-secret", help="the user's authenticator secret (base32)")
    demo.set_defaults(func=_demo)

    shots = sub.add_parser("screenshots", help="one PNG per article step and an index.html walkthrough")
    shots.add_argument("--lang", choices=("ja", "en"), default="ja")
    shots.add_argument("--out", default="screenshots", help="folder to write (default: screenshots)")
    shots.add_argument("--browser-path", help="the Chromium to launch (default: discovered)")
    shots.set_defaults(func=_screenshots)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
