"""The portal's notion of now. Tests inject one they can move; a live server moves it over
the test-only hook, never by sleeping."""
import time
from datetime import datetime, timezone


class Clock:
    def __init__(self, source=time.time, offset=0.0):
        self.source = source
        self.offset = offset

    def now(self):
        return self.source() + self.offset

    def advance(self, seconds):
        self.offset += seconds

    def iso(self):
        return datetime.fromtimestamp(self.now(), timezone.utc).isoformat(timespec="seconds")


class FrozenClock(Clock):
    """A clock that only moves when told to (Flask-level tests)."""

    def __init__(self, start=1_800_000_000.0):
        super().__init__(source=lambda: start)
