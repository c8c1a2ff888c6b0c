"""Flask-level fixtures: an app per test on its own temporary database and a frozen clock.

These tests drive the portal with Flask's test client (no browser); the end-to-end suites use
the plugin's live server instead.
"""
from contextlib import closing

import pytest

from mock_portal import create_app, db, scenario
from mock_portal.clock import FrozenClock
from mock_portal.server import FAST_PASSWORD_HASH
from portal_client import EXTRA_USERS, SCENARIO, Visitor


@pytest.fixture
def clock():
    return FrozenClock()


@pytest.fixture
def app(tmp_path, clock):
    app = create_app({
        "TESTING": True,
        "DATABASE": str(tmp_path / "portal.sqlite"),
        "CLOCK": clock,
        "SEED_DEMO": False,
        # Hashing cost is not what these tests exercise; scrypt stays the served default.
        "PASSWORD_HASH_METHOD": FAST_PASSWORD_HASH,
    })
    with closing(db.connect(app.config["DATABASE"])) as conn:
        scenario.replace(conn, SCENARIO, app.config["PASSWORD_HASH_METHOD"])
    return app


@pytest.fixture
def conn(app):
    """A direct connection to the app's database, to check what is really stored."""
    with closing(db.connect(app.config["DATABASE"])) as c:
        yield c


@pytest.fixture
def visitor(app, clock):
    return Visitor(app.test_client(), clock)


@pytest.fixture
def other_visitor(app, clock):
    return Visitor(app.test_client(), clock)


@pytest.fixture
def extra_users(app):
    """Adds portal_client.EXTRA_USERS (dave: alice's account, not primary, enrolled, en)."""
    with closing(db.connect(app.config["DATABASE"])) as c:
        scenario.add_users(c, EXTRA_USERS, app.config["PASSWORD_HASH_METHOD"])
    return [u["username"] for u in EXTRA_USERS]
