"""The portal's log: one JSON object per line, UTC timestamps from the portal's clock.

Only what an operator needs to follow a login: the event, the known username, the device type,
the outcome. Never a password, a code, a secret or a session id; `log` refuses such fields.
"""
import json
import logging
import sys
from datetime import datetime, timezone

from flask import current_app, has_request_context, request

logger = logging.getLogger("mock_portal.events")
FORBIDDEN = {"password", "code", "passcode", "secret", "totp_secret", "ibkey_secret", "card_secret", "pin",
             "session_id", "session", "csrf_token", "cookie", "challenge"}


def log(event, **fields):
    if FORBIDDEN & set(fields):
        raise ValueError(f"refusing to log {sorted(FORBIDDEN & set(fields))}")
    now = current_app.config["CLOCK"].now()
    entry = {"ts": datetime.fromtimestamp(now, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
             "level": "info", "event": event, **fields}
    if has_request_context():
        entry["ip"] = request.remote_addr
    logger.info(json.dumps(entry, ensure_ascii=False, sort_keys=True))


class _Message(logging.Formatter):
    def format(self, record):
        return record.getMessage()


def init_app(app):
    # One stderr handler for the process, however many apps (tests build one per test).
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_Message())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
