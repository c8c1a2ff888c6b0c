"""The `slskit` command line: `serve` the mock portal, run the article's flow as a `demo`,
render its `screenshots`, run its Gherkin `spec` into living documentation, `article-check` the
article against the kit, `gateway-login` through a Client Portal Gateway.

Each subcommand is one `_name(args)` function registered in `build_parser`; a problem the
person can fix is a `CommandError`, which `main` prints as one line `slskit NAME: ...`.
"""
import argparse
import os
import sys

from .command import CommandError


# -- serve -------------------------------------------------------------------------------------

def _serve(args):
    from mock_portal.serving import FAST_PASSWORD_HASH, StartError, serve
    from mock_portal.serving.connections import Limits
    if args.tls is False and args.tls_cert:
        raise CommandError("--no-tls and --tls-cert contradict each other: give one of them")
    if not args.gateway and (args.gateway_conf or args.pacing is False):
        option = "--gateway-conf" if args.gateway_conf else "--no-pacing"
        raise CommandError(f"{option} is the gateway's: add --gateway")
    try:
        # --gateway: the Client Portal Gateway a user runs, HTTPS and today's login page by default.
        extra = {"PORTAL_REVISION": args.portal_revision, "GATEWAY": args.gateway,
                 "LOGIN_PAGE": args.login_page or ("current" if args.gateway else "seed"),
                 "GATEWAY_PACING": args.gateway and args.pacing}
        if args.fast_password_hash:
            extra["PASSWORD_HASH_METHOD"] = FAST_PASSWORD_HASH
        https = args.gateway if args.tls is None else args.tls
        port = 5000 if args.port is None else args.port
        if args.gateway_conf:  # the real gateway's conf.yaml: its ips, its port and TLS unless told otherwise
            from mock_portal.serving import gateway_conf
            conf = gateway_conf.read(args.gateway_conf)
            extra["GATEWAY_IPS"] = conf.ips
            port = conf.port if args.port is None and conf.port is not None else port
            https = conf.ssl if args.tls is None and conf.ssl is not None else https
            print(conf.summary(args.gateway_conf), flush=True)
        return serve(args.host, port, args.db, args.scenario, test_hooks=args.enable_test_hooks,
                     extra_config=extra, https=https, tls_cert=args.tls_cert, tls_key=args.tls_key,
                     test_hooks_key=args.test_hooks_key or (os.environ.get("SLSKIT_TEST_HOOKS_KEY")
                                                            if args.enable_test_hooks else None) or None,
                     limits=Limits(args.connection_limit, args.idle_timeout, args.request_timeout))
    except StartError as e:
        print(e, file=sys.stderr)
        return e.code


# -- demo ------------------------------------------------------------------------------------

def _demo(args):
    from .command.demo import run
    return run(args)


# -- screenshots -------------------------------------------------------------------------------

def _screenshots(args):
    from .command.screenshots import render_walkthrough
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        raise CommandError(f"--out {args.out} is a file; give a folder (it is created if missing)")
    from .command.demo import sync_browser
    with sync_browser(args.browser_path) as browser:
        files = render_walkthrough(browser, args.lang, args.out, args.revision, args.choice)
    print(f"{len(files)} screenshots and index.html in {args.out}")
    return 0


# -- spec --------------------------------------------------------------------------------------

def _spec(args):
    from .command.spec import run
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        raise CommandError(f"--out {args.out} is a file; give a folder (it is created if missing)")
    pytest_args = args.pytest_args[1:] if args.pytest_args[:1] == ["--"] else args.pytest_args
    code = run(args.lang, args.out, pytest_args)
    print(f"the {args.lang} specification{' (with failures)' if code else ''}: {os.path.join(args.out, 'index.html')}")
    return code


# -- article-check -----------------------------------------------------------------------------

def _article_check(args):
    from .command.article import ArticleError, check
    try:
        return check(args.source, args.lang, args.revision)
    except ArticleError as e:
        raise CommandError(str(e), 2) from None


# -- gateway-login -----------------------------------------------------------------------------

def _gateway_login(args):
    from .command.gateway_login import run
    return run(args)


# -- the parser --------------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (the usage is one `--help` away)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _non_negative(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of milliseconds, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text}")
    return value


def _positive_seconds(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, not {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
    return value


def _version():
    from importlib.metadata import PackageNotFoundError, packages_distributions, version
    # The distribution's name is whatever installed this package; ask which one did.
    for name in packages_distributions().get("flows", []):
        try:
            return f"slskit {version(name)} ({name})"
        except PackageNotFoundError:
            continue
    return "slskit (not installed as a distribution)"


def build_parser():
    parser = _Parser(prog="slskit", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _add_serve(sub)
    _add_demo(sub)
    _add_screenshots(sub)
    _add_spec(sub)
    _add_article_check(sub)
    _add_gateway_login(sub)
    return parser


def _add_serve(sub):
    serve = sub.add_parser("serve", help="run the mock Client Portal")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, help="default 5000 (or --gateway-conf's listenPort); 0 picks a free port")
    serve.add_argument("--db", help="the SQLite file holding all state (default: instance/portal.sqlite)")
    serve.add_argument("--scenario", help="a scenario JSON file that replaces all users on start")
    serve.add_argument("--enable-test-hooks", action="store_true",
                       help="mount /_test/ (reset, users, clock) for test suites; never on by default")
    serve.add_argument("--test-hooks-key", metavar="KEY",
                       help="the key every test-hook call must carry (header X-Slskit-Test-Hooks-Key); "
                            "needed to serve the hooks beyond loopback (also $SLSKIT_TEST_HOOKS_KEY)")
    serve.add_argument("--fast-password-hash", action="store_true",
                       help="for test servers: hash passwords cheaply (pbkdf2, 1000 rounds) instead of scrypt")
    from mock_portal.scenario import PORTAL_REVISIONS
    serve.add_argument("--portal-revision", choices=PORTAL_REVISIONS, default="seed",
                       help="the article's revision users see unless their scenario entry names one "
                            "(default: seed, the Japanese article's; current: the User menu and three choices)")
    serve.add_argument("--gateway", action="store_true",
                       help="present the portal as the Client Portal Gateway (its /v1 API, `/` to its login); "
                            "HTTPS and --login-page current unless told otherwise")
    serve.add_argument("--gateway-conf", metavar="FILE",
                       help="with --gateway: the real gateway's conf.yaml; its ips.allow/ips.deny, listenPort "
                            "and listenSsl are read, its other keys ignored (said at start)")
    serve.add_argument("--no-pacing", action="store_false", dest="pacing",
                       help="with --gateway: switch the brokerage's pacing limits off (429 and the penalty box; "
                            "on by default, as on the real gateway), e.g. for a team's load tests")
    https = serve.add_mutually_exclusive_group()
    https.add_argument("--tls", action="store_const", const=True, dest="tls",
                       help="speak HTTPS (the default with --gateway), with a self-signed certificate "
                            "made beside --db unless --tls-cert is given")
    https.add_argument("--no-tls", action="store_const", const=False, dest="tls", help="speak plain HTTP")
    serve.add_argument("--tls-cert", metavar="FILE", help="your own PEM certificate (implies --tls; needs --tls-key)")
    serve.add_argument("--tls-key", metavar="FILE", help="its PEM private key, unencrypted")
    from mock_portal.login.todays_page import PAGES
    serve.add_argument("--login-page", choices=PAGES,
                       help="the login page: seed (the article's two screens; the default) or current "
                            "(today's one page; the default with --gateway)")
    from mock_portal.serving.connections import Limits
    serve.add_argument("--connection-limit", type=int, metavar="N", default=Limits.connections,
                       help=f"open connections held at once (default {Limits.connections}); more wait to be accepted")
    serve.add_argument("--idle-timeout", type=float, metavar="S", default=Limits.idle_seconds,
                       help=f"close a keep-alive connection silent this long (default {Limits.idle_seconds:g} s)")
    serve.add_argument("--request-timeout", type=float, metavar="S", default=Limits.request_seconds,
                       help="drop a client that has not sent its whole request (its body too: a slow upload "
                            "counts) this long after its first byte "
                            f"(default {Limits.request_seconds:g} s)")
    serve.set_defaults(func=_serve)


def _add_demo(sub):
    demo = sub.add_parser("demo", help="run the article's flow in Chromium against the portal")
    demo.add_argument("--headed", action="store_true", help="show the browser with step captions")
    demo.add_argument("--slow-mo", type=_non_negative, default=0, metavar="MS", help="pause between actions")
    demo.add_argument("--lang", choices=("ja", "en"), default="ja")
    demo.add_argument("--base-url", help="a running portal (default: start an embedded one)")
    demo.add_argument("--browser-path", help="the Chromium to launch (default: discovered)")
    demo.add_argument("--username", help="with --base-url: whose opt-out to cancel")
    demo.add_argument("--password")
    demo.add_argument("--totp-secret", help="the user's authenticator secret (base32)")
    demo.add_argument("--login-page", choices=("seed", "current"),
                      help="log in on the seed's two screens or today's one page (default: the portal's own)")
    _add_revision(demo)
    demo.set_defaults(func=_demo)


def _add_screenshots(sub):
    shots = sub.add_parser("screenshots", help="one PNG per article step and an index.html walkthrough")
    shots.add_argument("--lang", choices=("ja", "en"), default="ja")
    shots.add_argument("--out", default="screenshots", help="folder to write (default: screenshots)")
    shots.add_argument("--browser-path", help="the Chromium to launch (default: discovered)")
    _add_revision(shots)
    shots.set_defaults(func=_screenshots)


def _add_revision(command):
    """--revision and --choice, shared by demo and screenshots: the names the portal serves."""
    from mock_portal.screens.enrollment import CHOICES
    from mock_portal.scenario import PORTAL_REVISIONS
    command.add_argument("--revision", choices=PORTAL_REVISIONS, default="seed",
                         help="the article's revision: seed (the Japanese article, default) or current "
                              "(the User menu and three enrollment choices)")
    command.add_argument("--choice", choices=CHOICES, default=CHOICES[0],
                         help="with --revision current: which radio button to choose")


def _add_spec(sub):
    spec = sub.add_parser("spec", help="run the feature files and write the living documentation: a page per feature")
    spec.add_argument("--lang", choices=("ja", "en"), default="ja")
    spec.add_argument("--out", default="spec", help="folder to write (default: spec)")
    spec.add_argument("pytest_args", nargs=argparse.REMAINDER, metavar="-- PYTEST_ARGS",
                      help="passed to pytest, e.g. -- --headed --slskit-browser-path /usr/bin/chromium")
    spec.set_defaults(func=_spec)


def _add_article_check(sub):
    check = sub.add_parser("article-check", help="compare the article (text, HTML or URL) with the kit's steps, "
                                                 "labels and feature files; exit 1 on drift")
    check.add_argument("source", metavar="SOURCE", help="the article: a saved text or HTML file, or an http(s) URL")
    check.add_argument("--lang", choices=("ja", "en"), default="ja")
    from mock_portal.scenario import PORTAL_REVISIONS
    check.add_argument("--revision", choices=PORTAL_REVISIONS, default="seed",
                       help="the kit's steps to compare with: seed (ARTICLE_STEPS, default) or current")
    check.set_defaults(func=_article_check)


def _add_gateway_login(sub):
    login = sub.add_parser("gateway-login", help="log in through a Client Portal Gateway's login page in a browser; "
                                                 "exit 0 once its session is authenticated")
    login.add_argument("--url", required=True, help="the gateway, e.g. https://127.0.0.1:5000")
    login.add_argument("--username", required=True)
    login.add_argument("--password", help="(or $SLSKIT_PASSWORD, which no process list shows)")
    login.add_argument("--totp-secret", metavar="SECRET",
                       help="the user's authenticator app secret, base32 (or $SLSKIT_TOTP_SECRET)")
    login.add_argument("--paper", action="store_true", help="tick the login page's paper switch first")
    login.add_argument("--cacert", metavar="FILE",
                       help="the gateway's certificate, for the check of its session (`slskit serve --gateway` "
                            "prints where it is); without it the system's trust (the browser accepts any, as "
                            "the gateway's users' browsers do)")
    login.add_argument("--browser-path", help="the Chromium to launch (default: discovered)")
    login.add_argument("--timeout", type=_positive_seconds, default=30, metavar="S",
                       help="how long each step may take (default 30 s)")
    login.set_defaults(func=_gateway_login)


# Options whose value is whatever a person chose: a password may begin with "-", which argparse
# would otherwise take for the next option ("expected one argument").
_FREE_TEXT_OPTIONS = ("--username", "--password")


def _bind_free_text_values(argv):
    """`--password -x` as `--password=-x`; nothing after `--`, which belongs to another program
    (`slskit spec -- PYTEST_ARGS`)."""
    argv, bound = list(argv), []
    while argv:
        token = argv.pop(0)
        if token == "--":
            return [*bound, token, *argv]
        if token in _FREE_TEXT_OPTIONS and argv:
            token = f"{token}={argv.pop(0)}"
        bound.append(token)
    return bound


def main(argv=None):
    args = build_parser().parse_args(_bind_free_text_values(sys.argv[1:] if argv is None else argv))
    try:
        return args.func(args)
    except CommandError as e:
        print(f"slskit {args.command}: {e}", file=sys.stderr)
        return e.code


if __name__ == "__main__":
    sys.exit(main())
