"""Where a request's time went inside the portal, on every answer as a W3C Server-Timing header
(https://www.w3.org/TR/server-timing/), so a team sees the portal's own share in Playwright's
traces and the browser's devtools, and the request journal keeps the same split:

    Server-Timing: db;desc="database";dur=0.8, tpl;desc="template";dur=2.1,
                   hash;desc="password hash";dur=0.0, total;desc="total";dur=4.3

`db` is the time SQLite took (every statement the request's connection ran), `tpl` the templates'
rendering, `hash` password hashing and checking, `total` the whole request from its first hook to
its answer. Milliseconds; what is left of `total` is Flask, the views' own work and the hooks.
"""
import sqlite3
import time
from contextlib import contextmanager

from flask import before_render_template, g, has_request_context, template_rendered

PARTS = (("db", "database"), ("tpl", "template"), ("hash", "password hash"))


def _add(part, seconds):
    if has_request_context() and "timing" in g:
        g.timing[part] += seconds


@contextmanager
def part(name):
    """Time a block as one of PARTS (`with timing.part("hash"): ...`)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        _add(name, time.perf_counter() - started)


class TimedConnection(sqlite3.Connection):
    """A connection that counts its statements' time towards the request's `db` (db.connect)."""

    def execute(self, *args, **kwargs):
        with part("db"):
            return super().execute(*args, **kwargs)

    def executemany(self, *args, **kwargs):
        with part("db"):
            return super().executemany(*args, **kwargs)

    def executescript(self, *args, **kwargs):
        with part("db"):
            return super().executescript(*args, **kwargs)


def _start():
    g.timing = dict.fromkeys((name for name, _ in PARTS), 0.0)
    g.timing_started = time.perf_counter()


def _template_starts(sender, template, context, **extra):
    if has_request_context() and "timing" in g:
        g.timing_template_started = time.perf_counter()


def _template_ends(sender, template, context, **extra):
    started = g.pop("timing_template_started", None) if has_request_context() else None
    if started is not None:
        _add("tpl", time.perf_counter() - started)


def split():
    """This request's parts and its total so far, in milliseconds (the journal keeps them)."""
    if "timing" not in g:
        return None
    parts = {name: round(seconds * 1000, 2) for name, seconds in g.timing.items()}
    return {**parts, "total": round((time.perf_counter() - g.timing_started) * 1000, 2)}


def _header(response):
    g.server_timing = split()
    if g.server_timing is not None:
        descriptions = dict(PARTS, total="total")
        response.headers["Server-Timing"] = ", ".join(
            f'{name};desc="{descriptions[name]}";dur={ms}' for name, ms in g.server_timing.items())
    return response


def init_app(app):
    """The clock starts before every other hook. Call it after the app's other after_request
    hooks are registered: Flask runs those in reverse, so the header is set first and the journal
    (control/journal.py) reads the same split."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    before_render_template.connect(_template_starts, app)
    template_rendered.connect(_template_ends, app)
    app.after_request(_header)
