"""A mock of the brokerage's Client Portal, faithful to the knowledge-base article
"cancel a Secure Login System opt-out" (ja and en)."""
import os
import secrets
import sqlite3

from flask import Flask, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from . import access, db, events, funds, housekeeping, i18n, limits, sessions, storage, timing
from .login import devices, todays_page
from .clock import Clock


def create_app(test_config=None):
    """Application factory: defaults, then the instance's or the test's configuration."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        DATABASE=os.path.join(app.instance_path, "portal.sqlite"),
        CLOCK=Clock(),
        BOOT_ID=secrets.token_hex(8),  # a restart refuses the confirmations of the previous run
        PASSWORD_HASH_METHOD="scrypt",
        SESSION_IDLE_SECONDS=30 * 60,
        ANONYMOUS_SESSIONS_MAX=10_000,    # a flood of login-page views replaces the oldest (housekeeping.py)
        REAUTH_MAX_AGE_SECONDS=15 * 60,   # older logins confirm with the device before an SLS change
        LOCKOUT_MAX_FAILURES=10,          # failed logins per username within the window lock it
        LOCKOUT_WINDOW_SECONDS=24 * 3600,
        LOCKOUT_SECONDS=24 * 3600,
        MAX_CONTENT_LENGTH=1024 * 1024,   # a bigger body is refused (413) before it is parsed
        SEND_FILE_MAX_AGE_DEFAULT=3600,  # the stylesheet: no revalidation round trip on every page
        TEST_HOOKS=False,              # the reset/clock routes; never on unless asked for
        PORTAL_REVISION="seed",        # the article's revision a user without one sees: 'seed' or 'current'
        GATEWAY=False,                 # present as the Client Portal Gateway: its /v1 API, `/` to its login
        LOGIN_PAGE="seed",             # the login page: the seed revision's two screens, or 'current' (today's)
        GATEWAY_SESSION_IDLE_SECONDS=6 * 60,  # the gateway's session ends this long after its last call
        GATEWAY_SESSION_MAX_SECONDS=24 * 3600,  # ... and this long after its login, whatever calls came
        GATEWAY_PACING=False,          # the pacing limits (gateway/pacing.py); `serve --gateway` turns them on
        GATEWAY_IPS=None,              # conf.yaml's ips (gateway/allow_list.py); None: the stock conf.yaml's
        TEST_HOOKS_KEY=None,           # when set, every hook call carries it (X-Slskit-Test-Hooks-Key)
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    os.makedirs(os.path.dirname(os.path.abspath(app.config["DATABASE"])), exist_ok=True)

    db.init_app(app)  # the schema only: what users it holds is for the server to say (server.py)
    i18n.init_app(app)
    events.init_app(app)

    housekeeping.init_app(app)  # first: what has expired is gone before the session is looked up
    app.before_request(sessions.load)
    if app.config["TEST_HOOKS"]:  # the control plane's journal and faults see every request
        from . import control
        control.init_app(app)  # once the session is known: a fault may be one user's
    app.before_request(sessions.csrf_on_post)
    access.init_app(app)  # after the session is known: every route's rule (mock_portal/access.py)
    app.after_request(sessions.save_cookie)
    app.after_request(_security_headers)
    timing.init_app(app)  # last: its clock starts first and its header sees every other hook's work
    app.register_error_handler(HTTPException, _error_page)
    app.register_error_handler(sqlite3.OperationalError, storage.refuse)  # a full disk, a lock: 503
    app.jinja_env.globals["limits"] = limits  # the forms' maxlength attributes
    app.jinja_env.globals["device_name"] = devices.name
    app.jinja_env.globals["money"] = funds.money

    from .login import routes as login
    from .screens import classic, current, home, physical_devices, seed, withdrawals
    for blueprint in (home.bp, login.bp, seed.bp, classic.bp, current.bp, withdrawals.bp, physical_devices.bp):
        app.register_blueprint(blueprint)
    if app.config["GATEWAY"]:
        from . import gateway
        from .gateway import allow_list, pacing
        pacing.init_app(app)  # after the access layer, before the API's own session check
        app.register_blueprint(gateway.bp)  # the gateway's /v1 session API
        allow_list.init_app(app)  # outermost: a refused client reaches nothing
    if app.config["TEST_HOOKS"]:
        from . import control
        app.register_blueprint(control.bp)
    return app


def _security_headers(response):
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; "
        "object-src 'none'; base-uri 'none'")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _error_page(exc):
    """Every error is a page in the user's language with one clear sentence, never a trace; under
    the gateway's /v1/ (any route, known or not) it is the API's JSON error instead."""
    if current_app.config["GATEWAY"] and request.path.startswith("/v1/"):
        from . import gateway
        return gateway.json_error(exc)
    key = exc.description if isinstance(exc.description, str) and exc.description.startswith("error.") \
        else f"error.http_{exc.code}"
    if key not in i18n.CATALOGS["en"]:  # a status the portal itself never answers (a fault on purpose)
        key = "error.http_other"
    if todays_page.wants_json():  # today's login page's script: the same sentence, as JSON
        return todays_page.answer("error", exc.code, key)
    return render_template("error.html", message_key=key, code=exc.code, lang=i18n.current_lang()), exc.code
