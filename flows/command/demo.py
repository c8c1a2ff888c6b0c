"""`slskit demo`: the article's flow in Chromium against the embedded portal (or a running one),
each step printed with its time; exit 0 only once the final state is verified on screen and, for
the embedded portal, in its database."""
import functools
import os
import tempfile
import time
from contextlib import closing, contextmanager

from ..browser import BrowserNotFound
from ..users import OTHER_DEMO_USER, demo_user_entry
from . import SECRET_ENV_VAR, CommandError


def run(args):
    from ..flow import PortalUser
    from ..headed import WINDOW_ARGS, no_display_message

    if args.headed and (message := no_display_message()):
        raise CommandError("--headed " + message.removeprefix("slskit demo --headed "), 2)
    user = PortalUser.from_scenario(_demo_user(args))
    with sync_browser(args.browser_path, headless=not args.headed, slow_mo=args.slow_mo,
                      extra_args=WINDOW_ARGS if args.headed else ()) as browser, \
            _portal(args.base_url, args.revision, args.choice) as (base_url, database):
        revision = f"  revision: current  choice: {args.choice}" if args.revision == "current" else ""
        print(f"Portal: {base_url}  user: {user.username}  language: {args.lang}{revision}", flush=True)
        started = time.perf_counter()
        page = _demo_page(browser, args.lang, headed=args.headed)
        if args.login_page:  # the portal serves the page this browser asks for (mock_portal/login/todays_page.py)
            page.context.add_cookies([{"name": "slskit_login_page", "value": args.login_page, "url": base_url}])
        _run_article_steps(page, base_url, user, args)
        _verify_enrolled(page, user, database)
    print(f"OK: {user.username} is enrolled in the Secure Login System again "
          f"(verified on screen{'' if database is None else ' and in the database'}); "
          f"{time.perf_counter() - started:.1f} s in all", flush=True)
    return 0


def _demo_user(args):
    """The demo scenario's user of --lang, or the one named by --username on a --base-url portal."""
    from mock_portal.scenario import ScenarioError, validate
    entry = demo_user_entry(args.lang)
    if not args.username:
        return entry
    if not args.base_url:
        raise CommandError("--username needs --base-url: the embedded portal has only its demo users")
    secret = args.totp_secret or os.environ.get(SECRET_ENV_VAR)
    if not (args.password and secret):
        raise CommandError(f"--username needs --password and --totp-secret (or {SECRET_ENV_VAR})")
    entry = {**entry, "username": args.username, "password": args.password, "locale": args.lang,
             "devices": [{"type": "authenticator_app", "totp_secret": secret}]}
    try:
        validate({"users": [entry]})
    except ScenarioError as e:  # "users[0].devices[0].totp_secret: is not valid base32"
        field, _, problem = str(e).partition(": ")
        raise CommandError(f"--{field.rsplit('.', 1)[-1].replace('_', '-')} {problem}") from None
    return entry


@contextmanager
def sync_browser(browser_path, headless=True, slow_mo=0, extra_args=()):
    """A launched Chromium (found as `flows.browser` finds it, with `extra_args` on its command
    line), closed on the way out."""
    from ..browser import BrowserDidNotStart, launched_chromium
    try:
        with launched_chromium(browser_path, extra_args, headless=headless, slow_mo=slow_mo) as browser:
            yield browser
    except BrowserNotFound as e:
        raise CommandError(str(e), 2) from None
    except BrowserDidNotStart as e:
        raise CommandError(str(e), 1) from None


@contextmanager
def _portal(base_url, revision="seed", choice=None):
    """(base URL, database file): the running portal named by --base-url (no database to read),
    or an embedded one on a temporary database, stopped on the way out. With --revision current
    it serves that revision; IBKR Mobile's activation needs its test hooks (the phone's side)."""
    from ..live import LivePortal, PortalError
    if base_url:
        yield _reachable(base_url.rstrip("/")), None
        return
    with tempfile.TemporaryDirectory(prefix="slskit-demo-") as tmp:
        database = os.path.join(tmp, "portal.sqlite")
        try:
            portal = LivePortal(database, test_hooks=revision == "current" and choice == "ibkr_mobile",
                                extra_args=["--portal-revision", revision]).start()
        except PortalError as e:
            raise CommandError(str(e), 1) from None
        try:
            yield portal.base_url, database
        finally:
            portal.stop()


def _reachable(base_url):
    """`base_url` if something answers HTTP there; else one line saying what happened."""
    import urllib.error
    import urllib.request
    try:
        urllib.request.urlopen(base_url + "/", timeout=10).close()
    except urllib.error.HTTPError:
        pass  # it answers; what the answer means is the flow's to find out
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", e)
        raise CommandError(f"cannot reach the portal at {base_url} ({reason}); is it running?", 1) from None
    return base_url


def _demo_page(browser, lang, headed=False):
    from playwright.sync_api import expect
    # Headed, the page takes the window's size (which fits the screen) instead of a fixed 1280x720.
    page = browser.new_context(locale=lang, no_viewport=headed or None).new_page()
    page.set_default_timeout(15_000)
    expect.set_options(timeout=15_000)  # a loaded machine is slow, not wrong
    return page


def _run_article_steps(page, base_url, user, args):
    """The article's seven steps, each printed with its time; a failure names the step, the
    locator that did not turn up and the page's own alert text."""
    from playwright.sync_api import Error as PlaywrightError

    from ..headed import Presenter
    from ..portal_http import PortalError

    presenter = Presenter(page, args.lang) if args.headed else None
    current = {}

    def on_start(number, text):
        current.update(number=number, text=text)
        if presenter:
            presenter.caption(number, text)

    def on_done(step):
        print(f"  step {step.number}  {step.seconds * 1000:7.0f} ms  {step.text}", flush=True)
        if presenter:
            presenter.clear_highlight()

    try:
        _article_flow(args)(page, base_url, user, lang=args.lang, on_start=on_start, on_done=on_done,
                            highlight=presenter.highlight if presenter else None)
    except PortalError as e:  # the current revision's IBKR Mobile reaches the portal's test hooks
        raise CommandError(f"FAIL at step {current.get('number')}: {e}", 1) from None
    except (PlaywrightError, AssertionError) as e:
        detail = " / ".join(line.strip() for line in str(e).splitlines()[:4] if line.strip())
        alerts = _alert_texts(page)
        shown = f" -- the page says: {alerts}" if alerts and "the page says:" not in detail else ""
        raise CommandError(f"FAIL at step {current.get('number')} ({current.get('text')}): {detail}{shown}",
                           1) from None


def _article_flow(args):
    """The seed revision's seven steps, or the current revision's eight for --choice (the other
    username is the demo scenario's suzuki02, whose device then serves both)."""
    from ..flow import PortalUser, cancel_sls_opt_out
    if args.revision != "current":
        return cancel_sls_opt_out
    from ..current import cancel_sls_opt_out_current
    other = PortalUser.from_scenario(demo_user_entry(args.lang, OTHER_DEMO_USER))
    return functools.partial(cancel_sls_opt_out_current, choice=args.choice, other_user=other)


def _alert_texts(page):
    """The visible alerts' text, without waiting (the flow already waited for what it wanted)."""
    try:
        return " / ".join(t.strip() for t in page.get_by_role("alert").all_inner_texts() if t.strip())
    except Exception:  # the page may be gone; the step's own error is what matters then
        return ""


def _verify_enrolled(page, user, database):
    """The enrolled heading after a reload (so it comes from the stored state, not the POST's
    answer), and, for an embedded portal, the stored state itself."""
    from playwright.sync_api import Error as PlaywrightError

    from ..pages import SecureLoginSettingsPage
    try:
        page.reload()
        SecureLoginSettingsPage(page, user.locale).expect_enrolled()
    except (PlaywrightError, AssertionError) as e:
        raise CommandError(f"FAIL after the last step: {str(e).splitlines()[0]}", 1) from None
    if database is not None and _stored_opted_out(database, user.username) is not False:
        raise CommandError("FAIL: the portal's database does not show the user enrolled", 1)


def _stored_opted_out(database, username):
    from mock_portal import db, sls
    with closing(db.connect(database)) as conn:
        state = sls.user_state(conn, username)
    return None if state is None else bool(state["sls_opted_out"])
