"""The portal's log: one JSON object per line, UTC timestamps from the portal's clock.

Only what an operator needs to follow a login: the event, the known username, the device type,
the outcome. Never a password, a code, a secret or a session id; `log` refuses such fields.
"""
import atexit
import json
import logging
import queue
import sys
import threading
from datetime import datetime, timezone

from flask import has_request_context, request

from . import clock

logger = logging.getLogger("mock_portal.events")
FORBIDDEN = {"password", "code", "passcode", "secret", "totp_secret", "ibkey_secret", "card_secret", "pin",
             "session_id", "session", "csrf_token", "cookie", "challenge"}


def log(event, **fields):
    if FORBIDDEN & set(fields):
        raise ValueError(f"refusing to log {sorted(FORBIDDEN & set(fields))}")
    entry = {"ts": datetime.fromtimestamp(clock.now(), timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
             "level": "info", "event": event, **fields}
    if has_request_context():
        entry["ip"] = request.remote_addr
    logger.info(json.dumps(entry, ensure_ascii=False, sort_keys=True))


class _Message(logging.Formatter):
    def format(self, record):
        return record.getMessage()


class NeverBlocks(logging.Handler):
    """stderr through a bounded queue and one writer thread. A request only queues its line: a
    reader that stops reading (a pipe nobody drains fills at 64 KB) stalls the writer, never a
    request (a request went unanswered after ~300 logged refusals). Lines beyond QUEUED are
    dropped and counted, and the count is written once the reader reads again."""

    QUEUED = 10_000

    def __init__(self, stream):
        super().__init__()
        self.stream, self.lines, self.dropped = stream, queue.Queue(self.QUEUED), 0
        threading.Thread(target=self._write, name="slskit-log", daemon=True).start()
        atexit.register(self.flush_queued)

    def emit(self, record):
        try:
            self.lines.put_nowait(self.format(record))
        except queue.Full:
            self.dropped += 1  # a lost count under a race is fine: it only says lines were lost
        except Exception:
            self.handleError(record)

    def _write(self):
        while True:
            line = self.lines.get()
            dropped, self.dropped = self.dropped, 0
            try:
                if dropped:
                    self.stream.write(json.dumps({"event": "log.dropped", "level": "warning", "lines": dropped}) + "\n")
                self.stream.write(line + "\n")
                self.stream.flush()
            except (OSError, ValueError):
                pass  # stderr closed: nothing left to tell
            finally:
                self.lines.task_done()

    def flush_queued(self, seconds=2.0):
        """At exit: the queued lines out, for at most `seconds` (the reader may be gone)."""
        done = threading.Thread(target=self.lines.join, daemon=True)
        done.start()
        done.join(seconds)


def init_app(app):
    # One stderr handler for the process, however many apps (tests build one per test).
    if not logger.handlers:
        handler = NeverBlocks(sys.stderr)
        handler.setFormatter(_Message())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
